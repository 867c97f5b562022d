package memory

import (
	"context"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/storekit"
)

// versionedRepo builds the generic repository of a versioned record.
func versionedRepo[T any](kind crm.Kind, rows *overlay[T], id func(T) crm.ID, version func(T) int64) repo[T] {
	return repo[T]{kind: kind, rows: rows, id: id, version: version}
}

type pipelineRepo struct{ t *txState }

func (r pipelineRepo) repo() repo[crm.Pipeline] {
	return versionedRepo(crm.KindPipeline, r.t.pipelines, func(p crm.Pipeline) crm.ID { return p.ID }, func(p crm.Pipeline) int64 { return p.Version })
}

func (r pipelineRepo) Get(_ context.Context, id crm.ID) (crm.Pipeline, error) {
	return r.repo().get(id)
}

// Lock implements crm.PipelineRepository: the memory store runs one write
// transaction at a time, so Get holds already.
func (r pipelineRepo) Lock(ctx context.Context, id crm.ID) (crm.Pipeline, error) {
	return r.Get(ctx, id)
}
func (r pipelineRepo) Insert(_ context.Context, p crm.Pipeline) error { return r.repo().insert(p) }
func (r pipelineRepo) Update(_ context.Context, p crm.Pipeline) error { return r.repo().update(p) }
func (r pipelineRepo) List(_ context.Context, p crm.PageRequest) ([]crm.Pipeline, error) {
	return r.repo().list(p, func(crm.Pipeline) bool { return true }), nil
}

type dealRepo struct{ t *txState }

func (r dealRepo) repo() repo[crm.Deal] {
	return versionedRepo(crm.KindDeal, r.t.deals, func(d crm.Deal) crm.ID { return d.ID }, func(d crm.Deal) int64 { return d.Version })
}

func (r dealRepo) Get(_ context.Context, id crm.ID) (crm.Deal, error) { return r.repo().get(id) }
func (r dealRepo) Insert(_ context.Context, d crm.Deal) error         { return r.repo().insert(d) }
func (r dealRepo) Update(_ context.Context, d crm.Deal) error         { return r.repo().update(d) }
func (r dealRepo) List(_ context.Context, f crm.DealFilter, p crm.PageRequest) ([]crm.Deal, error) {
	return r.repo().list(p, f.Match), nil
}

type activityRepo struct{ t *txState }

func (r activityRepo) repo() repo[crm.Activity] {
	return versionedRepo(crm.KindActivity, r.t.activities, func(a crm.Activity) crm.ID { return a.ID }, func(a crm.Activity) int64 { return a.Version })
}

func (r activityRepo) Get(_ context.Context, id crm.ID) (crm.Activity, error) {
	return r.repo().get(id)
}
func (r activityRepo) Insert(_ context.Context, a crm.Activity) error { return r.repo().insert(a) }
func (r activityRepo) Update(_ context.Context, a crm.Activity) error { return r.repo().update(a) }
func (r activityRepo) List(_ context.Context, f crm.ActivityFilter, p crm.PageRequest) ([]crm.Activity, error) {
	return r.repo().list(p, f.Match), nil
}

type campaignRepo struct{ t *txState }

func (r campaignRepo) repo() repo[crm.Campaign] {
	return versionedRepo(crm.KindCampaign, r.t.campaigns, func(c crm.Campaign) crm.ID { return c.ID }, func(c crm.Campaign) int64 { return c.Version })
}

func (r campaignRepo) Get(_ context.Context, id crm.ID) (crm.Campaign, error) {
	return r.repo().get(id)
}
func (r campaignRepo) Insert(_ context.Context, c crm.Campaign) error { return r.repo().insert(c) }
func (r campaignRepo) Update(_ context.Context, c crm.Campaign) error { return r.repo().update(c) }
func (r campaignRepo) List(_ context.Context, p crm.PageRequest) ([]crm.Campaign, error) {
	return r.repo().list(p, func(crm.Campaign) bool { return true }), nil
}

// sales answers the funnel, forecast, cohort and KPI rows from the
// summary rows of the committed deals (dealColumns), walking only the
// pipeline asked about and the columns each report reads; a write
// transaction that changed deals, and the other reports, stream every row
// it sees through the reference implementations.
type sales struct{ t *txState }

func (s sales) aggregate(q crm.SalesQuery) *storekit.SalesAggregator {
	agg := storekit.NewSalesAggregator(q)
	s.t.deals.each(agg.Add)
	return agg
}

// columns returns the pipeline's summary rows and the query's owner and
// team as they number them, or false when the transaction changed deals.
func (s sales) columns(q crm.SalesQuery) (*pipelineColumns, ownerTeam, bool) {
	if !s.t.deals.untouched() {
		return nil, ownerTeam{}, false
	}
	x := s.t.s.dealCols
	f := x.filterOf(q)
	p := x.pipelines[q.Pipeline]
	if p == nil || f.none {
		p = &pipelineColumns{}
	}
	return p, f, true
}

// report answers q from the columns with fromColumns, or from the
// reference aggregation with fromAggregate.
func report[R any](s sales, q crm.SalesQuery, fromColumns func(*pipelineColumns, ownerTeam, timeSpan) ([]R, error), fromAggregate func(*storekit.SalesAggregator) ([]R, error)) ([]R, error) {
	if err := q.Check(); err != nil {
		return nil, err
	}
	if p, f, ok := s.columns(q); ok {
		return fromColumns(p, f, timeSpanOf(q.From, q.To))
	}
	return fromAggregate(s.aggregate(q))
}

func (s sales) StageAmounts(_ context.Context, q crm.SalesQuery) ([]crm.StageAmount, error) {
	return report(s, q, func(p *pipelineColumns, f ownerTeam, _ timeSpan) ([]crm.StageAmount, error) { return p.stageAmounts(f) },
		(*storekit.SalesAggregator).StageAmounts)
}

func (s sales) Forecast(_ context.Context, q crm.SalesQuery) ([]crm.ForecastAmount, error) {
	return report(s, q, (*pipelineColumns).forecastRows, (*storekit.SalesAggregator).Forecast)
}

func (s sales) Cohort(_ context.Context, q crm.SalesQuery) ([]crm.CohortCount, error) {
	return report(s, q, (*pipelineColumns).cohortRows, (*storekit.SalesAggregator).Cohort)
}

func (s sales) Outcomes(_ context.Context, q crm.SalesQuery) ([]crm.OutcomeCount, error) {
	return report(s, q, (*pipelineColumns).outcomeRows, (*storekit.SalesAggregator).Outcomes)
}

func (s sales) StageTimes(_ context.Context, q crm.SalesQuery) ([]crm.StageTime, error) {
	return report(s, q, (*pipelineColumns).stageTimes, (*storekit.SalesAggregator).StageTimes)
}

func (s sales) Campaign(_ context.Context, c crm.Campaign) (crm.CampaignCounts, error) {
	return storekit.AggregateCampaign(c, s.t.customers.all(), s.t.deals.all())
}

func (s sales) Work(_ context.Context, q crm.WorkQuery) (crm.WorkCounts, error) {
	if err := q.Check(); err != nil {
		return crm.WorkCounts{}, err
	}
	return storekit.AggregateWork(s.t.activities.all(), s.t.customers.all(), s.t.deals.all(), q)
}

func (s sales) StagesAt(_ context.Context, q crm.SalesQuery, at time.Time) ([]crm.StageAt, error) {
	if err := q.CheckAt(at); err != nil {
		return nil, err
	}
	agg := storekit.NewStagesAtAggregator(q, at)
	s.t.deals.each(agg.Add)
	return agg.Result()
}
