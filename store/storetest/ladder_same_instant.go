package storetest

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runLadderSameInstant runs what weighing evidence of one instant reads,
// with a clock that stands still: a contact recorded at the instant of
// the customer's last one comes after it, in the order it arrived, so it
// is weighed at once, reading none of the customer's evidence, however
// long their history; evidence dated before the write (backdated) still
// replays the customer when it comes before what was weighed.
func runLadderSameInstant(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	t.Run("NoReplay", func(t *testing.T) {
		reads := &evidenceReads{}
		tm := NewTeam(t, countEvidenceReads(newStore(t), reads))
		m, err := tm.Experience.CreateTouchpointMap(ctx, tm.Admin.ID, crm.NewTouchpointMap{Name: "Shop", Touchpoints: []crm.Touchpoint{
			{Key: "web", Name: "Website", Channel: crm.ChannelWeb, Medium: crm.MediumWeb, Phase: crm.PhaseOrdering},
			{Key: "hotline", Name: "Hotline", Channel: crm.ChannelContactCenter, Medium: crm.MediumPhone, Phase: crm.PhaseSupport},
		}})
		require.NoError(t, err)
		cu, err := tm.Customers.Create(ctx, tm.Ann.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: "Busy"})
		require.NoError(t, err)
		// Contacts that differ in what they say, so that ordered by content
		// about half would come before the one weighed last.
		sentiments := []crm.Sentiment{crm.Negative, crm.VeryPositive, crm.Neutral, crm.Positive, crm.VeryNegative}
		const n = 40
		var perWrite []int64
		for i := range n {
			before := reads.rows.Load() + reads.byID.Load()
			_, err := tm.Experience.RecordInteraction(ctx, tm.Ann.ID, crm.NewInteraction{Customer: cu.ID, Map: m.ID,
				Touchpoint: []string{"web", "hotline"}[i%2], At: tm.Clock.Now(), Direction: crm.Inbound, Sentiment: sentiments[(i*3)%len(sentiments)],
				Resolved: i%3 == 0, Note: string(rune('z' - i%26))})
			require.NoError(t, err)
			perWrite = append(perWrite, reads.rows.Load()+reads.byID.Load()-before)
		}
		var total int64
		for _, r := range perWrite {
			total += r
		}
		assert.Zero(t, total, "contacts at the instant of the last are weighed at once: evidence read per write %v", perWrite)

		evidence, err := tm.Ladder.Evidence(ctx, tm.Ann.ID, cu.ID)
		require.NoError(t, err)
		require.Len(t, evidence, n)
		for i, ev := range evidence {
			assert.Equal(t, i+1, ev.Arrival, "evidence %d is dated the instant it was weighed, numbered as it arrived", i)
			if i > 0 {
				assert.Negative(t, crm.CompareEvidence(evidence[i-1], ev), "evidence %d comes after the one before it", i)
			}
		}
		st, err := tm.Ladder.State(ctx, tm.Ann.ID, cu.ID)
		require.NoError(t, err)
		assert.Equal(t, evidence[n-1].ID, st.LastEvidence)
		assert.True(t, st.LastAt.Equal(tm.Clock.Now()), "the state keeps the last evidence's time")
		assert.Equal(t, n, st.LastArrival, "and its arrival")
		sameAsReplay(t, tm, cu)

		// Backdated evidence before the last still replays the customer,
		// and the ladder stays what replaying it gives.
		before := reads.rows.Load()
		_, err = tm.Experience.RecordInteraction(ctx, tm.Ann.ID, crm.NewInteraction{Customer: cu.ID, Map: m.ID, Touchpoint: "hotline",
			At: tm.Clock.Now().Add(-time.Hour), Direction: crm.Inbound, Sentiment: crm.VeryNegative})
		require.NoError(t, err)
		assert.Equal(t, int64(n), reads.rows.Load()-before, "late evidence replays the customer's evidence")
		sameAsReplay(t, tm, cu)
	})
}

// sameAsReplay checks that a customer's stored moves are those replaying
// their evidence gives.
func sameAsReplay(t *testing.T, tm *Team, cu crm.Customer) {
	t.Helper()
	ctx := context.Background()
	hist, err := tm.Ladder.History(ctx, tm.Ann.ID, cu.ID)
	require.NoError(t, err)
	again, err := tm.Ladder.Replay(ctx, tm.Ann.ID, crm.ReplayQuery{Customer: cu.ID, Rules: crm.DefaultLadderRules()})
	require.NoError(t, err)
	require.Len(t, again.Moves, len(hist), "the stored ladder replays to itself")
	for i := range hist {
		assert.Equal(t, hist[i].Evidence.ID, again.Moves[i].Evidence.ID, "move %d", i)
		assert.Equal(t, hist[i].To, again.Moves[i].To, "move %d", i)
		assert.Equal(t, hist[i].Reason, again.Moves[i].Reason, "move %d", i)
	}
	st, err := tm.Ladder.State(ctx, tm.Ann.ID, cu.ID)
	require.NoError(t, err)
	assert.Equal(t, again.State.Stage, st.Stage)
}

// evidenceReads counts what a store's writes read of the customers'
// evidence: the rows of whole histories (LadderReader.Evidence) and the
// pieces read by ID.
type evidenceReads struct{ rows, byID atomic.Int64 }

// countEvidenceReads wraps a store so that its write transactions count
// their evidence reads in reads; it keeps the store's sealing, which the
// CRM looks for.
func countEvidenceReads(s crm.Store, reads *evidenceReads) crm.Store {
	c := countingStore{Store: s, reads: reads}
	if sealer, ok := s.(crm.LogSealer); ok {
		return countingSealer{c, sealer}
	}
	return c
}

type countingStore struct {
	crm.Store
	reads *evidenceReads
}

func (c countingStore) Update(ctx context.Context, fn func(tx crm.Tx) error) error {
	return c.Store.Update(ctx, func(tx crm.Tx) error { return fn(countingTx{tx, c.reads}) })
}

type countingSealer struct {
	countingStore
	crm.LogSealer
}

type countingTx struct {
	crm.Tx
	reads *evidenceReads
}

func (c countingTx) Ladder() crm.LadderRepository { return countingLadder{c.Tx.Ladder(), c.reads} }

type countingLadder struct {
	crm.LadderRepository
	reads *evidenceReads
}

func (c countingLadder) Evidence(ctx context.Context, customer crm.ID) ([]crm.Evidence, error) {
	out, err := c.LadderRepository.Evidence(ctx, customer)
	c.reads.rows.Add(int64(len(out)))
	return out, err
}

func (c countingLadder) EvidenceByID(ctx context.Context, id crm.ID) (crm.Evidence, error) {
	c.reads.byID.Add(1)
	return c.LadderRepository.EvidenceByID(ctx, id)
}
