package sqlstore_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/crmkit/crm/internal/pgtest"
	"github.com/crmkit/crm/internal/sqlitetest"
	"github.com/crmkit/crm/store/sqlstore"
	"github.com/stretchr/testify/require"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for the PostgreSQL tests
	_ "modernc.org/sqlite"             // the "sqlite" driver, for the SQLite tests
)

// backend is a database the tests run against.
type backend struct {
	name    string
	dialect sqlstore.Dialect
	// open returns an empty database for one test.
	open func(t testing.TB) testDB
	// migrated, when set, returns for one test a database already migrated
	// with opts, or false when it has none for them.
	migrated func(t testing.TB, opts []sqlstore.Option) (testDB, bool)
}

// testDB is an empty database for one test, and the options that keep
// the test's tables to itself: on PostgreSQL, a schema of its own,
// dropped when the test ends.
type testDB struct {
	*sql.DB
	opts   []sqlstore.Option
	schema string // "" on SQLite
}

// table returns the quoted name of a table with prefix, in the test's
// schema.
func (d testDB) table(prefix, name string) string {
	q := `"` + prefix + name + `"`
	if d.schema != "" {
		q = `"` + d.schema + `".` + q
	}
	return q
}

var sqliteBackend = backend{name: "SQLite", dialect: sqlstore.SQLite, open: openSQLite,
	migrated: func(t testing.TB, opts []sqlstore.Option) (testDB, bool) { return migratedSQLite(t, "sqlite", opts) }}

var postgresBackend = backend{name: "PostgreSQL", dialect: sqlstore.PostgreSQL, open: openPostgres}

// forEachBackend runs test on SQLite and on PostgreSQL, side by side:
// each test has a database of its own on each (a file, a schema), and
// the PostgreSQL half waits mostly on the server while the SQLite half
// computes.
func forEachBackend(t *testing.T, test func(t *testing.T, b backend)) {
	for _, b := range []backend{sqliteBackend, postgresBackend} {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			test(t, b)
		})
	}
}

// newStore opens an empty database on b and returns a migrated store on it:
// on SQLite, a copy of a file migrated once (see migratedSQLite), which
// Migrate finds up to date.
func (b backend) newStore(t testing.TB, opts ...sqlstore.Option) (*sqlstore.Store, testDB) {
	t.Helper()
	db, ok := testDB{}, false
	if b.migrated != nil {
		db, ok = b.migrated(t, opts)
	}
	if !ok {
		db = b.open(t)
	}
	s, err := sqlstore.New(db.DB, b.dialect, append(db.opts, opts...)...)
	require.NoError(t, err)
	require.NoError(t, s.Migrate(context.Background()))
	return s, db
}

// openSQLite opens a new SQLite file in the test's temporary directory,
// with modernc.org/sqlite and the pragmas store/sqlite sets.
func openSQLite(t testing.TB) testDB { return openSQLiteWith(t, "sqlite") }

// openSQLiteWith is openSQLite with the database/sql driver named
// driverName, which must read the pragmas from the DSN as modernc.org/sqlite
// does ("_pragma=name(value)"; github.com/ncruces/go-sqlite3 does too).
func openSQLiteWith(t testing.TB, driverName string) testDB {
	t.Helper()
	return openSQLiteFile(t, driverName, filepath.Join(t.TempDir(), "crm.db"))
}

// openSQLiteFile opens the SQLite file at path through driverName, closed
// when the test ends.
func openSQLiteFile(t testing.TB, driverName, path string) testDB {
	t.Helper()
	db, err := sql.Open(driverName, sqliteDSN(path))
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return testDB{DB: db}
}

// sqliteDSN is the DSN of the SQLite file at path, with the pragmas
// store/sqlite sets.
func sqliteDSN(path string) string {
	return "file:" + path +
		"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
}

// sqliteTemplates holds the SQLite files migrated for the tests, one per
// driver and rendering of the migrations (see sqlitetest).
var sqliteTemplates sqlitetest.Templates

// TestMain removes the SQLite templates after the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if err := sqliteTemplates.Remove(); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	os.Exit(code)
}

// migratedSQLite returns, through driverName, a SQLite file for one test
// that holds the schema Migrate makes with opts (see migratedSQLiteFile).
// It reports false when opts are not a SQLite store's.
func migratedSQLite(t testing.TB, driverName string, opts []sqlstore.Option) (testDB, bool) {
	t.Helper()
	path, ok := migratedSQLiteFile(t, driverName, opts)
	if !ok {
		return testDB{}, false
	}
	return openSQLiteFile(t, driverName, path), true
}

// migratedSQLiteFile returns the path of a SQLite file for one test that
// holds the schema Migrate makes with opts: a copy of a file migrated once
// by driverName with migrations rendered alike. It reports false when
// opts are not a SQLite store's.
func migratedSQLiteFile(t testing.TB, driverName string, opts []sqlstore.Option) (string, bool) {
	t.Helper()
	migrations, err := sqlstore.Migrations(sqlstore.SQLite, opts...)
	if err != nil {
		return "", false
	}
	h := sha256.New()
	require.NoError(t, fs.WalkDir(migrations, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		text, err := fs.ReadFile(migrations, name)
		fmt.Fprintf(h, "%s %d\n%s\n", name, len(text), text)
		return err
	}))
	key := driverName + " " + hex.EncodeToString(h.Sum(nil))
	path := sqliteTemplates.Copy(t, key, func(path string) error {
		db, err := sql.Open(driverName, sqliteDSN(path))
		if err != nil {
			return err
		}
		s, err := sqlstore.New(db, sqlstore.SQLite, opts...)
		if err == nil {
			err = s.Migrate(context.Background())
		}
		return errors.Join(err, db.Close())
	})
	return path, true
}

// postgresURL returns the URL of the test PostgreSQL server (see
// pgtest.URL).
func postgresURL(t testing.TB) string {
	t.Helper()
	return pgtest.URL(t)
}

// openPostgres connects to the test server with pgx and gives the test a
// schema of its own, with a random name, dropped when the test ends.
func openPostgres(t testing.TB) testDB { return openPostgresWith(t, "pgx") }

// openPostgresWith is openPostgres with the database/sql driver named
// driverName.
func openPostgresWith(t testing.TB, driverName string) testDB {
	t.Helper()
	db, err := sql.Open(driverName, postgresURL(t))
	require.NoError(t, err)
	schema := randomName(t, "crmtest_")
	t.Cleanup(func() {
		_, err := db.ExecContext(context.Background(), `DROP SCHEMA IF EXISTS "`+schema+`" CASCADE`)
		_ = db.Close()
		require.NoError(t, err)
	})
	require.NoError(t, db.PingContext(context.Background()))
	return testDB{DB: db, opts: []sqlstore.Option{sqlstore.WithSchema(schema)}, schema: schema}
}

func randomName(t testing.TB, prefix string) string {
	t.Helper()
	b := make([]byte, 8)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return prefix + hex.EncodeToString(b)
}
