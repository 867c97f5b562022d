package crm

import (
	"context"
	"iter"
)

// Open opens a deal in a pipeline for a customer, owned by n.Owner or the
// actor. The customer's lifecycle moves forward to opportunity. A deal
// that names no campaign is attributed to the one that brought its
// customer, if any.
func (c *DealService) Open(ctx context.Context, actor ID, n NewDeal) (Deal, error) {
	var out Deal
	err := c.write(ctx, actor, func(w *writeTx) error {
		f, err := flowOf(ctx, w.tx.Pipelines(), n.Pipeline)
		if err != nil {
			return err
		}
		cu, err := w.touchActiveCustomer(n.Customer, "open a deal")
		if err != nil {
			return err
		}
		if n.Campaign.IsZero() {
			n.Campaign = cu.Campaign // the lead's source
		}
		owner := w.actor
		if !n.Owner.IsZero() && n.Owner != w.actor.ID {
			if owner, err = w.assignableOwner(n.Owner); err != nil {
				return err
			}
		}
		id, err := w.newID()
		if err != nil {
			return err
		}
		if out, err = f.Open(id, n, owner, w.now); err != nil {
			return err
		}
		if err := w.authorize(ActionCreate, out.target()); err != nil {
			return err
		}
		if err := w.tx.Deals().Insert(ctx, out); err != nil {
			return err
		}
		if err := w.record(DealOpened, KindDeal, id, 1, dealData(out, "")); err != nil {
			return err
		}
		return w.advanceLifecycle(out.Customer, LifecycleOpportunity, "deal opened: "+out.Title)
	})
	return out, err
}

// Update changes an open deal's title, amount or expected close date; a
// closed deal refuses with a *TransitionError (its close date and amount
// change by CorrectClose).
func (c *DealService) Update(ctx context.Context, actor ID, p DealPatch) (Deal, error) {
	return c.changeDeal(ctx, actor, p.Deal, p.IfVersion, ActionUpdate, DealUpdated, "", func(w *writeTx, f *DealFlow, d *Deal) error {
		if _, err := dealMachine.Next(d.Status, DealUpdateEvent); err != nil {
			return err
		}
		if p.Title != nil {
			t, err := cleanText("title", *p.Title, maxNameLen, true)
			if err != nil {
				return err
			}
			d.Title = t
		}
		if p.Amount != nil {
			if err := f.checkAmount(*p.Amount); err != nil {
				return err
			}
			d.Amount = *p.Amount
		}
		if p.CloseDate != nil {
			if !p.CloseDate.IsZero() && !p.CloseDate.IsValid() {
				return invalid("close_date", "calendar", "")
			}
			d.CloseDate = *p.CloseDate
		}
		return nil
	})
}

// Move moves an open deal to another open stage, as the pipeline's stage
// machine allows and the stage's exit requirements permit.
func (c *DealService) Move(ctx context.Context, actor ID, r MoveDealRequest) (Deal, error) {
	return c.changeDeal(ctx, actor, r.Deal, 0, ActionUpdate, DealStageMoved, "", func(w *writeTx, f *DealFlow, d *Deal) error {
		return f.Move(d, r.Stage, w.now)
	})
}

// SetProbability sets an open deal's probability by hand (nil clears it)
// until its next stage change, which resets it to the new stage's. A
// closed deal refuses with a *TransitionError.
func (c *DealService) SetProbability(ctx context.Context, actor ID, r SetProbabilityRequest) (Deal, error) {
	return c.changeDeal(ctx, actor, r.Deal, 0, ActionUpdate, DealUpdated, "", func(w *writeTx, f *DealFlow, d *Deal) error {
		return f.SetProbability(d, r.Probability)
	})
}

// SetForecastCategoryRequest sets Deal's forecast category by hand; ""
// goes back to its stage's.
type SetForecastCategoryRequest struct {
	Deal     ID               `json:"deal,omitzero"`
	Category ForecastCategory `json:"category,omitempty"`
}

// SetForecastCategory sets an open deal's forecast category over its
// stage's, by its owner, a manager of the team or an admin; a stage
// change clears it (see Deal.ForecastCategory).
func (c *DealService) SetForecastCategory(ctx context.Context, actor ID, r SetForecastCategoryRequest) (Deal, error) {
	return c.changeDeal(ctx, actor, r.Deal, 0, ActionUpdate, DealUpdated, "", func(_ *writeTx, f *DealFlow, d *Deal) error {
		return f.SetForecastCategory(d, r.Category)
	})
}

// Win closes a deal as won at its actual amount (the deal's own when the
// request names none), on the business day r.WonOn (today when zero). The
// customer's lifecycle moves forward to
// customer, and the win is a purchase on their loyalty ladder
// (FactEvidence.DealWon), once per deal: it wins a lost customer back.
func (c *DealService) Win(ctx context.Context, actor ID, r WinDealRequest) (Deal, error) {
	return c.changeDeal(ctx, actor, r.Deal, 0, ActionUpdate, DealWonEvent, "", func(w *writeTx, f *DealFlow, d *Deal) error {
		amount := d.Amount
		if r.Amount != nil {
			amount = *r.Amount
		}
		// The business day: 20:30 in New York on 31 March is a March win,
		// and so is one entered on 1 April with WonOn 31 March.
		if err := f.WinOn(d, amount, r.WonOn, w.crm.calendar, w.now); err != nil {
			return err
		}
		if err := w.advanceLifecycle(d.Customer, LifecycleCustomer, "deal won: "+d.Title); err != nil {
			return err
		}
		return w.dealWon(*d)
	})
}

// Lose closes a deal as lost, today: its close date is the business day
// (CorrectClose corrects it). The reason, one of the pipeline's, is
// required.
func (c *DealService) Lose(ctx context.Context, actor ID, r LoseDealRequest) (Deal, error) {
	return c.changeDeal(ctx, actor, r.Deal, 0, ActionUpdate, DealLostEvent, r.Notes, func(w *writeTx, f *DealFlow, d *Deal) error {
		if err := f.Lose(d, r.Reason, r.Notes, w.now); err != nil {
			return err
		}
		d.CloseDate = w.today()
		return nil
	})
}

// Reopen reopens a closed deal in the stage it left; by default a
// manager's or an admin's call. Its close date and probability are reset
// to the stage's (none, and the stage's probability) unless the request
// gives them.
func (c *DealService) Reopen(ctx context.Context, actor ID, r ReopenDealRequest) (Deal, error) {
	return c.changeDeal(ctx, actor, r.Deal, 0, ActionRestore, DealReopened, r.Reason, func(w *writeTx, f *DealFlow, d *Deal) error {
		return f.ReopenOn(d, r, w.crm.calendar, w.now)
	})
}

// CorrectClose corrects a closed deal's close date (the day it was won or
// lost) or actual amount, for a reason, which the event keeps: a win
// recorded late then counts in its month. By default a manager's call for
// their team, or an admin's (ActionCorrect); an open deal refuses with a
// *TransitionError.
func (c *DealService) CorrectClose(ctx context.Context, actor ID, r CorrectCloseRequest) (Deal, error) {
	return c.changeDeal(ctx, actor, r.Deal, r.IfVersion, ActionCorrect, DealCloseCorrected, r.Reason, func(w *writeTx, f *DealFlow, d *Deal) error {
		return f.CorrectClose(d, r, w.crm.calendar, w.now)
	})
}

// changeDeal loads a deal and its pipeline, checks the caller's version
// and the policy, applies change and saves the deal with an event.
func (c *engine) changeDeal(ctx context.Context, actor, id ID, ifVersion int64, action Action, typ EventType, note string,
	change func(*writeTx, *DealFlow, *Deal) error) (Deal, error) {
	var out Deal
	err := c.write(ctx, actor, func(w *writeTx) error {
		before, err := w.tx.Deals().Get(ctx, id)
		if err != nil {
			return err
		}
		if err := w.guardRecord(before.target(), before.Customer, ifVersion, before.Version, action); err != nil {
			return err
		}
		f, err := flowOf(ctx, w.tx.Pipelines(), before.Pipeline)
		if err != nil {
			return err
		}
		after := before.Clone()
		if err := change(w, f, &after); err != nil {
			return err
		}
		out, err = w.saveDeal(before, after, typ, note)
		return err
	})
	return out, err
}

// guardRecord checks what every change of a customer's record checks
// first: the actor may see the record (one they may not is not there for
// them), its customer is active and held for the transaction, the
// caller's version is the record's, the policy allows action on it, and
// the customer's processing is not restricted.
func (w *writeTx) guardRecord(t Target, customer ID, ifVersion, version int64, action Action) error {
	if err := w.see(t); err != nil {
		return err
	}
	cu, err := w.touchCustomer(customer)
	if err != nil {
		return err
	}
	if err := checkVersion(t.Kind, t.ID, ifVersion, version); err != nil {
		return err
	}
	if err := w.authorize(action, t); err != nil {
		return err
	}
	return processing(cu, "change the customer's "+string(t.Kind))
}

// saveDeal stores after as the next version of before with an event,
// unless nothing changed.
func (w *writeTx) saveDeal(before, after Deal, typ EventType, note string) (Deal, error) {
	if dealData(before, "") == dealData(after, "") && before.Activities == after.Activities {
		return before, nil
	}
	after.UpdatedAt, after.Version = w.now, before.Version+1
	if err := w.tx.Deals().Update(w.ctx, after); err != nil {
		return Deal{}, err
	}
	return after, w.record(typ, KindDeal, after.ID, after.Version, dealData(after, note))
}

// dealEvent is the payload of deal events: the deal as it now stands.
type dealEvent struct {
	Title       string           `json:"title"`
	Stage       string           `json:"stage"`
	Status      DealStatus       `json:"status"`
	Amount      string           `json:"amount,omitempty"`
	CloseDate   string           `json:"close_date,omitempty"`
	Probability int              `json:"probability"`
	Manual      bool             `json:"manual_probability,omitempty"`
	Category    ForecastCategory `json:"forecast_category,omitempty"`
	LostReason  LostReason       `json:"lost_reason,omitempty"`
	Note        string           `json:"note,omitempty"`
}

func dealData(d Deal, note string) dealEvent {
	amount := ""
	if !d.Amount.Currency().IsZero() {
		amount = d.Amount.String()
	}
	return dealEvent{Title: d.Title, Stage: d.Stage, Status: d.Status, Amount: amount, CloseDate: d.CloseDate.String(),
		Probability: d.Probability, Manual: d.ManualProbability != nil, Category: d.ForecastCategory, LostReason: d.LostReason, Note: note}
}

// Get returns a deal the actor may read.
func (c *DealService) Get(ctx context.Context, actor, id ID) (Deal, error) {
	var out Deal
	err := c.read(ctx, actor, func(tx ReadTx, a User) error {
		d, err := tx.Deals().Get(ctx, id)
		if err != nil {
			return err
		}
		if !c.sees(a, d.target()) {
			return hidden(KindDeal, id)
		}
		out = d
		return nil
	})
	return out, err
}

// List lists the deals matching f that the actor may read, in ID order.
func (c *DealService) List(ctx context.Context, actor ID, f DealFilter) iter.Seq2[Deal, error] {
	list := func(tx ReadTx, a User, p PageRequest) ([]Deal, error) {
		scoped, ok := c.narrowDeals(a, f)
		if !ok {
			return nil, nil
		}
		return tx.Deals().List(ctx, scoped, p)
	}
	keep := func(a User, d Deal) bool { return c.policy.Authorize(a, ActionRead, d.target()) == nil }
	return iterate(readPages(c.engine, ctx, actor, list, func(d Deal) ID { return d.ID }, keep))
}

// narrowDeals restricts a deal listing to the actor's read scope.
func (c *engine) narrowDeals(a User, f DealFilter) (DealFilter, bool) {
	cf, ok := c.narrow(a, CustomerFilter{Owner: f.Owner, Team: f.Team})
	f.Owner, f.Team = cf.Owner, cf.Team
	return f, ok
}
