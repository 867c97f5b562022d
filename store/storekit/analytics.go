package storekit

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/crmkit/crm"
)

// PeriodKey returns the bucket of a business day for p: the day, its ISO
// week or its month. Adapters store the day, week and month keys of every
// interaction and case (of its BusinessDay, in the CRM's time zone), so
// that grouping by period needs no date functions of the database.
func PeriodKey(p crm.Period, day crm.Date) string {
	t := day.In(time.UTC)
	switch p {
	case crm.PeriodDay:
		return t.Format(time.DateOnly)
	case crm.PeriodWeek:
		y, w := t.ISOWeek()
		return fmt.Sprintf("%04d-W%02d", y, w)
	case crm.PeriodMonth:
		return t.Format("2006-01")
	}
	return ""
}

// AggregateExperience is the reference implementation of the experience
// statistics: the memory adapter uses it, and the conformance suite checks
// every adapter against it. Groups come sorted by period, then group.
func AggregateExperience(interactions []crm.Interaction, q crm.ExperienceQuery) []crm.ExperienceCounts {
	return feed(NewExperienceAggregator(q), interactions).Result()
}

// ExperienceAggregator adds up experience counts one interaction at a
// time, for adapters that stream their rows instead of collecting them.
type ExperienceAggregator struct {
	q   crm.ExperienceQuery
	acc map[bucket]*experienceBucket
}

// bucket is a period, as a number until the end, and a group.
type bucket struct {
	period int64
	group  string
}

// experienceBucket is the counts of a bucket and, for the NPS per
// respondent, the latest NPS answer of each customer in it.
type experienceBucket struct {
	counts crm.ExperienceCounts
	latest map[crm.ID]npsAnswer
}

// npsAnswer is an NPS answer and what orders it among a customer's.
type npsAnswer struct {
	at  time.Time
	id  crm.ID
	nps int
}

// later reports whether a comes after b: by time, then by ID.
func (a npsAnswer) later(b npsAnswer) bool {
	if c := a.at.Compare(b.at); c != 0 {
		return c > 0
	}
	return a.id.Compare(b.id) > 0
}

// NewExperienceAggregator starts an empty aggregation for q.
func NewExperienceAggregator(q crm.ExperienceQuery) *ExperienceAggregator {
	return &ExperienceAggregator{q: q, acc: map[bucket]*experienceBucket{}}
}

// Add counts the interaction if the query selects it.
func (a *ExperienceAggregator) Add(in *crm.Interaction) {
	if !a.q.Selects(*in) {
		return
	}
	k := bucket{periodNumber(a.q.Period, in.BusinessDay()), in.Group(a.q.GroupBy)}
	b := a.acc[k]
	if b == nil {
		b = &experienceBucket{counts: crm.ExperienceCounts{Group: k.group, Period: PeriodKey(a.q.Period, in.BusinessDay())}}
		a.acc[k] = b
	}
	b.counts.Add(*in)
	if n := in.Survey.NPS; n != nil {
		if b.latest == nil {
			b.latest = map[crm.ID]npsAnswer{}
		}
		ans := npsAnswer{in.At, in.ID, *n}
		if prev, ok := b.latest[in.Customer]; !ok || ans.later(prev) {
			b.latest[in.Customer] = ans
		}
	}
}

// Result returns the counts sorted by period, then group.
func (a *ExperienceAggregator) Result() []crm.ExperienceCounts {
	out := make([]crm.ExperienceCounts, 0, len(a.acc))
	for _, b := range a.acc {
		c := b.counts
		for _, ans := range b.latest {
			c.NPSRespondents++
			c.RespondentPromoters += b2i(ans.nps >= 9)
			c.RespondentDetractors += b2i(ans.nps <= 6)
		}
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b crm.ExperienceCounts) int {
		return cmp.Or(cmp.Compare(a.Period, b.Period), cmp.Compare(a.Group, b.Group))
	})
	return out
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// periodNumber identifies t's bucket without formatting it: a number that
// orders and groups like PeriodKey.
func periodNumber(p crm.Period, day crm.Date) int64 {
	t := day.In(time.UTC)
	switch p {
	case crm.PeriodDay:
		y, m, d := t.Date()
		return int64(y)*10000 + int64(m)*100 + int64(d)
	case crm.PeriodWeek:
		y, w := t.ISOWeek()
		return int64(y)*100 + int64(w)
	case crm.PeriodMonth:
		y, m, _ := t.Date()
		return int64(y)*100 + int64(m)
	}
	return 0
}

// AggregateCases is the reference implementation of the case statistics.
func AggregateCases(cases []crm.Case, q crm.CaseQuery) []crm.CaseCounts {
	type key struct{ period, group string }
	acc := map[key]*crm.CaseCounts{}
	for _, cs := range cases {
		if !inRange(q.From, q.To, cs.OpenedAt) || (!q.Map.IsZero() && cs.Map != q.Map) {
			continue
		}
		k := key{PeriodKey(q.Period, cs.BusinessDay()), cs.Group(q.GroupBy)}
		c := acc[k]
		if c == nil {
			c = &crm.CaseCounts{Group: k.group, Period: k.period}
			acc[k] = c
		}
		c.Add(cs)
	}
	out := make([]crm.CaseCounts, 0, len(acc))
	for _, c := range acc {
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b crm.CaseCounts) int {
		return cmp.Or(cmp.Compare(a.Period, b.Period), cmp.Compare(a.Group, b.Group))
	})
	return out
}
