package crm

import (
	"fmt"
	"time"
)

// WorkQuery asks for a work report: the activities of one rep (Owner) or
// one team in [From, To), and their follow-ups overdue on Today (zero:
// today by the CRM's clock). Cancelled activities are not work: the
// report leaves them out.
type WorkQuery struct {
	Owner ID        `json:"owner,omitzero"`
	Team  string    `json:"team,omitempty"`
	From  time.Time `json:"from,omitzero"`
	To    time.Time `json:"to,omitzero"`
	Today Date      `json:"today,omitzero"`

	// Activities as work: the lists managers act on.
	UntouchedDays int        `json:"untouched_days"`       // list the key accounts untouched for this many days; zero for no list
	Limit         int        `json:"limit"`                // the most items of each list; zero for DefaultWorkListLimit, at most MaxPageSize
	VisitRule     *VisitRule `json:"visit_rule,omitempty"` // the rule invalid visits break; nil for DefaultVisitRule (the CRM sets its own, WithVisitRule)

	loc *time.Location // the business calendar's time zone, which the CRM sets; nil for UTC
}

// DefaultWorkListLimit is how many items each list of a work report has
// when the query names no Limit.
const DefaultWorkListLimit = 20

// maxUntouchedDays bounds WorkQuery.UntouchedDays: ten years.
const maxUntouchedDays = 3660

// Check reports a query the adapters cannot answer.
func (q WorkQuery) Check() error {
	if q.Today.IsZero() || !q.Today.IsValid() {
		return invalid("today", "required", "the date overdue follow-ups are measured on")
	}
	switch {
	case q.UntouchedDays < 0 || q.UntouchedDays > maxUntouchedDays:
		return invalid("untouched_days", "range", fmt.Sprintf("0 to %d", maxUntouchedDays))
	case q.Limit < 0 || q.Limit > MaxPageSize:
		return invalid("limit", "range", fmt.Sprintf("0 to %d", MaxPageSize))
	}
	if q.VisitRule != nil {
		if err := q.VisitRule.Check(); err != nil {
			return err
		}
	}
	return checkGrouping(q.From, q.To, ByTotal, PeriodAll)
}

// Visits returns the rule invalid visits are counted by.
func (q WorkQuery) Visits() VisitRule {
	if q.VisitRule == nil {
		return DefaultVisitRule()
	}
	return *q.VisitRule
}

// ListLimit returns how many items each list of the report may have.
func (q WorkQuery) ListLimit() int { return cmpOr(q.Limit, DefaultWorkListLimit) }

// UntouchedBefore returns the time before which a key account's last
// touch leaves it untouched: the start of the business day UntouchedDays
// before Today, in the CRM's calendar (UTC for a query made by hand), so
// that no activity on that day or since touched it.
func (q WorkQuery) UntouchedBefore() time.Time {
	return q.Today.AddDays(-q.UntouchedDays).In(cmpOr(q.loc, time.UTC))
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
	Overdue            int64          `json:"overdue"`              // follow-ups before Today still pending, whenever logged
	InvalidVisits      int64          `json:"invalid_visits"`       // visits in the range that break the query's visit rule
	KeyAccountsTouched int64          `json:"key_accounts_touched"` // key-account customers with a (not cancelled) activity in the range
	Outcomes           []OutcomeCount `json:"outcomes,omitempty"`

	// Activities as work: the lists, each cut at the query's limit, and
	// how many there are in all.
	UntouchedKeyAccounts int64              `json:"untouched_key_accounts"` // active key accounts of the owner or team untouched for UntouchedDays (zero days: not asked)
	Untouched            []UntouchedAccount `json:"untouched,omitempty"`    // the longest untouched first (never touched before all), then by ID
	DealsWithoutNext     int64              `json:"deals_without_next"`     // open deals of the owner or team with no pending follow-up
	WithoutNext          []UnplannedDeal    `json:"without_next,omitempty"` // the longest idle first (never active before all), then by ID
}

// UntouchedAccount is a key account nobody has touched (logged an
// activity with, cancelled ones aside) since the day asked about.
type UntouchedAccount struct {
	Customer    ID        `json:"customer,omitzero"`
	Name        string    `json:"name,omitempty"`
	Owner       ID        `json:"owner,omitzero"`
	Team        string    `json:"team,omitempty"`
	LastTouched time.Time `json:"last_touched,omitzero"` // zero when never touched
}

// UnplannedDeal is an open deal with no next activity: no pending
// activity of the deal has a follow-up.
type UnplannedDeal struct {
	Deal           ID        `json:"deal,omitzero"`
	Title          string    `json:"title,omitempty"`
	Customer       ID        `json:"customer,omitzero"`
	Owner          ID        `json:"owner,omitzero"`
	Team           string    `json:"team,omitempty"`
	Stage          string    `json:"stage,omitempty"`
	LastActivityAt time.Time `json:"last_activity_at,omitzero"` // zero when no activity was logged on it
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
