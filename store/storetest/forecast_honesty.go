package storetest

import (
	"context"
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runForecastHonesty sets a deal's forecast category by hand, which the
// forecast counts until the deal changes stage, and puts an open deal
// whose expected close date passed in the overdue line, through the CRM.
func runForecastHonesty(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	tm := NewTeam(t, newStore(t)) // on 2 March 2026
	usd, _ := crm.ParseCurrency("USD")
	p, err := tm.Deals.CreatePipeline(ctx, tm.Admin.ID, crm.NewPipeline{Name: "New business", Currency: usd})
	require.NoError(t, err)
	open := func(owner crm.User, closes crm.Date) crm.Deal {
		cu, err := tm.Customers.Create(ctx, owner.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: "Customer"})
		require.NoError(t, err)
		d, err := tm.Deals.Open(ctx, owner.ID, crm.NewDeal{Pipeline: p.ID, Customer: cu.ID, Title: "Deal", Stage: "qualification",
			Amount: crm.MoneyFromMinor(100_000, usd), CloseDate: closes})
		require.NoError(t, err)
		return d
	}
	april, february := day(2026, 4, 10), day(2026, 2, 20)
	mine := open(tm.Ann, april)
	open(tm.Ben, april)
	open(tm.Ann, february)
	type line struct {
		period   string
		overdue  bool
		category crm.ForecastCategory
		deals    int64
	}
	forecast := func() []line {
		ls, err := tm.Deals.Forecast(ctx, tm.Manager.ID, crm.SalesQuery{Pipeline: p.ID})
		require.NoError(t, err)
		var out []line
		for _, l := range ls {
			out = append(out, line{l.Period, l.Overdue, l.Category, l.Deals})
		}
		return out
	}
	assert.Equal(t, []line{{"", true, crm.ForecastPipeline, 1}, {"2026-04", false, crm.ForecastPipeline, 2}}, forecast(),
		"February's open deal is overdue, not in February")

	d, err := tm.Deals.SetForecastCategory(ctx, tm.Ann.ID, crm.SetForecastCategoryRequest{Deal: mine.ID, Category: crm.ForecastCommit})
	require.NoError(t, err)
	assert.Equal(t, crm.ForecastCommit, d.ForecastCategory)
	assert.Equal(t, []line{{"", true, crm.ForecastPipeline, 1}, {"2026-04", false, crm.ForecastPipeline, 1}, {"2026-04", false, crm.ForecastCommit, 1}},
		forecast(), "the owner's judgement over the stage's")
	stored, err := tm.Deals.Get(ctx, tm.Ann.ID, mine.ID)
	require.NoError(t, err)
	assert.Equal(t, crm.ForecastCommit, stored.ForecastCategory)

	for name, tc := range map[string]struct {
		actor crm.User
		c     crm.ForecastCategory
		want  error
	}{
		"closed is for won deals": {tm.Ann, crm.ForecastClosed, crm.ErrInvalid},
		"not a category":          {tm.Ann, "maybe", crm.ErrInvalid},
		"a rep of another team":   {tm.Sue, crm.ForecastOmitted, crm.ErrNotFound},
		"another rep of the team": {tm.Ben, crm.ForecastOmitted, crm.ErrNotFound},
	} {
		_, err := tm.Deals.SetForecastCategory(ctx, tc.actor.ID, crm.SetForecastCategoryRequest{Deal: mine.ID, Category: tc.c})
		assert.ErrorIs(t, err, tc.want, name)
	}
	_, err = tm.Deals.SetForecastCategory(ctx, tm.Manager.ID, crm.SetForecastCategoryRequest{Deal: mine.ID, Category: crm.ForecastBestCase})
	require.NoError(t, err, "the team's manager may")

	moved, err := tm.Deals.Move(ctx, tm.Ann.ID, crm.MoveDealRequest{Deal: mine.ID, Stage: "proposal"})
	require.NoError(t, err)
	assert.Empty(t, moved.ForecastCategory, "a stage change clears it")
	assert.Equal(t, []line{{"", true, crm.ForecastPipeline, 1}, {"2026-04", false, crm.ForecastPipeline, 1}, {"2026-04", false, crm.ForecastBestCase, 1}},
		forecast(), "the new stage's category")

	lost, err := tm.Deals.Lose(ctx, tm.Ann.ID, crm.LoseDealRequest{Deal: mine.ID, Reason: crm.LostBudget})
	require.NoError(t, err)
	_, err = tm.Deals.SetForecastCategory(ctx, tm.Ann.ID, crm.SetForecastCategoryRequest{Deal: lost.ID, Category: crm.ForecastCommit})
	assert.ErrorIs(t, err, crm.ErrInvalidTransition, "a lost deal's category is its stage's")
}
