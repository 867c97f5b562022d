package crm_test

import (
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type salesTeam struct {
	*company
	p crm.Pipeline
}

func newSalesTeam(t *testing.T) *salesTeam {
	t.Helper()
	co := newCompany(t)
	p, err := co.Deals.CreatePipeline(ctx, co.Admin.ID, crm.NewPipeline{Name: "New business", Currency: usd(t)})
	require.NoError(t, err)
	return &salesTeam{company: co, p: p}
}

func (s *salesTeam) deal(t *testing.T, owner crm.User, cu crm.Customer, amount string) crm.Deal {
	t.Helper()
	n := crm.NewDeal{Pipeline: s.p.ID, Customer: cu.ID, Title: cu.Name + " deal"}
	if amount != "" {
		n.Amount, n.CloseDate = money(t, amount, "USD"), crm.DateOf(s.Clock.Now().Add(30*day))
	}
	d, err := s.Deals.Open(ctx, owner.ID, n)
	require.NoError(t, err)
	return d
}

func (s *salesTeam) advance(t *testing.T, actor crm.User, d crm.Deal, stages ...string) crm.Deal {
	t.Helper()
	for _, st := range stages {
		var err error
		d, err = s.Deals.Move(ctx, actor.ID, crm.MoveDealRequest{Deal: d.ID, Stage: st})
		require.NoError(t, err)
	}
	return d
}

func TestPipelineConfiguration(t *testing.T) {
	s := newSalesTeam(t)
	assert.Len(t, s.p.Stages, 6, "the default stages")
	_, err := s.Deals.CreatePipeline(ctx, s.Manager.ID, crm.NewPipeline{Name: "Renewals", Currency: usd(t)})
	assert.ErrorIs(t, err, crm.ErrForbidden)
	p, err := s.Deals.UpdatePipeline(ctx, s.Admin.ID, crm.PipelinePatch{Pipeline: s.p.ID, AllowBack: ptr(true), IfVersion: 1})
	require.NoError(t, err)
	assert.True(t, p.AllowBack)
	_, err = s.Deals.UpdatePipeline(ctx, s.Admin.ID, crm.PipelinePatch{Pipeline: s.p.ID, AllowSkip: ptr(true), IfVersion: 1})
	assert.ErrorIs(t, err, crm.ErrConflict)
}

func TestDealLifecycleThroughTheCRM(t *testing.T) {
	s := newSalesTeam(t)
	cu := s.customer(t, s.Ann, "Initech")
	assert.Equal(t, crm.LifecycleLead, cu.Lifecycle)
	d := s.deal(t, s.Ann, cu, "")
	cu, err := s.Customers.Get(ctx, s.Ann.ID, cu.ID)
	require.NoError(t, err)
	assert.Equal(t, crm.LifecycleOpportunity, cu.Lifecycle, "a deal makes an opportunity")

	d = s.advance(t, s.Ann, d, "qualification", "proposal")
	before := s.head(t)
	_, err = s.Deals.Move(ctx, s.Ann.ID, crm.MoveDealRequest{Deal: d.ID, Stage: "negotiation"})
	var te *crm.TransitionError
	require.ErrorAs(t, err, &te)
	assert.Contains(t, te.Reason, "amount")
	assert.Equal(t, before, s.head(t), "nothing written")

	_, err = s.Deals.Update(ctx, s.Ann.ID, crm.DealPatch{Deal: d.ID, Amount: ptr(money(t, "100.00", "EUR"))})
	assert.ErrorIs(t, err, crm.ErrCurrencyMismatch)
	_, err = s.Deals.SetProbability(ctx, s.Ann.ID, crm.SetProbabilityRequest{Deal: d.ID, Probability: ptr(120)})
	assert.ErrorIs(t, err, crm.ErrInvalid)
	_, err = s.Deals.Move(ctx, s.Ben.ID, crm.MoveDealRequest{Deal: d.ID, Stage: "qualification"})
	assert.ErrorIs(t, err, crm.ErrNotFound, "Ben does not own the deal, nor see it")
	_, err = s.Deals.Lose(ctx, s.Ann.ID, crm.LoseDealRequest{Deal: d.ID})
	assert.ErrorIs(t, err, crm.ErrInvalid, "a lost deal needs a reason")
	assert.Equal(t, before, s.head(t), "nothing written by any of those")

	d, err = s.Deals.Update(ctx, s.Ann.ID, crm.DealPatch{Deal: d.ID, Amount: ptr(money(t, "48000.00", "USD")), CloseDate: ptr(date(t, "2026-04-30"))})
	require.NoError(t, err)
	d, err = s.Deals.SetProbability(ctx, s.Ann.ID, crm.SetProbabilityRequest{Deal: d.ID, Probability: ptr(65)})
	require.NoError(t, err)
	d = s.advance(t, s.Ann, d, "negotiation")
	assert.Equal(t, 80, d.Probability, "the stage change resets the hand-set probability")
	d, err = s.Deals.Win(ctx, s.Ann.ID, crm.WinDealRequest{Deal: d.ID, Amount: ptr(money(t, "45000.00", "USD"))})
	require.NoError(t, err)
	assert.Equal(t, 100, d.Probability)
	assert.Equal(t, "45000.00 USD", d.Amount.String())
	cu, err = s.Customers.Get(ctx, s.Ann.ID, cu.ID)
	require.NoError(t, err)
	assert.Equal(t, crm.LifecycleCustomer, cu.Lifecycle, "a won deal makes a customer")

	_, err = s.Deals.Reopen(ctx, s.Ann.ID, crm.ReopenDealRequest{Deal: d.ID, Reason: "signature fell through"})
	assert.ErrorIs(t, err, crm.ErrForbidden, "reopening is a manager's call")
	d, err = s.Deals.Reopen(ctx, s.Manager.ID, crm.ReopenDealRequest{Deal: d.ID, Reason: "signature fell through"})
	require.NoError(t, err)
	assert.Equal(t, "negotiation", d.Stage)
	cu, err = s.Customers.Get(ctx, s.Ann.ID, cu.ID)
	require.NoError(t, err)
	assert.Equal(t, crm.LifecycleCustomer, cu.Lifecycle, "the CRM never moves the lifecycle back")

	_, err = s.Customers.SetLifecycle(ctx, s.Ann.ID, crm.SetLifecycleRequest{Customer: cu.ID, Stage: crm.LifecycleSQL})
	assert.ErrorIs(t, err, crm.ErrInvalid, "going back needs a reason")
	cu, err = s.Customers.SetLifecycle(ctx, s.Ann.ID, crm.SetLifecycleRequest{Customer: cu.ID, Stage: crm.LifecycleSQL, Reason: "the contract was never signed"})
	require.NoError(t, err)
	assert.Equal(t, crm.LifecycleSQL, cu.Lifecycle)
}

func TestWorkReportAndRotting(t *testing.T) {
	s := newSalesTeam(t)
	key, err := s.Customers.Create(ctx, s.Ann.ID, crm.NewCustomer{Kind: crm.Distributor, Name: "Globex", KeyAccount: true})
	require.NoError(t, err)
	small := s.customer(t, s.Ann, "Hooli")
	idle := s.deal(t, s.Ann, small, "")
	busy := s.deal(t, s.Ann, key, "")
	s.Clock.Advance(10 * day)

	_, err = s.Activities.Log(ctx, s.Ann.ID, crm.NewActivity{Type: crm.ActivityVisit, Customer: key.ID, Deal: busy.ID,
		Subject: "site visit", Outcome: "demo went well", NextStep: "send proposal", FollowUp: crm.DateOf(s.Clock.Now().Add(2 * day))})
	require.NoError(t, err)
	_, err = s.Activities.Log(ctx, s.Ann.ID, crm.NewActivity{Type: crm.ActivityVisit, Customer: small.ID, Subject: "drop-in"})
	require.NoError(t, err)
	call, err := s.Activities.Log(ctx, s.Ann.ID, crm.NewActivity{Type: crm.ActivityCall, Customer: small.ID, Subject: "intro call",
		FollowUp: crm.DateOf(s.Clock.Now().Add(day))})
	require.NoError(t, err)
	_, err = s.Activities.Log(ctx, s.Ann.ID, crm.NewActivity{Type: crm.ActivityCall, Customer: small.ID, Deal: busy.ID, Subject: "x"})
	assert.ErrorIs(t, err, crm.ErrInvalid, "the deal belongs to another customer")
	s.Clock.Advance(6 * day) // 16 days after the deals opened

	lost := s.deal(t, s.Ann, small, "")
	_, err = s.Deals.Lose(ctx, s.Ann.ID, crm.LoseDealRequest{Deal: lost.ID, Reason: crm.LostBudget, Notes: "no budget this year"})
	require.NoError(t, err)

	q := crm.WorkQuery{Owner: s.Ann.ID, From: start, To: s.Clock.Now().Add(time.Hour), Today: crm.DateOf(s.Clock.Now())}
	report, err := s.Activities.WorkReport(ctx, s.Ann.ID, q)
	require.NoError(t, err, "a rep reads their own report")
	assert.Equal(t, []crm.TypeCount{{Type: crm.ActivityCall, Activities: 1}, {Type: crm.ActivityVisit, Activities: 2}}, report.Counts.ByType)
	assert.Equal(t, int64(1), report.Counts.InvalidVisits, "the drop-in had no outcome and no next step")
	assert.Equal(t, int64(2), report.Counts.Overdue)
	assert.Equal(t, int64(1), report.Counts.KeyAccountsTouched)
	assert.Equal(t, int64(1), report.Lost)
	require.Len(t, report.Rotting, 1, "only the idle deal rots: the visit restarted the other's clock")
	assert.Equal(t, idle.ID, report.Rotting[0].Deal.ID)
	assert.Equal(t, 15, report.Rotting[0].IdleDays, "whole days up to the start of Today")

	_, err = s.Activities.WorkReport(ctx, s.Ben.ID, q)
	assert.ErrorIs(t, err, crm.ErrForbidden, "not Ben's report")
	_, err = s.Activities.WorkReport(ctx, s.Manager.ID, crm.WorkQuery{Team: "north", Today: q.Today})
	assert.NoError(t, err, "the manager reads the team's")

	_, err = s.Activities.CompleteFollowUp(ctx, s.Ann.ID, crm.CompleteFollowUpRequest{Activity: call.ID})
	require.NoError(t, err)
	report, err = s.Activities.WorkReport(ctx, s.Ann.ID, q)
	require.NoError(t, err)
	assert.Equal(t, int64(1), report.Counts.Overdue)
}

func TestCampaignReport(t *testing.T) {
	s := newSalesTeam(t)
	cp, err := s.Campaigns.Create(ctx, s.Admin.ID, crm.NewCampaign{Name: "Trade show", Channel: "trade_show", Currency: usd(t),
		Budget: money(t, "5000.00", "USD"), Costs: []crm.CostLine{{Description: "booth", Amount: money(t, "3000.00", "USD")}}})
	require.NoError(t, err)
	_, err = s.Campaigns.AddCost(ctx, s.Admin.ID, crm.AddCostRequest{Campaign: cp.ID, Line: crm.CostLine{Description: "travel", Amount: money(t, "500.00", "EUR")}})
	assert.ErrorIs(t, err, crm.ErrCurrencyMismatch)
	_, err = s.Campaigns.AddCost(ctx, s.Admin.ID, crm.AddCostRequest{Campaign: cp.ID, Line: crm.CostLine{Description: "travel", Amount: money(t, "1000.00", "USD")}})
	require.NoError(t, err)

	var won []crm.Deal
	for i, name := range []string{"Lead A", "Lead B", "Lead C"} {
		cu, err := s.Customers.Create(ctx, s.Ann.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: name, Campaign: cp.ID})
		require.NoError(t, err)
		if i == 2 {
			continue
		}
		d, err := s.Deals.Open(ctx, s.Ann.ID, crm.NewDeal{Pipeline: s.p.ID, Customer: cu.ID, Title: name, Campaign: cp.ID,
			Amount: money(t, "6000.00", "USD"), CloseDate: date(t, "2026-04-01")})
		require.NoError(t, err)
		d, err = s.Deals.Win(ctx, s.Ann.ID, crm.WinDealRequest{Deal: d.ID})
		require.NoError(t, err)
		won = append(won, d)
	}
	r, err := s.Campaigns.Report(ctx, s.Manager.ID, cp.ID)
	require.NoError(t, err)
	assert.Equal(t, "4000.00 USD", r.Cost.String())
	assert.Equal(t, int64(3), r.Counts.Leads)
	assert.Equal(t, "1333.33 USD", r.CostPerLead.String())
	assert.Equal(t, "12000.00 USD", r.WonRevenue.String())
	assert.Len(t, won, 2, "Lead C never opened a deal")
	assert.Equal(t, int64(len(won)), r.Counts.Wins)
	assert.Equal(t, "2", r.ROI.String(), "(12000 - 4000) / 4000, the cost counted once however many deals were won")
	assert.Equal(t, "2000.00 USD", r.CAC.String())
	_, err = s.Campaigns.Report(ctx, s.Ann.ID, cp.ID)
	assert.ErrorIs(t, err, crm.ErrForbidden)
}

func TestFunnelAndForecast(t *testing.T) {
	s := newSalesTeam(t)
	cu := s.customer(t, s.Ann, "Acme")
	s.advance(t, s.Ann, s.deal(t, s.Ann, cu, "10000.00"), "qualification", "proposal") // 50%
	s.advance(t, s.Ann, s.deal(t, s.Ann, cu, "20000.00"), "qualification")             // 20%
	lost := s.deal(t, s.Ann, cu, "99999.00")
	_, err := s.Deals.Lose(ctx, s.Ann.ID, crm.LoseDealRequest{Deal: lost.ID, Reason: crm.LostCompetition})
	require.NoError(t, err)
	w := s.advance(t, s.Ann, s.deal(t, s.Ann, cu, "7000.00"), "qualification", "proposal", "negotiation")
	_, err = s.Deals.Win(ctx, s.Ann.ID, crm.WinDealRequest{Deal: w.ID, Amount: ptr(money(t, "7500.00", "USD"))})
	require.NoError(t, err)

	q := crm.SalesQuery{Pipeline: s.p.ID}
	f, err := s.Deals.Funnel(ctx, s.Manager.ID, q)
	require.NoError(t, err)
	require.Len(t, f.Stages, 4)
	assert.Equal(t, int64(1), f.Stages[1].Deals)
	assert.Equal(t, "20000.00 USD", f.Stages[1].Value.String())
	assert.Equal(t, "4000.00 USD", f.Stages[1].Weighted.String())
	assert.Equal(t, "5000.00 USD", f.Stages[2].Weighted.String())

	lines, err := s.Deals.Forecast(ctx, s.Manager.ID, q)
	require.NoError(t, err)
	var total int64
	for _, l := range lines {
		assert.NotEqual(t, crm.ForecastOmitted, l.Category, "lost deals are not in the forecast")
		total += l.Deals
	}
	assert.Equal(t, int64(3), total)
	assert.Equal(t, crm.ForecastClosed, lines[0].Category, "the won deal, this month")
	assert.Equal(t, "7500.00 USD", lines[0].Weighted.String(), "at its actual amount")

	cohort, err := s.Deals.CohortFunnel(ctx, s.Manager.ID, q)
	require.NoError(t, err)
	var reached []int64
	for _, st := range cohort.Stages {
		reached = append(reached, st.Deals)
	}
	assert.Equal(t, []int64{4, 3, 2, 1, 1}, reached, "prospecting, qualification, proposal, negotiation, won")

	kpi, err := s.Deals.KPIs(ctx, s.Manager.ID, q)
	require.NoError(t, err)
	assert.Equal(t, 0.5, kpi.WinRate)
	assert.Equal(t, "7500.00 USD", kpi.AverageDealSize.String())
	assert.Equal(t, []crm.ReasonCount{{Reason: crm.LostCompetition, Deals: 1}}, kpi.LostReasons)

	_, err = s.Deals.Funnel(ctx, s.Ann.ID, q)
	assert.ErrorIs(t, err, crm.ErrForbidden, "the whole pipeline is for managers")
	_, err = s.Deals.Funnel(ctx, s.Ann.ID, crm.SalesQuery{Pipeline: s.p.ID, Owner: s.Ann.ID})
	assert.NoError(t, err, "a rep sees their own funnel")
	svg := f.SVG()
	assert.Contains(t, string(svg), "<svg")
}

func TestAdvocateBecomesEvangelist(t *testing.T) {
	s := newSalesTeam(t)
	cu := s.customer(t, s.Ann, "Omar")
	for _, ev := range []crm.NewEvidence{
		{Kind: crm.EvidenceExperience, Sentiment: crm.VeryPositive, Resolved: true, Survey: crm.Survey{NPS: ptr(10)}},
		{Kind: crm.EvidenceExperience, Sentiment: crm.VeryPositive, Resolved: true},
		{Kind: crm.EvidencePurchase}, {Kind: crm.EvidencePurchase},
	} {
		ev.Customer = cu.ID
		_, err := s.Ladder.RecordEvidence(ctx, s.Ann.ID, ev)
		require.NoError(t, err)
	}
	got, err := s.Customers.Get(ctx, s.Ann.ID, cu.ID)
	require.NoError(t, err)
	assert.Equal(t, crm.LifecycleEvangelist, got.Lifecycle)
}
