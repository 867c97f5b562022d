package sqlstore

import (
	"errors"
	"fmt"
	"strings"

	"github.com/crmkit/crm"
)

// The driver errors this package recognizes, by the methods drivers give
// their error types; no driver is imported. modernc.org/sqlite's *Error
// has Code() int, the extended SQLite result code; pgx's *pgconn.PgError
// has SQLState() string.
type (
	sqliteCoder interface{ Code() int }
	sqlStater   interface{ SQLState() string }
)

// SQLite result codes (https://sqlite.org/rescode.html).
const (
	sqliteBusy             = 5
	sqliteLocked           = 6
	sqliteConstraintPK     = 1555
	sqliteConstraintUnique = 2067
)

// PostgreSQL SQLSTATEs.
const (
	pgSerializationFailure = "40001"
	pgDeadlockDetected     = "40P01"
	pgUniqueViolation      = "23505"
)

// transientError is a failure that may pass when the transaction is run
// again. It matches crm.ErrTransient and unwraps to the driver's error.
type transientError struct {
	op       string
	attempts int // > 0 when Update gave up after that many attempts
	err      error
}

func (e *transientError) Error() string {
	if e.attempts > 0 {
		return fmt.Sprintf("sqlstore: %s: still failing after %d attempts: %v", e.op, e.attempts, e.err)
	}
	return fmt.Sprintf("sqlstore: %s: %v", e.op, e.err)
}

// Unwrap returns crm.ErrTransient and the cause.
func (e *transientError) Unwrap() []error { return []error{crm.ErrTransient, e.err} }

// isSumOverflow reports whether err is SQLite's SUM refusing a total
// beyond 64 bits (its message is all SQLite says: the code is the generic
// SQLITE_ERROR). PostgreSQL sums bigints as numeric and never overflows.
func (d Dialect) isSumOverflow(err error) bool {
	return d == SQLite && err != nil && strings.Contains(err.Error(), "integer overflow")
}

// isTransient reports whether err, from the database or from a
// transaction's closure, is worth running the transaction again for:
// SQLITE_BUSY or SQLITE_LOCKED, a serialization failure or a deadlock.
func (d Dialect) isTransient(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, crm.ErrTransient) {
		return true
	}
	switch d {
	case SQLite:
		var c sqliteCoder
		if errors.As(err, &c) {
			code := c.Code() & 0xff
			return code == sqliteBusy || code == sqliteLocked
		}
		msg := err.Error()
		return strings.Contains(msg, "database is locked") || strings.Contains(msg, "database table is locked")
	case PostgreSQL:
		var s sqlStater
		if errors.As(err, &s) {
			state := s.SQLState()
			return state == pgSerializationFailure || state == pgDeadlockDetected
		}
	}
	return false
}

// isUniqueViolation reports whether err is a duplicate key.
func (d Dialect) isUniqueViolation(err error) bool {
	switch d {
	case SQLite:
		var c sqliteCoder
		if errors.As(err, &c) {
			return c.Code() == sqliteConstraintPK || c.Code() == sqliteConstraintUnique
		}
	case PostgreSQL:
		var s sqlStater
		if errors.As(err, &s) {
			return s.SQLState() == pgUniqueViolation
		}
	}
	return false
}

// dbErr wraps an error from the database with what the store was doing;
// transient ones become a *transientError. nil stays nil.
func (s *Store) dbErr(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case s.dialect.isTransient(err):
		var te *transientError
		if errors.As(err, &te) {
			return err
		}
		return &transientError{op: op, err: err}
	}
	return fmt.Errorf("sqlstore: %s: %w", op, err)
}
