package bench

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/sqlstore"
	"github.com/shopspring/decimal"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// sqlwDB is one database for the SQL write benchmarks: a store on a
// counting pool, migrated, with an admin and a customer.
type sqlwDB struct {
	name     string
	db       *sql.DB
	store    *sqlstore.Store
	count    *counter
	crm      *crm.CRM
	actor    crm.ID
	customer crm.ID
	usd      crm.Currency
}

// sqlwDialects are the databases to run on: SQLite in a temporary file
// (WAL, synchronous=NORMAL, the pragmas of store/sqlite's CrashDurable),
// and PostgreSQL at CRMKIT_POSTGRES_URL, when it is set, in a schema of
// its own, dropped first.
func sqlwDialects(b *testing.B) []*sqlwDB {
	b.Helper()
	var out []*sqlwDB
	dir := b.TempDir()
	dsn := "file:" + filepath.Join(dir, "crm.db") + "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)" +
		"&_pragma=secure_delete(1)&_pragma=synchronous(NORMAL)"
	out = append(out, sqlwOpen(b, "sqlite", "sqlite", dsn, sqlstore.SQLite))
	if url := os.Getenv("CRMKIT_POSTGRES_URL"); url != "" {
		out = append(out, sqlwOpen(b, "postgres", "pgx", url, sqlstore.PostgreSQL, sqlstore.WithSchema("sqlw")))
	}
	return out
}

func sqlwOpen(b *testing.B, name, driverName, dsn string, d sqlstore.Dialect, opts ...sqlstore.Option) *sqlwDB {
	b.Helper()
	ctx := context.Background()
	c := &counter{}
	db, err := openCounting(driverName, dsn, c)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	if d == sqlstore.PostgreSQL {
		for _, q := range []string{"DROP SCHEMA IF EXISTS sqlw CASCADE", "CREATE SCHEMA sqlw"} {
			if _, err := db.ExecContext(ctx, q); err != nil {
				b.Fatal(err)
			}
		}
	}
	st, err := sqlstore.New(db, d, opts...)
	if err != nil {
		b.Fatal(err)
	}
	if err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	clock := crm.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	c2, err := crm.New(st, crm.WithClock(clock))
	if err != nil {
		b.Fatal(err)
	}
	admin, err := c2.Users.Bootstrap(ctx, crm.NewUser{Name: "Ada", Email: "ada@example.com"})
	if err != nil {
		b.Fatal(err)
	}
	cu, err := c2.Customers.Create(ctx, admin.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: "Acme"})
	if err != nil {
		b.Fatal(err)
	}
	usd, _ := crm.ParseCurrency("USD")
	return &sqlwDB{name: name, db: db, store: st, count: c, crm: c2, actor: admin.ID, customer: cu.ID, usd: usd}
}

// invoice is the invoice every contender issues: one line of 100.00 USD,
// numbered by the series.
func (s *sqlwDB) invoice() crm.NewInvoice {
	return crm.NewInvoice{Customer: s.customer, Currency: s.usd,
		Lines: []crm.InvoiceLine{{Description: "Services", Quantity: decimal.NewFromInt(1), UnitPrice: crm.MoneyFromMinor(10000, s.usd)}}}
}

// perOp reports the statements and round trips counted during the
// benchmark loop, per op, and the process's CPU time per op (user and
// system, from getrusage): on a loaded machine the wall time of one op
// swings with the scheduler, the CPU time it costs much less. On SQLite
// all the work is in the process; on PostgreSQL the server's is not
// counted.
func perOp(b *testing.B, c *counter, stmts0, trips0 int64, cpu0 time.Duration) {
	b.ReportMetric(float64(c.stmts.Load()-stmts0)/float64(b.N), "stmts/op")
	b.ReportMetric(float64(c.trips()-trips0)/float64(b.N), "trips/op")
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
}

// BenchmarkSQLWLog prints the statements of one IssueInvoice and one
// ReceivePayment on each database (run with -benchtime 1x).
func BenchmarkSQLWLog(b *testing.B) {
	ctx := context.Background()
	for _, s := range sqlwDialects(b) {
		for range b.N {
			fmt.Fprintln(os.Stderr, s.name, "IssueInvoice:")
			s.count.log.Store(true)
			t0 := s.count.trips()
			if _, err := s.crm.Ledger.IssueInvoice(ctx, s.actor, s.invoice()); err != nil {
				b.Fatal(err)
			}
			fmt.Fprintln(os.Stderr, "  round trips:", s.count.trips()-t0)
			fmt.Fprintln(os.Stderr, s.name, "ReceivePayment:")
			t0 = s.count.trips()
			if _, err := s.crm.Ledger.ReceivePayment(ctx, s.actor, crm.NewPayment{Customer: s.customer, Amount: crm.MoneyFromMinor(5000, s.usd),
				Allocation: crm.AllocateOldestFirst}); err != nil {
				b.Fatal(err)
			}
			fmt.Fprintln(os.Stderr, "  round trips:", s.count.trips()-t0)
			s.count.log.Store(false)
			m := s.touchpointMap(b)
			fmt.Fprintln(os.Stderr, s.name, "RecordInteraction:")
			s.count.log.Store(true)
			t0 = s.count.trips()
			if _, err := s.crm.Experience.RecordInteraction(ctx, s.actor, s.interaction(m, 0)); err != nil {
				b.Fatal(err)
			}
			fmt.Fprintln(os.Stderr, "  round trips:", s.count.trips()-t0)
			s.count.log.Store(false)
		}
	}
}

// unsealed is a second CRM on the same PostgreSQL database whose store
// chains the log in each write (WithLogSealing(false)), with its own
// counting pool.
func (s *sqlwDB) unsealed(b *testing.B) *sqlwDB {
	b.Helper()
	ctx := context.Background()
	c := &counter{}
	db, err := openCounting("pgx", os.Getenv("CRMKIT_POSTGRES_URL"), c)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	st, err := sqlstore.New(db, sqlstore.PostgreSQL, sqlstore.WithSchema("sqlw"), sqlstore.WithLogSealing(false))
	if err != nil {
		b.Fatal(err)
	}
	// seal what the sealing store left in the inbox
	if _, err := s.crm.Events.FeedPage(ctx, 0, 1); err != nil {
		b.Fatal(err)
	}
	c2, err := crm.New(st)
	if err != nil {
		b.Fatal(err)
	}
	u := *s
	u.db, u.store, u.count, u.crm = db, st, c, c2
	return &u
}

// touchpointMap creates a map of one touchpoint, "call".
func (s *sqlwDB) touchpointMap(b *testing.B) crm.ID {
	b.Helper()
	m, err := s.crm.Experience.CreateTouchpointMap(context.Background(), s.actor, crm.NewTouchpointMap{Name: "Service",
		Touchpoints: []crm.Touchpoint{{Key: "call", Name: "Call", Channel: crm.ChannelContactCenter}}})
	if err != nil {
		b.Fatal(err)
	}
	return m.ID
}

// interaction is the i-th interaction every contender records: an inbound
// call at touchpoint "call", a day after the one before (crmkit reads the
// customer's contacts of the last days, to tell repeat contacts).
func (s *sqlwDB) interaction(m crm.ID, i int) crm.NewInteraction {
	return crm.NewInteraction{Customer: s.customer, Map: m, Touchpoint: "call", Direction: crm.Inbound, Sentiment: crm.Positive,
		At: time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i)} // room for 20,000 days before the clock's now
}
