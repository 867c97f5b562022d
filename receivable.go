package crm

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/shopspring/decimal"
)

// InvoiceLine is a line of an invoice: a quantity at a unit price, less
// a discount, and the tax rate that applies (0.19 for 19%; zero for none).
//
// Discount is the share of the line's amount taken off, from 0 to 1 (0.1
// for 10%; zero for none): a rate rather than an amount, so that a credit
// note for part of the quantity takes back the same share. The line's net
// is quantity times unit price times (1 - Discount), rounded half-even to
// the minor unit; that net is the revenue posted and what tax is charged
// on. The discount shown is the undiscounted amount, rounded the same
// way, less the net.
type InvoiceLine struct {
	Description string          `json:"description" privacy:"personal"`
	Quantity    decimal.Decimal `json:"quantity"`
	UnitPrice   Money           `json:"unit_price"`
	TaxRate     decimal.Decimal `json:"tax_rate"`
	Discount    decimal.Decimal `json:"discount,omitzero"`
}

// Invoice is what a customer is asked to pay, by its due date. Whether it
// is paid, partly paid or overdue is derived from the ledger, never
// stored.
type Invoice struct {
	ID          ID            `json:"id,omitzero"`
	Customer    ID            `json:"customer,omitzero"`
	Number      string        `json:"number,omitempty" privacy:"none"`
	Currency    Currency      `json:"currency,omitzero"`
	Lines       []InvoiceLine `json:"lines,omitempty" privacy:"nested"`
	Net         Money         `json:"net"`      // the lines' nets, after their discounts, each rounded half-even to the minor unit
	Discount    Money         `json:"discount"` // what the lines' discounts took off, in total
	Tax         Money         `json:"tax"`      // the tax on the nets, rounded by the CRM's TaxRounding (per line by default)
	Total       Money         `json:"total"`    // Net plus Tax
	Issued      Date          `json:"issued,omitzero"`
	Due         Date          `json:"due,omitzero"`
	Contract    ID            `json:"contract,omitzero"` // the contract it bills, if any
	Installment int           `json:"installment"`       // the contract's installment it bills, from 1; 0 for none
	Entry       ID            `json:"entry,omitzero"`    // the ledger entry that posted it
	CreatedAt   time.Time     `json:"created_at,omitzero"`
	Version     int64         `json:"version"`
}

// Clone returns a deep copy.
func (i Invoice) Clone() Invoice {
	i.Lines = slices.Clone(i.Lines)
	return i
}

// NewInvoice is the input for issuing an invoice. Issued defaults to
// today; Due to Issued plus 30 days.
type NewInvoice struct {
	Customer    ID            `json:"customer,omitzero"`
	Number      string        `json:"number,omitempty"`
	Currency    Currency      `json:"currency,omitzero"`
	Lines       []InvoiceLine `json:"lines,omitempty"`
	Issued      Date          `json:"issued,omitzero"`
	Due         Date          `json:"due,omitzero"`
	Contract    ID            `json:"contract,omitzero"`
	Installment int           `json:"installment"`

	IdempotencyKey string `json:"idempotency_key,omitempty"` // a retry with the same key returns the first invoice
}

// build returns what checks the input, computes the totals, with the
// tax rounded as rounding says, and makes the invoice with the entry that
// posts it: the total debited to the customer's receivable (the invoice
// as the open item), the net credited to revenue, the tax to tax.
func (n NewInvoice) build(rounding TaxRounding) func(id, entryID ID, today Date, now time.Time, actor ID) (Invoice, Entry, error) {
	return func(id, entryID ID, today Date, now time.Time, actor ID) (Invoice, Entry, error) {
		return n.invoice(id, entryID, today, now, actor, rounding)
	}
}

func (n NewInvoice) invoice(id, entryID ID, today Date, now time.Time, actor ID, rounding TaxRounding) (Invoice, Entry, error) {
	var err error
	inv := Invoice{ID: id, Customer: n.Customer, Currency: n.Currency, Issued: cmpOr(n.Issued, today), Due: n.Due,
		Contract: n.Contract, Installment: n.Installment, Entry: entryID, CreatedAt: now, Version: 1}
	inv.Due = cmpOr(inv.Due, inv.Issued.AddDays(30))
	switch {
	case n.Customer.IsZero():
		return Invoice{}, Entry{}, invalid("customer", "required", "")
	case n.Currency.IsZero():
		return Invoice{}, Entry{}, invalid("currency", "required", "")
	case len(n.Lines) == 0 || len(n.Lines) > 500:
		return Invoice{}, Entry{}, invalid("lines", "range", "1-500 lines")
	case !inv.Issued.IsValid() || !inv.Due.IsValid():
		return Invoice{}, Entry{}, invalid("due", "calendar", "")
	case inv.Due.Before(inv.Issued):
		return Invoice{}, Entry{}, invalid("due", "after_issue", "an invoice is due after it is issued")
	case n.Installment < 0:
		return Invoice{}, Entry{}, invalid("installment", "non_negative", "")
	}
	if inv.Number, err = cleanText("number", n.Number, maxShortTextLen, false); err != nil {
		return Invoice{}, Entry{}, err
	}
	inv.Net, inv.Discount = Zero(n.Currency), Zero(n.Currency)
	bases := make([]taxBase, 0, len(n.Lines))
	n.Lines = slices.Clone(n.Lines) // the caller's lines stay as they were
	for i, l := range n.Lines {
		field := fmt.Sprintf("lines[%d]", i)
		if l.Description, err = cleanText(field+".description", l.Description, maxNameLen, true); err != nil {
			return Invoice{}, Entry{}, err
		}
		switch {
		case l.UnitPrice.Currency() != n.Currency:
			return Invoice{}, Entry{}, &CurrencyMismatchError{Op: "invoice line", Left: n.Currency, Right: l.UnitPrice.Currency()}
		case l.Quantity.Sign() <= 0:
			return Invoice{}, Entry{}, invalid(field+".quantity", "positive", "")
		case l.UnitPrice.IsNegative():
			return Invoice{}, Entry{}, invalid(field+".unit_price", "non_negative", "")
		case l.TaxRate.Sign() < 0 || l.TaxRate.GreaterThan(decimal.NewFromInt(1)):
			return Invoice{}, Entry{}, invalid(field+".tax_rate", "range", "0-1")
		case l.Discount.Sign() < 0 || l.Discount.GreaterThan(decimal.NewFromInt(1)):
			return Invoice{}, Entry{}, invalid(field+".discount", "range", "0-1, the share of the line's amount taken off")
		}
		if _, err := minorWithin(field+".unit_price", l.UnitPrice); err != nil {
			return Invoice{}, Entry{}, err
		}
		gross, net := l.lineNet(l.Quantity)
		if _, err := minorWithin(field, gross); err != nil {
			return Invoice{}, Entry{}, err
		}
		tax := net.Mul(l.TaxRate).Round(RoundHalfEven)
		withTax, _ := net.Add(tax) // a line too large for the ledger is named before the total is
		if _, err := minorWithin(field, withTax); err != nil {
			return Invoice{}, Entry{}, err
		}
		discount, _ := gross.Sub(net)
		inv.Net, _ = inv.Net.Add(net)
		inv.Discount, _ = inv.Discount.Add(discount)
		bases = append(bases, taxBase{net: net, rate: l.TaxRate})
		n.Lines[i] = l
	}
	inv.Lines = n.Lines
	inv.Tax, inv.Discount = zeroAsStored(rounding.taxOn(n.Currency, bases)), zeroAsStored(inv.Discount)
	inv.Total, _ = inv.Net.Add(inv.Tax)
	if !inv.Total.IsPositive() {
		return Invoice{}, Entry{}, invalid("lines", "positive_total", "an invoice asks for something")
	}
	if _, err := minorWithin("total", inv.Total); err != nil {
		return Invoice{}, Entry{}, err // the net and the tax, not negative, are no more than the total
	}
	if _, err := minorWithin("discount", inv.Discount); err != nil {
		return Invoice{}, Entry{}, err // lines discounted to next to nothing may add up to more than the total
	}
	e := Entry{ID: entryID, Kind: EntryInvoice, Customer: n.Customer, Document: id, Effective: inv.Issued,
		RecordedAt: now, RecordedBy: actor, Description: "invoice " + cmpOr(inv.Number, id.String()),
		Postings: []Posting{
			{Account: AccountReceivable, Customer: n.Customer, Amount: inv.Total, Item: id, Due: inv.Due},
			{Account: AccountRevenue, Amount: inv.Net.Neg()},
		}}
	if !inv.Tax.IsZero() {
		e.Postings = append(e.Postings, Posting{Account: AccountTax, Amount: inv.Tax.Neg()})
	}
	if inv.Net.IsZero() {
		e.Postings = slices.Delete(e.Postings, 1, 2)
	}
	return inv, e, nil
}

// InvoiceStatus is an invoice's state on a day, derived from the ledger
// (what is open on it and what closed the rest), never stored.
//
//	status               when
//	open                 something is open, nothing was paid, not yet overdue
//	partly_paid          something was paid, the rest is open, not yet overdue
//	overdue              as open, past the due date
//	partly_paid_overdue  as partly_paid, past the due date
//	paid                 nothing is open, and all of it was paid
//	credited             nothing is open, credit notes closed some or all of it, nothing was written off
//	written_off          nothing is open, and some or all of it was written off
//	cancelled            its entry was reversed
//
// Credit notes and write-offs take an amount off what is asked of the
// customer, so an invoice partly credited or written off with the rest
// open is open (or overdue), not partly paid: partly paid means money
// came in. An invoice closed in more than one way takes the least
// favourable: written off over credited over paid, because a status must
// never show as collected money that was not (the breakdown in
// InvoiceSettlement says how much of each). Odoo's payment states make the
// same split between paid and reversed (closed by a credit note).
type InvoiceStatus string

// The invoice states.
const (
	InvoiceOpen        InvoiceStatus = "open"
	InvoicePartlyPaid  InvoiceStatus = "partly_paid"
	InvoicePaid        InvoiceStatus = "paid"
	InvoiceOverdue     InvoiceStatus = "overdue"
	InvoicePartOverdue InvoiceStatus = "partly_paid_overdue"
	InvoiceCredited    InvoiceStatus = "credited"    // closed, wholly or in part, by credit notes
	InvoiceWrittenOff  InvoiceStatus = "written_off" // closed, wholly or in part, by a write-off
	InvoiceCancelled   InvoiceStatus = "cancelled"   // its entry was reversed
)

// InvoiceSettlement is how an invoice's total stands on a day: what is
// open, and what closed the rest, by kind. Open, Paid, Credited,
// WrittenOff and Cancelled add up to the invoice's total. Paid counts
// allocations of payments (an exchange difference settled with one
// included); Credited credit notes, allocated or posted to the invoice;
// WrittenOff write-offs; Cancelled the reversal of the invoice's own
// entry. A reversed allocation or write-off gives its amount back.
type InvoiceSettlement struct {
	Open       Money `json:"open"`
	Paid       Money `json:"paid"`
	Credited   Money `json:"credited"`
	WrittenOff Money `json:"written_off"`
	Cancelled  Money `json:"cancelled"`
}

// StatusOn derives the invoice's state on a day from how its total stood
// then (see InvoiceStatus for the table and which state wins).
func (i Invoice) StatusOn(s InvoiceSettlement, today Date) InvoiceStatus {
	overdue := i.Due.Before(today)
	switch {
	case s.Cancelled.IsPositive():
		return InvoiceCancelled
	case !s.Open.IsPositive() && s.WrittenOff.IsPositive():
		return InvoiceWrittenOff
	case !s.Open.IsPositive() && s.Credited.IsPositive():
		return InvoiceCredited
	case !s.Open.IsPositive():
		return InvoicePaid
	case overdue && s.Paid.IsPositive():
		return InvoicePartOverdue
	case overdue:
		return InvoiceOverdue
	case s.Paid.IsPositive():
		return InvoicePartlyPaid
	}
	return InvoiceOpen
}

// CreditKind says where a customer's credit comes from.
type CreditKind string

// The kinds of credit.
const (
	CreditPayment    CreditKind = "payment"     // money received
	CreditCreditNote CreditKind = "credit_note" // revenue given back
)

// Credit is money a customer has to their name: a payment received or a
// credit note. A payment is applied to invoices by allocations; what is
// not applied stays the customer's unapplied credit, usable on later
// invoices. A credit note names the invoice it credits: it is applied to
// that invoice when it is issued, or, issued to be refunded, it is
// unapplied credit like a payment (see NewCreditNote).
type Credit struct {
	ID        ID         `json:"id,omitzero"`
	Customer  ID         `json:"customer,omitzero"`
	Kind      CreditKind `json:"kind,omitempty"`
	Amount    Money      `json:"amount"`
	Net       Money      `json:"net"`
	Tax       Money      `json:"tax"`                             // for a credit note: the revenue and tax it gives back
	Invoice   ID         `json:"invoice,omitzero"`                // for a credit note: the invoice it credits
	Number    string     `json:"number,omitempty" privacy:"none"` // for a credit note: its number in the series (Numbering)
	Received  Date       `json:"received,omitzero"`
	Reference string     `json:"reference,omitempty" privacy:"personal"` // the bank reference, or the credit note's reason
	Entry     ID         `json:"entry,omitzero"`
	CreatedAt time.Time  `json:"created_at,omitzero"`
	Version   int64      `json:"version"`
}

// NewPayment is a payment received. Received defaults to today;
// Allocation says whether it is applied at once (the zero value keeps it
// as credit).
type NewPayment struct {
	Customer   ID                 `json:"customer,omitzero"`
	Amount     Money              `json:"amount"`
	Received   Date               `json:"received,omitzero"`
	Reference  string             `json:"reference,omitempty"`
	Allocation AllocationStrategy `json:"allocation,omitempty"`

	IdempotencyKey string `json:"idempotency_key,omitempty"` // a retry with the same key returns the first receipt
}

func (n NewPayment) build(id, entryID ID, today Date, now time.Time, actor ID) (Credit, Entry, error) {
	c := Credit{ID: id, Customer: n.Customer, Kind: CreditPayment, Amount: n.Amount, Received: cmpOr(n.Received, today),
		Entry: entryID, CreatedAt: now, Version: 1}
	if err := c.check(n.Reference); err != nil {
		return Credit{}, Entry{}, err
	}
	e := Entry{ID: entryID, Kind: EntryPayment, Customer: c.Customer, Document: id, Effective: c.Received,
		RecordedAt: now, RecordedBy: actor, Description: "payment " + c.Reference, Postings: []Posting{
			{Account: AccountCash, Amount: c.Amount},
			{Account: AccountCredit, Customer: c.Customer, Amount: c.Amount.Neg(), Item: id},
		}}
	return c, e, nil
}

func (c *Credit) check(reference string) error {
	var err error
	switch {
	case c.Customer.IsZero():
		return invalid("customer", "required", "")
	case c.Amount.Currency().IsZero() || !c.Amount.IsPositive():
		return invalid("amount", "positive", "")
	case !c.Received.IsValid():
		return invalid("received", "calendar", "")
	}
	if _, err := minorWithin("amount", c.Amount); err != nil {
		return err
	}
	c.Reference, err = cleanText("reference", reference, maxNameLen, false)
	return err
}

// OpenItem is what is open on an invoice (Account receivable, a positive
// amount owed) or on a credit (Account customer_credit, a negative amount:
// credit not yet applied), as of a date.
type OpenItem struct {
	Customer ID          `json:"customer,omitzero"`
	Account  AccountType `json:"account,omitempty"`
	Item     ID          `json:"item,omitzero"`
	Due      Date        `json:"due,omitzero"` // for invoices
	Open     Money       `json:"open"`
}

// Compare orders open items as the store lists them: by customer,
// account, due date, item and currency. It returns -1, 0 or +1.
func (a OpenItem) Compare(b OpenItem) int {
	return cmp.Or(a.Customer.Compare(b.Customer), cmp.Compare(a.Account, b.Account), a.Due.Compare(b.Due), a.Item.Compare(b.Item),
		cmp.Compare(a.Open.Currency(), b.Open.Currency()))
}
