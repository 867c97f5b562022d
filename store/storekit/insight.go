package storekit

import (
	"cmp"
	"slices"
	"time"

	"github.com/crmkit/crm"
)

// MomentsOfTruth is the reference implementation of the moments-of-truth
// count: the contacts at each touchpoint in [q.ContactsFrom(), q.To), and
// for every move in [q.From, q.To) on evidence at a touchpoint, each
// touchpoint of the customer's contacts in the window before it, once per
// move. Results come sorted by touchpoint, with every touchpoint that had
// a contact or came before a move.
func MomentsOfTruth(moves []crm.LadderMove, interactions []crm.Interaction, q crm.MomentsQuery) []crm.MomentCount {
	acc := map[string]*crm.MomentCount{}
	at := func(tp string) *crm.MomentCount {
		c := acc[tp]
		if c == nil {
			c = &crm.MomentCount{Touchpoint: tp}
			acc[tp] = c
		}
		return c
	}
	byCustomer := map[crm.ID][]crm.Interaction{}
	for _, in := range interactions {
		byCustomer[in.Customer] = append(byCustomer[in.Customer], in)
		if inRange(q.ContactsFrom(), q.To, in.At) {
			at(in.Touchpoint).Contacts++
		}
	}
	window := q.Lookback()
	for _, m := range moves {
		if !inRange(q.From, q.To, m.At) || m.Evidence.Kind == crm.EvidenceFading || m.Evidence.Touchpoint == "" {
			continue // fading, or other evidence at no touchpoint, follows no contact
		}
		seen := map[string]bool{}
		for _, in := range byCustomer[m.Customer] {
			if in.At.After(m.At) || in.At.Before(m.At.Add(-window)) || seen[in.Touchpoint] {
				continue
			}
			seen[in.Touchpoint] = true
			if m.Up() {
				at(in.Touchpoint).Up++
			} else {
				at(in.Touchpoint).Down++
			}
		}
	}
	out := make([]crm.MomentCount, 0, len(acc))
	for _, c := range acc {
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b crm.MomentCount) int { return cmp.Compare(a.Touchpoint, b.Touchpoint) })
	return out
}

// LadderDistribution is the reference implementation of the distribution
// on the ladder at a time: every customer created by then and not
// restricted now (crm.Customer.Restricted), on the rung of
// their last move by then, or the initial rung. It lists every rung from
// annoyed to advocate, then lost, zeros included.
func LadderDistribution(customers []crm.Customer, moves []crm.LadderMove, at time.Time) []crm.StageCount {
	last := map[crm.ID]crm.LadderMove{}
	for _, m := range moves {
		if m.At.After(at) {
			continue
		}
		if prev, ok := last[m.Customer]; !ok || laterMove(m, prev) {
			last[m.Customer] = m
		}
	}
	counts := map[crm.LoyaltyStage]int64{}
	for _, c := range customers {
		if c.CreatedAt.After(at) || c.Restricted() {
			continue
		}
		stage := crm.LoyaltyLadder().Initial()
		if m, ok := last[c.ID]; ok {
			stage = m.To
		}
		counts[stage]++
	}
	return stageCounts(counts)
}

// laterMove orders moves by time, then ID (moves of one customer have
// increasing IDs).
func laterMove(a, b crm.LadderMove) bool {
	return cmp.Or(a.At.Compare(b.At), a.ID.Compare(b.ID)) > 0
}

// stageCounts lists counts in ladder order with zeros.
func stageCounts(counts map[crm.LoyaltyStage]int64) []crm.StageCount {
	var out []crm.StageCount
	for _, s := range append(crm.LoyaltyStages(), crm.Lost) {
		out = append(out, crm.StageCount{Stage: s, Customers: counts[s]})
	}
	return out
}
