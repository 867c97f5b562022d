package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runLadderTime runs the ladder's handling of time through the CRM on the
// store: evidence that arrives late is weighed in the order it happened
// (the same contacts in any order give the same ladder, and the moves it
// replaces are no longer read), and fading shows (CheckFading moves the
// customers whose faded score crossed a line, on the day it did, once).
func runLadderTime(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	day := 24 * time.Hour
	setup := func(t *testing.T) (*Team, crm.TouchpointMap) {
		tm := NewTeam(t, newStore(t))
		m, err := tm.Experience.CreateTouchpointMap(ctx, tm.Admin.ID, crm.NewTouchpointMap{Name: "Shop", Touchpoints: []crm.Touchpoint{
			{Key: "web", Name: "Website", Channel: crm.ChannelWeb, Medium: crm.MediumWeb, Phase: crm.PhaseOrdering},
			{Key: "hotline", Name: "Hotline", Channel: crm.ChannelContactCenter, Medium: crm.MediumPhone, Phase: crm.PhaseSupport},
		}})
		require.NoError(t, err)
		return tm, m
	}
	customer := func(t *testing.T, tm *Team, name string) crm.Customer {
		cu, err := tm.Customers.Create(ctx, tm.Ann.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: name})
		require.NoError(t, err)
		return cu
	}
	type step struct {
		ID                 crm.ID
		At                 time.Time
		From, To           crm.LoyaltyStage
		Event              crm.LadderEvent
		Reason             string
		ScoreBefore, After int64
	}
	history := func(t *testing.T, tm *Team, cu crm.Customer) []step {
		t.Helper()
		hist, err := tm.Ladder.History(ctx, tm.Ann.ID, cu.ID)
		require.NoError(t, err)
		out := make([]step, len(hist))
		for i, m := range hist {
			out[i] = step{At: m.At.UTC(), From: m.From, To: m.To, Event: m.Event, Reason: m.Reason, ScoreBefore: m.ScoreBefore, After: m.ScoreAfter}
		}
		return out
	}
	count := func(t *testing.T, tm *Team, at time.Time, stage crm.LoyaltyStage) int64 {
		t.Helper()
		dist, err := tm.Ladder.Distribution(ctx, tm.Admin.ID, crm.DistributionQuery{At: at})
		require.NoError(t, err)
		for _, c := range dist {
			if c.Stage == stage {
				return c.Customers
			}
		}
		return 0
	}

	t.Run("LateEvidenceInOrder", func(t *testing.T) {
		tm, m := setup(t)
		start := tm.Clock.Now()
		contacts := []crm.NewInteraction{
			{Map: m.ID, Touchpoint: "web", At: start, Direction: crm.Inbound, Sentiment: crm.VeryPositive, Resolved: true},
			{Map: m.ID, Touchpoint: "hotline", At: start.Add(20 * day), Direction: crm.Inbound, Sentiment: crm.Negative},
			{Map: m.ID, Touchpoint: "web", At: start.Add(100 * day), Direction: crm.Inbound, Sentiment: crm.Positive, Resolved: true,
				Survey: crm.Survey{NPS: ptr(10)}},
			// The same instant as the one before: the ladder's order decides.
			{Map: m.ID, Touchpoint: "hotline", At: start.Add(100 * day), Direction: crm.Inbound, Sentiment: crm.VeryNegative},
		}
		tm.Clock.Advance(120 * day)
		record := func(cu crm.Customer, order ...int) {
			for _, i := range order {
				n := contacts[i]
				n.Customer = cu.ID
				_, err := tm.Experience.RecordInteraction(ctx, tm.Ann.ID, n)
				require.NoError(t, err)
			}
		}
		inOrder, reversed, mixed := customer(t, tm, "In order"), customer(t, tm, "Reversed"), customer(t, tm, "Mixed")
		record(inOrder, 0, 1, 2, 3)
		record(reversed, 3, 2, 1, 0)
		record(mixed, 1, 3, 2, 0)

		want := history(t, tm, inOrder)
		require.NotEmpty(t, want)
		wantState, err := tm.Ladder.State(ctx, tm.Ann.ID, inOrder.ID)
		require.NoError(t, err)
		for _, cu := range []crm.Customer{reversed, mixed} {
			assert.Equal(t, want, history(t, tm, cu), "%s: the same contacts give the same moves", cu.Name)
			st, err := tm.Ladder.State(ctx, tm.Ann.ID, cu.ID)
			require.NoError(t, err)
			assert.Equal(t, wantState.Stage, st.Stage, cu.Name)
			assert.Equal(t, wantState.Score, st.Score, cu.Name)
			again, err := tm.Ladder.Replay(ctx, tm.Ann.ID, crm.ReplayQuery{Customer: cu.ID, Rules: crm.DefaultLadderRules()})
			require.NoError(t, err)
			require.Len(t, again.Moves, len(want), "the stored ladder replays to itself")
			for i := range want {
				assert.Equal(t, want[i].Reason, again.Moves[i].Reason)
			}
		}
		for _, d := range []int{0, 19, 20, 99, 100, 119} {
			at := start.Add(time.Duration(d)*day + time.Hour)
			for _, s := range []crm.LoyaltyStage{crm.Satisfied, crm.Indifferent} {
				n := count(t, tm, at, s)
				assert.Zero(t, n%3, "day %d: the three customers stand on the same rung (%d %s)", d, n, s)
			}
		}
		var replayed int
		for ev, err := range tm.Events.List(ctx, tm.Admin.ID, 0) {
			require.NoError(t, err)
			if ev.Type == crm.LadderReplayed {
				replayed++
			}
		}
		assert.Positive(t, replayed, "a replay that changed moves is recorded")
	})

	t.Run("FadingSweep", func(t *testing.T) {
		tm, m := setup(t)
		cu := customer(t, tm, "Quiet")
		start := tm.Clock.Now()
		_, err := tm.Experience.RecordInteraction(ctx, tm.Ann.ID, crm.NewInteraction{Customer: cu.ID, Map: m.ID, Touchpoint: "web",
			At: start, Direction: crm.Inbound, Sentiment: crm.VeryPositive, Resolved: true})
		require.NoError(t, err)
		st, err := tm.Ladder.State(ctx, tm.Ann.ID, cu.ID)
		require.NoError(t, err)
		require.Equal(t, crm.Satisfied, st.Stage)
		require.False(t, st.FadesAt.IsZero(), "a satisfied customer's good experience will fade")

		tm.Clock.Advance(400 * day)
		st, err = tm.Ladder.State(ctx, tm.Ann.ID, cu.ID)
		require.NoError(t, err)
		assert.Equal(t, crm.Indifferent, st.Stage, "the rung follows the faded score before any sweep")

		rep, err := tm.Ladder.CheckFading(ctx, tm.Admin.ID, crm.FadingQuery{})
		require.NoError(t, err)
		assert.Equal(t, 1, rep.Customers)
		require.Len(t, rep.Moves, 1)
		mv := rep.Moves[0]
		assert.Equal(t, crm.Slide, mv.Event)
		assert.Equal(t, crm.EvidenceFading, mv.Evidence.Kind)
		assert.True(t, strings.HasPrefix(mv.Reason, "fading: score 20 on "), mv.Reason)
		assert.True(t, mv.At.After(start) && mv.At.Before(tm.Clock.Now()), "dated when the score crossed the line, not when the sweep ran")
		assert.Equal(t, int64(1), count(t, tm, mv.At.Add(-time.Microsecond), crm.Satisfied), "satisfied until the day it faded")
		assert.Zero(t, count(t, tm, mv.At, crm.Satisfied), "indifferent from that day")

		again, err := tm.Ladder.CheckFading(ctx, tm.Admin.ID, crm.FadingQuery{})
		require.NoError(t, err)
		assert.Zero(t, again.Customers, "a second sweep moves no one")
		assert.Equal(t, []crm.LoyaltyStage{crm.Satisfied, crm.Indifferent}, stagesOf(t, tm, cu))

		_, err = tm.Ladder.CheckFading(ctx, tm.Admin.ID, crm.FadingQuery{Limit: -1})
		assert.ErrorIs(t, err, crm.ErrInvalid)
	})

	t.Run("FadingLimit", func(t *testing.T) {
		tm, m := setup(t)
		start := tm.Clock.Now()
		for _, name := range []string{"One", "Two", "Three"} {
			cu := customer(t, tm, name)
			_, err := tm.Experience.RecordInteraction(ctx, tm.Ann.ID, crm.NewInteraction{Customer: cu.ID, Map: m.ID, Touchpoint: "web",
				At: start, Direction: crm.Inbound, Sentiment: crm.VeryPositive, Resolved: true})
			require.NoError(t, err)
		}
		tm.Clock.Advance(400 * day)
		var due []crm.LadderState
		require.NoError(t, tm.Store.View(ctx, func(tx crm.ReadTx) error {
			var err error
			due, err = tx.Ladder().Fading(ctx, tm.Clock.Now(), crm.PageRequest{Limit: 10})
			return err
		}))
		assert.Len(t, due, 3, "the store lists the customers due")
		rep, err := tm.Ladder.CheckFading(ctx, tm.Admin.ID, crm.FadingQuery{Limit: 2})
		require.NoError(t, err)
		assert.Equal(t, 2, rep.Customers)
		assert.True(t, rep.More)
		rep, err = tm.Ladder.CheckFading(ctx, tm.Admin.ID, crm.FadingQuery{Limit: 2})
		require.NoError(t, err)
		assert.Equal(t, 1, rep.Customers)
		assert.False(t, rep.More)
		require.NoError(t, tm.Store.View(ctx, func(tx crm.ReadTx) error {
			var err error
			due, err = tx.Ladder().Fading(ctx, tm.Clock.Now(), crm.PageRequest{Limit: 10})
			return err
		}))
		assert.Empty(t, due, "nobody is due once swept")
	})
}

// stagesOf lists the rungs a customer's moves led to.
func stagesOf(t *testing.T, tm *Team, cu crm.Customer) []crm.LoyaltyStage {
	t.Helper()
	hist, err := tm.Ladder.History(context.Background(), tm.Ann.ID, cu.ID)
	require.NoError(t, err)
	var out []crm.LoyaltyStage
	for _, m := range hist {
		out = append(out, m.To)
	}
	return out
}
