package crm

import (
	"fmt"
	"regexp"
	"strconv"
)

// FiscalPeriod is a fiscal year of the business calendar, or a quarter of
// one: "FY2027" or "FY2027-Q1". Years are named as Calendar.FiscalYear
// names them, by the calendar year they end in.
type FiscalPeriod struct {
	Year    int // the fiscal year, 1-9999
	Quarter int // 1-4, or 0 for the whole year
}

var fiscalPeriodText = regexp.MustCompile(`^FY([0-9]{4})(?:-Q([1-4]))?$`)

// ParseFiscalPeriod reads "FY2027" or "FY2027-Q1".
func ParseFiscalPeriod(s string) (FiscalPeriod, error) {
	m := fiscalPeriodText.FindStringSubmatch(s)
	if m == nil {
		return FiscalPeriod{}, invalid("period", "fiscal_period", fmt.Sprintf("%q is not FY<year> or FY<year>-Q<1-4>", truncate(s, 40)))
	}
	var p FiscalPeriod
	p.Year, _ = strconv.Atoi(m[1])
	if m[2] != "" {
		p.Quarter, _ = strconv.Atoi(m[2])
	}
	return p, p.check()
}

// IsZero reports whether p is the zero period, no period at all.
func (p FiscalPeriod) IsZero() bool { return p == FiscalPeriod{} }

func (p FiscalPeriod) check() error {
	if p.Year < 1 || p.Year > 9999 || p.Quarter < 0 || p.Quarter > 4 {
		return invalid("period", "fiscal_period", fmt.Sprintf("year %d, quarter %d is not a fiscal period", p.Year, p.Quarter))
	}
	return nil
}

// String returns "FY2027" or "FY2027-Q1"; "" for the zero period.
func (p FiscalPeriod) String() string {
	switch {
	case p.IsZero():
		return ""
	case p.Quarter == 0:
		return fmt.Sprintf("FY%04d", p.Year)
	}
	return fmt.Sprintf("FY%04d-Q%d", p.Year, p.Quarter)
}

// MarshalText implements encoding.TextMarshaler.
func (p FiscalPeriod) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler; "" is the zero
// period.
func (p *FiscalPeriod) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*p = FiscalPeriod{}
		return nil
	}
	v, err := ParseFiscalPeriod(string(b))
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// Dates returns the first day of the fiscal period p and the first day
// after it, by the calendar's fiscal year start.
func (cal Calendar) Dates(p FiscalPeriod) (first, end Date) {
	first = cal.FiscalYearBegins(p.Year)
	if p.Quarter == 0 {
		return first, first.AddMonths(12)
	}
	first = first.AddMonths(3 * (p.Quarter - 1))
	return first, first.AddMonths(3)
}

// QuarterOf returns the fiscal quarter d falls in.
func (cal Calendar) QuarterOf(d Date) FiscalPeriod {
	return FiscalPeriod{Year: cal.FiscalYear(d), Quarter: cal.Quarter(d)}
}
