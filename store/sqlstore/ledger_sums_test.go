package sqlstore_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/sqlstore"
	"github.com/crmkit/crm/store/storekit"
	"github.com/stretchr/testify/require"
)

// TestLedgerMatchesTheReference stores generated receivables through the
// repositories and checks every listing and every sum of the ledger
// against the reference implementations over the same entries.
func TestLedgerMatchesTheReference(t *testing.T) {
	d := generateLedger(t, 20260501, 260)
	d.requireVariety(t)
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s, db := b.newStore(t)
		d.insert(ctx, t, s)
		t.Run("Listings", func(t *testing.T) { d.checkListings(ctx, t, s) })
		t.Run("OpenItems", func(t *testing.T) {
			for _, asOf := range d.asOfDates() {
				for _, customer := range d.askedCustomers(t) {
					got := read(ctx, t, s, func(tx crm.ReadTx) ([]crm.OpenItem, error) {
						return tx.Ledger().OpenItems(ctx, customer, asOf)
					})
					require.Equal(t, nonNil(storekit.OpenItems(d.entries, customer, asOf)), got, "customer %s as of %s", customer, asOf)
				}
			}
		})
		t.Run("Balances", func(t *testing.T) {
			for _, asOf := range d.asOfDates() {
				got := read(ctx, t, s, func(tx crm.ReadTx) ([]crm.Balance, error) { return tx.Ledger().Balances(ctx, asOf) })
				require.Equal(t, nonNil(storekit.Balances(d.entries, asOf)), got, "as of %s", asOf)
			}
		})
		t.Run("OpenItemsOf", func(t *testing.T) { d.checkKept(ctx, t, s) })
		t.Run("KeptFromTheLedgerByTheMigration", func(t *testing.T) {
			// What 0008 fills from the postings is what Append keeps.
			files, err := sqlstore.Migrations(b.dialect, db.opts...)
			require.NoError(t, err)
			text := readFile(t, files, "0008_open_items.sql")
			fill := strings.Index(text, "-- The ledger as it stands fills both.")
			require.Positive(t, fill)
			for _, table := range []string{"open_items", "customer_balances"} {
				_, err := db.ExecContext(ctx, "DELETE FROM "+db.table("crm_", table))
				require.NoError(t, err)
			}
			require.Empty(t, read(ctx, t, s, func(tx crm.ReadTx) ([]crm.Balance, error) {
				return tx.Ledger().BalancesOf(ctx, d.customers[1])
			}), "emptied")
			_, err = db.ExecContext(ctx, text[fill:])
			require.NoError(t, err)
			d.checkKept(ctx, t, s)
		})
		t.Run("Aging", func(t *testing.T) { d.checkAging(ctx, t, s) })
		t.Run("Revenue", func(t *testing.T) {
			dates := d.asOfDates()
			for i, from := range dates {
				to := dates[(i*3+2)%len(dates)]
				for _, customer := range d.askedCustomers(t) {
					for _, r := range [][2]crm.Date{{from, to}, {from, {}}, {{}, to}, {to, from}} {
						want, wantErr := storekit.AggregateRevenue(d.entries, customer, r[0], r[1])
						sameAnswer(ctx, t, s, func(tx crm.ReadTx) ([]crm.RevenueAmount, error) {
							return tx.Ledger().Revenue(ctx, customer, r[0], r[1])
						}, want, wantErr, "customer %s from %s to %s", customer, r[0], r[1])
					}
				}
			}
		})
	})
}

// checkKept asks what is open on items and the customers' balances,
// which the store keeps as it appends, of every customer as of every
// date: on each of their items alone, on all of them, on none, on another
// customer's and on one nobody has; and requires the references'
// answers. Everyone's open items now, which OpenItems of each customer
// reads from what is kept, are checked with OpenItems.
func (d ledgerData) checkKept(ctx context.Context, t *testing.T, s crm.Store) {
	unknown := newID(t)
	for _, customer := range d.askedCustomers(t) {
		var mine, others []crm.ID
		for _, e := range d.entries {
			for _, p := range e.Postings {
				switch {
				case !p.Account.PerCustomer():
				case p.Customer == customer:
					mine = append(mine, p.Item)
				case len(others) < 3:
					others = append(others, p.Item)
				}
			}
		}
		mine = slices.Compact(slices.SortedFunc(slices.Values(mine), crm.ID.Compare))
		sets := [][]crm.ID{mine, nil, {unknown}, others, append(slices.Clone(others), unknown)}
		for i, id := range mine {
			if i%3 == 0 {
				sets = append(sets, []crm.ID{id, id})
			}
		}
		for _, asOf := range d.asOfDates() {
			for _, items := range sets {
				got := read(ctx, t, s, func(tx crm.ReadTx) ([]crm.OpenItem, error) {
					return tx.Ledger().OpenItemsOf(ctx, customer, items, asOf)
				})
				require.Equal(t, storekit.OpenItemsOf(d.entries, customer, items, asOf), got, "customer %s, items %v, as of %s", customer, items, asOf)
			}
		}
		got := read(ctx, t, s, func(tx crm.ReadTx) ([]crm.Balance, error) { return tx.Ledger().BalancesOf(ctx, customer) })
		require.Equal(t, storekit.BalancesOf(d.entries, customer), got, "balances of %s", customer)
		open := read(ctx, t, s, func(tx crm.ReadTx) ([]crm.OpenItem, error) { return tx.Ledger().OpenItems(ctx, customer, crm.Date{}) })
		require.Equal(t, nonNil(storekit.OpenItems(d.entries, customer, crm.Date{})), open, "open items of %s", customer)
	}
}

// checkAging asks the aging of everyone and of each customer, with the
// default bounds and custom ones (one bucket of a day; weekly; bounds
// around where DaysSince saturates), as of every valid as-of date.
func (d ledgerData) checkAging(ctx context.Context, t *testing.T, s crm.Store) {
	bounds := [][]int{nil, {1}, {7, 14, 21, 28}, {30, 106_750, 106_751, 106_752}}
	for _, asOf := range d.asOfDates() {
		if !asOf.IsValid() {
			continue
		}
		for _, b := range bounds {
			for _, customer := range d.askedCustomers(t) {
				q := crm.AgingQuery{AsOf: asOf, Bounds: b, Customer: customer}
				n, err := q.Normalized()
				require.NoError(t, err)
				want, wantErr := storekit.AggregateAging(d.entries, n)
				sameAnswer(ctx, t, s, func(tx crm.ReadTx) ([]crm.AgingAmount, error) { return tx.Ledger().Aging(ctx, q) }, want, wantErr, "%+v", q)
			}
		}
	}
	for _, q := range []crm.AgingQuery{{}, {AsOf: day(2026, 2, 30)}, {AsOf: ledgerStart, Bounds: []int{30, 30}}} {
		err := s.View(ctx, func(tx crm.ReadTx) error { _, err := tx.Ledger().Aging(ctx, q); return err })
		require.ErrorIs(t, err, crm.ErrInvalid, "%+v", q)
	}
}

// checkListings lists entries (in short pages), invoices and credits
// with every filter, and compares them with the data filtered in Go.
func (d ledgerData) checkListings(ctx context.Context, t *testing.T, s crm.Store) {
	dates := d.asOfDates()
	filters := []crm.EntryFilter{{}, {Customer: d.customers[0]}, {Document: d.entries[3].Document},
		{Customer: d.customers[1], From: dates[3], To: dates[5]}, {From: dates[4]}, {To: dates[2]}, {From: dates[5], To: dates[2]}}
	for _, f := range filters {
		got := readAll(ctx, t, s, 7, func(tx crm.ReadTx, page crm.PageRequest) ([]crm.Entry, error) {
			return tx.Ledger().Entries(ctx, f, page)
		}, func(e crm.Entry) crm.ID { return e.ID })
		require.Equal(t, matching(d.entries, f.Match, func(e crm.Entry) crm.ID { return e.ID }), nonNil(got), "%+v", f)
	}
	for _, customer := range d.askedCustomers(t) {
		invoices := read(ctx, t, s, func(tx crm.ReadTx) ([]crm.Invoice, error) {
			return tx.Invoices().List(ctx, crm.InvoiceFilter{Customer: customer}, crm.PageRequest{Limit: crm.MaxPageSize})
		})
		require.Equal(t, matching(d.invoices, crm.InvoiceFilter{Customer: customer}.Match, func(i crm.Invoice) crm.ID { return i.ID }),
			nonNil(invoices))
		credits := read(ctx, t, s, func(tx crm.ReadTx) ([]crm.Credit, error) {
			return tx.Credits().List(ctx, customer, crm.PageRequest{Limit: crm.MaxPageSize})
		})
		require.Equal(t, matching(d.credits, func(c crm.Credit) bool { return customer.IsZero() || c.Customer == customer },
			func(c crm.Credit) crm.ID { return c.ID }), nonNil(credits))
	}
}

// asOfDates are the dates the sums are asked as of: none; long before,
// on, the day before and the day after effective dates of the data; the
// first and last days there are; a date that does not exist, which
// counts as the day it runs over to.
func (d ledgerData) asOfDates() []crm.Date {
	mid := d.invoices[len(d.invoices)/2].Issued
	last := d.invoices[len(d.invoices)-1].Due
	return []crm.Date{{}, day(1, 1, 1), ledgerStart.AddDays(-1), ledgerStart, ledgerStart.AddDays(45), mid.AddDays(-1), mid,
		mid.AddDays(1), last, ledgerStart.AddDays(120), day(9999, 12, 31), day(2026, 2, 30)}
}

// askedCustomers are every customer, no customer (everyone) and one the
// ledger does not know.
func (d ledgerData) askedCustomers(t *testing.T) []crm.ID {
	return append([]crm.ID{{}, newID(t)}, d.customers...)
}

// nonNil returns an empty slice for nil: what the port asks of sums.
// sameAnswer asks the store and requires the reference's answer: the
// same rows, an empty slice rather than nil when there are none; or,
// where a sum of the reference's does not fit in 64 bits, a
// *crm.OverflowError from both, matching crm.ErrInvalid.
func sameAnswer[T any](ctx context.Context, t *testing.T, s crm.Store, ask func(tx crm.ReadTx) ([]T, error), want []T, wantErr error,
	msgAndArgs ...any) {
	t.Helper()
	sameResult(ctx, t, s, ask, nonNil(want), wantErr, msgAndArgs...)
}

// sameResult is sameAnswer for an answer of any type.
func sameResult[T any](ctx context.Context, t *testing.T, s crm.Store, ask func(tx crm.ReadTx) (T, error), want T, wantErr error,
	msgAndArgs ...any) {
	t.Helper()
	var got T
	err := s.View(ctx, func(tx crm.ReadTx) error {
		var err error
		got, err = ask(tx)
		return err
	})
	if wantErr != nil {
		var over *crm.OverflowError
		require.ErrorAs(t, wantErr, &over, msgAndArgs...)
		require.ErrorAs(t, err, &over, msgAndArgs...)
		require.ErrorIs(t, err, crm.ErrInvalid, msgAndArgs...)
		return
	}
	require.NoError(t, err, msgAndArgs...)
	require.Equal(t, want, got, msgAndArgs...)
}

// must returns a reference answer over data that stays within 64 bits,
// where it cannot fail.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func nonNil[T any](vs []T) []T {
	if vs == nil {
		return []T{}
	}
	return vs
}
