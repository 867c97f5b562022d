package memory

import (
	"context"

	"github.com/crmkit/crm"
)

// InsertAll implements crm.InteractionRepository: Insert of each, all or
// none. The transaction's own keys are gathered once.
func (r interactionRepo) InsertAll(_ context.Context, ins []crm.Interaction) error {
	keys := map[string]bool{}
	for _, in := range r.t.interactions.mine(func(in crm.Interaction) bool { return in.IdempotencyKey != "" }) {
		keys[in.IdempotencyKey] = true
	}
	for _, in := range ins {
		if _, ok := r.t.interactions.get(in.ID); ok {
			return &crm.ConflictError{Kind: crm.KindInteraction, ID: in.ID.String(), Detail: "already exists"}
		}
		if key := in.IdempotencyKey; key != "" {
			if _, used := r.t.s.idempotency[key]; used || keys[key] {
				return &crm.ConflictError{Kind: crm.KindInteraction, ID: in.ID.String(), Detail: "idempotency key already used"}
			}
			keys[key] = true
		}
	}
	for _, in := range ins {
		r.t.interactions.put(in.ID, in, true)
	}
	return nil
}

// AppendAllEvidence implements crm.LadderRepository.
func (r ladderRepo) AppendAllEvidence(_ context.Context, evidence []crm.Evidence) error {
	for _, ev := range evidence {
		if _, ok := r.t.evidence.get(ev.ID); ok {
			return &crm.ConflictError{Kind: crm.KindEvidence, ID: ev.ID.String(), Detail: "already exists"}
		}
	}
	for _, ev := range evidence {
		if err := appendNew(r.t.evidence, crm.KindEvidence, ev.ID, ev); err != nil {
			return err
		}
	}
	return nil
}

// SaveStates implements crm.LadderRepository.
func (r ladderRepo) SaveStates(_ context.Context, states []crm.StateSave) error {
	for _, s := range states {
		var stored int64
		if old, ok := r.t.states.get(s.State.Customer); ok {
			stored = old.Version
		}
		if stored != s.Replaces || s.State.Version <= s.Replaces {
			return &crm.ConflictError{Kind: crm.KindLadderState, ID: s.State.Customer.String(), Expected: s.Replaces, Actual: stored}
		}
	}
	for _, s := range states {
		r.t.states.put(s.State.Customer, s.State, s.Replaces == 0)
	}
	return nil
}
