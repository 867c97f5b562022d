package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/sqlstore"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/lib/pq"
	"github.com/ncruces/go-sqlite3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	moderncsqlite "modernc.org/sqlite"

	_ "github.com/ncruces/go-sqlite3/driver" // the "sqlite3" driver, SQLite compiled from wasm to Go
)

// The drivers whose errors the dialects recognise, each made to report
// every condition against a real database. Only these tests import them:
// the package itself imports no driver. Each test also reads the code with
// the driver's own API, to show that the condition provoked is the one
// named.

// ncrucesBackend is SQLite through github.com/ncruces/go-sqlite3, with the
// same DSN as modernc.org/sqlite's.
var ncrucesBackend = backend{name: "SQLite (ncruces)", dialect: sqlstore.SQLite,
	open: func(t testing.TB) testDB { return openSQLiteWith(t, "sqlite3") },
	migrated: func(t testing.TB, opts []sqlstore.Option) (testDB, bool) {
		return migratedSQLite(t, "sqlite3", opts)
	}}

func TestModerncSQLiteErrors(t *testing.T) {
	testSQLiteDriverErrors(t, "sqlite", func(err error) int {
		var e *moderncsqlite.Error
		require.ErrorAs(t, err, &e)
		return e.Code()
	})
}

func TestNcrucesSQLiteErrors(t *testing.T) {
	testSQLiteDriverErrors(t, "sqlite3", func(err error) int {
		var code sqlite3.ExtendedErrorCode // a *sqlite3.Error converts to one too
		require.ErrorAs(t, err, &code)
		return int(code)
	})
}

func TestPgxErrors(t *testing.T) {
	testPostgresDriverErrors(t, "pgx", func(err error) string {
		var e *pgconn.PgError
		require.ErrorAs(t, err, &e)
		return e.Code
	})
}

func TestLibPQErrors(t *testing.T) {
	testPostgresDriverErrors(t, "postgres", func(err error) string {
		var e *pq.Error
		require.ErrorAs(t, err, &e)
		return string(e.Code)
	})
}

// classifies asserts how d classifies err.
func classifies(t *testing.T, d sqlstore.Dialect, err error, transient, unique bool) {
	t.Helper()
	require.Error(t, err)
	assert.Equal(t, transient, d.IsTransient(err), "transient: %v", err)
	assert.Equal(t, unique, d.IsUniqueViolation(err), "unique violation: %v", err)
}

// testSQLiteDriverErrors provokes, on a SQLite file through driverName,
// a duplicate primary key, a duplicate in a unique index, SQLITE_BUSY and
// SQLITE_LOCKED, and checks that the SQLite dialect classifies each; code
// reads the extended result code with the driver's own API.
func testSQLiteDriverErrors(t *testing.T, driverName string, code func(error) int) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "errors.db")
	// No busy timeout: a connection that finds the write lock taken fails
	// at once.
	db, err := sql.Open(driverName, "file:"+path+"?_pragma=busy_timeout(0)&_pragma=journal_mode(WAL)")
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	for _, stmt := range []string{
		// A TEXT primary key, as the store's tables have, is not the rowid.
		`CREATE TABLE people (id TEXT PRIMARY KEY, email TEXT NOT NULL)`,
		`CREATE UNIQUE INDEX people_email ON people (email)`,
		`INSERT INTO people VALUES ('a', 'a@example.com')`,
	} {
		_, err := db.ExecContext(ctx, stmt)
		require.NoError(t, err, stmt)
	}

	t.Run("primary key", func(t *testing.T) {
		_, err := db.ExecContext(ctx, `INSERT INTO people VALUES ('a', 'b@example.com')`)
		classifies(t, sqlstore.SQLite, err, false, true)
		assert.Equal(t, 1555, code(err), "SQLITE_CONSTRAINT_PRIMARYKEY")
	})
	t.Run("unique index", func(t *testing.T) {
		_, err := db.ExecContext(ctx, `INSERT INTO people VALUES ('b', 'a@example.com')`)
		classifies(t, sqlstore.SQLite, err, false, true)
		assert.Equal(t, 2067, code(err), "SQLITE_CONSTRAINT_UNIQUE")
	})
	t.Run("not null", func(t *testing.T) {
		_, err := db.ExecContext(ctx, `INSERT INTO people VALUES ('c', NULL)`)
		classifies(t, sqlstore.SQLite, err, false, false)
		assert.Equal(t, 1299, code(err), "SQLITE_CONSTRAINT_NOTNULL")
	})
	t.Run("busy", func(t *testing.T) {
		holder, err := db.Conn(ctx)
		require.NoError(t, err)
		defer holder.Close()
		other, err := db.Conn(ctx)
		require.NoError(t, err)
		defer other.Close()
		_, err = holder.ExecContext(ctx, "BEGIN IMMEDIATE")
		require.NoError(t, err)
		defer func() {
			_, err := holder.ExecContext(ctx, "ROLLBACK")
			assert.NoError(t, err)
		}()

		_, err = other.ExecContext(ctx, "BEGIN IMMEDIATE")
		classifies(t, sqlstore.SQLite, err, true, false)
		assert.Equal(t, 5, code(err), "SQLITE_BUSY")

		_, err = other.ExecContext(ctx, `INSERT INTO people VALUES ('d', 'd@example.com')`)
		classifies(t, sqlstore.SQLite, err, true, false)
		assert.Equal(t, 5, code(err)&0xff, "SQLITE_BUSY")
	})
	t.Run("locked", func(t *testing.T) {
		// A connection cannot drop a table it is still reading.
		conn, err := db.Conn(ctx)
		require.NoError(t, err)
		defer conn.Close()
		_, err = conn.ExecContext(ctx, `CREATE TABLE doomed (id INTEGER); INSERT INTO doomed VALUES (1), (2)`)
		require.NoError(t, err)
		rows, err := conn.QueryContext(ctx, `SELECT id FROM doomed`)
		require.NoError(t, err)
		require.True(t, rows.Next())
		_, err = conn.ExecContext(ctx, `DROP TABLE doomed`)
		require.NoError(t, rows.Close())
		classifies(t, sqlstore.SQLite, err, true, false)
		assert.Equal(t, 6, code(err), "SQLITE_LOCKED")
	})
}

// testPostgresDriverErrors provokes, in a schema of the test's own
// through driverName, a duplicate primary key, a duplicate in a unique
// index, a serialization failure and a deadlock, and checks that the
// PostgreSQL dialect classifies each; state reads the SQLSTATE with the
// driver's own API.
func testPostgresDriverErrors(t *testing.T, driverName string, state func(error) string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db := openPostgresWith(t, driverName)
	people := db.table("", "people")
	for _, stmt := range []string{
		`CREATE SCHEMA "` + db.schema + `"`,
		`CREATE TABLE ` + people + ` (id int PRIMARY KEY, email text NOT NULL UNIQUE, n int NOT NULL)`,
		`INSERT INTO ` + people + ` VALUES (1, 'a@example.com', 0), (2, 'b@example.com', 0)`,
	} {
		_, err := db.ExecContext(ctx, stmt)
		require.NoError(t, err, stmt)
	}
	bump := `UPDATE ` + people + ` SET n = n + 1 WHERE id = $1`

	t.Run("primary key", func(t *testing.T) {
		_, err := db.ExecContext(ctx, `INSERT INTO `+people+` VALUES (1, 'c@example.com', 0)`)
		classifies(t, sqlstore.PostgreSQL, err, false, true)
		assert.Equal(t, "23505", state(err), "unique_violation")
	})
	t.Run("unique index", func(t *testing.T) {
		_, err := db.ExecContext(ctx, `INSERT INTO `+people+` VALUES (3, 'a@example.com', 0)`)
		classifies(t, sqlstore.PostgreSQL, err, false, true)
		assert.Equal(t, "23505", state(err), "unique_violation")
	})
	t.Run("not null", func(t *testing.T) {
		_, err := db.ExecContext(ctx, `INSERT INTO `+people+` VALUES (3, NULL, 0)`)
		classifies(t, sqlstore.PostgreSQL, err, false, false)
		assert.Equal(t, "23502", state(err), "not_null_violation")
	})

	// begin starts a transaction at isolation (a SET TRANSACTION clause),
	// rolled back when the test ends unless it ended before.
	begin := func(t *testing.T, isolation string) *sql.Tx {
		tx, err := db.BeginTx(ctx, nil)
		require.NoError(t, err)
		t.Cleanup(func() { _ = tx.Rollback() })
		_, err = tx.ExecContext(ctx, "SET TRANSACTION ISOLATION LEVEL "+isolation)
		require.NoError(t, err)
		return tx
	}

	t.Run("serialization failure", func(t *testing.T) {
		// A REPEATABLE READ transaction that updates a row changed since
		// its snapshot was taken fails.
		tx := begin(t, "REPEATABLE READ")
		var n int
		require.NoError(t, tx.QueryRowContext(ctx, `SELECT n FROM `+people+` WHERE id = 1`).Scan(&n))
		_, err := db.ExecContext(ctx, bump, 1)
		require.NoError(t, err)
		_, err = tx.ExecContext(ctx, bump, 1)
		classifies(t, sqlstore.PostgreSQL, err, true, false)
		assert.Equal(t, "40001", state(err), "serialization_failure")
	})
	t.Run("deadlock", func(t *testing.T) {
		// Each transaction locks one row, then asks for the other's: the
		// deadlock detector (after deadlock_timeout, 1s by default) aborts
		// one, whose rollback lets the other go on.
		one, two := begin(t, "READ COMMITTED"), begin(t, "READ COMMITTED")
		_, err := one.ExecContext(ctx, bump, 1)
		require.NoError(t, err)
		_, err = two.ExecContext(ctx, bump, 2)
		require.NoError(t, err)
		errs := make(chan error, 2)
		cross := func(tx *sql.Tx, id int) {
			_, err := tx.ExecContext(ctx, bump, id)
			_ = tx.Rollback()
			errs <- err
		}
		go cross(one, 2)
		go cross(two, 1)
		var failed []error
		for range 2 {
			if err := <-errs; err != nil {
				failed = append(failed, err)
			}
		}
		require.Len(t, failed, 1, "one transaction is the deadlock's victim: %v", errors.Join(failed...))
		classifies(t, sqlstore.PostgreSQL, failed[0], true, false)
		assert.Equal(t, "40P01", state(failed[0]), "deadlock_detected")
	})
}

// TestNcrucesStore runs the store on github.com/ncruces/go-sqlite3, to
// show that its SQL, its transactions and its error handling work on
// another SQLite driver than modernc.org/sqlite: the CRM round trip, the
// duplicate event that a unique index refuses and SQLITE_BUSY retried.
// TestNcrucesConformance runs the whole suite on it.
func TestNcrucesStore(t *testing.T) {
	ctx := context.Background()
	t.Run("CRM", func(t *testing.T) {
		s, _ := ncrucesBackend.newStore(t)
		c, err := crm.New(s)
		require.NoError(t, err)
		admin, err := c.Users.Bootstrap(ctx, crm.NewUser{Name: "Ada Admin", Email: "ada@example.com"})
		require.NoError(t, err)
		cu, err := c.Customers.Create(ctx, admin.ID, crm.NewCustomer{Kind: crm.Partner, Name: "Wasm & Co"})
		require.NoError(t, err)
		got, err := c.Customers.Get(ctx, admin.ID, cu.ID)
		require.NoError(t, err)
		assert.Equal(t, cu, got)
		head, err := c.Events.Verify(ctx)
		require.NoError(t, err)
		assert.Equal(t, int64(2), head.Seq)
	})
	t.Run("duplicate event", func(t *testing.T) {
		s, _ := ncrucesBackend.newStore(t)
		first := appendEvents(ctx, t, s, newID(t), `{}`)
		dup := chain(t, crm.LogHead{Seq: 1, Hash: first[0].Hash}, newID(t), `{}`)
		dup[0].ID = first[0].ID
		err := s.Update(ctx, func(tx crm.Tx) error { return tx.Events().Append(ctx, dup) })
		var ce *crm.ConflictError
		require.ErrorAs(t, err, &ce, "an event ID is unique")
		assert.Equal(t, first[0].ID.String(), ce.ID)
	})
	t.Run("busy", func(t *testing.T) { testSQLiteBusyIsRetried(t, "sqlite3") })
}
