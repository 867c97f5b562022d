package storetest

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/crmkit/crm"
)

// The sizes of the generated sales data: enough deals for every stage,
// status, lost reason and owner of each pipeline to come up in most
// windows, few enough that the suite runs in seconds on SQL stores under
// -race.
const (
	salesCustomers = 120
	salesDeals     = 300 // about 1,500 stage visits and 450 activities on deals
	salesMaxSteps  = 9   // moves, activities and changes per deal, uniformly 0..salesMaxSteps
	salesChatter   = 200 // activities about no deal
)

// salesTodays are the days the work reports measure overdue follow-ups on:
// follow-ups fall on them and the day before, and two are a day apart.
var salesTodays = []crm.Date{day(2025, 12, 29), day(2026, 1, 15), day(2026, 1, 16), day(2026, 2, 1), day(2026, 3, 2)}

// salesData is generated sales data as it was stored: the reference
// implementations run over these slices.
type salesData struct {
	users      []crm.User     // reps of teams whose names differ in case, and a manager of no team
	pipelines  []crm.Pipeline // in three currencies; the last one has no deals
	campaigns  []crm.Campaign // the last one brought no customer and no deal
	customers  []crm.Customer
	deals      []crm.Deal     // as last updated
	activities []crm.Activity // as last updated
	// dealLevels and activityLevels are the versions as they are
	// stored: level n holds version n+1 of every record that has one.
	dealLevels     [][]crm.Deal
	activityLevels [][]crm.Activity
}

// salesGen makes salesData from a seeded source, so that a failure can be
// replayed; it shares the random helpers of the experience generator.
type salesGen struct {
	*generator
	flows []*crm.DealFlow
	lost  int // the lost reasons are given in turn
	d     salesData
}

func generateSales(seed uint64) *salesData {
	gen := &salesGen{generator: &generator{r: rand.New(rand.NewPCG(seed, seed^0x5a1e5)), g: &ids{}}}
	gen.users()
	gen.pipelines()
	gen.campaigns()
	gen.customers()
	for i := range salesDeals {
		gen.deal(i)
	}
	for range salesChatter {
		gen.activity(gen.d.customers[gen.pick(len(gen.d.customers))].ID, crm.ID{}, gen.rep(), gen.instant())
	}
	gen.d.deals = lastVersions(gen.d.dealLevels, dealID)
	gen.d.activities = lastVersions(gen.d.activityLevels, activityID)
	return &gen.d
}

// lastVersions returns the last version of every record of levels, in
// the order of the first level.
func lastVersions[T any](levels [][]T, id func(T) crm.ID) []T {
	last := map[crm.ID]T{}
	for _, level := range levels {
		for _, v := range level {
			last[id(v)] = v
		}
	}
	out := make([]T, 0, len(levels[0]))
	for _, v := range levels[0] {
		out = append(out, last[id(v)])
	}
	return out
}

func (gen *salesGen) users() {
	for i, team := range []string{"north", "north", "north", "North", hostileShort, ""} {
		role := crm.RoleRep
		if team == "" {
			role = crm.RoleManager
		}
		u := sampleUser(gen.g.next(), role, team)
		u.Name = fmt.Sprintf("Rep %d", i)
		gen.d.users = append(gen.d.users, u)
	}
}

func (gen *salesGen) rep() crm.User { return gen.d.users[gen.pick(len(gen.d.users))] }

// pipelines makes the default pipeline in euros; one in dinars (three
// decimals) that allows skipping and going back and needs an activity,
// an amount and a close date on the way; one in yen that allows skipping;
// and one in dollars that stays empty.
func (gen *salesGen) pipelines() {
	open := func(key string, p int, c crm.ForecastCategory, needs ...crm.Requirement) crm.Stage {
		return crm.Stage{Key: key, Name: "Stage " + key, Probability: p, Type: crm.StageOpen, Category: c, RotAfterDays: p / 5, ExitRequires: needs}
	}
	closing := func(won, lost string) []crm.Stage {
		return []crm.Stage{{Key: won, Name: won, Probability: 100, Type: crm.StageWon, Category: crm.ForecastClosed},
			{Key: lost, Name: lost, Type: crm.StageLost, Category: crm.ForecastOmitted}}
	}
	expansion := plainPipeline(gen.g.next(), kwd)
	expansion.Name, expansion.Team, expansion.AllowSkip, expansion.AllowBack = "Expansion "+hostile, "north", true, true
	expansion.Stages = append([]crm.Stage{
		open("discovery", 10, crm.ForecastPipeline),
		open("demo", 30, crm.ForecastBestCase, crm.RequireActivity),
		open("proposal", 60, crm.ForecastBestCase, crm.RequireAmount),
		open("commit", 85, crm.ForecastCommit, crm.RequireAmount, crm.RequireCloseDate, crm.RequireActivity),
	}, closing("won", "lost")...)
	japan := plainPipeline(gen.g.next(), jpy)
	japan.Name, japan.AllowSkip = "Japan", true
	japan.Stages = append([]crm.Stage{
		open("contact", 15, crm.ForecastPipeline),
		open("quote", 40, crm.ForecastBestCase, crm.RequireCloseDate),
		open("order", 75, crm.ForecastCommit),
	}, closing("booked", "dropped")...)
	gen.d.pipelines = []crm.Pipeline{plainPipeline(gen.g.next(), eur), expansion, japan, plainPipeline(gen.g.next(), usd)}
	for _, p := range gen.d.pipelines[:3] {
		gen.flows = append(gen.flows, mustFlow(p))
	}
}

func (gen *salesGen) campaigns() {
	fair := sampleCampaign(gen.g.next())
	ads := crm.Campaign{ID: gen.g.next(), Name: "Search ads", Channel: "search_ads", Currency: kwd, Budget: crm.MoneyFromMinor(9_000_000, kwd),
		Costs:     []crm.CostLine{{Description: "Clicks", Amount: crm.MoneyFromMinor(4_321_987, kwd), Date: day(2026, 1, 31)}},
		CreatedAt: genStart, UpdatedAt: genStart, Version: 1}
	referral := crm.Campaign{ID: gen.g.next(), Name: "Referrals", Currency: jpy, CreatedAt: genStart, UpdatedAt: genStart, Version: 1}
	unused := crm.Campaign{ID: gen.g.next(), Name: "Unused", Currency: usd, CreatedAt: genStart, UpdatedAt: genStart, Version: 1}
	gen.d.campaigns = []crm.Campaign{fair, ads, referral, unused}
}

// campaign returns one of the campaigns that bring customers and deals.
func (gen *salesGen) campaign() crm.ID { return gen.d.campaigns[gen.pick(len(gen.d.campaigns)-1)].ID }

func (gen *salesGen) customers() {
	for range salesCustomers {
		owner := gen.rep()
		c := sampleCustomer(gen.g.next(), owner.ID)
		c.Team, c.KeyAccount = owner.Team, gen.chance(0.2)
		if gen.chance(0.35) {
			c.Campaign = gen.campaign()
		}
		c.CreatedAt = gen.between(genStart.AddDate(0, 0, -30), genEnd)
		c.UpdatedAt = c.CreatedAt
		gen.d.customers = append(gen.d.customers, c)
	}
}

// amount returns a positive amount of up to a million in c.
func (gen *salesGen) amount(c crm.Currency) crm.Money {
	limit := int64(1_000_000)
	for range c.MinorUnits() {
		limit *= 10
	}
	return crm.MoneyFromMinor(1+gen.r.Int64N(limit), c)
}

// closeDate returns a day up to three months after t, often the first or
// last of a month.
func (gen *salesGen) closeDate(t time.Time) crm.Date {
	d := crm.DateOf(t).AddDays(gen.pick(90))
	switch gen.pick(6) {
	case 0:
		d.Day = 1
	case 1:
		d = crm.Date{Year: d.Year, Month: d.Month, Day: 1}.AddMonths(1).AddDays(-1)
	}
	return d
}

// later returns an instant after t: usually hours or days later, now and
// then the next mark (so that events fall exactly on query bounds) or the
// same instant.
func (gen *salesGen) later(t time.Time) time.Time {
	switch {
	case gen.chance(0.05):
		return t
	case gen.chance(0.1):
		if i := slices.IndexFunc(genMarks, t.Before); i >= 0 {
			return genMarks[i]
		}
	}
	return t.Add(time.Duration(gen.r.Int64N(int64(8*24*time.Hour/time.Microsecond))) * time.Microsecond)
}

// deal opens a deal and drives it through its pipeline's DealFlow, storing
// some of the states it passes through as earlier versions.
func (gen *salesGen) deal(i int) {
	f := gen.flows[[]int{0, 0, 0, 1, 1, 2}[gen.pick(6)]]
	p := f.Pipeline()
	owner, cu := gen.rep(), gen.d.customers[gen.pick(len(gen.d.customers))]
	t := gen.instant()
	n := crm.NewDeal{Customer: cu.ID, Title: fmt.Sprintf("Deal %d", i)}
	if gen.chance(0.75) {
		n.Amount = gen.amount(p.Currency)
	}
	if gen.chance(0.6) {
		n.CloseDate = gen.closeDate(t)
	}
	if gen.chance(0.15) {
		n.ManualProbability = ptr([]int{0, 100, gen.pick(101)}[gen.pick(3)])
	}
	switch {
	case !cu.Campaign.IsZero() && gen.chance(0.6):
		n.Campaign = cu.Campaign
	case gen.chance(0.3):
		n.Campaign = gen.campaign()
	}
	if gen.chance(0.2) && len(p.OpenStages()) > 1 {
		n.Stage = p.OpenStages()[1].Key
	}
	d, err := f.Open(gen.g.next(), n, owner, t)
	if err != nil {
		panic(err)
	}
	if gen.chance(0.05) {
		d.Team = gen.rep().Team // the deal stays with the team it was opened in when its owner moves
	}
	versions := []crm.Deal{d.Clone()}
	for range gen.pick(salesMaxSteps + 1) {
		t = gen.later(t)
		gen.step(f, &d, t)
		if gen.chance(0.1) {
			d.Version, d.UpdatedAt = int64(len(versions)+1), t
			versions = append(versions, d.Clone())
		}
	}
	d.Version, d.UpdatedAt = int64(len(versions)+1), t
	addVersions(&gen.d.dealLevels, append(versions, d)...)
}

// step does one thing to a deal at t: moves it forward (skipping where the
// pipeline allows) or back, logs an activity, sets or clears its
// probability, changes its amount or close date, wins or loses it, or
// reopens it. Exit requirements are met most of the time; when they are
// not, the move fails and the deal stays as it was.
func (gen *salesGen) step(f *crm.DealFlow, d *crm.Deal, t time.Time) {
	p := f.Pipeline()
	if d.Status != crm.DealOpen {
		switch {
		case gen.chance(0.35):
			gen.try(f.Reopen(d, t))
		case gen.chance(0.3):
			gen.logActivity(d, t)
		}
		return
	}
	open := p.OpenStages()
	cur := slices.IndexFunc(open, func(s crm.Stage) bool { return s.Key == d.Stage })
	switch x := gen.r.Float64(); {
	case x < 0.35 && cur+1 < len(open):
		to := cur + 1
		if p.AllowSkip && gen.chance(0.4) {
			to += gen.pick(len(open) - to)
		}
		gen.prepare(f, d, t)
		gen.try(f.Move(d, open[to].Key, t))
	case x < 0.45 && p.AllowBack && cur > 0:
		gen.try(f.Move(d, open[gen.pick(cur)].Key, t))
	case x < 0.6:
		gen.logActivity(d, t)
	case x < 0.66:
		var manual *int
		if gen.chance(0.7) {
			manual = ptr(gen.pick(101))
		}
		gen.try(f.SetProbability(d, manual))
	case x < 0.72:
		if gen.chance(0.5) {
			d.Amount = gen.amount(p.Currency)
		} else {
			d.CloseDate = gen.closeDate(t)
		}
	case x < 0.86:
		gen.prepare(f, d, t)
		var actual crm.Money
		if gen.chance(0.4) {
			actual = gen.amount(p.Currency)
		}
		gen.try(f.Win(d, actual, t))
	default:
		reason := crm.LostReasons()[gen.lost%len(crm.LostReasons())]
		gen.lost++
		notes := ""
		if gen.chance(0.5) {
			notes = "Lost: " + hostile
		}
		gen.try(f.Lose(d, reason, notes, t))
	}
}

// prepare meets the exit requirements of the deal's stage, most of the
// time, logging an activity where one is needed.
func (gen *salesGen) prepare(f *crm.DealFlow, d *crm.Deal, t time.Time) {
	if !gen.chance(0.8) {
		return
	}
	if s, _ := f.Pipeline().Stage(d.Stage); slices.Contains(s.ExitRequires, crm.RequireActivity) && d.Activities == 0 {
		gen.logActivity(d, t)
	}
	meet(f, d, t)
}

// try panics unless err is nil or a refusal of the domain.
func (gen *salesGen) try(err error) {
	if err != nil && !errors.Is(err, crm.ErrInvalid) && !errors.Is(err, crm.ErrInvalidTransition) {
		panic(err)
	}
}

// logActivity logs an activity on the deal at t, by its owner most of the
// time.
func (gen *salesGen) logActivity(d *crm.Deal, t time.Time) {
	owner := crm.User{ID: d.Owner, Team: d.Team}
	if gen.chance(0.1) {
		owner = gen.rep()
	}
	gen.activity(d.Customer, d.ID, owner, t)
	d.Activities++
	d.LastActivityAt = t
}

// activity stores an activity of every kind: visits without an outcome or
// a next step (invalid), follow-ups done and not, on and around the days
// of the work reports; some are updated later (a follow-up done, an
// invalid visit completed).
func (gen *salesGen) activity(customer, deal crm.ID, owner crm.User, t time.Time) {
	types := crm.ActivityTypes()
	a := crm.Activity{ID: gen.g.next(), Type: types[gen.pick(len(types))], Customer: customer, Deal: deal, Owner: owner.ID, Team: owner.Team,
		At: t, Subject: "Generated " + hostileShort, CreatedAt: t, UpdatedAt: t, Version: 1}
	if gen.chance(0.7) {
		a.Outcome = "Outcome"
	}
	if gen.chance(0.7) {
		a.NextStep = "Next step"
	}
	if gen.chance(0.5) {
		a.FollowUp, a.Done = crm.DateOf(t).AddDays(gen.pick(15)), gen.chance(0.4)
		if gen.chance(0.25) {
			a.FollowUp = salesTodays[gen.pick(len(salesTodays))].AddDays(-gen.pick(2))
		}
	}
	if gen.chance(0.6) { // activities as work: a duration, a follow-up time, a status
		a.Duration = time.Duration(gen.pick(90)) * time.Minute
	}
	if !a.FollowUp.IsZero() && gen.chance(0.3) {
		a.FollowUpAt = a.FollowUp.In(time.UTC).Add(time.Duration(gen.pick(24*60)) * time.Minute)
	}
	if gen.chance(0.7) {
		a.Status = map[bool]crm.ActivityStatus{false: crm.ActivityPending, true: crm.ActivityDone}[a.Done]
	}
	later := a
	switch {
	case !a.FollowUp.IsZero() && !a.Done && gen.chance(0.3):
		later.Done = true
		if a.Status != "" {
			later.Status = crm.ActivityDone
		}
	case a.Invalid(crm.DefaultVisitRule()) && gen.chance(0.3):
		later.Outcome, later.NextStep = "Completed later", "Call back"
	case !a.Done && gen.chance(0.15):
		later.Status, later.CancelReason = crm.ActivityCancelled, "Called off"
	}
	if later == a {
		addVersions(&gen.d.activityLevels, a)
		return
	}
	later.Version, later.UpdatedAt = 2, t.Add(time.Hour)
	addVersions(&gen.d.activityLevels, a, later)
}

// addVersions adds the versions of a record to levels.
func addVersions[T any](levels *[][]T, versions ...T) {
	for n, v := range versions {
		if n == len(*levels) {
			*levels = append(*levels, nil)
		}
		(*levels)[n] = append((*levels)[n], v)
	}
}

// store writes the data through the repositories: what the deals refer
// to, then every version in turn, in batches and in random order.
func (d *salesData) store(t *testing.T, s crm.Store, seed uint64) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 2))
	insertUsers(t, s, d.users...)
	insertAll(t, s, insertPipeline, d.pipelines...)
	insertAll(t, s, insertCampaign, d.campaigns...)
	insertShuffled(t, s, r, insertCustomer, d.customers)
	storeLevels(t, s, r, insertDeal, updateDeal, d.dealLevels)
	storeLevels(t, s, r, insertActivity, updateActivity, d.activityLevels)
}

// storeLevels inserts the first level and applies the others as updates,
// a level at a time.
func storeLevels[T any](t *testing.T, s crm.Store, r *rand.Rand, insert, update func(crm.Tx, T) error, levels [][]T) {
	t.Helper()
	for n, level := range levels {
		if n == 0 {
			insertShuffled(t, s, r, insert, level)
		} else {
			insertShuffled(t, s, r, update, level)
		}
	}
}
