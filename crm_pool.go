package crm

import (
	"context"
	"fmt"
	"iter"
	"time"
)

// ReturnIdle sweeps the customers into their team's public pool whose
// owner has not followed them up for the pool rule's days (PoolRule): each
// loses its owner, keeps its team and becomes pooled, recorded as
// CustomerPooled with the reason. Archived customers stay where they are.
// What the owner worked on the customer (deals, contracts, activities)
// stays theirs: the pool takes the relationship, not the history. The
// actor needs the reassign grant on every customer it returns, or nothing
// is returned. It is idempotent for a given clock reading; run it
// periodically, like CheckPromises. With the rule off it is an
// ErrInvalid.
func (c *CustomerService) ReturnIdle(ctx context.Context, actor ID) (PoolReport, error) {
	var out PoolReport
	err := c.write(ctx, actor, func(w *writeTx) error {
		rule := w.crm.pool
		if !rule.On() {
			return invalid("public_pool", "on", "the public pool is off: turn it on with WithPublicPool")
		}
		out = PoolReport{Cutoff: rule.Cutoff(w.crm.calendar, w.now)}
		reason := fmt.Sprintf("no follow-up by the owner since before %s (public pool after %d days)",
			w.crm.calendar.DateOf(out.Cutoff), rule.IdleDays)
		list := func(p PageRequest) ([]Customer, error) { return w.tx.Customers().Idle(ctx, out.Cutoff, p) }
		return eachPage(list, func(cu Customer) ID { return cu.ID }, func(cu Customer) error {
			status, err := recordMachine.Next(cu.Status, Pool)
			if err != nil {
				return err
			}
			if err := w.authorize(ActionReassign, cu.target()); err != nil {
				return err
			}
			after := cu.Clone()
			after.Owner, after.Status = ID{}, status
			if _, err := w.saveCustomer(cu, after, CustomerPooled, reason); err != nil {
				return err
			}
			if err := w.stillIdle(cu, out.Cutoff); err != nil {
				return err
			}
			out.Returned++
			if len(out.Customers) < MaxHandOverItems {
				out.Customers = append(out.Customers, PooledRecord{Customer: cu.ID, Name: cu.Name, Owner: cu.Owner, Team: cu.Team})
			}
			return nil
		})
	})
	return out, err
}

// Claim takes a customer from the public pool for the actor: they become
// its owner, and it joins their team. By default a rep or a manager
// claims from their own team's pool, an admin from any; a customer in
// another team's pool is reported missing, one not in the pool is a
// *TransitionError.
func (c *CustomerService) Claim(ctx context.Context, actor ID, r ClaimCustomerRequest) (Customer, error) {
	var out Customer
	err := c.write(ctx, actor, func(w *writeTx) error {
		cu, err := w.tx.Customers().Get(ctx, r.Customer)
		if err != nil {
			return err
		}
		seen := w.crm.sees(w.actor, cu.target())
		if cu.Status != StatusPooled && !seen {
			return hidden(KindCustomer, cu.ID)
		}
		if err := w.authorize(ActionClaim, cu.target()); err != nil {
			if !seen {
				return hidden(KindCustomer, cu.ID)
			}
			return err
		}
		status, err := recordMachine.Next(cu.Status, Claim)
		if err != nil {
			return err
		}
		after := cu.Clone()
		after.Owner, after.Team, after.Status = w.actor.ID, w.actor.Team, status
		out, err = w.saveCustomer(cu, after, CustomerClaimed, r.Reason)
		return err
	})
	return out, err
}

// Pool lists the customers in the public pool the actor may claim, in ID
// order: a rep's and a manager's team's, every team's for an admin.
func (c *CustomerService) Pool(ctx context.Context, actor ID) iter.Seq2[Customer, error] {
	list := func(tx ReadTx, a User, p PageRequest) ([]Customer, error) {
		f := CustomerFilter{Status: StatusPooled}
		if !c.readsAll(a) {
			if a.Team == "" {
				return nil, nil
			}
			f.Team = a.Team
		}
		return tx.Customers().List(ctx, f, p)
	}
	keep := func(a User, cu Customer) bool { return c.policy.Authorize(a, ActionClaim, cu.target()) == nil }
	return iterate(readPages(c.engine, ctx, actor, list, func(cu Customer) ID { return cu.ID }, keep))
}

// stillIdle looks again, now that the write holds the customer, for an
// activity of the owner since cutoff: one logged while the sweep looked
// (which held the customer until it committed) is a conflict, and the
// sweep runs again without that customer.
func (w *writeTx) stillIdle(cu Customer, cutoff time.Time) error {
	recent, err := w.tx.Activities().List(w.ctx, ActivityFilter{Customer: cu.ID, Owner: cu.Owner, Since: cutoff}, PageRequest{Limit: 1})
	if err != nil || len(recent) == 0 {
		return err
	}
	return &ConflictError{Kind: KindCustomer, ID: cu.ID.String(), Detail: "followed up while the public pool swept"}
}
