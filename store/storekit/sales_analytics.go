package storekit

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/rows"
	"github.com/crmkit/crm/internal/wide"
)

// AggregateStageAmounts groups the open deals by stage and probability.
func AggregateStageAmounts(deals []crm.Deal, q crm.SalesQuery) ([]crm.StageAmount, error) {
	return aggregateSales(deals, q).StageAmounts()
}

// AggregateForecast groups open and won deals by month, stage,
// probability and status.
func AggregateForecast(deals []crm.Deal, q crm.SalesQuery) ([]crm.ForecastAmount, error) {
	return aggregateSales(deals, q).Forecast()
}

// AggregateCohort counts the deals created in the range by how far they
// got and their status.
func AggregateCohort(deals []crm.Deal, q crm.SalesQuery) ([]crm.CohortCount, error) {
	return aggregateSales(deals, q).Cohort()
}

// AggregateOutcomes counts the deals closed in the range by status and
// lost reason.
func AggregateOutcomes(deals []crm.Deal, q crm.SalesQuery) ([]crm.OutcomeCount, error) {
	return aggregateSales(deals, q).Outcomes()
}

// AggregateStageTimes adds up the stage visits that ended in the range.
func AggregateStageTimes(deals []crm.Deal, q crm.SalesQuery) ([]crm.StageTime, error) {
	return aggregateSales(deals, q).StageTimes()
}

func aggregateSales(deals []crm.Deal, q crm.SalesQuery) *SalesAggregator {
	return feed(NewSalesAggregator(q), deals)
}

// SalesAggregator adds up every kind of sales row in one pass over the
// deals, for adapters that stream their rows instead of collecting them.
// Its sums of amounts and times are exact: a row whose sum does not fit
// in 64 bits makes the rows of its kind a *crm.OverflowError.
type SalesAggregator struct {
	q        crm.SalesQuery
	stages   map[crm.StageAmount]*summed[crm.StageAmount]
	forecast map[forecastKey]*summed[crm.ForecastAmount]
	cohort   map[crm.CohortCount]*summed[crm.CohortCount]
	outcomes map[crm.OutcomeCount]*summed[crm.OutcomeCount]
	times    map[string]*summed[crm.StageTime]
}

// summed is a row being added up with its two sums, amounts (or times)
// and, for outcomes, the sales cycles.
type summed[R any] struct {
	row  R
	sums [2]wide.Int
}

// row returns the row of k in acc, made with fresh, counted once more,
// with its sums added to.
func row[K comparable, R any](acc map[K]*summed[R], k K, fresh func() R, add ...int64) *R {
	s := rows.Get(acc, k, func() *summed[R] { return &summed[R]{row: fresh()} })
	for i, v := range add {
		s.sums[i].Add(v)
	}
	return &s.row
}

// NewSalesAggregator starts an empty aggregation for q.
func NewSalesAggregator(q crm.SalesQuery) *SalesAggregator {
	return &SalesAggregator{q: q, stages: map[crm.StageAmount]*summed[crm.StageAmount]{}, forecast: map[forecastKey]*summed[crm.ForecastAmount]{},
		cohort: map[crm.CohortCount]*summed[crm.CohortCount]{}, outcomes: map[crm.OutcomeCount]*summed[crm.OutcomeCount]{},
		times: map[string]*summed[crm.StageTime]{}}
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
		row(a.stages, k, func() crm.StageAmount { return k }, minor).Deals++
	}
	if month, ok := forecastMonth(d, q); ok {
		k := forecastKey{month: month, stage: d.Stage, probability: d.Probability, status: d.Status, category: d.ForecastCategory}
		row(a.forecast, k, func() crm.ForecastAmount {
			return crm.ForecastAmount{Month: monthText(month), Stage: d.Stage, Probability: d.Probability, Status: d.Status, Category: d.ForecastCategory}
		}, minor).Deals++
	}
	if inRange(q.From, q.To, d.CreatedAt) {
		k := crm.CohortCount{Furthest: d.Furthest, Status: d.Status}
		row(a.cohort, k, func() crm.CohortCount { return k }, minor).Deals++
	}
	if cycle, ok := closedIn(d, q.From, q.To); ok {
		k := crm.OutcomeCount{Status: d.Status, LostReason: d.LostReason}
		row(a.outcomes, k, func() crm.OutcomeCount { return k }, minor, cycle).Deals++
	}
	for _, v := range d.History {
		if v.Left.IsZero() || !inRange(q.From, q.To, v.Left) {
			continue
		}
		row(a.times, v.Stage, func() crm.StageTime { return crm.StageTime{Stage: v.Stage} }, v.Left.Sub(v.Entered).Microseconds()).Visits++
	}
}

// closedIn reports whether d closed in [from, to) by its business day
// (crm.Deal.ClosingAt, not the moment the close was recorded), with its
// sales cycle: the microseconds from its creation to then.
func closedIn(d *crm.Deal, from, to time.Time) (int64, bool) {
	at := d.ClosingAt()
	if d.Status == crm.DealOpen || !inRange(from, to, at) {
		return 0, false
	}
	return at.Sub(d.CreatedAt).Microseconds(), true
}

// finish returns the rows of acc with their sums set by set, which fails
// with a *crm.OverflowError for a sum that does not fit, sorted by order.
func finish[K comparable, R any](acc map[K]*summed[R], set func(r *R, sums [2]wide.Int) error, order func(a, b R) int) ([]R, error) {
	out := make([]R, 0, len(acc))
	for _, s := range acc {
		r := s.row
		if err := set(&r, s.sums); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	slices.SortFunc(out, order)
	return out, nil
}

// setFit sets *dst to the sum x, or fails with a *crm.OverflowError
// naming field when x does not fit in 64 bits.
func setFit(dst *int64, field string, x wide.Int) error {
	var err error
	*dst, err = fit(x, crm.OverflowError{Field: field})
	return err
}

// forecastKey groups forecast rows, with the month as year*100+month (0
// for none) so that grouping formats nothing.
type forecastKey struct {
	month       int
	stage       string
	probability int
	status      crm.DealStatus
	category    crm.ForecastCategory
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
func (a *SalesAggregator) StageAmounts() ([]crm.StageAmount, error) {
	return finish(a.stages, func(r *crm.StageAmount, s [2]wide.Int) error { return setFit(&r.AmountMinor, "amount_minor", s[0]) },
		func(x, y crm.StageAmount) int {
			return cmp.Or(cmp.Compare(x.Stage, y.Stage), cmp.Compare(x.Probability, y.Probability))
		})
}

// Forecast returns the forecast rows.
func (a *SalesAggregator) Forecast() ([]crm.ForecastAmount, error) {
	return finish(a.forecast, func(r *crm.ForecastAmount, s [2]wide.Int) error { return setFit(&r.AmountMinor, "amount_minor", s[0]) },
		func(x, y crm.ForecastAmount) int {
			return cmp.Or(cmp.Compare(x.Month, y.Month), cmp.Compare(x.Stage, y.Stage),
				cmp.Compare(x.Probability, y.Probability), cmp.Compare(x.Status, y.Status), cmp.Compare(x.Category, y.Category))
		})
}

// Cohort returns the cohort rows.
func (a *SalesAggregator) Cohort() ([]crm.CohortCount, error) {
	return finish(a.cohort, func(r *crm.CohortCount, s [2]wide.Int) error { return setFit(&r.AmountMinor, "amount_minor", s[0]) },
		func(x, y crm.CohortCount) int {
			return cmp.Or(cmp.Compare(x.Furthest, y.Furthest), cmp.Compare(x.Status, y.Status))
		})
}

// Outcomes returns the outcome rows.
func (a *SalesAggregator) Outcomes() ([]crm.OutcomeCount, error) {
	return finish(a.outcomes, func(r *crm.OutcomeCount, s [2]wide.Int) error {
		if err := setFit(&r.AmountMinor, "amount_minor", s[0]); err != nil {
			return err
		}
		return setFit(&r.CycleMicros, "cycle_micros", s[1])
	}, compareOutcomes)
}

func compareOutcomes(x, y crm.OutcomeCount) int {
	return cmp.Or(cmp.Compare(x.Status, y.Status), cmp.Compare(x.LostReason, y.LostReason))
}

// StageTimes returns the stage-time rows.
func (a *SalesAggregator) StageTimes() ([]crm.StageTime, error) {
	return finish(a.times, func(r *crm.StageTime, s [2]wide.Int) error { return setFit(&r.Micros, "micros", s[0]) },
		func(x, y crm.StageTime) int { return cmp.Compare(x.Stage, y.Stage) })
}
