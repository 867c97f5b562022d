package sqlstore

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"

	"github.com/crmkit/crm"
)

// The driver errors this package recognizes, by the codes they carry and
// the methods their types have; no driver is imported, and no message is
// read where the error has a code. Tested with:
//
//   - modernc.org/sqlite: *sqlite.Error has Code() int, the extended
//     SQLite result code.
//   - github.com/ncruces/go-sqlite3: *sqlite3.Error, and sqlite3.ErrorCode,
//     have ExtendedCode() returning its own integer type, so an interface
//     cannot name the method; SQLite failures that carry no message of
//     their own (SQLITE_BUSY) come as a bare sqlite3.ExtendedErrorCode, an
//     integer that is itself the extended code and whose Code() is its low
//     byte. sqliteCode finds both by reflection: see resultCode.
//   - github.com/jackc/pgx/v5 (stdlib): *pgconn.PgError has SQLState() string.
//   - github.com/lib/pq (v1.10.6 and later): *pq.Error has SQLState()
//     string, its Code field as a string.
type sqlStater interface{ SQLState() string }

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
	pgOutOfRange           = "22003" // numeric_value_out_of_range: a bigint that does not fit
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

// sqliteCode returns the extended SQLite result code of the first error
// in err's tree (as errors.As walks it) that carries one.
func sqliteCode(err error) (int, bool) {
	for err != nil {
		if code, ok := resultCode(err); ok {
			return code, true
		}
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				if code, ok := sqliteCode(e); ok {
					return code, true
				}
			}
			return 0, false
		default:
			return 0, false
		}
	}
	return 0, false
}

// resultCode returns the extended SQLite result code that e itself
// carries, if its type says so in one of three ways:
//
//   - Code() int (modernc.org/sqlite's *Error), the extended code;
//   - ExtendedCode() returning any integer type (ncruces's *Error and
//     ErrorCode);
//   - e is itself an integer with Code() returning an integer equal to its
//     low byte, the primary code (ncruces's ExtendedErrorCode).
//
// The check on the low byte keeps out integer errors that are not SQLite
// codes, such as syscall.Errno, which has no Code method anyway.
func resultCode(e error) (int, bool) {
	if c, ok := e.(interface{ Code() int }); ok {
		return c.Code(), true
	}
	v := reflect.ValueOf(e)
	if v.Kind() == reflect.Pointer && v.IsNil() {
		return 0, false
	}
	if code, ok := callInt(v, "ExtendedCode"); ok {
		return code, true
	}
	if code, ok := intOf(v); ok {
		if primary, ok := callInt(v, "Code"); ok && primary == code&0xff {
			return code, true
		}
	}
	return 0, false
}

// callInt calls v's method name when it takes nothing and returns one
// integer, of any integer type.
func callInt(v reflect.Value, name string) (int, bool) {
	m := v.MethodByName(name)
	if !m.IsValid() {
		return 0, false
	}
	if t := m.Type(); t.NumIn() != 0 || t.NumOut() != 1 || !isInt(t.Out(0).Kind()) {
		return 0, false
	}
	return intOf(m.Call(nil)[0])
}

// intOf returns v when it is an integer of any integer type, and fits.
func intOf(v reflect.Value) (int, bool) {
	switch {
	case v.CanInt():
		return int(v.Int()), true
	case v.CanUint() && v.Uint() <= math.MaxInt32:
		return int(v.Uint()), true
	}
	return 0, false
}

func isInt(k reflect.Kind) bool {
	switch k {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return true
	}
	return false
}

// isSumOverflow reports whether err is SQLite's SUM refusing a total
// beyond 64 bits (its message is all SQLite says: the code is the generic
// SQLITE_ERROR). PostgreSQL sums bigints as numeric and never overflows.
func (d Dialect) isSumOverflow(err error) bool {
	return d == SQLite && err != nil && strings.Contains(err.Error(), "integer overflow")
}

// isOverflow reports whether err is the database refusing a number beyond
// 64 bits: SQLite's SUM (see isSumOverflow), or PostgreSQL casting a sum
// to bigint or storing one that does not fit.
func (d Dialect) isOverflow(err error) bool {
	if d == PostgreSQL {
		var s sqlStater
		return errors.As(err, &s) && s.SQLState() == pgOutOfRange
	}
	return d.isSumOverflow(err)
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
		if code, ok := sqliteCode(err); ok {
			code &= 0xff // the primary code: SQLITE_BUSY_SNAPSHOT is busy too
			return code == sqliteBusy || code == sqliteLocked
		}
		// A driver whose errors carry no code: only its message is left.
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
		code, ok := sqliteCode(err)
		return ok && (code == sqliteConstraintPK || code == sqliteConstraintUnique)
	case PostgreSQL:
		var s sqlStater
		if errors.As(err, &s) {
			return s.SQLState() == pgUniqueViolation
		}
	}
	return false
}

// dbErr wraps an error from the database with what the store was doing;
// transient ones become a *transientError, and a number the database
// refused for not fitting in 64 bits matches a *crm.OverflowError as
// well as the driver's error. nil stays nil.
func (s *Store) dbErr(op string, err error) error {
	var over *crm.OverflowError
	switch {
	case err == nil:
		return nil
	case s.dialect.isTransient(err):
		var te *transientError
		if errors.As(err, &te) {
			return err
		}
		return &transientError{op: op, err: err}
	case !errors.As(err, &over) && s.dialect.isOverflow(err):
		return fmt.Errorf("sqlstore: %s: %w: %w", op, &crm.OverflowError{Field: "sum"}, err)
	}
	return fmt.Errorf("sqlstore: %s: %w", op, err)
}
