package sqlstore_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/storekit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAppendConflicts: an existing ID, a reused idempotency key and a
// second reversal are conflicts, with store/memory's errors, within a
// transaction and across transactions; each writes nothing, no posting
// included, and the transaction goes on and commits what it wrote.
func TestAppendConflicts(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s, db := b.newStore(t)
		customer := newID(t)
		first := sampleEntry(t, customer)
		reversal := first.Reversal(newID(t), day(2026, 3, 4), at(9), newID(t), "mistake")
		sameID := sampleEntry(t, customer)
		sameID.ID, sameID.IdempotencyKey = first.ID, ""
		sameKey := sampleEntry(t, customer)
		secondReversal := first.Reversal(newID(t), day(2026, 3, 5), at(10), newID(t), "again")
		secondReversal.IdempotencyKey = "another key"
		conflicts := []struct {
			e      crm.Entry
			id     crm.ID
			detail string
		}{
			{sameID, first.ID, "already exists"},
			{sameKey, sameKey.ID, "idempotency key already used"},
			{secondReversal, first.ID, "already reversed"},
		}
		after := sampleEntry(t, customer)
		after.IdempotencyKey = ""
		write(ctx, t, s, func(tx crm.Tx) error {
			require.NoError(t, tx.Ledger().Append(ctx, first))
			require.NoError(t, tx.Ledger().Append(ctx, reversal))
			for _, c := range conflicts {
				var ce *crm.ConflictError
				require.ErrorAs(t, tx.Ledger().Append(ctx, c.e), &ce)
				assert.Equal(t, []string{string(crm.KindEntry), c.id.String(), c.detail}, []string{string(ce.Kind), ce.ID, ce.Detail})
			}
			return tx.Ledger().Append(ctx, after)
		})
		for _, c := range conflicts {
			c.e.ID = newID(t) // across transactions too, whatever the ID
			err := s.Update(ctx, func(tx crm.Tx) error { return tx.Ledger().Append(ctx, c.e) })
			if c.detail == "already exists" {
				require.NoError(t, err, "the same entry under a new ID and without a key is a new entry")
				continue
			}
			assert.ErrorIs(t, err, crm.ErrConflict, c.detail)
		}
		all := read(ctx, t, s, func(tx crm.ReadTx) ([]crm.Entry, error) {
			return tx.Ledger().Entries(ctx, crm.EntryFilter{}, crm.PageRequest{})
		})
		require.Len(t, all, 4)
		assert.Equal(t, []crm.Entry{first, reversal, after}, all[:3], "nothing of the refused entries was written")
		assert.Equal(t, 4*len(first.Postings), countRows(ctx, t, db, "postings"))
	})
}

// countRows counts the rows of a table of the store's.
func countRows(ctx context.Context, t *testing.T, db testDB, table string) int {
	t.Helper()
	var n int
	require.NoError(t, db.QueryRowContext(ctx, "SELECT count(*) FROM "+db.table("crm_", table)).Scan(&n))
	return n
}

// TestRacingWritesCannotBothCommit runs two transactions that read the
// same thing and then write what only one may write: a customer's first
// book (the "no row to lock yet" case), a reversal of one entry, an entry
// under one idempotency key. Exactly one commits; the other gets a
// conflict. On PostgreSQL both read before either writes; SQLite's write
// lock lets the second begin only once the first has committed.
func TestRacingWritesCannotBothCommit(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s, db := b.newStore(t)
		customer := newID(t)
		// Both meet on PostgreSQL; on SQLite the first waits a moment for
		// the second, which waits for the write lock.
		wait := 10 * time.Second
		if b.dialect == sqliteBackend.dialect {
			wait = 50 * time.Millisecond
		}
		orig := sampleEntry(t, customer)
		orig.IdempotencyKey = ""
		write(ctx, t, s, func(tx crm.Tx) error { return tx.Ledger().Append(ctx, orig) })

		t.Run("FirstBook", func(t *testing.T) {
			book := crm.Book{Customer: customer, Version: 1}
			met := race(ctx, t, s, wait,
				func(tx crm.Tx) error {
					_, err := tx.Ledger().Book(ctx, customer)
					return err
				},
				func(tx crm.Tx) error { return tx.Ledger().SaveBook(ctx, book) })
			got := read(ctx, t, s, func(tx crm.ReadTx) (crm.Book, error) { return tx.Ledger().Book(ctx, customer) })
			assert.Equal(t, book, got)
			if b.dialect == postgresBackend.dialect {
				assert.True(t, met, "both read that there is no book")
			}
		})
		t.Run("Reversal", func(t *testing.T) {
			race(ctx, t, s, wait,
				func(tx crm.Tx) error {
					_, err := tx.Ledger().ReversalOf(ctx, orig.ID)
					return err
				},
				func(tx crm.Tx) error {
					return tx.Ledger().Append(ctx, orig.Reversal(newID(t), day(2026, 3, 4), at(9), newID(t), "mistake"))
				})
		})
		t.Run("IdempotencyKey", func(t *testing.T) {
			race(ctx, t, s, wait,
				func(tx crm.Tx) error {
					_, err := tx.Ledger().EntryByKey(ctx, "once")
					return err
				},
				func(tx crm.Tx) error {
					e := sampleEntry(t, customer)
					e.IdempotencyKey = "once"
					return tx.Ledger().Append(ctx, e)
				})
		})
		assert.Equal(t, 3, countRows(ctx, t, db, "entries"), "the first entry, one reversal, one keyed entry")
	})
}

// race runs two transactions at once, each reading with check (which
// finds nothing, or, on SQLite, what the other committed), waiting up to
// wait for the other to have read too, and writing with write. It requires that exactly one commits and
// the other gets a conflict, and reports whether both had read before
// either wrote.
func race(ctx context.Context, t *testing.T, s crm.Store, wait time.Duration, check, write func(tx crm.Tx) error) (met bool) {
	t.Helper()
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		read int
		both = make(chan struct{})
		errs [2]error
	)
	for i := range errs {
		wg.Go(func() {
			errs[i] = s.Update(ctx, func(tx crm.Tx) error {
				if err := check(tx); err != nil && !errors.Is(err, crm.ErrNotFound) {
					return err
				}
				mu.Lock()
				if read++; read == 2 {
					close(both)
				}
				mu.Unlock()
				select {
				case <-both:
				case <-time.After(wait):
				}
				return write(tx)
			})
		})
	}
	wg.Wait()
	var committed, conflicts int
	for _, err := range errs {
		switch {
		case err == nil:
			committed++
		case errors.Is(err, crm.ErrConflict):
			conflicts++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	assert.Equal(t, []int{1, 1}, []int{committed, conflicts}, "one commits, the other conflicts")
	select {
	case <-both:
		return true
	default:
		return false
	}
}

// TestRacingDueDatesAreMarked: two transactions that post to one invoice
// at once, with due dates in different aging buckets, both commit, and
// the aging finds the invoice due when the later says, as the reference
// does: neither posting is bucketed on its own.
func TestRacingDueDatesAreMarked(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s, _ := b.newStore(t)
		customer, item := newID(t), newID(t)
		var entries [2]crm.Entry
		for i, due := range []crm.Date{day(2026, 3, 31), day(2026, 1, 15)} {
			amount := crm.MoneyFromMinor(int64(1000*(i+1)), eur)
			entries[i] = crm.Entry{ID: newID(t), Kind: crm.EntryInvoice, Customer: customer, Effective: day(2026, 1, 2),
				RecordedAt: at(i), Postings: []crm.Posting{
					{Account: crm.AccountReceivable, Customer: customer, Amount: amount, Item: item, Due: due},
					{Account: crm.AccountRevenue, Amount: amount.Neg()}}}
		}
		var wg sync.WaitGroup
		var ready sync.WaitGroup
		ready.Add(2)
		errs := make([]error, 2)
		for i, e := range entries {
			wg.Go(func() {
				var once sync.Once // a retried transaction is ready once
				errs[i] = s.Update(ctx, func(tx crm.Tx) error {
					if _, err := tx.Ledger().Book(ctx, customer); !errors.Is(err, crm.ErrNotFound) {
						return err
					}
					once.Do(ready.Done)
					waitFor(&ready, 50*time.Millisecond) // SQLite lets one in at a time
					return tx.Ledger().Append(ctx, e)
				})
			})
		}
		wg.Wait()
		require.NoError(t, errors.Join(errs...))
		q, err := crm.AgingQuery{AsOf: day(2026, 3, 1)}.Normalized()
		require.NoError(t, err)
		got := read(ctx, t, s, func(tx crm.ReadTx) ([]crm.AgingAmount, error) { return tx.Ledger().Aging(ctx, q) })
		all := read(ctx, t, s, func(tx crm.ReadTx) ([]crm.Entry, error) {
			return tx.Ledger().Entries(ctx, crm.EntryFilter{}, crm.PageRequest{})
		})
		require.Equal(t, must(storekit.AggregateAging(all, q)), got)
		require.Len(t, got, 1, "one invoice, in one bucket")
	})
}

// waitFor waits for wg, or for d at most.
func waitFor(wg *sync.WaitGroup, d time.Duration) {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(d):
	}
}
