package storetest

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runMoveEvidence checks through the CRM that a ladder move references
// the evidence that caused it rather than keeping a copy: the reference
// finds the evidence, which is the evidence weighed, field for field; and
// after the customer's erasure nothing of the evidence's note is left in
// the moves, while the reference still finds the (erased) evidence.
func runMoveEvidence(t *testing.T, newStore NewStoreFunc) {
	t.Run("RetrievableAndIdentical", func(t *testing.T) {
		tm, cust, made := movesOnEvidence(t, newStore, "order")
		ctx := context.Background()
		history, err := tm.Ladder.History(ctx, tm.Ann.ID, cust)
		require.NoError(t, err)
		require.Len(t, history, 2, "a rise on the second purchase, then churn")
		assert.Equal(t, made, history, "the moves read back are the moves made")
		evidence, err := tm.Ladder.Evidence(ctx, tm.Ann.ID, cust)
		require.NoError(t, err)
		require.Len(t, evidence, 3)
		for i, m := range history {
			ev := evidence[i+1] // the second purchase, then the churn
			require.False(t, m.Evidence.ID.IsZero())
			assert.Equal(t, ev.Ref(), m.Evidence, "the move references the evidence that caused it")
			stored := read(t, tm.Store, func(tx crm.ReadTx) (crm.Evidence, error) {
				return tx.Ladder().EvidenceByID(ctx, m.Evidence.ID)
			})
			assert.Equal(t, ev, stored, "the reference finds the evidence, every field")
		}
		assert.Equal(t, crm.EvidencePurchase, history[0].Evidence.Kind)
		assert.Equal(t, "order 2", evidence[1].Note)
		assert.Equal(t, crm.EvidenceChurn, history[1].Evidence.Kind)
	})

	t.Run("ErasureLeavesNoNoteInMoves", func(t *testing.T) {
		const mark = "Zyxwvut-order"
		tm, cust, _ := movesOnEvidence(t, newStore, mark)
		ctx := context.Background()
		_, err := tm.Customers.Erase(ctx, tm.Admin.ID, crm.ErasureRequest{Customer: cust, Reason: "Art. 17 request"})
		require.NoError(t, err)
		require.NoError(t, tm.Store.View(ctx, func(tx crm.ReadTx) error {
			moves, err := tx.Ladder().Moves(ctx, cust)
			require.NoError(t, err)
			replaced, err := tx.Ladder().ReplacedMoves(ctx, cust)
			require.NoError(t, err)
			require.Len(t, moves, 2)
			for _, m := range append(moves, replaced...) {
				b, err := json.Marshal(m)
				require.NoError(t, err)
				assert.NotContains(t, string(b), mark, "a move keeps nothing of its evidence's note")
				ev, err := tx.Ladder().EvidenceByID(ctx, m.Evidence.ID)
				require.NoError(t, err, "the reference still finds the evidence")
				assert.NotContains(t, ev.Note, mark, "the evidence is erased where it is kept")
				assert.Equal(t, ev.Ref(), m.Evidence)
			}
			return nil
		}))
	})
}

// movesOnEvidence records two purchases and churn for a new customer,
// each with a note starting with note: the second purchase lifts the
// customer to satisfied, churn takes them to lost. It returns the moves
// the evidence made.
func movesOnEvidence(t *testing.T, newStore NewStoreFunc, note string) (*Team, crm.ID, []crm.LadderMove) {
	t.Helper()
	ctx := context.Background()
	tm := NewTeam(t, newStore(t))
	cu, err := tm.Customers.Create(ctx, tm.Ann.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: "Wendy Wu"})
	require.NoError(t, err)
	var made []crm.LadderMove
	for i, n := range []crm.NewEvidence{
		{Customer: cu.ID, Kind: crm.EvidencePurchase, Note: note + " 1"},
		{Customer: cu.ID, Kind: crm.EvidencePurchase, Note: note + " 2"},
		{Customer: cu.ID, Kind: crm.EvidenceChurn, Note: note + " 3"},
	} {
		tm.Clock.Advance(time.Hour)
		moves, err := tm.Ladder.RecordEvidence(ctx, tm.Manager.ID, n)
		require.NoError(t, err)
		require.Len(t, moves, min(i, 1))
		made = append(made, moves...)
	}
	return tm, cu.ID, made
}
