package sqlstore

import (
	"context"
	"embed"
	"fmt"
	"hash/fnv"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"text/template"
	"time"
)

// templates holds the migrations of each dialect. In them, {{table "x"}}
// stands for the quoted, prefixed and schema-qualified name of table x,
// {{name "x"}} for the quoted, prefixed name of an index or table, and
// {{schema}} for the quoted schema or "" when there is none. Only
// validated identifiers are ever substituted.
//
//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var templates embed.FS

// migration is one rendered migration file.
type migration struct {
	version int64
	name    string // e.g. "foundation"
	file    string // e.g. "0001_foundation.sql"
	sql     string
}

func templateFuncs(c config) template.FuncMap {
	return template.FuncMap{
		"table":  c.table,
		"name":   c.name,
		"schema": c.quotedSchema,
	}
}

func templateDir(d Dialect) string {
	if d == PostgreSQL {
		return "migrations/postgres"
	}
	return "migrations/sqlite"
}

// render returns the migrations of dialect d for configuration c, in
// version order.
func render(d Dialect, c config) ([]migration, error) {
	dir := templateDir(d)
	entries, err := fs.ReadDir(templates, dir) // sorted by name
	if err != nil {
		return nil, err
	}
	out := make([]migration, 0, len(entries))
	for _, e := range entries {
		m, err := parseMigrationName(e.Name())
		if err != nil {
			return nil, err
		}
		text, err := fs.ReadFile(templates, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		t, err := template.New(e.Name()).Funcs(templateFuncs(c)).Parse(string(text))
		if err != nil {
			return nil, fmt.Errorf("sqlstore: parsing migration %s: %w", e.Name(), err)
		}
		var b strings.Builder
		if err := t.Execute(&b, nil); err != nil {
			return nil, fmt.Errorf("sqlstore: rendering migration %s: %w", e.Name(), err)
		}
		m.sql = b.String()
		out = append(out, m)
	}
	return out, nil
}

// parseMigrationName reads "0001_foundation.sql".
func parseMigrationName(file string) (migration, error) {
	base, ok := strings.CutSuffix(file, ".sql")
	digits, name, ok2 := strings.Cut(base, "_")
	v, err := strconv.ParseInt(digits, 10, 64)
	if !ok || !ok2 || err != nil || v < 1 || name == "" {
		return migration{}, fmt.Errorf("sqlstore: migration file %q is not NNNN_name.sql", file)
	}
	return migration{version: v, name: name, file: file}, nil
}

// Migrations returns the migrations of dialect d as SQL files, rendered
// for the table prefix and schema in opts: 0001_foundation.sql and so on,
// in the root of the file system, to apply in name order. Use them with
// a migration tool of your own instead of Migrate, not as well: they do
// not write the version table Migrate keeps. Invalid options are a
// *crm.ValidationError.
func Migrations(d Dialect, opts ...Option) (fs.FS, error) {
	c, err := newConfig(d, opts)
	if err != nil {
		return nil, err
	}
	ms, err := render(d, c)
	if err != nil {
		return nil, err
	}
	files := make(map[string][]byte, len(ms))
	for _, m := range ms {
		files[m.file] = []byte(m.sql)
	}
	return newMemFS(files), nil
}

// Migrate brings the database schema up to date with the migrations
// embedded in this package. It is idempotent and safe to run from many
// processes at once: each migration runs in its own transaction, under
// PostgreSQL's pg_advisory_xact_lock or SQLite's BEGIN IMMEDIATE, and is
// recorded in the version table <prefix>schema_migrations(version, name,
// applied_at). New never migrates by itself.
func (s *Store) Migrate(ctx context.Context) error {
	ms, err := render(s.dialect, s.cfg)
	if err != nil {
		return err
	}
	for _, m := range ms {
		err := s.retry(ctx, func() error {
			return s.attempt(ctx, true, func(t *txn) error { return s.apply(ctx, t, m) })
		})
		if err != nil {
			return fmt.Errorf("sqlstore: migration %s: %w", m.file, err)
		}
	}
	return nil
}

// apply runs m unless the version table says it ran before.
func (s *Store) apply(ctx context.Context, t *txn, m migration) error {
	if s.dialect == PostgreSQL {
		if _, err := t.exec(ctx, "SELECT pg_advisory_xact_lock(?)", s.migrationLockKey()); err != nil {
			return s.dbErr("taking the migration lock", err)
		}
		if schema := s.cfg.quotedSchema(); schema != "" {
			if _, err := t.exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+schema); err != nil {
				return s.dbErr("creating the schema", err)
			}
		}
	}
	if _, err := t.exec(ctx, s.versionTableDDL()); err != nil {
		return s.dbErr("creating the version table", err)
	}
	var n int
	err := t.queryRow(ctx, "SELECT count(*) FROM "+s.names.migrations+" WHERE version = ?", m.version).Scan(&n)
	if err != nil {
		return s.dbErr("reading the version table", err)
	}
	if n > 0 {
		return nil
	}
	// The migration text goes to the driver as it is: it takes no
	// parameters, and a '?' in it is not a placeholder to rebind.
	if _, err := t.q.ExecContext(ctx, m.sql); err != nil {
		return s.dbErr("running the migration", err)
	}
	_, err = t.exec(ctx, "INSERT INTO "+s.names.migrations+" (version, name, applied_at) VALUES (?, ?, ?)",
		m.version, m.name, s.timeArg(time.Now()))
	return s.dbErr("recording the migration", err)
}

func (s *Store) versionTableDDL() string {
	if s.dialect == PostgreSQL {
		return "CREATE TABLE IF NOT EXISTS " + s.names.migrations +
			" (version bigint NOT NULL PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)"
	}
	return "CREATE TABLE IF NOT EXISTS " + s.names.migrations +
		" (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
}

// migrationLockKey is the advisory lock of one schema's migrations: stores
// with different prefixes in one schema take turns, which keeps their
// CREATE SCHEMA IF NOT EXISTS from racing.
func (s *Store) migrationLockKey() int64 {
	h := fnv.New64a()
	h.Write([]byte("crmkit.sqlstore.migrate:" + s.cfg.schema))
	return int64(h.Sum64())
}
