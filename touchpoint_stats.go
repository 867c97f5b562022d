package crm

import (
	"context"
	"time"
)

// TouchpointStatsQuery asks for the experience statistics of every
// touchpoint of Map in [From, To), by Period, of the contacts with a
// survey of kind Survey when it is set.
type TouchpointStatsQuery struct {
	Map    ID         `json:"map,omitzero"`
	From   time.Time  `json:"from,omitzero"`
	To     time.Time  `json:"to,omitzero"`
	Period Period     `json:"period,omitempty"`
	Survey SurveyKind `json:"survey,omitempty"`
}

// TouchpointStats are the figures of one touchpoint in one period, its
// own and rolled up: Own counts the contacts at the touchpoint itself,
// Rollup those at it and at every touchpoint below it, so that a main
// touchpoint's figures include its sub-touchpoints'. The NPS per
// respondent of Rollup takes each customer's latest answer anywhere in
// the subtree, so it is not the sum of the children's.
type TouchpointStats struct {
	Touchpoint string           `json:"touchpoint,omitempty"`
	Name       string           `json:"name,omitempty"`
	Parent     string           `json:"parent,omitempty"`
	Depth      int              `json:"depth"` // 0 for a main touchpoint
	Period     string           `json:"period,omitempty"`
	Own        ExperienceCounts `json:"own,omitzero"`
	Rollup     ExperienceCounts `json:"rollup,omitzero"`
}

// TouchpointStats answers the experience question for every touchpoint of
// a map, each with its own figures and those rolled up from its
// sub-touchpoints, by the map's hierarchy as it is now. Touchpoints come
// in the map's order (parents before children), each period in order;
// a touchpoint and period without contacts in its subtree is left out.
// Contacts at a key the map no longer has are in no touchpoint's figures.
// It asks the store once, and once more for each touchpoint with
// sub-touchpoints.
func (c *ExperienceService) TouchpointStats(ctx context.Context, actor ID, q TouchpointStatsQuery) ([]TouchpointStats, error) {
	if q.Map.IsZero() {
		return nil, invalid("map", "required", "")
	}
	own := ExperienceQuery{From: q.From, To: q.To, Map: q.Map, GroupBy: ByTouchpoint, Period: q.Period, Survey: q.Survey}
	if err := own.Check(); err != nil {
		return nil, err
	}
	var out []TouchpointStats
	err := c.analyze(ctx, actor, func(tx ReadTx) error {
		m, err := tx.TouchpointMaps().Get(ctx, q.Map)
		if err != nil {
			return err
		}
		rs, _ := m.Resolve() // stored maps were checked when saved
		a := tx.Analytics()
		stats, err := a.Experience(ctx, own)
		if err != nil {
			return err
		}
		type key struct{ touchpoint, period string }
		byKey := make(map[key]ExperienceCounts, len(stats))
		for _, s := range stats {
			byKey[key{s.Group, s.Period}] = s
		}
		subtrees := subtreeKeys(rs)
		out = []TouchpointStats{}
		for _, r := range rs {
			var rollup []ExperienceCounts
			if keys := subtrees[r.Key]; len(keys) > 1 {
				rq := own
				rq.GroupBy, rq.Touchpoints = ByTotal, keys
				if rollup, err = a.Experience(ctx, rq); err != nil {
					return err
				}
			} else {
				for _, s := range stats {
					if s.Group == r.Key {
						rollup = append(rollup, s)
					}
				}
			}
			for _, ru := range rollup {
				ru.Group = r.Key
				o, ok := byKey[key{r.Key, ru.Period}]
				if !ok {
					o = ExperienceCounts{Group: r.Key, Period: ru.Period}
				}
				out = append(out, TouchpointStats{Touchpoint: r.Key, Name: r.Name, Parent: r.Parent, Depth: r.Depth(),
					Period: ru.Period, Own: o, Rollup: ru})
			}
		}
		return nil
	})
	return out, err
}

// subtreeKeys returns the keys of each touchpoint's subtree, itself
// first, given the touchpoints parents before children.
func subtreeKeys(rs []ResolvedTouchpoint) map[string][]string {
	out := make(map[string][]string, len(rs))
	for _, r := range rs {
		for _, k := range r.Path {
			out[k] = append(out[k], r.Key)
		}
	}
	return out
}
