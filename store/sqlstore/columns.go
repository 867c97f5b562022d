package sqlstore

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/crmkit/crm"
)

// sqliteTimeLayout is how SQLite columns hold times: UTC, fixed width, to
// the microsecond, so that text order is time order.
const sqliteTimeLayout = "2006-01-02T15:04:05.000000Z"

// timeArg returns t as a parameter: time.Time for PostgreSQL, text for
// SQLite. Precision below a microsecond is dropped.
func (s *Store) timeArg(t time.Time) any {
	t = t.UTC().Truncate(time.Microsecond)
	if s.dialect == SQLite {
		return t.Format(sqliteTimeLayout)
	}
	return t
}

// optionalTimeArg is timeArg, with NULL for the zero time.
func (s *Store) optionalTimeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return s.timeArg(t)
}

// idArg returns id as a parameter: its canonical text, which both a uuid
// and a TEXT column take. Unlike crm.ID's Value it keeps the zero ID
// (the nil UUID) rather than NULL, so ID columns can be NOT NULL.
func idArg(id crm.ID) string { return id.String() }

// jsonArg encodes v as JSON text.
func jsonArg(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("sqlstore: encoding JSON column: %w", err)
	}
	return string(b), nil
}

// timeCol scans a time from either dialect's column (or NULL, the zero
// time) into UTC.
type timeCol struct{ dst *time.Time }

func (c timeCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.dst = time.Time{}
	case time.Time:
		*c.dst = v.UTC()
	case string:
		return c.parse(v)
	case []byte:
		return c.parse(string(v))
	default:
		return fmt.Errorf("sqlstore: cannot scan %T into a time", src)
	}
	return nil
}

func (c timeCol) parse(s string) error {
	t, err := time.Parse(sqliteTimeLayout, s)
	if err != nil {
		return fmt.Errorf("sqlstore: reading a time column: %w", err)
	}
	*c.dst = t
	return nil
}

// hashCol scans a 32-byte hash.
type hashCol struct{ dst *crm.Hash }

func (c hashCol) Scan(src any) error {
	b, ok := src.([]byte)
	if !ok || len(b) != len(c.dst) {
		return fmt.Errorf("sqlstore: cannot scan %T of %d bytes into a hash", src, len(b))
	}
	copy(c.dst[:], b)
	return nil
}

// jsonCol scans JSON text into dst.
type jsonCol struct{ dst any }

func (c jsonCol) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		return fmt.Errorf("sqlstore: cannot scan %T into a JSON column", src)
	}
	if err := json.Unmarshal(b, c.dst); err != nil {
		return fmt.Errorf("sqlstore: decoding JSON column: %w", err)
	}
	return nil
}

// rawCol scans text into raw bytes, copied; NULL is nil.
type rawCol struct{ dst *json.RawMessage }

func (c rawCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.dst = nil
	case string:
		*c.dst = json.RawMessage(v)
	case []byte:
		*c.dst = append(json.RawMessage{}, v...)
	default:
		return fmt.Errorf("sqlstore: cannot scan %T into event data", src)
	}
	return nil
}

// rawArg returns data as a text parameter, or NULL for nil.
func rawArg(data json.RawMessage) any {
	if data == nil {
		return nil
	}
	return string(data)
}

// micros returns d in whole microseconds, the unit durations are stored
// in; what is below a microsecond is dropped, as for times.
func micros(d time.Duration) int64 { return d.Microseconds() }

// duration is the inverse of micros.
func duration(us int64) time.Duration { return time.Duration(us) * time.Microsecond }

// unixMicros returns t as microseconds since the Unix epoch, rounded down:
// the at_us columns.
func unixMicros(t time.Time) int64 { return t.UnixMicro() }

// ceilMicro returns the first whole microsecond at or after t. A stored
// time s, in whole microseconds, is at or after t exactly when it is at or
// after ceilMicro(t), and before t exactly when it is before ceilMicro(t).
func ceilMicro(t time.Time) time.Time {
	down := t.Truncate(time.Microsecond)
	if down.Before(t) {
		return down.Add(time.Microsecond)
	}
	return down
}

// flag returns b as the 0 or 1 of the integer flag columns.
func flag(b bool) int {
	if b {
		return 1
	}
	return 0
}

// optionalIntArg returns *p, or NULL for nil.
func optionalIntArg(p *int) any {
	if p == nil {
		return nil
	}
	return int64(*p)
}

// durationCol scans microseconds into a duration.
type durationCol struct{ dst *time.Duration }

func (c durationCol) Scan(src any) error {
	var n sql.NullInt64
	if err := n.Scan(src); err != nil {
		return fmt.Errorf("sqlstore: reading a duration column: %w", err)
	}
	*c.dst = duration(n.Int64)
	return nil
}

// optionalIntCol scans a nullable integer into a pointer that is nil for
// NULL.
type optionalIntCol struct{ dst **int }

func (c optionalIntCol) Scan(src any) error {
	var n sql.NullInt64
	if err := n.Scan(src); err != nil {
		return fmt.Errorf("sqlstore: reading an integer column: %w", err)
	}
	*c.dst = nil
	if n.Valid {
		v := int(n.Int64)
		*c.dst = &v
	}
	return nil
}

// convert maps a slice element by element, keeping nil apart from empty
// so that both round-trip through a JSON column.
func convert[A, B any](in []A, f func(A) B) []B {
	if in == nil {
		return nil
	}
	out := make([]B, len(in))
	for i, a := range in {
		out[i] = f(a)
	}
	return out
}

// docsCol scans a JSON array of stored documents D into a []T; null
// gives nil.
type docsCol[D, T any] struct {
	dst  *[]T
	from func(D) T
}

func (c docsCol[D, T]) Scan(src any) error {
	var docs []D
	if err := (jsonCol{&docs}).Scan(src); err != nil {
		return err
	}
	*c.dst = convert(docs, c.from)
	return nil
}
