package bench

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
)

// counter counts what a database/sql pool sends to its driver: each
// statement run (Exec or Query, prepared or not), each BEGIN, COMMIT and
// ROLLBACK, and each Prepare. On PostgreSQL through pgx's stdlib each of
// the first three is one round trip (pgx caches prepared statements per
// connection, so a statement's Prepare costs a round trip only the first
// time on a connection); on SQLite none is a network round trip, but
// each is a call into the engine.
type counter struct {
	stmts, txs, prepares atomic.Int64
	log                  atomic.Bool // print each statement (SQLW_LOG=1)
}

// trips is the round trips counted so far: statements and transaction
// control.
func (c *counter) trips() int64 { return c.stmts.Load() + c.txs.Load() }

func (c *counter) note(query string) {
	c.stmts.Add(1)
	if c.log.Load() {
		q := strings.Join(strings.Fields(query), " ")
		if len(q) > 160 {
			q = q[:160] + "..."
		}
		fmt.Fprintln(os.Stderr, "  SQL:", q)
	}
}

// countingConnector opens connections of drv on dsn, wrapped to count.
type countingConnector struct {
	drv driver.Driver
	dsn string
	c   *counter
}

func (k countingConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := k.drv.Open(k.dsn)
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: conn, c: k.c}, nil
}

func (k countingConnector) Driver() driver.Driver { return k.drv }

// openCounting opens a pool on driverName's driver that counts into c.
func openCounting(driverName, dsn string, c *counter) (*sql.DB, error) {
	db, err := sql.Open(driverName, dsn)
	if err != nil {
		return nil, err
	}
	drv := db.Driver()
	_ = db.Close()
	return sql.OpenDB(countingConnector{drv: drv, dsn: dsn, c: c}), nil
}

type countingConn struct {
	driver.Conn
	c *counter
}

func (x *countingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	x.c.txs.Add(1)
	if x.c.log.Load() {
		fmt.Fprintln(os.Stderr, "  SQL: BEGIN (driver)")
	}
	tx, err := x.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return countingTx{tx, x.c}, nil
}

func (x *countingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	x.c.prepares.Add(1)
	st, err := x.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	return &countingStmt{Stmt: st, c: x.c, query: query}, nil
}

func (x *countingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	x.c.note(query)
	return x.Conn.(driver.ExecerContext).ExecContext(ctx, query, args)
}

func (x *countingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	x.c.note(query)
	return x.Conn.(driver.QueryerContext).QueryContext(ctx, query, args)
}

func (x *countingConn) CheckNamedValue(v *driver.NamedValue) error {
	if nc, ok := x.Conn.(driver.NamedValueChecker); ok {
		return nc.CheckNamedValue(v)
	}
	return driver.ErrSkip
}

func (x *countingConn) ResetSession(ctx context.Context) error {
	if r, ok := x.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (x *countingConn) IsValid() bool {
	if v, ok := x.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

type countingTx struct {
	driver.Tx
	c *counter
}

func (t countingTx) Commit() error   { t.c.txs.Add(1); return t.Tx.Commit() }
func (t countingTx) Rollback() error { t.c.txs.Add(1); return t.Tx.Rollback() }

type countingStmt struct {
	driver.Stmt
	c     *counter
	query string
}

func (s *countingStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	s.c.note(s.query)
	return s.Stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (s *countingStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	s.c.note(s.query)
	return s.Stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
}

func (s *countingStmt) CheckNamedValue(v *driver.NamedValue) error {
	if nc, ok := s.Stmt.(driver.NamedValueChecker); ok {
		return nc.CheckNamedValue(v)
	}
	return driver.ErrSkip
}
