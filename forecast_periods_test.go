package crm_test

import (
	"context"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestForecastWithPeriodsAndOverdue(t *testing.T) {
	usd, _ := crm.ParseCurrency("USD")
	p := crm.Pipeline{Name: "New business", Currency: usd, Stages: crm.DefaultStages()}
	row := func(month, stage string, status crm.DealStatus, minor int64) crm.ForecastAmount {
		prob := map[string]int{"proposal": 50, "negotiation": 80, "won": 100}[stage]
		return crm.ForecastAmount{Month: month, Stage: stage, Probability: prob, Status: status, Deals: 1, AmountMinor: minor}
	}
	rows := []crm.ForecastAmount{
		row("", "proposal", crm.DealOpen, 100),             // no close date
		row("2026-01", "proposal", crm.DealOpen, 1_000),    // missed, last quarter
		row("2026-03", "negotiation", crm.DealOpen, 2_000), // missed, last month
		row("2026-03", "won", crm.DealWon, 4_000),          // won last month: stays there
		row("2026-04", "proposal", crm.DealOpen, 8_000),    // this month, even if its day passed
		row("2026-05", "proposal", crm.DealOpen, 16_000),
		row("2026-07", "negotiation", crm.DealOpen, 32_000),
	}
	april := crm.Calendar{FiscalYearStart: time.April}
	today := crm.Date{Year: 2026, Month: time.April, Day: 20}
	type line struct {
		period   string
		overdue  bool
		category crm.ForecastCategory
		minor    int64
	}
	lines := func(ls []crm.ForecastLine) []line {
		var out []line
		for _, l := range ls {
			m, _ := l.Amount.Minor()
			out = append(out, line{l.Period, l.Overdue, l.Category, m})
		}
		return out
	}
	for _, tc := range []struct {
		name string
		o    crm.ForecastOptions
		want []line
	}{
		{"by month, no today: every deal in its month", crm.ForecastOptions{}, []line{
			{"", false, crm.ForecastBestCase, 100}, {"2026-01", false, crm.ForecastBestCase, 1_000},
			{"2026-03", false, crm.ForecastCommit, 2_000}, {"2026-03", false, crm.ForecastClosed, 4_000},
			{"2026-04", false, crm.ForecastBestCase, 8_000}, {"2026-05", false, crm.ForecastBestCase, 16_000},
			{"2026-07", false, crm.ForecastCommit, 32_000}}},
		{"by month on 20 April: the missed open deals in the overdue line, the won ones in their month",
			crm.ForecastOptions{Calendar: april, Today: today}, []line{
				{"", true, crm.ForecastBestCase, 1_000}, {"", true, crm.ForecastCommit, 2_000},
				{"", false, crm.ForecastBestCase, 100}, {"2026-03", false, crm.ForecastClosed, 4_000},
				{"2026-04", false, crm.ForecastBestCase, 8_000}, {"2026-05", false, crm.ForecastBestCase, 16_000},
				{"2026-07", false, crm.ForecastCommit, 32_000}}},
		{"by fiscal quarter of an April year: March is last year's Q4, overdue; April and May make Q1",
			crm.ForecastOptions{Calendar: april, Today: today, By: crm.ForecastByFiscalQuarter}, []line{
				{"", true, crm.ForecastBestCase, 1_000}, {"", true, crm.ForecastCommit, 2_000},
				{"", false, crm.ForecastBestCase, 100}, {"FY2026-Q4", false, crm.ForecastClosed, 4_000},
				{"FY2027-Q1", false, crm.ForecastBestCase, 24_000}, {"FY2027-Q2", false, crm.ForecastCommit, 32_000}}},
		{"by fiscal year of an April year", crm.ForecastOptions{Calendar: april, Today: today, By: crm.ForecastByFiscalYear}, []line{
			{"", true, crm.ForecastBestCase, 1_000}, {"", true, crm.ForecastCommit, 2_000},
			{"", false, crm.ForecastBestCase, 100}, {"FY2026", false, crm.ForecastClosed, 4_000},
			{"FY2027", false, crm.ForecastBestCase, 24_000}, {"FY2027", false, crm.ForecastCommit, 32_000}}},
		{"by calendar quarter: the open deals of Q1 overdue in Q2",
			crm.ForecastOptions{Today: today, By: crm.ForecastByFiscalQuarter}, []line{
				{"", true, crm.ForecastBestCase, 1_000}, {"", true, crm.ForecastCommit, 2_000},
				{"", false, crm.ForecastBestCase, 100}, {"FY2026-Q1", false, crm.ForecastClosed, 4_000},
				{"FY2026-Q2", false, crm.ForecastBestCase, 24_000}, {"FY2026-Q3", false, crm.ForecastCommit, 32_000}}},
	} {
		assert.Equal(t, tc.want, lines(p.ForecastWith(rows, tc.o)), tc.name)
	}
	byMonth := p.ForecastWith(rows, crm.ForecastOptions{Today: today})
	assert.Equal(t, "2026-04", byMonth[4].Month, "a forecast by month keeps its Month")
	byQuarter := p.ForecastWith(rows, crm.ForecastOptions{Today: today, By: crm.ForecastByFiscalQuarter})
	assert.Empty(t, byQuarter[4].Month, "a forecast by quarter has no Month")
}

// TestForecastOverdueThroughTheCRM reproduces the report: an open deal
// whose expected close date passed stayed in its past month; now it is in
// the overdue line, and a forecast by fiscal quarter is one call.
func TestForecastOverdueThroughTheCRM(t *testing.T) {
	ctx, s := context.Background(), newExampleSales()
	acme, err := s.c.Customers.Create(ctx, s.ann.ID, crm.NewCustomer{Kind: crm.Distributor, Name: "Acme"})
	require.NoError(t, err)
	for _, closes := range []string{"2026-02-27", "2026-03-20", "2026-05-04"} {
		date, _ := crm.ParseDate(closes)
		_, err := s.c.Deals.Open(ctx, s.ann.ID, crm.NewDeal{Pipeline: s.pipeline.ID, Customer: acme.ID, Title: closes,
			Amount: crm.MoneyFromMinor(100_000, s.usd), CloseDate: date})
		require.NoError(t, err)
	}
	q := crm.SalesQuery{Pipeline: s.pipeline.ID}
	lines, err := s.c.Deals.Forecast(ctx, s.max.ID, q) // on 2 March 2026
	require.NoError(t, err)
	require.Len(t, lines, 3)
	assert.True(t, lines[0].Overdue, "February's deal is overdue, not in February")
	assert.Equal(t, []string{"", "2026-03", "2026-05"}, []string{lines[0].Month, lines[1].Month, lines[2].Month})

	quarters, err := s.c.Deals.ForecastBy(ctx, s.max.ID, q, crm.ForecastByFiscalQuarter)
	require.NoError(t, err)
	require.Len(t, quarters, 2, "by quarter, February is in the current quarter: not overdue")
	assert.Equal(t, []string{"FY2026-Q1", "FY2026-Q2"}, []string{quarters[0].Period, quarters[1].Period})
	assert.Equal(t, int64(2), quarters[0].Deals)
	_, err = s.c.Deals.ForecastBy(ctx, s.max.ID, q, "week")
	assert.ErrorIs(t, err, crm.ErrInvalid)
}
