package storekit

import (
	"cmp"
	"slices"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/rows"
	"github.com/crmkit/crm/internal/wide"
)

// AggregateRevenue is the reference implementation of the revenue rows:
// the entries of one customer (or all, when zero) effective in [from, to]
// (zero bounds open), per customer and currency; sorted. A total that
// does not fit in 64 bits of minor units is a *crm.OverflowError.
func AggregateRevenue(entries []crm.Entry, customer crm.ID, from, to crm.Date) ([]crm.RevenueAmount, error) {
	type key struct {
		customer crm.ID
		currency crm.Currency
	}
	type sums struct{ invoiced, revenue wide.Int }
	acc := map[key]*sums{}
	for _, e := range entries {
		if (!customer.IsZero() && e.Customer != customer) || (!from.IsZero() && e.Effective.Before(from)) || (!to.IsZero() && e.Effective.After(to)) {
			continue
		}
		for _, p := range e.Postings {
			k := key{e.Customer, p.Amount.Currency()}
			switch {
			case p.Account == crm.AccountReceivable && (e.Kind == crm.EntryInvoice || e.ReversedKind == crm.EntryInvoice):
				rows.Get(acc, k, func() *sums { return new(sums) }).invoiced.Add(minorOf(p.Amount))
			case p.Account == crm.AccountRevenue:
				rows.Get(acc, k, func() *sums { return new(sums) }).revenue.Add(minorOf(p.Amount))
			}
		}
	}
	out := make([]crm.RevenueAmount, 0, len(acc))
	for k, s := range acc {
		r := crm.RevenueAmount{Customer: k.customer, Currency: k.currency}
		var err error
		if r.InvoicedMinor, err = fit(s.invoiced, crm.OverflowError{Field: "invoiced", Customer: k.customer, Currency: k.currency}); err != nil {
			return nil, err
		}
		// Revenue is a credit: net revenue is its sum negated.
		if r.NetRevenueMinor, err = fit(s.revenue.Neg(), crm.OverflowError{Field: "net_revenue", Customer: k.customer, Currency: k.currency}); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b crm.RevenueAmount) int {
		return cmp.Or(a.Customer.Compare(b.Customer), cmp.Compare(a.Currency, b.Currency))
	})
	return out, nil
}
