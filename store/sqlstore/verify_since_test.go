package sqlstore_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/storetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestVerifySinceWhilePosting verifies the ledger from checkpoint to
// checkpoint on PostgreSQL, whose writers leave their events to be sealed
// after they commit, while invoices are being posted: an entry whose
// event awaits its place is neither reported nor counted twice, and the
// last checkpoint is the whole ledger's.
func TestVerifySinceWhilePosting(t *testing.T) {
	postgresURL(t)
	ctx := context.Background()
	s, _ := postgresBackend.newStore(t)
	require.True(t, s.SealsLog(), "PostgreSQL seals the log by default")
	tm := storetest.NewTeam(t, s)
	fin, err := tm.Users.Create(ctx, tm.Admin.ID, crm.NewUser{Name: "Fay Finance", Role: crm.RoleFinance})
	require.NoError(t, err)
	c, err := tm.Customers.Create(ctx, tm.Ann.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: "Jane Roe"})
	require.NoError(t, err)
	var wg sync.WaitGroup
	done := make(chan struct{})
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 8 {
				_, err := tm.Ledger.IssueInvoice(ctx, fin.ID, crm.NewInvoice{Customer: c.ID, Currency: crm.EUR, Number: fmt.Sprintf("W%d-%d", w, i),
					Lines: []crm.InvoiceLine{{Description: "Services", Quantity: decimalOne, UnitPrice: crm.MoneyFromMinor(1_000, crm.EUR)}}})
				assert.NoError(t, err)
			}
		}()
	}
	go func() { wg.Wait(); close(done) }()
	var cp crm.LedgerCheckpoint
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
		}
		cp, err = tm.Ledger.VerifySince(ctx, tm.Admin.ID, cp)
		require.NoError(t, err)
	}
	cp, err = tm.Ledger.VerifySince(ctx, tm.Admin.ID, cp)
	require.NoError(t, err)
	all, err := tm.Ledger.VerifySince(ctx, tm.Admin.ID, crm.LedgerCheckpoint{})
	require.NoError(t, err)
	assert.Equal(t, int64(32), all.Entries)
	assert.Equal(t, all.Entries, cp.Entries)
	assert.Equal(t, all.Seq, cp.Seq)
	require.Len(t, cp.Balances, len(all.Balances))
	for i := range all.Balances {
		assert.True(t, all.Balances[i].Amount.Equal(cp.Balances[i].Amount), "balance %d", i)
	}
}
