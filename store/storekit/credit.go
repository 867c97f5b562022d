package storekit

import (
	"cmp"
	"slices"

	"github.com/crmkit/crm"
)

// AggregateCredit is the reference implementation of the unapplied credit
// (crm.LedgerReader.UnappliedCredit) over the open items as of a date:
// what is open on the items on the customer credit account added up per
// customer and currency, sorted by customer and currency; a customer with
// no credit item open has no row. A total that does not fit in 64 bits of
// minor units is a *crm.OverflowError.
func AggregateCredit(items []crm.OpenItem, asOf crm.Date) ([]crm.CreditAmount, error) {
	type key struct {
		customer crm.ID
		currency crm.Currency
	}
	sums := map[key]crm.Money{}
	for _, it := range items {
		if it.Account != crm.AccountCredit || it.Open.IsZero() {
			continue
		}
		k := key{it.Customer, it.Open.Currency()}
		s, ok := sums[k]
		if !ok {
			s = crm.Zero(k.currency)
		}
		sums[k], _ = s.Add(it.Open) // one currency
	}
	out := make([]crm.CreditAmount, 0, len(sums))
	for k, s := range sums {
		minor, err := s.Minor()
		if err != nil {
			return nil, &crm.OverflowError{Field: "credit", Customer: k.customer, Account: crm.AccountCredit, Currency: k.currency, AsOf: asOf,
				Minor: s.Amount().Div(crm.MoneyFromMinor(1, k.currency).Amount())}
		}
		out = append(out, crm.CreditAmount{Customer: k.customer, Currency: k.currency, Minor: minor})
	}
	slices.SortFunc(out, func(a, b crm.CreditAmount) int {
		return cmp.Or(a.Customer.Compare(b.Customer), cmp.Compare(a.Currency, b.Currency))
	})
	return out, nil
}
