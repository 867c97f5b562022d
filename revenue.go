package crm

import (
	"cmp"

	"github.com/shopspring/decimal"
)

// RevenueAmount is what a customer was invoiced in a currency over a
// period (the receivable debits of invoices) and the net revenue booked
// for them (revenue credited by invoices less revenue given back by credit
// notes).
type RevenueAmount struct {
	Customer        ID
	Currency        Currency
	InvoicedMinor   int64
	NetRevenueMinor int64
}

// AggregateRevenue is the reference implementation of the revenue rows:
// the entries of one customer (or all, when zero) effective in [from, to]
// (zero bounds open), per customer and currency; sorted.
func AggregateRevenue(entries []Entry, customer ID, from, to Date) []RevenueAmount {
	type key struct {
		customer ID
		currency Currency
	}
	acc := map[key]*RevenueAmount{}
	for _, e := range entries {
		if (!customer.IsZero() && e.Customer != customer) || (!from.IsZero() && e.Effective.Before(from)) || (!to.IsZero() && e.Effective.After(to)) {
			continue
		}
		for _, p := range e.Postings {
			k := key{e.Customer, p.Amount.Currency()}
			var invoiced, revenue int64
			switch {
			case p.Account == AccountReceivable && (e.Kind == EntryInvoice || e.ReversedKind == EntryInvoice):
				invoiced = minorOf(p.Amount)
			case p.Account == AccountRevenue:
				revenue = -minorOf(p.Amount)
			default:
				continue
			}
			r := row(acc, k, func() *RevenueAmount { return &RevenueAmount{Customer: k.customer, Currency: k.currency} })
			r.InvoicedMinor += invoiced
			r.NetRevenueMinor += revenue
		}
	}
	out := sortedRows(acc, func(a, b RevenueAmount) int {
		return cmp.Or(a.Customer.Compare(b.Customer), cmp.Compare(a.Currency.Code(), b.Currency.Code()))
	})
	return out
}

// daysOutstanding is what customers owe at the end of a period, divided
// by what they were invoiced over it, times its days, to two decimals.
// False when nothing was invoiced.
func daysOutstanding(owed, invoiced Money, days int) (decimal.Decimal, bool) {
	if !invoiced.IsPositive() || owed.Currency() != invoiced.Currency() {
		return decimal.Zero, false
	}
	return owed.Amount().Mul(decimal.NewFromInt(int64(days))).DivRound(invoiced.Amount(), 2), true
}
