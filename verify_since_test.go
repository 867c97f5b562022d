package crm_test

import (
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestVerifySince is the table of the checkpoints VerifySince goes on
// from: one Verify returned goes on; one that names another event, an
// event the log does not hold, or balances the ledger never had, does
// not verify; one no verification could have returned is refused; and
// only who may verify the whole ledger may verify from a checkpoint.
func TestVerifySince(t *testing.T) {
	b := newBook(t)
	b.invoice(t, "100.00", "2026-04-01")
	cp, err := b.Ledger.VerifySince(ctx, b.fin.ID, crm.LedgerCheckpoint{})
	require.NoError(t, err)
	assert.Equal(t, int64(1), cp.Entries)
	require.Len(t, cp.Balances, 2, "the receivable and the revenue")
	b.cp = cp
	b.pay(t, "40.00", crm.AllocateOldestFirst)

	otherHash := cp
	otherHash.Hash[0] ^= 1
	beyond := cp
	beyond.Seq += 1000
	richer := cp
	richer.Balances = append([]crm.Balance(nil), cp.Balances...)
	for i, bal := range richer.Balances {
		if bal.Account == crm.AccountReceivable {
			richer.Balances[i].Amount, _ = bal.Amount.Add(money(t, "1.00", "USD"))
		}
	}
	negative := cp
	negative.Seq = -1
	noAccount := cp
	noAccount.Balances = []crm.Balance{{Customer: b.cust.ID, Amount: money(t, "1.00", "USD")}}
	cases := []struct {
		name  string
		actor crm.ID
		since crm.LedgerCheckpoint
		want  error
	}{
		{"AsReturned", b.fin.ID, cp, nil},
		{"OtherHash", b.fin.ID, otherHash, crm.ErrLedgerBroken},
		{"BeyondTheHead", b.fin.ID, beyond, crm.ErrLedgerBroken},
		{"BalancesTheLedgerNeverHad", b.fin.ID, richer, crm.ErrLedgerBroken},
		{"NegativeSeq", b.fin.ID, negative, crm.ErrInvalid},
		{"BalanceWithoutAccount", b.fin.ID, noAccount, crm.ErrInvalid},
		{"ManagerMayNot", b.Manager.ID, cp, crm.ErrForbidden},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := b.Ledger.VerifySince(ctx, c.actor, c.since)
			if c.want != nil {
				assert.ErrorIs(t, err, c.want)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, int64(3), got.Entries, "the invoice, the payment and its allocation")
		})
	}
}
