package crm

import (
	"fmt"
	"time"
)

// ActivityType is the kind of work an activity records.
type ActivityType string

// The activity types.
const (
	ActivityCall    ActivityType = "call"
	ActivityEmail   ActivityType = "email"
	ActivityMeeting ActivityType = "meeting"
	ActivityVisit   ActivityType = "visit" // a visit to the customer; it needs an outcome and a next step to count
	ActivityTask    ActivityType = "task"
	ActivityNote    ActivityType = "note"
)

// ActivityTypes lists the activity types.
func ActivityTypes() []ActivityType {
	return []ActivityType{ActivityCall, ActivityEmail, ActivityMeeting, ActivityVisit, ActivityTask, ActivityNote}
}

func (t ActivityType) valid() bool {
	for _, v := range ActivityTypes() {
		if t == v {
			return true
		}
	}
	return false
}

// Activity is a piece of work a rep did with a customer or on a deal:
// the online work report that replaces the status meeting. Its follow-up
// (or the task itself) moves through ActivityMachine: pending until it is
// done or cancelled, rescheduled while pending.
type Activity struct {
	ID        ID           `json:"id,omitzero"`
	Type      ActivityType `json:"type,omitempty"`
	Customer  ID           `json:"customer,omitzero"`
	Deal      ID           `json:"deal,omitzero"`      // zero when not about a deal
	Owner     ID           `json:"owner,omitzero"`     // who did it
	LoggedBy  ID           `json:"logged_by,omitzero"` // who logged it on the owner's behalf; zero when the owner did
	Team      string       `json:"team,omitempty" privacy:"none"`
	At        time.Time    `json:"at,omitzero"`
	Subject   string       `json:"subject,omitempty" privacy:"personal"`
	Outcome   string       `json:"outcome,omitempty" privacy:"personal"`
	NextStep  string       `json:"next_step,omitempty" privacy:"personal"`
	FollowUp  Date         `json:"follow_up,omitzero"` // when to follow up; zero for none; the business date of FollowUpAt when that is set
	Done      bool         `json:"done,omitempty"`     // the follow-up (or the task) is done: Status is ActivityDone
	CreatedAt time.Time    `json:"created_at,omitzero"`
	UpdatedAt time.Time    `json:"updated_at,omitzero"`
	Version   int64        `json:"version"`

	// Activities as work (issue 13).
	Status       ActivityStatus `json:"status,omitempty"`                           // empty in records from before statuses: State derives it from Done
	FollowUpAt   time.Time      `json:"follow_up_at,omitzero"`                      // the follow-up's time, when it has one; zero for a date alone
	CancelReason string         `json:"cancel_reason,omitempty" privacy:"personal"` // why it was cancelled
	Duration     time.Duration  `json:"duration_ns"`                                // how long a visit (or meeting, call) took; zero when not told
}

// State returns the activity's status: Status, or for a record from
// before statuses, done or pending as Done says.
func (a Activity) State() ActivityStatus {
	switch {
	case a.Status != "":
		return a.Status
	case a.Done:
		return ActivityDone
	}
	return ActivityPending
}

// Pending reports whether the activity's follow-up (or the task) is still
// to do: neither done nor cancelled.
func (a Activity) Pending() bool { return a.State() == ActivityPending }

// Invalid reports whether the activity is a visit that does not count
// under rule, which managers watch for (DefaultVisitRule: a visit without
// an outcome or without a next step).
func (a Activity) Invalid(rule VisitRule) bool {
	return a.Type == ActivityVisit && ((rule.RequireOutcome && a.Outcome == "") ||
		(rule.RequireNextStep && a.NextStep == "") || (rule.MinDuration > 0 && a.Duration < rule.MinDuration))
}

// Overdue reports whether the activity's follow-up is past on the date
// today and still pending: a done or cancelled follow-up is never overdue.
func (a Activity) Overdue(today Date) bool {
	return !a.FollowUp.IsZero() && a.Pending() && a.FollowUp.Before(today)
}

// NewActivity is the input for logging an activity; At defaults to now,
// Owner to the actor.
type NewActivity struct {
	Type     ActivityType `json:"type,omitempty"`
	Customer ID           `json:"customer,omitzero"`
	Deal     ID           `json:"deal,omitzero"`
	Owner    ID           `json:"owner,omitzero"`
	At       time.Time    `json:"at,omitzero"`
	Subject  string       `json:"subject,omitempty"`
	Outcome  string       `json:"outcome,omitempty"`
	NextStep string       `json:"next_step,omitempty"`
	FollowUp Date         `json:"follow_up,omitzero"`
	Done     bool         `json:"done,omitempty"`

	// FollowUpAt is the follow-up's time, when it has one: FollowUp is
	// then its date by the business calendar (and, when also given, must
	// be that date).
	FollowUpAt time.Time     `json:"follow_up_at,omitzero"`
	Duration   time.Duration `json:"duration_ns"` // how long it took, for a visit's rule
}

func (n NewActivity) build(id ID, owner User, now time.Time, cal Calendar) (Activity, error) {
	a := Activity{ID: id, Type: n.Type, Customer: n.Customer, Deal: n.Deal, Owner: owner.ID, Team: owner.Team,
		At: cmpOr(n.At, now).UTC().Truncate(time.Microsecond), Done: n.Done, Status: ActivityPending,
		CreatedAt: now, UpdatedAt: now, Version: 1}
	if n.Done {
		a.Status = ActivityDone
	}
	var err error
	if a.FollowUp, a.FollowUpAt, err = followUpOf(n.FollowUp, n.FollowUpAt, cal); err != nil {
		return Activity{}, err
	}
	if a.Duration, err = checkDuration(n.Duration); err != nil {
		return Activity{}, err
	}
	switch {
	case !n.Type.valid():
		return Activity{}, invalid("type", "one_of", fmt.Sprintf("%q is not call, email, meeting, visit, task or note", n.Type))
	case n.Customer.IsZero():
		return Activity{}, invalid("customer", "required", "")
	case checkYear("at", a.At) != nil:
		return Activity{}, checkYear("at", a.At)
	case a.At.After(now):
		return Activity{}, invalid("at", "not_future", "log an activity when it happened; plan one with a task and a follow-up date")
	}
	if a.Subject, err = cleanText("subject", n.Subject, maxNameLen, true); err != nil {
		return Activity{}, err
	}
	if a.Outcome, err = cleanText("outcome", n.Outcome, maxLongTextLen, false); err != nil {
		return Activity{}, err
	}
	if a.NextStep, err = cleanText("next_step", n.NextStep, maxLongTextLen, false); err != nil {
		return Activity{}, err
	}
	return a, nil
}
