package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/sqlstore"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeSome inserts a user, a customer and an event.
func writeSome(ctx context.Context, t *testing.T, tx crm.Tx) {
	t.Helper()
	require.NoError(t, tx.Users().Insert(ctx, sampleUser(newID(t))))
	require.NoError(t, tx.Customers().Insert(ctx, sampleCustomer(newID(t), newID(t))))
	require.NoError(t, tx.Events().Append(ctx, chain(t, crm.LogHead{}, newID(t), `{}`)))
}

func requireEmpty(ctx context.Context, t *testing.T, s crm.Store) {
	t.Helper()
	assert.Empty(t, listCustomers(ctx, t, s, crm.CustomerFilter{}))
	assert.Empty(t, readEvents(ctx, t, s))
	require.NoError(t, s.View(ctx, func(tx crm.ReadTx) error {
		users, err := tx.Users().List(ctx, crm.UserFilter{}, crm.PageRequest{})
		assert.Empty(t, users)
		return err
	}))
}

// wrapped stands for the CRM's private wrapper of a stale version: the
// store must hand back the closure's error value itself.
type wrapped struct{ error }

func TestRollbackOnError(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s, _ := b.newStore(t)
		boom := wrapped{errors.New("boom")}
		err := s.Update(ctx, func(tx crm.Tx) error {
			writeSome(ctx, t, tx)
			return boom
		})
		assert.Equal(t, error(boom), err, "the closure's error comes back unchanged")
		requireEmpty(ctx, t, s)

		viewErr := errors.New("view")
		assert.Equal(t, viewErr, s.View(ctx, func(crm.ReadTx) error { return viewErr }))

		// The connection went back to the pool without a transaction:
		// the next write goes through at once.
		require.NoError(t, insertCustomer(ctx, s, sampleCustomer(newID(t), newID(t))))
	})
}

func TestRollbackOnPanic(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s, _ := b.newStore(t)
		assert.PanicsWithValue(t, "kaboom", func() {
			_ = s.Update(ctx, func(tx crm.Tx) error {
				writeSome(ctx, t, tx)
				panic("kaboom")
			})
		})
		requireEmpty(ctx, t, s)
		require.NoError(t, insertCustomer(ctx, s, sampleCustomer(newID(t), newID(t))))
	})
}

func TestCancelledContextLeavesNoTransaction(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s, _ := b.newStore(t)
		ctx, cancel := context.WithCancel(context.Background())
		err := s.Update(ctx, func(tx crm.Tx) error {
			writeSome(ctx, t, tx)
			cancel()
			return nil
		})
		assert.ErrorIs(t, err, context.Canceled)

		done, stop := context.WithTimeout(context.Background(), 10*time.Second)
		defer stop()
		requireEmpty(done, t, s)
		require.NoError(t, insertCustomer(done, s, sampleCustomer(newID(t), newID(t))), "no lock was left held")

		assert.ErrorIs(t, s.Update(ctx, func(crm.Tx) error { return nil }), context.Canceled)
		assert.ErrorIs(t, s.View(ctx, func(crm.ReadTx) error { return nil }), context.Canceled)
	})
}

// sqliteBusy looks like modernc.org/sqlite's *Error for SQLITE_BUSY.
type sqliteBusy struct{}

func (sqliteBusy) Error() string { return "database is busy (5)" }
func (sqliteBusy) Code() int     { return 5 | 2<<8 } // an extended code: primary 5

// pgSerialization looks like pgx's *pgconn.PgError for SQLSTATE 40001.
type pgSerialization struct{}

func (pgSerialization) Error() string    { return "could not serialize access" }
func (pgSerialization) SQLState() string { return "40001" }

func transientFor(b backend) error {
	if b.dialect == sqlstore.PostgreSQL {
		return pgSerialization{}
	}
	return sqliteBusy{}
}

func TestUpdateRetriesTransientFailures(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s, _ := b.newStore(t, sqlstore.WithMaxRetries(3))

		attempts := 0
		c := sampleCustomer(newID(t), newID(t))
		err := s.Update(ctx, func(tx crm.Tx) error {
			attempts++
			if err := tx.Customers().Insert(ctx, c); err != nil {
				return err
			}
			if attempts < 3 {
				return transientFor(b)
			}
			return nil
		})
		require.NoError(t, err)
		assert.Equal(t, 3, attempts, "the whole closure ran again")
		assert.Len(t, listCustomers(ctx, t, s, crm.CustomerFilter{}), 1, "only the last attempt was kept")

		attempts = 0
		err = s.Update(ctx, func(crm.Tx) error {
			attempts++
			return transientFor(b)
		})
		assert.Equal(t, 4, attempts, "one try and three retries")
		assert.ErrorIs(t, err, crm.ErrTransient)
		assert.ErrorAs(t, err, new(interface{ Error() string }))

		attempts = 0
		err = s.Update(ctx, func(crm.Tx) error {
			attempts++
			return errors.New("database is locked")
		})
		if b.dialect == sqlstore.SQLite {
			assert.ErrorIs(t, err, crm.ErrTransient, "the message is recognized too")
			assert.Equal(t, 4, attempts)
		} else {
			assert.Equal(t, 1, attempts, "an SQLite message means nothing on PostgreSQL")
		}
	})
}

func TestRetriesStopWithTheContext(t *testing.T) {
	s, _ := sqliteBackend.newStore(t, sqlstore.WithMaxRetries(1000))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := s.Update(ctx, func(crm.Tx) error { return sqliteBusy{} })
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestSQLiteWritersTakeTurns(t *testing.T) {
	ctx := context.Background()
	s, _ := sqliteBackend.newStore(t)
	const writers = 8
	errs := make(chan error, writers)
	for range writers {
		go func() {
			errs <- s.Update(ctx, func(tx crm.Tx) error {
				// Read, then write: without BEGIN IMMEDIATE the upgrade
				// from a read lock to a write lock could fail with
				// SQLITE_BUSY at once.
				if _, err := tx.Events().Head(ctx); err != nil {
					return err
				}
				return tx.Customers().Insert(ctx, sampleCustomer(newID(t), newID(t)))
			})
		}()
	}
	for range writers {
		require.NoError(t, <-errs)
	}
	assert.Len(t, listCustomers(ctx, t, s, crm.CustomerFilter{}), writers)
}

func TestCloseOnlyWhatTheStoreOwns(t *testing.T) {
	db := openSQLite(t)
	s, err := sqlstore.New(db.DB, sqlstore.SQLite)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	require.NoError(t, db.PingContext(context.Background()), "the caller's *sql.DB stays open")

	owned, err := sqlstore.New(db.DB, sqlstore.SQLite, sqlstore.WithOwnedDB())
	require.NoError(t, err)
	require.NoError(t, owned.Close())
	assert.Error(t, db.PingContext(context.Background()), "an owned *sql.DB is closed")
}

func TestNilClosure(t *testing.T) {
	s, _ := sqliteBackend.newStore(t)
	assert.ErrorIs(t, s.Update(context.Background(), nil), crm.ErrInvalid)
	assert.ErrorIs(t, s.View(context.Background(), nil), crm.ErrInvalid)
}

// TestSQLiteBusyIsRetried makes the driver itself report SQLITE_BUSY: with
// no busy timeout, a writer that finds the write lock taken fails at once,
// and Update retries it until the lock is free, or gives up with
// crm.ErrTransient. TestNcrucesStore runs it on another driver.
func TestSQLiteBusyIsRetried(t *testing.T) { testSQLiteBusyIsRetried(t, "sqlite") }

func testSQLiteBusyIsRetried(t *testing.T, driverName string) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "crm.db")
	db, err := sql.Open(driverName, "file:"+path+"?_pragma=busy_timeout(0)&_pragma=journal_mode(WAL)")
	require.NoError(t, err)
	defer db.Close()
	holder, err := sqlstore.New(db, sqlstore.SQLite)
	require.NoError(t, err)
	require.NoError(t, holder.Migrate(ctx))

	// hold takes the write lock and keeps it until release is closed.
	hold := func() (release func(), done <-chan error) {
		locked, unlock, errc := make(chan struct{}), make(chan struct{}), make(chan error, 1)
		go func() {
			errc <- holder.Update(ctx, func(crm.Tx) error {
				close(locked)
				<-unlock
				return nil
			})
		}()
		<-locked
		return func() { close(unlock) }, errc
	}

	impatient, err := sqlstore.New(db, sqlstore.SQLite, sqlstore.WithMaxRetries(2))
	require.NoError(t, err)
	release, done := hold()
	err = insertCustomer(ctx, impatient, sampleCustomer(newID(t), newID(t)))
	assert.ErrorIs(t, err, crm.ErrTransient, "the lock outlasted the retries")
	release()
	require.NoError(t, <-done)

	patient, err := sqlstore.New(db, sqlstore.SQLite, sqlstore.WithMaxRetries(1000))
	require.NoError(t, err)
	release, done = hold()
	time.AfterFunc(30*time.Millisecond, release)
	require.NoError(t, insertCustomer(ctx, patient, sampleCustomer(newID(t), newID(t))), "retried until the lock was free")
	require.NoError(t, <-done)
}

// TestPostgresDeadlockIsRetried makes two transactions lock two
// customers in opposite orders. PostgreSQL aborts one of them with
// SQLSTATE 40P01, and Update runs that one's closure again. Which one is
// aborted, and whether its second run finds a version the other moved on
// (a conflict the CRM retries), depends on timing; that the deadlock
// happens, and is retried, does not: both hold their first lock before
// either asks for its second.
func TestPostgresDeadlockIsRetried(t *testing.T) {
	ctx := context.Background()
	s, _ := postgresBackend.newStore(t)
	a, b := sampleCustomer(newID(t), newID(t)), sampleCustomer(newID(t), newID(t))
	require.NoError(t, insertCustomer(ctx, s, a))
	require.NoError(t, insertCustomer(ctx, s, b))

	bump := func(tx crm.Tx, id crm.ID) error {
		c, err := tx.Customers().Get(ctx, id)
		if err != nil {
			return err
		}
		c.Version++
		return tx.Customers().Update(ctx, c)
	}
	var attempts atomic.Int32
	aLocked, bLocked := make(chan struct{}), make(chan struct{})
	crossed := func(first, second crm.ID, mine, theirs chan struct{}) error {
		once := false
		return s.Update(ctx, func(tx crm.Tx) error {
			attempts.Add(1)
			if err := bump(tx, first); err != nil {
				return err
			}
			if !once { // the first attempt: wait until both hold a lock
				once = true
				close(mine)
				<-theirs
			}
			return bump(tx, second)
		})
	}
	errs := make(chan error, 2)
	go func() { errs <- crossed(a.ID, b.ID, aLocked, bLocked) }()
	go func() { errs <- crossed(b.ID, a.ID, bLocked, aLocked) }()
	succeeded := 0
	for range 2 {
		err := <-errs
		if err == nil {
			succeeded++
			continue
		}
		assert.ErrorIs(t, err, crm.ErrConflict, "the victim's second run may find a version the winner moved on")
	}
	assert.Positive(t, succeeded, "the winner commits")
	assert.GreaterOrEqual(t, attempts.Load(), int32(3), "the deadlock's victim ran again")
}

// TestPostgresTransientErrorsAreRetried injects the failure instead of
// racing for it: a trigger fails the first inserts of customers with
// SQLSTATE 40P01, as a deadlock does, counting them with a sequence that
// the rollbacks do not undo. Update runs the closure exactly once per
// failure plus once, and gives up after WithMaxRetries.
func TestPostgresTransientErrorsAreRetried(t *testing.T) {
	ctx := context.Background()
	s, db := postgresBackend.newStore(t, sqlstore.WithMaxRetries(5))
	faults := `"` + db.schema + `"."faults"`
	for _, stmt := range []string{
		"CREATE SEQUENCE " + faults,
		`CREATE FUNCTION "` + db.schema + `".fault() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF nextval('` + faults + `') <= 2 THEN
        RAISE EXCEPTION 'deadlock detected (injected)' USING ERRCODE = '40P01';
    END IF;
    RETURN NEW;
END $$`,
		"CREATE TRIGGER fault BEFORE INSERT ON " + db.table("crm_", "customers") +
			` FOR EACH ROW EXECUTE FUNCTION "` + db.schema + `".fault()`,
	} {
		_, err := db.ExecContext(ctx, stmt)
		require.NoError(t, err, stmt)
	}

	attempts := 0
	c := sampleCustomer(newID(t), newID(t))
	err := s.Update(ctx, func(tx crm.Tx) error {
		attempts++
		return tx.Customers().Insert(ctx, c)
	})
	require.NoError(t, err)
	assert.Equal(t, 3, attempts, "two failures, two retries")
	assert.Len(t, listCustomers(ctx, t, s, crm.CustomerFilter{}), 1)

	_, err = db.ExecContext(ctx, "ALTER SEQUENCE "+faults+" RESTART")
	require.NoError(t, err)
	impatient, err := sqlstore.New(db.DB, sqlstore.PostgreSQL, append(db.opts, sqlstore.WithMaxRetries(1))...)
	require.NoError(t, err)
	attempts = 0
	err = impatient.Update(ctx, func(tx crm.Tx) error {
		attempts++
		return tx.Customers().Insert(ctx, sampleCustomer(newID(t), newID(t)))
	})
	assert.ErrorIs(t, err, crm.ErrTransient)
	var state interface{ SQLState() string }
	require.ErrorAs(t, err, &state, "the driver's error is kept")
	assert.Equal(t, "40P01", state.SQLState())
	assert.Equal(t, 2, attempts, "one try and one retry")
	assert.Len(t, listCustomers(ctx, t, s, crm.CustomerFilter{}), 1, "the failed attempts left nothing")
}
