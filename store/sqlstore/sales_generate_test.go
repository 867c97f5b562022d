package sqlstore_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/require"
)

// salesData is a sales team's records made from a seed: pipelines in
// three currencies (one that allows skipping and going back, with stage
// keys that sort differently bytewise and by locale), deals moved through
// them with crm.DealFlow, activities of every type, campaigns attributed
// across pipelines, and a few deals no flow makes (amounts whose sums
// leave 64 bits, a closed deal without a close time, an unknown
// status).
type salesData struct {
	users      []crm.User
	customers  []crm.Customer
	pipelines  []crm.Pipeline
	campaigns  []crm.Campaign
	first      []crm.Deal // the deals as opened, stored first
	deals      []crm.Deal // as they end, stored over the first
	activities []crm.Activity
}

// salesStart is the first instant of the generated sales data.
var salesStart = time.Date(2025, 11, 3, 8, 0, 0, 0, time.UTC)

const salesSpan = 150 * 24 * time.Hour

// salesGen makes sales data.
type salesGen struct {
	t *testing.T
	r *rand.Rand
	d *salesData
}

// after returns a time up to span after t, to the microsecond.
func (g *salesGen) after(t time.Time, span time.Duration) time.Time {
	return t.Add(time.Duration(g.r.Int64N(int64(span/time.Microsecond))+1) * time.Microsecond)
}

func generateSales(t *testing.T, seed uint64, deals, activities int) salesData {
	g := &salesGen{t: t, r: rand.New(rand.NewPCG(seed, seed^0xdea1)), d: &salesData{}}
	d, r := g.d, g.r
	for i, team := range []string{"north", "North", hostileShort, "north"} {
		u := sampleUser(newID(t))
		u.Team, u.Name = team, fmt.Sprint("Rep ", i)
		d.users = append(d.users, u)
	}
	skipBack := samplePipeline(newID(t))
	skipBack.Currency = usd
	d.pipelines = []crm.Pipeline{skipBack,
		{ID: newID(t), Name: "New business", Currency: eur, Stages: crm.DefaultStages(), Version: 1},
		{ID: newID(t), Name: "Yen", Currency: jpy, Stages: crm.DefaultStages(), Version: 1}}
	for _, cur := range []crm.Currency{eur, usd, jpy} {
		c := sampleCampaign(newID(t))
		c.Currency, c.Budget, c.Costs = cur, crm.Zero(cur), nil
		d.campaigns = append(d.campaigns, c)
	}
	for i := range 60 {
		c := sampleCustomer(newID(t), pick(r, d.users).ID)
		c.KeyAccount = i%4 == 0
		if r.IntN(3) > 0 {
			c.Campaign = pick(r, d.campaigns).ID
		}
		d.customers = append(d.customers, c)
	}
	flows := make([]*crm.DealFlow, len(d.pipelines))
	for i, p := range d.pipelines {
		f, err := p.Flow()
		require.NoError(t, err)
		flows[i] = f
	}
	for range deals {
		g.deal(pick(r, flows))
	}
	g.oddDeals()
	for range activities {
		g.activity()
	}
	return *d
}

// deal opens a deal with f and moves it a few times: to the next stage
// or any other, won, lost, reopened, its probability set by hand.
func (g *salesGen) deal(f *crm.DealFlow) {
	t, r, p := g.t, g.r, f.Pipeline()
	when := g.after(salesStart, salesSpan)
	n := crm.NewDeal{Customer: pick(r, g.d.customers).ID, Title: "Deal " + hostileShort}
	if r.IntN(4) > 0 {
		n.Amount = crm.MoneyFromMinor(r.Int64N(10_000_000)+1, p.Currency)
	}
	if r.IntN(3) > 0 {
		n.CloseDate = crm.DateOf(when).AddDays(r.IntN(120) - 10)
	}
	if r.IntN(5) == 0 {
		n.ManualProbability = intp(r.IntN(101))
	}
	if r.IntN(2) == 0 {
		n.Campaign = pick(r, g.d.campaigns).ID
	}
	open := p.OpenStages()
	if r.IntN(6) == 0 {
		n.Stage = pick(r, open).Key
	}
	d, err := f.Open(newID(t), n, pick(r, g.d.users), when)
	require.NoError(t, err)
	g.d.first = append(g.d.first, d.Clone())
	for range r.IntN(7) {
		when = g.after(when, 20*24*time.Hour)
		meet(f, &d, when)
		// A refused move leaves the deal as it was: the flows' rules are
		// theirs to test.
		switch k := r.IntN(10); {
		case k < 4:
			_ = f.Move(&d, open[min(stageIndex(open, d.Stage)+1, len(open)-1)].Key, when)
		case k < 6:
			_ = f.Move(&d, pick(r, open).Key, when)
		case k < 7:
			_ = f.Win(&d, crm.MoneyFromMinor(r.Int64N(5_000_000)+1, p.Currency), when)
		case k < 8:
			_ = f.Lose(&d, pick(r, crm.LostReasons()), hostileShort, when)
		case k < 9:
			_ = f.Reopen(&d, when)
		default:
			_ = f.SetProbability(&d, []*int{nil, intp(0), intp(r.IntN(101))}[r.IntN(3)])
		}
	}
	d.UpdatedAt, d.Version = when, 2
	g.d.deals = append(g.d.deals, d)
}

func stageIndex(stages []crm.Stage, key string) int {
	for i, s := range stages {
		if s.Key == key {
			return i
		}
	}
	return -1
}

// meet gives d what it needs to leave its stage.
func meet(f *crm.DealFlow, d *crm.Deal, when time.Time) {
	s, _ := f.Pipeline().Stage(d.Stage)
	for _, req := range s.ExitRequires {
		switch {
		case req == crm.RequireAmount && !d.Amount.IsPositive():
			d.Amount = crm.MoneyFromMinor(100_000, f.Pipeline().Currency)
		case req == crm.RequireCloseDate && d.CloseDate.IsZero():
			d.CloseDate = crm.DateOf(when).AddDays(30)
		case req == crm.RequireActivity && d.Activities == 0:
			d.Activities, d.LastActivityAt = 1, when
		}
	}
}

// oddDeals adds deals of the first pipeline that no flow makes: three
// open ones in a stage of their own, twice the largest amount and once
// its negation, whose sum leaves 64 bits on the way and comes back to the
// largest int64 exactly (and with other deals, as in the cohort, does not
// come back: an overflow, as the reference's); a negative amount; a lost deal without a
// close time, whose cycle saturates; a status no flow knows; a visit that
// never ended in the middle of a history.
func (g *salesGen) oddDeals() {
	t, p := g.t, g.d.pipelines[0]
	base := crm.Deal{Pipeline: p.ID, Customer: g.d.customers[0].ID, Owner: g.d.users[0].ID, Team: g.d.users[0].Team,
		Stage: "alpha", Status: crm.DealOpen, Probability: 35, Furthest: 2, CloseDate: day(2026, 1, 31),
		CreatedAt: salesStart.Add(time.Hour), UpdatedAt: salesStart.Add(time.Hour), Version: 2,
		History: []crm.StageVisit{{Stage: "Zeta", Entered: salesStart.Add(time.Hour), Left: salesStart.Add(2 * time.Hour)},
			{Stage: "gone", Entered: salesStart.Add(3 * time.Hour)}, {Stage: "alpha", Entered: salesStart.Add(4 * time.Hour)}}}
	odd := func(change func(d *crm.Deal)) {
		d := base.Clone()
		d.ID = newID(t)
		change(&d)
		first := d.Clone()
		first.Version = 1
		g.d.first = append(g.d.first, first)
		g.d.deals = append(g.d.deals, d)
	}
	for _, minor := range []int64{math.MaxInt64, math.MaxInt64, -math.MaxInt64} {
		odd(func(d *crm.Deal) { d.Amount, d.Stage = crm.MoneyFromMinor(minor, usd), "huge" })
	}
	odd(func(d *crm.Deal) {
		d.Amount, d.Campaign, d.Customer = crm.MoneyFromMinor(-4_294_967_297, usd), g.d.campaigns[1].ID, g.d.customers[1].ID
		d.Status, d.Stage, d.Probability, d.ClosedAt = crm.DealWon, "signed", 100, salesStart.Add(5*time.Hour)
	})
	odd(func(d *crm.Deal) {
		d.Status, d.Stage, d.LostReason, d.Probability = crm.DealLost, "lost", crm.LostOther, 0
	})
	odd(func(d *crm.Deal) { d.Status, d.ClosedAt = "paused", salesStart.Add(5*time.Hour) })
}

// activity logs an activity of a random type (now and then one no list
// knows) by one of the users, mostly with the generated customers.
func (g *salesGen) activity() {
	t, r := g.t, g.r
	u := pick(r, g.d.users)
	when := g.after(salesStart, salesSpan)
	a := crm.Activity{ID: newID(t), Type: pick(r, append(crm.ActivityTypes(), crm.ActivityVisit, "lunch")),
		Customer: pick(r, g.d.customers).ID, Owner: u.ID, Team: u.Team, At: when, Subject: "Work " + hostileShort,
		Done: r.IntN(3) == 0, CreatedAt: when, UpdatedAt: when, Version: 1}
	if r.IntN(8) == 0 {
		a.Customer = newID(t) // a customer the store does not have
	}
	if r.IntN(3) > 0 {
		a.Outcome = "Went well"
	}
	if r.IntN(3) > 0 {
		a.NextStep = "Call back"
	}
	if r.IntN(2) == 0 {
		a.FollowUp = crm.DateOf(when).AddDays(r.IntN(30))
	}
	if r.IntN(3) == 0 {
		a.Deal = pick(r, g.d.deals).ID
	}
	g.d.activities = append(g.d.activities, a)
}

// insert writes the data through the repositories, a few hundred records
// to a transaction: every deal as opened, then as it ended.
func (d salesData) insert(ctx context.Context, t *testing.T, s crm.Store) {
	writeAll(ctx, t, s, 400, slices.Concat(
		each(d.users, func(tx crm.Tx, u crm.User) error { return tx.Users().Insert(ctx, u) }),
		each(d.customers, func(tx crm.Tx, c crm.Customer) error { return tx.Customers().Insert(ctx, c) }),
		each(d.pipelines, func(tx crm.Tx, p crm.Pipeline) error { return tx.Pipelines().Insert(ctx, p) }),
		each(d.campaigns, func(tx crm.Tx, c crm.Campaign) error { return tx.Campaigns().Insert(ctx, c) }),
		each(d.first, func(tx crm.Tx, deal crm.Deal) error { return tx.Deals().Insert(ctx, deal) }),
		each(d.deals, func(tx crm.Tx, deal crm.Deal) error { return tx.Deals().Update(ctx, deal) }),
		each(d.activities, func(tx crm.Tx, a crm.Activity) error { return tx.Activities().Insert(ctx, a) }),
	))
}
