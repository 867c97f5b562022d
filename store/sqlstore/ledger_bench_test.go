package sqlstore_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/require"
)

// The ledger's benchmarks, on a SQLite file and on PostgreSQL:
//
//	CRMKIT_POSTGRES_URL=postgres://... go test -run '^$' -bench 'Ledger' -benchtime 20000x ./store/sqlstore
//
// BenchmarkLedgerAppend reports entries/s; BenchmarkLedgerAging loads
// CRMKIT_BENCH_ITEMS open invoices (1,000,000 unless set) and times the
// adapter's Aging ("crmkit") against the same aggregate written by hand
// ("handwritten").

// BenchmarkLedgerAppend appends invoice entries (a receivable, revenue
// and tax posting each) through the port, one entry to a transaction and
// a thousand to a transaction.
func BenchmarkLedgerAppend(b *testing.B) {
	ctx := context.Background()
	for _, be := range []backend{sqliteBackend, postgresBackend} {
		for _, batch := range []int{1, 1000} {
			b.Run(fmt.Sprintf("%s/PerTransaction=%d", be.name, batch), func(b *testing.B) {
				s, _ := be.newStore(b)
				customers := benchCustomers(b, 100)
				entries := make([]crm.Entry, b.N)
				for i := range entries {
					entries[i] = benchInvoice(b, customers[i%len(customers)], i, true)
				}
				b.ResetTimer()
				for start := 0; start < len(entries); start += batch {
					chunk := entries[start:min(start+batch, len(entries))]
					if err := appendAll(ctx, s, chunk); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "entries/s")
			})
		}
	}
}

// appendAll appends es in one transaction.
func appendAll(ctx context.Context, s crm.Store, es []crm.Entry) error {
	return s.Update(ctx, func(tx crm.Tx) error {
		for _, e := range es {
			if err := tx.Ledger().Append(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
}

// benchCustomers returns n customer IDs.
func benchCustomers(tb testing.TB, n int) []crm.ID {
	out := make([]crm.ID, n)
	for i := range out {
		out[i] = newID(tb)
	}
	return out
}

// benchStart is the first effective day of the benchmarks' invoices.
var benchStart = day(2025, 6, 2)

// benchInvoice is the i-th invoice of the benchmarks, of customer: issued
// on one of 400 days, due up to 60 days later, in the customer's
// currency, with tax or without.
func benchInvoice(tb testing.TB, customer crm.ID, i int, tax bool) crm.Entry {
	cur := []crm.Currency{eur, usd, jpy}[int(customer[15])%3]
	issued := benchStart.AddDays(i % 400)
	item := newID(tb)
	net := crm.MoneyFromMinor(int64(1_000+i%100_000), cur)
	e := crm.Entry{ID: newID(tb), Kind: crm.EntryInvoice, Customer: customer, Document: item, Effective: issued,
		RecordedAt: issued.In(time.UTC), Description: "invoice " + strconv.Itoa(i), Postings: []crm.Posting{
			{Account: crm.AccountReceivable, Customer: customer, Amount: net, Item: item, Due: issued.AddDays(i % 61)},
			{Account: crm.AccountRevenue, Amount: net.Neg()}}}
	if tax {
		t := crm.MoneyFromMinor(int64(i%1_000), cur)
		e.Postings[0].Amount, _ = net.Add(t)
		e.Postings = append(e.Postings, crm.Posting{Account: crm.AccountTax, Amount: t.Neg()})
	}
	return e
}

// benchItems is how many open invoices BenchmarkLedgerAging loads.
func benchItems(b *testing.B) int {
	n := 1_000_000
	if v := os.Getenv("CRMKIT_BENCH_ITEMS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			b.Fatalf("CRMKIT_BENCH_ITEMS=%q is not a positive count", v)
		}
	}
	return n
}

// BenchmarkLedgerAging times the aging of every customer, as of a day
// that leaves a tenth of the invoices out, over open invoices of about
// 10,000 customers (a hundred each), loaded through the port ten
// thousand to a transaction. "crmkit" is the adapter's Aging,
// "handwritten" the plain SQL one would write for it (handwrittenAging);
// their ratio is the adapter's overhead. Both are checked to agree first.
func BenchmarkLedgerAging(b *testing.B) {
	ctx := context.Background()
	for _, be := range []backend{sqliteBackend, postgresBackend} {
		b.Run(be.name, func(b *testing.B) {
			s, db := be.newStore(b)
			n := benchItems(b)
			customers := benchCustomers(b, max(1, n/100))
			const batch = 10_000
			for start := 0; start < n; start += batch {
				es := make([]crm.Entry, min(batch, n-start))
				for i := range es {
					es[i] = benchInvoice(b, customers[(start+i)%len(customers)], start+i, false)
				}
				require.NoError(b, appendAll(ctx, s, es))
			}
			analyze(ctx, b, db)
			q := crm.AgingQuery{AsOf: benchStart.AddDays(360), Bounds: crm.DefaultAgingBounds()}
			crmkit := func() []crm.AgingAmount {
				var out []crm.AgingAmount
				require.NoError(b, s.View(ctx, func(tx crm.ReadTx) error {
					var err error
					out, err = tx.Ledger().Aging(ctx, q)
					return err
				}))
				return out
			}
			require.Equal(b, crmkit(), handwrittenAging(ctx, b, db, q), "both answer alike")
			b.Run("crmkit", func(b *testing.B) {
				for b.Loop() {
					crmkit()
				}
			})
			b.Run("handwritten", func(b *testing.B) {
				for b.Loop() {
					handwrittenAging(ctx, b, db, q)
				}
			})
		})
	}
}

// analyze gathers the planner's statistics after the load, as autovacuum
// or a scheduled ANALYZE would.
func analyze(ctx context.Context, tb testing.TB, db testDB) {
	stmts := []string{"ANALYZE"}
	if db.schema != "" {
		stmts = []string{"VACUUM ANALYZE " + db.table("crm_", "postings"), "VACUUM ANALYZE " + db.table("crm_", "entries")}
	}
	for _, stmt := range stmts {
		_, err := db.ExecContext(ctx, stmt)
		require.NoError(tb, err)
	}
}

// handwrittenAging is the aging as one would write it by hand for these
// tables: each receivable posting effective by the day in the bucket of
// its due day, summed per customer, currency and bucket, in a plain
// transaction. It agrees with Aging where every posting of an invoice
// carries the invoice's due date, as the CRM's do.
func handwrittenAging(ctx context.Context, tb testing.TB, db testDB, q crm.AgingQuery) []crm.AgingAmount {
	asOf := int(q.AsOf.In(time.UTC).Unix() / (24 * 60 * 60))
	bucket := fmt.Sprintf("CASE WHEN due_day >= %d THEN 0", asOf)
	for i, bound := range q.Bounds {
		bucket += fmt.Sprintf(" WHEN due_day >= %d THEN %d", asOf-bound, i+1)
	}
	bucket += fmt.Sprintf(" ELSE %d END", len(q.Bounds)+1)
	query := "SELECT customer_id, currency, " + bucket + " AS bucket, SUM(amount_minor) FROM " + db.table("crm_", "postings") +
		fmt.Sprintf(" WHERE account = 'receivable' AND effective_day <= %d", asOf) +
		" GROUP BY customer_id, currency, bucket HAVING SUM(amount_minor) <> 0 ORDER BY customer_id, currency, bucket"
	tx, err := db.BeginTx(ctx, nil)
	require.NoError(tb, err)
	defer func() { _ = tx.Rollback() }()
	rows, err := tx.QueryContext(ctx, query)
	require.NoError(tb, err)
	defer rows.Close()
	out := []crm.AgingAmount{}
	for rows.Next() {
		var a crm.AgingAmount
		require.NoError(tb, rows.Scan(&a.Customer, &a.Currency, &a.Bucket, &a.Minor))
		out = append(out, a)
	}
	require.NoError(tb, rows.Err())
	return out
}
