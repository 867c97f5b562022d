package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"sync"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/backoff"
)

// Update implements crm.Store. It runs fn in a read-write transaction
// and commits when fn returns nil. When fn returns an error, the
// transaction is rolled back and that very error is returned; when fn
// panics, the transaction is rolled back and the panic goes on.
//
// A transient failure (SQLITE_BUSY or SQLITE_LOCKED, a serialization
// failure or a deadlock), whether reported to the store or returned by fn,
// rolls back and runs fn again after a jittered exponential backoff, up to
// the WithMaxRetries limit; then Update returns an error matching
// crm.ErrTransient. A done ctx stops the retries with ctx.Err().
func (s *Store) Update(ctx context.Context, fn func(tx crm.Tx) error) error {
	if fn == nil {
		return &crm.ValidationError{Field: "fn", Rule: "required"}
	}
	return s.retry(ctx, func() error {
		return s.attempt(ctx, true, func(t *txn) error { return fn(writeTx{t}) })
	})
}

// View implements crm.Store. It runs fn in a read-only transaction that
// sees one consistent snapshot, and returns fn's error unchanged. It does
// not retry: a transient failure is returned as an error matching
// crm.ErrTransient.
func (s *Store) View(ctx context.Context, fn func(tx crm.ReadTx) error) error {
	if fn == nil {
		return &crm.ValidationError{Field: "fn", Rule: "required"}
	}
	if err := checkContext(ctx); err != nil {
		return err
	}
	return s.attempt(ctx, false, func(t *txn) error { return fn(readTx{t}) })
}

// retry runs run until it succeeds, fails for good, or has failed
// transiently more than maxRetries times.
func (s *Store) retry(ctx context.Context, run func() error) error {
	for attempt := 1; ; attempt++ {
		if err := checkContext(ctx); err != nil {
			return err
		}
		err := run()
		if err == nil || !s.dialect.isTransient(err) {
			return err
		}
		if attempt > s.cfg.maxRetries {
			return &transientError{op: "transaction", attempts: attempt, err: err}
		}
		if err := retryBackoff.Wait(ctx, attempt-1); err != nil {
			return err
		}
	}
}

// checkContext returns ctx's error, and refuses a nil ctx rather than
// panicking on it.
func checkContext(ctx context.Context) error {
	if ctx == nil {
		return &crm.ValidationError{Field: "ctx", Rule: "required"}
	}
	return ctx.Err()
}

// retryBackoff spaces out retries: the first wait is 1-2ms, each next
// one doubles, up to 128ms.
var retryBackoff = backoff.Policy{Base: 2 * time.Millisecond, Max: 128 * time.Millisecond}

// attempt runs fn once in a transaction. It never leaves a transaction
// open: an error or a panic in fn rolls back, and so does a done ctx.
func (s *Store) attempt(ctx context.Context, write bool, fn func(*txn) error) error {
	if write && s.cfg.pipeline != nil {
		err := s.attemptOnce(ctx, write, true, fn)
		if !errors.Is(err, errReplay) {
			return err
		}
		// A queued statement failed: statement by statement, fn meets the
		// failure where it happens (see pipeline.go).
	}
	return s.attemptOnce(ctx, write, false, fn)
}

// attemptOnce is attempt, with piped statements (see pipeline.go) or not.
func (s *Store) attemptOnce(ctx context.Context, write, piped bool, fn func(*txn) error) error {
	var (
		h   *handle
		p   *pipe
		err error
	)
	if piped {
		h, p, err = s.beginPiped(ctx)
	} else {
		h, err = s.begin(ctx, write)
	}
	if err != nil {
		return err
	}
	t := &txn{s: s, q: h.q, tx: h.tx, write: write, pipe: p}
	finished := false
	defer func() {
		if !finished { // fn panicked or called runtime.Goexit
			t.closeStatements()
			h.rollback()
		}
	}()
	err = fn(t)
	if err == nil && write {
		err = t.flush(ctx) // what is pending, before the commit
	}
	if err != nil && p != nil {
		err = p.failure(ctx, err)
	}
	t.closeStatements()
	finished = true
	if err != nil {
		h.rollback()
	} else {
		err = h.commit()
	}
	if len(t.wanted) > 0 {
		s.stmts.prepare(context.WithoutCancel(ctx), s.db, t.wanted)
	}
	return err
}

// handle is an open transaction and the two ways to end it. commit ends
// the transaction even when it fails; rollback never fails.
type handle struct {
	q        querier
	tx       *sql.Tx // an SQLite write transaction's, which takes pooled statements
	commit   func() error
	rollback func()
}

func (s *Store) begin(ctx context.Context, write bool) (*handle, error) {
	if s.dialect == PostgreSQL {
		return s.beginPostgres(ctx, write)
	}
	return s.beginSQLite(ctx, write)
}

// beginSQLite runs BEGIN IMMEDIATE (to write, see beginSQLiteWrite) or
// BEGIN (to read, on a connection of its own): a writer that takes the
// write lock up front never fails halfway because another writer got
// there first.
func (s *Store) beginSQLite(ctx context.Context, write bool) (*handle, error) {
	if write {
		return s.beginSQLiteWrite(ctx)
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, s.dbErr("getting a connection", err)
	}
	stmt := "BEGIN"
	if write {
		stmt = "BEGIN IMMEDIATE"
	}
	if _, err := conn.ExecContext(ctx, stmt); err != nil {
		// A failed BEGIN normally opened nothing; the ROLLBACK makes sure,
		// for a driver that ran it and then reported the done ctx.
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		_ = conn.Close()
		return nil, s.dbErr("beginning a transaction", err)
	}
	h := &handle{q: conn}
	h.rollback = func() {
		if _, err := conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK"); err != nil {
			// The connection's state is unknown: keep it out of the pool.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		_ = conn.Close()
	}
	h.commit = func() error {
		if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
			h.rollback()
			return s.dbErr("committing", err)
		}
		_ = conn.Close() // committed: a failure to return the connection changes nothing
		return nil
	}
	return h, nil
}

// beginSQLiteWrite runs BEGIN IMMEDIATE in a *sql.Tx, whose connection
// runs the statements the store prepared on the pool (see statement):
// database/sql begins with the driver's own BEGIN, which with no
// _txlock in the data source name is deferred and takes no lock; the
// transaction ends that empty transaction and begins its own. The driver
// then commits or rolls back what is open on the connection.
func (s *Store) beginSQLiteWrite(ctx context.Context) (*handle, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, s.dbErr("beginning a transaction", err)
	}
	for _, stmt := range []string{"ROLLBACK", "BEGIN IMMEDIATE"} {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			_ = tx.Rollback()
			return nil, s.dbErr("beginning a transaction", err)
		}
	}
	commit := func() error {
		err := tx.Commit()
		if errors.Is(err, sql.ErrTxDone) && ctx.Err() != nil {
			err = ctx.Err() // database/sql rolled back on its own when ctx was done
		}
		return s.dbErr("committing", err)
	}
	return &handle{q: tx, tx: tx, commit: commit, rollback: func() { _ = tx.Rollback() }}, nil
}

// beginPostgres starts a READ COMMITTED transaction to write, or a
// read-only REPEATABLE READ one to read. database/sql rolls the
// transaction back by itself if ctx is done.
func (s *Store) beginPostgres(ctx context.Context, write bool) (*handle, error) {
	opts := &sql.TxOptions{Isolation: sql.LevelReadCommitted}
	if !write {
		opts = &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	}
	tx, err := s.db.BeginTx(ctx, opts)
	if err != nil {
		return nil, s.dbErr("beginning a transaction", err)
	}
	commit := func() error {
		err := tx.Commit()
		if errors.Is(err, sql.ErrTxDone) && ctx.Err() != nil {
			// database/sql rolled back on its own when ctx was done, and
			// said so before Commit looked at ctx.
			err = ctx.Err()
		}
		return s.dbErr("committing", err)
	}
	return &handle{q: tx, commit: commit, rollback: func() { _ = tx.Rollback() }}, nil
}

// querier runs statements: a *sql.Conn holding an SQLite transaction, or
// a *sql.Tx.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// txn is one attempt of a transaction. Queries are written with '?'
// placeholders and rebound for the dialect.
//
// On SQLite, whose driver parses the SQL of every call it is not given
// prepared, a transaction prepares each statement once and reuses it: a
// transaction that writes many rows of one kind parses its INSERT once;
// a write transaction takes the statements the store keeps prepared on
// the pool, so that most are not parsed even once (see statement).
// Running a statement again resets it, which is safe because every
// repository method reads its rows to the end before it returns, and a
// transaction serves one goroutine at a time, as crm.Store's fn does.
// PostgreSQL drivers keep prepared statements of their own (pgx does per
// connection), so there the text goes to the driver as it is.
type txn struct {
	s     *Store
	q     querier
	write bool

	mu     sync.Mutex // guards stmts, booked and head, so that misuse from two goroutines cannot break the maps
	stmts  map[string]*sql.Stmt
	booked map[crm.ID]bool // the customers whose book this transaction has locked (see lockBook)
	tx     *sql.Tx         // an SQLite write transaction's, which takes pooled statements (see statement)
	wanted []string        // statements to prepare on the pool after the transaction (see statement)
	head   *crm.LogHead    // the log head a write transaction holds, once read (see eventLog.Head)

	// What the transaction has yet to write of the ledger (see pending.go),
	// guarded by pmu as mu guards stmts.
	pmu   sync.Mutex
	pend  pending
	books map[crm.ID]*bookState // the books the transaction read or saved
	aside bool                  // statements run without writing pending first
	// entryBound is no less than the ID of every entry stored or pending,
	// once read (see entryTaken).
	entryBound *crm.ID
	failed     error // writing pending failed: the transaction is over

	pipe *pipe // the statements queued to send together, with WithPipeline (see pipeline.go)
}

// exec, query and queryRow run a statement, having written what is
// pending first when the statement concerns the ledger (see settle).

func (t *txn) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := t.settle(ctx, query); err != nil {
		return nil, err
	}
	if t.pipe != nil {
		n, err := t.pipe.run(ctx, Statement{SQL: t.s.dialect.rebind(query), Args: args}, nil)
		if err != nil {
			return nil, err
		}
		return counted(n), nil
	}
	return t.statement(ctx, query).ExecContext(ctx, args...)
}

func (t *txn) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := t.settle(ctx, query); err != nil {
		return nil, err
	}
	if t.pipe != nil {
		if err := t.pipe.flush(ctx); err != nil {
			return nil, err
		}
	}
	return t.statement(ctx, query).QueryContext(ctx, args...)
}

func (t *txn) queryRow(ctx context.Context, query string, args ...any) row {
	if err := t.settle(ctx, query); err != nil {
		return row{err: err}
	}
	if t.pipe != nil {
		return row{r: pipedRow{ctx, t, query, args}}
	}
	return row{r: t.statement(ctx, query).QueryRowContext(ctx, args...)}
}
