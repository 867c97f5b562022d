package crm

import (
	"context"
	"iter"
	"time"
)

// Log records work done with a customer, and on a deal when one is named:
// the deal counts the activity and its rotting clock restarts. By default
// anyone may log work with any customer they may read. The activity is the
// actor's, or, when n.Owner names another active user, theirs, logged on
// their behalf (ActionDelegate) and saying so in LoggedBy.
func (c *ActivityService) Log(ctx context.Context, actor ID, n NewActivity) (Activity, error) {
	var out Activity
	err := c.write(ctx, actor, func(w *writeTx) error {
		// Held, so that the public pool does not take the customer from
		// an owner who is following them up right now (ReturnIdle).
		cu, err := w.tx.Customers().Hold(ctx, n.Customer)
		if err != nil {
			return err
		}
		if err := w.see(cu.target()); err != nil {
			return err
		}
		if err := w.authorize(ActionRecord, cu.target()); err != nil {
			return err
		}
		if err := processing(cu, "log an activity"); err != nil {
			return err
		}
		owner := w.actor
		if !n.Owner.IsZero() && n.Owner != w.actor.ID {
			if owner, err = w.assignableOwner(n.Owner); err != nil {
				return err
			}
			if err := w.authorize(ActionDelegate, owner.target()); err != nil {
				return err
			}
		}
		id, err := w.newID()
		if err != nil {
			return err
		}
		if out, err = n.build(id, owner, w.now, w.crm.calendar); err != nil {
			return err
		}
		if owner.ID != w.actor.ID {
			out.LoggedBy = w.actor.ID
		}
		if !out.Deal.IsZero() {
			if err := w.countActivity(out); err != nil {
				return err
			}
		}
		if err := w.tx.Activities().Insert(ctx, out); err != nil {
			return err
		}
		return w.record(ActivityLogged, KindActivity, id, 1, activityData(out, c.visits))
	})
	return out, err
}

// countActivity adds an activity to the deal it is about.
func (w *writeTx) countActivity(a Activity) error {
	d, err := w.tx.Deals().Get(w.ctx, a.Deal)
	if err == nil {
		err = w.see(d.target())
	}
	if err != nil {
		return err
	}
	if d.Customer != a.Customer {
		return invalid("deal", "same_customer", "the deal belongs to another customer")
	}
	after := d.Clone()
	after.Activities++
	if a.At.After(after.LastActivityAt) {
		after.LastActivityAt = a.At
	}
	after.UpdatedAt, after.Version = w.now, d.Version+1
	return w.tx.Deals().Update(w.ctx, after)
}

// CompleteFollowUpRequest marks the follow-up of Activity (or a task)
// done.
type CompleteFollowUpRequest struct {
	Activity ID `json:"activity,omitzero"`
}

// CompleteFollowUp marks an activity's follow-up (or a task) done: it is
// Complete without an outcome. An activity the actor may not read, or of a
// customer they may not read, is reported missing; one already done or
// cancelled is a *TransitionError.
func (c *ActivityService) CompleteFollowUp(ctx context.Context, actor ID, r CompleteFollowUpRequest) (Activity, error) {
	return c.Complete(ctx, actor, CompleteActivityRequest{Activity: r.Activity})
}

type activityEvent struct {
	Type         ActivityType   `json:"type"`
	Customer     ID             `json:"customer"`
	Deal         string         `json:"deal,omitempty"`
	At           time.Time      `json:"at"`
	Subject      string         `json:"subject"`
	Outcome      string         `json:"outcome,omitempty"`
	NextStep     string         `json:"next_step,omitempty"`
	FollowUp     string         `json:"follow_up,omitempty"`
	Done         bool           `json:"done,omitempty"`
	Invalid      bool           `json:"invalid_visit,omitempty"`
	Status       ActivityStatus `json:"status,omitempty"`
	FollowUpAt   time.Time      `json:"follow_up_at,omitzero"`
	CancelReason string         `json:"cancel_reason,omitempty"`
	DurationNS   int64          `json:"duration_ns,omitempty"`
}

// activityData is the payload of activity events: the activity as it now
// stands, its visit judged by rule.
func activityData(a Activity, rule VisitRule) activityEvent {
	return activityEvent{Type: a.Type, Customer: a.Customer, Deal: idText(a.Deal), At: a.At, Subject: a.Subject,
		Outcome: a.Outcome, NextStep: a.NextStep, FollowUp: a.FollowUp.String(), Done: a.State() == ActivityDone,
		Invalid: a.Invalid(rule), Status: a.State(), FollowUpAt: a.FollowUpAt, CancelReason: a.CancelReason, DurationNS: int64(a.Duration)}
}

// List lists the activities matching f that the actor may read (a
// rep reads their own), in ID order.
func (c *ActivityService) List(ctx context.Context, actor ID, f ActivityFilter) iter.Seq2[Activity, error] {
	list := func(tx ReadTx, a User, p PageRequest) ([]Activity, error) {
		cf, ok := c.narrow(a, CustomerFilter{Owner: f.Owner, Team: f.Team})
		if !ok {
			return nil, nil
		}
		f.Owner, f.Team = cf.Owner, cf.Team
		return tx.Activities().List(ctx, f, p)
	}
	keep := func(a User, act Activity) bool { return c.policy.Authorize(a, ActionRead, act.target()) == nil }
	return iterate(readPages(c.engine, ctx, actor, list, func(a Activity) ID { return a.ID }, keep))
}

// target is the policy's view of an activity: its owner's.
func (a Activity) target() Target {
	return Target{Kind: KindActivity, ID: a.ID, Owner: a.Owner, Team: a.Team}
}
