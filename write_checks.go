package crm

import "context"

// CheckRequest names what a write checks before anything else: its
// actor, the customer it concerns, and, as it needs them, the period lock
// (a posting) and a touchpoint (an interaction).
type CheckRequest struct {
	Actor      ID
	Customer   ID
	PeriodLock bool
	Map        ID     // with Touchpoint; zero: no touchpoint
	Touchpoint string // the touchpoint's key in Map
}

// Checks is what CheckReader.ReadChecks read.
type Checks struct {
	// Actor is the acting user, as UserRepository.Get returns them in a
	// write: held until the transaction ends.
	Actor User
	// Customer is the customer's head: only ID, Owner, Team, CreatedAt
	// and RestrictedAt are read, what a write decides on before it
	// touches their data (the policy's target, the restriction, where
	// their ladder starts). The other fields are zero.
	Customer Customer
	// PeriodLock is the ledger's lock date, as AccountingReader.PeriodLock
	// returns it in a write (held until the transaction ends), when asked.
	PeriodLock PeriodLock
	// Touchpoint is the touchpoint asked for, as
	// TouchpointMapReader.Touchpoint returns it.
	Touchpoint ResolvedTouchpoint
}

// CheckReader is implemented by a write Tx that reads a write's checks in
// one statement, where the repositories take one each. It is optional: the
// CRM reads through the repositories a Tx without it, and whenever found
// is false.
type CheckReader interface {
	// ReadChecks reads what r names, holding what the repositories' reads
	// hold in a write. It returns found false, and nothing else, when the
	// actor, the customer, or the touchpoint asked for is not stored: the
	// caller then reads each through its repository, for its error.
	ReadChecks(ctx context.Context, r CheckRequest) (c Checks, found bool, err error)
}

// startChecked loads the write's actor and, on a store that reads them in
// one go (CheckReader), what else r names, kept for the write's first
// reads of them (customerHead, touchpoint, the period lock). An actor
// that is not active is refused as activeActor refuses them.
func (w *writeTx) startChecked(actorID ID, r CheckRequest) error {
	cr, ok := w.store.(CheckReader)
	if ok && !actorID.IsZero() && !r.Customer.IsZero() {
		r.Actor = actorID
		ch, found, err := cr.ReadChecks(w.ctx, r)
		if err != nil {
			return err
		}
		if found && ch.Actor.Active {
			w.actor, w.checks, w.checked = ch.Actor, r, &ch
			if v, ok := w.tx.(*txView); ok && r.PeriodLock {
				lock := ch.PeriodLock
				v.lock = &lock
			}
			return nil
		}
	}
	actor, err := w.crm.activeActor(w.ctx, w.tx.Users(), actorID)
	w.actor = actor
	return err
}

// customerHead returns the customer for a write that decides on their
// head only (see Checks.Customer): the one the write's checks read, the
// first time it is asked for, else the whole record from the store. The
// write keeps it as the customer it touched first (customer).
func (w *writeTx) customerHead(id ID) (Customer, error) {
	if w.checked != nil && !w.checked.Customer.ID.IsZero() && w.checked.Customer.ID == id {
		cu := w.checked.Customer
		w.checked.Customer = Customer{}
		if w.cust.ID.IsZero() {
			w.cust = cu
		}
		return cu, nil
	}
	cu, err := w.tx.Customers().Get(w.ctx, id)
	if err == nil && w.cust.ID.IsZero() {
		w.cust = cu
	}
	return cu, err
}

// checkedTouchpoint returns the touchpoint the write's checks read, when
// they read this one.
func (w *writeTx) checkedTouchpoint(mapID ID, key string) (ResolvedTouchpoint, bool) {
	if w.checked == nil || w.checks.Map.IsZero() || w.checks.Map != mapID || w.checks.Touchpoint != key {
		return ResolvedTouchpoint{}, false
	}
	return w.checked.Touchpoint, true
}
