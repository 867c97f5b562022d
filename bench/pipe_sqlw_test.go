package bench

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/pgxstore"
	"github.com/crmkit/crm/store/sqlstore"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// BenchmarkPipeSQLW compares, on PostgreSQL, IssueInvoice and
// ReceivePayment through crmkit on database/sql (crmkit), through crmkit
// pipelined on pgx (crmkit-pipe, store/pgxstore) and, for the invoice,
// written by hand (handwritten, as in BenchmarkSQLWIssueInvoice), with
// their statements and round trips per op:
//
//	CRMKIT_POSTGRES_URL=postgres://... go test -run '^$' -bench PipeSQLW -count 3 ./bench
func BenchmarkPipeSQLW(b *testing.B) {
	url := os.Getenv("CRMKIT_POSTGRES_URL")
	if url == "" {
		b.Skip("set CRMKIT_POSTGRES_URL=postgres://... to run the PostgreSQL benchmarks")
	}
	ctx := context.Background()
	s := sqlwOpen(b, "crmkit", "pgx", url, sqlstore.PostgreSQL, sqlstore.WithSchema("sqlw"))
	p := s.piped(b)
	for _, x := range []*sqlwDB{s, p} {
		b.Run("IssueInvoice/"+x.name, func(b *testing.B) {
			st0, tr0, cpu0 := x.count.stmts.Load(), x.count.trips(), cpuTime()
			for range b.N {
				if _, err := x.crm.Ledger.IssueInvoice(ctx, x.actor, x.invoice()); err != nil {
					b.Fatal(err)
				}
			}
			perOp(b, x.count, st0, tr0, cpu0)
		})
	}
	b.Run("IssueInvoice/handwritten", func(b *testing.B) {
		h := newHand(b, s)
		st0, tr0, cpu0 := s.count.stmts.Load(), s.count.trips(), cpuTime()
		for range b.N {
			if err := h.issueInvoice(ctx); err != nil {
				b.Fatal(err)
			}
		}
		perOp(b, s.count, st0, tr0, cpu0)
	})
	for _, x := range []*sqlwDB{s, p} {
		b.Run("ReceivePayment/"+x.name, func(b *testing.B) { receivePayments(ctx, b, x, crm.AllocateOldestFirst) })
	}
}

// piped is a second CRM on the same PostgreSQL database whose store is
// pipelined (store/pgxstore), on a pool of pgx's own whose round trips
// pipeCounter counts.
func (s *sqlwDB) piped(b *testing.B) *sqlwDB {
	b.Helper()
	cfg, err := pgx.ParseConfig(os.Getenv("CRMKIT_POSTGRES_URL"))
	if err != nil {
		b.Fatal(err)
	}
	c := &counter{}
	cfg.Tracer = pipeCounter{c}
	db := stdlib.OpenDB(*cfg)
	b.Cleanup(func() { _ = db.Close() })
	st, err := pgxstore.New(db, sqlstore.WithSchema("sqlw"))
	if err != nil {
		b.Fatal(err)
	}
	c2, err := crm.New(st, crm.WithClock(crm.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))))
	if err != nil {
		b.Fatal(err)
	}
	u := *s
	u.name, u.db, u.store, u.count, u.crm = "crmkit-pipe", db, st, c, c2
	return &u
}
