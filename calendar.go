package crm

import (
	"fmt"
	"time"
)

// Calendar is the company's business calendar: the time zone its days
// begin and end in, and the month its fiscal year starts. Every "today"
// the CRM uses (an invoice's issue date, a payment's day, a deal's close
// date, the day a report is as of) is the calendar's date at the clock's
// instant, and every month, quarter and fiscal year a report groups by is
// the calendar's. Instants are stored in UTC whatever the calendar.
//
// The zero Calendar is UTC with a fiscal year that starts in January.
type Calendar struct {
	Location        *time.Location `json:"-"`                           // nil is UTC
	FiscalYearStart time.Month     `json:"fiscal_year_start,omitempty"` // 0 is January
}

// WithCalendar sets the business calendar (default: UTC, the fiscal
// year starting in January).
func WithCalendar(cal Calendar) Option { return func(o *options) { o.calendar = &cal } }

// check refuses a fiscal year start that is not a month.
func (cal Calendar) check() error {
	if cal.FiscalYearStart < 0 || cal.FiscalYearStart > time.December {
		return invalid("fiscal_year_start", "month", fmt.Sprintf("%d is not a month", cal.FiscalYearStart))
	}
	return nil
}

// Loc returns the calendar's time zone, UTC when none is set.
func (cal Calendar) Loc() *time.Location {
	if cal.Location == nil {
		return time.UTC
	}
	return cal.Location
}

// DateOf returns the business day t falls on: 08:30 on 1 April in Tokyo
// is 1 April, although it is still 31 March in UTC.
func (cal Calendar) DateOf(t time.Time) Date { return DateOf(t.In(cal.Loc())) }

// Start returns the instant the business day d begins.
func (cal Calendar) Start(d Date) time.Time { return d.In(cal.Loc()) }

// fiscalStart is the month the fiscal year starts, January for zero.
func (cal Calendar) fiscalStart() time.Month { return max(cal.FiscalYearStart, time.January) }

// FiscalYear returns the fiscal year d falls in, named by the calendar
// year it ends in (a year that starts in April 2026 is fiscal 2027), as
// most companies whose year does not start in January name it; with a
// January start it is the calendar year.
func (cal Calendar) FiscalYear(d Date) int {
	if cal.fiscalStart() == time.January || d.Month < cal.fiscalStart() {
		return d.Year
	}
	return d.Year + 1
}

// FiscalYearBegins returns the first day of fiscal year fy.
func (cal Calendar) FiscalYearBegins(fy int) Date {
	if cal.fiscalStart() == time.January {
		return Date{Year: fy, Month: time.January, Day: 1}
	}
	return Date{Year: fy - 1, Month: cal.fiscalStart(), Day: 1}
}

// Quarter returns the fiscal quarter d falls in, 1 to 4, counted from the
// fiscal year's start.
func (cal Calendar) Quarter(d Date) int {
	months := (int(d.Month) - int(cal.fiscalStart()) + 12) % 12
	return months/3 + 1
}

// Period names the fiscal quarter d falls in, "FY2027-Q1".
func (cal Calendar) Period(d Date) string {
	return fmt.Sprintf("FY%04d-Q%d", cal.FiscalYear(d), cal.Quarter(d))
}

// Month names the calendar month d falls in, "2026-04".
func Month(d Date) string { return fmt.Sprintf("%04d-%02d", d.Year, int(d.Month)) }
