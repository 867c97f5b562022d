package crm

import "time"

// WorkQuery asks for a work report: the activities of one rep (Owner) or
// one team in [From, To), and their follow-ups overdue on Today.
type WorkQuery struct {
	Owner    ID
	Team     string
	From, To time.Time
	Today    Date
}

// Check reports a query the adapters cannot answer.
func (q WorkQuery) Check() error {
	if q.Today.IsZero() || !q.Today.IsValid() {
		return invalid("today", "required", "the date overdue follow-ups are measured on")
	}
	return checkGrouping(q.From, q.To, ByTotal, PeriodAll)
}

func (q WorkQuery) owns(owner ID, team string) bool {
	return (q.Owner.IsZero() || owner == q.Owner) && (q.Team == "" || team == q.Team)
}

// TypeCount is how many activities of a type were logged.
type TypeCount struct {
	Type       ActivityType
	Activities int64
}

// WorkCounts are the sums behind a work report.
type WorkCounts struct {
	ByType             []TypeCount // in ActivityTypes order, zeros left out
	Overdue            int64       // follow-ups before Today not done, whenever logged
	InvalidVisits      int64       // visits in the range without an outcome or a next step
	KeyAccountsTouched int64       // key-account customers with an activity in the range
	Outcomes           []OutcomeCount
}

// AggregateWork is the reference implementation of a work report's
// counts: activities, the customers they touched, and the deals closed in
// the range by the owner or team (of every pipeline; the amounts of the
// outcomes are left at zero, as pipelines may differ in currency).
func AggregateWork(activities []Activity, customers []Customer, deals []Deal, q WorkQuery) WorkCounts {
	var w WorkCounts
	keyAccount := map[ID]bool{}
	for _, c := range customers {
		keyAccount[c.ID] = c.KeyAccount
	}
	types := map[ActivityType]int64{}
	touched := map[ID]bool{}
	for _, a := range activities {
		if !q.owns(a.Owner, a.Team) {
			continue
		}
		if a.Overdue(q.Today) {
			w.Overdue++
		}
		if !inRange(q.From, q.To, a.At) {
			continue
		}
		types[a.Type]++
		if a.Invalid() {
			w.InvalidVisits++
		}
		if keyAccount[a.Customer] {
			touched[a.Customer] = true
		}
	}
	for _, t := range ActivityTypes() {
		if n := types[t]; n > 0 {
			w.ByType = append(w.ByType, TypeCount{Type: t, Activities: n})
		}
	}
	w.KeyAccountsTouched = int64(len(touched))
	acc := map[OutcomeCount]*OutcomeCount{}
	for _, d := range deals {
		if !q.owns(d.Owner, d.Team) || d.Status == DealOpen || !inRange(q.From, q.To, d.ClosedAt) {
			continue
		}
		k := OutcomeCount{Status: d.Status, LostReason: d.LostReason}
		r := row(acc, k, func() *OutcomeCount { fresh := k; return &fresh })
		r.Deals++
		r.CycleMicros += d.ClosedAt.Sub(d.CreatedAt).Microseconds()
	}
	w.Outcomes = sortOutcomes(acc)
	return w
}

// RottingDeal is an open deal idle longer than its stage allows.
type RottingDeal struct {
	Deal     Deal
	IdleDays int
	Limit    int
}

// WorkReport is a rep's or a team's period without a meeting: what they
// did, what they let slip, what they won and lost, and which deals rot.
type WorkReport struct {
	Query   WorkQuery
	Counts  WorkCounts
	Won     int64
	Lost    int64
	Rotting []RottingDeal
}
