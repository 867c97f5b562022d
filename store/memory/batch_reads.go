package memory

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/crmkit/crm"
)

// The reads of a batch: each is the single read of every ID or key, in
// one call. In memory a call costs no round trip, so they loop.

// GetMany implements crm.CustomerReader.
func (r customerRepo) GetMany(ctx context.Context, ids []crm.ID) ([]crm.Customer, error) {
	return many(ids, func(id crm.ID) (crm.Customer, error) { return r.Get(ctx, id) })
}

// States implements crm.LadderReader.
func (r ladderRepo) States(ctx context.Context, customers []crm.ID) ([]crm.LadderState, error) {
	return many(customers, func(id crm.ID) (crm.LadderState, error) { return r.State(ctx, id) })
}

// ByIdempotencyKeys implements crm.InteractionReader.
func (r interactionRepo) ByIdempotencyKeys(ctx context.Context, keys []string) ([]crm.Interaction, error) {
	var out []crm.Interaction
	for _, key := range keys {
		if in, err := r.ByIdempotencyKey(ctx, key); err == nil && !slices.ContainsFunc(out, func(o crm.Interaction) bool { return o.ID == in.ID }) {
			out = append(out, in)
		}
	}
	slices.SortFunc(out, func(a, b crm.Interaction) int { return a.ID.Compare(b.ID) })
	return out, nil
}

// ForCustomersBetween implements crm.InteractionReader.
func (r interactionRepo) ForCustomersBetween(ctx context.Context, customers []crm.ID, from, to time.Time) ([]crm.Interaction, error) {
	var out []crm.Interaction
	for _, c := range sortedIDs(customers) {
		ins, err := r.ForCustomerBetween(ctx, c, from, to)
		if err != nil {
			return nil, err
		}
		out = append(out, ins...)
	}
	return out, nil
}

// many reads each of ids once, in ID order, leaving out those not found.
func many[T any](ids []crm.ID, get func(crm.ID) (T, error)) ([]T, error) {
	var out []T
	for _, id := range sortedIDs(ids) {
		v, err := get(id)
		if errors.Is(err, crm.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// sortedIDs returns ids sorted, each once.
func sortedIDs(ids []crm.ID) []crm.ID {
	out := slices.Clone(ids)
	slices.SortFunc(out, crm.ID.Compare)
	return slices.Compact(out)
}
