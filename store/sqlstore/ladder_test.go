package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// states gives SaveState and State the shape of a repository.
type states struct {
	w crm.LadderRepository
	r crm.LadderReader
}

func (s states) Insert(ctx context.Context, st crm.LadderState) error { return s.w.SaveState(ctx, st) }
func (s states) Update(ctx context.Context, st crm.LadderState) error { return s.w.SaveState(ctx, st) }
func (s states) Get(ctx context.Context, id crm.ID) (crm.LadderState, error) {
	return s.r.State(ctx, id)
}

var stateRules = versionRules[crm.LadderState]{
	kind:        crm.KindLadderState,
	id:          func(st crm.LadderState) crm.ID { return st.Customer },
	withVersion: func(st crm.LadderState, v int64) crm.LadderState { st.Version = v; return st },
	writer:      func(tx crm.Tx) writer[crm.LadderState] { return states{w: tx.Ladder()} },
	reader:      func(tx crm.ReadTx) reader[crm.LadderState] { return states{r: tx.Ladder()} },
	save:        true,
}

func sampleState(customer crm.ID) crm.LadderState {
	return crm.LadderState{Customer: customer, Stage: crm.Loyal, Score: -41_123, Since: at(3), UpdatedAt: at(4),
		Purchases: 3, LastReferral: at(2), LastPromoter: at(1), Evidence: 12, Version: 1}
}

func TestLadderStateRoundTripAndVersions(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s, _ := b.newStore(t)
		st := sampleState(newID(t))
		next := st
		next.Stage, next.Score, next.LastReferral, next.Evidence = crm.Advocate, 61_000, time.Time{}, 13
		stateRules.check(t, s, st, next, func() crm.LadderState { return sampleState(newID(t)) })
	})
}

// TestStageFilter lists customers by rung: those without a ladder state
// stand on the initial rung.
func TestStageFilter(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s, _ := b.newStore(t)
		var ids []crm.ID
		for range 4 {
			c := sampleCustomer(newID(t), newID(t))
			ids = append(ids, c.ID)
			require.NoError(t, insertCustomer(ctx, s, c))
		}
		write(ctx, t, s, func(tx crm.Tx) error {
			for i, stage := range []crm.LoyaltyStage{crm.Satisfied, crm.Indifferent, crm.Lost} {
				st := sampleState(ids[i])
				st.Stage = stage
				if err := tx.Ladder().SaveState(ctx, st); err != nil {
					return err
				}
			}
			return nil
		})
		for stage, want := range map[crm.LoyaltyStage][]crm.ID{
			"": ids, crm.Satisfied: ids[:1], crm.Indifferent: ids[1:2:2], crm.Lost: ids[2:3], crm.Advocate: nil,
			`' OR '1'='1`: nil,
		} {
			if stage == crm.Indifferent {
				want = append(want, ids[3]) // no state yet
			}
			var got []crm.ID
			for _, c := range listCustomers(ctx, t, s, crm.CustomerFilter{Stage: stage}) {
				got = append(got, c.ID)
			}
			assert.Equal(t, want, got, "stage %q", stage)
		}
	})
}

func TestEvidenceAndMovesRoundTrip(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s, _ := b.newStore(t)
		customer := newID(t)
		ev := sampleEvidence(newID(t), customer)
		bare := crm.Evidence{ID: newID(t), Customer: customer, Kind: crm.EvidencePurchase, At: at(4)}
		// Moves are appended in ID order but not time order; two share an
		// instant, as the moves of one piece of evidence do.
		moves := []crm.LadderMove{sampleMove(newID(t), customer, at(9), ev), sampleMove(newID(t), customer, at(5), bare),
			sampleMove(newID(t), customer, at(5), crm.Evidence{})}
		write(ctx, t, s, func(tx crm.Tx) error {
			// The other customer's rows stay out of the answers.
			other := newID(t)
			if err := tx.Ladder().AppendEvidence(ctx, sampleEvidence(newID(t), other)); err != nil {
				return err
			}
			if err := tx.Ladder().AppendMoves(ctx, []crm.LadderMove{sampleMove(newID(t), other, at(1), bare)}); err != nil {
				return err
			}
			for _, e := range []crm.Evidence{ev, bare} {
				if err := tx.Ladder().AppendEvidence(ctx, e); err != nil {
					return err
				}
			}
			return tx.Ladder().AppendMoves(ctx, moves)
		})
		gotEv := read(ctx, t, s, func(tx crm.ReadTx) ([]crm.Evidence, error) { return tx.Ladder().Evidence(ctx, customer) })
		assert.Equal(t, []crm.Evidence{ev, bare}, gotEv)
		gotMoves := read(ctx, t, s, func(tx crm.ReadTx) ([]crm.LadderMove, error) { return tx.Ladder().Moves(ctx, customer) })
		assert.Equal(t, moves, gotMoves)

		var ce *crm.ConflictError
		write(ctx, t, s, func(tx crm.Tx) error {
			require.ErrorAs(t, tx.Ladder().AppendEvidence(ctx, bare), &ce)
			assert.Equal(t, crm.KindEvidence, ce.Kind)
			fresh := sampleMove(newID(t), customer, at(10), bare)
			require.ErrorAs(t, tx.Ladder().AppendMoves(ctx, []crm.LadderMove{fresh, moves[0]}), &ce)
			assert.Equal(t, []any{crm.KindLadderMove, moves[0].ID.String()}, []any{ce.Kind, ce.ID})
			return nil // the store does not undo fresh: the CRM's transaction fails as a whole
		})
		assert.Empty(t, read(ctx, t, s, func(tx crm.ReadTx) ([]crm.Evidence, error) { return tx.Ladder().Evidence(ctx, newID(t)) }))
	})
}

// TestMovesBetween pages through moves in ID order, bounded by time with
// bounds finer than a microsecond.
func TestMovesBetween(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s, _ := b.newStore(t)
		var all []crm.LadderMove
		for i := range 40 {
			when := at(10).Add(time.Duration((i*7)%40) * time.Microsecond)
			all = append(all, sampleMove(newID(t), newID(t), when, crm.Evidence{}))
		}
		write(ctx, t, s, func(tx crm.Tx) error { return tx.Ladder().AppendMoves(ctx, all) })
		from, to := at(10).Add(5500), at(10).Add(30*time.Microsecond) // from is 5.5µs in
		for _, r := range [][2]time.Time{{}, {from, to}, {from, {}}, {{}, to}, {to, to.Add(time.Nanosecond)}} {
			var want []crm.LadderMove
			for _, m := range all {
				if (r[0].IsZero() || !m.At.Before(r[0])) && (r[1].IsZero() || m.At.Before(r[1])) {
					want = append(want, m)
				}
			}
			var got []crm.LadderMove
			page := crm.PageRequest{Limit: 7}
			for {
				ms := read(ctx, t, s, func(tx crm.ReadTx) ([]crm.LadderMove, error) {
					return tx.Ladder().MovesBetween(ctx, r[0], r[1], page)
				})
				got = append(got, ms...)
				if len(ms) < page.Limit {
					break
				}
				page.After = ms[len(ms)-1].ID
			}
			require.Equal(t, want, got, "range %v", r)
		}
	})
}
