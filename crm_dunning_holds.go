package crm

import (
	"context"
	"errors"
)

// DunningHoldRequest puts an invoice's dunning on hold (PauseDunning) or
// lifts the hold (ResumeDunning), saying why: the customer disputes the
// invoice, a payment plan was agreed, the dispute is over.
type DunningHoldRequest struct {
	Invoice ID     `json:"invoice,omitzero"`
	Reason  string `json:"reason,omitempty"`
}

// PauseDunning puts an invoice's dunning on hold at the level it is at
// (before the first notice, too): no run moves it until ResumeDunning.
// A settled or exempt invoice cannot be paused (a *TransitionError). The
// reason is required. The actor must be allowed to bill the customer or
// to approve for them: finance, an admin, or a manager of the customer's
// team by the default policy.
func (c *ReceivableService) PauseDunning(ctx context.Context, actor ID, r DunningHoldRequest) (DunningRecord, error) {
	return c.hold(ctx, actor, r, DunningPause, DunningPaused)
}

// ResumeDunning lifts an invoice's hold: dunning goes on at the level it
// was at, the next notice MinGapDays from today at the soonest. The
// reason is required, and the actor as for PauseDunning.
func (c *ReceivableService) ResumeDunning(ctx context.Context, actor ID, r DunningHoldRequest) (DunningRecord, error) {
	return c.hold(ctx, actor, r, DunningResume, DunningResumed)
}

// hold makes a pause or a resume.
func (c *engine) hold(ctx context.Context, actor ID, r DunningHoldRequest, event DunningEvent, typ EventType) (DunningRecord, error) {
	reason, err := cleanText("reason", r.Reason, maxLongTextLen, true)
	if err != nil {
		return DunningRecord{}, err
	}
	var out DunningRecord
	err = c.write(ctx, actor, func(w *writeTx) error {
		inv, err := w.tx.Invoices().Get(ctx, r.Invoice)
		if err != nil {
			return err
		}
		cu, err := w.touchCustomer(inv.Customer)
		if errors.Is(err, ErrNotFound) {
			return hidden(KindInvoice, r.Invoice)
		} else if err != nil {
			return err
		}
		if err := w.authorize(ActionBill, cu.target()); err != nil {
			if w.authorize(ActionApprove, cu.target()) != nil {
				return err
			}
		}
		rec, err := w.tx.Dunning().Get(ctx, inv.ID)
		if errors.Is(err, ErrNotFound) {
			rec, err = DunningRecord{Invoice: inv.ID, Customer: inv.Customer, State: DunningNone, Due: inv.Due}, nil
		}
		if err != nil {
			return err
		}
		out, err = w.saveDunning(c.dunningMachine, rec, event, typ, Money{}, reason, ID{}, w.today())
		return err
	})
	return out, err
}
