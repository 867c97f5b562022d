// Package pgxstore opens a crmkit store on PostgreSQL through pgx whose
// writes are pipelined: a write transaction sends its statements to the
// server several at a time, in pgx batches, instead of one round trip
// each as database/sql does.
//
// The store is a store/sqlstore Store, with the same tables, migrations
// and behaviour, on a *sql.DB opened with pgx's database/sql driver
// (github.com/jackc/pgx/v5/stdlib: sql.Open("pgx", url), stdlib.OpenDB,
// or stdlib.OpenDBFromPool for a pgxpool.Pool). What it changes is only
// how many round trips a write costs: a write transaction sends its BEGIN
// with its first read, queues the statements whose result it does not
// need at once (the events it records, what the ledger has pending, an
// insert that must add its row) and sends them with the next statement or
// with its COMMIT. When a queued statement fails, the transaction is rolled
// back and run again statement by statement, so that a write fails with
// exactly the error it would have without pipelining.
//
// It lives apart from store/sqlstore so that a program on SQLite does not
// download pgx.
package pgxstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/crmkit/crm/store/sqlstore"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// New returns a PostgreSQL store on db, a pool opened with pgx's
// database/sql driver, whose write transactions are pipelined (Send).
// opts are store/sqlstore's; as there, call Migrate before the first
// transaction.
func New(db *sql.DB, opts ...sqlstore.Option) (*sqlstore.Store, error) {
	return sqlstore.New(db, sqlstore.PostgreSQL, append(opts, sqlstore.WithPipeline(Send))...)
}

// ErrNotPgx is returned by Send for a connection that is not pgx's; it
// wraps sqlstore.ErrPipelineConn, so that a write on such a store fails
// with it.
var ErrNotPgx = fmt.Errorf("pgxstore: the *sql.DB's connections are not pgx's (github.com/jackc/pgx/v5/stdlib): %w", sqlstore.ErrPipelineConn)

// Send is a sqlstore.PipelineFunc for pgx: it sends stmts as one
// pgx.Batch on the *pgx.Conn under conn, a *stdlib.Conn, and reads their
// results in order.
func Send(ctx context.Context, conn any, stmts []sqlstore.Statement, row []any) ([]int64, error) {
	sc, ok := conn.(*stdlib.Conn)
	if !ok {
		return nil, fmt.Errorf("%w: %T", ErrNotPgx, conn)
	}
	var batch pgx.Batch
	for _, st := range stmts {
		batch.Queue(st.SQL, st.Args...)
	}
	br := sc.Conn().SendBatch(ctx, &batch)
	counts := make([]int64, 0, len(stmts))
	for i, st := range stmts {
		if i == len(stmts)-1 && row != nil {
			err := br.QueryRow().Scan(row...)
			if errors.Is(err, pgx.ErrNoRows) {
				err = sql.ErrNoRows
			}
			if err != nil {
				_ = br.Close()
				return counts, err
			}
			counts = append(counts, 0)
			break
		}
		tag, err := br.Exec()
		if err == nil && st.SQL == "COMMIT" && tag.String() == "ROLLBACK" {
			err = pgx.ErrTxCommitRollback
		}
		if err != nil {
			_ = br.Close()
			return counts, err
		}
		counts = append(counts, tag.RowsAffected())
	}
	if err := br.Close(); err != nil {
		return counts[:len(counts)-1], err
	}
	return counts, nil
}
