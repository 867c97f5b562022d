package sqlstore

import (
	"database/sql"
	"fmt"
	"time"

	"github.com/crmkit/crm"
)

// moneyArgs returns m as the two parameters of its columns: minor units
// and currency code. The zero Money, which has no currency, is 0 and "";
// any other amount must be exact in minor units and fit in 64 bits (see
// MoneyColumns).
func moneyArgs(field string, m crm.Money) (minor int64, currency string, err error) {
	if m.Currency().IsZero() && m.IsZero() {
		return 0, "", nil
	}
	minor, currency, err = MoneyColumns(m)
	if err != nil {
		return 0, "", fmt.Errorf("sqlstore: %s: %w", field, err)
	}
	return minor, currency, nil
}

// moneyFrom is the inverse of moneyArgs: "" gives the zero Money.
func moneyFrom(minor int64, currency string) (crm.Money, error) {
	if currency == "" {
		return crm.Money{}, nil
	}
	return MoneyFromColumns(minor, currency)
}

// moneyCol scans an amount from its two columns: Minor takes the minor
// units, then moneyCol itself the currency code, and builds the Money.
// It relies on database/sql's Rows.Scan filling its destinations in
// column order, as it does.
type moneyCol struct {
	dst   *crm.Money
	Minor int64
}

// money returns the scan destination of an amount's two columns.
func money(dst *crm.Money) (minor *int64, currency *moneyCol) {
	c := &moneyCol{dst: dst}
	return &c.Minor, c
}

func (c *moneyCol) Scan(src any) error {
	var code string
	switch v := src.(type) {
	case string:
		code = v
	case []byte:
		code = string(v)
	default:
		return fmt.Errorf("sqlstore: cannot scan %T into a currency code", src)
	}
	m, err := moneyFrom(c.Minor, code)
	if err != nil {
		return err
	}
	*c.dst = m
	return nil
}

// dateArg returns d as a parameter of a date column: NULL for the zero
// Date, else "2006-01-02", which PostgreSQL's date and SQLite's text
// columns both take. A date that does not exist (February 30) or lies
// outside years 1 to 9999 is a *crm.ValidationError: PostgreSQL could not
// store it, and SQLite's text would not sort as the date does. Date
// columns scan back into a *crm.Date.
func dateArg(field string, d crm.Date) (any, error) {
	if err := checkDate(field, d); err != nil {
		return nil, err
	}
	if d.IsZero() {
		return nil, nil
	}
	return d.String(), nil
}

// checkDate refuses a non-zero date that does not exist.
func checkDate(field string, d crm.Date) error {
	if d.IsZero() || d.IsValid() {
		return nil
	}
	return &crm.ValidationError{Field: field, Rule: "calendar",
		Detail: fmt.Sprintf("%04d-%02d-%02d is not a date of years 1 to 9999", d.Year, int(d.Month), d.Day)}
}

// secondsPerDay converts between unix seconds and the day numbers of the
// forecast_day column.
const secondsPerDay = 24 * 60 * 60

// dayNumber returns the days from 1970-01-01 to d, negative before.
func dayNumber(d crm.Date) int64 { return floorDiv(d.In(time.UTC).Unix(), secondsPerDay) }

// firstDayFrom returns the number of the first day whose midnight, UTC,
// is at or after t: a day d is in [from, to) exactly when
// firstDayFrom(from) <= d < firstDayFrom(to).
func firstDayFrom(t time.Time) int64 {
	n := floorDiv(t.Unix(), secondsPerDay)
	if time.Unix(n*secondsPerDay, 0).Before(t) {
		n++
	}
	return n
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// exactSum sums an integer expression as two columns, the sums of its
// high 32 bits (an arithmetic shift) and of its low 32 bits, which cannot
// overflow over fewer than 2^31 rows; sumCol puts them back together. The
// total wraps around in 64 bits exactly as the reference implementations'
// int64 additions do, where a single SUM would fail with an overflow
// (SQLite) or a bigint out of range (PostgreSQL). Sums of minor units or
// microseconds fit in 64 bits for realistic data (9.2e18 cents, or
// 292,000 years of sales cycles), and then the two agree.
func exactSum(expr string) string {
	high, low := sumHalves(expr)
	return high + ", " + low
}

// sumHalves returns the two sums of an exactSum.
func sumHalves(expr string) (high, low string) {
	return total("(" + expr + ") >> 32"), total("(" + expr + ") & 4294967295")
}

// exactNonZero is a condition on the two sums of an exactSum (the sums
// themselves, not their names): whether their total is not zero in 64
// bits. With low = L1·2^32 + L0, where 0 <= L0 < 2^32, the total is
// (high + L1)·2^32 + L0, which wraps to zero exactly when L0 is zero and
// high + L1 is a multiple of 2^32; neither sum can overflow doing so.
func exactNonZero(high, low string) string {
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
	var low sql.NullInt64
	if err := low.Scan(src); err != nil {
		return fmt.Errorf("sqlstore: reading a sum: %w", err)
	}
	*c.dst = int64(uint64(c.High)<<32 + uint64(low.Int64))
	return nil
}
