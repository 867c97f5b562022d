package sqlstore

import (
	"context"
	"fmt"
	"math"
	"math/big"
	"strconv"
)

// sums writes the exact sums of one query: each sum is two columns that
// sumCol puts back together, and the total wraps around in 64 bits
// exactly as the reference implementations' int64 additions do. Sums of
// minor units or microseconds fit in 64 bits for realistic data (9.2e18
// cents, or 292,000 years of sales cycles).
//
// PostgreSQL adds up a bigint exactly, as numeric, in a single SUM as
// fast as any: there the high column is 0 and the low one the total,
// which sumCol wraps into 64 bits. SQLite's SUM fails with "integer
// overflow" instead, so there a query runs first with plain sums (high 0,
// low the SUM) and, only if SQLite reports that overflow, again with
// split ones, which add up the high 32 bits of the expression (an
// arithmetic shift) and its low 32 bits apart and cannot overflow over
// fewer than 2^31 rows (see aggregateSums).
type sums struct {
	dialect Dialect
	split   bool // SQLite only: add up the two halves of each value apart
}

// exact returns the two columns summing the integer expression expr.
func (s sums) exact(expr string) string {
	high, low := s.halves(expr)
	return high + ", " + low
}

// halves returns the two sums of exact.
func (s sums) halves(expr string) (high, low string) {
	switch {
	case s.dialect == PostgreSQL:
		return "0", "COALESCE(SUM(" + expr + "), 0)"
	case !s.split:
		return "0", total(expr)
	}
	return total("(" + expr + ") >> 32"), total("(" + expr + ") & 4294967295")
}

// merge returns the two sums of exact over rows that each hold one, in
// the columns high and low: the total of their totals.
func (s sums) merge(high, low string) (string, string) {
	if s.dialect == PostgreSQL || !s.split {
		return "0", s.dialect.plainTotal(low)
	}
	return total(high), total(low)
}

// plainTotal sums a column of totals: as numeric on PostgreSQL, as a
// 64-bit integer on SQLite.
func (d Dialect) plainTotal(col string) string {
	if d == PostgreSQL {
		return "COALESCE(SUM(" + col + "), 0)"
	}
	return total(col)
}

// nonZero is a condition on the two sums of exact (the sums themselves,
// not their names): whether their total is not zero in 64 bits. On
// PostgreSQL the total is low, a numeric; plain, it is low. Split, with
// low = L1·2^32 + L0, where 0 <= L0 < 2^32, the total is
// (high + L1)·2^32 + L0, which wraps to zero exactly when L0 is zero and
// high + L1 is a multiple of 2^32; neither sum can overflow doing so.
func (s sums) nonZero(high, low string) string {
	switch {
	case s.dialect == PostgreSQL:
		return "mod(" + low + ", 18446744073709551616) <> 0"
	case !s.split:
		return "(" + low + ") <> 0"
	}
	return "((" + low + ") & 4294967295) <> 0 OR (((" + high + ") + ((" + low + ") >> 32)) & 4294967295) <> 0"
}

// aggregateSums runs the aggregate query built with exact sums, as
// aggregate does: plain first, and split only if SQLite reports that a
// plain sum overflowed (see sums).
func aggregateSums[T any](ctx context.Context, t *txn, op string, build func(sums) string, args []any, dest func(*T) []any) ([]T, error) {
	out, err := aggregate(ctx, t, op, build(sums{dialect: t.s.dialect}), args, dest)
	if t.s.dialect.isSumOverflow(err) {
		return aggregate(ctx, t, op, build(sums{dialect: t.s.dialect, split: true}), args, dest)
	}
	return out, err
}

// sumCol scans the two columns of an exact sum: High takes the high sum,
// then sumCol itself the low one, and stores the total (the columns are
// scanned in order, as for moneyCol).
type sumCol struct {
	dst  *int64
	High int64
}

// exactTotal returns the scan destinations of an exact sum's two columns.
func exactTotal(dst *int64) (high *int64, low *sumCol) {
	c := &sumCol{dst: dst}
	return &c.High, c
}

func (c *sumCol) Scan(src any) error {
	var low uint64
	switch v := src.(type) {
	case int64:
		low = uint64(v)
	case string:
		return c.scanNumeric(v)
	case []byte:
		return c.scanNumeric(string(v))
	default:
		return fmt.Errorf("sqlstore: cannot scan %T into a sum", src)
	}
	*c.dst = int64(uint64(c.High)<<32 + low)
	return nil
}

// mask64 keeps the low 64 bits of an integer, in two's complement.
var mask64 = new(big.Int).SetUint64(math.MaxUint64)

// scanNumeric reads a sum PostgreSQL gives as numeric text, an integer of
// any size, and wraps it into 64 bits.
func (c *sumCol) scanNumeric(text string) error {
	if len(text) <= 18 { // fits in 63 bits: no big.Int
		if n, err := strconv.ParseInt(text, 10, 64); err == nil {
			*c.dst = int64(uint64(c.High)<<32 + uint64(n))
			return nil
		}
	}
	n, ok := new(big.Int).SetString(text, 10)
	if !ok {
		return fmt.Errorf("sqlstore: reading a sum: %q is not an integer", text)
	}
	*c.dst = int64(uint64(c.High)<<32 + new(big.Int).And(n, mask64).Uint64())
	return nil
}
