package crm

import (
	"context"
	"errors"
	"iter"
	"time"
)

// applyEvidence weighs a piece of evidence in the transaction: it loads
// the customer's ladder state, applies the rules, and saves the state, the
// evidence and the moves, recording an event per move. Evidence that
// arrived late (not after the state's time) is weighed in the order it
// happened: the customer's evidence is replayed with it, and the moves
// from its time on are replaced (replayLate).
func (w *writeTx) applyEvidence(ev Evidence) ([]LadderMove, error) {
	id, err := w.newID()
	if err != nil {
		return nil, err
	}
	ev.ID = id
	st, err := w.tx.Ladder().State(w.ctx, ev.Customer)
	if errors.Is(err, ErrNotFound) {
		cu, cerr := w.customer(ev.Customer)
		if cerr != nil {
			return nil, cerr
		}
		start := minTime(cu.CreatedAt, ev.At) // evidence imported from before the customer was
		st, err = LadderState{Customer: cu.ID, Stage: ladderMachine.Initial(), Since: start, UpdatedAt: start}, nil
	}
	if err != nil {
		return nil, err
	}
	if ev.At.Equal(w.now) {
		ev.Arrival = st.Evidence + 1 // the state's version makes it the customer's alone
	}
	var next LadderState
	var moves []LadderMove
	late, err := w.arrivedLate(st, ev)
	if err != nil {
		return nil, err
	}
	if late {
		next, moves, err = w.replayLate(st, ev)
	} else {
		next, moves, err = w.crm.rules.Apply(st, ev)
	}
	if err != nil {
		return nil, err
	}
	next.Customer, next.Version = ev.Customer, st.Version+1
	if err := w.tx.Ladder().SaveState(w.ctx, next); err != nil {
		return nil, err
	}
	if err := w.tx.Ladder().AppendEvidence(w.ctx, ev); err != nil {
		return nil, err
	}
	return moves, w.saveMoves(st, next, moves)
}

// saveMoves appends the moves that took the customer from st to next,
// records an event for each, and makes a new advocate an evangelist.
func (w *writeTx) saveMoves(st, next LadderState, moves []LadderMove) error {
	var err error
	for i := range moves {
		if moves[i].ID, err = w.newID(); err != nil {
			return err
		}
		moves[i].Customer = next.Customer
		if err := w.record(LadderMoved, KindLadderState, next.Customer, next.Version, ladderMoveData(moves[i])); err != nil {
			return err
		}
	}
	if len(moves) > 0 {
		if err := w.tx.Ladder().AppendMoves(w.ctx, moves); err != nil {
			return err
		}
	}
	if next.Stage == Advocate && st.Stage != Advocate {
		return w.advanceLifecycle(next.Customer, LifecycleEvangelist, "became an advocate on the loyalty ladder")
	}
	return nil
}

// ladderMoveEvent is the payload of a LadderMoved event.
type ladderMoveEvent struct {
	From     LoyaltyStage `json:"from"`
	To       LoyaltyStage `json:"to"`
	Move     LadderEvent  `json:"move"`
	Score    int64        `json:"score"`
	Evidence EvidenceKind `json:"evidence"`
	Source   string       `json:"source,omitempty"`
	Reason   string       `json:"reason"`
}

func ladderMoveData(m LadderMove) ladderMoveEvent {
	src := ""
	if !m.Evidence.SourceID.IsZero() {
		src = string(m.Evidence.Source) + "/" + m.Evidence.SourceID.String()
	}
	return ladderMoveEvent{From: m.From, To: m.To, Move: m.Event, Score: m.ScoreAfter / 1000,
		Evidence: m.Evidence.Kind, Source: src, Reason: m.Reason}
}

// RecordEvidence weighs evidence that comes from outside the CRM: a
// purchase, a referral, the customer leaving (churn), or an experience
// recorded elsewhere. Evidence from interactions and cases is recorded by
// ExperienceService.RecordInteraction and the CaseService, and evidence
// from deals, payments, dunning and contracts as FactEvidence says. It
// returns the ladder moves the evidence caused.
//
// Churn by hand needs the churn grant besides record (DefaultPolicy: a
// manager for their team, or an admin). A referral names the customer it
// brought (Referred, an existing customer other than the referrer) and
// credits the referrer, once per referred customer: a second referral of
// the same customer by the same referrer is a *ConflictError.
func (c *LadderService) RecordEvidence(ctx context.Context, actor ID, n NewEvidence) ([]LadderMove, error) {
	ev := n.evidence()
	var moves []LadderMove
	err := c.write(ctx, actor, func(w *writeTx) error {
		cu, err := w.tx.Customers().Get(ctx, ev.Customer)
		if err != nil {
			return err
		}
		if err := w.authorize(ActionRecord, cu.target()); err != nil {
			return err
		}
		if err := processing(cu, "record ladder evidence"); err != nil {
			return err
		}
		if ev.Kind == EvidenceChurn {
			if err := w.authorize(ActionChurn, cu.target()); err != nil {
				return err
			}
		}
		if err := w.referral(n, &ev); err != nil {
			return err
		}
		if ev.Note, err = cleanText("note", ev.Note, maxLongTextLen, false); err != nil {
			return err
		}
		if ev.At.IsZero() {
			ev.At = w.now
		}
		if ev.At.After(w.now) {
			return invalid("at", "not_future", "")
		}
		ev.At = ev.At.UTC().Truncate(time.Microsecond)
		if ev.Source == "" && ev.Touchpoint != "" {
			tp, err := w.touchpoint(ev.Map, ev.Touchpoint)
			if err != nil {
				return err
			}
			ev.Weight = tp.Weight
		}
		if moves, err = w.applyEvidence(ev); err != nil {
			return err
		}
		return w.record(EvidenceRecorded, KindCustomer, cu.ID, cu.Version, evidenceData{Kind: ev.Kind, At: ev.At, Note: ev.Note, Referred: n.Referred})
	})
	return moves, err
}

// referral checks the referral in n and makes its referred customer the
// evidence's source.
func (w *writeTx) referral(n NewEvidence, ev *Evidence) error {
	if err := n.referral(ev); err != nil || ev.Kind != EvidenceReferral {
		return err
	}
	if _, err := w.tx.Customers().Get(w.ctx, n.Referred); err != nil {
		return err
	}
	done, err := w.weighed(ev.Customer, ev.Source, ev.SourceID)
	if err == nil && done {
		err = stale{&ConflictError{Kind: KindEvidence, ID: n.Referred.String(), Detail: "the referrer was credited for this customer already"}}
	}
	return err
}

type evidenceData struct {
	Kind     EvidenceKind `json:"kind"`
	At       time.Time    `json:"at"`
	Note     string       `json:"note,omitempty"`
	Referred ID           `json:"referred,omitzero"`
}

// State returns where a customer stands on the loyalty ladder now: the
// stored state moved as fading has moved it since (LadderRules.Fade),
// whether or not CheckFading has run yet, with the score faded to now.
func (c *LadderService) State(ctx context.Context, actor, customer ID) (LadderState, error) {
	var out LadderState
	err := c.readCustomer(ctx, actor, customer, func(tx ReadTx, cu Customer) error {
		st, err := tx.Ladder().State(ctx, customer)
		if errors.Is(err, ErrNotFound) {
			out = LadderState{Customer: customer, Stage: ladderMachine.Initial(), Since: cu.CreatedAt, UpdatedAt: cu.CreatedAt}
			return nil
		}
		if err != nil {
			return err
		}
		now := c.now()
		out, _ = c.rules.Fade(st, now)
		out.Score = c.rules.decay(out.Score, out.UpdatedAt, now)
		return nil
	})
	return out, err
}

// History returns a customer's moves on the ladder, oldest first, each
// with the reason and a reference to the evidence that caused it
// (LadderMove.Evidence): its ID, kind, source and touchpoint. The
// evidence itself is read with Evidence.
func (c *LadderService) History(ctx context.Context, actor, customer ID) ([]LadderMove, error) {
	var out []LadderMove
	err := c.readCustomer(ctx, actor, customer, func(tx ReadTx, _ Customer) error {
		var err error
		out, err = tx.Ladder().Moves(ctx, customer)
		return err
	})
	return out, err
}

// Evidence returns a customer's ladder evidence in the order it was
// weighed: the evidence the customer's moves reference by ID
// (LadderMove.Evidence.ID), with everything it says.
func (c *LadderService) Evidence(ctx context.Context, actor, customer ID) ([]Evidence, error) {
	var out []Evidence
	err := c.readCustomer(ctx, actor, customer, func(tx ReadTx, _ Customer) error {
		var err error
		out, err = tx.Ladder().Evidence(ctx, customer)
		return err
	})
	return out, err
}

// ReplayQuery asks how Customer's ladder would look under Rules.
type ReplayQuery struct {
	Customer ID          `json:"customer,omitzero"`
	Rules    LadderRules `json:"rules,omitzero"`
}

// Replay is a ladder replayed under other rules: where the customer would
// stand and the moves that would have taken them there.
type Replay struct {
	State LadderState  `json:"state,omitzero"`
	Moves []LadderMove `json:"moves,omitempty"`
}

// Replay replays a customer's evidence under other rules, without saving
// anything: what the ladder would look like if the thresholds or weights
// were different. The evidence is weighed in the order it happened, and
// the moves fading caused up to now are included, as CheckFading records
// them. With the CRM's own rules it gives back the stored state and moves
// (IDs and versions aside) once CheckFading has run.
func (c *LadderService) Replay(ctx context.Context, actor ID, q ReplayQuery) (Replay, error) {
	customer, rules := q.Customer, q.Rules
	if err := rules.Check(); err != nil {
		return Replay{}, err
	}
	rules = rules.WithCESScale(c.rules.CESScale()).WithCalendar(c.calendar) // the answers were asked on the CRM's scale, the days are the CRM's
	var st LadderState
	var moves []LadderMove
	err := c.readCustomer(ctx, actor, customer, func(tx ReadTx, cu Customer) error {
		evidence, err := tx.Ladder().Evidence(ctx, customer)
		if err != nil {
			return err
		}
		st, moves, err = rules.Replay(cu.CreatedAt, evidence)
		if err != nil {
			return err
		}
		var faded []LadderMove
		st, faded = rules.Fade(st, c.now())
		moves = append(moves, faded...)
		st.Customer = customer
		return nil
	})
	return Replay{State: st, Moves: moves}, err
}

// DistributionQuery asks how many customers stood on each rung At a time,
// past or present (zero: now).
type DistributionQuery struct {
	At time.Time `json:"at,omitzero"`
}

// Distribution counts the customers on each rung at a time: every rung
// from annoyed to advocate, then lost.
func (c *LadderService) Distribution(ctx context.Context, actor ID, q DistributionQuery) ([]StageCount, error) {
	at := cmpOr(q.At, c.now())
	var out []StageCount
	err := c.analyze(ctx, actor, func(tx ReadTx) error {
		var err error
		out, err = tx.Analytics().LadderDistribution(ctx, at.UTC())
		return err
	})
	return out, err
}

// MoversQuery asks for the ladder moves made in [From, To).
type MoversQuery struct {
	From time.Time `json:"from,omitzero"`
	To   time.Time `json:"to,omitzero"`
}

// Movers lists the moves on the ladder made in [From, To), with their
// reasons: who rose and who slid, and why. It is for those who may
// analyze, and keeps to the customers they may read and whose processing
// is not restricted.
func (c *LadderService) Movers(ctx context.Context, actor ID, q MoversQuery) iter.Seq2[LadderMove, error] {
	from, to := q.From, q.To
	read := func(after ID, limit int) (out []LadderMove, next ID, err error) {
		err = c.read(ctx, actor, func(tx ReadTx, a User) error {
			if err := c.policy.Authorize(a, ActionAnalyze, Target{Kind: KindLadderMove}); err != nil {
				return err
			}
			see := c.visibility(ctx, tx, a)
			var seeErr error
			keep := func(m LadderMove) bool {
				ok, err := see(m.Customer)
				if err != nil && seeErr == nil {
					seeErr = err
				}
				return ok
			}
			list := func(p PageRequest) ([]LadderMove, error) {
				if seeErr != nil {
					return nil, seeErr
				}
				return tx.Ladder().MovesBetween(ctx, from, to, p)
			}
			out, next, err = keyset(list, func(m LadderMove) ID { return m.ID }, keep, after, limit)
			if err == nil {
				err = seeErr
			}
			return err
		})
		return out, next, err
	}
	return iterate(read)
}

// readCustomer runs fn as an actor who may read the customer.
func (c *engine) readCustomer(ctx context.Context, actor, customer ID, fn func(tx ReadTx, cu Customer) error) error {
	return c.read(ctx, actor, func(tx ReadTx, a User) error {
		cu, err := tx.Customers().Get(ctx, customer)
		if err != nil {
			return err
		}
		if !c.sees(a, cu.target()) {
			return hidden(KindCustomer, customer)
		}
		return fn(tx, cu)
	})
}

// analyze runs fn as an actor who may read statistics.
func (c *engine) analyze(ctx context.Context, actor ID, fn func(ReadTx) error) error {
	return c.read(ctx, actor, func(tx ReadTx, a User) error {
		if err := c.policy.Authorize(a, ActionAnalyze, Target{Kind: KindInteraction}); err != nil {
			return err
		}
		return fn(tx)
	})
}
