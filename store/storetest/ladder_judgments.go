package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runLadderJudgments runs the ladder's service judgments through the CRM
// on the store: seed 004's lost customer (hand-offs and a month without
// an answer, swept by CheckOverdue) and six outages recovered each within
// an hour; the stored ladder replays to itself.
func runLadderJudgments(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	setup := func(t *testing.T) (*Team, crm.TouchpointMap, crm.Customer) {
		tm := NewTeam(t, newStore(t))
		m, err := tm.Experience.CreateTouchpointMap(ctx, tm.Admin.ID, crm.NewTouchpointMap{Name: "Broker", Touchpoints: []crm.Touchpoint{
			{Key: "hotline", Name: "Hotline", Channel: crm.ChannelContactCenter, Medium: crm.MediumPhone, Phase: crm.PhaseSupport,
				Department: "service", Standards: crm.ServiceStandards{ResolveWithin: 48 * time.Hour}},
			{Key: "web", Name: "Website", Channel: crm.ChannelWeb, Medium: crm.MediumWeb, Phase: crm.PhaseOrdering},
		}})
		require.NoError(t, err)
		cu, err := tm.Customers.Create(ctx, tm.Ann.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: "Li"})
		require.NoError(t, err)
		_, err = tm.Experience.RecordInteraction(ctx, tm.Ann.ID, crm.NewInteraction{Customer: cu.ID, Map: m.ID, Touchpoint: "web",
			At: tm.Clock.Now(), Direction: crm.Inbound, Sentiment: crm.VeryPositive, Resolved: true})
		require.NoError(t, err)
		return tm, m, cu
	}
	replays := func(t *testing.T, tm *Team, cu crm.Customer) crm.LadderState {
		t.Helper()
		st, err := tm.Ladder.State(ctx, tm.Ann.ID, cu.ID)
		require.NoError(t, err)
		hist, err := tm.Ladder.History(ctx, tm.Ann.ID, cu.ID)
		require.NoError(t, err)
		again, err := tm.Ladder.Replay(ctx, tm.Ann.ID, crm.ReplayQuery{Customer: cu.ID, Rules: crm.DefaultLadderRules()})
		require.NoError(t, err)
		assert.Equal(t, st.Stage, again.State.Stage, "the stored evidence replays to the stored ladder")
		require.Len(t, again.Moves, len(hist))
		for i := range hist {
			assert.Equal(t, hist[i].Reason, again.Moves[i].Reason)
		}
		return st
	}

	t.Run("Seed004LostCustomer", func(t *testing.T) {
		tm, m, cu := setup(t)
		opened, err := tm.Cases.Open(ctx, tm.Ann.ID, crm.NewCase{Customer: cu.ID, Kind: crm.Complaint, Subject: "wrong trade",
			Map: m.ID, Touchpoint: "hotline"})
		require.NoError(t, err)
		for _, d := range []string{"trading", "back office", "legal", "trading"} {
			tm.Clock.Advance(time.Hour)
			_, err := tm.Cases.HandOff(ctx, tm.Ann.ID, crm.HandOffRequest{Case: opened.Case.ID, Department: d})
			require.NoError(t, err)
		}
		tm.Clock.Advance(35 * 24 * time.Hour)
		rep, err := tm.Cases.CheckOverdue(ctx, tm.Admin.ID)
		require.NoError(t, err)
		assert.Equal(t, 4, rep.Overdue)
		again, err := tm.Cases.CheckOverdue(ctx, tm.Admin.ID)
		require.NoError(t, err)
		assert.Zero(t, again.Overdue, "idempotent")
		cs, err := tm.Cases.Get(ctx, tm.Ann.ID, opened.Case.ID)
		require.NoError(t, err)
		assert.Equal(t, 4, cs.OverdueSteps)
		assert.Equal(t, crm.Annoyed, replays(t, tm, cu).Stage, "four transfers and a month without an answer")
	})

	t.Run("SixOutages", func(t *testing.T) {
		tm, m, cu := setup(t)
		for i := range 6 {
			tm.Clock.Advance(5 * 24 * time.Hour)
			opened, err := tm.Cases.Open(ctx, tm.Ann.ID, crm.NewCase{Customer: cu.ID, Kind: crm.Complaint, Subject: "outage",
				Map: m.ID, Touchpoint: "hotline"})
			require.NoError(t, err)
			_, err = tm.Experience.RecordInteraction(ctx, tm.Ann.ID, crm.NewInteraction{Customer: cu.ID, Map: m.ID, Touchpoint: "hotline",
				At: tm.Clock.Now(), Direction: crm.Inbound, Case: opened.Case.ID, Survey: crm.Survey{NPS: ptr(1)}})
			require.NoError(t, err)
			tm.Clock.Advance(50 * time.Minute)
			_, err = tm.Cases.Resolve(ctx, tm.Ann.ID, crm.ResolveCaseRequest{Case: opened.Case.ID, Note: "fixed"})
			require.NoError(t, err)
			st, err := tm.Ladder.State(ctx, tm.Ann.ID, cu.ID)
			require.NoError(t, err)
			assert.NotEqual(t, crm.Satisfied, st.Stage, "outage %d", i+1)
		}
		st := replays(t, tm, cu)
		assert.Equal(t, crm.Annoyed, st.Stage, "the same failure six times")
		assert.Equal(t, 6, st.Failures)
	})
}
