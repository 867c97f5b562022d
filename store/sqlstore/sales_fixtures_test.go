package sqlstore_test

import (
	"time"

	"github.com/crmkit/crm"
)

func currency(code string) crm.Currency {
	c, err := crm.ParseCurrency(code)
	if err != nil {
		panic(err)
	}
	return c
}

// The currencies of the sales tests: two decimals, none, three.
var (
	eur = currency("EUR")
	usd = currency("USD")
	jpy = currency("JPY")
	kwd = currency("KWD")
)

func day(y int, m time.Month, d int) crm.Date { return crm.Date{Year: y, Month: m, Day: d} }

// samplePipeline has every field set: stage keys that sort differently
// bytewise and by locale, exit requirements nil, empty and set, hostile
// names.
func samplePipeline(id crm.ID) crm.Pipeline {
	return crm.Pipeline{ID: id, Name: "Enterprise " + hostile, Currency: eur, AllowSkip: true, AllowBack: true,
		Team: hostileShort, CreatedAt: at(1), UpdatedAt: at(2), Version: 1,
		Stages: []crm.Stage{
			{Key: "Zeta", Name: "Zeta " + hostileShort, Probability: 5, Type: crm.StageOpen, Category: crm.ForecastPipeline,
				RotAfterDays: 3650, ExitRequires: []crm.Requirement{}},
			{Key: "alpha", Name: "Alpha", Probability: 35, Type: crm.StageOpen, Category: crm.ForecastBestCase, RotAfterDays: 7,
				ExitRequires: []crm.Requirement{crm.RequireActivity}},
			{Key: "demo.1-a_b", Name: "Demo", Probability: 90, Type: crm.StageOpen, Category: crm.ForecastCommit, RotAfterDays: 1,
				ExitRequires: []crm.Requirement{crm.RequireAmount, crm.RequireCloseDate, crm.RequireActivity}},
			{Key: "signed", Name: "Signed", Probability: 100, Type: crm.StageWon, Category: crm.ForecastClosed},
			{Key: "lost", Name: "Lost", Probability: 0, Type: crm.StageLost, Category: crm.ForecastOmitted},
		}}
}

// sampleDeal is an open deal with every field set: a hand-set
// probability, a campaign, a history that went back a stage.
func sampleDeal(id, pipeline, customer crm.ID) crm.Deal {
	return crm.Deal{ID: id, Pipeline: pipeline, Customer: customer, Owner: crm.ID{1}, Team: hostileShort,
		Title: "Fleet renewal " + hostile, Amount: crm.MoneyFromMinor(123_456_789, eur), CloseDate: day(2026, 6, 30),
		Stage: "demo.1-a_b", Status: crm.DealOpen, Probability: 42, ManualProbability: intp(42), Campaign: crm.ID{2},
		LostNotes: hostile,
		History: []crm.StageVisit{
			{Stage: "Zeta", Entered: at(10), Left: at(20)},
			{Stage: "alpha", Entered: at(20), Left: at(30).Add(time.Microsecond)},
			{Stage: "Zeta", Entered: at(30).Add(time.Microsecond), Left: at(40)},
			{Stage: "demo.1-a_b", Entered: at(40)},
		},
		Furthest: 3, Activities: 3, LastActivityAt: at(45), CreatedAt: at(10), UpdatedAt: at(46), Version: 1}
}

// sampleActivity is a visit with every field set.
func sampleActivity(id, customer, deal crm.ID) crm.Activity {
	return crm.Activity{ID: id, Type: crm.ActivityVisit, Customer: customer, Deal: deal, Owner: crm.ID{3},
		Team: hostileShort, At: at(60), Subject: "Site visit " + hostile, Outcome: "A pilot. " + hostile,
		NextStep: "The contract " + hostile, FollowUp: day(2026, 3, 9), Done: true, CreatedAt: at(61), UpdatedAt: at(62),
		Version: 1, Status: crm.ActivityDone, FollowUpAt: day(2026, 3, 9).In(time.UTC).Add(14*time.Hour + time.Microsecond),
		Duration: 45*time.Minute + time.Nanosecond}
}

// sampleCampaign has every field set: cost lines of one cent, of zero,
// with and without a date.
func sampleCampaign(id crm.ID) crm.Campaign {
	return crm.Campaign{ID: id, Name: "Spring fair " + hostile, Channel: "trade_show", Currency: eur,
		Budget: crm.MoneyFromMinor(5_000_000, eur),
		Costs: []crm.CostLine{
			{Description: "Booth " + hostile, Amount: crm.MoneyFromMinor(123_456, eur), Date: day(2026, 2, 27)},
			{Description: "Agency", Amount: crm.MoneyFromMinor(1, eur)},
			{Description: "Coffee, offered", Amount: crm.Zero(eur), Date: day(2026, 3, 1)},
			{Description: "Nothing at all"},
		},
		Start: day(2026, 3, 1), End: day(9999, 12, 31), CreatedAt: at(3), UpdatedAt: at(4), Version: 1}
}

var (
	pipelineRules = versionRules[crm.Pipeline]{
		kind:        crm.KindPipeline,
		id:          func(p crm.Pipeline) crm.ID { return p.ID },
		withVersion: func(p crm.Pipeline, v int64) crm.Pipeline { p.Version = v; return p },
		writer:      func(tx crm.Tx) writer[crm.Pipeline] { return tx.Pipelines() },
		reader:      func(tx crm.ReadTx) reader[crm.Pipeline] { return tx.Pipelines() },
	}
	dealRules = versionRules[crm.Deal]{
		kind:        crm.KindDeal,
		id:          func(d crm.Deal) crm.ID { return d.ID },
		withVersion: func(d crm.Deal, v int64) crm.Deal { d.Version = v; return d },
		writer:      func(tx crm.Tx) writer[crm.Deal] { return tx.Deals() },
		reader:      func(tx crm.ReadTx) reader[crm.Deal] { return tx.Deals() },
	}
	activityRules = versionRules[crm.Activity]{
		kind:        crm.KindActivity,
		id:          func(a crm.Activity) crm.ID { return a.ID },
		withVersion: func(a crm.Activity, v int64) crm.Activity { a.Version = v; return a },
		writer:      func(tx crm.Tx) writer[crm.Activity] { return tx.Activities() },
		reader:      func(tx crm.ReadTx) reader[crm.Activity] { return tx.Activities() },
	}
	campaignRules = versionRules[crm.Campaign]{
		kind:        crm.KindCampaign,
		id:          func(c crm.Campaign) crm.ID { return c.ID },
		withVersion: func(c crm.Campaign, v int64) crm.Campaign { c.Version = v; return c },
		writer:      func(tx crm.Tx) writer[crm.Campaign] { return tx.Campaigns() },
		reader:      func(tx crm.ReadTx) reader[crm.Campaign] { return tx.Campaigns() },
	}
)
