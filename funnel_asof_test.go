package crm_test

import (
	"context"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStageVisitAt(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	closed := crm.StageVisit{Stage: "qualification", Entered: t0, Left: t0.Add(time.Hour)}
	current := crm.StageVisit{Stage: "proposal", Entered: t0.Add(time.Hour)}
	for _, tc := range []struct {
		name string
		v    crm.StageVisit
		at   time.Time
		want bool
	}{
		{"before it began", closed, t0.Add(-time.Nanosecond), false},
		{"the instant it began: the move has not happened yet", closed, t0, false},
		{"just after it began", closed, t0.Add(time.Nanosecond), true},
		{"the instant it ended: the move out has not happened yet", closed, t0.Add(time.Hour), true},
		{"after it ended", closed, t0.Add(time.Hour + time.Nanosecond), false},
		{"the stage it is in, later", current, t0.Add(24 * time.Hour), true},
		{"the stage it is in, the instant it began", current, t0.Add(time.Hour), false},
		{"an instant visit", crm.StageVisit{Stage: "won", Entered: t0, Left: t0}, t0, false},
	} {
		assert.Equal(t, tc.want, tc.v.VisitAt(tc.at), tc.name)
	}
}

func TestPipelineFunnelAt(t *testing.T) {
	usd, _ := crm.ParseCurrency("USD")
	p := crm.Pipeline{Name: "New business", Currency: usd, Stages: crm.DefaultStages()}
	day, _ := crm.ParseDate("2026-03-31")
	money := func(minor int64) crm.Money { return crm.MoneyFromMinor(minor, usd) }
	for _, tc := range []struct {
		name               string
		rows               []crm.StageAt
		deals              []int64 // the open stages' deals, in order
		weighted           []crm.Money
		won, lost          int64
		wonRate, lostRate  float64
		wonValue, wonWeigh crm.Money
	}{
		{name: "no deals then", deals: []int64{0, 0, 0, 0},
			weighted: []crm.Money{money(0), money(0), money(0), money(0)}, wonValue: money(0), wonWeigh: money(0)},
		{name: "open deals weighted by their stage's probability",
			rows:     []crm.StageAt{{Stage: "proposal", Deals: 2, AmountMinor: 3_000}, {Stage: "prospecting", Deals: 1, AmountMinor: 1_005}},
			deals:    []int64{1, 0, 2, 0},
			weighted: []crm.Money{money(100), money(0), money(1_500), money(0)}, wonValue: money(0), wonWeigh: money(0)},
		{name: "won and lost by then: the closed bars, won at 100%, with the win rate",
			rows:     []crm.StageAt{{Stage: "lost", Deals: 3, AmountMinor: 9_000}, {Stage: "won", Deals: 1, AmountMinor: 7_000}},
			deals:    []int64{0, 0, 0, 0},
			weighted: []crm.Money{money(0), money(0), money(0), money(0)},
			won:      1, lost: 3, wonRate: 0.25, lostRate: 0.75, wonValue: money(7_000), wonWeigh: money(7_000)},
		{name: "a stage no longer in the pipeline is left out",
			rows:     []crm.StageAt{{Stage: "demo", Deals: 4, AmountMinor: 4_000}, {Stage: "negotiation", Deals: 1, AmountMinor: 1_000}},
			deals:    []int64{0, 0, 0, 1},
			weighted: []crm.Money{money(0), money(0), money(0), money(800)}, wonValue: money(0), wonWeigh: money(0)},
	} {
		f := p.FunnelAt(tc.rows, day)
		assert.Equal(t, day, f.AsOf, tc.name)
		assert.Equal(t, "New business: open deals by stage at the end of 2026-03-31", f.Title, tc.name)
		require.Len(t, f.Stages, 4, tc.name)
		for i, s := range f.Stages {
			assert.Equal(t, tc.deals[i], s.Deals, "%s: %s", tc.name, s.Stage)
			assert.Equal(t, tc.weighted[i], s.Weighted, "%s: %s", tc.name, s.Stage)
		}
		require.Len(t, f.Closed, 2, tc.name)
		assert.Equal(t, "won", f.Closed[0].Stage, tc.name)
		assert.Equal(t, tc.won, f.Closed[0].Deals, tc.name)
		assert.Equal(t, tc.wonValue, f.Closed[0].Value, tc.name)
		assert.Equal(t, tc.wonWeigh, f.Closed[0].Weighted, tc.name)
		assert.InDelta(t, tc.wonRate, f.Closed[0].Rate, 1e-12, tc.name)
		assert.Equal(t, "lost", f.Closed[1].Stage, tc.name)
		assert.Equal(t, tc.lost, f.Closed[1].Deals, tc.name)
		assert.True(t, f.Closed[1].Weighted.IsZero(), tc.name)
		assert.InDelta(t, tc.lostRate, f.Closed[1].Rate, 1e-12, tc.name)
	}
}

// TestFunnelAsOfCalendarDay checks that the day a funnel is as of ends at
// midnight of the business calendar: a move at 08:30 on 1 April in Tokyo
// (still 31 March in UTC) is after the end of 31 March there.
func TestFunnelAsOfCalendarDay(t *testing.T) {
	ctx := context.Background()
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	require.NoError(t, err)
	clock := crm.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, tokyo))
	c, err := crm.New(memory.New(), crm.WithClock(clock), crm.WithCalendar(crm.Calendar{Location: tokyo}))
	require.NoError(t, err)
	admin, err := c.Users.Bootstrap(ctx, crm.NewUser{Name: "Ada"})
	require.NoError(t, err)
	usd, _ := crm.ParseCurrency("USD")
	p, err := c.Deals.CreatePipeline(ctx, admin.ID, crm.NewPipeline{Name: "New business", Currency: usd})
	require.NoError(t, err)
	cu, err := c.Customers.Create(ctx, admin.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: "Kaito"})
	require.NoError(t, err)
	d, err := c.Deals.Open(ctx, admin.ID, crm.NewDeal{Pipeline: p.ID, Customer: cu.ID, Title: "Fleet"})
	require.NoError(t, err)
	clock.Set(time.Date(2026, 4, 1, 8, 30, 0, 0, tokyo))
	_, err = c.Deals.Move(ctx, admin.ID, crm.MoveDealRequest{Deal: d.ID, Stage: "qualification"})
	require.NoError(t, err)

	stageOn := func(day string) string {
		date, _ := crm.ParseDate(day)
		f, err := c.Deals.FunnelAsOf(ctx, admin.ID, crm.SalesQuery{Pipeline: p.ID}, date)
		require.NoError(t, err)
		for _, s := range f.Stages {
			if s.Deals > 0 {
				return s.Stage
			}
		}
		return ""
	}
	assert.Equal(t, "prospecting", stageOn("2026-03-31"))
	assert.Equal(t, "qualification", stageOn("2026-04-01"))
	assert.Equal(t, "", stageOn("2026-03-01"), "before the deal was opened")
	_, err = c.Deals.FunnelAsOf(ctx, admin.ID, crm.SalesQuery{Pipeline: p.ID}, crm.Date{Year: 2026, Month: 4, Day: 2})
	assert.ErrorIs(t, err, crm.ErrInvalid, "2 April has not ended, nor begun, in Tokyo")
}
