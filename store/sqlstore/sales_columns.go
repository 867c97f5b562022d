package sqlstore

import (
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
	code, err := currencyCode(src)
	if err != nil {
		return err
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

// currencyCode reads a currency code column as a driver gives it.
func currencyCode(src any) (string, error) {
	switch v := src.(type) {
	case string:
		return v, nil
	case []byte:
		return string(v), nil
	}
	return "", fmt.Errorf("sqlstore: cannot scan %T into a currency code", src)
}
