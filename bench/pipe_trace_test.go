package bench

import (
	"context"
	"database/sql"
	"strings"

	"github.com/crmkit/crm/store/pgxstore"
	"github.com/crmkit/crm/store/sqlstore"
	"github.com/jackc/pgx/v5"
)

// TraceBatchStart implements pgx.BatchTracer: a batch, whatever it holds,
// is one round trip (a pipelined store sends its writes' statements in
// batches; see store/pgxstore).
func (r *roundTrips) TraceBatchStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceBatchStartData) context.Context {
	traceSQL("B", batchSQL(d.Batch))
	r.n.Add(1)
	return ctx
}

// TraceBatchQuery implements pgx.BatchTracer.
func (r *roundTrips) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}

// TraceBatchEnd implements pgx.BatchTracer.
func (r *roundTrips) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

// batchSQL is the start of each statement of a batch, for the trace.
func batchSQL(b *pgx.Batch) string {
	parts := make([]string, 0, b.Len())
	for _, q := range b.QueuedQueries {
		s := strings.Join(strings.Fields(q.SQL), " ")
		parts = append(parts, s[:min(len(s), 40)])
	}
	return strings.Join(parts, " | ")
}

// pipeCounter counts into a counter what a pgx connection sends, for a
// pool on which database/sql's connections must stay pgx's own (a
// pipelined store reaches under them): each query a statement and a round
// trip; each batch its statements, and one round trip for them all
// (counter.trips adds statements and transaction control, so the batch's
// statements but one are taken off the latter).
type pipeCounter struct{ c *counter }

// TraceQueryStart implements pgx.QueryTracer.
func (p pipeCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	p.c.note(d.SQL)
	return ctx
}

// TraceQueryEnd implements pgx.QueryTracer.
func (p pipeCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// TraceBatchStart implements pgx.BatchTracer.
func (p pipeCounter) TraceBatchStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceBatchStartData) context.Context {
	n := int64(d.Batch.Len())
	p.c.stmts.Add(n)
	p.c.txs.Add(1 - n)
	return ctx
}

// TraceBatchQuery implements pgx.BatchTracer.
func (p pipeCounter) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}

// TraceBatchEnd implements pgx.BatchTracer.
func (p pipeCounter) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

// sqlstoreOn opens crmkit's store on database/sql in schema.
func sqlstoreOn(db *sql.DB, schema string) (*sqlstore.Store, error) {
	return sqlstore.New(db, sqlstore.PostgreSQL, sqlstore.WithSchema(schema))
}

// pgxstoreOn opens crmkit's store pipelined on pgx in schema.
func pgxstoreOn(db *sql.DB, schema string) (*sqlstore.Store, error) {
	return pgxstore.New(db, sqlstore.WithSchema(schema))
}
