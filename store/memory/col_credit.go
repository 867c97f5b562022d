package memory

import (
	"cmp"
	"slices"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/wide"
	"github.com/shopspring/decimal"
)

// credit returns the unapplied credit of the customer (of every customer
// for the zero ID) as of asOf, as storekit.AggregateCredit would over the
// open items then: from the credit items' rows alone (the committed ones
// the transaction did not change, and its own), never the receivable
// ones.
func (o *openOverlay) credit(customer crm.ID, asOf crm.Date) ([]crm.CreditAmount, error) {
	type key struct {
		customer crm.ID
		currency crm.Currency
	}
	sums := map[key]*wide.Int{}
	add := func(k itemKey, r *itemRow) {
		if open, _ := r.openAsOf(asOf); !open.IsZero() {
			s := sums[key{k.customer, k.currency}]
			if s == nil {
				s = new(wide.Int)
				sums[key{k.customer, k.currency}] = s
			}
			s.AddInt(open)
		}
	}
	rows := o.base.credits
	if !customer.IsZero() {
		rows = o.base.keysOf[customer]
	}
	for _, kr := range rows {
		if _, mine := o.rows[kr.k]; !mine && kr.k.account == crm.AccountCredit {
			add(kr.k, kr.r)
		}
	}
	for k, r := range o.rows {
		if k.account == crm.AccountCredit && (customer.IsZero() || k.customer == customer) {
			add(k, r)
		}
	}
	out := make([]crm.CreditAmount, 0, len(sums))
	for k, s := range sums {
		minor, ok := s.Int64()
		if !ok {
			return nil, &crm.OverflowError{Field: "credit", Customer: k.customer, Account: crm.AccountCredit, Currency: k.currency, AsOf: asOf,
				Minor: decimal.NewFromBigInt(s.Big(), 0)}
		}
		out = append(out, crm.CreditAmount{Customer: k.customer, Currency: k.currency, Minor: minor})
	}
	slices.SortFunc(out, func(a, b crm.CreditAmount) int {
		return cmp.Or(a.Customer.Compare(b.Customer), cmp.Compare(a.Currency, b.Currency))
	})
	return out, nil
}
