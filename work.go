package crm

import (
	"time"
)

// WorkQuery asks for a work report: the activities of one rep (Owner) or
// one team in [From, To), and their follow-ups overdue on Today (zero:
// today by the CRM's clock).
type WorkQuery struct {
	Owner ID        `json:"owner,omitzero"`
	Team  string    `json:"team,omitempty"`
	From  time.Time `json:"from,omitzero"`
	To    time.Time `json:"to,omitzero"`
	Today Date      `json:"today,omitzero"`
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
	Type       ActivityType `json:"type,omitempty"`
	Activities int64        `json:"activities"`
}

// WorkCounts are the sums behind a work report.
type WorkCounts struct {
	ByType             []TypeCount    `json:"by_type,omitempty"`    // in ActivityTypes order, zeros left out
	Overdue            int64          `json:"overdue"`              // follow-ups before Today not done, whenever logged
	InvalidVisits      int64          `json:"invalid_visits"`       // visits in the range without an outcome or a next step
	KeyAccountsTouched int64          `json:"key_accounts_touched"` // key-account customers with an activity in the range
	Outcomes           []OutcomeCount `json:"outcomes,omitempty"`
}

// RottingDeal is an open deal idle longer than its stage allows.
type RottingDeal struct {
	Deal     Deal `json:"deal,omitzero"`
	IdleDays int  `json:"idle_days"`
	Limit    int  `json:"limit"`
}

// WorkReport is a rep's or a team's period without a meeting: what they
// did, what they let slip, what they won and lost, and which deals rot.
type WorkReport struct {
	Query   WorkQuery     `json:"query,omitzero"`
	Counts  WorkCounts    `json:"counts,omitzero"`
	Won     int64         `json:"won"`
	Lost    int64         `json:"lost"`
	Rotting []RottingDeal `json:"rotting,omitempty"`
}
