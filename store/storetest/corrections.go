package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runCorrections checks the four-eyes rule for corrections under
// concurrency: many refunds racing on one approval, from two app servers,
// post one refund; the others are refused and write nothing.
func runCorrections(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	t.Run("AnApprovalServesOnce", func(t *testing.T) {
		b := newBooks(t, newStore(t))
		c := b.customer(t, "Initech")
		big := crm.MoneyFromMinor(2_000_000, eur) // 20,000.00, above the default limit
		// An invoice with room for every note, so that what refuses the
		// losers is the approval, used.
		inv, err := b.Ledger.IssueInvoice(ctx, b.fin.ID, newInvoice(c, crm.MoneyFromMinor(20_000_000, eur), "FLEET-1"))
		require.NoError(t, err)
		_, err = b.Ledger.IssueCreditNote(ctx, b.fin.ID, crm.NewCreditNote{Customer: c, Invoice: inv.ID, Net: big, Reason: "settlement"})
		require.ErrorIs(t, err, crm.ErrForbidden, "above the limit the maker needs a checker")
		approval, err := b.Ledger.ApproveCorrection(ctx, b.Admin.ID, crm.ApproveCorrectionRequest{Maker: b.fin.ID, Customer: c,
			Kind: crm.CorrectionCreditNote, Amount: big, Reason: "settlement"})
		require.NoError(t, err)
		const workers = 6
		var (
			wg  sync.WaitGroup
			mu  sync.Mutex
			won []crm.Credit
		)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				cr, err := b.crm(w).Ledger.IssueCreditNote(ctx, b.fin.ID, crm.NewCreditNote{Customer: c, Invoice: inv.ID, Net: big, Reason: "settlement",
					Approval: approval.ID})
				if err == nil {
					mu.Lock()
					won = append(won, cr)
					mu.Unlock()
					return
				}
				assert.True(t, errors.Is(err, crm.ErrConflict), "a loser is told the approval was used: %v", err)
			}()
		}
		wg.Wait()
		require.Len(t, won, 1, "one credit note on one approval")
		credits := 0
		for _, e := range b.entries(t, c) {
			if e.Kind == crm.EntryCreditNote {
				credits++
			}
		}
		assert.Equal(t, 1, credits, "the losers wrote nothing")
		require.NoError(t, b.Ledger.Verify(ctx, b.Admin.ID))
	})
}
