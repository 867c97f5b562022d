package crm

import (
	"fmt"
	"time"
)

// CaseKind says what a case is about.
type CaseKind string

// The kinds of case.
const (
	Complaint CaseKind = "complaint" // something went wrong; how it is handled moves the ladder most
	Request   CaseKind = "request"   // the customer wants something done
	Incident  CaseKind = "incident"  // a fault in a product or service
	Question  CaseKind = "question"  // the customer wants to know something
)

func (k CaseKind) valid() bool {
	return k == Complaint || k == Request || k == Incident || k == Question
}

// CaseStatus is where a case stands.
type CaseStatus string

// The case statuses.
const (
	CaseOpened     CaseStatus = "opened"
	CaseInProgress CaseStatus = "in_progress"
	CaseResolved   CaseStatus = "resolved"
	CaseReopened   CaseStatus = "reopened"
	CaseClosed     CaseStatus = "closed"
)

// CaseEvent is a move of the case machine.
type CaseEvent string

// The case moves.
const (
	CaseStart   CaseEvent = "start"
	CaseHandOff CaseEvent = "hand_off"
	CaseResolve CaseEvent = "resolve"
	CaseReopen  CaseEvent = "reopen"
	CaseClose   CaseEvent = "close"
)

var caseMachine = mustMachine("case", CaseOpened,
	Transition[CaseStatus, CaseEvent]{From: CaseOpened, Event: CaseStart, To: CaseInProgress,
		Who: "the employee who takes the case", When: "someone starts working on it", Why: "the clock of the customer's wait is visible from here on"},
	Transition[CaseStatus, CaseEvent]{From: CaseOpened, Event: CaseHandOff, To: CaseOpened,
		Who: "any employee", When: "the case is sent to another department before work starts", Why: "every hand-off is counted: a customer passed around is a customer lost"},
	Transition[CaseStatus, CaseEvent]{From: CaseInProgress, Event: CaseHandOff, To: CaseInProgress,
		Who: "the employee working on it", When: "another department must take over", Why: "every hand-off is counted: a customer passed around is a customer lost"},
	Transition[CaseStatus, CaseEvent]{From: CaseReopened, Event: CaseHandOff, To: CaseReopened,
		Who: "any employee", When: "a reopened case goes to another department", Why: "every hand-off is counted"},
	Transition[CaseStatus, CaseEvent]{From: CaseOpened, Event: CaseResolve, To: CaseResolved,
		Who: "the employee who took the contact", When: "the matter is settled at the first contact", Why: "first-contact resolution is the best outcome"},
	Transition[CaseStatus, CaseEvent]{From: CaseInProgress, Event: CaseResolve, To: CaseResolved,
		Who: "the employee working on it", When: "the matter is settled", Why: "stops the resolution clock; a quick, good resolution can win the customer (service recovery)"},
	Transition[CaseStatus, CaseEvent]{From: CaseReopened, Event: CaseResolve, To: CaseResolved,
		Who: "the employee working on it", When: "the reopened matter is settled", Why: "stops the resolution clock again"},
	Transition[CaseStatus, CaseEvent]{From: CaseReopened, Event: CaseStart, To: CaseInProgress,
		Who: "the employee who takes the case", When: "work starts again", Why: "the reopened case is being worked"},
	Transition[CaseStatus, CaseEvent]{From: CaseResolved, Event: CaseReopen, To: CaseReopened,
		Who: "any employee, usually on the customer's word", When: "the resolution did not hold", Why: "a resolution that does not hold is not one; reopens are counted"},
	Transition[CaseStatus, CaseEvent]{From: CaseResolved, Event: CaseClose, To: CaseClosed,
		Who: "any employee", When: "the customer confirms, or the reopen window passes", Why: "closed cases leave the queues; their history stays"},
)

// CaseMachine returns the state machine of a case. It is immutable.
func CaseMachine() *Machine[CaseStatus, CaseEvent] { return caseMachine }

// Case is a complaint or another matter a customer brings, with its own
// lifecycle from opened to closed. It counts its hand-offs, reopens and
// contacts, and keeps the promise the company made on when it would be
// settled: a promise broken costs more than a slow answer.
type Case struct {
	ID              ID            `json:"id,omitzero"`
	Customer        ID            `json:"customer,omitzero"`
	Kind            CaseKind      `json:"kind,omitempty"`
	Subject         string        `json:"subject,omitempty" privacy:"personal"`
	Status          CaseStatus    `json:"status,omitempty"`
	Map             ID            `json:"map,omitzero"`
	Touchpoint      string        `json:"touchpoint,omitempty" privacy:"none"` // where it was opened
	Channel         Channel       `json:"channel,omitempty"`
	Phase           Phase         `json:"phase,omitempty"`
	Department      string        `json:"department,omitempty" privacy:"none"` // who has it now
	Assignee        ID            `json:"assignee,omitzero"`
	OpenedAt        time.Time     `json:"opened_at,omitzero"`
	OpenedDay       Date          `json:"opened_day,omitzero"`  // the business day of OpenedAt, by the CRM's calendar (BusinessDay)
	ResolvedAt      time.Time     `json:"resolved_at,omitzero"` // the last resolution; zero while open
	ClosedAt        time.Time     `json:"closed_at,omitzero"`
	PromisedBy      time.Time     `json:"promised_by,omitzero"` // when the company promised to settle it; zero for no promise
	ResolveWithin   time.Duration `json:"resolve_within_ns"`
	Handoffs        int           `json:"handoffs"`
	Reopens         int           `json:"reopens"`
	Contacts        int           `json:"contacts"`
	Resolution      string        `json:"resolution,omitempty" privacy:"personal"`
	ResolveBreached bool          `json:"resolve_breached,omitempty"` // resolved later than the touchpoint's ResolveWithin
	PromiseBroken   bool          `json:"promise_broken,omitempty"`   // not resolved by PromisedBy
	// OverdueSteps counts how often CheckOverdue weighed the open case past
	// its standard; NextOverdue is when it next falls due (zero: never
	// again, or no standard).
	OverdueSteps int       `json:"overdue_steps"`
	NextOverdue  time.Time `json:"next_overdue,omitzero"`
	CreatedAt    time.Time `json:"created_at,omitzero"`
	UpdatedAt    time.Time `json:"updated_at,omitzero"`
	Version      int64     `json:"version"`
}

// BusinessDay is the day the case statistics count the case on:
// OpenedDay, the business day the CRM's calendar gave its opening, or
// OpenedAt's day in UTC for a case without one.
func (c Case) BusinessDay() Date { return cmpOr(c.OpenedDay, DateOf(c.OpenedAt.UTC())) }

// TimeToResolution is how long the case took from opening to its last
// resolution; zero while it is open.
func (c Case) TimeToResolution() time.Duration {
	if c.ResolvedAt.IsZero() {
		return 0
	}
	return c.ResolvedAt.Sub(c.OpenedAt)
}

// NewCase is the input for opening a case at a touchpoint. OpenedAt
// defaults to now.
type NewCase struct {
	Customer   ID        `json:"customer,omitzero"`
	Kind       CaseKind  `json:"kind,omitempty"`
	Subject    string    `json:"subject,omitempty"`
	Map        ID        `json:"map,omitzero"`
	Touchpoint string    `json:"touchpoint,omitempty"`
	Department string    `json:"department,omitempty"` // defaults to the touchpoint's
	Assignee   ID        `json:"assignee,omitzero"`
	OpenedAt   time.Time `json:"opened_at,omitzero"`
	PromisedBy time.Time `json:"promised_by,omitzero"`
}

func (n NewCase) build(id ID, tp ResolvedTouchpoint, now time.Time) (Case, error) {
	var err error
	if n.Customer.IsZero() {
		return Case{}, invalid("customer", "required", "")
	}
	if !n.Kind.valid() {
		return Case{}, invalid("kind", "one_of", fmt.Sprintf("%q is not complaint, request, incident or question", n.Kind))
	}
	if n.Subject, err = cleanText("subject", n.Subject, maxNameLen, true); err != nil {
		return Case{}, err
	}
	if n.Department, err = cleanText("department", n.Department, maxShortTextLen, false); err != nil {
		return Case{}, err
	}
	opened := cmpOr(n.OpenedAt, now).UTC().Truncate(time.Microsecond)
	if opened.After(now) {
		return Case{}, invalid("opened_at", "not_future", "")
	}
	if !n.PromisedBy.IsZero() && !n.PromisedBy.After(opened) {
		return Case{}, invalid("promised_by", "after_opening", "a promise is for later than the opening")
	}
	return Case{
		ID: id, Customer: n.Customer, Kind: n.Kind, Subject: n.Subject, Status: caseMachine.Initial(),
		Map: tp.Map, Touchpoint: tp.Key, Channel: tp.Channel, Phase: tp.Phase,
		Department: cmpOr(n.Department, tp.Department), Assignee: n.Assignee, OpenedAt: opened,
		PromisedBy: n.PromisedBy.UTC().Truncate(time.Microsecond), ResolveWithin: tp.Standards.ResolveWithin,
		CreatedAt: now, UpdatedAt: now, Version: 1,
	}, nil
}

// resolve settles the case at t and judges it against its standard and
// its promise.
func (c Case) resolve(t time.Time, resolution string) (Case, error) {
	var err error
	if c.Resolution, err = cleanText("resolution", resolution, maxLongTextLen, false); err != nil {
		return Case{}, err
	}
	if t.Before(c.OpenedAt) {
		return Case{}, invalid("resolved_at", "after_opening", "a case cannot be resolved before it was opened")
	}
	c.ResolvedAt = t
	c.ResolveBreached = c.ResolveWithin > 0 && c.TimeToResolution() > c.ResolveWithin
	c.PromiseBroken = c.PromiseBroken || (!c.PromisedBy.IsZero() && t.After(c.PromisedBy))
	return c, nil
}
