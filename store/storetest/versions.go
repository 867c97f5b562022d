package storetest

import (
	"context"
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// versioned describes a record kept with the version rules of
// crm.CustomerRepository, for runVersionRules.
type versioned[T any] struct {
	kind crm.Kind
	// fresh returns a new record at version 1, with what it refers to
	// already stored.
	fresh func(t *testing.T, sc *scene) T
	id    func(T) crm.ID
	// at returns a copy of v at version n with a visible change.
	at     func(v T, n int64) T
	insert func(tx crm.Tx, v T) error
	update func(tx crm.Tx, v T) error
	get    func(tx crm.ReadTx, id crm.ID) (T, error)
	// badInsert is what inserting a new record at a version other than 1
	// matches: crm.ErrConflict, or crm.ErrNotFound where one call both
	// inserts (version 1) and updates (any other), as SaveState does.
	badInsert error
}

// writer and getter are the methods that the versioned repositories
// share.
type (
	writer[T any] interface {
		Insert(ctx context.Context, v T) error
		Update(ctx context.Context, v T) error
	}
	getter[T any] interface {
		Get(ctx context.Context, id crm.ID) (T, error)
	}
)

// on returns k with insert, update and get calling the repository that
// w and r return.
func (k versioned[T]) on(w func(tx crm.Tx) writer[T], r func(tx crm.ReadTx) getter[T]) versioned[T] {
	k.insert = func(tx crm.Tx, v T) error { return w(tx).Insert(context.Background(), v) }
	k.update = func(tx crm.Tx, v T) error { return w(tx).Update(context.Background(), v) }
	k.get = func(tx crm.ReadTx, id crm.ID) (T, error) { return r(tx).Get(context.Background(), id) }
	k.badInsert = crm.ErrConflict
	return k
}

// runVersionRules checks the version rules on one kind of record:
// insert at version 1 only and once, update to the next version only,
// conflicts that say which version was expected and which is stored, and
// not-found for unknown records. A refused write changes nothing.
func runVersionRules[T any](t *testing.T, newStore NewStoreFunc, k versioned[T]) {
	setup := func(t *testing.T) (*scene, T) {
		sc := newScene(t, newStore)
		v := k.fresh(t, sc)
		insertAll(t, sc.s, k.insert, v)
		return sc, v
	}
	get := func(sc *scene, id crm.ID) (T, error) {
		return tryRead(sc.s, func(tx crm.ReadTx) (T, error) { return k.get(tx, id) })
	}
	assertStored := func(t *testing.T, sc *scene, want T) {
		t.Helper()
		got, err := get(sc, k.id(want))
		require.NoError(t, err)
		assertSame(t, want, got)
	}
	assertAbsent := func(t *testing.T, sc *scene, id crm.ID) {
		t.Helper()
		_, err := get(sc, id)
		requireNotFound(t, err, k.kind)
	}

	t.Run("InsertThenGet", func(t *testing.T) {
		sc, v := setup(t)
		assertStored(t, sc, v)
	})

	t.Run("GetUnknownIsNotFound", func(t *testing.T) {
		sc, _ := setup(t)
		id := sc.g.next()
		_, err := get(sc, id)
		requireNotFound(t, err, k.kind)
		var nf *crm.NotFoundError
		require.ErrorAs(t, err, &nf)
		assert.Equal(t, id.String(), nf.ID)
	})

	t.Run("InsertExistingIsConflict", func(t *testing.T) {
		sc, v := setup(t)
		err := write(sc.s, func(tx crm.Tx) error { return k.insert(tx, k.at(v, 1)) })
		ce := requireConflict(t, err, k.kind)
		assert.Equal(t, k.id(v).String(), ce.ID)
		assertStored(t, sc, v)
	})

	t.Run("InsertNeedsVersionOne", func(t *testing.T) {
		sc, _ := setup(t)
		for _, n := range []int64{0, 2, 3} {
			v := k.at(k.fresh(t, sc), n)
			err := write(sc.s, func(tx crm.Tx) error { return k.insert(tx, v) })
			require.ErrorIs(t, err, k.badInsert, "version %d", n)
			assertAbsent(t, sc, k.id(v))
		}
	})

	t.Run("UpdateNextVersion", func(t *testing.T) {
		sc, v := setup(t)
		for n := int64(2); n <= 3; n++ {
			next := k.at(v, n)
			insertAll(t, sc.s, k.update, next)
			assertStored(t, sc, next)
		}
	})

	for _, tc := range []struct {
		name          string
		stored, write int64
	}{
		{"StaleUpdateIsConflict", 2, 2},
		{"SkippedVersionIsConflict", 2, 4},
		{"OlderStillIsConflict", 3, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sc, v := setup(t)
			current := v
			for n := int64(2); n <= tc.stored; n++ {
				current = k.at(v, n)
				insertAll(t, sc.s, k.update, current)
			}
			stale := k.at(k.at(v, 7), tc.write) // a change the store must not take
			err := write(sc.s, func(tx crm.Tx) error { return k.update(tx, stale) })
			ce := requireConflict(t, err, k.kind)
			assert.Equal(t, tc.write-1, ce.Expected, "the version the writer based its change on")
			assert.Equal(t, tc.stored, ce.Actual, "the version stored")
			assertStored(t, sc, current)
		})
	}

	t.Run("UpdateUnknownIsNotFound", func(t *testing.T) {
		sc, _ := setup(t)
		v := k.at(k.fresh(t, sc), 2)
		err := write(sc.s, func(tx crm.Tx) error { return k.update(tx, v) })
		requireNotFound(t, err, k.kind)
		assertAbsent(t, sc, k.id(v))
	})
}
