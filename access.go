package crm

import "context"

// What an actor may touch is decided on the records the call touches, as
// they are, not only on the record it creates: a deal, a contract, an
// activity or a case is the data of its customer. Records an actor may
// not read are reported missing, so that nobody learns from an error what
// exists outside their reach; records they may read but not change are
// forbidden.

// hidden is the error for a record the actor may not read: the same as
// for one that does not exist.
func hidden(kind Kind, id ID) error { return &NotFoundError{Kind: kind, ID: id.String()} }

// sees reports whether actor may read target.
func (c *engine) sees(actor User, target Target) bool {
	return c.policy.Authorize(actor, ActionRead, target) == nil
}

// see checks that the actor may read a record the write has loaded.
func (w *writeTx) see(t Target) error {
	if !w.crm.sees(w.actor, t) {
		return hidden(t.Kind, t.ID)
	}
	return nil
}

// touchCustomer loads the customer whose data a write creates or changes,
// and checks that the actor may read them.
func (w *writeTx) touchCustomer(id ID) (Customer, error) {
	cu, err := w.tx.Customers().Get(w.ctx, id)
	if err != nil {
		return Customer{}, err
	}
	if w.cust.ID.IsZero() {
		w.cust = cu
	}
	return cu, w.see(cu.target())
}

// customer reads a customer for what does not change within a write (its
// ID, creation time, restriction): the one the write touched first
// without reading it again, another from the store.
func (w *writeTx) customer(id ID) (Customer, error) {
	if !id.IsZero() && w.cust.ID == id {
		return w.cust, nil
	}
	return w.tx.Customers().Get(w.ctx, id)
}

// touchActiveCustomer is touchCustomer for a write that adds to a
// customer's working data, write (for the error): an archived customer is
// frozen, a pooled one claimed first, and a restricted one's data not
// processed (*RestrictedError). It holds the customer (CustomerRepository.Hold), so
// that a reassignment, which moves the customer's work in progress with
// it, waits for the new record and moves it too, or comes first and the
// write sees the new owner.
func (w *writeTx) touchActiveCustomer(id ID, write string) (Customer, error) {
	cu, err := w.tx.Customers().Hold(w.ctx, id)
	if err == nil {
		err = w.see(cu.target())
	}
	switch {
	case err != nil:
	case cu.Status == StatusPooled:
		err = invalid("customer", "active", "the customer is in the public pool: claim them first")
	case cu.Status != StatusActive:
		err = invalid("customer", "active", "the customer is archived: restore them first")
	default:
		err = processing(cu, write)
	}
	return cu, err
}

// readsAll reports whether actor may read every customer, as a policy
// that can say so does.
func (c *engine) readsAll(actor User) bool {
	rs, ok := c.policy.(ReadScoper)
	return ok && rs.ReadScope(actor, KindCustomer) == ScopeAll
}

// visibility says whether the reader of a report over many customers may
// see one of them.
type visibility func(customer ID) (bool, error)

// everyone is the visibility of a report the reader may see whole.
func everyone(ID) (bool, error) { return true, nil }

// visibility returns actor's visibility in tx: everyone for those who read
// every customer; else each customer asked about is loaded once and
// checked with the policy.
func (c *engine) visibility(ctx context.Context, tx ReadTx, actor User) visibility {
	if c.readsAll(actor) {
		return everyone
	}
	seen := map[ID]bool{}
	return func(id ID) (bool, error) {
		if ok, done := seen[id]; done {
			return ok, nil
		}
		cu, err := tx.Customers().Get(ctx, id)
		if err != nil {
			return false, err
		}
		seen[id] = c.sees(actor, cu.target())
		return seen[id], nil
	}
}

// keepSeen keeps the rows whose customer the reader may see.
func keepSeen[T any](see visibility, rows []T, customer func(T) ID) ([]T, error) {
	out := rows[:0:0]
	for _, r := range rows {
		ok, err := see(customer(r))
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, r)
		}
	}
	return out, nil
}
