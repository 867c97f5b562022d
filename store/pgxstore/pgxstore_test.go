package pgxstore_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"net"
	"sync/atomic"
	"testing"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/pgtest"
	"github.com/crmkit/crm/store/pgxstore"
	"github.com/crmkit/crm/store/sqlstore"
	"github.com/crmkit/crm/store/storetest"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	_ "github.com/lib/pq" // registers the "postgres" driver, which is not pgx
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestConformance runs the whole store conformance suite on a pipelined
// PostgreSQL store, a schema of its own per subtest.
func TestConformance(t *testing.T) {
	postgresURL(t)
	storetest.Run(t, func(t *testing.T) crm.Store { return newStore(t, nil, true) })
}

// TestRoundTrips counts the round trips of the CRM's ledger writes with
// and without pipelining, each on a connection that has run them before
// (so that none prepares a statement): pipelined, each write saves at
// least its BEGIN and the round trips of the statements sent with its
// COMMIT.
func TestRoundTrips(t *testing.T) {
	postgresURL(t)
	count := func(piped bool) (invoice, payment int64) {
		rt := &roundTrips{}
		s := newStore(t, rt, piped)
		tm := storetest.NewTeam(t, s)
		ctx := context.Background()
		fin, err := tm.Users.Create(ctx, tm.Admin.ID, crm.NewUser{Name: "Fay Finance", Role: crm.RoleFinance})
		require.NoError(t, err)
		c, err := tm.Customers.Create(ctx, tm.Ann.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: "Acme"})
		require.NoError(t, err)
		eur, err := crm.ParseCurrency("EUR")
		require.NoError(t, err)
		amount := crm.MoneyFromMinor(10_000, eur)
		issue := func(n int) {
			_, err := tm.Ledger.IssueInvoice(ctx, fin.ID, crm.NewInvoice{Customer: c.ID, Currency: eur, Number: "R-" + string(rune('a'+n)),
				Lines: []crm.InvoiceLine{{Description: "Services", Quantity: decimal.NewFromInt(1), UnitPrice: amount}}})
			require.NoError(t, err)
		}
		pay := func() {
			_, err := tm.Ledger.ReceivePayment(ctx, fin.ID, crm.NewPayment{Customer: c.ID, Amount: amount, Allocation: crm.AllocateOldestFirst})
			require.NoError(t, err)
		}
		for i := range 3 { // every statement prepared on the one connection
			issue(i)
			pay()
		}
		rt.n.Store(0)
		rt.flights.Store(0)
		issue(3)
		invoice = rt.n.Load()
		assert.Equal(t, invoice, rt.flights.Load(), "statements and batches counted, against round trips on the wire")
		rt.n.Store(0)
		rt.flights.Store(0)
		pay()
		payment = rt.n.Load()
		assert.Equal(t, payment, rt.flights.Load(), "statements and batches counted, against round trips on the wire")
		return invoice, payment
	}
	plainInvoice, plainPayment := count(false)
	pipedInvoice, pipedPayment := count(true)
	t.Logf("round trips: IssueInvoice %d, pipelined %d; ReceivePayment %d, pipelined %d", plainInvoice, pipedInvoice, plainPayment, pipedPayment)
	assert.LessOrEqual(t, pipedInvoice, plainInvoice-3)
	assert.LessOrEqual(t, pipedPayment, plainPayment-3)
}

// TestQueuedFailureReplays checks that a queued statement that fails is
// met by fn where it happens, statement by statement: the insert of a
// customer whose ID is taken returns nil pipelined, the transaction runs
// again without pipelining, and there the insert returns the conflict,
// which Update returns as fn does.
func TestQueuedFailureReplays(t *testing.T) {
	postgresURL(t)
	s := newStore(t, nil, true)
	ctx := context.Background()
	tm := storetest.NewTeam(t, s)
	c, err := tm.Customers.Create(ctx, tm.Ann.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: "Acme"})
	require.NoError(t, err)
	stored, err := tm.Customers.Get(ctx, tm.Ann.ID, c.ID)
	require.NoError(t, err)
	var seen []error
	err = s.Update(ctx, func(tx crm.Tx) error {
		dup := stored
		dup.Version = 1
		err := tx.Customers().Insert(ctx, dup)
		seen = append(seen, err)
		return err
	})
	var conflict *crm.ConflictError
	require.ErrorAs(t, err, &conflict)
	require.Len(t, seen, 2, "fn runs pipelined, then statement by statement")
	assert.NoError(t, seen[0])
	assert.ErrorAs(t, seen[1], &conflict)

	// A stale version, found only when the batch with COMMIT returns,
	// changes nothing: not the customer inserted before it either.
	fresh := stored
	fresh.Version++
	fresh.Name = "Fresh"
	require.NoError(t, s.Update(ctx, func(tx crm.Tx) error { return tx.Customers().Update(ctx, fresh) }))
	stale := stored
	stale.Version++
	stale.Name = "Stale"
	other := stored
	other.ID = crm.ID(uuid.Must(uuid.NewV7()))
	seen = nil
	err = s.Update(ctx, func(tx crm.Tx) error {
		if err := tx.Customers().Insert(ctx, other); err != nil {
			return err
		}
		err := tx.Customers().Update(ctx, stale)
		seen = append(seen, err)
		return err
	})
	require.ErrorAs(t, err, &conflict)
	require.Len(t, seen, 2)
	assert.False(t, errors.As(seen[0], &conflict), "pipelined, the failure is met when the next batch returns")
	assert.ErrorAs(t, seen[1], &conflict)
	got, err := tm.Customers.Get(ctx, tm.Ann.ID, c.ID)
	require.NoError(t, err)
	assert.Equal(t, "Fresh", got.Name)
	assert.Equal(t, fresh.Version, got.Version)
	_, err = tm.Customers.Get(ctx, tm.Ann.ID, other.ID)
	assert.ErrorIs(t, err, crm.ErrNotFound)
}

// TestNotPgx checks that Send refuses a connection that is not pgx's, and
// that the option is PostgreSQL's only.
func TestNotPgx(t *testing.T) {
	_, err := pgxstore.Send(context.Background(), struct{}{}, []sqlstore.Statement{{SQL: "SELECT 1"}}, nil)
	assert.True(t, errors.Is(err, pgxstore.ErrNotPgx))
	_, err = sqlstore.New(&sql.DB{}, sqlstore.SQLite, sqlstore.WithPipeline(pgxstore.Send))
	assert.ErrorIs(t, err, crm.ErrInvalid)

	// A store on another driver's pool fails its first write with it,
	// rather than running every write twice.
	db, err := sql.Open("postgres", postgresURL(t))
	require.NoError(t, err)
	defer func() { _ = db.Close() }()
	s, err := pgxstore.New(db, sqlstore.WithSchema("crmpipe_notpgx"))
	require.NoError(t, err)
	err = s.Migrate(context.Background())
	assert.ErrorIs(t, err, pgxstore.ErrNotPgx)
	assert.ErrorIs(t, err, sqlstore.ErrPipelineConn)
}

// newStore returns a migrated store, pipelined or not, in a schema of its
// own on the test server, its round trips counted into rt when rt is not
// nil (then on one connection).
func newStore(t *testing.T, rt *roundTrips, piped bool) *sqlstore.Store {
	t.Helper()
	cfg, err := pgx.ParseConfig(postgresURL(t))
	require.NoError(t, err)
	if rt != nil {
		cfg.Tracer = rt
		dial := cfg.DialFunc
		cfg.DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := dial(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return &flights{Conn: c, n: &rt.flights}, nil
		}
	}
	db := stdlib.OpenDB(*cfg)
	if rt != nil {
		db.SetMaxOpenConns(1)
	}
	buf := make([]byte, 8)
	_, err = rand.Read(buf)
	require.NoError(t, err)
	schema := "crmpipe_" + hex.EncodeToString(buf)
	t.Cleanup(func() {
		_, err := db.ExecContext(context.Background(), `DROP SCHEMA IF EXISTS "`+schema+`" CASCADE`)
		_ = db.Close()
		require.NoError(t, err)
	})
	var s *sqlstore.Store
	if piped {
		s, err = pgxstore.New(db, sqlstore.WithSchema(schema))
	} else {
		s, err = sqlstore.New(db, sqlstore.PostgreSQL, sqlstore.WithSchema(schema))
	}
	require.NoError(t, err)
	require.NoError(t, s.Migrate(context.Background()))
	return s
}

// postgresURL returns the URL of the test PostgreSQL server (see
// pgtest.URL).
func postgresURL(t testing.TB) string {
	t.Helper()
	return pgtest.URL(t)
}

// roundTrips counts what a pgx connection sends: each query (BEGIN and
// COMMIT included), each batch, each statement prepared; and, on the
// wire, each time the client waits for the server after sending
// (flights), which is what a round trip costs whatever pgx does.
type roundTrips struct{ n, flights atomic.Int64 }

// flights counts a net.Conn's round trips: a read that follows a write.
type flights struct {
	net.Conn
	n       *atomic.Int64
	written bool
}

func (f *flights) Write(b []byte) (int, error) {
	f.written = true
	return f.Conn.Write(b)
}

func (f *flights) Read(b []byte) (int, error) {
	if f.written {
		f.written = false
		f.n.Add(1)
	}
	return f.Conn.Read(b)
}

// TraceQueryStart implements pgx.QueryTracer.
func (r *roundTrips) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	r.n.Add(1)
	return ctx
}

// TraceQueryEnd implements pgx.QueryTracer.
func (r *roundTrips) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// TraceBatchStart implements pgx.BatchTracer: a batch is one round trip.
func (r *roundTrips) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	r.n.Add(1)
	return ctx
}

// TraceBatchQuery implements pgx.BatchTracer.
func (r *roundTrips) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}

// TraceBatchEnd implements pgx.BatchTracer.
func (r *roundTrips) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

// TracePrepareStart implements pgx.PrepareTracer.
func (r *roundTrips) TracePrepareStart(ctx context.Context, _ *pgx.Conn, _ pgx.TracePrepareStartData) context.Context {
	return ctx
}

// TracePrepareEnd implements pgx.PrepareTracer: a statement prepared
// before costs nothing.
func (r *roundTrips) TracePrepareEnd(_ context.Context, _ *pgx.Conn, d pgx.TracePrepareEndData) {
	if !d.AlreadyPrepared {
		r.n.Add(1)
	}
}
