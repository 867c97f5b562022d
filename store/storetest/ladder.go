package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stateVersions describes ladder states for runVersionRules: SaveState
// inserts at version 1 and updates at any other.
var stateVersions = versioned[crm.LadderState]{
	kind:  crm.KindLadderState,
	fresh: func(t *testing.T, sc *scene) crm.LadderState { return sc.state(sc.customer(t)) },
	id:    func(st crm.LadderState) crm.ID { return st.Customer },
	at: func(st crm.LadderState, n int64) crm.LadderState {
		st.Score -= 1000 * n
		st.Evidence += int(n)
		st.UpdatedAt, st.Version = st.UpdatedAt.Add(time.Duration(n)*time.Minute), n
		return st
	},
	insert: saveState,
	update: saveState,
	get: func(tx crm.ReadTx, customer crm.ID) (crm.LadderState, error) {
		return tx.Ladder().State(context.Background(), customer)
	},
	badInsert: crm.ErrNotFound,
}

func evidenceOf(customer crm.ID) func(tx crm.ReadTx) ([]crm.Evidence, error) {
	return func(tx crm.ReadTx) ([]crm.Evidence, error) {
		return tx.Ladder().Evidence(context.Background(), customer)
	}
}

func movesOf(customer crm.ID) func(tx crm.ReadTx) ([]crm.LadderMove, error) {
	return func(tx crm.ReadTx) ([]crm.LadderMove, error) {
		return tx.Ladder().Moves(context.Background(), customer)
	}
}

func movesBetween(from, to time.Time) func(tx crm.ReadTx, p crm.PageRequest) ([]crm.LadderMove, error) {
	return func(tx crm.ReadTx, p crm.PageRequest) ([]crm.LadderMove, error) {
		return tx.Ladder().MovesBetween(context.Background(), from, to, p)
	}
}

// sortedByID returns vs sorted by ID.
func sortedByID[T any](vs []T, id func(T) crm.ID) []T {
	out := slices.Clone(vs)
	slices.SortFunc(out, func(a, b T) int { return id(a).Compare(id(b)) })
	return out
}

// plainEvidence is evidence with only the required fields.
func (sc *scene) plainEvidence(customer crm.ID, t time.Time, kind crm.EvidenceKind) crm.Evidence {
	return crm.Evidence{ID: sc.g.next(), Customer: customer, Kind: kind, At: t}
}

// plainMove is a rise caused by plain evidence.
func (sc *scene) plainMove(customer crm.ID, t time.Time) crm.LadderMove {
	return crm.LadderMove{ID: sc.g.next(), Customer: customer, At: t, From: crm.Indifferent, To: crm.Satisfied, Event: crm.Rise,
		ScoreAfter: 15_000, Evidence: crm.EvidenceRef{ID: sc.g.next(), Kind: crm.EvidencePurchase}}
}

// appendOnly describes evidence or moves for runAppendOnly.
type appendOnly[T any] struct {
	kind   crm.Kind
	full   func(sc *scene, customer crm.ID, t time.Time) T
	plain  func(sc *scene, customer crm.ID, t time.Time) T
	id     func(T) crm.ID
	withID func(v T, id crm.ID) T
	append func(tx crm.Tx, vs ...T) error
	list   func(r crm.LadderReader, ctx context.Context, customer crm.ID) ([]T, error)
	spoil  func(v *T)
}

// of returns a reader of a customer's rows.
func (k appendOnly[T]) of(customer crm.ID) func(tx crm.ReadTx) ([]T, error) {
	return func(tx crm.ReadTx) ([]T, error) { return k.list(tx.Ladder(), context.Background(), customer) }
}

// runAppendOnly checks the append-only rows of the ladder: every field
// comes back, a customer's rows come in ID order however they were
// appended, a transaction sees its own, an existing ID is a conflict that
// keeps nothing of the append, and values returned are copies.
func runAppendOnly[T any](t *testing.T, newStore NewStoreFunc, k appendOnly[T]) {
	t.Run("RoundTripInIDOrder", func(t *testing.T) {
		sc := newScene(t, newStore)
		var ann []T
		for i := range 6 {
			build := k.plain
			if i%2 == 0 {
				build = k.full
			}
			ann = append(ann, build(sc, sc.ann, at(100-i))) // later IDs, earlier times
		}
		bob := k.full(sc, sc.bob, at(1))
		// Commit out of ID order: the newest first.
		require.NoError(t, write(sc.s, func(tx crm.Tx) error { return k.append(tx, ann[4], bob) }))
		require.NoError(t, write(sc.s, func(tx crm.Tx) error { return k.append(tx, ann[2], ann[0]) }))
		var inTx []T
		update(t, sc.s, func(tx crm.Tx) error {
			require.NoError(t, k.append(tx, ann[5], ann[1]))
			var err error
			inTx, err = k.list(tx.Ladder(), context.Background(), sc.ann)
			require.NoError(t, err)
			return k.append(tx, ann[3])
		})
		got := read(t, sc.s, k.of(sc.ann))
		// Every field first, whatever the order; the order below.
		inTxWant := []T{ann[0], ann[1], ann[2], ann[4], ann[5]}
		assertSameList(t, inTxWant, sortedByID(inTx, k.id), k.id, "a transaction sees its own rows")
		assertSameList(t, ann, sortedByID(got, k.id), k.id)
		assertSameList(t, []T{bob}, read(t, sc.s, k.of(sc.bob)), k.id)
		assert.Empty(t, read(t, sc.s, k.of(sc.g.next())), "an unknown customer has none")

		t.Run("InIDOrder", func(t *testing.T) {
			assert.Equal(t, idStrings(inTxWant, k.id), idStrings(inTx, k.id), "in a transaction")
			assert.Equal(t, idStrings(ann, k.id), idStrings(got, k.id), "committed")
		})
	})

	t.Run("ExistingIDIsConflict", func(t *testing.T) {
		sc := newScene(t, newStore)
		stored := k.full(sc, sc.ann, at(1))
		require.NoError(t, write(sc.s, func(tx crm.Tx) error { return k.append(tx, stored) }))
		fresh := k.plain(sc, sc.ann, at(2))
		for _, tc := range []struct {
			name  string
			batch []T
		}{
			{"stored before", []T{k.withID(k.plain(sc, sc.bob, at(3)), k.id(stored))}},
			{"twice in one call", []T{fresh, k.withID(k.plain(sc, sc.bob, at(3)), k.id(fresh))}},
			{"after new rows", []T{k.plain(sc, sc.bob, at(4)), k.plain(sc, sc.bob, at(5)), k.withID(k.plain(sc, sc.bob, at(6)), k.id(stored))}},
		} {
			err := write(sc.s, func(tx crm.Tx) error { return k.append(tx, tc.batch...) })
			requireConflict(t, err, k.kind)
			assertSameList(t, []T{stored}, read(t, sc.s, k.of(sc.ann)), k.id, tc.name)
			assert.Empty(t, read(t, sc.s, k.of(sc.bob)), tc.name)
		}
	})

	t.Run("ReturnedValuesAreCopies", func(t *testing.T) {
		sc := newScene(t, newStore)
		v := k.full(sc, sc.ann, at(1))
		assertCopies(t, sc.s, []T{v}, func(tx crm.Tx, vs []T) error { return k.append(tx, vs...) }, k.of(sc.ann),
			func(vs *[]T) { k.spoil(&(*vs)[0]) })
	})
}

func runLadder(t *testing.T, newStore NewStoreFunc) {
	t.Run("StateVersions", func(t *testing.T) { runVersionRules(t, newStore, stateVersions) })

	t.Run("StateOfUnknownCustomerIsNotFound", func(t *testing.T) {
		sc := newScene(t, newStore)
		insertAll(t, sc.s, saveState, sc.state(sc.ann))
		_, err := tryRead(sc.s, func(tx crm.ReadTx) (crm.LadderState, error) { return stateVersions.get(tx, sc.bob) })
		requireNotFound(t, err, crm.KindLadderState)
	})

	t.Run("Evidence", func(t *testing.T) {
		runAppendOnly(t, newStore, appendOnly[crm.Evidence]{
			kind: crm.KindEvidence,
			full: (*scene).evidence,
			plain: func(sc *scene, customer crm.ID, t time.Time) crm.Evidence {
				return sc.plainEvidence(customer, t, crm.EvidenceReferral)
			},
			id:     evidenceID,
			withID: func(ev crm.Evidence, id crm.ID) crm.Evidence { ev.ID = id; return ev },
			append: func(tx crm.Tx, evs ...crm.Evidence) error {
				for _, ev := range evs {
					if err := appendEvidence(tx, ev); err != nil {
						return err
					}
				}
				return nil
			},
			list:  crm.LadderReader.Evidence,
			spoil: func(ev *crm.Evidence) { *ev.Survey.NPS, ev.Survey.CSAT = 0, nil },
		})
	})

	t.Run("Moves", func(t *testing.T) {
		runAppendOnly(t, newStore, appendOnly[crm.LadderMove]{
			kind:   crm.KindLadderMove,
			full:   (*scene).move,
			plain:  (*scene).plainMove,
			id:     moveID,
			withID: func(m crm.LadderMove, id crm.ID) crm.LadderMove { m.ID = id; return m },
			append: func(tx crm.Tx, ms ...crm.LadderMove) error { return tx.Ladder().AppendMoves(context.Background(), ms) },
			list:   crm.LadderReader.Moves,
			spoil:  func(m *crm.LadderMove) { m.Evidence.Touchpoint, m.Reason = "spoiled", "spoiled" },
		})
	})

	t.Run("MovesBetween", func(t *testing.T) {
		sc := newScene(t, newStore)
		third := sc.customer(t)
		var all []crm.LadderMove
		for i := range 24 {
			c := []crm.ID{sc.ann, sc.bob, third}[i%3]
			// Times go back and forth, several moves share an instant.
			all = append(all, sc.plainMove(c, at(10*((i*7)%11))))
		}
		all[5] = sc.move(sc.bob, all[5].At) // one with every field
		all = sortedByID(all, moveID)
		for _, batch := range [][]crm.LadderMove{all[12:], all[:6], all[6:12]} {
			require.NoError(t, write(sc.s, func(tx crm.Tx) error { return tx.Ladder().AppendMoves(context.Background(), batch) }))
		}
		for _, tc := range []struct {
			name     string
			from, to time.Time
		}{
			{"open", time.Time{}, time.Time{}},
			{"from a move's instant, included", at(30), time.Time{}},
			{"to a move's instant, excluded", time.Time{}, at(30)},
			{"between instants", at(30).Add(-time.Microsecond), at(70).Add(time.Microsecond)},
			{"one instant", at(40), at(40).Add(time.Microsecond)},
			{"a microsecond short of one instant", at(40).Add(time.Microsecond), at(50)},
			{"empty range", at(40), at(40)},
			{"after every move", at(1000), time.Time{}},
		} {
			want := slices.DeleteFunc(slices.Clone(all), func(m crm.LadderMove) bool {
				return m.At.Before(tc.from) || (!tc.to.IsZero() && !m.At.Before(tc.to))
			})
			assertSameList(t, want, allPages(t, sc.s, 2, moveID, movesBetween(tc.from, tc.to)), moveID, tc.name)
		}
		assertSameList(t, all[7:10], read(t, sc.s, func(tx crm.ReadTx) ([]crm.LadderMove, error) {
			return movesBetween(time.Time{}, time.Time{})(tx, crm.PageRequest{After: all[6].ID, Limit: 3})
		}), moveID, "a page starts after the cursor")
	})

	t.Run("EvidenceByID", func(t *testing.T) {
		sc := newScene(t, newStore)
		ev := sc.evidence(sc.ann, at(1))
		require.NoError(t, write(sc.s, func(tx crm.Tx) error { return tx.Ladder().AppendEvidence(context.Background(), ev) }))
		got := read(t, sc.s, func(tx crm.ReadTx) (crm.Evidence, error) {
			return tx.Ladder().EvidenceByID(context.Background(), ev.ID)
		})
		assert.Equal(t, ev.ID, got.ID)
		assert.Equal(t, ev.Survey, got.Survey)
		require.NoError(t, sc.s.View(context.Background(), func(tx crm.ReadTx) error {
			_, err := tx.Ladder().EvidenceByID(context.Background(), sc.g.next())
			assert.ErrorIs(t, err, crm.ErrNotFound)
			return nil
		}))
	})

	t.Run("ReplacedMovesAreNotRead", func(t *testing.T) {
		sc := newScene(t, newStore)
		var all []crm.LadderMove
		for i := range 6 {
			all = append(all, sc.plainMove([]crm.ID{sc.ann, sc.bob}[i%2], at(10*i)))
		}
		require.NoError(t, write(sc.s, func(tx crm.Tx) error { return tx.Ladder().AppendMoves(context.Background(), all) }))
		gone := []crm.ID{all[2].ID, all[3].ID}
		require.NoError(t, write(sc.s, func(tx crm.Tx) error {
			if err := tx.Ladder().ReplaceMoves(context.Background(), gone); err != nil {
				return err
			}
			// Read in the same transaction: already gone.
			ms, err := tx.Ladder().Moves(context.Background(), sc.ann)
			assert.Equal(t, []crm.ID{all[0].ID, all[4].ID}, idsOf(ms, moveID), "in the transaction that replaced them")
			return err
		}))
		require.NoError(t, write(sc.s, func(tx crm.Tx) error {
			// Twice, and an ID no move has: nothing changes.
			return tx.Ladder().ReplaceMoves(context.Background(), append(gone, sc.g.next()))
		}))
		kept := []crm.LadderMove{all[0], all[1], all[4], all[5]}
		assertSameList(t, kept, allPages(t, sc.s, 2, moveID, movesBetween(time.Time{}, time.Time{})), moveID, "between")
		assertSameList(t, []crm.LadderMove{all[1], all[5]}, read(t, sc.s, movesOf(sc.bob)), moveID, "a customer's")
		require.Error(t, write(sc.s, func(tx crm.Tx) error {
			if err := tx.Ladder().ReplaceMoves(context.Background(), []crm.ID{all[0].ID}); err != nil {
				return err
			}
			return errors.New("roll back")
		}))
		assertSameList(t, []crm.LadderMove{all[0], all[4]}, read(t, sc.s, movesOf(sc.ann)), moveID, "a rolled back replacement")
	})

	t.Run("Fading", func(t *testing.T) {
		sc := newScene(t, newStore)
		third := sc.customer(t)
		states := []crm.LadderState{
			{Customer: sc.ann, Stage: crm.Satisfied, Score: 20_000, UpdatedAt: at(0), FadesAt: at(30), Version: 1},
			{Customer: sc.bob, Stage: crm.Indifferent, UpdatedAt: at(0), Version: 1}, // never fades
			{Customer: third, Stage: crm.Loyal, Score: 45_000, UpdatedAt: at(0), FadesAt: at(10), Version: 1},
		}
		require.NoError(t, write(sc.s, func(tx crm.Tx) error {
			for _, st := range states {
				if err := tx.Ladder().SaveState(context.Background(), st); err != nil {
					return err
				}
			}
			return nil
		}))
		fading := func(by time.Time, p crm.PageRequest) []crm.ID {
			return idsOf(read(t, sc.s, func(tx crm.ReadTx) ([]crm.LadderState, error) {
				return tx.Ladder().Fading(context.Background(), by, p)
			}), func(st crm.LadderState) crm.ID { return st.Customer })
		}
		both := sortedByID([]crm.ID{sc.ann, third}, func(id crm.ID) crm.ID { return id })
		assert.Empty(t, fading(at(10).Add(-time.Microsecond), crm.PageRequest{Limit: 10}), "before anyone is due")
		assert.Equal(t, []crm.ID{third}, fading(at(10), crm.PageRequest{Limit: 10}), "due at FadesAt itself")
		assert.Equal(t, both, fading(at(100), crm.PageRequest{Limit: 10}), "in customer ID order")
		assert.Equal(t, both[:1], fading(at(100), crm.PageRequest{Limit: 1}))
		assert.Equal(t, both[1:], fading(at(100), crm.PageRequest{After: both[0], Limit: 10}), "after the cursor")
		got := read(t, sc.s, func(tx crm.ReadTx) (crm.LadderState, error) { return tx.Ladder().State(context.Background(), third) })
		assert.True(t, got.FadesAt.Equal(at(10)), "FadesAt round-trips")
	})
}
