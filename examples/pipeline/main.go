// Pipeline plays a sales team's quarter on crmkit: deals moving through
// the stages, one lost with its reason, one left to rot, a win entered
// days after the signature and dated the day it was signed, a rep leaving
// with everything he owned handed over to a colleague, quotas and their
// attainment, a campaign's
// return on its cost, a rep's work report without a meeting, the funnel
// as it stood at the end of last month, and the funnel chart written as
// funnel.svg.
//
//	go run ./examples/pipeline [-db file.db] [-svg funnel.svg]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/examples/internal/tempdb"
	"github.com/crmkit/crm/store/sqlite"
)

func main() {
	dbPath := flag.String("db", "", "SQLite file (default: a new file in a temporary directory)")
	svgPath := flag.String("svg", "", "where to write the funnel chart as SVG (default: not written)")
	flag.Parse()
	if err := run(context.Background(), *dbPath, *svgPath); err != nil {
		fmt.Fprintln(os.Stderr, "pipeline:", err)
		os.Exit(1)
	}
}

const day = 24 * time.Hour

// quarter is the simulation: a clock that moves, a CRM, and the team.
type quarter struct {
	ctx                  context.Context
	crm                  *crm.CRM
	clock                *crm.ManualClock
	admin, max, ann, ben crm.User
	pipeline             crm.Pipeline
	show                 crm.Campaign
	names                map[crm.ID]string
}

func run(ctx context.Context, path, svgPath string) error {
	path, remove, err := tempdb.Path(path, "sales.db")
	if err != nil {
		return err
	}
	defer remove()
	store, err := sqlite.Open(ctx, path)
	if err != nil {
		return err
	}
	defer store.Close()
	clock := crm.NewManualClock(time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC))
	c, err := crm.New(store, crm.WithClock(clock))
	if err != nil {
		return err
	}
	q := &quarter{ctx: ctx, crm: c, clock: clock, names: map[crm.ID]string{}}
	if err := q.setUp(); err != nil {
		return err
	}
	fmt.Printf("Q1 2026 of the north team on crmkit (SQLite: %s)\n\n", path)
	if err := q.play(); err != nil {
		return err
	}
	return q.report(svgPath)
}

func (q *quarter) setUp() error {
	var err error
	if q.admin, err = q.crm.Users.Bootstrap(q.ctx, crm.NewUser{Name: "Ada Admin"}); err != nil {
		return err
	}
	for _, u := range []struct {
		to   *crm.User
		name string
		role crm.Role
	}{{&q.max, "Max Manager", crm.RoleManager}, {&q.ann, "Ann Rep", crm.RoleRep}, {&q.ben, "Ben Rep", crm.RoleRep}} {
		if *u.to, err = q.crm.Users.Create(q.ctx, q.admin.ID, crm.NewUser{Name: u.name, Role: u.role, Team: "north"}); err != nil {
			return err
		}
		q.names[u.to.ID] = u.name
	}
	usd, _ := crm.ParseCurrency("USD")
	if q.pipeline, err = q.crm.Deals.CreatePipeline(q.ctx, q.admin.ID, crm.NewPipeline{Name: "New business", Currency: usd}); err != nil {
		return err
	}
	q1 := crm.FiscalPeriod{Year: 2026, Quarter: 1}
	for _, quota := range []crm.SetQuotaRequest{
		{Pipeline: q.pipeline.ID, Team: "north", Period: q1, Amount: usdAmount("150000.00"), Reason: "Q1 plan"},
		{Pipeline: q.pipeline.ID, Owner: q.ann.ID, Period: q1, Amount: usdAmount("90000.00"), Reason: "Q1 plan"},
		{Pipeline: q.pipeline.ID, Owner: q.ben.ID, Period: q1, Amount: usdAmount("60000.00"), Reason: "Q1 plan"},
	} {
		if _, err := q.crm.Deals.SetQuota(q.ctx, q.max.ID, quota); err != nil {
			return err
		}
	}
	q.show, err = q.crm.Campaigns.Create(q.ctx, q.admin.ID, crm.NewCampaign{Name: "Logistics trade show", Channel: "trade_show",
		Currency: usd, Budget: usdAmount("15000.00"), Start: crm.Date{Year: 2026, Month: 1, Day: 12}, End: crm.Date{Year: 2026, Month: 1, Day: 14},
		Costs: []crm.CostLine{{Description: "booth", Amount: usdAmount("8000.00")}, {Description: "travel", Amount: usdAmount("2400.00")}}})
	return err
}

func usdAmount(s string) crm.Money {
	m, _ := crm.ParseMoney(s, "USD")
	return m
}

func (q *quarter) play() error {
	var (
		deals = map[string]crm.Deal{}
		err   error
	)
	customer := func(name string, rep crm.User, key bool, fromShow bool) (crm.Customer, error) {
		n := crm.NewCustomer{Kind: crm.Distributor, Name: name, KeyAccount: key}
		if fromShow {
			n.Campaign = q.show.ID
		}
		cu, err := q.crm.Customers.Create(q.ctx, rep.ID, n)
		q.names[cu.ID] = name
		return cu, err
	}
	open := func(rep crm.User, cu crm.Customer, title, amount string, fromShow bool) error {
		n := crm.NewDeal{Pipeline: q.pipeline.ID, Customer: cu.ID, Title: title, Amount: usdAmount(amount),
			CloseDate: crm.DateOf(q.clock.Now().Add(60 * day))}
		if fromShow {
			n.Campaign = q.show.ID
		}
		d, err := q.crm.Deals.Open(q.ctx, rep.ID, n)
		deals[title] = d
		return err
	}
	move := func(rep crm.User, title string, stages ...string) error {
		for _, s := range stages {
			d, err := q.crm.Deals.Move(q.ctx, rep.ID, crm.MoveDealRequest{Deal: deals[title].ID, Stage: s})
			if err != nil {
				return fmt.Errorf("%s to %s: %w", title, s, err)
			}
			deals[title] = d
		}
		return nil
	}
	log := func(rep crm.User, cu crm.Customer, title string, a crm.NewActivity) error {
		a.Customer, a.Deal = cu.ID, deals[title].ID
		_, err := q.crm.Activities.Log(q.ctx, rep.ID, a)
		return err
	}

	fmt.Println("January: the trade show brings three distributors; Ann and Ben open deals.")
	northwind, err := customer("Northwind Logistics", q.ann, true, true)
	if err != nil {
		return err
	}
	globex, err := customer("Globex Freight", q.ann, false, true)
	if err != nil {
		return err
	}
	initech, err := customer("Initech Cargo", q.ben, false, true)
	if err != nil {
		return err
	}
	umbrella, err := customer("Umbrella Transport", q.ben, false, false)
	if err != nil {
		return err
	}
	for _, d := range []struct {
		rep    crm.User
		cu     crm.Customer
		title  string
		amount string
		show   bool
	}{
		{q.ann, northwind, "Northwind fleet telematics", "84000.00", true},
		{q.ann, globex, "Globex route planning", "26000.00", true},
		{q.ben, initech, "Initech warehouse sensors", "41000.00", true},
		{q.ben, umbrella, "Umbrella pilot", "12000.00", false},
	} {
		if err := open(d.rep, d.cu, d.title, d.amount, d.show); err != nil {
			return err
		}
	}
	q.clock.Advance(9 * day)
	if err := log(q.ann, northwind, "Northwind fleet telematics", crm.NewActivity{Type: crm.ActivityVisit, Subject: "site visit in Rotterdam",
		Outcome: "ops director wants a pilot", NextStep: "send the proposal", FollowUp: crm.DateOf(q.clock.Now().Add(3 * day))}); err != nil {
		return err
	}
	if err := move(q.ann, "Northwind fleet telematics", "qualification", "proposal"); err != nil {
		return err
	}
	if err := log(q.ben, initech, "Initech warehouse sensors", crm.NewActivity{Type: crm.ActivityVisit, Subject: "visit"}); err != nil {
		return err // a visit without outcome or next step: it will show as invalid
	}
	if err := move(q.ben, "Initech warehouse sensors", "qualification"); err != nil {
		return err
	}
	if err := move(q.ann, "Globex route planning", "qualification"); err != nil {
		return err
	}

	fmt.Println("February: Northwind negotiates; Initech is lost on price; Umbrella is forgotten.")
	q.clock.Advance(20 * day)
	if err := log(q.ann, northwind, "Northwind fleet telematics", crm.NewActivity{Type: crm.ActivityMeeting, Subject: "pricing workshop",
		Outcome: "agreed on 3-year terms", NextStep: "contract draft"}); err != nil {
		return err
	}
	if err := move(q.ann, "Northwind fleet telematics", "negotiation"); err != nil {
		return err
	}
	if _, err := q.crm.Deals.Lose(q.ctx, q.ben.ID, crm.LoseDealRequest{Deal: deals["Initech warehouse sensors"].ID, Reason: crm.LostPricing, Notes: "went with a cheaper local vendor"}); err != nil {
		return err
	}
	if err := move(q.ann, "Globex route planning", "proposal"); err != nil {
		return err
	}

	fmt.Println("March: Northwind signed on the 6th (Ann enters it on the 10th, dated the 6th); Globex waits for budget.")
	q.clock.Advance(35 * day)
	won, err := q.crm.Deals.Win(q.ctx, q.ann.ID, crm.WinDealRequest{Deal: deals["Northwind fleet telematics"].ID, Amount: new(usdAmount("79500.00")),
		WonOn: crm.Date{Year: 2026, Month: 3, Day: 6}})
	if err != nil {
		return err
	}
	fmt.Printf("  %s won on %s, recorded %s\n", won.Title, won.CloseDate, crm.DateOf(won.ClosedAt))
	if _, err := q.crm.Activities.Log(q.ctx, q.ann.ID, crm.NewActivity{Type: crm.ActivityCall, Customer: globex.ID, Deal: deals["Globex route planning"].ID,
		Subject: "budget check", Outcome: "budget in Q2", NextStep: "call in April", FollowUp: crm.DateOf(q.clock.Now().Add(-2 * day))}); err != nil {
		return err
	}
	q.clock.Advance(2 * day)
	return q.benLeaves()
}

// benLeaves hands everything Ben owned to Ann before his account is
// deactivated: his customers, with their open deals and pending
// follow-ups; the deal he lost stays his, as history says who lost it.
func (q *quarter) benLeaves() error {
	fmt.Println("12 March: Ben leaves; Max hands his accounts over to Ann.")
	r, err := q.crm.Customers.HandOver(q.ctx, q.max.ID, crm.HandOverRequest{From: q.ben.ID, To: q.ann.ID, Reason: "Ben left the company"})
	if err != nil {
		return err
	}
	fmt.Printf("  moved: %d customers, %d open deals, %d follow-ups; stayed with Ben: %d closed deals\n",
		r.Moved.Customers, r.Moved.Deals, r.Moved.FollowUps, r.Stayed.Deals)
	for _, it := range r.StayedItems {
		fmt.Printf("  stayed: %s %q (%s)\n", it.Kind, it.Title, it.Reason)
	}
	_, err = q.crm.Users.Deactivate(q.ctx, q.admin.ID, crm.DeactivateUserRequest{User: q.ben.ID, Reason: "left the company"})
	return err
}

func (q *quarter) report(svgPath string) error {
	ctx, sq := q.ctx, crm.SalesQuery{Pipeline: q.pipeline.ID}
	fmt.Println("\nThe pipeline as it stands:")
	funnel, err := q.crm.Deals.Funnel(ctx, q.max.ID, sq)
	if err != nil {
		return err
	}
	printStages(funnel.Stages)
	endOfFebruary := crm.Date{Year: 2026, Month: 2, Day: 28}
	then, err := q.crm.Deals.FunnelAsOf(ctx, q.max.ID, sq, endOfFebruary)
	if err != nil {
		return err
	}
	fmt.Printf("\nThe pipeline as it stood at the end of February (%s), from the stage history:\n", then.AsOf)
	printStages(then.Stages)
	printStages(then.Closed)
	fmt.Println("\nForecast by month and category (lost deals excluded, won at their actual amount):")
	lines, err := q.crm.Deals.Forecast(ctx, q.max.ID, sq)
	if err != nil {
		return err
	}
	for _, l := range lines {
		fmt.Printf("  %s  %-10s %d deals  %14s  weighted %14s\n", l.Month, l.Category, l.Deals, l.Amount, l.Weighted)
	}
	att, err := q.crm.Deals.Attainment(ctx, q.max.ID, crm.AttainmentQuery{Pipeline: q.pipeline.ID, Period: crm.FiscalPeriod{Year: 2026, Quarter: 1}})
	if err != nil {
		return err
	}
	fmt.Printf("\nQuota attainment, %s to %s:\n", att.From, att.To)
	for _, a := range att.Lines {
		who, pct := "team "+a.Quota.Team, "no value"
		if !a.Quota.Owner.IsZero() {
			who = q.names[a.Quota.Owner]
		}
		if a.Percent != nil {
			pct = fmt.Sprintf("%.2f%%", *a.Percent)
		}
		fmt.Printf("  %-12s quota %14s  won %14s  %s\n", who, a.Quota.Amount, a.Won, pct)
	}
	kpi, err := q.crm.Deals.KPIs(ctx, q.max.ID, sq)
	if err != nil {
		return err
	}
	var lost []string
	for _, r := range kpi.LostReasons {
		lost = append(lost, fmt.Sprintf("%d on %s", r.Deals, r.Reason))
	}
	fmt.Printf("\nWin rate %.0f%%, average deal %s, sales cycle %d days, lost: %s\n",
		100*kpi.WinRate, kpi.AverageDealSize, int(kpi.SalesCycle.Hours()/24), strings.Join(lost, ", "))

	rotting, err := q.crm.Deals.Rotting(ctx, q.max.ID, crm.DealFilter{Pipeline: q.pipeline.ID})
	if err != nil {
		return err
	}
	for _, r := range rotting {
		fmt.Printf("Rotting: %s, idle %d days in %s (limit %d), owner %s\n", r.Deal.Title, r.IdleDays, r.Deal.Stage, r.Limit, q.names[r.Deal.Owner])
	}

	cr, err := q.crm.Campaigns.Report(ctx, q.max.ID, q.show.ID)
	if err != nil {
		return err
	}
	roi, cac := "none", "none" // no cost, or nobody acquired: no value, not zero
	if cr.ROI != nil {
		roi = cr.ROI.StringFixed(2)
	}
	if cr.CAC != nil {
		cac = cr.CAC.String()
	}
	fmt.Printf("\nCampaign %q: cost %s, %d leads, won %s, ROI %s, CAC %s\n", cr.Name, cr.Cost, cr.Counts.Leads, cr.WonRevenue, roi, cac)

	for _, rep := range []crm.User{q.ann, q.ben} {
		wr, err := q.crm.Activities.WorkReport(ctx, q.max.ID, crm.WorkQuery{Owner: rep.ID, Today: crm.DateOf(q.clock.Now())})
		if err != nil {
			return err
		}
		var done []string
		for _, c := range wr.Counts.ByType {
			done = append(done, fmt.Sprintf("%d %s", c.Activities, c.Type))
		}
		fmt.Printf("\nWork report of %s: activities %s, overdue follow-ups %d, invalid visits %d, key accounts touched %d, won %d, lost %d\n",
			rep.Name, strings.Join(done, ", "), wr.Counts.Overdue, wr.Counts.InvalidVisits, wr.Counts.KeyAccountsTouched, wr.Won, wr.Lost)
	}

	cohort, err := q.crm.Deals.CohortFunnel(ctx, q.max.ID, sq)
	if err != nil {
		return err
	}
	cohort.Title = "Q1 2026 · how far the north team's deals got"
	if svgPath == "" {
		fmt.Println("\nPass -svg funnel.svg to write the funnel chart.")
		return nil
	}
	if err := os.WriteFile(svgPath, cohort.SVG(), 0o644); err != nil {
		return err
	}
	fmt.Printf("\nFunnel chart written to %s\n", svgPath)
	return nil
}

// printStages prints a funnel's stages, one a line.
func printStages(stages []crm.FunnelStage) {
	for _, s := range stages {
		fmt.Printf("  %-14s %d deals  %14s  weighted %14s\n", s.Name, s.Deals, s.Value, s.Weighted)
	}
}
