package crm

import (
	"fmt"

	"github.com/shopspring/decimal"
)

// AllocationRequest applies a customer's credit (a payment or a credit
// note) to one of their invoices. Amount is in the credit's currency; zero
// applies as much as both allow. When the invoice is in another currency,
// Amount and Rate (invoice currency per credit currency unit) are
// required, and the credit settles Amount times Rate, rounded half-even,
// of the invoice.
//
// Settle closes the invoice with what the credit is worth: the difference
// between what is open on it and what the credit settles is booked as
// realized exchange loss (AccountFXLoss, when the credit is worth less) or
// gain (AccountFXGain, when it is worth more), only within the CRM's
// FXTolerance (WithFXTolerance); beyond it the allocation is refused with
// an *FXToleranceError. Without Settle, a credit worth more than is open
// is an *OverAllocationError, and one worth less leaves the rest open.
type AllocationRequest struct {
	Customer  ID              `json:"customer,omitzero"`
	Credit    ID              `json:"credit,omitzero"`
	Invoice   ID              `json:"invoice,omitzero"`
	Amount    Money           `json:"amount"`
	Rate      decimal.Decimal `json:"rate,omitzero"`
	Settle    bool            `json:"settle,omitempty"`
	Effective Date            `json:"effective,omitzero"` // defaults to today; never before the invoice or the credit

	IdempotencyKey string `json:"idempotency_key,omitempty"`
}

// OverAllocationError says an allocation, write-off or refund asks for
// more than is open on an item. It matches ErrOverAllocation and
// ErrInvalid with errors.Is.
type OverAllocationError struct {
	Item      ID    `json:"item,omitzero"`
	Open      Money `json:"open"`
	Requested Money `json:"requested"`
}

// Error implements error.
func (e *OverAllocationError) Error() string {
	return fmt.Sprintf("crm: %s asked of item %s, which has %s open", e.Requested, e.Item, e.Open)
}

// Is matches ErrOverAllocation and ErrInvalid.
func (e *OverAllocationError) Is(target error) bool {
	return target == ErrOverAllocation || target == ErrInvalid
}

// allocationPostings checks an allocation against what is open on the
// credit and the invoice, and the exchange difference it settles against
// the tolerance, and returns its postings: balanced in each currency, the
// credit's through fx_clearing, the invoice's through fx_clearing and the
// exchange result.
func allocationPostings(r AllocationRequest, credit, invoice OpenItem, tolerance FXTolerance) ([]Posting, error) {
	switch {
	case credit.Account != AccountCredit || credit.Customer != r.Customer:
		return nil, invalid("credit", "customer_credit", "not an open credit of the customer")
	case invoice.Account != AccountReceivable || invoice.Customer != r.Customer:
		return nil, invalid("invoice", "customer_invoice", "not an open invoice of the customer: allocations stay within one customer")
	}
	available := credit.Open.Neg() // credits are credit balances
	amount := r.Amount
	if amount.Currency().IsZero() && amount.IsZero() {
		if available.Currency() != invoice.Open.Currency() {
			return nil, invalid("amount", "required", "an allocation across currencies names its amount")
		}
		amount = available
		if c, _ := invoice.Open.Cmp(available); c < 0 {
			amount = invoice.Open
		}
	}
	if amount.Currency() != available.Currency() {
		return nil, &CurrencyMismatchError{Op: "allocation amount", Left: available.Currency(), Right: amount.Currency()}
	}
	if !amount.IsPositive() {
		return nil, invalid("amount", "positive", "")
	}
	if c, _ := amount.Cmp(available); c > 0 {
		return nil, &OverAllocationError{Item: credit.Item, Open: available, Requested: amount}
	}
	cross := amount.Currency() != invoice.Open.Currency()
	switch {
	case cross && r.Rate.Sign() <= 0:
		return nil, &CurrencyMismatchError{Op: "allocation across currencies without a rate", Left: amount.Currency(), Right: invoice.Open.Currency()}
	case !cross && !r.Rate.IsZero():
		return nil, invalid("rate", "same_currency", "a rate is for allocations across currencies")
	case !cross && r.Settle:
		return nil, invalid("settle", "same_currency", "settling a difference is for allocations across currencies")
	}
	settled := amount
	if cross {
		settled = Money{amount: amount.Amount().Mul(r.Rate), currency: invoice.Open.Currency()}.Round(RoundHalfEven)
		if !settled.IsPositive() {
			return nil, invalid("amount", "positive", "too small to settle anything at this rate")
		}
	}
	closed := settled // what comes off the invoice
	var result []Posting
	if r.Settle {
		closed = invoice.Open
		diff, _ := invoice.Open.Sub(settled)
		if limit := tolerance.limit(invoice.Open); diff.Abs().amount.GreaterThan(limit.amount) {
			return nil, &FXToleranceError{Invoice: invoice.Item, Open: invoice.Open, Settled: settled, Difference: diff, Tolerance: limit}
		}
		switch {
		case diff.IsPositive():
			result = []Posting{{Account: AccountFXLoss, Amount: diff}}
		case diff.IsNegative():
			result = []Posting{{Account: AccountFXGain, Amount: diff}}
		}
	} else if c, _ := settled.Cmp(invoice.Open); c > 0 {
		return nil, &OverAllocationError{Item: invoice.Item, Open: invoice.Open, Requested: settled}
	}
	ps := []Posting{{Account: AccountCredit, Customer: r.Customer, Amount: amount, Item: credit.Item}}
	if cross {
		ps = append(ps, Posting{Account: AccountFXClearing, Amount: amount.Neg()}, Posting{Account: AccountFXClearing, Amount: settled})
	}
	ps = append(ps, result...)
	return append(ps, Posting{Account: AccountReceivable, Customer: r.Customer, Amount: closed.Neg(), Item: invoice.Item, Due: invoice.Due}), nil
}

// OldestFirst plans allocations of a customer's open credits to their open
// invoices in the same currency: the oldest due invoice first, the oldest
// credit first (by ID, that is by when it was recorded). It returns one
// request per pair it applies, with the amount. It passes over each
// currency's invoices once, however many credits: an invoice settled by
// one credit is not looked at again by the next.
func OldestFirst(customer ID, items []OpenItem) []AllocationRequest {
	var credits, invoices []OpenItem
	for _, it := range items {
		if it.Customer != customer {
			continue
		}
		switch {
		case it.Account == AccountCredit && it.Open.IsNegative():
			credits = append(credits, it)
		case it.Account == AccountReceivable && it.Open.IsPositive():
			invoices = append(invoices, it)
		}
	}
	sortItems(credits, func(a, b OpenItem) int { return a.Item.Compare(b.Item) })
	sortItems(invoices, OpenItem.Compare)
	queues := map[Currency][]OpenItem{} // each currency's invoices, oldest due first
	for _, inv := range invoices {
		queues[inv.Open.Currency()] = append(queues[inv.Open.Currency()], inv)
	}
	next := map[Currency]int{} // the first invoice of the currency not yet settled
	var out []AllocationRequest
	for _, credit := range credits {
		left := credit.Open.Neg()
		cur := left.Currency()
		queue := queues[cur]
		for ii := next[cur]; ii < len(queue) && left.IsPositive(); ii++ {
			inv := &queue[ii]
			amount := left
			if c, _ := inv.Open.Cmp(left); c < 0 {
				amount = inv.Open
			}
			out = append(out, AllocationRequest{Customer: customer, Credit: credit.Item, Invoice: inv.Item, Amount: amount})
			left, _ = left.Sub(amount)
			if inv.Open, _ = inv.Open.Sub(amount); !inv.Open.IsPositive() {
				next[cur] = ii + 1
			}
		}
	}
	return out
}
