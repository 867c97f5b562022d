package sqlstore_test

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/storekit"
	"github.com/stretchr/testify/require"
)

// salesRanges are the time bounds the sales queries are asked with: open,
// closed, open at one end, on midnights and a nanosecond after them
// (where a forecast day starts), on the very microsecond a visit ended and
// a deal closed, and finer than the microsecond the store keeps.
func (d salesData) salesRanges() [][2]time.Time {
	jan := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	created := d.deals[7].CreatedAt
	// A time a visit ended, and one a deal closed, of the first pipeline,
	// in order.
	var left, closed time.Time
	for _, deal := range d.deals {
		if deal.Pipeline == d.pipelines[0].ID && len(deal.History) > 2 && left.IsZero() {
			left = deal.History[1].Left
		}
		if deal.Pipeline == d.pipelines[0].ID && deal.Status == crm.DealLost && closed.IsZero() {
			closed = deal.ClosedAt
		}
	}
	if closed.Before(left) {
		left, closed = closed, left
	}
	return [][2]time.Time{
		{left, {}},
		{{}, closed},
		{left.Add(time.Microsecond), closed.Add(time.Microsecond)},
		{},
		{salesStart.Add(30 * 24 * time.Hour), salesStart.Add(90 * 24 * time.Hour)},
		{jan, jan.AddDate(0, 1, 0).Add(1)},
		{jan.Add(1), {}},
		{{}, created},
		{created.Add(1), created.Add(40*24*time.Hour + 999)},
	}
}

// TestSalesMatchTheReference stores generated sales data through the
// repositories and checks every listing and every sales statistic against
// the reference implementations over the same data.
func TestSalesMatchTheReference(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s, _ := b.newStore(t)
		d := generateSales(t, 20260415, 300, 700)
		d.requireVariety(t)
		d.insert(ctx, t, s)
		t.Run("Filters", func(t *testing.T) { d.checkFilters(ctx, t, s) })
		t.Run("Deals", func(t *testing.T) { d.checkDealStatistics(ctx, t, s) })
		t.Run("Work", func(t *testing.T) { d.checkWork(ctx, t, s) })
		t.Run("Campaigns", func(t *testing.T) {
			for _, c := range append(d.campaigns, crm.Campaign{}, crm.Campaign{ID: newID(t), Currency: eur}) {
				want, wantErr := storekit.AggregateCampaign(c, d.customers, d.deals)
				sameResult(ctx, t, s, func(tx crm.ReadTx) (crm.CampaignCounts, error) { return tx.Sales().Campaign(ctx, c) }, want, wantErr,
					"campaign %s", c.ID)
			}
		})
	})
}

// requireVariety checks that the data has what the statistics group,
// filter and join on, so that the comparisons mean something.
func (d salesData) requireVariety(t *testing.T) {
	all := crm.SalesQuery{Pipeline: d.pipelines[0].ID}
	require.Greater(t, len(must(storekit.AggregateOutcomes(d.deals, all))), 4)
	require.Greater(t, len(must(storekit.AggregateStageTimes(d.deals, all))), 3)
	require.Greater(t, len(must(storekit.AggregateForecast(d.deals, all))), 20)
	require.Contains(t, must(storekit.AggregateStageAmounts(d.deals, all)),
		crm.StageAmount{Stage: "huge", Probability: 35, Deals: 3, AmountMinor: math.MaxInt64}, "a sum beyond 64 bits on the way comes back exact")
	_, err := storekit.AggregateCohort(d.deals, all)
	require.ErrorIs(t, err, crm.ErrOverflow, "a sum beyond 64 bits is an overflow, not wrapped around")
	w := must(storekit.AggregateWork(d.activities, d.customers, d.deals, crm.WorkQuery{Today: crm.DateOf(salesStart).AddDays(60)}))
	require.Len(t, w.ByType, len(crm.ActivityTypes()))
	require.Positive(t, w.InvalidVisits)
	require.Positive(t, w.Overdue)
	require.Positive(t, w.KeyAccountsTouched)
	for _, c := range d.campaigns {
		n := must(storekit.AggregateCampaign(c, d.customers, d.deals))
		require.True(t, n.Acquired > 0 && n.OtherCurrency > 0, "%+v", n)
	}
}

// checkDealStatistics asks every deal statistic of each pipeline (and of
// one without deals), of everyone, one owner and one team, over the
// ranges: every range for the whole pipeline, one in turn for an owner
// and a team.
func (d salesData) checkDealStatistics(ctx context.Context, t *testing.T, s crm.Store) {
	ranges := d.salesRanges()
	var queries []crm.SalesQuery
	i := 0
	for _, p := range append(pipelineIDs(d.pipelines), newID(t)) {
		for _, r := range ranges {
			queries = append(queries, crm.SalesQuery{Pipeline: p, From: r[0], To: r[1]})
		}
		for _, owner := range []crm.ID{{}, d.users[0].ID, d.users[3].ID} {
			for _, team := range []string{"", "north", hostileShort} {
				i++
				r := ranges[i%len(ranges)]
				queries = append(queries, crm.SalesQuery{Pipeline: p, Owner: owner, Team: team, From: r[0], To: r[1]})
			}
		}
	}
	for _, q := range queries {
		stages, err := storekit.AggregateStageAmounts(d.deals, q)
		sameResult(ctx, t, s, func(tx crm.ReadTx) ([]crm.StageAmount, error) { return tx.Sales().StageAmounts(ctx, q) }, stages, err,
			"stage amounts %+v", q)
		forecast, err := storekit.AggregateForecast(d.deals, q)
		sameResult(ctx, t, s, func(tx crm.ReadTx) ([]crm.ForecastAmount, error) { return tx.Sales().Forecast(ctx, q) }, forecast, err,
			"forecast %+v", q)
		cohort, err := storekit.AggregateCohort(d.deals, q)
		sameResult(ctx, t, s, func(tx crm.ReadTx) ([]crm.CohortCount, error) { return tx.Sales().Cohort(ctx, q) }, cohort, err,
			"cohort %+v", q)
		outcomes, err := storekit.AggregateOutcomes(d.deals, q)
		sameResult(ctx, t, s, func(tx crm.ReadTx) ([]crm.OutcomeCount, error) { return tx.Sales().Outcomes(ctx, q) }, outcomes, err,
			"outcomes %+v", q)
		times, err := storekit.AggregateStageTimes(d.deals, q)
		sameResult(ctx, t, s, func(tx crm.ReadTx) ([]crm.StageTime, error) { return tx.Sales().StageTimes(ctx, q) }, times, err,
			"stage times %+v", q)
	}
}

func pipelineIDs(ps []crm.Pipeline) []crm.ID {
	ids := make([]crm.ID, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	return ids
}

// checkWork asks for the work reports of everyone, two reps and two
// teams, over the ranges, on three days.
func (d salesData) checkWork(ctx context.Context, t *testing.T, s crm.Store) {
	ranges := d.salesRanges()
	days := []crm.Date{crm.DateOf(salesStart), crm.DateOf(salesStart).AddDays(60), day(2030, 1, 1)}
	i := 0
	for _, owner := range []crm.ID{{}, d.users[0].ID, d.users[2].ID} {
		for _, team := range []string{"", "north", hostileShort} {
			for _, today := range days {
				i++
				r := ranges[i%len(ranges)]
				q := crm.WorkQuery{Owner: owner, Team: team, From: r[0], To: r[1], Today: today}
				want, err := storekit.AggregateWork(d.activities, d.customers, d.deals, q)
				sameResult(ctx, t, s, func(tx crm.ReadTx) (crm.WorkCounts, error) { return tx.Sales().Work(ctx, q) }, want, err, "%+v", q)
			}
		}
	}
}

// checkFilters lists deals and activities with each field of their
// filters, sixteen to a page, and checks the pages against the filters'
// Match.
func (d salesData) checkFilters(ctx context.Context, t *testing.T, s crm.Store) {
	deal, activity := d.deals[11], d.activities[13]
	for _, f := range []crm.DealFilter{{}, {Pipeline: d.pipelines[1].ID}, {Customer: deal.Customer}, {Owner: deal.Owner},
		{Team: "North"}, {Team: hostileShort}, {Status: crm.DealWon}, {Status: "paused"}, {Stage: "Zeta"},
		{Stage: "negotiation"}, {Campaign: d.campaigns[2].ID}, {Pipeline: newID(t)},
		{Pipeline: deal.Pipeline, Customer: deal.Customer, Owner: deal.Owner, Team: deal.Team, Status: deal.Status,
			Stage: deal.Stage, Campaign: deal.Campaign}} {
		got := allPages(ctx, t, s, func(tx crm.ReadTx, p crm.PageRequest) ([]crm.Deal, error) {
			return tx.Deals().List(ctx, f, p)
		}, func(d crm.Deal) crm.ID { return d.ID })
		require.Equal(t, matching(d.deals, f.Match, func(d crm.Deal) crm.ID { return d.ID }), got, "%+v", f)
	}
	today := crm.DateOf(salesStart).AddDays(40)
	for _, f := range []crm.ActivityFilter{{}, {Customer: activity.Customer}, {Deal: d.activities[2].Deal},
		{Owner: activity.Owner}, {Team: hostileShort}, {Type: crm.ActivityVisit}, {Type: "lunch"}, {OverdueOn: today},
		{Owner: activity.Owner, OverdueOn: today.AddDays(30)},
		{Customer: activity.Customer, Deal: activity.Deal, Owner: activity.Owner, Team: activity.Team, Type: activity.Type}} {
		got := allPages(ctx, t, s, func(tx crm.ReadTx, p crm.PageRequest) ([]crm.Activity, error) {
			return tx.Activities().List(ctx, f, p)
		}, func(a crm.Activity) crm.ID { return a.ID })
		require.Equal(t, matching(d.activities, f.Match, func(a crm.Activity) crm.ID { return a.ID }), got, "%+v", f)
	}
}

// allPages lists sixteen to a page, each page after the last ID of the one
// before, until a short page.
func allPages[T any](ctx context.Context, t *testing.T, s crm.Store, list func(crm.ReadTx, crm.PageRequest) ([]T, error),
	id func(T) crm.ID) []T {
	t.Helper()
	out := []T{}
	var after crm.ID
	for {
		page := read(ctx, t, s, func(tx crm.ReadTx) ([]T, error) { return list(tx, crm.PageRequest{After: after, Limit: 16}) })
		out = append(out, page...)
		if len(page) < 16 {
			return out
		}
		after = id(page[len(page)-1])
	}
}

// matching returns the values that match, in ID order.
func matching[T any](vs []T, match func(T) bool, id func(T) crm.ID) []T {
	out := []T{}
	for _, v := range vs {
		if match(v) {
			out = append(out, v)
		}
	}
	slices.SortFunc(out, func(a, b T) int { return id(a).Compare(id(b)) })
	return out
}

// TestSalesRefuseBadQueries: a query without a pipeline, an empty range
// or a work report without a day is crm.ErrInvalid; an empty store
// answers as the reference does over nothing.
func TestSalesRefuseBadQueries(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s, _ := b.newStore(t)
		p := newID(t)
		for i, fn := range []func(a crm.SalesAnalytics) error{
			func(a crm.SalesAnalytics) error { _, err := a.StageAmounts(ctx, crm.SalesQuery{}); return err },
			func(a crm.SalesAnalytics) error {
				_, err := a.Forecast(ctx, crm.SalesQuery{Pipeline: p, From: at(5), To: at(5)})
				return err
			},
			func(a crm.SalesAnalytics) error { _, err := a.Cohort(ctx, crm.SalesQuery{Owner: p}); return err },
			func(a crm.SalesAnalytics) error { _, err := a.Outcomes(ctx, crm.SalesQuery{}); return err },
			func(a crm.SalesAnalytics) error {
				_, err := a.StageTimes(ctx, crm.SalesQuery{Pipeline: p, From: at(6), To: at(5)})
				return err
			},
			func(a crm.SalesAnalytics) error { _, err := a.Work(ctx, crm.WorkQuery{}); return err },
			func(a crm.SalesAnalytics) error {
				_, err := a.Work(ctx, crm.WorkQuery{Today: day(2026, 2, 29)})
				return err
			},
		} {
			require.ErrorIs(t, s.View(ctx, func(tx crm.ReadTx) error { return fn(tx.Sales()) }), crm.ErrInvalid, i)
		}
		q := crm.SalesQuery{Pipeline: p}
		empty := read(ctx, t, s, func(tx crm.ReadTx) ([]any, error) {
			a := tx.Sales()
			stages, err1 := a.StageAmounts(ctx, q)
			forecast, err2 := a.Forecast(ctx, q)
			cohort, err3 := a.Cohort(ctx, q)
			outcomes, err4 := a.Outcomes(ctx, q)
			times, err5 := a.StageTimes(ctx, q)
			work, err6 := a.Work(ctx, crm.WorkQuery{Today: day(2026, 3, 2)})
			campaign, err7 := a.Campaign(ctx, crm.Campaign{})
			return []any{stages, forecast, cohort, outcomes, times, work, campaign}, errors.Join(err1, err2, err3, err4, err5, err6, err7)
		})
		require.Equal(t, []any{must(storekit.AggregateStageAmounts(nil, q)), must(storekit.AggregateForecast(nil, q)), must(storekit.AggregateCohort(nil, q)),
			must(storekit.AggregateOutcomes(nil, q)), must(storekit.AggregateStageTimes(nil, q)),
			must(storekit.AggregateWork(nil, nil, nil, crm.WorkQuery{Today: day(2026, 3, 2)})), must(storekit.AggregateCampaign(crm.Campaign{}, nil, nil))}, empty)
	})
}
