package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runBatchInteractions checks RecordInteractions, which reads a batch's
// customers, ladder states and keys once and writes in bulk: a batch
// records exactly what recording its items one by one records (the same
// interactions, ladder states, moves and events, IDs included, on two
// stores driven alike), late contacts, repeats, keys repeated within the
// batch and moves to advocate included; an item refused is a
// *crm.BatchError naming it, with nothing written; and a retried batch
// returns what the first recorded, marked Duplicate, writing nothing.
func runBatchInteractions(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	t.Run("AsSingly", func(t *testing.T) {
		for seed := range uint64(3) {
			t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
				single, batched := newBatchScene(t, newStore(t)), newBatchScene(t, newStore(t))
				batch := single.batch(seed, 60)
				var want []crm.Recorded
				for _, n := range batch {
					r, err := single.Experience.RecordInteraction(ctx, single.Ann.ID, n)
					require.NoError(t, err)
					want = append(want, r)
				}
				got, err := batched.Experience.RecordInteractions(ctx, batched.Ann.ID, batch)
				require.NoError(t, err)
				assert.Equal(t, want, got, "each item's recording and moves")
				moves, dups := 0, 0
				for _, r := range want {
					moves += len(r.Moves)
					if r.Duplicate {
						dups++
					}
				}
				require.Positive(t, moves, "the batch moves customers")
				require.Positive(t, dups, "and repeats a key")
				for _, c := range single.customers {
					assert.Equal(t, single.journey(t, c), batched.journey(t, c), "interactions")
					assert.Equal(t, single.ladder(t, c), batched.ladder(t, c), "ladder state and moves")
					cs, err := single.Customers.Get(ctx, single.Ann.ID, c)
					require.NoError(t, err)
					cb, err := batched.Customers.Get(ctx, batched.Ann.ID, c)
					require.NoError(t, err)
					assert.Equal(t, cs, cb, "the customer, lifecycle included")
				}
				assert.Equal(t, head(t, single.Store), head(t, batched.Store), "the same events")
			})
		}
	})
	t.Run("RefusedItemWritesNothing", func(t *testing.T) {
		s := newBatchScene(t, newStore(t))
		batch := s.batch(7, 5)
		before := head(t, s.Store)
		for _, tc := range []struct {
			name   string
			spoil  func(*crm.NewInteraction)
			target error
		}{
			{"UnknownTouchpoint", func(n *crm.NewInteraction) { n.Touchpoint = "nowhere" }, crm.ErrNotFound},
			{"UnknownCustomer", func(n *crm.NewInteraction) { n.Customer = crm.ID{9} }, crm.ErrNotFound},
			{"Future", func(n *crm.NewInteraction) { n.At = s.Clock.Now().Add(time.Hour) }, crm.ErrInvalid},
			{"BadSentiment", func(n *crm.NewInteraction) { n.Sentiment = 9 }, crm.ErrInvalid},
		} {
			t.Run(tc.name, func(t *testing.T) {
				bad := append([]crm.NewInteraction(nil), batch...)
				tc.spoil(&bad[3])
				_, err := s.Experience.RecordInteractions(ctx, s.Ann.ID, bad)
				var be *crm.BatchError
				require.ErrorAs(t, err, &be)
				assert.Equal(t, 3, be.Index)
				assert.Equal(t, "interactions", be.Batch)
				assert.ErrorIs(t, err, tc.target)
				assert.Equal(t, before, head(t, s.Store), "nothing written")
				for _, c := range s.customers {
					assert.Empty(t, s.journey(t, c).Steps)
				}
			})
		}
	})
	t.Run("RetriedBatch", func(t *testing.T) {
		s := newBatchScene(t, newStore(t))
		batch := s.batch(11, 30)
		for i := range batch {
			batch[i].IdempotencyKey = fmt.Sprint("feed-", i)
		}
		first, err := s.Experience.RecordInteractions(ctx, s.Ann.ID, batch)
		require.NoError(t, err)
		before := head(t, s.Store)
		again, err := s.Experience.RecordInteractions(ctx, s.Ann.ID, batch)
		require.NoError(t, err)
		for i := range again {
			assert.True(t, again[i].Duplicate)
			assert.Equal(t, first[i].Interaction, again[i].Interaction)
			assert.Empty(t, again[i].Moves)
		}
		assert.Equal(t, before, head(t, s.Store), "a retry writes nothing")

		batch[4].Sentiment = -batch[4].Sentiment + 1 // another request with a used key
		_, err = s.Experience.RecordInteractions(ctx, s.Ann.ID, append([]crm.NewInteraction{s.batch(12, 1)[0]}, batch...))
		var be *crm.BatchError
		require.ErrorAs(t, err, &be)
		assert.Equal(t, 5, be.Index)
		var ie *crm.IdempotencyError
		assert.ErrorAs(t, err, &ie)
		assert.Equal(t, before, head(t, s.Store))
	})
}

// batchScene is a team with a map of 20 touchpoints and four customers.
type batchScene struct {
	*Team
	m         crm.TouchpointMap
	customers []crm.ID
}

func newBatchScene(t *testing.T, s crm.Store) *batchScene {
	t.Helper()
	ctx := context.Background()
	tm := NewTeam(t, s)
	m, err := tm.Experience.CreateTouchpointMap(ctx, tm.Admin.ID, benchMap())
	require.NoError(t, err)
	sc := &batchScene{Team: tm, m: m}
	for i := range 4 {
		c, err := tm.Customers.Create(ctx, tm.Ann.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: fmt.Sprint("Customer ", i)})
		require.NoError(t, err)
		sc.customers = append(sc.customers, c.ID)
	}
	tm.Clock.Advance(30 * 24 * time.Hour)
	return sc
}

// batch returns n recordings drawn from seed over the last twenty days:
// mostly in order, some late, some at one instant, some with the key of
// an earlier one in the batch, inbound and outbound, with surveys.
func (s *batchScene) batch(seed uint64, n int) []crm.NewInteraction {
	rng := rand.New(rand.NewPCG(seed, 42))
	now := s.Clock.Now()
	at := now.Add(-20 * 24 * time.Hour)
	out := make([]crm.NewInteraction, n)
	for i := range out {
		at = at.Add(time.Duration(rng.IntN(8*60)) * time.Minute)
		when := at
		switch rng.IntN(10) {
		case 0:
			when = at.Add(-time.Duration(rng.IntN(72)) * time.Hour) // late
		case 1:
			if i > 0 {
				when = out[i-1].At // the same instant
			}
		}
		if when.After(now) {
			when = now
		}
		dir := crm.Inbound
		if rng.IntN(4) == 0 {
			dir = crm.Outbound
		}
		in := crm.NewInteraction{Customer: s.customers[rng.IntN(len(s.customers))], Map: s.m.ID,
			Touchpoint: fmt.Sprintf("tp%02d", rng.IntN(20)), At: when, Direction: dir,
			Sentiment: crm.Sentiment(rng.IntN(5) - 2), Resolved: rng.IntN(2) == 0,
			Wait: time.Duration(rng.IntN(120)) * time.Second}
		if rng.IntN(3) == 0 {
			nps := 6 + rng.IntN(5)
			in.Survey.NPS = &nps
		}
		if rng.IntN(6) == 0 {
			in.IdempotencyKey = fmt.Sprint("key-", i)
		}
		if i > 2 && rng.IntN(15) == 0 {
			in = out[i-2] // retried within the batch
		}
		out[i] = in
	}
	return out
}

func (s *batchScene) journey(t *testing.T, c crm.ID) crm.Journey {
	t.Helper()
	j, err := s.Experience.Journey(context.Background(), s.Ann.ID, c)
	require.NoError(t, err)
	return j
}

// ladder is a customer's ladder state and moves.
func (s *batchScene) ladder(t *testing.T, c crm.ID) any {
	t.Helper()
	st, err := s.Ladder.State(context.Background(), s.Ann.ID, c)
	require.NoError(t, err)
	moves, err := s.Ladder.History(context.Background(), s.Ann.ID, c)
	require.NoError(t, err)
	return struct {
		State crm.LadderState
		Moves []crm.LadderMove
	}{st, moves}
}
