package crm

import (
	"cmp"
	"database/sql/driver"
	"fmt"
	"math"
	"time"
)

// Date is a civil date with no time of day and no time zone: a due date,
// a contract's start, anything counted in days. The zero value is no date.
// Make one with NewDate(2026, time.March, 31), which refuses a day that
// does not exist, ParseDate("2026-03-31"), or DateOf(t) for the day of a
// time (Calendar.DateOf for the day in the company's time zone).
type Date struct {
	Year  int        `json:"year"`
	Month time.Month `json:"month"`
	Day   int        `json:"day"`
}

// NewDate returns the date, or a ValidationError when it does not exist
// (February 30) or lies outside years 1 to 9999.
func NewDate(year int, month time.Month, day int) (Date, error) {
	d := Date{Year: year, Month: month, Day: day}
	if !d.IsValid() {
		return Date{}, invalid("date", "calendar", fmt.Sprintf("%04d-%02d-%02d does not exist", year, int(month), day))
	}
	return d, nil
}

// DateOf returns the date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// ParseDate parses "2006-01-02".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, invalid("date", "format", fmt.Sprintf("%q is not YYYY-MM-DD", truncate(s, 40)))
	}
	if d := DateOf(t); d.IsValid() {
		return d, nil
	}
	return Date{}, invalid("date", "range", fmt.Sprintf("%q is not in years 1 to 9999", truncate(s, 40)))
}

// IsValid reports whether d is a real calendar date in years 1 to 9999.
func (d Date) IsValid() bool {
	if d.Year < 1 || d.Year > 9999 || !d.monthly() {
		return false
	}
	return dateOfDay(d.dayNumber()) == d
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

func (d Date) t() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// In returns the first instant of d in loc.
func (d Date) In(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// AddDays returns d moved by n days.
func (d Date) AddDays(n int) Date {
	if !d.monthly() {
		return DateOf(d.t().AddDate(0, 0, n))
	}
	return dateOfDay(d.dayNumber() + int64(n))
}

// monthly reports whether d's month is one of the twelve, so that its
// day number is counted in integers (a day past the month's end counts
// on into the next, as time.Date normalizes it).
func (d Date) monthly() bool { return d.Month >= time.January && d.Month <= time.December }

// dayNumber counts the days from 1 January 1970 to d, in the proleptic
// Gregorian calendar, in integers (H. Hinnant's days_from_civil). d's
// month is one of the twelve.
func (d Date) dayNumber() int64 {
	y, m := int64(d.Year), int64(d.Month)
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12 // March is 0
	doy := (153*mp+2)/5 + int64(d.Day) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// dateOfDay is the date of the day numbered n from 1 January 1970
// (civil_from_days), in integers.
func dateOfDay(n int64) Date {
	z := n + 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	day := doy - (153*mp+2)/5 + 1
	month := (mp+2)%12 + 1
	year := yoe + era*400
	if month <= 2 {
		year++
	}
	return Date{Year: int(year), Month: time.Month(month), Day: int(day)}
}

// AddMonths returns d moved by n months; a day past the end of the target
// month is clamped to its last day (January 31 plus one month is February
// 28 or 29), as payment schedules expect.
func (d Date) AddMonths(n int) Date {
	first := time.Date(d.Year, d.Month, 1, 0, 0, 0, 0, time.UTC).AddDate(0, n, 0)
	last := first.AddDate(0, 1, -1).Day()
	day := d.Day
	if day > last {
		day = last
	}
	return Date{Year: first.Year(), Month: first.Month(), Day: day}
}

// DaysSince returns the number of days from o to d (positive when d is
// later).
func (d Date) DaysSince(o Date) int {
	if !d.monthly() || !o.monthly() {
		return int(d.t().Sub(o.t()).Hours() / 24)
	}
	// As time.Time.Sub, the span saturates at about 292 years (the
	// stores' aging matches that).
	const most = int64(math.MaxInt64 / (24 * time.Hour))
	return int(min(max(d.dayNumber()-o.dayNumber(), -most), most))
}

// Compare returns -1, 0 or 1 as d is before, equal to or after o.
func (d Date) Compare(o Date) int {
	if !d.monthly() || !o.monthly() {
		return d.t().Compare(o.t())
	}
	return cmp.Compare(d.dayNumber(), o.dayNumber())
}

// Before reports whether d is before o.
func (d Date) Before(o Date) bool { return d.Compare(o) < 0 }

// After reports whether d is after o.
func (d Date) After(o Date) bool { return d.Compare(o) > 0 }

// later returns the later of two dates.
func later(a, b Date) Date {
	if b.After(a) {
		return b
	}
	return a
}

// String returns "2006-01-02", or "" for the zero Date.
func (d Date) String() string {
	var buf [10]byte
	return string(d.appendTo(buf[:0]))
}

// appendTo appends d as "2006-01-02", or nothing for the zero Date.
func (d Date) appendTo(b []byte) []byte {
	switch {
	case d.IsZero():
		return b
	case d.Year < 0 || d.Year > 9999 || d.Month < 0 || d.Month > 99 || d.Day < 0 || d.Day > 99:
		return fmt.Appendf(b, "%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
	}
	y, m, day := d.Year, int(d.Month), d.Day
	return append(b, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+m/10), byte('0'+m%10), '-', byte('0'+day/10), byte('0'+day%10))
}

// MarshalText encodes as "2006-01-02".
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText parses "2006-01-02"; "" gives the zero Date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Value implements driver.Valuer as "2006-01-02", or NULL for the zero
// Date.
func (d Date) Value() (driver.Value, error) {
	if d.IsZero() {
		return nil, nil
	}
	return d.String(), nil
}

// Scan implements sql.Scanner from text, a time.Time, or NULL.
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = Date{}
		return nil
	case time.Time:
		*d = DateOf(v)
		return nil
	case string:
		return d.UnmarshalText([]byte(v))
	case []byte:
		return d.UnmarshalText(v)
	}
	return fmt.Errorf("crm: cannot scan %T into Date: %w", src, ErrInvalid)
}
