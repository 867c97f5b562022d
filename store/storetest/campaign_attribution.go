package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runCampaignAttribution runs campaign attribution through the CRM on the
// store: a deal opened without a campaign inherits its customer's, and
// the campaign's report counts it; a deal that names a campaign keeps it;
// a mistyped cost line is corrected by a reversing line with a reason,
// once, however many correct it at once; and a report's cost per lead, CAC and ROI are no value, not
// zero, when there is nothing to divide by.
func runCampaignAttribution(t *testing.T, newStore NewStoreFunc) {
	t.Run("Inherited", func(t *testing.T) { attributionInherited(t, newStore) })
	t.Run("Named", func(t *testing.T) { attributionNamed(t, newStore) })
	t.Run("CostCorrected", func(t *testing.T) { attributionCostCorrected(t, newStore) })
	t.Run("Undefined", func(t *testing.T) { attributionUndefined(t, newStore) })
	t.Run("RacingCorrections", func(t *testing.T) { attributionRacingCorrections(t, newStore) })
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
	assert.Equal(t, crm.CampaignCounts{Leads: 1, Opportunities: 1, Wins: 1, WonMinor: 2_000_000, Acquired: 1}, r.Counts)
	assert.Equal(t, "20000.00 USD", r.WonRevenue.String())
	require.NotNil(t, r.CAC)
	assert.Equal(t, "5000.00 USD", r.CAC.String())
	require.NotNil(t, r.ROI)
	assert.Equal(t, "3", r.ROI.String(), "(20000 - 5000) / 5000")
}

// attributionNamed: a deal that names a campaign is that campaign's, even
// for a customer another campaign brought, who counts as that one's
// acquisition once they win; a walk-in's deal has no campaign.
func attributionNamed(t *testing.T, newStore NewStoreFunc) {
	sc := newAttributionScene(t, newStore)
	ads, err := sc.Campaigns.Create(sc.ctx, sc.Admin.ID, crm.NewCampaign{Name: "Search ads", Channel: "search_ads", Currency: usd,
		Costs: []crm.CostLine{{Description: "clicks", Amount: crm.MoneyFromMinor(100_000, usd)}}})
	require.NoError(t, err)
	cu := sc.lead(t, "From the show", sc.show.ID)
	d := sc.open(t, cu.ID, ads.ID, 300_000)
	assert.Equal(t, ads.ID, d.Campaign, "the deal keeps the campaign it names")
	sc.win(t, d)
	sc.open(t, cu.ID, crm.ID{}, 50_000) // still open: an opportunity of the show's
	walkIn := sc.lead(t, "Walk-in", crm.ID{})
	plain := sc.win(t, sc.open(t, walkIn.ID, crm.ID{}, 70_000))
	assert.True(t, plain.Campaign.IsZero(), "no campaign brought the walk-in")

	assert.Equal(t, crm.CampaignCounts{Leads: 1, Opportunities: 1, Acquired: 1}, sc.report(t, sc.show.ID).Counts,
		"the show brought the customer, who was won on a deal of the ads'")
	r := sc.report(t, ads.ID)
	assert.Equal(t, crm.CampaignCounts{Opportunities: 1, Wins: 1, WonMinor: 300_000}, r.Counts)
	assert.Nil(t, r.CAC, "the ads acquired nobody: no acquisition cost, not a free one")
	assert.Nil(t, r.CostPerLead, "the ads brought no lead")
	require.NotNil(t, r.ROI)
	assert.Equal(t, "2", r.ROI.String(), "(3000 - 1000) / 1000")
}

// attributionCostCorrected: a cost line typed as 12,000.00 instead of
// 1,200.00 is reversed by a line that negates it and says why, and the
// right amount is added; a line is reversed once, a reversal is not
// reversed, and a plain negative cost stays refused. Refusals change
// nothing.
func attributionCostCorrected(t *testing.T, newStore NewStoreFunc) {
	sc := newAttributionScene(t, newStore)
	ctx, id := sc.ctx, sc.show.ID
	agency := crm.CostLine{Description: "agency", Amount: crm.MoneyFromMinor(1_200_000, usd), Date: day(2026, 3, 2)}
	cp, err := sc.Campaigns.AddCost(ctx, sc.Admin.ID, crm.AddCostRequest{Campaign: id, Line: agency})
	require.NoError(t, err)
	assert.Equal(t, "17000.00 USD", cp.Cost().String())

	_, err = sc.Campaigns.AddCost(ctx, sc.Admin.ID, crm.AddCostRequest{Campaign: id,
		Line: crm.CostLine{Description: "agency, less", Amount: crm.MoneyFromMinor(-1_080_000, usd)}})
	assert.ErrorIs(t, err, crm.ErrInvalid, "a negative cost line is refused")
	_, err = sc.Campaigns.AddCost(ctx, sc.Admin.ID, crm.AddCostRequest{Campaign: id,
		Line: crm.CostLine{Description: "agency", Amount: agency.Amount.Neg(), Reverses: 2, Reason: "typo"}})
	assert.ErrorIs(t, err, crm.ErrInvalid, "a reversal is made by CorrectCost, not added")
	correct := func(actor crm.ID, line int, reason string, ifVersion int64) error {
		_, err := sc.Campaigns.CorrectCost(ctx, actor, crm.CorrectCostRequest{Campaign: id, Line: line, Reason: reason, IfVersion: ifVersion})
		return err
	}
	assert.ErrorIs(t, correct(sc.Ann.ID, 2, "typo", 0), crm.ErrForbidden, "a rep does not configure campaigns")
	assert.ErrorIs(t, correct(sc.Admin.ID, 2, "", 0), crm.ErrInvalid, "the reason is required")
	assert.ErrorIs(t, correct(sc.Admin.ID, 0, "typo", 0), crm.ErrInvalid, "lines count from 1")
	assert.ErrorIs(t, correct(sc.Admin.ID, 3, "typo", 0), crm.ErrInvalid, "there is no line 3")
	assert.ErrorIs(t, correct(sc.Admin.ID, 2, "typo", cp.Version-1), crm.ErrConflict, "a stale version")
	got, err := sc.Campaigns.Get(ctx, sc.Admin.ID, id)
	require.NoError(t, err)
	assert.Equal(t, cp, got, "refusals change nothing")

	sc.Clock.Advance(24 * time.Hour)
	fixed, err := sc.Campaigns.CorrectCost(ctx, sc.Admin.ID, crm.CorrectCostRequest{Campaign: id, Line: 2,
		Reason: "typed 12,000.00 for 1,200.00", IfVersion: cp.Version})
	require.NoError(t, err)
	require.Len(t, fixed.Costs, 3)
	assert.Equal(t, crm.CostLine{Description: "agency", Amount: crm.MoneyFromMinor(-1_200_000, usd), Date: day(2026, 3, 2),
		Reverses: 2, Reason: "typed 12,000.00 for 1,200.00"}, fixed.Costs[2], "the reversing line negates line 2 on its date and says why")
	assert.Equal(t, "5000.00 USD", fixed.Cost().String())
	assert.Equal(t, cp.Version+1, fixed.Version)
	got, err = sc.Campaigns.Get(ctx, sc.Admin.ID, id)
	require.NoError(t, err)
	assert.Equal(t, fixed, got, "as stored")

	var reversed *crm.CostReversedError
	err = correct(sc.Admin.ID, 2, "again", 0)
	require.ErrorAs(t, err, &reversed, "a line is reversed once")
	assert.Equal(t, crm.CostReversedError{Campaign: id, Line: 2, Reversal: 3}, *reversed)
	assert.ErrorIs(t, err, crm.ErrReversed)
	assert.ErrorIs(t, correct(sc.Admin.ID, 3, "undo", 0), crm.ErrInvalid, "a reversing line is not itself reversed")
	_, err = sc.Campaigns.AddCost(ctx, sc.Admin.ID, crm.AddCostRequest{Campaign: id,
		Line: crm.CostLine{Description: "agency", Amount: crm.MoneyFromMinor(120_000, usd), Date: day(2026, 3, 2)}})
	require.NoError(t, err)
	assert.Equal(t, "6200.00 USD", sc.report(t, id).Cost.String())

	var corrections []crm.Event
	for ev, err := range sc.Events.List(ctx, sc.Admin.ID, 0) {
		require.NoError(t, err)
		if ev.Type == crm.CampaignCostCorrected {
			corrections = append(corrections, ev)
		}
	}
	require.Len(t, corrections, 1, "each correction is an event")
	assert.Equal(t, id, corrections[0].Subject)
	assert.Equal(t, fixed.Version, corrections[0].Version)
	cs, err := crm.DecodeChangeSet(corrections[0].Data)
	require.NoError(t, err)
	assert.Equal(t, "typed 12,000.00 for 1,200.00", cs.Reason)
	assert.Contains(t, cs.Changes, crm.Change{Field: "cost", From: "17000.00 USD", To: "5000.00 USD"})
	assert.Contains(t, cs.Changes, crm.Change{Field: "reversed_line", To: float64(2)})
}

// attributionUndefined: with no lead there is no cost per lead, with
// nobody acquired no CAC, with no cost no ROI; each is left out of the
// JSON rather than written as zero. A cost that brought leads and no win
// is defined: the full cost per lead and an ROI of -1.
func attributionUndefined(t *testing.T, newStore NewStoreFunc) {
	sc := newAttributionScene(t, newStore)
	free, err := sc.Campaigns.Create(sc.ctx, sc.Admin.ID, crm.NewCampaign{Name: "Word of mouth", Currency: usd})
	require.NoError(t, err)
	r := sc.report(t, free.ID)
	assert.Nil(t, r.CostPerLead)
	assert.Nil(t, r.CAC)
	assert.Nil(t, r.ROI)
	raw, err := json.Marshal(r)
	require.NoError(t, err)
	for _, key := range []string{"cost_per_lead", "cac", "roi"} {
		assert.NotContains(t, string(raw), `"`+key+`"`)
	}

	sc.lead(t, "Visitor", sc.show.ID)
	sc.lead(t, "Another visitor", sc.show.ID)
	r = sc.report(t, sc.show.ID)
	require.NotNil(t, r.CostPerLead)
	assert.Equal(t, "2500.00 USD", r.CostPerLead.String())
	assert.Nil(t, r.CAC, "nobody acquired yet")
	require.NotNil(t, r.ROI)
	assert.Equal(t, "-1", r.ROI.String(), "the whole cost lost so far")

	sc.lead(t, "Friend", free.ID)
	r = sc.report(t, free.ID)
	require.NotNil(t, r.CostPerLead)
	assert.True(t, r.CostPerLead.IsZero(), "a lead at no cost is free indeed")
	assert.Nil(t, r.ROI)
}

// attributionRacingCorrections: many correcting one line at once, while
// others add costs, reverse it once; the rest are told it was reversed
// already, and no cost added is lost.
func attributionRacingCorrections(t *testing.T, newStore NewStoreFunc) {
	sc := newAttributionScene(t, newStore)
	ctx, id := sc.ctx, sc.show.ID
	_, err := sc.Campaigns.AddCost(ctx, sc.Admin.ID, crm.AddCostRequest{Campaign: id,
		Line: crm.CostLine{Description: "agency", Amount: crm.MoneyFromMinor(1_200_000, usd)}})
	require.NoError(t, err)
	const correctors, adders = 6, 4
	errs := race(correctors+adders, func(i int) error {
		if i < correctors {
			_, err := sc.Campaigns.CorrectCost(ctx, sc.Admin.ID, crm.CorrectCostRequest{Campaign: id, Line: 2, Reason: fmt.Sprintf("typo %d", i)})
			return err
		}
		_, err := sc.Campaigns.AddCost(ctx, sc.Admin.ID, crm.AddCostRequest{Campaign: id,
			Line: crm.CostLine{Description: fmt.Sprintf("coffee %d", i), Amount: crm.MoneyFromMinor(100, usd)}})
		return err
	})
	won := 0
	for i, err := range errs {
		if i >= correctors {
			require.NoError(t, err, "adding a cost")
			continue
		}
		if err == nil {
			won++
			continue
		}
		require.ErrorIs(t, err, crm.ErrReversed)
	}
	assert.Equal(t, 1, won, "one correction succeeds")
	cp, err := sc.Campaigns.Get(ctx, sc.Admin.ID, id)
	require.NoError(t, err)
	require.Len(t, cp.Costs, 3+adders)
	reversals := 0
	for _, l := range cp.Costs {
		if l.Reverses != 0 {
			reversals++
			assert.Equal(t, 2, l.Reverses)
		}
	}
	assert.Equal(t, 1, reversals)
	assert.Equal(t, "5004.00 USD", cp.Cost().String(), "the booth and four coffees")
	assert.Equal(t, int64(3+adders), cp.Version)
}
