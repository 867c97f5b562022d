package crm_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/memory"
)

// A pipeline compiles into a DealFlow that moves deals through its stages.
// A deal's probability follows its stage until set by hand; a hand-set
// probability holds until cleared or until the next stage change, which
// resets it to the new stage's (as Salesforce does), and a won deal is 100.
func ExamplePipeline_Flow() {
	usd, _ := crm.ParseCurrency("USD")
	flow, err := crm.Pipeline{Name: "New business", Currency: usd, Stages: crm.DefaultStages()}.Flow()
	if err != nil {
		fmt.Println(err)
		return
	}
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	ann := crm.User{ID: crm.ID{1}, Name: "Ann", Role: crm.RoleRep, Team: "north", Active: true}
	amount, _ := crm.ParseMoney("25000.00", "USD")
	closing, _ := crm.ParseDate("2026-05-29")
	d, _ := flow.Open(crm.ID{2}, crm.NewDeal{Customer: crm.ID{3}, Title: "Fleet renewal", Amount: amount, CloseDate: closing}, ann, now)
	fmt.Println(d.Stage, d.Probability)

	_ = flow.Move(&d, "qualification", now.AddDate(0, 0, 3))
	fmt.Println(d.Stage, d.Probability)

	// AllowSkip is false: jumping over proposal is refused, and the deal is unchanged.
	err = flow.Move(&d, "negotiation", now.AddDate(0, 0, 4))
	var refused *crm.TransitionError
	fmt.Println(errors.Is(err, crm.ErrInvalidTransition), errors.As(err, &refused), refused.From, "| still", d.Stage)
	fmt.Println(err)

	sixty := 60
	_ = flow.SetProbability(&d, &sixty)
	fmt.Println(d.Stage, d.Probability, "(set by hand)")
	_ = flow.Move(&d, "proposal", now.AddDate(0, 0, 5))
	fmt.Println(d.Stage, d.Probability, "(the new stage's)")

	// Won at the amount actually signed, on the day it was signed.
	signed, _ := crm.ParseMoney("24000.00", "USD")
	_ = flow.Win(&d, signed, now.AddDate(0, 0, 9))
	fmt.Println(d.Status, d.Stage, d.Probability, d.Amount, d.CloseDate)
	// Output:
	// prospecting 10
	// qualification 20
	// true true qualification | still qualification
	// crm: pipeline New business: cannot move to negotiation from qualification: the pipeline does not allow skipping stages
	// qualification 60 (set by hand)
	// proposal 50 (the new stage's)
	// won won 100 24000.00 USD 2026-03-11
}

// A deal is lost only with one of the LostReasons; a lost deal is 0 and
// can no longer move. Reopen brings it back to the open stage it left
// (through the CRM, ReopenDeal is a manager's or an admin's call).
func ExampleDealFlow_Lose() {
	usd, _ := crm.ParseCurrency("USD")
	flow, _ := crm.Pipeline{Name: "New business", Currency: usd, Stages: crm.DefaultStages()}.Flow()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	d, _ := flow.Open(crm.ID{2}, crm.NewDeal{Customer: crm.ID{3}, Title: "Fleet renewal", Stage: "qualification"}, crm.User{ID: crm.ID{1}}, now)

	err := flow.Lose(&d, "", "they went quiet", now.AddDate(0, 0, 7))
	var bad *crm.ValidationError
	fmt.Println(errors.Is(err, crm.ErrInvalid), errors.As(err, &bad), bad.Field, bad.Rule, "| still", d.Status)

	_ = flow.Lose(&d, crm.LostPricing, "a competitor offered 20% less", now.AddDate(0, 0, 7))
	fmt.Println(d.Status, d.Probability, d.LostReason, "-", d.LostNotes)
	fmt.Println(flow.Move(&d, "proposal", now.AddDate(0, 0, 8)))

	_ = flow.Reopen(&d, now.AddDate(0, 1, 0))
	var stages []string
	for _, v := range d.History {
		stages = append(stages, v.Stage)
	}
	fmt.Println(d.Status, d.Stage, d.Probability, d.LostReason == "", stages)
	// Output:
	// true true lost_reason required | still open
	// lost 0 pricing - a competitor offered 20% less
	// crm: deal: cannot move from lost
	// open qualification 20 true [qualification lost qualification]
}

// The deal machine is an explicit table; Mermaid draws it, each move
// preceded by a comment saying who makes it, when and why.
func ExampleDealMachine() {
	m := crm.DealMachine()
	fmt.Println(m.Events(crm.DealOpen), m.Can(crm.DealWon, crm.DealLoseEvent))
	fmt.Print(m.Mermaid())
	// Output:
	// [move update set_probability win lose] false
	// stateDiagram-v2
	//     [*] --> open
	//     %% who: the deal's owner, a manager of the team, or an admin; when: the deal progresses, as the pipeline's stage machine allows; why: the stage says how likely the deal is to close and what it still needs
	//     open --> open: move
	//     %% who: the deal's owner, a manager of the team, or an admin; when: the title, amount or expected close date changes; why: a closed deal's figures are history: they change only by a correction
	//     open --> open: update
	//     %% who: the deal's owner, a manager of the team, or an admin; when: the owner knows better than the stage; the next stage change resets it; why: a won deal is 100 and a lost one 0, whatever was set by hand
	//     open --> open: set_probability
	//     %% who: the deal's owner or a manager; when: the customer signs; why: a won deal makes a customer and counts at its actual amount
	//     open --> won: win
	//     %% who: the deal's owner or a manager; when: the customer says no; a reason is required; why: lost reasons show what to fix
	//     open --> lost: lose
	//     %% who: a manager or an admin; when: the signature falls through; why: the history keeps the earlier win
	//     won --> open: reopen
	//     %% who: a manager or an admin; when: the customer comes back; why: the history keeps the earlier loss and its reason
	//     lost --> open: reopen
	//     %% who: a manager of the team or an admin; when: the win was recorded late or at the wrong amount; a reason is required; why: reports count a win on the day it happened, at what was signed
	//     won --> won: correct
	//     %% who: a manager of the team or an admin; when: the loss was recorded late; a reason is required; why: reports count a loss on the day it happened
	//     lost --> lost: correct
}

// A pipeline's stage machine lists the moves each stage allows: the next
// stage, win and lose, back to earlier stages with AllowBack (and over
// stages with AllowSkip); a closed deal reopens in the stage it left.
func ExamplePipeline_StageMachine() {
	usd, _ := crm.ParseCurrency("USD")
	p := crm.Pipeline{Name: "New business", Currency: usd, Stages: crm.DefaultStages(), AllowBack: true}
	m, err := p.StageMachine()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range p.Stages {
		fmt.Println(s.Key, m.Events(s.Key))
	}
	// Output:
	// prospecting [qualification win lose]
	// qualification [prospecting proposal win lose]
	// proposal [prospecting qualification negotiation win lose]
	// negotiation [prospecting qualification proposal win lose]
	// won [reopen:prospecting reopen:qualification reopen:proposal reopen:negotiation]
	// lost [reopen:prospecting reopen:qualification reopen:proposal reopen:negotiation]
}

// A campaign's report counts its leads and the revenue of the deals won
// from it. The cost is counted once, however many deals were won: ROI is
// (won revenue - cost) / cost, and CAC is the cost per customer acquired.
func ExampleCampaignService_Report() {
	ctx, t := context.Background(), newExampleSales()
	c, clock, admin, max, ann, usd, pipeline := t.c, t.clock, t.admin, t.max, t.ann, t.usd, t.pipeline

	booth, _ := crm.ParseMoney("3000.00", "USD")
	show, _ := c.Campaigns.Create(ctx, admin.ID, crm.NewCampaign{Name: "Trade show", Channel: "trade_show", Currency: usd,
		Costs: []crm.CostLine{{Description: "booth", Amount: booth}}})
	// Every cost is in the campaign's currency.
	hotel, _ := crm.ParseMoney("800.00", "EUR")
	_, err := c.Campaigns.AddCost(ctx, admin.ID, crm.AddCostRequest{Campaign: show.ID, Line: crm.CostLine{Description: "hotel", Amount: hotel}})
	fmt.Println("a cost in EUR:", errors.Is(err, crm.ErrCurrencyMismatch))
	travel, _ := crm.ParseMoney("1000.00", "USD")
	_, _ = c.Campaigns.AddCost(ctx, admin.ID, crm.AddCostRequest{Campaign: show.ID, Line: crm.CostLine{Description: "travel", Amount: travel}})

	// Three leads came from the show; two of them signed.
	for i, name := range []string{"Initech", "Hooli", "Globex"} {
		lead, _ := c.Customers.Create(ctx, ann.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: name, Campaign: show.ID})
		if i == 2 {
			continue
		}
		amount, _ := crm.ParseMoney("6000.00", "USD")
		d, _ := c.Deals.Open(ctx, ann.ID, crm.NewDeal{Pipeline: pipeline.ID, Customer: lead.ID, Title: name + " fleet",
			Amount: amount, Campaign: show.ID})
		clock.Advance(24 * time.Hour)
		_, _ = c.Deals.Win(ctx, ann.ID, crm.WinDealRequest{Deal: d.ID})
	}

	r, err := c.Campaigns.Report(ctx, max.ID, show.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("cost", r.Cost, "for", r.Counts.Leads, "leads:", r.CostPerLead, "per lead")
	fmt.Println("won", r.Counts.Wins, "deals for", r.WonRevenue, "- ROI", r.ROI)
	fmt.Println(r.Counts.Acquired, "customers acquired: CAC", r.CAC)
	// Output:
	// a cost in EUR: true
	// cost 4000.00 USD for 3 leads: 1333.33 USD per lead
	// won 2 deals for 12000.00 USD - ROI 2
	// 2 customers acquired: CAC 2000.00 USD
}

// A work report replaces the status meeting: a rep's activities in a
// period by type, the visits that do not count (no outcome or no next
// step), the follow-ups let slip, the deals lost and the deals rotting.
func ExampleActivityService_WorkReport() {
	ctx, t := context.Background(), newExampleSales()
	c, clock, ann, pipeline := t.c, t.clock, t.ann, t.pipeline
	globex, _ := c.Customers.Create(ctx, ann.ID, crm.NewCustomer{Kind: crm.Distributor, Name: "Globex", KeyAccount: true})
	hooli, _ := c.Customers.Create(ctx, ann.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: "Hooli"})
	big, _ := c.Deals.Open(ctx, ann.ID, crm.NewDeal{Pipeline: pipeline.ID, Customer: globex.ID, Title: "Globex fleet"})
	_, _ = c.Deals.Open(ctx, ann.ID, crm.NewDeal{Pipeline: pipeline.ID, Customer: hooli.ID, Title: "Hooli pilot"})

	clock.Advance(10 * 24 * time.Hour) // 12 March
	today := crm.DateOf(clock.Now())
	for _, a := range []crm.NewActivity{
		{Type: crm.ActivityVisit, Customer: globex.ID, Deal: big.ID, Subject: "site visit",
			Outcome: "demo went well", NextStep: "send a proposal", FollowUp: today.AddDays(2)},
		{Type: crm.ActivityVisit, Customer: hooli.ID, Subject: "drop-in"}, // no outcome, no next step
		{Type: crm.ActivityCall, Customer: hooli.ID, Subject: "intro call", FollowUp: today.AddDays(1)},
		{Type: crm.ActivityEmail, Customer: hooli.ID, Subject: "price list"},
	} {
		if _, err := c.Activities.Log(ctx, ann.ID, a); err != nil {
			fmt.Println(err)
		}
	}
	clock.Advance(6 * 24 * time.Hour) // 18 March: both follow-ups are past
	upsell, _ := c.Deals.Open(ctx, ann.ID, crm.NewDeal{Pipeline: pipeline.ID, Customer: hooli.ID, Title: "Hooli upsell"})
	_, _ = c.Deals.Lose(ctx, ann.ID, crm.LoseDealRequest{Deal: upsell.ID, Reason: crm.LostBudget, Notes: "no budget this year"})

	q := crm.WorkQuery{Owner: ann.ID, From: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
		To: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), Today: crm.DateOf(clock.Now())}
	r, err := c.Activities.WorkReport(ctx, ann.ID, q)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("activities:", r.Counts.ByType)
	fmt.Println("invalid visits:", r.Counts.InvalidVisits, "| overdue follow-ups:", r.Counts.Overdue,
		"| key accounts touched:", r.Counts.KeyAccountsTouched)
	fmt.Println("won:", r.Won, "| lost:", r.Lost)
	// Idle days run from the last activity or stage change to the start of
	// Today: the visit restarted the Globex deal's clock, not Hooli's.
	for _, rd := range r.Rotting {
		fmt.Printf("rotting: %s, idle %d days in %s (limit %d)\n", rd.Deal.Title, rd.IdleDays, rd.Deal.Stage, rd.Limit)
	}
	// Output:
	// activities: [{call 1} {email 1} {visit 2}]
	// invalid visits: 1 | overdue follow-ups: 2 | key accounts touched: 1
	// won: 0 | lost: 1
	// rotting: Hooli pilot, idle 15 days in prospecting (limit 14)
}

// The funnel as it stands shows the open deals of each stage at their
// value and weighted by probability; the forecast puts them in the month
// they are expected to close, won deals at their actual amount in the
// month they closed, and leaves lost deals out.
func ExampleDealService_Forecast() {
	ctx, t := context.Background(), newExampleSales()
	c, max, ann, pipeline := t.c, t.max, t.ann, t.pipeline
	acme, _ := c.Customers.Create(ctx, ann.ID, crm.NewCustomer{Kind: crm.Distributor, Name: "Acme"})

	deal := func(title, amount, closes string, stages ...string) crm.Deal {
		m, _ := crm.ParseMoney(amount, "USD")
		expected, _ := crm.ParseDate(closes)
		d, err := c.Deals.Open(ctx, ann.ID, crm.NewDeal{Pipeline: pipeline.ID, Customer: acme.ID, Title: title, Amount: m, CloseDate: expected})
		for _, s := range stages {
			if err == nil {
				d, err = c.Deals.Move(ctx, ann.ID, crm.MoveDealRequest{Deal: d.ID, Stage: s})
			}
		}
		if err != nil {
			fmt.Println(err)
		}
		return d
	}
	deal("Depot", "10000.00", "2026-04-15", "qualification", "proposal")
	deal("Vans", "20000.00", "2026-05-20", "qualification")
	trucks := deal("Trucks", "90000.00", "2026-04-30") // lost: out of the funnel and the forecast
	_, _ = c.Deals.Lose(ctx, ann.ID, crm.LoseDealRequest{Deal: trucks.ID, Reason: crm.LostCompetition})
	parts := deal("Parts", "7000.00", "2026-03-31", "qualification", "proposal", "negotiation") // won today, at 7500
	signed, _ := crm.ParseMoney("7500.00", "USD")
	_, _ = c.Deals.Win(ctx, ann.ID, crm.WinDealRequest{Deal: parts.ID, Amount: ptr(signed)})

	q := crm.SalesQuery{Pipeline: pipeline.ID}
	funnel, _ := c.Deals.Funnel(ctx, max.ID, q)
	fmt.Println(funnel.Title)
	for _, s := range funnel.Stages {
		fmt.Printf("  %-13s %d deal(s) %12s, weighted %12s\n", s.Name, s.Deals, s.Value, s.Weighted)
	}
	lines, _ := c.Deals.Forecast(ctx, max.ID, q)
	for _, l := range lines {
		fmt.Printf("%s %-9s %d deal(s) %12s, weighted %12s\n", l.Month, l.Category, l.Deals, l.Amount, l.Weighted)
	}
	// Output:
	// New business: open deals by stage
	//   Prospecting   0 deal(s)     0.00 USD, weighted     0.00 USD
	//   Qualification 1 deal(s) 20000.00 USD, weighted  4000.00 USD
	//   Proposal      1 deal(s) 10000.00 USD, weighted  5000.00 USD
	//   Negotiation   0 deal(s)     0.00 USD, weighted     0.00 USD
	// 2026-03 closed    1 deal(s)  7500.00 USD, weighted  7500.00 USD
	// 2026-04 best_case 1 deal(s) 10000.00 USD, weighted  5000.00 USD
	// 2026-05 pipeline  1 deal(s) 20000.00 USD, weighted  4000.00 USD
}

// exampleSales is the company of the sales examples: a CRM on a memory store
// with a manual clock at 2026-03-02 09:00 UTC, admin Ada, the north team's
// manager Max and rep Ann, and a "New business" pipeline in US dollars with
// the default stages.
type exampleSales struct {
	c               *crm.CRM
	clock           *crm.ManualClock
	admin, max, ann crm.User
	usd             crm.Currency
	pipeline        crm.Pipeline
}

func newExampleSales() exampleSales {
	ctx := context.Background()
	t := exampleSales{clock: crm.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))}
	t.c, _ = crm.New(memory.New(), crm.WithClock(t.clock))
	t.admin, _ = t.c.Users.Bootstrap(ctx, crm.NewUser{Name: "Ada"})
	t.max, _ = t.c.Users.Create(ctx, t.admin.ID, crm.NewUser{Name: "Max", Role: crm.RoleManager, Team: "north"})
	t.ann, _ = t.c.Users.Create(ctx, t.admin.ID, crm.NewUser{Name: "Ann", Role: crm.RoleRep, Team: "north"})
	t.usd, _ = crm.ParseCurrency("USD")
	t.pipeline, _ = t.c.Deals.CreatePipeline(ctx, t.admin.ID, crm.NewPipeline{Name: "New business", Currency: t.usd})
	return t
}
