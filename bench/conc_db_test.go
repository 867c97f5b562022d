package bench

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// roundTrips counts the statements a pool sends to PostgreSQL: each query,
// each BEGIN and COMMIT (pgx sends them as queries) and each statement
// prepared for the cache is one round trip.
type roundTrips struct{ n atomic.Int64 }

// TraceQueryStart implements pgx.QueryTracer.
func (r *roundTrips) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	traceSQL("Q", d.SQL)
	r.n.Add(1)
	return ctx
}

// TraceQueryEnd implements pgx.QueryTracer.
func (r *roundTrips) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// TracePrepareStart implements pgx.PrepareTracer.
func (r *roundTrips) TracePrepareStart(ctx context.Context, _ *pgx.Conn, d pgx.TracePrepareStartData) context.Context {
	return context.WithValue(ctx, preparing{}, d.SQL)
}

// TracePrepareEnd implements pgx.PrepareTracer: a statement already
// prepared on the connection costs nothing.
func (r *roundTrips) TracePrepareEnd(ctx context.Context, _ *pgx.Conn, d pgx.TracePrepareEndData) {
	if !d.AlreadyPrepared {
		sql, _ := ctx.Value(preparing{}).(string)
		traceSQL("P", sql)
		r.n.Add(1)
	}
}

// preparing keys the SQL of a statement being prepared.
type preparing struct{}

// postgresURL returns CRMKIT_POSTGRES_URL or skips b.
func postgresURL(b *testing.B) string {
	url := os.Getenv("CRMKIT_POSTGRES_URL")
	if url == "" {
		b.Skip("set CRMKIT_POSTGRES_URL=postgres://... to run the PostgreSQL benchmarks")
	}
	return url
}

// countedDB opens a pool on the benchmark's server whose round trips rt
// counts, with a schema of its own (dropped at the end) first on its
// search path.
func countedDB(b *testing.B) (*sql.DB, string, *roundTrips) {
	b.Helper()
	cfg, err := pgx.ParseConfig(postgresURL(b))
	if err != nil {
		b.Fatal(err)
	}
	rt := &roundTrips{}
	cfg.Tracer = rt
	schema := randomSchema(b)
	cfg.RuntimeParams["search_path"] = schema
	cfg.RuntimeParams["application_name"] = schema
	db := stdlib.OpenDB(*cfg)
	db.SetMaxIdleConns(256) // database/sql keeps 2 by default: a busy pool would reconnect all the time
	if _, err := db.Exec(`CREATE SCHEMA "` + schema + `"`); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_, _ = db.Exec(`DROP SCHEMA IF EXISTS "` + schema + `" CASCADE`)
		_ = db.Close()
	})
	return db, schema, rt
}

func randomSchema(b *testing.B) string {
	buf := make([]byte, 6)
	if _, err := rand.Read(buf); err != nil {
		b.Fatal(err)
	}
	return "concbench_" + hex.EncodeToString(buf)
}

// waits samples, every 5ms while a benchmark runs, what the server's
// active backends on the benchmark's database wait on (pg_stat_activity;
// CPU when they wait on nothing), and which locks the waiting ones want
// (pg_locks), when CRMKIT_BENCH_WAITS is set. stop logs the shares.
func waits(b *testing.B) (stop func()) {
	if os.Getenv("CRMKIT_BENCH_WAITS") == "" {
		return func() {}
	}
	db, err := sql.Open("pgx", postgresURL(b))
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var (
		wg      sync.WaitGroup
		counts  = map[string]int{}
		samples int
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		conn, err := db.Conn(ctx)
		if err != nil {
			return
		}
		defer func() { _ = conn.Close() }()
		for ctx.Err() == nil {
			rows, err := conn.QueryContext(ctx, `
SELECT CASE WHEN a.state = 'active' THEN '' ELSE a.state || ' ' END || coalesce(a.wait_event_type, 'CPU') || ':' || coalesce(a.wait_event, '') ||
       coalesce(' ' || (SELECT string_agg(DISTINCT l.locktype || '/' || l.mode || coalesce('/' || l.relation::regclass::text, ''), ',')
                          FROM pg_locks l WHERE l.pid = a.pid AND NOT l.granted), '')
  FROM pg_stat_activity a
 WHERE a.datname = current_database() AND a.state <> 'idle' AND a.pid <> pg_backend_pid()`)
			if err != nil {
				return
			}
			samples++
			for rows.Next() {
				var w string
				if rows.Scan(&w) == nil {
					counts[w]++
				}
			}
			_ = rows.Close()
			time.Sleep(5 * time.Millisecond)
		}
	}()
	return func() {
		cancel()
		wg.Wait()
		_ = db.Close()
		keys := make([]string, 0, len(counts))
		for k := range counts {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { return counts[keys[i]] > counts[keys[j]] })
		var out strings.Builder
		fmt.Fprintf(&out, "%d samples; backends in a transaction on average, by state and wait:", samples)
		for _, k := range keys {
			fmt.Fprintf(&out, "\n  %6.2f  %s", float64(counts[k])/float64(max(samples, 1)), k)
		}
		fmt.Fprintln(os.Stderr, b.Name()+": "+out.String())
	}
}
