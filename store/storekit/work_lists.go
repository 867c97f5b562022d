package storekit

import (
	"cmp"
	"slices"
	"time"

	"github.com/crmkit/crm"
)

// WorkLists is the reference implementation of a work report's lists,
// which it sets in w: the active key accounts (not restricted) of q's
// owner or team whose
// last touch (an activity of anyone's with them, not cancelled) is before
// q.UntouchedBefore, or who were never touched, when q.UntouchedDays is
// set; and the open deals of q's owner or team with no pending activity
// that has a follow-up. Each list is ordered from the longest neglected
// (never, then the oldest time) and then by ID, and cut at q.ListLimit;
// the counts count them all.
func WorkLists(w *crm.WorkCounts, activities []crm.Activity, customers []crm.Customer, deals []crm.Deal, q crm.WorkQuery) {
	touched := map[crm.ID]time.Time{}
	planned := map[crm.ID]bool{}
	for _, a := range activities {
		if a.State() != crm.ActivityCancelled && a.At.After(touched[a.Customer]) {
			touched[a.Customer] = a.At
		}
		if a.Pending() && !a.FollowUp.IsZero() && !a.Deal.IsZero() {
			planned[a.Deal] = true
		}
	}
	w.Untouched, w.UntouchedKeyAccounts, w.WithoutNext, w.DealsWithoutNext = nil, 0, nil, 0
	if q.UntouchedDays > 0 {
		before := q.UntouchedBefore()
		var all []crm.UntouchedAccount
		for _, c := range customers {
			last := touched[c.ID]
			if c.KeyAccount && c.Status == crm.StatusActive && !c.Restricted() && q.Covers(c.Owner, c.Team) && last.Before(before) {
				all = append(all, crm.UntouchedAccount{Customer: c.ID, Name: c.Name, Owner: c.Owner, Team: c.Team, LastTouched: last})
			}
		}
		slices.SortFunc(all, func(a, b crm.UntouchedAccount) int {
			return cmp.Or(a.LastTouched.Compare(b.LastTouched), a.Customer.Compare(b.Customer))
		})
		w.UntouchedKeyAccounts, w.Untouched = int64(len(all)), cut(all, q.ListLimit())
	}
	var all []crm.UnplannedDeal
	for _, d := range deals {
		if d.Status == crm.DealOpen && q.Covers(d.Owner, d.Team) && !planned[d.ID] {
			all = append(all, crm.UnplannedDeal{Deal: d.ID, Title: d.Title, Customer: d.Customer, Owner: d.Owner, Team: d.Team,
				Stage: d.Stage, LastActivityAt: d.LastActivityAt})
		}
	}
	slices.SortFunc(all, func(a, b crm.UnplannedDeal) int {
		return cmp.Or(a.LastActivityAt.Compare(b.LastActivityAt), a.Deal.Compare(b.Deal))
	})
	w.DealsWithoutNext, w.WithoutNext = int64(len(all)), cut(all, q.ListLimit())
}

// cut returns the first n items of s, nil for none.
func cut[T any](s []T, n int) []T {
	if len(s) == 0 {
		return nil
	}
	return s[:min(n, len(s))]
}
