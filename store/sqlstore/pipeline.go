package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/crmkit/crm"
)

// Pipelining: through database/sql each statement is one round trip to
// PostgreSQL. A driver that can send several statements at once (pgx's
// batches do) can be handed to the store with WithPipeline; a write
// transaction then sends its BEGIN with its first statement, keeps the
// statements whose result it does not read (an event's insert, what the
// ledger has pending) or whose result it can promise (an insert or update
// that must touch one row) queued, and sends them with the next statement
// and with its COMMIT: a write's tail is one round trip.
//
// A promise is checked by the database: the statement is sent as
//
//	WITH w AS (<statement> RETURNING 1) SELECT 1 / (CASE WHEN count(*) = <n> THEN 1 ELSE 0 END) FROM w
//
// so that a broken one fails, and the COMMIT sent after it in the same
// batch does not run. When a queued statement fails, whatever the reason,
// the transaction is rolled back and run again with every statement sent
// on its own, as without the option: what fn sees then, and the error the
// write returns (a *crm.ConflictError, a *crm.NotFoundError ...), is
// exactly what it would have been without pipelining. fn is already run
// again on a transient failure, so it must bear it.

// Statement is one statement of a pipeline: its SQL, with PostgreSQL's
// $1, $2 ... placeholders, and its arguments, as database/sql would pass
// them to the driver (crmkit's are strings, integers, booleans, byte
// slices, times and nil).
type Statement struct {
	SQL  string
	Args []any
}

// PipelineFunc sends stmts to PostgreSQL in one round trip, in order, on
// conn: the driver's connection under a *sql.Conn, as (*sql.Conn).Raw
// hands it over. It returns the rows each statement affected. When row is
// not nil, the last statement is a query whose first row it scans into
// row as (*sql.Row).Scan would, with sql.ErrNoRows when there is none.
//
// A statement that fails stops the pipeline: PipelineFunc returns the
// counts of the statements before it, and its error as the driver reports
// it (for pgx, a *pgconn.PgError). A COMMIT that rolled back (the
// transaction had failed) is an error too. A connection it cannot send on
// is an error wrapping ErrPipelineConn, which the transaction returns as
// it is. Package store/pgxstore has one for pgx.
type PipelineFunc func(ctx context.Context, conn any, stmts []Statement, row []any) ([]int64, error)

// WithPipeline has the store send a PostgreSQL write transaction's
// statements through send, several to a round trip, as the package's
// section on pipelining says; store/pgxstore opens a store with it. The
// *sql.DB must be one whose connections send understands. With SQLite it
// is a *crm.ValidationError; a nil send turns pipelining off.
func WithPipeline(send PipelineFunc) Option {
	return func(c *config) error {
		c.pipeline = send
		return nil
	}
}

// ErrPipelineConn is what a PipelineFunc's error wraps when it cannot send
// on the connection it is given: the *sql.DB is not the driver's it
// expects.
var ErrPipelineConn = errors.New("sqlstore: the pipeline cannot send on this connection")

// errReplay says that a queued statement failed: the transaction is
// rolled back and run again without pipelining.
var errReplay = errors.New("sqlstore: a pipelined statement failed; the transaction runs again statement by statement")

// pipe is a write transaction's connection and what it has yet to send.
type pipe struct {
	send  PipelineFunc
	conn  *sql.Conn
	mu    sync.Mutex
	queue []Statement
	begun bool  // BEGIN was sent: a transaction is open
	err   error // a queued statement failed (wraps errReplay)

	written map[string]bool // the rows promised writes wrote (see execLater)
}

// beginPiped takes a connection and queues BEGIN: it goes with the
// transaction's first statement.
func (s *Store) beginPiped(ctx context.Context) (*handle, *pipe, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, nil, s.dbErr("getting a connection", err)
	}
	p := &pipe{send: s.cfg.pipeline, conn: conn, queue: []Statement{{SQL: "BEGIN ISOLATION LEVEL READ COMMITTED"}}}
	h := &handle{q: conn}
	h.rollback = func() {
		p.mu.Lock()
		begun := p.begun
		p.queue = nil
		p.mu.Unlock()
		if begun {
			if _, err := conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK"); err != nil {
				_ = conn.Raw(func(any) error { return driver.ErrBadConn })
			}
		}
		_ = conn.Close()
	}
	h.commit = func() error {
		if _, err := p.run(ctx, Statement{SQL: "COMMIT"}, nil); err != nil {
			h.rollback()
			if errors.Is(err, errReplay) {
				return err
			}
			return s.dbErr("committing", err)
		}
		_ = conn.Close()
		return nil
	}
	return h, p, nil
}

// run sends what is queued and then last, with row as PipelineFunc takes
// it, and returns the rows last affected. When a queued statement fails,
// the pipe is broken: run, and every statement after it, return an error
// wrapping errReplay.
func (p *pipe) run(ctx context.Context, last Statement, row []any) (int64, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return 0, p.err
	}
	stmts := append(p.queue, last)
	p.queue = nil
	var counts []int64
	err := p.conn.Raw(func(dc any) error {
		var err error
		counts, err = p.send(ctx, dc, stmts, row)
		return err
	})
	if errors.Is(err, ErrPipelineConn) {
		return 0, err // nothing was sent
	}
	p.begun = true
	if err != nil && len(counts) < len(stmts)-1 {
		p.err = fmt.Errorf("%w: %w", errReplay, err)
		return 0, p.err
	}
	if err != nil {
		return 0, err
	}
	return counts[len(counts)-1], nil
}

// flush sends what is queued, if anything.
func (p *pipe) flush(ctx context.Context) error {
	p.mu.Lock()
	n := len(p.queue)
	p.mu.Unlock()
	if n == 0 {
		return p.broken()
	}
	// The last queued statement goes as last: its failure breaks the pipe
	// as well, which run reports for a queued statement only.
	p.mu.Lock()
	last := p.queue[n-1]
	p.queue = p.queue[:n-1]
	p.mu.Unlock()
	if _, err := p.run(ctx, last, nil); err != nil {
		p.mu.Lock()
		if p.err == nil {
			p.err = fmt.Errorf("%w: %w", errReplay, err)
		}
		err = p.err
		p.mu.Unlock()
		return err
	}
	return nil
}

// broken returns the error of a queued statement that failed, if one did.
func (p *pipe) broken() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// firstWrite reports whether the transaction writes the row key names
// for the first time, and notes that it does.
func (p *pipe) firstWrite(key string) bool {
	if key == "" {
		return true
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.written[key] {
		return false
	}
	if p.written == nil {
		p.written = map[string]bool{}
	}
	p.written[key] = true
	return true
}

// enqueue keeps a statement to send with the next one.
func (p *pipe) enqueue(st Statement) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return p.err
	}
	p.queue = append(p.queue, st)
	return nil
}

// execLater runs a statement whose result the caller does not read
// (want < 0), or of which it reads only the rows affected and needs them
// to be want: with a pipe it is queued, and the result says want rows;
// without, it runs at once. A statement with a promise must be a single
// INSERT, UPDATE or DELETE without RETURNING; one that is not, it runs at
// once.
//
// key, when not empty, names the row the statement writes (its table and
// key): a second write of a row in one transaction runs at once, so that
// a caller that writes a record twice, and may expect the second write to
// conflict with the first, learns it where it happens.
func (t *txn) execLater(ctx context.Context, want int64, key, query string, args ...any) (sql.Result, error) {
	if t.pipe == nil || (want >= 0 && !promisable(query)) || !t.pipe.firstWrite(key) {
		return t.exec(ctx, query, args...)
	}
	if err := t.settle(ctx, query); err != nil {
		return nil, err
	}
	text := t.s.dialect.rebind(query)
	if want >= 0 {
		text = "WITH w AS (" + text + " RETURNING 1) SELECT 1 / (CASE WHEN count(*) = " + strconv.FormatInt(want, 10) +
			" THEN 1 ELSE 0 END) FROM w"
	}
	if err := t.pipe.enqueue(Statement{SQL: text, Args: args}); err != nil {
		return nil, err
	}
	return promised(max(want, 0)), nil
}

// promisable reports whether query can carry a promise of its rows
// affected: a data-modifying statement can be put in a WITH only when it
// has none of its own, and returns nothing yet.
func promisable(query string) bool {
	head := strings.ToUpper(strings.TrimSpace(query))
	return (strings.HasPrefix(head, "INSERT ") || strings.HasPrefix(head, "UPDATE ") || strings.HasPrefix(head, "DELETE ")) &&
		!strings.Contains(head, "RETURNING")
}

// promised is the result of a statement queued with a promise.
type promised int64

// LastInsertId implements sql.Result; PostgreSQL has none.
func (promised) LastInsertId() (int64, error) {
	return 0, &crm.ValidationError{Field: "last_insert_id", Rule: "unsupported"}
}

// RowsAffected implements sql.Result: the rows the statement must affect.
func (p promised) RowsAffected() (int64, error) { return int64(p), nil }

// counted is the result of a statement sent through a pipe.
type counted int64

// LastInsertId implements sql.Result; PostgreSQL has none.
func (counted) LastInsertId() (int64, error) {
	return 0, &crm.ValidationError{Field: "last_insert_id", Rule: "unsupported"}
}

// RowsAffected implements sql.Result.
func (c counted) RowsAffected() (int64, error) { return int64(c), nil }

// pipedRow is a one-row query sent with what is queued when it is scanned.
type pipedRow struct {
	ctx   context.Context
	t     *txn
	query string
	args  []any
}

// Scan sends the query, with what is queued before it, and scans its row.
func (r pipedRow) Scan(dest ...any) error {
	_, err := r.t.pipe.run(r.ctx, Statement{SQL: r.t.s.dialect.rebind(r.query), Args: r.args}, dest)
	return err
}

// failure returns the error a transaction ends with when fn, or writing
// what is pending, failed with err: err, unless a queued statement failed
// or would have, statement by statement, failed before err could happen;
// then the error wraps errReplay. So what is queued is sent before the
// rollback, unless it is only BEGIN.
func (p *pipe) failure(ctx context.Context, err error) error {
	if broken := p.broken(); broken != nil {
		return broken
	}
	p.mu.Lock()
	idle := len(p.queue) == 0 || (!p.begun && len(p.queue) == 1)
	p.mu.Unlock()
	if idle {
		return err
	}
	if ferr := p.flush(ctx); ferr != nil && errors.Is(ferr, errReplay) {
		return ferr
	}
	return err
}
