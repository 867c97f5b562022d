package storekit

import (
	"cmp"
	"fmt"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/rows"
)

// AggregateStageAmounts groups the open deals by stage and probability.
func AggregateStageAmounts(deals []crm.Deal, q crm.SalesQuery) []crm.StageAmount {
	return aggregateSales(deals, q).StageAmounts()
}

// AggregateForecast groups open and won deals by month, stage,
// probability and status.
func AggregateForecast(deals []crm.Deal, q crm.SalesQuery) []crm.ForecastAmount {
	return aggregateSales(deals, q).Forecast()
}

// AggregateCohort counts the deals created in the range by how far they
// got and their status.
func AggregateCohort(deals []crm.Deal, q crm.SalesQuery) []crm.CohortCount {
	return aggregateSales(deals, q).Cohort()
}

// AggregateOutcomes counts the deals closed in the range by status and
// lost reason.
func AggregateOutcomes(deals []crm.Deal, q crm.SalesQuery) []crm.OutcomeCount {
	return aggregateSales(deals, q).Outcomes()
}

// AggregateStageTimes adds up the stage visits that ended in the range.
func AggregateStageTimes(deals []crm.Deal, q crm.SalesQuery) []crm.StageTime {
	return aggregateSales(deals, q).StageTimes()
}

func aggregateSales(deals []crm.Deal, q crm.SalesQuery) *SalesAggregator {
	return feed(NewSalesAggregator(q), deals)
}

// SalesAggregator adds up every kind of sales row in one pass over the
// deals, for adapters that stream their rows instead of collecting them.
type SalesAggregator struct {
	q        crm.SalesQuery
	stages   map[crm.StageAmount]*crm.StageAmount
	forecast map[forecastKey]*crm.ForecastAmount
	cohort   map[crm.CohortCount]*crm.CohortCount
	outcomes map[crm.OutcomeCount]*crm.OutcomeCount
	times    map[string]*crm.StageTime
}

// NewSalesAggregator starts an empty aggregation for q.
func NewSalesAggregator(q crm.SalesQuery) *SalesAggregator {
	return &SalesAggregator{q: q, stages: map[crm.StageAmount]*crm.StageAmount{}, forecast: map[forecastKey]*crm.ForecastAmount{},
		cohort: map[crm.CohortCount]*crm.CohortCount{}, outcomes: map[crm.OutcomeCount]*crm.OutcomeCount{}, times: map[string]*crm.StageTime{}}
}

// Add counts the deal in every row it belongs to.
func (a *SalesAggregator) Add(d *crm.Deal) {
	q := a.q
	if !q.Match(*d) {
		return
	}
	minor := minorOf(d.Amount)
	if d.Status == crm.DealOpen {
		k := crm.StageAmount{Stage: d.Stage, Probability: d.Probability}
		r := rows.Get(a.stages, k, func() *crm.StageAmount { fresh := k; return &fresh })
		r.Deals++
		r.AmountMinor += minor
	}
	if month, ok := forecastMonth(d, q); ok {
		k := forecastKey{month: month, stage: d.Stage, probability: d.Probability, status: d.Status}
		r := rows.Get(a.forecast, k, func() *crm.ForecastAmount {
			return &crm.ForecastAmount{Month: monthText(month), Stage: d.Stage, Probability: d.Probability, Status: d.Status}
		})
		r.Deals++
		r.AmountMinor += minor
	}
	if inRange(q.From, q.To, d.CreatedAt) {
		k := crm.CohortCount{Furthest: d.Furthest, Status: d.Status}
		r := rows.Get(a.cohort, k, func() *crm.CohortCount { fresh := k; return &fresh })
		r.Deals++
		r.AmountMinor += minor
	}
	if d.Status != crm.DealOpen && inRange(q.From, q.To, d.ClosedAt) {
		k := crm.OutcomeCount{Status: d.Status, LostReason: d.LostReason}
		r := rows.Get(a.outcomes, k, func() *crm.OutcomeCount { fresh := k; return &fresh })
		r.Deals++
		r.AmountMinor += minor
		r.CycleMicros += d.ClosedAt.Sub(d.CreatedAt).Microseconds()
	}
	for _, v := range d.History {
		if v.Left.IsZero() || !inRange(q.From, q.To, v.Left) {
			continue
		}
		r := rows.Get(a.times, v.Stage, func() *crm.StageTime { return &crm.StageTime{Stage: v.Stage} })
		r.Visits++
		r.Micros += v.Left.Sub(v.Entered).Microseconds()
	}
}

// forecastKey groups forecast rows, with the month as year*100+month (0
// for none) so that grouping formats nothing.
type forecastKey struct {
	month       int
	stage       string
	probability int
	status      crm.DealStatus
}

// forecastMonth is the month a deal counts in the forecast, as
// year*100+month or 0 for none, and whether it counts in the query's
// range at all.
func forecastMonth(d *crm.Deal, q crm.SalesQuery) (int, bool) {
	day, ok := d.ForecastDate()
	switch {
	case !ok:
		return 0, false
	case day.IsZero():
		return 0, q.From.IsZero() && q.To.IsZero()
	case !inRange(q.From, q.To, day.In(time.UTC)):
		return 0, false
	}
	return day.Year*100 + int(day.Month), true
}

func monthText(m int) string {
	if m == 0 {
		return ""
	}
	return fmt.Sprintf("%04d-%02d", m/100, m%100)
}

// StageAmounts returns the open deals by stage and probability.
func (a *SalesAggregator) StageAmounts() []crm.StageAmount {
	return rows.Sorted(a.stages, func(x, y crm.StageAmount) int {
		return cmp.Or(cmp.Compare(x.Stage, y.Stage), cmp.Compare(x.Probability, y.Probability))
	})
}

// Forecast returns the forecast rows.
func (a *SalesAggregator) Forecast() []crm.ForecastAmount {
	return rows.Sorted(a.forecast, func(x, y crm.ForecastAmount) int {
		return cmp.Or(cmp.Compare(x.Month, y.Month), cmp.Compare(x.Stage, y.Stage),
			cmp.Compare(x.Probability, y.Probability), cmp.Compare(x.Status, y.Status))
	})
}

// Cohort returns the cohort rows.
func (a *SalesAggregator) Cohort() []crm.CohortCount {
	return rows.Sorted(a.cohort, func(x, y crm.CohortCount) int {
		return cmp.Or(cmp.Compare(x.Furthest, y.Furthest), cmp.Compare(x.Status, y.Status))
	})
}

// Outcomes returns the outcome rows.
func (a *SalesAggregator) Outcomes() []crm.OutcomeCount { return sortOutcomes(a.outcomes) }

func sortOutcomes(acc map[crm.OutcomeCount]*crm.OutcomeCount) []crm.OutcomeCount {
	return rows.Sorted(acc, func(x, y crm.OutcomeCount) int {
		return cmp.Or(cmp.Compare(x.Status, y.Status), cmp.Compare(x.LostReason, y.LostReason))
	})
}

// StageTimes returns the stage-time rows.
func (a *SalesAggregator) StageTimes() []crm.StageTime {
	return rows.Sorted(a.times, func(x, y crm.StageTime) int { return cmp.Compare(x.Stage, y.Stage) })
}
