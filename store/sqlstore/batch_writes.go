package sqlstore

import (
	"context"

	"github.com/crmkit/crm"
)

// The writes of a batch: many rows to a statement. A row whose ID or
// idempotency key is taken is left out (ON CONFLICT DO NOTHING, which
// keeps a PostgreSQL transaction usable) and makes the batch a
// *crm.ConflictError: the caller's transaction then rolls back.

// InsertAll implements crm.InteractionRepository.
func (r interactionRepo) InsertAll(ctx context.Context, ins []crm.Interaction) error {
	return r.insertNew(ctx, ins, "an ID or idempotency key already used")
}

// AppendAllEvidence implements crm.LadderRepository.
func (r ladderRepo) AppendAllEvidence(ctx context.Context, evidence []crm.Evidence) error {
	return r.evidence().insertNew(ctx, evidence, "already exists")
}

// SaveStates implements crm.LadderRepository: the customers' first states
// in a few statements, then a statement for each state replaced.
func (r ladderRepo) SaveStates(ctx context.Context, states []crm.StateSave) error {
	var first []crm.LadderState
	for _, s := range states {
		if s.State.Version <= s.Replaces {
			return &crm.ConflictError{Kind: crm.KindLadderState, ID: s.State.Customer.String(), Expected: s.Replaces, Actual: s.State.Version}
		}
		if s.Replaces == 0 {
			first = append(first, s.State)
		}
	}
	if err := r.states().insertNew(ctx, first, "already has a state"); err != nil {
		return err
	}
	for _, s := range states {
		if s.Replaces != 0 {
			if err := r.states().updateFrom(ctx, s.State, s.Replaces); err != nil {
				return err
			}
		}
	}
	return nil
}

// insertNew inserts vs, many to a statement; a row that breaks a unique
// constraint is a *crm.ConflictError with detail.
func (r records[T]) insertNew(ctx context.Context, vs []T, detail string) error {
	if len(vs) == 0 {
		return nil
	}
	rows, err := r.rowValues(vs)
	if err != nil {
		return err
	}
	n, err := r.insertChunks(ctx, rows, " ON CONFLICT DO NOTHING")
	if err != nil {
		return err
	}
	if n != int64(len(vs)) {
		return &crm.ConflictError{Kind: r.kind, ID: r.id(vs[0]).String(), Detail: detail}
	}
	return nil
}
