package sqlstore

import (
	"errors"
	"fmt"
	"syscall"
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
)

// The shapes of the SQLite drivers' errors, as resultCode finds them; the
// real errors are provoked in drivers_test.go.

// moderncError has modernc.org/sqlite's method: Code() int, extended.
type moderncError struct{ code int }

func (e *moderncError) Error() string { return fmt.Sprintf("modernc (%d)", e.code) }
func (e *moderncError) Code() int     { return e.code }

// primaryCode, extendedCode and ncrucesError have ncruces's methods.
type (
	primaryCode  uint8
	extendedCode uint16
	ncrucesError struct{ code uint16 }
)

func (c primaryCode) Error() string                { return "primary" }
func (c primaryCode) ExtendedCode() extendedCode   { return extendedCode(c) }
func (c extendedCode) Error() string               { return "extended" }
func (c extendedCode) Code() primaryCode           { return primaryCode(c) }
func (e *ncrucesError) Error() string              { return "ncruces" }
func (e *ncrucesError) Code() primaryCode          { return primaryCode(e.code) }
func (e *ncrucesError) ExtendedCode() extendedCode { return extendedCode(e.code) }

// lyingCode is an integer error whose Code is not its low byte: not a
// SQLite result code.
type lyingCode uint16

func (c lyingCode) Error() string { return "lying" }
func (c lyingCode) Code() int8    { return 1 }

func TestSQLiteResultCodeShapes(t *testing.T) {
	busy, unique, none := []bool{true, false}, []bool{false, true}, []bool{false, false}
	for _, tc := range []struct {
		name string
		err  error
		want []bool // transient, unique violation
	}{
		{"modernc busy", &moderncError{5}, busy},
		{"modernc busy snapshot", &moderncError{517}, busy},
		{"modernc locked sharedcache", &moderncError{262}, busy},
		{"modernc primary key", &moderncError{1555}, unique},
		{"modernc unique", &moderncError{2067}, unique},
		{"modernc check", &moderncError{275}, none},
		{"ncruces *Error busy recovery", &ncrucesError{261}, busy},
		{"ncruces *Error unique", &ncrucesError{2067}, unique},
		{"ncruces *Error not null", &ncrucesError{1299}, none},
		{"ncruces ErrorCode busy", primaryCode(5), busy},
		{"ncruces ErrorCode constraint", primaryCode(19), none},
		{"ncruces ExtendedErrorCode locked", extendedCode(6), busy},
		{"ncruces ExtendedErrorCode busy snapshot", extendedCode(517), busy},
		{"ncruces ExtendedErrorCode primary key", extendedCode(1555), unique},
		{"wrapped", fmt.Errorf("exec: %w", extendedCode(2067)), unique},
		{"joined", errors.Join(errors.New("other"), &ncrucesError{5}), busy},
		{"a nil *Error", (*ncrucesError)(nil), none},
		{"an integer that is no result code", lyingCode(5), none},
		{"errno", syscall.Errno(5), none},
		{"already transient", fmt.Errorf("x: %w", crm.ErrTransient), busy},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want[0], SQLite.isTransient(tc.err), "transient")
			assert.Equal(t, tc.want[1], SQLite.isUniqueViolation(tc.err), "unique violation")
		})
	}
}

// pgError has the pgx and lib/pq method: SQLState() string.
type pgError struct{ state string }

func (e *pgError) Error() string    { return "pg " + e.state }
func (e *pgError) SQLState() string { return e.state }

// TestOverflowErrors checks that a number the database refuses for not
// fitting in 64 bits is a *crm.OverflowError, with the driver's error
// still there, and that other errors are not.
func TestOverflowErrors(t *testing.T) {
	for _, tc := range []struct {
		name     string
		dialect  Dialect
		err      error
		overflow bool
	}{
		{"SQLite SUM", SQLite, errors.New("SQL logic error: integer overflow (1)"), true},
		{"SQLite other", SQLite, errors.New("SQL logic error: no such column (1)"), false},
		{"PostgreSQL bigint out of range", PostgreSQL, fmt.Errorf("query: %w", &pgError{"22003"}), true},
		{"PostgreSQL division by zero", PostgreSQL, &pgError{"22012"}, false},
		{"PostgreSQL message alone", PostgreSQL, errors.New("integer overflow"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := (&Store{dialect: tc.dialect}).dbErr("adding up", tc.err)
			assert.Equal(t, tc.overflow, errors.Is(err, crm.ErrOverflow), "%v", err)
			assert.Equal(t, tc.overflow, errors.Is(err, crm.ErrInvalid), "%v", err)
			assert.ErrorIs(t, err, tc.err, "the driver's error is kept")
		})
	}
	scanned := fmt.Errorf("sql: Scan error: %w", &crm.OverflowError{Field: "aging"})
	var over *crm.OverflowError
	assert.ErrorAs(t, (&Store{dialect: SQLite}).dbErr("adding up", scanned), &over)
	assert.Equal(t, "aging", over.Field, "an overflow found reading a sum stays as it is")
}
