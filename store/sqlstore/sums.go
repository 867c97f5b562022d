package sqlstore

import (
	"context"
	"fmt"
	"math/big"
	"strconv"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/wide"
	"github.com/shopspring/decimal"
)

// sums writes the exact sums of one query: each sum is two columns that
// a sumCol puts back together into the exact total, never wrapped around
// in 64 bits. A total handed over as crm.Money (an open item, a balance)
// is kept whatever its size, as storekit keeps it; one handed over as an
// int64 (aging, revenue, the sales rows) is scanned when it fits, and is
// a *crm.OverflowError when it does not, as storekit's is.
//
// PostgreSQL adds up a bigint exactly, as numeric, in a single SUM as
// fast as any: there the high column is 0 and the low one the total, read
// from its text without truncation. SQLite's SUM fails with "integer
// overflow" instead, even when only a running total on the way leaves 64
// bits, so there a query runs first with plain sums (high 0, low the SUM)
// and, only if SQLite reports that overflow, again with split ones, which
// add up the high 32 bits of the expression (an arithmetic shift) and its
// low 32 bits apart and cannot overflow over fewer than 2^31 rows (see
// aggregateSums); the total is high·2^32 + low.
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
// not their names): whether their exact total is not zero. On PostgreSQL
// the total is low, a numeric; plain, it is low. Split, with
// low = L1·2^32 + L0, where 0 <= L0 < 2^32 (low adds up values that are
// not negative), the total is (high + L1)·2^32 + L0, which is zero
// exactly when L0 and high + L1 are; neither sum can overflow doing so.
func (s sums) nonZero(high, low string) string {
	if s.dialect == PostgreSQL || !s.split {
		return "(" + low + ") <> 0"
	}
	return "((" + low + ") & 4294967295) <> 0 OR ((" + high + ") + ((" + low + ") >> 32)) <> 0"
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
// then sumCol itself the low one, and puts the exact total together (the
// columns are scanned in order, as for moneyCol).
type sumCol struct {
	High  int64
	total wide.Int
}

func (c *sumCol) Scan(src any) error {
	switch v := src.(type) {
	case int64:
		c.total = wide.Halves(c.High, v)
		return nil
	case string:
		return c.scanNumeric(v)
	case []byte:
		return c.scanNumeric(string(v))
	}
	return fmt.Errorf("sqlstore: cannot scan %T into a sum", src)
}

// scanNumeric reads a sum PostgreSQL gives as numeric text, an integer of
// any size, without truncating it.
func (c *sumCol) scanNumeric(text string) error {
	if len(text) <= 18 { // fits in 63 bits: no big.Int
		if n, err := strconv.ParseInt(text, 10, 64); err == nil {
			c.total = wide.Halves(c.High, n)
			return nil
		}
	}
	n, ok := new(big.Int).SetString(text, 10)
	if !ok {
		return fmt.Errorf("sqlstore: reading a sum: %q is not an integer", text)
	}
	x, ok := wide.FromBig(n)
	if !ok || c.High != 0 {
		// Beyond 128 bits, which no sum of bigints reaches, or with a high
		// sum, which PostgreSQL never has: no total to show.
		return &crm.OverflowError{Field: "sum", Minor: decimal.NewFromBigInt(n, 0)}
	}
	c.total = x
	return nil
}

// intSum is a sumCol whose total is handed over as an int64: Scan fails
// with a *crm.OverflowError naming field when it does not fit. A negated
// one stores the total negated, checked as such.
type intSum struct {
	sumCol
	dst   *int64
	field string
	neg   bool
}

// exactTotal returns the scan destinations of an exact sum's two columns
// whose total goes to dst, field naming it in an overflow.
func exactTotal(dst *int64, field string) (high *int64, low *intSum) {
	c := &intSum{dst: dst, field: field}
	return &c.High, c
}

// negatedTotal is exactTotal storing the total negated.
func negatedTotal(dst *int64, field string) (high *int64, low *intSum) {
	high, low = exactTotal(dst, field)
	low.neg = true
	return high, low
}

func (c *intSum) Scan(src any) error {
	if err := c.sumCol.Scan(src); err != nil {
		return err
	}
	x := c.total
	if c.neg {
		x = x.Neg()
	}
	v, ok := x.Int64()
	if !ok {
		return &crm.OverflowError{Field: c.field, Minor: decimal.NewFromBigInt(x.Big(), 0)}
	}
	*c.dst = v
	return nil
}

// moneySum scans an exact sum of minor units and then its currency code
// into a crm.Money, exact whatever its size: the columns high, low and
// currency, in that order.
type moneySum struct {
	sumCol
	dst *crm.Money
}

// exactMoney returns the scan destinations of an exact sum's two columns
// and of its currency's, whose amount goes to dst.
func exactMoney(dst *crm.Money) (high *int64, low *sumCol, currency *moneySum) {
	c := &moneySum{dst: dst}
	return &c.High, &c.sumCol, c
}

func (c *moneySum) Scan(src any) error {
	code, err := currencyCode(src)
	if err != nil {
		return err
	}
	if v, ok := c.total.Int64(); ok {
		m, err := MoneyFromColumns(v, code)
		*c.dst = m
		return err
	}
	cur, err := crm.ParseCurrency(code)
	if err != nil {
		return fmt.Errorf("sqlstore: reading money: %w", err)
	}
	*c.dst = crm.MoneyFromBigMinor(c.total.Big(), cur)
	return nil
}
