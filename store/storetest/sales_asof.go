package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/storekit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stagesAtQuestion is a question of SalesAnalytics.StagesAt.
type stagesAtQuestion struct {
	q  crm.SalesQuery
	at time.Time
}

// stagesAtInstants are the instants the funnel as of a past date is read
// at: before every deal, after every move, the marks the generated times
// fall on and a microsecond either side, and the start and end of some
// stage visits and a microsecond either side, where a deal is in one
// stage or the next.
func stagesAtInstants(d *salesData) []time.Time {
	out := []time.Time{genStart.AddDate(0, 0, -40), genEnd.AddDate(1, 0, 0)}
	for _, m := range genMarks {
		out = append(out, m, m.Add(-time.Microsecond), m.Add(time.Microsecond))
	}
	n := 0
	for _, x := range d.deals {
		if len(x.History) < 3 || n >= 4 {
			continue
		}
		v := x.History[1]
		for _, t := range []time.Time{v.Entered, v.Left} {
			out = append(out, t, t.Add(-time.Microsecond), t.Add(time.Microsecond))
		}
		n++
	}
	return out
}

// stagesAtGrid asks about every pipeline (and one that does not exist)
// for everyone, one owner, one team, an owner with their team, an owner
// with another team and a hostile team name, at instants in turn; and
// about two pipelines for everyone at every instant.
func stagesAtGrid(d *salesData) []stagesAtQuestion {
	instants := stagesAtInstants(d)
	pipelines := append(idsOf(d.pipelines, pipelineID), (&ids{n: 1 << 50}).next())
	var out []stagesAtQuestion
	i := 0
	for pi, p := range pipelines {
		u, other := d.users[pi%len(d.users)], d.users[(pi+3)%len(d.users)]
		for _, q := range []crm.SalesQuery{{Pipeline: p}, {Pipeline: p, Owner: u.ID}, {Pipeline: p, Team: u.Team},
			{Pipeline: p, Owner: u.ID, Team: u.Team}, {Pipeline: p, Owner: u.ID, Team: other.Team}, {Pipeline: p, Team: hostileShort}} {
			for range 3 {
				out = append(out, stagesAtQuestion{q, instants[i%len(instants)]})
				i++
			}
		}
	}
	for _, at := range instants {
		for _, p := range pipelines[:2] {
			out = append(out, stagesAtQuestion{crm.SalesQuery{Pipeline: p}, at})
		}
	}
	return out
}

// checkStagesAt requires r's answers to be the reference's over deals.
func checkStagesAt(t *testing.T, r crm.SalesAnalytics, deals []crm.Deal, qs []stagesAtQuestion) {
	t.Helper()
	for _, x := range qs {
		want := reference(storekit.AggregateStagesAt(deals, x.q, x.at))
		got, err := r.StagesAt(context.Background(), x.q, x.at)
		require.NoError(t, err, "%+v at %s", x.q, x.at)
		sameAnswer(t, want, got, "StagesAt, seed %d, %+v at %s", salesSeed, x.q, x.at)
	}
}

func runSalesAsOf(t *testing.T, newStore NewStoreFunc) {
	t.Run("MatchesTheReference", func(t *testing.T) { runStagesAtReference(t, newStore) })
	t.Run("MovedLastWeek", func(t *testing.T) { runFunnelMovedLastWeek(t, newStore) })
	t.Run("ForecastHonesty", func(t *testing.T) { runForecastHonesty(t, newStore) })
}

// runStagesAtReference checks the stages at instants on the generated
// sales data against the reference, in a read and a write transaction,
// and with a transaction's own rows.
func runStagesAtReference(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	d := generateSales(salesSeed)
	s := newStore(t)
	d.store(t, s, salesSeed)
	qs := stagesAtGrid(d)

	t.Run("DataIsVaried", func(t *testing.T) {
		stages := map[crm.StageType]int{}
		for _, x := range qs {
			rows := reference(storekit.AggregateStagesAt(d.deals, x.q, x.at))
			for _, r := range rows {
				p := d.pipelines[slices.IndexFunc(d.pipelines, func(p crm.Pipeline) bool { return p.ID == x.q.Pipeline })]
				st, _ := p.Stage(r.Stage)
				stages[st.Type]++
			}
		}
		for _, typ := range []crm.StageType{crm.StageOpen, crm.StageWon, crm.StageLost} {
			assert.Positive(t, stages[typ], "some answers hold deals of a %s stage", typ)
		}
	})
	t.Run("ReadTransaction", func(t *testing.T) {
		view(t, s, func(tx crm.ReadTx) error {
			checkStagesAt(t, tx.Sales(), d.deals, qs)
			return nil
		})
	})
	t.Run("TransactionSeesItsOwnRows", func(t *testing.T) {
		errRolledBack := errors.New("roll back")
		extra, writes := salesInTransaction(d)
		mine := slices.DeleteFunc(slices.Clone(qs), func(x stagesAtQuestion) bool { return x.q.Pipeline != d.pipelines[0].ID })
		err := s.Update(ctx, func(tx crm.Tx) error {
			require.NoError(t, writes(tx))
			checkStagesAt(t, tx.Sales(), extra.deals, mine)
			return errRolledBack
		})
		require.ErrorIs(t, err, errRolledBack)
		view(t, s, func(tx crm.ReadTx) error {
			checkStagesAt(t, tx.Sales(), d.deals, mine)
			return nil
		})
	})
	t.Run("InvalidQueries", func(t *testing.T) {
		for name, x := range map[string]stagesAtQuestion{
			"no pipeline": {crm.SalesQuery{}, genMarks[2]},
			"no instant":  {crm.SalesQuery{Pipeline: d.pipelines[0].ID}, time.Time{}},
		} {
			view(t, s, func(tx crm.ReadTx) error {
				_, err := tx.Sales().StagesAt(ctx, x.q, x.at)
				assert.ErrorIs(t, err, crm.ErrInvalid, name)
				return nil
			})
		}
	})
}

// runFunnelMovedLastWeek follows deals through the CRM over four weeks
// and reads the funnel as of earlier days: a deal moved last week shows
// in its old stage as of two weeks ago, a deal won or lost since shows
// open, a deal opened since is not there.
func runFunnelMovedLastWeek(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	tm := NewTeam(t, newStore(t))
	usd, _ := crm.ParseCurrency("USD")
	p, err := tm.Deals.CreatePipeline(ctx, tm.Admin.ID, crm.NewPipeline{Name: "New business", Currency: usd})
	require.NoError(t, err)
	open := func(owner crm.User, minor int64) crm.Deal {
		cu, err := tm.Customers.Create(ctx, owner.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: "Northwind"})
		require.NoError(t, err)
		d, err := tm.Deals.Open(ctx, owner.ID, crm.NewDeal{Pipeline: p.ID, Customer: cu.ID, Owner: owner.ID, Title: "Deal",
			Amount: crm.MoneyFromMinor(minor, usd)})
		require.NoError(t, err)
		return d
	}
	start := crm.DateOf(tm.Clock.Now()) // Monday 2 March 2026, 09:00 UTC
	onDay := func(n int) { tm.Clock.Set(start.AddDays(n).In(time.UTC).Add(9 * time.Hour)) }
	mover := open(tm.Ann, 100_000) // prospecting
	winner := open(tm.Ann, 200_000)
	loser := open(tm.Ann, 400_000)
	onDay(1)
	_, err = tm.Deals.Move(ctx, tm.Ann.ID, crm.MoveDealRequest{Deal: mover.ID, Stage: "qualification"})
	require.NoError(t, err)
	onDay(7)
	_, err = tm.Deals.Win(ctx, tm.Ann.ID, crm.WinDealRequest{Deal: winner.ID})
	require.NoError(t, err)
	onDay(14)
	late := open(tm.Ben, 800_000)
	onDay(20)
	_, err = tm.Deals.Lose(ctx, tm.Ann.ID, crm.LoseDealRequest{Deal: loser.ID, Reason: crm.LostBudget})
	require.NoError(t, err)
	onDay(21)
	_, err = tm.Deals.Move(ctx, tm.Ann.ID, crm.MoveDealRequest{Deal: mover.ID, Stage: "proposal"})
	require.NoError(t, err)
	onDay(28)
	_ = late

	q := crm.SalesQuery{Pipeline: p.ID}
	bars := func(f crm.Funnel) map[string]int64 {
		out := map[string]int64{}
		for _, s := range append(slices.Clone(f.Stages), f.Closed...) {
			if s.Deals > 0 {
				out[s.Stage] = s.Deals
			}
		}
		return out
	}
	for _, tc := range []struct {
		name string
		day  int
		want map[string]int64
	}{
		{"before any deal", -1, map[string]int64{}},
		{"the first day", 0, map[string]int64{"prospecting": 3}},
		{"two weeks ago: the mover in qualification, the loser open, the late deal just opened", 14,
			map[string]int64{"prospecting": 2, "qualification": 1, "won": 1}},
		{"the day before the late deal", 13, map[string]int64{"prospecting": 1, "qualification": 1, "won": 1}},
		{"the day of the loss", 20, map[string]int64{"prospecting": 1, "qualification": 1, "won": 1, "lost": 1}},
		{"last week, after the move", 21, map[string]int64{"prospecting": 1, "proposal": 1, "won": 1, "lost": 1}},
		{"today", 28, map[string]int64{"prospecting": 1, "proposal": 1, "won": 1, "lost": 1}},
	} {
		f, err := tm.Deals.FunnelAsOf(ctx, tm.Manager.ID, q, start.AddDays(tc.day))
		require.NoError(t, err, tc.name)
		assert.Equal(t, tc.want, bars(f), tc.name)
		assert.Equal(t, start.AddDays(tc.day), f.AsOf, tc.name)
	}

	f, err := tm.Deals.FunnelAsOf(ctx, tm.Manager.ID, q, start.AddDays(14))
	require.NoError(t, err)
	require.Len(t, f.Stages, 4)
	assert.Equal(t, crm.MoneyFromMinor(1_200_000, usd), f.Stages[0].Value, "the loser and the late deal")
	assert.Equal(t, crm.MoneyFromMinor(120_000, usd), f.Stages[0].Weighted, "at the stage's 10%")
	assert.Equal(t, crm.MoneyFromMinor(20_000, usd), f.Stages[1].Weighted, "the mover at qualification's 20%")
	require.Len(t, f.Closed, 2)
	assert.Equal(t, crm.MoneyFromMinor(200_000, usd), f.Closed[0].Value)
	assert.InDelta(t, 1.0, f.Closed[0].Rate, 1e-9, "every deal closed by then was won")

	now, err := tm.Deals.Funnel(ctx, tm.Manager.ID, q)
	require.NoError(t, err)
	today, err := tm.Deals.FunnelAsOf(ctx, tm.Manager.ID, q, start.AddDays(28))
	require.NoError(t, err)
	assert.Equal(t, now.Stages, today.Stages, "the funnel as of today is the funnel now")

	mine, err := tm.Deals.FunnelAsOf(ctx, tm.Ben.ID, crm.SalesQuery{Pipeline: p.ID, Owner: tm.Ben.ID}, start.AddDays(14))
	require.NoError(t, err)
	assert.Equal(t, map[string]int64{"prospecting": 1}, bars(mine), "a rep sees their own deals as they stood")
	_, err = tm.Deals.FunnelAsOf(ctx, tm.Sue.ID, crm.SalesQuery{Pipeline: p.ID, Owner: tm.Ann.ID}, start.AddDays(14))
	assert.ErrorIs(t, err, crm.ErrForbidden, "a rep of another team may not read Ann's funnel")
	for name, day := range map[string]crm.Date{"tomorrow": start.AddDays(29), "no day": {}, "30 February": {Year: 2026, Month: 2, Day: 30}} {
		_, err = tm.Deals.FunnelAsOf(ctx, tm.Manager.ID, q, day)
		assert.ErrorIs(t, err, crm.ErrInvalid, name)
	}
}
