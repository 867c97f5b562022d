package crm

import (
	"fmt"
	"time"
)

// ActivityStatus is where an activity's follow-up (or a task) stands.
type ActivityStatus string

// The activity statuses.
const (
	ActivityPending   ActivityStatus = "pending"   // still to do; overdue once its follow-up date passes
	ActivityDone      ActivityStatus = "done"      // completed, with its outcome
	ActivityCancelled ActivityStatus = "cancelled" // called off, with a reason: neither pending nor overdue, and not work done
)

// ActivityEvent is a move of the activity machine.
type ActivityEvent string

// The activity moves.
const (
	ActivityRevise     ActivityEvent = "revise"     // the subject, outcome, next step or duration change
	ActivityReschedule ActivityEvent = "reschedule" // the follow-up moves to another time
	ActivityComplete   ActivityEvent = "complete"
	ActivityCancel     ActivityEvent = "cancel"
)

const activityWho = "who may update the activity: its owner, a manager of the owner's team or an admin"

var activityMachine = mustMachine("activity", ActivityPending,
	Transition[ActivityStatus, ActivityEvent]{From: ActivityPending, Event: ActivityRevise, To: ActivityPending,
		Who: activityWho, When: "the report of the work needs correcting or completing",
		Why: "a work report is kept right where it was written, each change recorded"},
	Transition[ActivityStatus, ActivityEvent]{From: ActivityDone, Event: ActivityRevise, To: ActivityDone,
		Who: activityWho, When: "the outcome of done work is written up later",
		Why: "a visit counts once its outcome and next step are in, whenever they are written"},
	Transition[ActivityStatus, ActivityEvent]{From: ActivityPending, Event: ActivityReschedule, To: ActivityPending,
		Who: activityWho, When: "the follow-up moves to another day or time, not into the past",
		Why: "a follow-up moved on purpose is planned work, not an overdue one"},
	Transition[ActivityStatus, ActivityEvent]{From: ActivityPending, Event: ActivityComplete, To: ActivityDone,
		Who: activityWho, When: "the follow-up (or the task) is done; once",
		Why: "done work leaves the overdue list and the deal needs its next activity"},
	Transition[ActivityStatus, ActivityEvent]{From: ActivityPending, Event: ActivityCancel, To: ActivityCancelled,
		Who: activityWho, When: "the follow-up will not happen; a reason is required",
		Why: "a cancelled follow-up is neither overdue nor work done; the reason tells the manager why"},
)

// ActivityMachine returns the state machine of an activity's follow-up:
// pending until done or cancelled, revised and rescheduled while pending,
// and revised when done. It is immutable.
func ActivityMachine() *Machine[ActivityStatus, ActivityEvent] { return activityMachine }

// VisitRule says when a visit counts: a visit that breaks it is invalid,
// and the work report counts it as such. The zero rule requires nothing;
// DefaultVisitRule requires an outcome and a next step.
type VisitRule struct {
	MinDuration     time.Duration `json:"min_duration_ns"` // a shorter visit, or one without a duration, does not count; zero for no minimum
	RequireOutcome  bool          `json:"require_outcome,omitempty"`
	RequireNextStep bool          `json:"require_next_step,omitempty"`
}

// DefaultVisitRule requires an outcome and a next step, and no minimum
// duration.
func DefaultVisitRule() VisitRule { return VisitRule{RequireOutcome: true, RequireNextStep: true} }

// WithVisitRule replaces DefaultVisitRule: the rule the work report and
// the activity events judge visits by.
func WithVisitRule(r VisitRule) Option { return func(o *options) { o.visits = &r } }

// Check reports a rule that cannot be applied.
func (r VisitRule) Check() error {
	if r.MinDuration < 0 || r.MinDuration > maxActivityDuration {
		return invalid("min_duration", "range", fmt.Sprintf("0 to %s", maxActivityDuration))
	}
	return nil
}

// maxActivityDuration bounds a duration: a week is more than any visit.
const maxActivityDuration = 7 * 24 * time.Hour

// checkDuration returns d to the microsecond, the precision stores keep,
// or the error for a duration out of range.
func checkDuration(d time.Duration) (time.Duration, error) {
	if d < 0 || d > maxActivityDuration {
		return 0, invalid("duration", "range", fmt.Sprintf("0 to %s", maxActivityDuration))
	}
	return d.Truncate(time.Microsecond), nil
}

// followUpOf returns the follow-up of a date, a time or both: the time in
// UTC to the microsecond, and the date, which is the time's business
// date when there is a time.
func followUpOf(d Date, at time.Time, cal Calendar) (Date, time.Time, error) {
	if !d.IsZero() && !d.IsValid() {
		return Date{}, time.Time{}, invalid("follow_up", "calendar", "")
	}
	if at.IsZero() {
		return d, time.Time{}, nil
	}
	at = at.UTC().Truncate(time.Microsecond)
	if err := checkYear("follow_up_at", at); err != nil {
		return Date{}, time.Time{}, err
	}
	day := cal.DateOf(at)
	if !d.IsZero() && d != day {
		return Date{}, time.Time{}, invalid("follow_up", "same_day", fmt.Sprintf("follow_up_at is on %s", day))
	}
	return day, at, nil
}
