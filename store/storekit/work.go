package storekit

import (
	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/wide"
)

// AggregateWork is the reference implementation of a work report's
// counts: activities (cancelled ones left out), the customers they
// touched, and the deals closed in the range by the owner or team (of
// every pipeline; the amounts of the outcomes are left at zero, as
// pipelines may differ in currency); and its lists, as WorkLists makes
// them. A sum of sales cycles that does not fit in 64 bits of
// microseconds is a *crm.OverflowError.
func AggregateWork(activities []crm.Activity, customers []crm.Customer, deals []crm.Deal, q crm.WorkQuery) (crm.WorkCounts, error) {
	var w crm.WorkCounts
	keyAccount := map[crm.ID]bool{}
	for _, c := range customers {
		keyAccount[c.ID] = c.KeyAccount
	}
	types := map[crm.ActivityType]int64{}
	touched := map[crm.ID]bool{}
	rule := q.Visits()
	for _, a := range activities {
		if !q.Covers(a.Owner, a.Team) || a.State() == crm.ActivityCancelled {
			continue
		}
		if a.Overdue(q.Today) {
			w.Overdue++
		}
		if !inRange(q.From, q.To, a.At) {
			continue
		}
		types[a.Type]++
		if a.Invalid(rule) {
			w.InvalidVisits++
		}
		if keyAccount[a.Customer] {
			touched[a.Customer] = true
		}
	}
	for _, t := range crm.ActivityTypes() {
		if n := types[t]; n > 0 {
			w.ByType = append(w.ByType, crm.TypeCount{Type: t, Activities: n})
		}
	}
	w.KeyAccountsTouched = int64(len(touched))
	acc := map[crm.OutcomeCount]*summed[crm.OutcomeCount]{}
	for _, d := range deals {
		cycle, ok := closedIn(&d, q.From, q.To)
		if !ok || !q.Covers(d.Owner, d.Team) {
			continue
		}
		k := crm.OutcomeCount{Status: d.Status, LostReason: d.LostReason}
		row(acc, k, func() crm.OutcomeCount { return k }, 0, cycle).Deals++
	}
	var err error
	w.Outcomes, err = finish(acc, func(r *crm.OutcomeCount, s [2]wide.Int) error {
		return setFit(&r.CycleMicros, "cycle_micros", s[1])
	}, compareOutcomes)
	if err != nil {
		return crm.WorkCounts{}, err
	}
	WorkLists(&w, activities, customers, deals, q)
	return w, nil
}
