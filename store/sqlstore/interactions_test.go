package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func insertInteraction(ctx context.Context, s crm.Store, in crm.Interaction) error {
	return s.Update(ctx, func(tx crm.Tx) error { return tx.Interactions().Insert(ctx, in) })
}

func getInteraction(ctx context.Context, t *testing.T, s crm.Store, id crm.ID) crm.Interaction {
	t.Helper()
	return read(ctx, t, s, func(tx crm.ReadTx) (crm.Interaction, error) { return tx.Interactions().Get(ctx, id) })
}

func TestInteractionRoundTrip(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s, _ := b.newStore(t)
		full := sampleInteraction(newID(t), newID(t), newID(t), at(5))
		bare := crm.Interaction{ID: newID(t), Customer: full.Customer, At: at(6), Direction: crm.Outbound,
			Survey: crm.Survey{CSAT: intp(1)}, RecordedAt: at(6)}
		emptyTransfers := bare
		emptyTransfers.ID, emptyTransfers.Transfers, emptyTransfers.Survey = newID(t), []crm.Transfer{}, crm.Survey{}
		for _, in := range []crm.Interaction{full, bare, emptyTransfers} {
			require.NoError(t, insertInteraction(ctx, s, in))
			assert.Equal(t, in, getInteraction(ctx, t, s, in.ID))
		}
		byKey := read(ctx, t, s, func(tx crm.ReadTx) (crm.Interaction, error) {
			return tx.Interactions().ByIdempotencyKey(ctx, full.IdempotencyKey)
		})
		assert.Equal(t, full, byKey)

		var nf *crm.NotFoundError
		err := s.View(ctx, func(tx crm.ReadTx) error {
			_, err := tx.Interactions().Get(ctx, newID(t))
			return err
		})
		require.ErrorAs(t, err, &nf)
		assert.Equal(t, crm.KindInteraction, nf.Kind)
		for _, key := range []string{"", "unknown", `' OR ''='`} {
			err := s.View(ctx, func(tx crm.ReadTx) error {
				_, err := tx.Interactions().ByIdempotencyKey(ctx, key)
				return err
			})
			assert.ErrorIs(t, err, crm.ErrNotFound, "key %q", key)
		}
	})
}

func TestIdempotencyKeyIsUnique(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s, _ := b.newStore(t)
		first := sampleInteraction(newID(t), newID(t), newID(t), at(5))
		require.NoError(t, insertInteraction(ctx, s, first))

		again := first
		again.ID = newID(t)
		var ce *crm.ConflictError
		require.NoError(t, s.Update(ctx, func(tx crm.Tx) error {
			require.ErrorAs(t, tx.Interactions().Insert(ctx, again), &ce, "the key is taken")
			assert.Equal(t, []any{crm.KindInteraction, again.ID.String(), "idempotency key already used"},
				[]any{ce.Kind, ce.ID, ce.Detail})
			require.ErrorAs(t, tx.Interactions().Insert(ctx, first), &ce, "the ID is taken")
			assert.Equal(t, "already exists", ce.Detail)
			// The transaction is still usable after both conflicts.
			again.IdempotencyKey = "another key"
			return tx.Interactions().Insert(ctx, again)
		}))
		assert.Equal(t, again, getInteraction(ctx, t, s, again.ID))

		// Any number of interactions have no key.
		for range 3 {
			in := sampleInteraction(newID(t), first.Customer, first.Map, at(7))
			in.IdempotencyKey = ""
			require.NoError(t, insertInteraction(ctx, s, in))
		}
	})
}

func TestInteractionsForCustomerInTimeOrder(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s, _ := b.newStore(t)
		customer, other := newID(t), newID(t)
		// Recorded out of order: late arrivals, and two at one instant
		// whose IDs were made in the other order.
		tie := at(20)
		ids := []crm.ID{newID(t), newID(t), newID(t), newID(t), newID(t)}
		times := []time.Time{at(30), tie, tie, at(10), at(10).Add(time.Microsecond)}
		order := []int{2, 0, 4, 3, 1}
		var want []crm.Interaction
		for _, i := range order {
			in := crm.Interaction{ID: ids[i], Customer: customer, At: times[i], Direction: crm.Inbound, RecordedAt: at(40)}
			require.NoError(t, insertInteraction(ctx, s, in))
			want = append(want, in)
		}
		require.NoError(t, insertInteraction(ctx, s, crm.Interaction{ID: newID(t), Customer: other, At: at(1)}))

		got := read(ctx, t, s, func(tx crm.ReadTx) ([]crm.Interaction, error) { return tx.Interactions().ForCustomer(ctx, customer) })
		journey := crm.NewJourney(customer, want) // sorts by At, then ID
		require.Len(t, got, len(want))
		for i, step := range journey.Steps {
			assert.Equal(t, step.Interaction, got[i].ID, "step %d", i)
		}
	})
}
