// Package storekit is for the authors of crmkit store adapters: the
// reference implementations of the aggregations the crm.Store port asks
// for, written plainly in Go over the records themselves.
//
// Every sum is exact, never wrapped around in 64 bits: added up in 128
// bits, a sum handed over as crm.Money (an open item, a balance) comes
// back exact whatever its size, and one handed over as 64 bits of minor
// units or microseconds (aging, revenue, the sales rows) comes back when
// it fits, or the aggregation returns a *crm.OverflowError instead.
//
// An adapter that keeps its records in memory, or in a store that cannot
// add up for itself, answers the port's analytics with these; an adapter
// that aggregates in its database (store/sqlstore does, in SQL) is held to
// the same answers by the conformance suite in store/storetest, which
// computes what it expects with them. Applications that embed crmkit do
// not need this package: they ask the crm.CRM's services.
package storekit

import (
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/wide"
	"github.com/shopspring/decimal"
)

// inRange reports whether t is in [from, to), either end open when zero.
func inRange(from, to, t time.Time) bool {
	return (from.IsZero() || !t.Before(from)) && (to.IsZero() || t.Before(to))
}

// minorOf is m in minor units; the amounts the port hands over fit.
func minorOf(m crm.Money) int64 {
	v, _ := m.Minor()
	return v
}

// moneyOf is the exact total x of minor units of currency.
func moneyOf(x wide.Int, currency crm.Currency) crm.Money {
	if v, ok := x.Int64(); ok {
		return crm.MoneyFromMinor(v, currency)
	}
	return crm.MoneyFromBigMinor(x.Big(), currency)
}

// fit returns the total x when it fits in 64 bits, and otherwise the
// *crm.OverflowError that overflow describes, with x as its Minor.
func fit(x wide.Int, overflow crm.OverflowError) (int64, error) {
	if v, ok := x.Int64(); ok {
		return v, nil
	}
	overflow.Minor = decimal.NewFromBigInt(x.Big(), 0)
	return 0, &overflow
}

// feed adds every row to an aggregator and returns it, for the Aggregate
// functions that take the rows at once.
func feed[A interface{ Add(*R) }, R any](a A, rows []R) A {
	for i := range rows {
		a.Add(&rows[i])
	}
	return a
}
