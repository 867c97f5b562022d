package storetest

import (
	"cmp"
	"context"
	"slices"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func getInteraction(id crm.ID) func(tx crm.ReadTx) (crm.Interaction, error) {
	return func(tx crm.ReadTx) (crm.Interaction, error) { return tx.Interactions().Get(context.Background(), id) }
}

func interactionByKey(key string) func(tx crm.ReadTx) (crm.Interaction, error) {
	return func(tx crm.ReadTx) (crm.Interaction, error) {
		return tx.Interactions().ByIdempotencyKey(context.Background(), key)
	}
}

func interactionsOf(customer crm.ID) func(tx crm.ReadTx) ([]crm.Interaction, error) {
	return func(tx crm.ReadTx) ([]crm.Interaction, error) {
		return tx.Interactions().ForCustomer(context.Background(), customer)
	}
}

// byTimeThenID sorts interactions as ForCustomer returns them.
func byTimeThenID(ins []crm.Interaction) []crm.Interaction {
	out := slices.Clone(ins)
	slices.SortFunc(out, func(a, b crm.Interaction) int { return cmp.Or(a.At.Compare(b.At), a.ID.Compare(b.ID)) })
	return out
}

func runInteractions(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()

	t.Run("RoundTripsEveryField", func(t *testing.T) {
		sc := newScene(t, newStore)
		full := sc.interaction(sc.ann, at(10))
		variants := map[string]crm.Interaction{"every field": full, "optional fields empty": sc.plainInteraction(sc.ann, at(11))}
		for name, sv := range map[string]crm.Survey{
			"no answers": {}, "NPS 0 only": survey(0, -1, -1), "CSAT only": survey(-1, 1, -1),
			"CES only": survey(-1, -1, 1), "every answer": survey(10, 5, 7),
		} {
			in := sc.plainInteraction(sc.bob, at(12))
			in.Survey = sv
			variants["survey "+name] = in
		}
		one := sc.plainInteraction(sc.bob, at(13))
		one.Transfers = []crm.Transfer{{From: hostileShort, To: "Legal"}}
		variants["one transfer"] = one
		for _, in := range variants {
			insertAll(t, sc.s, insertInteraction, in)
		}
		for name, in := range variants {
			assertSame(t, in, read(t, sc.s, getInteraction(in.ID)), name)
		}
		assertSame(t, full, read(t, sc.s, interactionByKey(full.IdempotencyKey)))
	})

	t.Run("GetUnknownIsNotFound", func(t *testing.T) {
		sc := newScene(t, newStore)
		insertAll(t, sc.s, insertInteraction, sc.interaction(sc.ann, at(1)))
		_, err := tryRead(sc.s, getInteraction(sc.g.next()))
		requireNotFound(t, err, crm.KindInteraction)
	})

	t.Run("DuplicateIDIsConflict", func(t *testing.T) {
		sc := newScene(t, newStore)
		in := sc.interaction(sc.ann, at(1))
		insertAll(t, sc.s, insertInteraction, in)
		dup := sc.plainInteraction(sc.bob, at(2))
		dup.ID, dup.IdempotencyKey = in.ID, "fresh key"
		requireConflict(t, write(sc.s, func(tx crm.Tx) error { return insertInteraction(tx, dup) }), crm.KindInteraction)
		assertSame(t, in, read(t, sc.s, getInteraction(in.ID)), "the failed insert changed nothing")
		_, err := tryRead(sc.s, interactionByKey("fresh key"))
		requireNotFound(t, err, crm.KindInteraction)
		assert.Empty(t, read(t, sc.s, interactionsOf(sc.bob)))
	})

	t.Run("IdempotencyKeys", func(t *testing.T) {
		sc := newScene(t, newStore)
		keyed := func(key string) crm.Interaction {
			in := sc.plainInteraction(sc.ann, at(1))
			in.IdempotencyKey = key
			return in
		}
		first := keyed("order-42")
		insertAll(t, sc.s, insertInteraction, first, keyed(""), keyed(""))
		for _, tc := range []struct {
			name     string
			keys     []string // inserted in order in one transaction
			conflict bool
		}{
			{"used before", []string{"order-42"}, true},
			{"twice in one transaction", []string{"new", "new"}, true},
			{"empty keys never collide", []string{"", "", ""}, false},
			{"keys differ in case", []string{"ORDER-42", "Order-42"}, false},
			{"keys differ in a trailing space", []string{"order-42 "}, false},
			{"LIKE pattern", []string{"order-4_", "order%"}, false},
		} {
			var ins []crm.Interaction
			for _, k := range tc.keys {
				ins = append(ins, keyed(k))
			}
			err := write(sc.s, func(tx crm.Tx) error {
				for _, in := range ins {
					if err := insertInteraction(tx, in); err != nil {
						return err
					}
				}
				return nil
			})
			if !tc.conflict {
				require.NoError(t, err, tc.name)
				for _, in := range ins {
					if in.IdempotencyKey != "" {
						assert.Equal(t, in.ID, read(t, sc.s, interactionByKey(in.IdempotencyKey)).ID, tc.name)
					}
				}
				continue
			}
			requireConflict(t, err, crm.KindInteraction)
			for _, in := range ins {
				_, err := tryRead(sc.s, getInteraction(in.ID))
				requireNotFound(t, err, crm.KindInteraction)
			}
		}
		assertSame(t, first, read(t, sc.s, interactionByKey("order-42")), "the first recording keeps its key")
		for _, key := range []string{"", "unknown", "order-4", "' OR ''='"} {
			_, err := tryRead(sc.s, interactionByKey(key))
			requireNotFound(t, err, crm.KindInteraction)
		}
	})

	t.Run("ForCustomerByTimeThenID", func(t *testing.T) {
		sc := newScene(t, newStore)
		var ann []crm.Interaction
		for range 3 {
			ann = append(ann, sc.plainInteraction(sc.ann, at(50))) // a tie, broken by ID
		}
		ann = append(ann, sc.interaction(sc.ann, at(70)), sc.plainInteraction(sc.ann, at(20)),
			sc.plainInteraction(sc.ann, at(50).Add(time.Microsecond)), sc.plainInteraction(sc.ann, at(50).Add(-time.Microsecond)))
		bob := sc.plainInteraction(sc.bob, at(30))
		// Insert in three transactions, out of time and ID order.
		insertAll(t, sc.s, insertInteraction, ann[4], ann[2], bob)
		insertAll(t, sc.s, insertInteraction, ann[5], ann[0])
		insertAll(t, sc.s, insertInteraction, ann[3], ann[6], ann[1])
		assertSameList(t, byTimeThenID(ann), read(t, sc.s, interactionsOf(sc.ann)), interactionID)
		assertSameList(t, []crm.Interaction{bob}, read(t, sc.s, interactionsOf(sc.bob)), interactionID)
		assert.Empty(t, read(t, sc.s, interactionsOf(sc.g.next())), "an unknown customer has none")

		// A transaction sees its own interactions in their place.
		early, late := sc.plainInteraction(sc.ann, at(0)), sc.plainInteraction(sc.ann, at(60))
		update(t, sc.s, func(tx crm.Tx) error {
			require.NoError(t, insertInteraction(tx, late))
			require.NoError(t, insertInteraction(tx, early))
			got, err := tx.Interactions().ForCustomer(ctx, sc.ann)
			require.NoError(t, err)
			assertSameList(t, byTimeThenID(append(slices.Clone(ann), early, late)), got, interactionID)
			checkRepeats(t, tx.Interactions(), sc.ann, got, time.Time{}, time.Time{})
			got1, err := tx.Interactions().ByIdempotencyKey(ctx, ann[3].IdempotencyKey)
			require.NoError(t, err)
			assertSame(t, ann[3], got1)
			return nil
		})
		all := byTimeThenID(append(ann, early, late))
		assertSameList(t, all, read(t, sc.s, interactionsOf(sc.ann)), interactionID)

		// A window: at From or later, before To, a zero bound open; the
		// bounds to the microsecond, as the store keeps time.
		for _, w := range [][2]time.Time{
			{at(20), at(60)}, {at(50), at(50).Add(time.Microsecond)}, {at(50).Add(-time.Microsecond), at(50)},
			{time.Time{}, at(50)}, {at(50), time.Time{}}, {time.Time{}, time.Time{}}, {at(80), at(90)},
		} {
			want := slices.DeleteFunc(slices.Clone(all), func(in crm.Interaction) bool {
				return (!w[0].IsZero() && in.At.Before(w[0])) || (!w[1].IsZero() && !in.At.Before(w[1]))
			})
			got := read(t, sc.s, func(tx crm.ReadTx) ([]crm.Interaction, error) {
				return tx.Interactions().ForCustomerBetween(ctx, sc.ann, w[0], w[1])
			})
			assertSameList(t, want, got, interactionID)
			view(t, sc.s, func(tx crm.ReadTx) error {
				checkRepeats(t, tx.Interactions(), sc.ann, all, w[0], w[1])
				return nil
			})
		}
	})

	t.Run("ReturnedValuesAreCopies", func(t *testing.T) {
		sc := newScene(t, newStore)
		in := sc.interaction(sc.ann, at(1))
		spoil := func(in *crm.Interaction) {
			in.Transfers[0].From, *in.Survey.NPS, in.Survey.CES = "spoilt", 9, nil
		}
		assertCopies(t, sc.s, in, insertInteraction, getInteraction(in.ID), spoil)
		assertCopies(t, sc.s, in, nil, interactionByKey(in.IdempotencyKey), spoil)
		assertCopies(t, sc.s, []crm.Interaction{in}, nil, interactionsOf(sc.ann), func(ins *[]crm.Interaction) { spoil(&(*ins)[0]) })
	})
}

// checkRepeats requires Repeats to count, for every case and touchpoint
// of all (a customer's interactions) and none, what all has of them in
// the window.
func checkRepeats(t *testing.T, r crm.InteractionReader, customer crm.ID, all []crm.Interaction, from, to time.Time) {
	t.Helper()
	type matter struct {
		c          crm.ID
		touchpoint string
	}
	matters := []matter{{}, {touchpoint: "nowhere"}}
	for _, in := range all {
		matters = append(matters, matter{in.Case, in.Touchpoint}, matter{touchpoint: in.Touchpoint})
	}
	counted := 0
	for _, m := range matters {
		want := 0
		for _, in := range all {
			inWindow := (from.IsZero() || !in.At.Before(from)) && (to.IsZero() || in.At.Before(to))
			if inWindow && in.Direction == crm.Inbound && in.Case == m.c && (!m.c.IsZero() || in.Touchpoint == m.touchpoint) {
				want++
			}
		}
		got, err := r.Repeats(context.Background(), customer, m.c, m.touchpoint, from, to)
		require.NoError(t, err)
		assert.Equal(t, want, got, "Repeats of %+v in [%s, %s)", m, from, to)
		counted += want
	}
	if from.IsZero() && to.IsZero() {
		require.Positive(t, counted, "the interactions repeat something")
	}
}
