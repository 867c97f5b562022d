package crm

import (
	"context"
	"fmt"
)

// ClosePeriod moves the ledger's lock date: forward, to close the books
// through a day that is over, or back, to reopen a closed period. Only
// finance (and admins) may, with a reason; each move is an event. Once the
// books are closed through a day, every invoice, payment, credit note,
// allocation, write-off, refund and reversal dated on or before it is
// refused with a *PeriodClosedError.
func (c *LedgerService) ClosePeriod(ctx context.Context, actor ID, r ClosePeriodRequest) (PeriodLock, error) {
	var out PeriodLock
	err := c.write(ctx, actor, func(w *writeTx) error {
		if err := w.authorize(ActionClosePeriod, Target{Kind: KindPeriodLock}); err != nil {
			return err
		}
		reason, err := cleanText("reason", r.Reason, maxNameLen, true)
		if err != nil {
			return err
		}
		switch today := w.today(); {
		case !r.Through.IsValid():
			return invalid("through", "calendar", "the last day to close")
		case !r.Through.Before(today):
			return invalid("through", "past", fmt.Sprintf("a day closes once it is over: %s is not before today (%s)", r.Through, today))
		}
		before, err := w.tx.Accounting().PeriodLock(w.ctx)
		if err != nil {
			return err
		}
		if err := checkVersion(KindPeriodLock, ID{}, r.IfVersion, before.Version); err != nil {
			return err
		}
		if before.LockedThrough == r.Through {
			return invalid("through", "changed", fmt.Sprintf("the books are closed through %s already", r.Through))
		}
		out = PeriodLock{LockedThrough: r.Through, Reason: reason, UpdatedBy: w.actor.ID, UpdatedAt: w.now, Version: before.Version + 1}
		if err := w.tx.Accounting().SavePeriodLock(w.ctx, out); err != nil {
			return err
		}
		typ := PeriodClosed
		if r.Through.Before(before.LockedThrough) {
			typ = PeriodReopened
		}
		return w.record(typ, KindPeriodLock, ID{}, out.Version, periodEvent{From: before.LockedThrough, Through: r.Through, Reason: reason})
	})
	return out, err
}

// periodEvent is the payload of PeriodClosed and PeriodReopened.
type periodEvent struct {
	From    Date   `json:"from,omitzero"` // the lock date before
	Through Date   `json:"through"`       // the lock date after
	Reason  string `json:"reason"`
}

// PeriodLock returns the ledger's lock date; any active user may read it.
func (c *LedgerService) PeriodLock(ctx context.Context, actor ID) (PeriodLock, error) {
	var out PeriodLock
	err := c.read(ctx, actor, func(tx ReadTx, _ User) error {
		var err error
		out, err = tx.Accounting().PeriodLock(ctx)
		return err
	})
	return out, err
}
