package crm

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/crmkit/crm/internal/wide"
	"github.com/shopspring/decimal"
)

// ForecastPeriod is the period a forecast's lines group by.
type ForecastPeriod string

// The forecast periods: calendar months, or the fiscal quarters or years
// of the business calendar.
const (
	ForecastByMonth         ForecastPeriod = "month"
	ForecastByFiscalQuarter ForecastPeriod = "fiscal_quarter"
	ForecastByFiscalYear    ForecastPeriod = "fiscal_year"
)

// ForecastOptions say how Pipeline.ForecastWith groups the rows: by By
// ("" is by month) of Calendar, and, when Today is set, with the open
// deals expected in a period before Today's in an overdue line of their
// own.
type ForecastOptions struct {
	Calendar Calendar       `json:"-"`
	Today    Date           `json:"today,omitzero"`
	By       ForecastPeriod `json:"by,omitempty"`
}

func (o ForecastOptions) check() error {
	switch o.By {
	case "", ForecastByMonth, ForecastByFiscalQuarter, ForecastByFiscalYear:
		return nil
	}
	return invalid("by", "one_of", fmt.Sprintf("%q is not month, fiscal_quarter or fiscal_year", o.By))
}

// period names the period of the first day of a month, as o groups.
func (o ForecastOptions) period(d Date) string {
	switch o.By {
	case ForecastByFiscalQuarter:
		return o.Calendar.Period(d)
	case ForecastByFiscalYear:
		return FiscalPeriod{Year: o.Calendar.FiscalYear(d)}.String()
	}
	return Month(d)
}

// monthDate reads a row's month, "2026-03", as its first day.
func monthDate(m string) (Date, bool) {
	if len(m) != 7 || m[4] != '-' {
		return Date{}, false
	}
	y, err1 := strconv.Atoi(m[:4])
	mo, err2 := strconv.Atoi(m[5:])
	d := Date{Year: y, Month: time.Month(mo), Day: 1}
	return d, err1 == nil && err2 == nil && d.IsValid()
}

// ForecastWith turns forecast rows into lines by period and category:
// the overdue line first, then the open deals without a close date, then
// the periods in order, each by category in the order pipeline, best
// case, commit, closed. An open deal expected in a period before the one
// o.Today is in counts in the overdue line (a deal expected earlier in
// the current period stays in it: the rows are by month).
func (p Pipeline) ForecastWith(rows []ForecastAmount, o ForecastOptions) []ForecastLine {
	type key struct {
		overdue bool
		period  string
		month   string
		cat     ForecastCategory
	}
	amount := map[key]*wide.Int{}
	weighted := map[key]decimal.Decimal{}
	deals := map[key]int64{}
	var keys []key
	starts := map[string]Date{} // the first month of each period seen
	current := ""
	if !o.Today.IsZero() {
		current = o.period(Date{Year: o.Today.Year, Month: o.Today.Month, Day: 1})
	}
	for _, r := range rows {
		s, ok := p.Stage(r.Stage)
		if !ok {
			continue
		}
		cat := s.Category
		if r.Category != "" && r.Status == DealOpen {
			cat = r.Category
		}
		k := key{cat: cat}
		if d, ok := monthDate(r.Month); ok {
			k.period = o.period(d)
			if first, ok := starts[k.period]; !ok || d.Before(first) {
				starts[k.period] = d
			}
			if o.By == "" || o.By == ForecastByMonth {
				k.month = r.Month
			}
			if current != "" && r.Status == DealOpen && k.period != current && d.Before(o.Today) {
				k = key{overdue: true, cat: cat}
			}
		}
		if _, seen := deals[k]; !seen {
			keys = append(keys, k)
			weighted[k] = decimal.Zero
			amount[k] = new(wide.Int)
		}
		deals[k] += r.Deals
		amount[k].Add(r.AmountMinor)
		weighted[k] = weighted[k].Add(weigh(r.AmountMinor, r.Probability))
	}
	order := []ForecastCategory{ForecastPipeline, ForecastBestCase, ForecastCommit, ForecastClosed, ForecastOmitted}
	slices.SortFunc(keys, func(a, b key) int {
		if a.overdue != b.overdue {
			if a.overdue {
				return -1
			}
			return 1
		}
		return cmp.Or(starts[a.period].Compare(starts[b.period]), cmp.Compare(slices.Index(order, a.cat), slices.Index(order, b.cat)))
	})
	out := make([]ForecastLine, 0, len(keys))
	for _, k := range keys {
		out = append(out, ForecastLine{Month: k.month, Period: k.period, Overdue: k.overdue, Category: k.cat, Deals: deals[k],
			Amount: moneyOf(*amount[k], p.Currency), Weighted: MoneyFromBigMinor(weighted[k].RoundBank(0).BigInt(), p.Currency)})
	}
	return out
}
