package crm

import (
	"context"
	"fmt"
	"iter"
	"time"
)

// Create adds a customer owned by in.Owner, or by the actor when in.Owner
// is zero. The owner must be an active user.
func (c *CustomerService) Create(ctx context.Context, actor ID, in NewCustomer) (Customer, error) {
	var out Customer
	err := c.write(ctx, actor, func(w *writeTx) error {
		owner := w.actor
		if !in.Owner.IsZero() && in.Owner != w.actor.ID {
			var err error
			if owner, err = w.assignableOwner(in.Owner); err != nil {
				return err
			}
		}
		id, err := w.newID()
		if err != nil {
			return err
		}
		if out, err = in.build(id, owner, w.newID, w.now); err != nil {
			return err
		}
		if err := w.authorize(ActionCreate, out.target()); err != nil {
			return err
		}
		if err := w.tx.Customers().Insert(ctx, out); err != nil {
			return err
		}
		return w.record(CustomerCreated, KindCustomer, out.ID, out.Version, ChangeSet{Changes: diffCustomer(Customer{}, out)})
	})
	return out, err
}

// Update applies p to an active customer. A patch that changes nothing
// records nothing and keeps the version.
func (c *CustomerService) Update(ctx context.Context, actor ID, p CustomerPatch) (Customer, error) {
	return c.changeCustomer(ctx, actor, p.Customer, p.IfVersion, ActionUpdate, Update, CustomerUpdated, "", func(w *writeTx, cu Customer) (Customer, error) {
		return p.apply(cu, w.newID)
	})
}

// Archive takes a customer out of the working lists. The record, its
// history and its owner stay; Restore brings it back.
func (c *CustomerService) Archive(ctx context.Context, actor ID, r ArchiveCustomerRequest) (Customer, error) {
	return c.changeCustomer(ctx, actor, r.Customer, 0, ActionArchive, Archive, CustomerArchived, r.Reason, func(w *writeTx, cu Customer) (Customer, error) {
		cu.ArchivedAt = w.now
		return cu, nil
	})
}

// Restore brings an archived customer back to the working lists.
func (c *CustomerService) Restore(ctx context.Context, actor ID, r RestoreCustomerRequest) (Customer, error) {
	return c.changeCustomer(ctx, actor, r.Customer, 0, ActionRestore, Restore, CustomerRestored, r.Reason, func(w *writeTx, cu Customer) (Customer, error) {
		cu.ArchivedAt = time.Time{}
		return cu, nil
	})
}

// Reassign gives a customer to another active user, and to that user's
// team, with the customer's work in progress: its open deals and
// contracts in progress owned by the old owner, its open cases assigned
// to them and their pending follow-ups on it (see HandOverReport). The
// actor needs the reassign grant on each record moved, as it is and as it
// will be: a manager reassigns within their team, and one record out of
// their reach refuses the whole command.
func (c *CustomerService) Reassign(ctx context.Context, actor ID, r ReassignCustomerRequest) (Customer, error) {
	var out Customer
	err := c.write(ctx, actor, func(w *writeTx) error {
		owner, err := w.assignableOwner(r.To)
		if err != nil {
			return err
		}
		cu, err := w.touchCustomer(r.Customer)
		if err != nil {
			return err
		}
		h := handOver{w: w, to: owner, reason: r.Reason, report: &HandOverReport{From: cu.Owner, To: owner.ID}}
		out, err = h.customer(cu)
		return err
	})
	return out, err
}

// HandOver gives every customer owned by r.From, archived ones included,
// to another active user in one transaction, each with its work in
// progress as Reassign moves it: all or none. It reports what moved and
// what stayed with r.From. This is how a manager hands over the accounts
// of a rep who has left.
func (c *CustomerService) HandOver(ctx context.Context, actor ID, r HandOverRequest) (HandOverReport, error) {
	var out HandOverReport
	err := c.write(ctx, actor, func(w *writeTx) error {
		out = HandOverReport{From: r.From, To: r.To}
		owner, err := w.assignableOwner(r.To)
		if err != nil {
			return err
		}
		if r.From == r.To {
			return nil
		}
		h := handOver{w: w, to: owner, reason: r.Reason, report: &out}
		list := func(p PageRequest) ([]Customer, error) {
			return w.tx.Customers().List(ctx, CustomerFilter{Owner: r.From, Restricted: RestrictedIncluded}, p)
		}
		return eachPage(list, func(cu Customer) ID { return cu.ID }, func(cu Customer) error {
			_, err := h.customer(cu)
			return err
		})
	})
	return out, err
}

// assignableOwner loads the user who is to own customers: they must exist
// and be active.
func (w *writeTx) assignableOwner(id ID) (User, error) {
	u, err := w.tx.Users().Get(w.ctx, id)
	if err != nil {
		return User{}, err
	}
	if !u.Active {
		return User{}, invalid("owner", "active", fmt.Sprintf("user %s is deactivated", id))
	}
	return u, nil
}

func (w *writeTx) reassign(cu Customer, owner User, reason string) (Customer, error) {
	status, err := recordMachine.Next(cu.Status, Reassign)
	if err != nil {
		return Customer{}, err
	}
	if err := w.authorize(ActionReassign, cu.target()); err != nil {
		return Customer{}, err
	}
	after := cu.Clone()
	after.Owner, after.Team, after.Status = owner.ID, owner.Team, status
	if err := w.authorize(ActionReassign, after.target()); err != nil {
		return Customer{}, err
	}
	return w.saveCustomer(cu, after, CustomerReassigned, reason)
}

// changeCustomer loads a customer, checks the caller's version, the record
// machine and the policy, applies change and saves the result.
func (c *engine) changeCustomer(ctx context.Context, actor, id ID, ifVersion int64, action Action, move RecordEvent,
	typ EventType, reason string, change func(*writeTx, Customer) (Customer, error)) (Customer, error) {
	var out Customer
	err := c.write(ctx, actor, func(w *writeTx) error {
		before, err := w.touchCustomer(id)
		if err != nil {
			return err
		}
		if err := checkVersion(KindCustomer, id, ifVersion, before.Version); err != nil {
			return err
		}
		status, err := recordMachine.Next(before.Status, move)
		if err != nil {
			return err
		}
		if err := w.authorize(action, before.target()); err != nil {
			return err
		}
		after, err := change(w, before)
		if err != nil {
			return err
		}
		after.Status = status
		out, err = w.saveCustomer(before, after, typ, reason)
		return err
	})
	return out, err
}

// saveCustomer stores after as the next version of before and records the
// event, unless nothing changed.
func (w *writeTx) saveCustomer(before, after Customer, typ EventType, reason string) (Customer, error) {
	cs := diffCustomer(before, after)
	if len(cs) == 0 {
		return before, nil
	}
	after.UpdatedAt, after.Version = w.now, before.Version+1
	if err := w.tx.Customers().Update(w.ctx, after); err != nil {
		return Customer{}, err
	}
	if w.cust.ID == after.ID {
		w.cust = after
	}
	return after, w.record(typ, KindCustomer, after.ID, after.Version, ChangeSet{Changes: cs, Reason: reason})
}

// Get returns a customer the actor may read.
func (c *CustomerService) Get(ctx context.Context, actor, id ID) (Customer, error) {
	var out Customer
	err := c.readCustomer(ctx, actor, id, func(_ ReadTx, cu Customer) error {
		out = cu
		return nil
	})
	return out, err
}

// List lists the customers matching f that the actor may read, in ID
// (creation) order, reading a page per transaction.
func (c *CustomerService) List(ctx context.Context, actor ID, f CustomerFilter) iter.Seq2[Customer, error] {
	return iterate(c.customerPages(ctx, actor, f))
}

// Page returns one page of the listing: the first for a zero PageQuery,
// the following ones for the Next of the page before.
func (c *CustomerService) Page(ctx context.Context, actor ID, f CustomerFilter, q PageQuery) (Page[Customer], error) {
	return page(c.customerPages(ctx, actor, f), q)
}

func (c *engine) customerPages(ctx context.Context, actor ID, f CustomerFilter) pageReader[Customer] {
	list := func(tx ReadTx, a User, p PageRequest) ([]Customer, error) {
		scoped, ok := c.narrow(a, f)
		if !ok {
			return nil, nil
		}
		return tx.Customers().List(ctx, scoped, p)
	}
	keep := func(a User, cu Customer) bool { return c.policy.Authorize(a, ActionRead, cu.target()) == nil }
	return readPages(c, ctx, actor, list, func(cu Customer) ID { return cu.ID }, keep)
}

// narrow restricts a listing to the actor's read scope when the policy
// can say what it is; ok is false when nothing can match.
func (c *engine) narrow(a User, f CustomerFilter) (CustomerFilter, bool) {
	rs, ok := c.policy.(ReadScoper)
	if !ok {
		return f, true
	}
	switch rs.ReadScope(a, KindCustomer) {
	case ScopeAll:
		return f, true
	case ScopeTeam:
		if a.Team == "" || (f.Team != "" && f.Team != a.Team) {
			return f, false
		}
		f.Team = a.Team
		return f, true
	case ScopeOwn:
		if !f.Owner.IsZero() && f.Owner != a.ID {
			return f, false
		}
		f.Owner = a.ID
		return f, true
	}
	return f, false
}
