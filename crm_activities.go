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
		if out, err = n.build(id, owner, w.now); err != nil {
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
		return w.record(ActivityLogged, KindActivity, id, 1, activityData(out))
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

// CompleteFollowUp marks an activity's follow-up (or a task) done. An
// activity the actor may not read, or of a customer they may not read, is
// reported missing.
func (c *ActivityService) CompleteFollowUp(ctx context.Context, actor ID, r CompleteFollowUpRequest) (Activity, error) {
	id := r.Activity
	var out Activity
	err := c.write(ctx, actor, func(w *writeTx) error {
		a, err := w.tx.Activities().Get(ctx, id)
		if err != nil {
			return err
		}
		// An activity is its customer's data: one the actor may not read,
		// or of a customer they may not read, is not there for them.
		if err := w.see(a.target()); err != nil {
			return err
		}
		if _, err := w.touchCustomer(a.Customer); err != nil {
			return err
		}
		if err := w.authorize(ActionUpdate, a.target()); err != nil {
			return err
		}
		if a.Done {
			out = a
			return nil
		}
		a.Done, a.UpdatedAt, a.Version = true, w.now, a.Version+1
		if err := w.tx.Activities().Update(ctx, a); err != nil {
			return err
		}
		out = a
		return w.record(ActivityUpdated, KindActivity, id, a.Version, activityData(a))
	})
	return out, err
}

type activityEvent struct {
	Type     ActivityType `json:"type"`
	Customer ID           `json:"customer"`
	Deal     string       `json:"deal,omitempty"`
	At       time.Time    `json:"at"`
	Subject  string       `json:"subject"`
	Outcome  string       `json:"outcome,omitempty"`
	NextStep string       `json:"next_step,omitempty"`
	FollowUp string       `json:"follow_up,omitempty"`
	Done     bool         `json:"done,omitempty"`
	Invalid  bool         `json:"invalid_visit,omitempty"`
}

func activityData(a Activity) activityEvent {
	return activityEvent{Type: a.Type, Customer: a.Customer, Deal: idText(a.Deal), At: a.At, Subject: a.Subject,
		Outcome: a.Outcome, NextStep: a.NextStep, FollowUp: a.FollowUp.String(), Done: a.Done, Invalid: a.Invalid()}
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
