package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/crmkit/crm"
)

// currencyOf returns the currency with the ISO 4217 code; the suite uses
// codes that exist.
func currencyOf(code string) crm.Currency {
	c, err := crm.ParseCurrency(code)
	if err != nil {
		panic(err)
	}
	return c
}

// The currencies of the sales records: two decimals (EUR, USD), none
// (JPY) and three (KWD).
var (
	eur = currencyOf("EUR")
	usd = currencyOf("USD")
	jpy = currencyOf("JPY")
	kwd = currencyOf("KWD")
)

func day(y int, m time.Month, d int) crm.Date { return crm.Date{Year: y, Month: m, Day: d} }

// salesRefs are what sales records refer to: a rep of team north and one
// of a team with a hostile name, a pipeline in euros that allows skipping
// and going back, one in yen with the default stages, and a campaign.
type salesRefs struct {
	north, south crm.User
	eur, yen     crm.Pipeline
	campaign     crm.Campaign
}

// salesRefs stores what sales records refer to, once per scene.
func (sc *scene) salesRefs(t *testing.T) *salesRefs {
	t.Helper()
	if sc.sales != nil {
		return sc.sales
	}
	r := &salesRefs{north: sampleUser(sc.g.next(), crm.RoleRep, "north"), south: sampleUser(sc.g.next(), crm.RoleRep, hostileShort),
		eur: samplePipeline(sc.g.next()), yen: plainPipeline(sc.g.next(), jpy), campaign: sampleCampaign(sc.g.next())}
	insertUsers(t, sc.s, r.north, r.south)
	insertAll(t, sc.s, insertPipeline, r.eur, r.yen)
	insertAll(t, sc.s, insertCampaign, r.campaign)
	sc.sales = r
	return r
}

// samplePipeline is a pipeline with every field set, as the domain
// normalizes it: stage keys that differ only in case ("lead", "Lead") or
// look like patterns, every exit requirement, every forecast category,
// rotting thresholds from one day to ten years, hostile names.
func samplePipeline(id crm.ID) crm.Pipeline {
	return crm.Pipeline{ID: id, Name: "Enterprise " + hostile, Currency: eur, AllowSkip: true, AllowBack: true, Team: hostileShort,
		CreatedAt: at(1), UpdatedAt: at(2), Version: 1,
		Stages: []crm.Stage{
			{Key: "lead", Name: "Lead " + hostileShort, Probability: 5, Type: crm.StageOpen, Category: crm.ForecastPipeline, RotAfterDays: 3650},
			{Key: "Lead", Name: "Lead (legacy)", Probability: 0, Type: crm.StageOpen, Category: crm.ForecastOmitted},
			{Key: "demo.1-a_b", Name: "Demo", Probability: 35, Type: crm.StageOpen, Category: crm.ForecastBestCase, RotAfterDays: 7,
				ExitRequires: []crm.Requirement{crm.RequireActivity}},
			{Key: "contract", Name: "Contract " + hostileShort, Probability: 90, Type: crm.StageOpen, Category: crm.ForecastCommit, RotAfterDays: 1,
				ExitRequires: []crm.Requirement{crm.RequireAmount, crm.RequireCloseDate, crm.RequireActivity}},
			{Key: "signed", Name: "Signed", Probability: 100, Type: crm.StageWon, Category: crm.ForecastClosed},
			{Key: "lost", Name: "Lost", Probability: 0, Type: crm.StageLost, Category: crm.ForecastOmitted},
		}}
}

// plainPipeline is a pipeline with the default stages and the optional
// fields empty.
func plainPipeline(id crm.ID, c crm.Currency) crm.Pipeline {
	return crm.Pipeline{ID: id, Name: "New business " + c.Code(), Currency: c, Stages: crm.DefaultStages(),
		CreatedAt: at(1), UpdatedAt: at(1), Version: 1}
}

// deal returns an open deal of customer in the scene's euro pipeline with
// every field set: a hand-set probability, a campaign, and a history that
// went back to an earlier stage.
func (sc *scene) deal(t *testing.T, customer crm.ID) crm.Deal {
	r := sc.salesRefs(t)
	return crm.Deal{ID: sc.g.next(), Pipeline: r.eur.ID, Customer: customer, Owner: r.south.ID, Team: r.south.Team,
		Title: "Fleet renewal " + hostile, Amount: crm.MoneyFromMinor(123_456_789, eur), CloseDate: day(2026, 6, 30),
		Stage: "contract", Status: crm.DealOpen, Probability: 42, ManualProbability: ptr(42), Campaign: r.campaign.ID,
		History: []crm.StageVisit{
			{Stage: "lead", Entered: at(10), Left: at(20)},
			{Stage: "demo.1-a_b", Entered: at(20), Left: at(30).Add(time.Microsecond)},
			{Stage: "Lead", Entered: at(30).Add(time.Microsecond), Left: at(40)},
			{Stage: "contract", Entered: at(40)},
		},
		Furthest: 4, Activities: 3, LastActivityAt: at(45), CreatedAt: at(10), UpdatedAt: at(46), Version: 1}
}

// activity returns a visit to customer about deal with every field set.
func (sc *scene) activity(t *testing.T, customer, deal crm.ID) crm.Activity {
	r := sc.salesRefs(t)
	return crm.Activity{ID: sc.g.next(), Type: crm.ActivityVisit, Customer: customer, Deal: deal, Owner: r.south.ID, Team: r.south.Team,
		At: at(60), Subject: "Site visit " + hostile, Outcome: "Agreed on a pilot. " + hostile, NextStep: "Send the contract " + hostile,
		FollowUp: day(2026, 3, 9), Done: true, CreatedAt: at(61), UpdatedAt: at(62), Version: 1}
}

// sampleCampaign is a campaign with every field set: cost lines of one
// cent, of zero, with and without a date, and one reversing another.
func sampleCampaign(id crm.ID) crm.Campaign {
	return crm.Campaign{ID: id, Name: "Spring fair " + hostile, Channel: "trade_show", Currency: eur,
		Budget: crm.MoneyFromMinor(5_000_000, eur),
		Costs: []crm.CostLine{
			{Description: "Booth " + hostile, Amount: crm.MoneyFromMinor(123_456, eur), Date: day(2026, 2, 27)},
			{Description: "Agency", Amount: crm.MoneyFromMinor(1, eur)},
			{Description: "Coffee, offered", Amount: crm.Zero(eur), Date: day(2026, 3, 1)},
			{Description: "Agency", Amount: crm.MoneyFromMinor(-1, eur), Reverses: 2, Reason: "Billed twice " + hostile},
		},
		Start: day(2026, 3, 1), End: day(2026, 3, 31), CreatedAt: at(3), UpdatedAt: at(4), Version: 1}
}

// The versioned sales records, for runVersionRules.
var (
	pipelineVersions = versioned[crm.Pipeline]{
		kind:  crm.KindPipeline,
		fresh: func(_ *testing.T, sc *scene) crm.Pipeline { return samplePipeline(sc.g.next()) },
		id:    pipelineID,
		at: func(p crm.Pipeline, n int64) crm.Pipeline {
			p = p.Clone()
			p.Name = fmt.Sprintf("%s (v%d)", p.Name, n)
			p.Stages[0].Probability = int(n)
			p.Stages[0].ExitRequires = append(p.Stages[0].ExitRequires, crm.RequireActivity)
			p.AllowBack = !p.AllowBack
			p.UpdatedAt, p.Version = p.UpdatedAt.Add(time.Duration(n)*time.Minute), n
			return p
		},
	}.on(func(tx crm.Tx) writer[crm.Pipeline] { return tx.Pipelines() }, func(tx crm.ReadTx) getter[crm.Pipeline] { return tx.Pipelines() })

	dealVersions = versioned[crm.Deal]{
		kind:  crm.KindDeal,
		fresh: func(t *testing.T, sc *scene) crm.Deal { return sc.deal(t, sc.ann) },
		id:    dealID,
		at: func(d crm.Deal, n int64) crm.Deal {
			d = d.Clone()
			moved := d.UpdatedAt.Add(time.Duration(n) * time.Minute)
			d.Title = fmt.Sprintf("%s (v%d)", d.Title, n)
			d.ManualProbability, d.Probability = ptr(int(n)), int(n)
			d.History[len(d.History)-1].Left = moved
			d.History = append(d.History, crm.StageVisit{Stage: "demo.1-a_b", Entered: moved})
			d.Stage, d.UpdatedAt, d.Version = "demo.1-a_b", moved, n
			return d
		},
	}.on(func(tx crm.Tx) writer[crm.Deal] { return tx.Deals() }, func(tx crm.ReadTx) getter[crm.Deal] { return tx.Deals() })

	activityVersions = versioned[crm.Activity]{
		kind:  crm.KindActivity,
		fresh: func(t *testing.T, sc *scene) crm.Activity { return sc.activity(t, sc.ann, crm.ID{}) },
		id:    activityID,
		at: func(a crm.Activity, n int64) crm.Activity {
			a.Subject = fmt.Sprintf("%s (v%d)", a.Subject, n)
			a.Done, a.FollowUp = !a.Done, a.FollowUp.AddDays(int(n))
			a.UpdatedAt, a.Version = a.UpdatedAt.Add(time.Duration(n)*time.Minute), n
			return a
		},
	}.on(func(tx crm.Tx) writer[crm.Activity] { return tx.Activities() }, func(tx crm.ReadTx) getter[crm.Activity] { return tx.Activities() })

	campaignVersions = versioned[crm.Campaign]{
		kind:  crm.KindCampaign,
		fresh: func(_ *testing.T, sc *scene) crm.Campaign { return sampleCampaign(sc.g.next()) },
		id:    campaignID,
		at: func(c crm.Campaign, n int64) crm.Campaign {
			c = c.Clone()
			c.Name = fmt.Sprintf("%s (v%d)", c.Name, n)
			c.Budget = crm.MoneyFromMinor(1000*n, c.Currency)
			c.Costs = append(c.Costs, crm.CostLine{Description: fmt.Sprintf("Extra %d", n), Amount: crm.MoneyFromMinor(n, c.Currency)})
			c.UpdatedAt, c.Version = c.UpdatedAt.Add(time.Duration(n)*time.Minute), n
			return c
		},
	}.on(func(tx crm.Tx) writer[crm.Campaign] { return tx.Campaigns() }, func(tx crm.ReadTx) getter[crm.Campaign] { return tx.Campaigns() })
)

// The repository calls the sales tests share.

func insertPipeline(tx crm.Tx, p crm.Pipeline) error {
	return tx.Pipelines().Insert(context.Background(), p)
}
func insertDeal(tx crm.Tx, d crm.Deal) error { return tx.Deals().Insert(context.Background(), d) }
func updateDeal(tx crm.Tx, d crm.Deal) error { return tx.Deals().Update(context.Background(), d) }
func insertActivity(tx crm.Tx, a crm.Activity) error {
	return tx.Activities().Insert(context.Background(), a)
}
func updateActivity(tx crm.Tx, a crm.Activity) error {
	return tx.Activities().Update(context.Background(), a)
}
func insertCampaign(tx crm.Tx, c crm.Campaign) error {
	return tx.Campaigns().Insert(context.Background(), c)
}
func insertCustomer(tx crm.Tx, c crm.Customer) error {
	return tx.Customers().Insert(context.Background(), c)
}

func pipelineID(p crm.Pipeline) crm.ID { return p.ID }
func dealID(d crm.Deal) crm.ID         { return d.ID }
func activityID(a crm.Activity) crm.ID { return a.ID }
func campaignID(c crm.Campaign) crm.ID { return c.ID }

func listPipelines(tx crm.ReadTx, p crm.PageRequest) ([]crm.Pipeline, error) {
	return tx.Pipelines().List(context.Background(), p)
}

func listCampaigns(tx crm.ReadTx, p crm.PageRequest) ([]crm.Campaign, error) {
	return tx.Campaigns().List(context.Background(), p)
}

func listDeals(f crm.DealFilter) func(tx crm.ReadTx, p crm.PageRequest) ([]crm.Deal, error) {
	return func(tx crm.ReadTx, p crm.PageRequest) ([]crm.Deal, error) {
		return tx.Deals().List(context.Background(), f, p)
	}
}

func listActivities(f crm.ActivityFilter) func(tx crm.ReadTx, p crm.PageRequest) ([]crm.Activity, error) {
	return func(tx crm.ReadTx, p crm.PageRequest) ([]crm.Activity, error) {
		return tx.Activities().List(context.Background(), f, p)
	}
}

func getDeal(id crm.ID) func(tx crm.ReadTx) (crm.Deal, error) {
	return func(tx crm.ReadTx) (crm.Deal, error) { return dealVersions.get(tx, id) }
}

// mustFlow compiles a pipeline of the suite, which is valid.
func mustFlow(p crm.Pipeline) *crm.DealFlow {
	f, err := p.Flow()
	if err != nil {
		panic(err)
	}
	return f
}

// meet gives d what it needs to leave its stage: an amount, a close date,
// an activity logged at t.
func meet(f *crm.DealFlow, d *crm.Deal, t time.Time) {
	s, _ := f.Pipeline().Stage(d.Stage)
	for _, r := range s.ExitRequires {
		switch {
		case r == crm.RequireAmount && !d.Amount.IsPositive():
			d.Amount = crm.MoneyFromMinor(100_000, f.Pipeline().Currency)
		case r == crm.RequireCloseDate && d.CloseDate.IsZero():
			d.CloseDate = crm.DateOf(t).AddDays(30)
		case r == crm.RequireActivity && d.Activities == 0:
			d.Activities, d.LastActivityAt = 1, t
		}
	}
}

// walk moves an open deal forward stage by stage to the open stage key,
// a minute a step after t, meeting the exit requirements on the way, and
// returns the time of the last step.
func walk(f *crm.DealFlow, d *crm.Deal, key string, t time.Time) time.Time {
	stages := f.Pipeline().Stages
	for i := 0; d.Stage != key && i < len(stages); i++ {
		if stages[i].Key != d.Stage {
			continue
		}
		t = t.Add(time.Minute)
		meet(f, d, t)
		if err := f.Move(d, stages[i+1].Key, t); err != nil {
			panic(err)
		}
	}
	return t
}
