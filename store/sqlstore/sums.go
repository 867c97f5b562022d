package sqlstore

import (
	"fmt"
	"math"
	"math/big"
)

// exactSum sums an integer expression exactly, as two columns that
// sumCol puts back together: the total wraps around in 64 bits exactly as
// the reference implementations' int64 additions do, where a single SUM
// would fail with an overflow (SQLite) or a bigint out of range
// (PostgreSQL). Sums of minor units or microseconds fit in 64 bits for
// realistic data (9.2e18 cents, or 292,000 years of sales cycles), and
// then the two agree.
func (d Dialect) exactSum(expr string) string {
	high, low := d.sumHalves(expr)
	return high + ", " + low
}

// sumHalves returns the two sums of an exactSum. SQLite adds up the high
// 32 bits of the expression (an arithmetic shift) and its low 32 bits
// apart, sums that cannot overflow over fewer than 2^31 rows. PostgreSQL
// adds up a bigint exactly, as numeric, in a single SUM as fast as the
// plain one: there the high sum is 0 and the low one the total, which
// sumCol wraps into 64 bits.
func (d Dialect) sumHalves(expr string) (high, low string) {
	if d == PostgreSQL {
		return "0", "COALESCE(SUM(" + expr + "), 0)"
	}
	return total("(" + expr + ") >> 32"), total("(" + expr + ") & 4294967295")
}

// mergeHalves returns the two sums of an exactSum over rows that each
// hold one, in the columns high and low: the total of their totals.
func (d Dialect) mergeHalves(high, low string) (string, string) {
	if d == PostgreSQL {
		return "0", "COALESCE(SUM(" + low + "), 0)"
	}
	return total(high), total(low)
}

// exactNonZero is a condition on the two sums of an exactSum (the sums
// themselves, not their names): whether their total is not zero in 64
// bits. On SQLite, with low = L1·2^32 + L0, where 0 <= L0 < 2^32, the
// total is (high + L1)·2^32 + L0, which wraps to zero exactly when L0 is
// zero and high + L1 is a multiple of 2^32; neither sum can overflow doing
// so. On PostgreSQL the total is low, a numeric.
func (d Dialect) exactNonZero(high, low string) string {
	if d == PostgreSQL {
		return "mod(" + low + ", 18446744073709551616) <> 0"
	}
	return "((" + low + ") & 4294967295) <> 0 OR (((" + high + ") + ((" + low + ") >> 32)) & 4294967295) <> 0"
}

// sumCol scans the two columns of an exactSum: High takes the high sum,
// then sumCol itself the low one, and stores the total (the columns are
// scanned in order, as for moneyCol).
type sumCol struct {
	dst  *int64
	High int64
}

// exactTotal returns the scan destinations of an exactSum's two columns.
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
	n, ok := new(big.Int).SetString(text, 10)
	if !ok {
		return fmt.Errorf("sqlstore: reading a sum: %q is not an integer", text)
	}
	*c.dst = int64(uint64(c.High)<<32 + new(big.Int).And(n, mask64).Uint64())
	return nil
}
