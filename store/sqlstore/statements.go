package sqlstore

import (
	"context"
	"database/sql"
	"sync"
)

// runner runs one statement: a *sql.Stmt, or its text.
type runner interface {
	ExecContext(ctx context.Context, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, args ...any) *sql.Row
}

// text runs a statement's text.
type text struct {
	q     querier
	query string
}

func (x text) ExecContext(ctx context.Context, args ...any) (sql.Result, error) {
	return x.q.ExecContext(ctx, x.query, args...)
}

func (x text) QueryContext(ctx context.Context, args ...any) (*sql.Rows, error) {
	return x.q.QueryContext(ctx, x.query, args...)
}

func (x text) QueryRowContext(ctx context.Context, args ...any) *sql.Row {
	return x.q.QueryRowContext(ctx, x.query, args...)
}

// statement returns query ready to run: on SQLite prepared once in the
// transaction, elsewhere its text rebound for the dialect. A statement
// that does not prepare runs as text, which reports the same error.
//
// An SQLite write transaction, which runs in a *sql.Tx, takes a statement
// the store has prepared on the pool (see stmtCache): database/sql keeps
// it prepared on each connection it has run on, so that a statement is
// parsed once a connection, not once a transaction. One the store has not
// prepared yet is prepared in the transaction and wanted: the store
// prepares it on the pool once the transaction is over.
func (t *txn) statement(ctx context.Context, query string) runner {
	if t.s.dialect != SQLite {
		return text{t.q, t.s.dialect.rebind(query)}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if st, ok := t.stmts[query]; ok {
		return st
	}
	var st *sql.Stmt
	if pooled, ok := t.s.stmts.get(query); ok && t.tx != nil {
		st = t.tx.StmtContext(ctx, pooled)
	} else {
		var err error
		if st, err = t.q.PrepareContext(ctx, query); err != nil {
			return text{t.q, query}
		}
		if t.tx != nil && t.s.stmts.wants(query) {
			t.wanted = append(t.wanted, query)
		}
	}
	if t.stmts == nil {
		t.stmts = map[string]*sql.Stmt{}
	}
	t.stmts[query] = st
	return st
}

// closeStatements closes what the transaction prepared, and lets go of
// the pooled statements it took.
func (t *txn) closeStatements() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, st := range t.stmts {
		_ = st.Close()
	}
	t.stmts = nil
}

// stmtCache holds the statements an SQLite store has prepared on its
// pool, by their text, up to maxCached of them: texts that vary with the
// size of a batch (an IN list, a multi-row INSERT) would otherwise grow it
// without end.
type stmtCache struct {
	mu     sync.Mutex
	stmts  map[string]*sql.Stmt
	closed bool
}

// maxCached bounds how many statements a store keeps prepared, and
// maxCachedText how long a statement's text may be to be kept.
const (
	maxCached     = 512
	maxCachedText = 4096
)

func (c *stmtCache) get(query string) (*sql.Stmt, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	st, ok := c.stmts[query]
	return st, ok
}

// wants reports whether query should be prepared on the pool.
func (c *stmtCache) wants(query string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.stmts[query]
	return !ok && !c.closed && len(c.stmts) < maxCached && len(query) <= maxCachedText
}

// prepare prepares on db the queries a transaction wanted, after it
// ended: it holds no connection then, so that a pool of one connection
// serves the prepare too. A query that does not prepare is left out.
func (c *stmtCache) prepare(ctx context.Context, db *sql.DB, queries []string) {
	for _, q := range queries {
		if !c.wants(q) || ctx.Err() != nil {
			continue
		}
		st, err := db.PrepareContext(ctx, q)
		if err != nil {
			continue
		}
		c.mu.Lock()
		if _, ok := c.stmts[q]; ok || c.closed {
			c.mu.Unlock()
			_ = st.Close()
			continue
		}
		if c.stmts == nil {
			c.stmts = map[string]*sql.Stmt{}
		}
		c.stmts[q] = st
		c.mu.Unlock()
	}
}

// close closes the statements and keeps no more.
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.stmts {
		_ = st.Close()
	}
	c.stmts, c.closed = nil, true
}
