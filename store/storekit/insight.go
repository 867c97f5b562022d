package storekit

import (
	"cmp"
	"slices"
	"time"

	"github.com/crmkit/crm"
)

// MomentsOfTruth is the reference implementation of the moments-of-truth
// count; results come sorted by touchpoint.
func MomentsOfTruth(moves []crm.LadderMove, interactions []crm.Interaction, q crm.MomentsQuery) []crm.MomentCount {
	byCustomer := map[crm.ID][]crm.Interaction{}
	for _, in := range interactions {
		byCustomer[in.Customer] = append(byCustomer[in.Customer], in)
	}
	acc := map[string]*crm.MomentCount{}
	window := q.Lookback()
	for _, m := range moves {
		if !inRange(q.From, q.To, m.At) || m.Evidence.Kind == crm.EvidenceFading {
			continue // fading moves the customer, not a contact
		}
		seen := map[string]bool{}
		for _, in := range byCustomer[m.Customer] {
			if in.At.After(m.At) || in.At.Before(m.At.Add(-window)) || seen[in.Touchpoint] {
				continue
			}
			seen[in.Touchpoint] = true
			c := acc[in.Touchpoint]
			if c == nil {
				c = &crm.MomentCount{Touchpoint: in.Touchpoint}
				acc[in.Touchpoint] = c
			}
			if m.Up() {
				c.Up++
			} else {
				c.Down++
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
// on the ladder at a time: every customer created by then, on the rung of
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
		if c.CreatedAt.After(at) {
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
