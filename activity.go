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
// the online work report that replaces the status meeting.
type Activity struct {
	ID        ID           `json:"id,omitzero"`
	Type      ActivityType `json:"type,omitempty"`
	Customer  ID           `json:"customer,omitzero"`
	Deal      ID           `json:"deal,omitzero"`      // zero when not about a deal
	Owner     ID           `json:"owner,omitzero"`     // who did it
	LoggedBy  ID           `json:"logged_by,omitzero"` // who logged it on the owner's behalf; zero when the owner did
	Team      string       `json:"team,omitempty"`
	At        time.Time    `json:"at,omitzero"`
	Subject   string       `json:"subject,omitempty"`
	Outcome   string       `json:"outcome,omitempty"`
	NextStep  string       `json:"next_step,omitempty"`
	FollowUp  Date         `json:"follow_up,omitzero"` // when to follow up; zero for none
	Done      bool         `json:"done,omitempty"`     // the follow-up (or the task) is done
	CreatedAt time.Time    `json:"created_at,omitzero"`
	UpdatedAt time.Time    `json:"updated_at,omitzero"`
	Version   int64        `json:"version"`
}

// Invalid reports whether the activity is a visit without an outcome or
// without a next step: a visit that does not count, which managers
// watch for.
func (a Activity) Invalid() bool {
	return a.Type == ActivityVisit && (a.Outcome == "" || a.NextStep == "")
}

// Overdue reports whether the activity's follow-up is past on the date
// today and not done.
func (a Activity) Overdue(today Date) bool {
	return !a.FollowUp.IsZero() && !a.Done && a.FollowUp.Before(today)
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
}

func (n NewActivity) build(id ID, owner User, now time.Time) (Activity, error) {
	a := Activity{ID: id, Type: n.Type, Customer: n.Customer, Deal: n.Deal, Owner: owner.ID, Team: owner.Team,
		At: cmpOr(n.At, now).UTC().Truncate(time.Microsecond), FollowUp: n.FollowUp, Done: n.Done,
		CreatedAt: now, UpdatedAt: now, Version: 1}
	var err error
	switch {
	case !n.Type.valid():
		return Activity{}, invalid("type", "one_of", fmt.Sprintf("%q is not call, email, meeting, visit, task or note", n.Type))
	case n.Customer.IsZero():
		return Activity{}, invalid("customer", "required", "")
	case checkYear("at", a.At) != nil:
		return Activity{}, checkYear("at", a.At)
	case a.At.After(now):
		return Activity{}, invalid("at", "not_future", "log an activity when it happened; plan one with a task and a follow-up date")
	case !n.FollowUp.IsZero() && !n.FollowUp.IsValid():
		return Activity{}, invalid("follow_up", "calendar", "")
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
