package bench

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/sqlstore"
	"github.com/crmkit/crm/store/storetest"
)

// The aging report (ReceivableService.Aging: the store's buckets and the
// customers' unapplied credit) on SQLite against the store's aging alone,
// over the open items of BenchmarkMemReports (CRMKIT_BENCH_ITEMS, 200,000
// by default, and a payment kept as credit by one customer in ten):
//
//	go test -run '^$' -bench CreditSQLite -benchmem -benchtime 3x .
func BenchmarkCreditSQLite(b *testing.B) {
	ctx := context.Background()
	dsn := "file:" + filepath.Join(b.TempDir(), "crm.db") + "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	s, err := sqlstore.New(db, sqlstore.SQLite)
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	tm := storetest.NewTeam(b, s)
	loadAging(b, s, memrepItems())
	tm.Clock.Set(time.Date(2027, 6, 2, 9, 0, 0, 0, time.UTC))
	q, _ := crm.AgingQuery{AsOf: memrepDay.AddDays(400)}.Normalized()
	run := func(name string, fn func() error) {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				if err := fn(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	run("Aging/crmkit", func() error {
		return s.View(ctx, func(tx crm.ReadTx) error { _, err := tx.Ledger().Aging(ctx, q); return err })
	})
	run("Aging/crmkit-report", func() error {
		_, err := tm.Receivables.Aging(ctx, tm.Admin.ID, crm.AgingQuery{AsOf: q.AsOf})
		return err
	})
}
