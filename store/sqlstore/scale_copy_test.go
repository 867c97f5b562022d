package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crmkit/crm/store/sqlstore"
	"github.com/stretchr/testify/require"
)

// A history for PostgreSQL is written through the port into a SQLite file
// set up for loading (openLoadSQLite), then copied table by table into a
// PostgreSQL schema migrated by the store (copyToPostgres): a million
// records load in the time SQLite takes to write them, and PostgreSQL
// receives them in statements of a thousand rows, its secondary indexes
// built once at the end, where writing them one record to a round trip
// took about half an hour. Both dialects keep the same tables and
// columns, each value in the form its dialect's column takes (times and
// dates as text on SQLite, booleans as 0 and 1), so a value read from
// SQLite is sent as text and cast to the PostgreSQL column's type.

// openLoadSQLite opens a new SQLite file, migrated (a copy of the
// template, see migratedSQLiteFile), set up for loading: no sync at
// commit or checkpoint, and a page cache of 1 GiB.
func openLoadSQLite(tb testing.TB) *sqlstore.Store {
	tb.Helper()
	path, ok := migratedSQLiteFile(tb, "sqlite", nil)
	require.True(tb, ok)
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)"+
		"&_pragma=synchronous(OFF)&_pragma=cache_size(-1048576)")
	require.NoError(tb, err)
	s, err := sqlstore.New(db, sqlstore.SQLite, sqlstore.WithOwnedDB())
	require.NoError(tb, err)
	require.NoError(tb, s.Migrate(context.Background()))
	loadDBs[s] = db
	tb.Cleanup(func() { delete(loadDBs, s); _ = s.Close() })
	return s
}

// loadDBs is the database of each store openLoadSQLite opened.
var loadDBs = map[*sqlstore.Store]*sql.DB{}

// copyRows is how many rows go to an INSERT.
const copyRows = 1_000

// pgColumn is a column of a table in the PostgreSQL schema.
type pgColumn struct {
	typ    string // format_type, as a cast takes it
	serial bool   // its default is a sequence's next value
}

// copyToPostgres copies every row of the SQLite database src into the
// tables of the same names in schema on dst, which the store has
// migrated: the tables are emptied first (the migrations seed a few
// rows), the secondary indexes that back no constraint are dropped and
// built again after the rows are in, and the sequences are moved past
// the copied values. The migration bookkeeping is left as the store made
// it.
func copyToPostgres(ctx context.Context, src, dst *sql.DB, schema string) error {
	cols, err := pgColumns(ctx, dst, schema)
	if err != nil {
		return err
	}
	tables, err := sqliteTables(ctx, src)
	if err != nil {
		return err
	}
	if tables, err = parentsFirst(ctx, dst, schema, tables); err != nil {
		return err
	}
	indexes, err := dropIndexes(ctx, dst, schema)
	if err != nil {
		return err
	}
	for _, table := range tables {
		if strings.Contains(table, "migration") {
			continue
		}
		if err := copyTable(ctx, src, dst, schema, table, cols[table]); err != nil {
			return fmt.Errorf("copying %s: %w", table, err)
		}
	}
	for _, def := range indexes {
		if _, err := dst.ExecContext(ctx, def); err != nil {
			return fmt.Errorf("building %s: %w", def, err)
		}
	}
	_, err = dst.ExecContext(ctx, `ANALYZE`)
	return err
}

// pgColumns returns the columns of each table of schema by name.
func pgColumns(ctx context.Context, db *sql.DB, schema string) (map[string]map[string]pgColumn, error) {
	rows, err := db.QueryContext(ctx, `SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod),
		COALESCE(pg_get_expr(d.adbin, d.adrelid), '') LIKE 'nextval(%'
		FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
		LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
		WHERE n.nspname = $1 AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped`, schema)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]map[string]pgColumn{}
	for rows.Next() {
		var table, col string
		var c pgColumn
		if err := rows.Scan(&table, &col, &c.typ, &c.serial); err != nil {
			return nil, err
		}
		if out[table] == nil {
			out[table] = map[string]pgColumn{}
		}
		out[table][col] = c
	}
	return out, rows.Err()
}

// sqliteTables returns the names of the tables of db.
func sqliteTables(ctx context.Context, db *sql.DB) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		out = append(out, name)
	}
	return out, rows.Err()
}

// parentsFirst orders tables so that a table a foreign key of another
// refers to comes before it.
func parentsFirst(ctx context.Context, db *sql.DB, schema string, tables []string) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT c.relname, p.relname FROM pg_constraint k
		JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE k.contype = 'f' AND n.nspname = $1 AND c.oid <> p.oid`, schema)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	parents := map[string][]string{}
	for rows.Next() {
		var child, parent string
		if err := rows.Scan(&child, &parent); err != nil {
			return nil, err
		}
		parents[child] = append(parents[child], parent)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []string
	done := map[string]bool{}
	var visit func(t string)
	visit = func(t string) {
		if done[t] {
			return
		}
		done[t] = true
		for _, p := range parents[t] {
			visit(p)
		}
		out = append(out, t)
	}
	for _, t := range tables {
		visit(t)
	}
	return out, nil
}

// dropIndexes drops the indexes of schema that back no constraint and
// returns the statements that create them again.
func dropIndexes(ctx context.Context, db *sql.DB, schema string) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x
		JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_namespace n ON n.oid = i.relnamespace
		WHERE n.nspname = $1 AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.oid)`, schema)
	if err != nil {
		return nil, err
	}
	var names, defs []string
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			rows.Close()
			return nil, err
		}
		names, defs = append(names, name), append(defs, def)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, name := range names {
		if _, err := db.ExecContext(ctx, `DROP INDEX "`+schema+`"."`+name+`"`); err != nil {
			return nil, err
		}
	}
	return defs, nil
}

// copyTable copies the rows of table, copyRows to a statement, in one
// transaction.
func copyTable(ctx context.Context, src, dst *sql.DB, schema, table string, cols map[string]pgColumn) error {
	rows, err := src.QueryContext(ctx, `SELECT * FROM "`+table+`"`)
	if err != nil {
		return err
	}
	defer rows.Close()
	names, err := rows.Columns()
	if err != nil {
		return err
	}
	if cols == nil {
		if rows.Next() {
			return fmt.Errorf("no such table on PostgreSQL, and it has rows")
		}
		return rows.Err()
	}
	var casts []string
	for _, name := range names {
		c, ok := cols[name]
		switch {
		case !ok:
			return fmt.Errorf("no column %s on PostgreSQL", name)
		case c.typ == "bytea":
			casts = append(casts, "?")
		default:
			casts = append(casts, "CAST(CAST(? AS text) AS "+c.typ+")")
		}
	}
	tx, err := dst.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	target := `"` + schema + `"."` + table + `"`
	if _, err := tx.ExecContext(ctx, `DELETE FROM `+target); err != nil {
		return err
	}
	// The rows come with what the triggers would work out (a posting's
	// mixed_due), and a trigger that looks up other rows would do it
	// without the dropped indexes: a scan a row.
	if _, err := tx.ExecContext(ctx, `ALTER TABLE `+target+` DISABLE TRIGGER USER`); err != nil {
		return err
	}
	row := "(" + strings.Join(casts, ", ") + ")"
	per := max(1, min(copyRows, 60_000/len(names)))
	var args []any
	n := 0
	flush := func() error {
		if n == 0 {
			return nil
		}
		q := `INSERT INTO ` + target + ` ("` + strings.Join(names, `", "`) + `") VALUES ` +
			strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
		_, err := tx.ExecContext(ctx, numbered(q), args...)
		args, n = args[:0], 0
		return err
	}
	vals := make([]any, len(names))
	ptrs := make([]any, len(names))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for i, v := range vals {
			args = append(args, asText(v, cols[names[i]].typ == "bytea"))
		}
		if n++; n == per {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if err := flush(); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `ALTER TABLE `+target+` ENABLE TRIGGER USER`); err != nil {
		return err
	}
	for _, name := range names {
		if cols[name].serial {
			_, err := tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence($1, $2), COALESCE(max("`+name+`"), 0) + 1, false) FROM `+target,
				target, name)
			if err != nil {
				return err
			}
		}
	}
	return tx.Commit()
}

// asText returns a value read from SQLite as PostgreSQL takes it: bytes
// for a bytea column, else text (NULL stays NULL).
func asText(v any, bytea bool) any {
	switch v := v.(type) {
	case nil:
		return nil
	case []byte:
		if bytea {
			return append([]byte(nil), v...)
		}
		return string(v)
	case string:
		if bytea {
			return []byte(v)
		}
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	case time.Time:
		return v.Format(time.RFC3339Nano)
	}
	return fmt.Sprint(v)
}

// numbered turns the '?' placeholders of q into $1, $2, ...
func numbered(q string) string {
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
