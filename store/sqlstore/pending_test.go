package sqlstore_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/storekit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPendingWrites appends many entries in one transaction, which the
// store writes with what is pending (see pending.go), and reads the
// ledger between them: every read, of the items and balances the
// entries touch or not, of the entries, of the book, answers what the
// reference says of the entries appended so far; a repeated ID is a
// conflict that leaves the transaction going; a book saved again and
// again reads back at its last version, and a stale version is a
// conflict. What commits is what was appended.
func TestPendingWrites(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s, _ := b.newStore(t)
		rng := rand.New(rand.NewPCG(7, 11))
		customers := []crm.ID{newID(t), newID(t)}
		invoices := []crm.ID{newID(t), newID(t), newID(t), newID(t)}
		credits := []crm.ID{newID(t), newID(t)}
		dates := []crm.Date{day(2026, 3, 1), day(2026, 3, 5), day(2026, 3, 9)}
		dues := []crm.Date{{}, day(2026, 4, 1), day(2026, 5, 1)}
		// An entry of the customer's: a receivable and a credit posting,
		// or one of them against revenue, sometimes keyed (written at once).
		newEntry := func(customer crm.ID, i int) crm.Entry {
			amount := crm.MoneyFromMinor(int64(rng.IntN(5_000)+1), eur)
			recv := crm.Posting{Account: crm.AccountReceivable, Customer: customer, Amount: amount,
				Item: invoices[rng.IntN(len(invoices))], Due: dues[rng.IntN(len(dues))]}
			credit := crm.Posting{Account: crm.AccountCredit, Customer: customer, Amount: amount.Neg(), Item: credits[rng.IntN(len(credits))]}
			e := crm.Entry{ID: newID(t), Kind: crm.EntryAllocation, Customer: customer, Effective: dates[rng.IntN(len(dates))],
				RecordedAt: at(i % 60), Description: fmt.Sprint("entry ", i)}
			switch rng.IntN(4) {
			case 0:
				e.Postings = []crm.Posting{recv, {Account: crm.AccountRevenue, Amount: amount.Neg()}}
			case 1:
				e.Postings = []crm.Posting{credit, {Account: crm.AccountRevenue, Amount: amount}}
			default:
				recv.Amount, credit.Amount = amount.Neg(), amount
				e.Postings = []crm.Posting{credit, recv}
			}
			if rng.IntN(8) == 0 {
				e.IdempotencyKey = fmt.Sprint("key ", i)
			}
			return e
		}
		// check reads what a posting reads, and more, and compares it
		// with the reference.
		check := func(tx crm.Tx, appended []crm.Entry, step int) {
			// The reference takes the due date of an item's latest posting
			// in the order of entries, which is ID order.
			appended = slices.SortedFunc(slices.Values(appended), func(a, b crm.Entry) int { return a.ID.Compare(b.ID) })
			l := tx.Ledger()
			for _, c := range customers {
				items := [][]crm.ID{{invoices[rng.IntN(len(invoices))], credits[rng.IntN(len(credits))]}, slices.Concat(invoices, credits)}
				for _, ids := range items {
					for _, asOf := range append([]crm.Date{{}}, dates...) {
						got, err := l.OpenItemsOf(ctx, c, ids, asOf)
						require.NoError(t, err)
						require.Equal(t, nonNil(storekit.OpenItemsOf(appended, c, ids, asOf)), got, "step %d, as of %s", step, asOf)
					}
				}
				got, err := l.BalancesOf(ctx, c)
				require.NoError(t, err)
				require.Equal(t, nonNil(storekit.BalancesOf(appended, c)), got, "step %d", step)
			}
			if step%10 == 0 {
				es, err := l.Entries(ctx, crm.EntryFilter{}, crm.PageRequest{Limit: crm.MaxPageSize})
				require.NoError(t, err)
				assert.Len(t, es, len(appended), "step %d", step)
			}
		}
		var appended []crm.Entry
		write(ctx, t, s, func(tx crm.Tx) error {
			l := tx.Ledger()
			c := customers[0]
			_, err := l.Book(ctx, c)
			require.ErrorIs(t, err, crm.ErrNotFound)
			require.NoError(t, l.SaveBook(ctx, crm.Book{Customer: c, Version: 1}))
			for i := range 60 {
				e := newEntry(customers[i%2], i)
				require.NoError(t, l.Append(ctx, e), "step %d", i)
				appended = append(appended, e)
				if i%2 == 0 {
					require.NoError(t, l.SaveBook(ctx, crm.Book{Customer: c, Version: int64(i/2 + 2)}))
				}
				if i%7 == 0 {
					check(tx, appended, i)
				}
				if i%9 == 0 {
					again := newEntry(customers[0], i)
					again.ID, again.IdempotencyKey = e.ID, ""
					var ce *crm.ConflictError
					require.ErrorAs(t, l.Append(ctx, again), &ce, "an ID pending or written is taken")
					assert.Equal(t, "already exists", ce.Detail)
				}
			}
			// An ID before every one stored is looked up, and free.
			low := newEntry(customers[1], 60)
			low.ID, low.IdempotencyKey = crm.ID{15: 1}, ""
			require.NoError(t, l.Append(ctx, low))
			appended = append(appended, low)
			var ce *crm.ConflictError
			require.ErrorAs(t, l.Append(ctx, low), &ce, "and then taken")
			got, err := l.Book(ctx, c)
			require.NoError(t, err)
			assert.Equal(t, crm.Book{Customer: c, Version: 31}, got, "the last version saved")
			require.ErrorIs(t, l.SaveBook(ctx, crm.Book{Customer: c, Version: 31}), crm.ErrConflict, "a version saved already")
			require.NoError(t, l.SaveBook(ctx, crm.Book{Customer: c, Version: 32}))
			check(tx, appended, 60)
			return nil
		})
		appended = slices.SortedFunc(slices.Values(appended), func(a, b crm.Entry) int { return a.ID.Compare(b.ID) })
		read(ctx, t, s, func(tx crm.ReadTx) (any, error) {
			check := func(got any, err error) any {
				require.NoError(t, err)
				return got
			}
			assert.Equal(t, crm.Book{Customer: customers[0], Version: 32}, check(tx.Ledger().Book(ctx, customers[0])))
			for _, c := range customers {
				assert.Equal(t, nonNil(storekit.OpenItems(appended, c, crm.Date{})), check(tx.Ledger().OpenItems(ctx, c, crm.Date{})))
				assert.Equal(t, nonNil(storekit.BalancesOf(appended, c)), check(tx.Ledger().BalancesOf(ctx, c)))
			}
			es := check(tx.Ledger().Entries(ctx, crm.EntryFilter{}, crm.PageRequest{Limit: crm.MaxPageSize})).([]crm.Entry)
			assert.ElementsMatch(t, appended, es, "what was appended, and nothing refused")
			return nil, nil
		})
	})
}

// TestPendingWritesRollBack: what is pending goes with the transaction
// that fails.
func TestPendingWritesRollBack(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s, db := b.newStore(t)
		customer := newID(t)
		e := sampleEntry(t, customer)
		e.IdempotencyKey = ""
		require.Error(t, s.Update(ctx, func(tx crm.Tx) error {
			require.NoError(t, tx.Ledger().SaveBook(ctx, crm.Book{Customer: customer, Version: 1}))
			require.NoError(t, tx.Ledger().Append(ctx, e))
			require.NoError(t, tx.Ledger().SaveBook(ctx, crm.Book{Customer: customer, Version: 2}))
			return fmt.Errorf("changed my mind")
		}))
		for _, table := range []string{"books", "entries", "postings", "open_items", "customer_balances"} {
			assert.Zero(t, countRows(ctx, t, db, table), table)
		}
	})
}

// TestPendingWriteFailureLeavesNothing: when writing what is pending
// fails at the commit (here a trigger the test adds refuses the last
// entry's postings), the transaction fails and nothing of it is stored,
// not even the entries written before, and a later transaction works.
func TestPendingWriteFailureLeavesNothing(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s, db := b.newStore(t)
		postings := db.table("crm_", "postings")
		if b.name == "SQLite" {
			_, err := db.ExecContext(ctx, `CREATE TRIGGER test_refuse BEFORE INSERT ON `+postings+
				` WHEN NEW.amount_minor = 4242 BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`)
			require.NoError(t, err)
		} else {
			fn := db.table("crm_", "test_refuse")
			_, err := db.ExecContext(ctx, `CREATE FUNCTION `+fn+`() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN `+
				`IF NEW.amount_minor = 4242 THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$`)
			require.NoError(t, err)
			_, err = db.ExecContext(ctx, `CREATE TRIGGER test_refuse BEFORE INSERT ON `+postings+` FOR EACH ROW EXECUTE FUNCTION `+fn+`()`)
			require.NoError(t, err)
		}
		customer := newID(t)
		entry := func(minor int64) crm.Entry {
			e := sampleEntry(t, customer)
			e.IdempotencyKey = ""
			e.Postings = []crm.Posting{
				{Account: crm.AccountReceivable, Customer: customer, Amount: crm.MoneyFromMinor(minor, eur), Item: newID(t), Due: day(2026, 3, 31)},
				{Account: crm.AccountRevenue, Amount: crm.MoneyFromMinor(-minor, eur)},
			}
			return e
		}
		err := s.Update(ctx, func(tx crm.Tx) error {
			require.NoError(t, tx.Ledger().SaveBook(ctx, crm.Book{Customer: customer, Version: 1}))
			for i := range 5 {
				if err := tx.Ledger().Append(ctx, entry(int64(100+i))); err != nil {
					return err
				}
				require.NoError(t, tx.Ledger().SaveBook(ctx, crm.Book{Customer: customer, Version: int64(i + 2)}))
			}
			return tx.Ledger().Append(ctx, entry(4242))
		})
		require.ErrorContains(t, err, "refused by the test")
		for _, table := range []string{"books", "entries", "postings", "open_items", "customer_balances"} {
			assert.Zero(t, countRows(ctx, t, db, table), table)
		}
		write(ctx, t, s, func(tx crm.Tx) error {
			require.NoError(t, tx.Ledger().SaveBook(ctx, crm.Book{Customer: customer, Version: 1}))
			return tx.Ledger().Append(ctx, entry(100))
		})
		assert.Equal(t, 1, countRows(ctx, t, db, "entries"))
	})
}
