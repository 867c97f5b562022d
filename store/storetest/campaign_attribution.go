package storetest

import (
	"context"
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runCampaignAttribution runs campaign attribution through the CRM on the
// store: a deal opened without a campaign inherits its customer's, and
// the campaign's report counts it.
func runCampaignAttribution(t *testing.T, newStore NewStoreFunc) {
	t.Run("Inherited", func(t *testing.T) { attributionInherited(t, newStore) })
}

// attributionScene is a Team with a pipeline in dollars and a trade show
// that cost 5,000 USD.
type attributionScene struct {
	*Team
	ctx      context.Context
	pipeline crm.Pipeline
	show     crm.Campaign
}

func newAttributionScene(t *testing.T, newStore NewStoreFunc) *attributionScene {
	t.Helper()
	ctx := context.Background()
	tm := NewTeam(t, newStore(t))
	p, err := tm.Deals.CreatePipeline(ctx, tm.Admin.ID, crm.NewPipeline{Name: "New business", Currency: usd})
	require.NoError(t, err)
	show, err := tm.Campaigns.Create(ctx, tm.Admin.ID, crm.NewCampaign{Name: "Trade show", Channel: "trade_show", Currency: usd,
		Costs: []crm.CostLine{{Description: "booth", Amount: crm.MoneyFromMinor(500_000, usd), Date: day(2026, 3, 1)}}})
	require.NoError(t, err)
	return &attributionScene{Team: tm, ctx: ctx, pipeline: p, show: show}
}

// lead creates a customer of Ann's that campaign brought (none for zero).
func (sc *attributionScene) lead(t *testing.T, name string, campaign crm.ID) crm.Customer {
	t.Helper()
	cu, err := sc.Customers.Create(sc.ctx, sc.Ann.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: name, Campaign: campaign})
	require.NoError(t, err)
	return cu
}

// open opens a deal of Ann's for customer, naming campaign (none for zero).
func (sc *attributionScene) open(t *testing.T, customer, campaign crm.ID, minor int64) crm.Deal {
	t.Helper()
	d, err := sc.Deals.Open(sc.ctx, sc.Ann.ID, crm.NewDeal{Pipeline: sc.pipeline.ID, Customer: customer, Title: "Order",
		Amount: crm.MoneyFromMinor(minor, usd), Campaign: campaign})
	require.NoError(t, err)
	return d
}

// win wins a deal at its amount.
func (sc *attributionScene) win(t *testing.T, d crm.Deal) crm.Deal {
	t.Helper()
	d, err := sc.Deals.Win(sc.ctx, sc.Ann.ID, crm.WinDealRequest{Deal: d.ID})
	require.NoError(t, err)
	return d
}

// report is the campaign's report, as the manager reads it.
func (sc *attributionScene) report(t *testing.T, campaign crm.ID) crm.CampaignReport {
	t.Helper()
	r, err := sc.Campaigns.Report(sc.ctx, sc.Manager.ID, campaign)
	require.NoError(t, err)
	return r
}

// attributionInherited: a lead from the trade show wins a 20,000 USD deal
// opened without naming a campaign; the deal is the show's, and so are
// the win, the revenue and the customer acquired.
func attributionInherited(t *testing.T, newStore NewStoreFunc) {
	sc := newAttributionScene(t, newStore)
	cu := sc.lead(t, "From the show", sc.show.ID)
	d := sc.open(t, cu.ID, crm.ID{}, 2_000_000)
	assert.Equal(t, sc.show.ID, d.Campaign, "the deal inherits the campaign that brought its customer")
	d = sc.win(t, d)
	got, err := sc.Deals.Get(sc.ctx, sc.Ann.ID, d.ID)
	require.NoError(t, err)
	assert.Equal(t, sc.show.ID, got.Campaign, "as stored")

	r := sc.report(t, sc.show.ID)
	assert.Equal(t, int64(1), r.Counts.Leads)
	assert.Equal(t, int64(1), r.Counts.Deals)
	assert.Equal(t, int64(1), r.Counts.WonDeals)
	assert.Equal(t, int64(1), r.Counts.Acquired)
	assert.Equal(t, "20000.00 USD", r.WonRevenue.String())
	assert.Equal(t, "5000.00 USD", r.CAC.String())
	assert.Equal(t, "3", r.ROI.String(), "(20000 - 5000) / 5000")
}
