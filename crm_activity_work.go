package crm

import (
	"context"
	"time"
)

// ActivityPatch changes an activity's report; nil fields stay. IfVersion,
// when set, must be the activity's version.
type ActivityPatch struct {
	Activity  ID             `json:"activity,omitzero"`
	Subject   *string        `json:"subject,omitempty"`
	Outcome   *string        `json:"outcome,omitempty"`
	NextStep  *string        `json:"next_step,omitempty"`
	Duration  *time.Duration `json:"duration_ns,omitempty"` // how long a visit (or meeting, call) took
	IfVersion int64          `json:"if_version"`
}

// RescheduleActivityRequest moves a pending activity's follow-up to
// FollowUpAt (a time), or to FollowUp (a date alone); not to a day before
// today.
type RescheduleActivityRequest struct {
	Activity   ID        `json:"activity,omitzero"`
	FollowUp   Date      `json:"follow_up,omitzero"`
	FollowUpAt time.Time `json:"follow_up_at,omitzero"`
	IfVersion  int64     `json:"if_version"`
}

// CancelActivityRequest cancels a pending activity, for Reason.
type CancelActivityRequest struct {
	Activity  ID     `json:"activity,omitzero"`
	Reason    string `json:"reason,omitempty"`
	IfVersion int64  `json:"if_version"`
}

// CompleteActivityRequest completes a pending activity, with its Outcome
// when one is given.
type CompleteActivityRequest struct {
	Activity  ID     `json:"activity,omitzero"`
	Outcome   string `json:"outcome,omitempty"`
	IfVersion int64  `json:"if_version"`
}

// Update changes an activity's subject, outcome, next step or duration,
// recorded as ActivityUpdated; a change that changes nothing records
// nothing. A cancelled activity is not changed (*TransitionError).
func (c *ActivityService) Update(ctx context.Context, actor ID, p ActivityPatch) (Activity, error) {
	return c.changeActivity(ctx, actor, p.Activity, p.IfVersion, ActivityRevise, ActivityUpdated, func(w *writeTx, a *Activity) error {
		var err error
		if p.Subject != nil {
			if a.Subject, err = cleanText("subject", *p.Subject, maxNameLen, true); err != nil {
				return err
			}
		}
		if p.Outcome != nil {
			if a.Outcome, err = cleanText("outcome", *p.Outcome, maxLongTextLen, false); err != nil {
				return err
			}
		}
		if p.NextStep != nil {
			if a.NextStep, err = cleanText("next_step", *p.NextStep, maxLongTextLen, false); err != nil {
				return err
			}
		}
		if p.Duration != nil {
			if a.Duration, err = checkDuration(*p.Duration); err != nil {
				return err
			}
		}
		return nil
	})
}

// Reschedule moves a pending activity's follow-up, recorded as
// ActivityRescheduled. A done or cancelled activity is not rescheduled
// (*TransitionError).
func (c *ActivityService) Reschedule(ctx context.Context, actor ID, r RescheduleActivityRequest) (Activity, error) {
	return c.changeActivity(ctx, actor, r.Activity, r.IfVersion, ActivityReschedule, ActivityRescheduled, func(w *writeTx, a *Activity) error {
		if r.FollowUp.IsZero() && r.FollowUpAt.IsZero() {
			return invalid("follow_up", "required", "a follow_up date or a follow_up_at time")
		}
		day, at, err := followUpOf(r.FollowUp, r.FollowUpAt, w.crm.calendar)
		if err != nil {
			return err
		}
		if day.Before(w.today()) {
			return invalid("follow_up", "not_past", "reschedule to today or later")
		}
		a.FollowUp, a.FollowUpAt = day, at
		return nil
	})
}

// Cancel cancels a pending activity for a reason, recorded as
// ActivityCancelledEvent: it is no longer pending nor overdue, and the
// work report leaves it out. A done or cancelled activity is not
// cancelled (*TransitionError).
func (c *ActivityService) Cancel(ctx context.Context, actor ID, r CancelActivityRequest) (Activity, error) {
	return c.changeActivity(ctx, actor, r.Activity, r.IfVersion, ActivityCancel, ActivityCancelledEvent, func(w *writeTx, a *Activity) error {
		reason, err := cleanText("reason", r.Reason, maxLongTextLen, true)
		a.CancelReason = reason
		return err
	})
}

// Complete completes a pending activity, with its outcome when one is
// given, recorded as ActivityCompleted. Completing it again, or
// completing a cancelled one, is a *TransitionError and changes nothing.
func (c *ActivityService) Complete(ctx context.Context, actor ID, r CompleteActivityRequest) (Activity, error) {
	return c.changeActivity(ctx, actor, r.Activity, r.IfVersion, ActivityComplete, ActivityCompleted, func(w *writeTx, a *Activity) error {
		if r.Outcome == "" {
			return nil
		}
		var err error
		a.Outcome, err = cleanText("outcome", r.Outcome, maxLongTextLen, false)
		return err
	})
}

// changeActivity makes the move event on an activity the actor may read
// and update (its owner, a manager of the owner's team or an admin),
// change completing the move; it records typ with the activity as it then
// stands. A self-move that changes nothing records nothing.
func (c *engine) changeActivity(ctx context.Context, actor, id ID, ifVersion int64, event ActivityEvent, typ EventType,
	change func(*writeTx, *Activity) error) (Activity, error) {
	var out Activity
	err := c.write(ctx, actor, func(w *writeTx) error {
		before, err := w.tx.Activities().Get(ctx, id)
		if err != nil {
			return err
		}
		// An activity is its customer's data: one the actor may not read,
		// or of a customer they may not read, is not there for them.
		if err := w.guardRecord(before.target(), before.Customer, ifVersion, before.Version, ActionUpdate); err != nil {
			return err
		}
		from := before.State()
		to, err := activityMachine.Next(from, event)
		if err != nil {
			return err
		}
		after := before
		if err := change(w, &after); err != nil {
			return err
		}
		after.Status, after.Done = to, to == ActivityDone
		if from == to && activityData(before, c.visits) == activityData(after, c.visits) {
			out = before
			return nil
		}
		after.UpdatedAt, after.Version = w.now, before.Version+1
		if err := w.tx.Activities().Update(ctx, after); err != nil {
			return err
		}
		out = after
		return w.record(typ, KindActivity, id, after.Version, activityData(after, c.visits))
	})
	return out, err
}

// readableLists keeps the work report's lists to the customers and deals
// a may read; the counts stay the figures of the owner or team asked
// about.
func (c *engine) readableLists(a User, w WorkCounts) WorkCounts {
	untouched := make([]UntouchedAccount, 0, len(w.Untouched))
	for _, u := range w.Untouched {
		if c.policy.Authorize(a, ActionRead, Target{Kind: KindCustomer, ID: u.Customer, Owner: u.Owner, Team: u.Team}) == nil {
			untouched = append(untouched, u)
		}
	}
	deals := make([]UnplannedDeal, 0, len(w.WithoutNext))
	for _, d := range w.WithoutNext {
		if c.policy.Authorize(a, ActionRead, Target{Kind: KindDeal, ID: d.Deal, Owner: d.Owner, Team: d.Team}) == nil {
			deals = append(deals, d)
		}
	}
	w.Untouched, w.WithoutNext = nilIfEmpty(untouched), nilIfEmpty(deals)
	return w
}

func nilIfEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}
