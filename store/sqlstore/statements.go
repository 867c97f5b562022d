package sqlstore

import (
	"context"
	"database/sql"
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
func (t *txn) statement(ctx context.Context, query string) runner {
	if t.s.dialect != SQLite {
		return text{t.q, t.s.dialect.rebind(query)}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if st, ok := t.stmts[query]; ok {
		return st
	}
	st, err := t.q.PrepareContext(ctx, query)
	if err != nil {
		return text{t.q, query}
	}
	if t.stmts == nil {
		t.stmts = map[string]*sql.Stmt{}
	}
	t.stmts[query] = st
	return st
}

// closeStatements closes what the transaction prepared.
func (t *txn) closeStatements() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, st := range t.stmts {
		_ = st.Close()
	}
	t.stmts = nil
}
