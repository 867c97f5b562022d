package storekit

import (
	"cmp"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/rows"
)

// AggregateRevenue is the reference implementation of the revenue rows:
// the entries of one customer (or all, when zero) effective in [from, to]
// (zero bounds open), per customer and currency; sorted.
func AggregateRevenue(entries []crm.Entry, customer crm.ID, from, to crm.Date) []crm.RevenueAmount {
	type key struct {
		customer crm.ID
		currency crm.Currency
	}
	acc := map[key]*crm.RevenueAmount{}
	for _, e := range entries {
		if (!customer.IsZero() && e.Customer != customer) || (!from.IsZero() && e.Effective.Before(from)) || (!to.IsZero() && e.Effective.After(to)) {
			continue
		}
		for _, p := range e.Postings {
			k := key{e.Customer, p.Amount.Currency()}
			var invoiced, revenue int64
			switch {
			case p.Account == crm.AccountReceivable && (e.Kind == crm.EntryInvoice || e.ReversedKind == crm.EntryInvoice):
				invoiced = minorOf(p.Amount)
			case p.Account == crm.AccountRevenue:
				revenue = -minorOf(p.Amount)
			default:
				continue
			}
			r := rows.Get(acc, k, func() *crm.RevenueAmount { return &crm.RevenueAmount{Customer: k.customer, Currency: k.currency} })
			r.InvoicedMinor += invoiced
			r.NetRevenueMinor += revenue
		}
	}
	out := rows.Sorted(acc, func(a, b crm.RevenueAmount) int {
		return cmp.Or(a.Customer.Compare(b.Customer), cmp.Compare(a.Currency, b.Currency))
	})
	return out
}
