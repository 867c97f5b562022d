package storetest

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/storekit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// salesSeed makes the generated sales data; a failure names it, so that
// it can be replayed.
const salesSeed = 20260401

// salesQuestions are what the sales analytics test asks.
type salesQuestions struct {
	sales     []crm.SalesQuery // each asked of StageAmounts, Forecast, Cohort, Outcomes and StageTimes
	work      []crm.WorkQuery
	campaigns []crm.Campaign
}

// salesAnswers are the answers to salesQuestions.
type salesAnswers struct {
	q            salesQuestions
	stageAmounts [][]crm.StageAmount
	forecast     [][]crm.ForecastAmount
	cohort       [][]crm.CohortCount
	outcomes     [][]crm.OutcomeCount
	stageTimes   [][]crm.StageTime
	work         []crm.WorkCounts
	campaigns    []crm.CampaignCounts
}

// answer returns the reference answers over d.
func (q salesQuestions) answer(d *salesData) salesAnswers {
	a := salesAnswers{q: q}
	for _, x := range q.sales {
		a.stageAmounts = append(a.stageAmounts, reference(storekit.AggregateStageAmounts(d.deals, x)))
		a.forecast = append(a.forecast, reference(storekit.AggregateForecast(d.deals, x)))
		a.cohort = append(a.cohort, reference(storekit.AggregateCohort(d.deals, x)))
		a.outcomes = append(a.outcomes, reference(storekit.AggregateOutcomes(d.deals, x)))
		a.stageTimes = append(a.stageTimes, reference(storekit.AggregateStageTimes(d.deals, x)))
	}
	for _, x := range q.work {
		a.work = append(a.work, reference(storekit.AggregateWork(d.activities, d.customers, d.deals, x)))
	}
	for _, c := range q.campaigns {
		a.campaigns = append(a.campaigns, reference(storekit.AggregateCampaign(c, d.customers, d.deals)))
	}
	return a
}

// ask returns the store's answers.
func (q salesQuestions) ask(t *testing.T, r crm.SalesAnalytics) salesAnswers {
	t.Helper()
	a := salesAnswers{q: q}
	a.stageAmounts = askEach(t, q.sales, r.StageAmounts)
	a.forecast = askEach(t, q.sales, r.Forecast)
	a.cohort = askEach(t, q.sales, r.Cohort)
	a.outcomes = askEach(t, q.sales, r.Outcomes)
	a.stageTimes = askEach(t, q.sales, r.StageTimes)
	a.work = askEach(t, q.work, r.Work)
	a.campaigns = askEach(t, q.campaigns, r.Campaign)
	return a
}

func askEach[Q, A any](t *testing.T, qs []Q, ask func(context.Context, Q) (A, error)) []A {
	t.Helper()
	out := make([]A, len(qs))
	for i, q := range qs {
		var err error
		out[i], err = ask(context.Background(), q)
		require.NoError(t, err, "%+v", q)
	}
	return out
}

// check asks every question of r and requires the answers in a.
func (a salesAnswers) check(t *testing.T, r crm.SalesAnalytics) {
	t.Helper()
	got := a.q.ask(t, r)
	for i, q := range a.q.sales {
		sameAnswer(t, a.stageAmounts[i], got.stageAmounts[i], "StageAmounts, seed %d, %+v", salesSeed, q)
		sameAnswer(t, a.forecast[i], got.forecast[i], "Forecast, seed %d, %+v", salesSeed, q)
		sameAnswer(t, a.cohort[i], got.cohort[i], "Cohort, seed %d, %+v", salesSeed, q)
		sameAnswer(t, a.outcomes[i], got.outcomes[i], "Outcomes, seed %d, %+v", salesSeed, q)
		sameAnswer(t, a.stageTimes[i], got.stageTimes[i], "StageTimes, seed %d, %+v", salesSeed, q)
	}
	for i, q := range a.q.work {
		require.Equal(t, emptyAsNil(a.work[i]), emptyAsNil(got.work[i]), "Work, seed %d, %+v", salesSeed, q)
	}
	for i, c := range a.q.campaigns {
		require.Equal(t, a.campaigns[i], got.campaigns[i], "Campaign, seed %d, %s", salesSeed, c.Name)
	}
}

// emptyAsNil returns v with its empty slice fields nil, so that an empty
// list of rows may come back either way.
func emptyAsNil[T any](v T) T {
	rv := reflect.ValueOf(&v).Elem()
	for i := range rv.NumField() {
		if f := rv.Field(i); f.Kind() == reflect.Slice && f.Len() == 0 {
			f.Set(reflect.Zero(f.Type()))
		}
	}
	return v
}

// about returns the questions about the pipeline, every other work report
// that covers the user (theirs, their team's, everyone's), and every
// campaign.
func (q salesQuestions) about(pipeline crm.ID, u crm.User) salesQuestions {
	q.sales = slices.DeleteFunc(slices.Clone(q.sales), func(x crm.SalesQuery) bool { return x.Pipeline != pipeline })
	q.work = everyNth(slices.DeleteFunc(slices.Clone(q.work), func(x crm.WorkQuery) bool {
		return (!x.Owner.IsZero() && x.Owner != u.ID) || (x.Team != "" && x.Team != u.Team)
	}), 2)
	return q
}

// salesWindows are the ranges of the sales questions: those of the
// experience questions (on marks, where many events fall), and ranges
// whose bounds are the times of events of the data: a close, the end of a
// stage visit, a creation, the first instant of a close date.
func salesWindows(d *salesData) []window {
	first := func(ok func(crm.Deal) bool) crm.Deal {
		i := slices.IndexFunc(d.deals, ok)
		if i < 0 {
			panic("the generated data has no such deal")
		}
		return d.deals[i]
	}
	onMark := func(t time.Time) bool { return slices.ContainsFunc(genMarks, t.Equal) }
	won := first(func(x crm.Deal) bool { return x.Status == crm.DealWon && !onMark(x.ClosedAt) })
	lost := first(func(x crm.Deal) bool { return x.Status == crm.DealLost && x.ClosedAt.After(genMarks[0]) })
	visit := first(func(x crm.Deal) bool { return len(x.History) > 2 }).History[1]
	open := first(func(x crm.Deal) bool { return x.Status == crm.DealOpen && !x.CloseDate.IsZero() })
	return append(slices.Clone(genWindows),
		window{"exactly a close", won.ClosedAt, won.ClosedAt.Add(time.Microsecond)},
		window{"up to a close", genStart, won.ClosedAt},
		window{"from a loss", lost.ClosedAt, time.Time{}},
		window{"a visit's end", visit.Left, visit.Left.Add(time.Microsecond)},
		window{"from a visit's start to its end", visit.Entered, visit.Left},
		window{"a close date", open.CloseDate.In(time.UTC), open.CloseDate.AddDays(1).In(time.UTC)},
		window{"a won deal's close day", won.CloseDate.In(time.UTC), won.CloseDate.AddDays(1).In(time.UTC)},
	)
}

// salesGrid is the grid of questions: every pipeline (and one that does
// not exist) for everyone, one owner, one team, an owner with their team,
// an owner with another team, over all time and over one other window in
// turn; every window for two pipelines; work reports of every owner and
// team, of everyone, over all time and another window, on the report days
// in turn; and every campaign, and one not stored.
func salesGrid(d *salesData) salesQuestions {
	var q salesQuestions
	windows := salesWindows(d)
	type scope struct {
		owner crm.ID
		team  string
	}
	users := d.users
	pipelines := append(idsOf(d.pipelines, pipelineID), (&ids{n: 1 << 50}).next())
	i := 0
	for pi, p := range pipelines {
		u := users[pi%len(users)]
		other := users[(pi+3)%len(users)]
		for _, sc := range []scope{{}, {owner: u.ID}, {team: u.Team}, {owner: u.ID, team: u.Team}, {owner: u.ID, team: other.Team}, {team: hostileShort}} {
			for _, w := range []window{windows[0], windows[1+i%(len(windows)-1)]} {
				q.sales = append(q.sales, crm.SalesQuery{Pipeline: p, Owner: sc.owner, Team: sc.team, From: w.from, To: w.to})
			}
			i++
		}
	}
	for _, w := range windows[1:] {
		for _, p := range pipelines[:2] {
			q.sales = append(q.sales, crm.SalesQuery{Pipeline: p, From: w.from, To: w.to})
		}
	}
	var scopes []scope
	for _, u := range users {
		scopes = append(scopes, scope{owner: u.ID}, scope{team: u.Team})
	}
	scopes = append(scopes, scope{}, scope{owner: users[0].ID, team: users[0].Team}, scope{owner: users[0].ID, team: users[4].Team})
	for i, sc := range scopes {
		for j, w := range []window{windows[0], windows[1+i%(len(windows)-1)]} {
			today := salesTodays[(2*i+j)%len(salesTodays)]
			x := crm.WorkQuery{Owner: sc.owner, Team: sc.team, From: w.from, To: w.to, Today: today,
				UntouchedDays: []int{0, 3, 20}[(i+j)%3], Limit: []int{0, 2, 7}[i%3]}
			if j == 1 {
				x.VisitRule = &crm.VisitRule{MinDuration: 30 * time.Minute, RequireOutcome: i%2 == 0}
			}
			q.work = append(q.work, x)
		}
	}
	unknown := sampleCampaign((&ids{n: 1 << 50}).next())
	q.campaigns = append(slices.Clone(d.campaigns), unknown)
	return q
}

func runSalesAnalytics(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	d := generateSales(salesSeed)
	s := newStore(t)
	began := time.Now()
	d.store(t, s, salesSeed)
	t.Logf("stored %d customers, %d deals (%d versions), %d activities (%d updated) in %s", len(d.customers), len(d.deals),
		countAll(d.dealLevels), len(d.activities), len(d.activityLevels[1]), time.Since(began).Round(time.Millisecond))
	qs := salesGrid(d)
	want := qs.answer(d)

	t.Run("DataIsVaried", func(t *testing.T) { checkSalesVariety(t, d, want) })

	t.Run("MatchesTheReference", func(t *testing.T) {
		began := time.Now()
		view(t, s, func(tx crm.ReadTx) error {
			want.check(t, tx.Sales())
			return nil
		})
		t.Logf("%d sales queries (5 answers each), %d work queries, %d campaigns in %s",
			len(qs.sales), len(qs.work), len(qs.campaigns), time.Since(began).Round(time.Millisecond))
	})

	t.Run("ListingsOfTheGeneratedData", func(t *testing.T) {
		deals := []crm.DealFilter{{Pipeline: d.pipelines[1].ID, Status: crm.DealOpen}, {Team: "North"}, {Campaign: d.campaigns[1].ID}}
		for _, f := range deals {
			want := slices.DeleteFunc(sortedByID(d.deals, dealID), func(x crm.Deal) bool { return !f.Match(x) })
			assertSameList(t, want, allPages(t, s, 97, dealID, listDeals(f)), dealID, "%+v", f)
		}
		for _, today := range salesTodays {
			f := crm.ActivityFilter{OverdueOn: today}
			want := slices.DeleteFunc(sortedByID(d.activities, activityID), func(a crm.Activity) bool { return !f.Match(a) })
			assertSameList(t, want, allPages(t, s, 97, activityID, listActivities(f)), activityID, "%+v", f)
		}
	})

	t.Run("TransactionSeesItsOwnRows", func(t *testing.T) {
		errRollback := errors.New("roll back")
		extra, writes := salesInTransaction(d)
		mine := qs.about(d.pipelines[0].ID, d.users[0])
		before, during := mine.answer(d), mine.answer(extra)
		for name, differ := range map[string]bool{
			"sales": !reflect.DeepEqual(before.outcomes, during.outcomes) && !reflect.DeepEqual(before.stageTimes, during.stageTimes),
			"work":  !reflect.DeepEqual(before.work, during.work), "campaigns": !reflect.DeepEqual(before.campaigns, during.campaigns),
		} {
			require.True(t, differ, "the transaction's rows change the %s answers", name)
		}
		err := s.Update(ctx, func(tx crm.Tx) error {
			require.NoError(t, writes(tx))
			during.check(t, tx.Sales())
			return errRollback
		})
		require.ErrorIs(t, err, errRollback)
		view(t, s, func(tx crm.ReadTx) error {
			before.check(t, tx.Sales())
			return nil
		})
	})

	t.Run("InvalidQueries", func(t *testing.T) {
		late, early := genMarks[3], genMarks[1]
		p := d.pipelines[0].ID
		for _, tc := range []struct {
			name string
			q    any
		}{
			{"sales: no pipeline", crm.SalesQuery{From: early, To: late}},
			{"sales: to before from", crm.SalesQuery{Pipeline: p, From: late, To: early}},
			{"sales: empty range", crm.SalesQuery{Pipeline: p, From: late, To: late}},
			{"work: no day", crm.WorkQuery{Owner: d.users[0].ID}},
			{"work: a day that does not exist", crm.WorkQuery{Today: crm.Date{Year: 2026, Month: 2, Day: 30}}},
			{"work: to before from", crm.WorkQuery{Today: salesTodays[0], From: late, To: early}},
			{"work: untouched for negative days", crm.WorkQuery{Today: salesTodays[0], UntouchedDays: -1}},
			{"work: a list longer than a page", crm.WorkQuery{Today: salesTodays[0], Limit: crm.MaxPageSize + 1}},
			{"work: a visit shorter than nothing", crm.WorkQuery{Today: salesTodays[0], VisitRule: &crm.VisitRule{MinDuration: -1}}},
		} {
			errs := map[string]error{}
			view(t, s, func(tx crm.ReadTx) error {
				askInvalid(tx.Sales(), tc.q, "", errs)
				return nil
			})
			update(t, s, func(tx crm.Tx) error {
				askInvalid(tx.Sales(), tc.q, "in a write transaction, ", errs)
				return nil
			})
			for call, err := range errs {
				assert.ErrorIs(t, err, crm.ErrInvalid, "%s: %s", tc.name, call)
			}
		}
	})
}

// askInvalid asks an invalid query of every method that takes it and
// notes the errors in errs.
func askInvalid(r crm.SalesAnalytics, q any, prefix string, errs map[string]error) {
	ctx := context.Background()
	switch q := q.(type) {
	case crm.SalesQuery:
		_, errs[prefix+"StageAmounts"] = r.StageAmounts(ctx, q)
		_, errs[prefix+"Forecast"] = r.Forecast(ctx, q)
		_, errs[prefix+"Cohort"] = r.Cohort(ctx, q)
		_, errs[prefix+"Outcomes"] = r.Outcomes(ctx, q)
		_, errs[prefix+"StageTimes"] = r.StageTimes(ctx, q)
	case crm.WorkQuery:
		_, errs[prefix+"Work"] = r.Work(ctx, q)
	}
}

// countAll returns the number of records of every level.
func countAll[T any](levels [][]T) int {
	n := 0
	for _, level := range levels {
		n += len(level)
	}
	return n
}

// salesInTransaction returns d with the rows a transaction adds and
// changes, and the transaction's writes: a key account brought by a
// campaign, deals of the first pipeline (one won exactly on a mark for
// that campaign, one lost, one open with a hand-set probability), an open
// deal of the data lost, an overdue follow-up and an invalid visit.
func salesInTransaction(d *salesData) (*salesData, func(tx crm.Tx) error) {
	g := &ids{n: 1 << 40}
	f := mustFlow(d.pipelines[0])
	owner := d.users[0]
	must := func(err error) {
		if err != nil {
			panic(err)
		}
	}
	open := func(n crm.NewDeal, t time.Time) crm.Deal {
		n.Amount = crm.MoneyFromMinor(12_345, eur)
		deal, err := f.Open(g.next(), n, owner, t)
		must(err)
		return deal
	}
	cu := sampleCustomer(g.next(), owner.ID)
	cu.Campaign, cu.KeyAccount, cu.Team = d.campaigns[0].ID, true, owner.Team
	won := open(crm.NewDeal{Customer: cu.ID, Title: "Won in the transaction", Campaign: cu.Campaign}, genMarks[2])
	when := walk(f, &won, "proposal", genMarks[2])
	meet(f, &won, when)
	must(f.Win(&won, won.Amount, genMarks[3]))
	lost := open(crm.NewDeal{Customer: d.customers[0].ID, Title: "Lost in the transaction"}, genMarks[1])
	must(f.Lose(&lost, crm.LostCompetition, "", genMarks[4]))
	pending := open(crm.NewDeal{Customer: cu.ID, Title: "Open", CloseDate: day(2026, 1, 31), ManualProbability: ptr(33)}, genMarks[0])
	i := slices.IndexFunc(d.deals, func(x crm.Deal) bool { return x.Pipeline == f.Pipeline().ID && x.Status == crm.DealOpen })
	changed := d.deals[i].Clone()
	must(f.Lose(&changed, crm.LostBudget, "", genMarks[5]))
	changed.Version, changed.UpdatedAt = changed.Version+1, genMarks[5]
	activity := func(typ crm.ActivityType, t time.Time) crm.Activity {
		return crm.Activity{ID: g.next(), Type: typ, Customer: cu.ID, Deal: won.ID, Owner: owner.ID, Team: owner.Team, At: t,
			Subject: "In the transaction", CreatedAt: t, UpdatedAt: t, Version: 1}
	}
	followUp := activity(crm.ActivityTask, genMarks[2])
	followUp.FollowUp = day(2025, 12, 30)
	visit := activity(crm.ActivityVisit, genMarks[3])

	extra := &salesData{
		customers:  append(slices.Clone(d.customers), cu),
		deals:      append(slices.Concat(d.deals[:i], []crm.Deal{changed}, d.deals[i+1:]), won, lost, pending),
		activities: append(slices.Clone(d.activities), followUp, visit),
	}
	return extra, func(tx crm.Tx) error {
		return errors.Join(insertCustomer(tx, cu), insertDeal(tx, won), insertDeal(tx, lost), insertDeal(tx, pending),
			updateDeal(tx, changed), insertActivity(tx, followUp), insertActivity(tx, visit))
	}
}

// checkSalesVariety checks that the generated data has what the questions
// group and filter by: a guard against a generator that lost its variety.
func checkSalesVariety(t *testing.T, d *salesData, want salesAnswers) {
	onMark := func(t time.Time) bool { return slices.ContainsFunc(genMarks, t.Equal) }
	stages := map[crm.ID]crm.Pipeline{}
	for _, p := range d.pipelines {
		stages[p.ID] = p
	}
	reasons := map[crm.LostReason]bool{}
	statuses := map[crm.ID]map[crm.DealStatus]int{}
	var reopened, manual, back, skip, onMarks, instant, noAmount int
	for _, x := range d.deals {
		p := stages[x.Pipeline]
		if x.Status == crm.DealLost {
			reasons[x.LostReason] = true
		}
		if statuses[x.Pipeline] == nil {
			statuses[x.Pipeline] = map[crm.DealStatus]int{}
		}
		statuses[x.Pipeline][x.Status]++
		if x.ManualProbability != nil && x.Status == crm.DealOpen {
			manual++
		}
		if x.Amount.Currency().IsZero() {
			noAmount++
		}
		for i, v := range x.History {
			if onMark(v.Left) || onMark(v.Entered) {
				onMarks++
			}
			if v.Left.Equal(v.Entered) {
				instant++
			}
			if i == 0 {
				continue
			}
			from, _ := p.Stage(x.History[i-1].Stage)
			to, _ := p.Stage(v.Stage)
			a := slices.IndexFunc(p.Stages, func(s crm.Stage) bool { return s.Key == from.Key })
			b := slices.IndexFunc(p.Stages, func(s crm.Stage) bool { return s.Key == to.Key })
			switch {
			case from.Type != crm.StageOpen && to.Type == crm.StageOpen:
				reopened++
			case from.Type != crm.StageOpen || to.Type != crm.StageOpen:
			case b < a:
				back++
			case b > a+1:
				skip++
			}
		}
	}
	assert.Len(t, reasons, len(crm.LostReasons()), "every lost reason")
	for _, p := range d.pipelines[:3] {
		assert.Len(t, statuses[p.ID], 3, "open, won and lost deals in %s", p.Name)
	}
	assert.Empty(t, statuses[d.pipelines[3].ID], "the last pipeline has no deals")
	for name, n := range map[string]int{"reopened": reopened, "hand-set probabilities": manual, "moves back": back, "skips": skip,
		"visits starting or ending on marks": onMarks, "visits of no time": instant, "deals with no amount": noAmount} {
		assert.Greater(t, n, 3, name)
	}
	assert.GreaterOrEqual(t, len(d.dealLevels), 3, "deals updated more than once")

	types := map[crm.ActivityType]bool{}
	var invalid int
	for _, a := range d.activities {
		types[a.Type] = true
		if a.Invalid(crm.DefaultVisitRule()) {
			invalid++
		}
	}
	assert.Len(t, types, len(crm.ActivityTypes()), "every activity type")
	assert.Greater(t, invalid, 5, "invalid visits")
	assert.Len(t, d.activityLevels, 2)
	assert.Greater(t, len(d.activityLevels[1]), 10, "activities updated")
	for _, today := range salesTodays {
		var overdue, onTheDay int
		for _, a := range d.activities {
			if a.Overdue(today) {
				overdue++
			}
			if a.FollowUp == today && !a.Done {
				onTheDay++
			}
		}
		assert.Greater(t, overdue, 0, "overdue on %s", today)
		assert.Greater(t, onTheDay, 0, "follow-ups due on %s, not overdue", today)
	}

	var other, acquired, touched int64
	for i := range want.q.campaigns {
		other += want.campaigns[i].OtherCurrency
		acquired += want.campaigns[i].Acquired
	}
	var untouched, unplanned, cut int64
	for i, w := range want.work {
		touched += w.KeyAccountsTouched
		untouched += int64(len(w.Untouched))
		unplanned += int64(len(w.WithoutNext))
		if w.DealsWithoutNext > int64(len(w.WithoutNext)) && want.q.work[i].Limit > 0 {
			cut++
		}
	}
	assert.Greater(t, untouched, int64(0), "key accounts untouched")
	assert.Greater(t, unplanned, int64(0), "deals without a next activity")
	assert.Greater(t, cut, int64(0), "lists cut at their limit")
	assert.Greater(t, other, int64(0), "won deals in another currency than their campaign's")
	assert.Greater(t, acquired, int64(0), "customers acquired by campaigns")
	assert.Greater(t, touched, int64(0), "key accounts touched")
	assert.Equal(t, crm.CampaignCounts{}, want.campaigns[3], "the last campaign brought nothing")

	var answered, asked int
	for i, q := range want.q.sales {
		used := slices.ContainsFunc(d.pipelines[:3], func(p crm.Pipeline) bool { return p.ID == q.Pipeline })
		if !used {
			assert.Empty(t, want.stageAmounts[i], "%+v", q)
			assert.Empty(t, want.cohort[i], "%+v", q)
			continue
		}
		asked++
		if len(want.outcomes[i]) > 0 && len(want.stageTimes[i]) > 0 && len(want.cohort[i]) > 0 {
			answered++
		}
	}
	assert.Greater(t, answered, asked/2, "most questions of the pipelines with deals have answers")
}
