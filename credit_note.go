package crm

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"
)

// NewCreditNote gives back to a customer revenue, with its tax, that
// Invoice charged them: goods returned, a price corrected. A credit note
// always names the invoice it credits (that of the customer and in its
// currency, not cancelled), and is made of it:
//
//   - What it credits is given either as Lines (a quantity of each
//     invoice line named, at that line's price, discount and tax rate,
//     the tax rounded by the CRM's TaxRounding as the invoice's was) or
//     as Net (an amount of the invoice's net revenue, whose tax is at the
//     invoice's rates in proportion: Net times the invoice's tax over its
//     net, rounded half-even). Tax, if given, must be the tax so derived:
//     it is a check, never an input.
//   - Earlier credit notes on the invoice (those not reversed) count
//     against it: the nets credited never add up to more than the
//     invoice's net, nor the taxes to more than its tax. A credit note
//     that brings the nets credited to the invoice's net takes back
//     exactly the tax left, so that rounding never takes back more tax
//     than the invoice charged, nor leaves any behind.
//   - Without Refund, it is applied to the invoice in the entry that posts
//     it (Dr revenue and tax, Cr the invoice's receivable): the invoice is
//     credited, not left open beside a credit, and the credit note is
//     capped by what is still open on it.
//   - With Refund, it becomes the customer's unapplied credit (Dr revenue
//     and tax, Cr customer credit), to pay back with Refund or apply
//     elsewhere. It is capped by what the customer's credits paid on the
//     invoice (allocations, net of their reversals, at their rates) less
//     what earlier refund credit notes gave back: a customer is refunded
//     money they paid, never money they owe.
//
// Issued defaults to today and is never before the invoice. Above the
// correction limit it needs Approval (see WithCorrectionLimits).
type NewCreditNote struct {
	Customer ID           `json:"customer,omitzero"`
	Invoice  ID           `json:"invoice,omitzero"` // the invoice it credits; required
	Lines    []CreditLine `json:"lines,omitempty"`  // what of the invoice's lines it credits; or Net
	Net      Money        `json:"net"`              // the net it credits, if not Lines
	Tax      Money        `json:"tax"`              // optional: the tax the invoice's rates give, as a check
	Refund   bool         `json:"refund,omitempty"` // keep it as credit to pay back, rather than apply it to the invoice
	Issued   Date         `json:"issued,omitzero"`
	Reason   string       `json:"reason,omitempty"`
	Approval ID           `json:"approval,omitzero"` // another user's CorrectionApproval, above the correction limit

	IdempotencyKey string `json:"idempotency_key,omitempty"` // a retry with the same key returns the first credit note
}

// CreditLine credits Quantity of the invoice's line number Line (the
// first line is 1), at most the quantity the invoice charged. Earlier
// credit notes are bounded by amount, not line by line.
type CreditLine struct {
	Line     int             `json:"line"`
	Quantity decimal.Decimal `json:"quantity"`
}

// credited is what a credit note takes back, or what earlier ones did.
type credited struct {
	net, tax, total Money
}

// creditBasis is what a credit note is made of: the invoice, what is open
// on it, what the customer's credits paid on it, what earlier credit notes
// took back (all of them, and those kept as credit to refund).
type creditBasis struct {
	invoice       Invoice
	open, paid    Money
	prior, refund credited
	rounding      TaxRounding
}

// check refuses a credit note whose input is bad before the invoice is
// read: no customer or invoice, neither lines nor a net (or both), a net
// or tax that is not a positive exact amount, no reason.
func (n NewCreditNote) check() error {
	switch {
	case n.Customer.IsZero():
		return invalid("customer", "required", "")
	case n.Invoice.IsZero():
		return invalid("invoice", "required", "a credit note credits an invoice")
	case len(n.Lines) > 500:
		return invalid("lines", "range", "0-500 lines")
	case len(n.Lines) > 0 && !n.Net.Currency().IsZero():
		return invalid("net", "one_of", "a credit note is given as lines or as a net amount, not both")
	case len(n.Lines) == 0 && (n.Net.Currency().IsZero() || !n.Net.IsPositive()):
		return invalid("net", "positive", "the net amount credited, or the lines")
	case !n.Tax.Currency().IsZero() && n.Tax.IsNegative():
		return invalid("tax", "non_negative", "")
	case !n.Tax.Currency().IsZero() && len(n.Lines) == 0 && n.Tax.Currency() != n.Net.Currency():
		return &CurrencyMismatchError{Op: "credit note", Left: n.Net.Currency(), Right: n.Tax.Currency()}
	}
	for i, l := range n.Lines {
		if l.Quantity.Sign() <= 0 {
			return invalid(fmt.Sprintf("lines[%d].quantity", i), "positive", "")
		}
	}
	if len(n.Lines) == 0 {
		total := n.Net
		if !n.Tax.Currency().IsZero() {
			total, _ = n.Net.Add(n.Tax)
		}
		if _, err := minorWithin("amount", total); err != nil {
			return err
		}
	}
	_, err := cleanText("reason", n.Reason, maxNameLen, true)
	return err
}

// amounts derives the net and tax the credit note takes back from the
// invoice, within what earlier credit notes left.
func (n NewCreditNote) amounts(b creditBasis) (credited, error) {
	inv := b.invoice
	cur := inv.Currency
	var c credited
	if len(n.Lines) == 0 {
		if n.Net.Currency() != cur {
			return credited{}, &CurrencyMismatchError{Op: "credit note", Left: cur, Right: n.Net.Currency()}
		}
		c.net = n.Net
		c.tax = Zero(cur)
		if inv.Net.IsPositive() {
			c.tax = n.Net.Mul(inv.Tax.Amount().Div(inv.Net.Amount())).Round(RoundHalfEven)
		}
	} else {
		c.net = Zero(cur)
		bases := make([]taxBase, 0, len(n.Lines))
		for i, cl := range n.Lines {
			field := fmt.Sprintf("lines[%d]", i)
			if cl.Line < 1 || cl.Line > len(inv.Lines) {
				return credited{}, invalid(field+".line", "range", fmt.Sprintf("the invoice has lines 1-%d", len(inv.Lines)))
			}
			l := inv.Lines[cl.Line-1]
			if cl.Quantity.GreaterThan(l.Quantity) {
				return credited{}, invalid(field+".quantity", "within_line", fmt.Sprintf("the line charged %s", l.Quantity))
			}
			_, net := l.lineNet(cl.Quantity)
			c.net, _ = c.net.Add(net)
			bases = append(bases, taxBase{net: net, rate: l.TaxRate})
		}
		c.tax = b.rounding.taxOn(cur, bases)
	}
	netLeft, _ := inv.Net.Sub(b.prior.net)
	taxLeft, _ := inv.Tax.Sub(b.prior.tax)
	switch cmp, _ := c.net.Cmp(netLeft); {
	case !c.net.IsPositive():
		return credited{}, invalid("lines", "positive", "the lines credited come to nothing")
	case cmp > 0:
		return credited{}, &OverAllocationError{Item: inv.ID, Open: netLeft, Requested: c.net}
	case cmp == 0:
		c.tax = taxLeft // the last of the net takes the last of the tax
	default:
		if more, _ := c.tax.Cmp(taxLeft); more > 0 {
			c.tax = taxLeft
		}
	}
	if !n.Tax.Currency().IsZero() && !n.Tax.Equal(c.tax) {
		return credited{}, invalid("tax", "invoice_rates", fmt.Sprintf("at the invoice's rates the tax on %s is %s", c.net, c.tax))
	}
	c.total, _ = c.net.Add(c.tax)
	c.tax = zeroAsStored(c.tax)
	if n.Refund {
		refundable, _ := b.paid.Sub(b.refund.total)
		if refundable.IsNegative() { // a reversed payment left earlier refunds beyond what stays paid
			refundable = Zero(cur)
		}
		if more, _ := c.total.Cmp(refundable); more > 0 {
			return credited{}, &OverAllocationError{Item: inv.ID, Open: refundable, Requested: c.total}
		}
	}
	return c, nil
}

// build makes the credit note and the entry that posts it, from what
// IssueCreditNote read of the invoice.
func (n NewCreditNote) build(b creditBasis) func(id, entryID ID, today Date, now time.Time, actor ID) (Credit, Entry, error) {
	return func(id, entryID ID, today Date, now time.Time, actor ID) (Credit, Entry, error) {
		inv := b.invoice
		c := Credit{ID: id, Customer: n.Customer, Kind: CreditCreditNote, Invoice: inv.ID, Received: cmpOr(n.Issued, today),
			Entry: entryID, CreatedAt: now, Version: 1}
		if c.Received.IsValid() && c.Received.Before(inv.Issued) {
			return Credit{}, Entry{}, invalid("issued", "after_invoice", fmt.Sprintf("the invoice was issued on %s", inv.Issued))
		}
		amounts, err := n.amounts(b)
		if err != nil {
			return Credit{}, Entry{}, err
		}
		c.Amount, c.Net, c.Tax = amounts.total, amounts.net, amounts.tax
		if err := c.check(n.Reason); err != nil {
			return Credit{}, Entry{}, err
		}
		e := Entry{ID: entryID, Kind: EntryCreditNote, Customer: c.Customer, Document: id, Effective: c.Received,
			RecordedAt: now, RecordedBy: actor, Description: "credit note: " + c.Reference}
		if c.Net.IsPositive() {
			e.Postings = append(e.Postings, Posting{Account: AccountRevenue, Amount: c.Net})
		}
		if c.Tax.IsPositive() {
			e.Postings = append(e.Postings, Posting{Account: AccountTax, Amount: c.Tax})
		}
		if n.Refund {
			e.Postings = append(e.Postings, Posting{Account: AccountCredit, Customer: c.Customer, Amount: c.Amount.Neg(), Item: id})
		} else {
			e.Postings = append(e.Postings, Posting{Account: AccountReceivable, Customer: c.Customer, Amount: c.Amount.Neg(),
				Item: inv.ID, Due: inv.Due})
		}
		return c, e, nil
	}
}
