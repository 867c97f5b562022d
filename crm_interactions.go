package crm

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// RecordInteraction records a contact at a touchpoint and weighs it on
// the customer's loyalty ladder, in one transaction. It returns the
// interaction and the ladder moves it caused.
//
// With an IdempotencyKey, a retry of the same request returns the first
// recording and no moves, and writes nothing; the same key with a
// different request is an *IdempotencyError. Contacts may be recorded
// late (At before earlier recordings): the journey puts them in their
// place, and the ladder weighs them as of its latest evidence.
func (c *ExperienceService) RecordInteraction(ctx context.Context, actor ID, n NewInteraction) (Recorded, error) {
	out, err := c.RecordInteractions(ctx, actor, []NewInteraction{n})
	if err != nil {
		return Recorded{}, err
	}
	return out[0], nil
}

// Recorded is what recording an interaction did: the interaction and the
// ladder moves it caused.
type Recorded struct {
	Interaction Interaction  `json:"interaction,omitzero"`
	Moves       []LadderMove `json:"moves,omitempty"`
	Duplicate   bool         `json:"duplicate,omitempty"` // an earlier recording with the same idempotency key
}

// maxBatch bounds a batch of recordings in one transaction.
const maxBatch = 10_000

// RecordInteractions records many contacts in one transaction: all or
// none. It is how an import or a contact-center feed records in bulk.
// Each item is recorded as RecordInteraction records it, in order, with
// its own idempotency key; the batch reads its customers, ladder states
// and keys once and writes in a few statements of many rows. With more
// than one item, an item refused is a *BatchError naming it, and nothing
// is written.
func (c *ExperienceService) RecordInteractions(ctx context.Context, actor ID, batch []NewInteraction) ([]Recorded, error) {
	if len(batch) == 0 || len(batch) > maxBatch {
		return nil, invalid("interactions", "range", fmt.Sprintf("1-%d per batch", maxBatch))
	}
	var out []Recorded
	failed := -1
	var checks CheckRequest
	if len(batch) == 1 {
		checks = CheckRequest{Customer: batch[0].Customer, Map: batch[0].Map, Touchpoint: batch[0].Touchpoint}
	}
	err := c.writeChecked(ctx, actor, checks, func(w *writeTx) error {
		out, failed = make([]Recorded, 0, len(batch)), -1 // a conflict retries the whole write
		if len(batch) == 1 {
			r, err := w.recordInteraction(batch[0])
			out = append(out, r)
			return err
		}
		// The batch reads what its recordings read once, and writes what
		// they write in bulk (batchView).
		v, err := readAhead(ctx, w.tx, c.rules, batch)
		if err != nil {
			return err
		}
		tx := w.tx
		w.tx = v
		defer func() { w.tx = tx }()
		for i, n := range batch {
			r, err := w.recordInteraction(n)
			if err != nil {
				failed = i
				return err
			}
			out = append(out, r)
		}
		if err := v.flush(); err != nil {
			return err
		}
		return v.failed
	})
	switch {
	case err != nil && failed >= 0:
		return nil, &BatchError{Batch: "interactions", Index: failed, Err: err}
	case err != nil:
		return nil, err
	}
	return out, nil
}

func (w *writeTx) recordInteraction(n NewInteraction) (Recorded, error) {
	ctx := w.ctx
	cu, err := w.customerHead(n.Customer)
	if err != nil {
		return Recorded{}, err
	}
	if err := w.authorize(ActionRecord, cu.target()); err != nil {
		return Recorded{}, err
	}
	if err := processing(cu, "record an interaction"); err != nil {
		return Recorded{}, err
	}
	if n.IdempotencyKey, err = cleanText("idempotency_key", n.IdempotencyKey, maxNameLen, false); err != nil {
		return Recorded{}, err
	}
	if n.IdempotencyKey != "" {
		prev, err := w.tx.Interactions().ByIdempotencyKey(ctx, n.IdempotencyKey)
		switch {
		case err == nil && prev.RequestHash == n.hash():
			return Recorded{Interaction: prev, Duplicate: true}, nil
		case err == nil:
			return Recorded{}, stale{&IdempotencyError{Key: n.IdempotencyKey, Existing: prev.ID}}
		case !errors.Is(err, ErrNotFound):
			return Recorded{}, err
		}
	}
	tp, err := w.touchpoint(n.Map, n.Touchpoint)
	if err != nil {
		return Recorded{}, err
	}
	id, err := w.newID()
	if err != nil {
		return Recorded{}, err
	}
	in, err := n.build(id, tp, w.actor.ID, w.now, w.crm.rules.CESScale())
	if err != nil {
		return Recorded{}, err
	}
	in.Day = w.crm.calendar.DateOf(in.At)
	if !in.Case.IsZero() {
		if err := w.countContact(in); err != nil {
			return Recorded{}, err
		}
	}
	if err := w.tx.Interactions().Insert(ctx, in); err != nil {
		return Recorded{}, err
	}
	if err := w.record(InteractionRecorded, KindInteraction, in.ID, 1, interactionData(in)); err != nil {
		return Recorded{}, err
	}
	repeats, err := w.repeats(in)
	if err != nil {
		return Recorded{}, err
	}
	moves, err := w.applyEvidence(Evidence{
		Customer: in.Customer, Kind: EvidenceExperience, At: in.At, Source: KindInteraction, SourceID: in.ID,
		Map: in.Map, Touchpoint: in.Touchpoint, Weight: tp.Weight, Sentiment: in.Sentiment, Survey: in.Survey.clone(),
		Transfers: len(in.Transfers), Breached: in.AnswerBreached || in.CSATBreached, Resolved: in.Resolved,
		Direction: in.Direction, Repeats: repeats,
	})
	return Recorded{Interaction: in, Moves: moves}, err
}

// repeats counts the customer's inbound contacts about the same matter
// as in within the rules' RepeatWindow before it: those of the same case,
// or, for a contact without a case, those at the same touchpoint without
// a case. An outbound contact repeats nothing.
func (w *writeTx) repeats(in Interaction) (int, error) {
	window := w.crm.rules.RepeatWindow
	if in.Direction != Inbound || window <= 0 || w.crm.rules.Repeat == 0 {
		return 0, nil
	}
	// The contact itself, at in.At, is after the window.
	return w.tx.Interactions().Repeats(w.ctx, in.Customer, in.Case, in.Touchpoint, in.At.Add(-window), in.At)
}

// countContact adds a contact and its transfers to the case it belongs to.
func (w *writeTx) countContact(in Interaction) error {
	cs, err := w.tx.Cases().Get(w.ctx, in.Case)
	if err != nil {
		return fmt.Errorf("case: %w", err)
	}
	if cs.Customer != in.Customer {
		return invalid("case", "same_customer", "the case belongs to another customer")
	}
	cs.Contacts++
	cs.Handoffs += len(in.Transfers)
	cs.UpdatedAt, cs.Version = w.now, cs.Version+1
	return w.tx.Cases().Update(w.ctx, cs)
}

// interactionEvent is the payload of an InteractionRecorded event.
type interactionEvent struct {
	Customer   ID        `json:"customer"`
	Touchpoint string    `json:"touchpoint"`
	At         time.Time `json:"at"`
	Direction  Direction `json:"direction"`
	Resolved   bool      `json:"resolved"`
	Transfers  int       `json:"transfers,omitempty"`
	Sentiment  Sentiment `json:"sentiment"`
	Survey     Survey    `json:"survey"`
	Case       string    `json:"case,omitempty"`
}

func interactionData(in Interaction) interactionEvent {
	return interactionEvent{Customer: in.Customer, Touchpoint: in.Touchpoint, At: in.At, Direction: in.Direction,
		Resolved: in.Resolved, Transfers: len(in.Transfers), Sentiment: in.Sentiment, Survey: in.Survey, Case: idText(in.Case)}
}

// Journey returns a customer's journey through the touchpoints, in the
// order the contacts happened.
func (c *ExperienceService) Journey(ctx context.Context, actor, customer ID) (Journey, error) {
	var out Journey
	err := c.readCustomer(ctx, actor, customer, func(tx ReadTx, _ Customer) error {
		ins, err := tx.Interactions().ForCustomer(ctx, customer)
		out = NewJourney(customer, ins)
		return err
	})
	return out, err
}

// JourneyQuery names a customer's journey and the template to lay it over.
type JourneyQuery struct {
	Customer ID `json:"customer,omitzero"`
	Template ID `json:"template,omitzero"`
}

// CompareJourney lays a customer's journey over a template.
func (c *ExperienceService) CompareJourney(ctx context.Context, actor ID, q JourneyQuery) (JourneyComparison, error) {
	customer, template := q.Customer, q.Template
	var out JourneyComparison
	err := c.readCustomer(ctx, actor, customer, func(tx ReadTx, _ Customer) error {
		t, err := tx.JourneyTemplates().Get(ctx, template)
		if err != nil {
			return err
		}
		ins, err := tx.Interactions().ForCustomer(ctx, customer)
		out = t.Compare(NewJourney(customer, ins))
		return err
	})
	return out, err
}
