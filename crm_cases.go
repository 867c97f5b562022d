package crm

import (
	"context"
	"fmt"
	"time"
)

// CaseChange is what a case command did: the case as it now is and the
// ladder moves it caused.
type CaseChange struct {
	Case  Case         `json:"case,omitzero"`
	Moves []LadderMove `json:"moves,omitempty"`
}

// Open opens a case at a touchpoint. A complaint weighs on the customer's
// ladder at once.
func (c *CaseService) Open(ctx context.Context, actor ID, n NewCase) (CaseChange, error) {
	var out Case
	var moves []LadderMove
	err := c.write(ctx, actor, func(w *writeTx) error {
		// Held, as every write that adds to a customer's work in progress:
		// a hand-over running meanwhile moves the new case too, or comes
		// first.
		cu, err := w.tx.Customers().Hold(ctx, n.Customer)
		if err != nil {
			return err
		}
		if err := w.authorize(ActionRecord, cu.target()); err != nil {
			return err
		}
		if err := processing(cu, "open a case"); err != nil {
			return err
		}
		tp, err := w.touchpoint(n.Map, n.Touchpoint)
		if err != nil {
			return err
		}
		id, err := w.newID()
		if err != nil {
			return err
		}
		if out, err = n.build(id, tp, w.now); err != nil {
			return err
		}
		out.OpenedDay = w.crm.calendar.DateOf(out.OpenedAt)
		if out.ResolveWithin > 0 && w.crm.rules.OverdueSteps > 0 {
			out.NextOverdue = out.OpenedAt.Add(out.ResolveWithin)
		}
		if err := w.tx.Cases().Insert(ctx, out); err != nil {
			return err
		}
		if err := w.record(CaseOpenedEvent, KindCase, id, 1, caseData(out, "", "")); err != nil {
			return err
		}
		if out.Kind == Complaint {
			moves, err = w.applyEvidence(caseEvidence(out, EvidenceComplaint, out.OpenedAt))
		}
		return err
	})
	return CaseChange{Case: out, Moves: moves}, err
}

// StartCaseRequest marks that someone works on Case.
type StartCaseRequest struct {
	Case ID `json:"case,omitzero"`
}

// Start marks that someone works on the case.
func (c *CaseService) Start(ctx context.Context, actor ID, r StartCaseRequest) (CaseChange, error) {
	return c.moveCase(ctx, actor, r.Case, CaseStart, "", func(_ *writeTx, cs Case) (Case, error) { return cs, nil })
}

// HandOffRequest gives Case to another Department, for Reason.
type HandOffRequest struct {
	Case       ID     `json:"case,omitzero"`
	Department string `json:"department,omitempty"`
	Reason     string `json:"reason,omitempty"`
}

// HandOff gives the case to another department and counts the hand-off.
// Every hand-off after the first weighs on the customer's ladder as it
// happens (LadderRules.Transfer): a customer passed around is not kept
// waiting for the resolution to count it.
func (c *CaseService) HandOff(ctx context.Context, actor ID, r HandOffRequest) (CaseChange, error) {
	return c.moveCase(ctx, actor, r.Case, CaseHandOff, r.Reason, func(w *writeTx, cs Case) (Case, error) {
		d, err := cleanText("department", r.Department, maxShortTextLen, true)
		if err != nil {
			return Case{}, err
		}
		from := cs.Department
		cs.Department, cs.Handoffs = d, cs.Handoffs+1
		ev := caseEvidence(cs, EvidenceHandoff, w.now)
		ev.Note = "from " + cmpOr(from, "(none)") + " to " + d
		if err := w.weigh(ev); err != nil {
			return Case{}, err
		}
		return cs, nil
	})
}

// ResolveCaseRequest settles Case: how (Note), when (At, default now) and
// the customer's answer about the resolution (CSAT 1-5), if asked.
type ResolveCaseRequest struct {
	Case ID        `json:"case,omitzero"`
	Note string    `json:"note,omitempty"`
	At   time.Time `json:"at,omitzero"`
	CSAT *int      `json:"csat,omitempty"`
}

// Resolve settles a case. The case is judged against its touchpoint's
// ResolveWithin and against its promise; a complaint resolved well and
// quickly lifts the customer (service recovery), a promise broken drops
// them to annoyed.
func (c *CaseService) Resolve(ctx context.Context, actor ID, r ResolveCaseRequest) (CaseChange, error) {
	return c.moveCase(ctx, actor, r.Case, CaseResolve, r.Note, func(w *writeTx, cs Case) (Case, error) {
		if err := (Survey{CSAT: r.CSAT}).check("csat", CESScale{}); err != nil {
			return Case{}, err
		}
		at := cmpOr(r.At, w.now).UTC().Truncate(time.Microsecond)
		if at.After(w.now) {
			return Case{}, invalid("at", "not_future", "")
		}
		wasBroken := cs.PromiseBroken
		cs, err := cs.resolve(at, r.Note)
		if err != nil {
			return Case{}, err
		}
		if cs.PromiseBroken && !wasBroken {
			if err := w.brokenPromise(cs); err != nil {
				return Case{}, err
			}
		}
		if cs.Kind == Complaint {
			ev := caseEvidence(cs, EvidenceResolution, at)
			ev.Survey = Survey{CSAT: r.CSAT}
			if err := w.weigh(ev); err != nil {
				return Case{}, err
			}
		}
		return cs, nil
	})
}

// ReopenCaseRequest reopens the resolved Case, for Reason.
type ReopenCaseRequest struct {
	Case   ID     `json:"case,omitzero"`
	Reason string `json:"reason,omitempty"`
}

// Reopen reopens a resolved case and counts the reopen.
func (c *CaseService) Reopen(ctx context.Context, actor ID, r ReopenCaseRequest) (CaseChange, error) {
	return c.moveCase(ctx, actor, r.Case, CaseReopen, r.Reason, func(_ *writeTx, cs Case) (Case, error) {
		cs.Reopens++
		cs.ResolvedAt = time.Time{}
		return cs, nil
	})
}

// CloseCaseRequest closes the resolved Case.
type CloseCaseRequest struct {
	Case ID `json:"case,omitzero"`
}

// Close closes a resolved case.
func (c *CaseService) Close(ctx context.Context, actor ID, r CloseCaseRequest) (CaseChange, error) {
	return c.moveCase(ctx, actor, r.Case, CaseClose, "", func(w *writeTx, cs Case) (Case, error) {
		cs.ClosedAt = w.now
		return cs, nil
	})
}

// PromiseReport says what a check of promises found: how many promises
// had broken and the ladder moves that followed.
type PromiseReport struct {
	Broken int          `json:"broken"`
	Moves  []LadderMove `json:"moves,omitempty"`
}

// CheckPromises finds the open cases whose promised date has passed,
// marks each promise broken, and drops its customer to annoyed: a customer
// left without an answer is not kept waiting unnoticed. Run it
// periodically.
func (c *CaseService) CheckPromises(ctx context.Context, actor ID) (PromiseReport, error) {
	var out PromiseReport
	err := c.write(ctx, actor, func(w *writeTx) error {
		out, w.moves = PromiseReport{}, nil
		page := PageRequest{Limit: MaxPageSize}
		for {
			due, err := w.tx.Cases().List(ctx, CaseFilter{PromiseDueBefore: w.now}, page)
			if err != nil {
				return err
			}
			for _, cs := range due {
				if err := w.authorize(ActionRecord, Target{Kind: KindCase, ID: cs.ID}); err != nil {
					return err
				}
				cs.PromiseBroken = true
				if _, err := w.saveCase(cs, CasePromiseBroken, caseData(cs, "", "promise due "+cs.PromisedBy.Format(time.RFC3339))); err != nil {
					return err
				}
				if err := w.brokenPromise(cs); err != nil {
					return err
				}
				out.Broken++
			}
			if len(due) < page.Limit {
				out.Moves = w.moves
				return nil
			}
			page.After = due[len(due)-1].ID
		}
	})
	return out, err
}

// OverdueReport says what a sweep of open cases found: how many steps
// past their standard it weighed, and the ladder moves that followed.
type OverdueReport struct {
	Overdue int          `json:"overdue"`
	Moves   []LadderMove `json:"moves,omitempty"`
}

// CheckOverdue finds the open cases past their touchpoint's service
// standard (ResolveWithin) and weighs each on its customer's ladder: once
// when the standard passes and again every LadderRules.OverdueEvery the
// case stays open, at most OverdueSteps times, each step as evidence at
// the time it fell due with the reason (how long the case has been open,
// the standard, the business day it fell due on by the CRM's calendar).
// A customer left without an answer is not kept waiting unnoticed until
// the case is resolved. It is idempotent: each step is weighed once, by
// the CRM's clock, however often it runs. Run it periodically, like
// CheckPromises.
func (c *CaseService) CheckOverdue(ctx context.Context, actor ID) (OverdueReport, error) {
	var out OverdueReport
	err := c.write(ctx, actor, func(w *writeTx) error {
		out, w.moves = OverdueReport{}, nil
		rules := w.crm.rules
		page := PageRequest{Limit: MaxPageSize}
		for {
			due, err := w.tx.Cases().List(ctx, CaseFilter{OverdueBefore: w.now}, page)
			if err != nil {
				return err
			}
			for _, cs := range due {
				if err := w.authorize(ActionRecord, Target{Kind: KindCase, ID: cs.ID}); err != nil {
					return err
				}
				for !cs.NextOverdue.IsZero() && cs.NextOverdue.Before(w.now) {
					at := cs.NextOverdue
					cs.OverdueSteps++
					cs.NextOverdue = time.Time{}
					if cs.OverdueSteps < rules.OverdueSteps && rules.OverdueEvery > 0 {
						cs.NextOverdue = at.Add(rules.OverdueEvery)
					}
					ev := caseEvidence(cs, EvidenceOverdue, at)
					ev.Resolution = at.Sub(cs.OpenedAt) - cs.ResolveWithin
					ev.Note = fmt.Sprintf("standard %s, due %s", shortDuration(cs.ResolveWithin),
						w.crm.calendar.DateOf(cs.OpenedAt.Add(cs.ResolveWithin)))
					if err := w.weigh(ev); err != nil {
						return err
					}
					out.Overdue++
				}
				if _, err := w.saveCase(cs, CaseOverdue, caseData(cs, "", fmt.Sprintf("overdue step %d", cs.OverdueSteps))); err != nil {
					return err
				}
			}
			if len(due) < page.Limit {
				out.Moves = w.moves
				return nil
			}
			page.After = due[len(due)-1].ID
		}
	})
	return out, err
}

// brokenPromise weighs a broken promise on the customer's ladder.
func (w *writeTx) brokenPromise(cs Case) error {
	at := cs.PromisedBy
	if !cs.ResolvedAt.IsZero() {
		at = cs.ResolvedAt
	}
	ev := caseEvidence(cs, EvidenceBrokenPromise, at)
	ev.Note = "promised by " + cs.PromisedBy.Format(time.RFC3339)
	return w.weigh(ev)
}

// weigh applies evidence the CRM draws on its own (a fact of its
// records, a broken promise) and keeps the moves for the caller; for a
// restricted customer it weighs nothing (see Restrict).
func (w *writeTx) weigh(ev Evidence) error {
	cu, err := w.customer(ev.Customer)
	if err != nil || cu.Restricted() {
		return err
	}
	moves, err := w.applyEvidence(ev)
	w.moves = append(w.moves, moves...)
	return err
}

// moveCase loads a case, moves it through the case machine, applies
// change, and saves it with an event; it returns the ladder moves the
// change caused.
func (c *engine) moveCase(ctx context.Context, actor, id ID, move CaseEvent, note string, change func(*writeTx, Case) (Case, error)) (CaseChange, error) {
	var out Case
	var moves []LadderMove
	err := c.write(ctx, actor, func(w *writeTx) error {
		before, err := w.tx.Cases().Get(ctx, id)
		if err != nil {
			return err
		}
		cu, err := w.tx.Customers().Get(ctx, before.Customer)
		if err != nil {
			return err
		}
		if err := w.authorize(ActionRecord, cu.target()); err != nil {
			return err
		}
		if err := processing(cu, "move a case"); err != nil {
			return err
		}
		status, err := caseMachine.Next(before.Status, move)
		if err != nil {
			return err
		}
		w.moves = nil
		after, err := change(w, before)
		if err != nil {
			return err
		}
		after.Status = status
		out, err = w.saveCase(after, CaseMoved, caseData(after, move, note))
		moves = w.moves
		return err
	})
	return CaseChange{Case: out, Moves: moves}, err
}

// saveCase stores cs, loaded at its current version, as the next version
// and records the event.
func (w *writeTx) saveCase(cs Case, typ EventType, data caseEvent) (Case, error) {
	cs.UpdatedAt, cs.Version = w.now, cs.Version+1
	if err := w.tx.Cases().Update(w.ctx, cs); err != nil {
		return Case{}, err
	}
	return cs, w.record(typ, KindCase, cs.ID, cs.Version, data)
}

func caseEvidence(cs Case, kind EvidenceKind, at time.Time) Evidence {
	return Evidence{Customer: cs.Customer, Kind: kind, At: at, Source: KindCase, SourceID: cs.ID, Map: cs.Map,
		Touchpoint: cs.Touchpoint, Resolution: cs.TimeToResolution(), WithinStandard: cs.ResolveWithin > 0 && !cs.ResolveBreached,
		Handoffs: cs.Handoffs, Reopens: cs.Reopens, Breached: kind == EvidenceResolution && cs.ResolveBreached,
		PromiseBroken: kind == EvidenceResolution && cs.PromiseBroken}
}

// caseEvent is the payload of case events.
type caseEvent struct {
	Customer   ID         `json:"customer"`
	Kind       CaseKind   `json:"kind"`
	Status     CaseStatus `json:"status"`
	Move       CaseEvent  `json:"move,omitempty"`
	Department string     `json:"department,omitempty"`
	Note       string     `json:"note,omitempty"`
	Handoffs   int        `json:"handoffs"`
	Reopens    int        `json:"reopens"`
}

func caseData(cs Case, move CaseEvent, note string) caseEvent {
	return caseEvent{Customer: cs.Customer, Kind: cs.Kind, Status: cs.Status, Move: move, Department: cs.Department,
		Note: note, Handoffs: cs.Handoffs, Reopens: cs.Reopens}
}

// Get returns a case of a customer the actor may read.
func (c *CaseService) Get(ctx context.Context, actor, id ID) (Case, error) {
	var out Case
	err := c.read(ctx, actor, func(tx ReadTx, a User) error {
		cs, err := tx.Cases().Get(ctx, id)
		if err != nil {
			return err
		}
		cu, err := tx.Customers().Get(ctx, cs.Customer)
		if err != nil {
			return err
		}
		if !c.sees(a, cu.target()) {
			return hidden(KindCase, id)
		}
		out = cs
		return nil
	})
	return out, err
}
