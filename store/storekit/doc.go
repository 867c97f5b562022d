// Package storekit is for the authors of crmkit store adapters: the
// reference implementations of the aggregations the crm.Store port asks
// for, written plainly in Go over the records themselves.
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

// feed adds every row to an aggregator and returns it, for the Aggregate
// functions that take the rows at once.
func feed[A interface{ Add(*R) }, R any](a A, rows []R) A {
	for i := range rows {
		a.Add(&rows[i])
	}
	return a
}
