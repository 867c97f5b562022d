package crm

import (
	"time"
)

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

// Covers reports whether the query is about work of owner in team.
func (q WorkQuery) Covers(owner ID, team string) bool {
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
