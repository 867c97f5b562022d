package storetest

import (
	"context"
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runBatchLedger checks the batches of ledger commands through the CRM:
// IssueInvoices and ReceivePayments post what the single commands post,
// in one transaction; each item keeps its own idempotency key (a retried
// batch returns exactly what the first returned and writes nothing; a key
// repeated within a batch posts once); and an item refused is a
// *crm.BatchError naming it, with nothing of the batch written.
func runBatchLedger(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	t.Run("InvoicesAsSingly", func(t *testing.T) {
		b := newBooks(t, newStore(t))
		c, other := b.customer(t, "Initech"), b.customer(t, "Umbrella")
		batch := []crm.NewInvoice{newInvoice(c, usdOf(t, "100.00"), ""), newInvoice(other, usdOf(t, "250.00"), ""),
			newInvoice(c, usdOf(t, "40.00"), "CHOSEN-1")}
		for i := range batch {
			batch[i].IdempotencyKey = []string{"inv-a", "inv-b", "inv-c"}[i]
		}
		got, err := b.Ledger.IssueInvoices(ctx, b.fin.ID, batch)
		require.NoError(t, err)
		require.Len(t, got, 3)
		for i, inv := range got {
			assert.Equal(t, batch[i].Customer, inv.Customer)
			assert.Equal(t, minor(batch[i].Lines[0].UnitPrice), minor(inv.Total))
			assert.Equal(t, minor(inv.Total), b.open(t, inv.Customer, inv.ID), "invoice %d is posted", i)
		}
		assert.Equal(t, "CHOSEN-1", got[2].Number)
		assert.NotEqual(t, got[0].Number, got[1].Number, "each takes the next number of the series")
		b.verify(t, c, other)

		before := b.state(t, c)
		again, err := b.Ledger.IssueInvoices(ctx, b.fin.ID, batch)
		require.NoError(t, err)
		assert.Equal(t, got, again, "a retried batch returns what the first returned")
		assert.Equal(t, before, b.state(t, c), "and writes nothing")

		single, err := b.Ledger.IssueInvoice(ctx, b.fin.ID, batch[1])
		require.NoError(t, err)
		assert.Equal(t, got[1], single, "a single retry finds the batch's invoice by its key")
	})
	t.Run("InvoicesAsOneByOne", func(t *testing.T) { runInvoicesAsOneByOne(t, newStore) })
	t.Run("PaymentsAsOneByOne", func(t *testing.T) { runPaymentsAsOneByOne(t, newStore) })
	t.Run("KeyRepeatedWithinBatch", func(t *testing.T) {
		b := newBooks(t, newStore(t))
		c := b.customer(t, "Initech")
		n := newInvoice(c, usdOf(t, "100.00"), "")
		n.IdempotencyKey = "same"
		got, err := b.Ledger.IssueInvoices(ctx, b.fin.ID, []crm.NewInvoice{n, n})
		require.NoError(t, err)
		assert.Equal(t, got[0], got[1], "a key repeated within a batch issues once")
		assert.Len(t, b.entries(t, c), 1)
	})
	t.Run("RefusedItemWritesNothing", func(t *testing.T) {
		b := newBooks(t, newStore(t))
		c := b.customer(t, "Initech")
		first, err := b.Ledger.IssueInvoice(ctx, b.fin.ID, crm.NewInvoice{Customer: c, Currency: usd, IdempotencyKey: "used", Number: "TAKEN-1",
			Lines: []crm.InvoiceLine{{Description: "Seats", Quantity: dec("1"), UnitPrice: usdOf(t, "10.00")}}})
		require.NoError(t, err)
		reused := newInvoice(c, usdOf(t, "99.00"), "")
		reused.IdempotencyKey = "used"
		for _, tc := range []struct {
			name   string
			bad    crm.NewInvoice
			target error
		}{
			{"UnknownCustomer", newInvoice(crm.ID{9}, usdOf(t, "5.00"), ""), crm.ErrNotFound},
			{"NoLines", crm.NewInvoice{Customer: c, Currency: usd}, crm.ErrInvalid},
			{"KeyOfAnotherRequest", reused, crm.ErrConflict},
			{"NumberTaken", newInvoice(c, usdOf(t, "5.00"), first.Number), crm.ErrConflict},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := b.state(t, c)
				_, err := b.Ledger.IssueInvoices(ctx, b.fin.ID, []crm.NewInvoice{newInvoice(c, usdOf(t, "1.00"), ""),
					newInvoice(c, usdOf(t, "2.00"), ""), tc.bad})
				var be *crm.BatchError
				require.ErrorAs(t, err, &be)
				assert.Equal(t, 2, be.Index)
				assert.Equal(t, "invoices", be.Batch)
				b.refusedAs(t, err, tc.target, c, before)
			})
		}
		before := b.state(t, c)
		long := newInvoice(c, usdOf(t, "1.00"), "")
		long.IdempotencyKey = string(make([]byte, 1000))
		_, err = b.Ledger.IssueInvoices(ctx, b.fin.ID, []crm.NewInvoice{newInvoice(c, usdOf(t, "1.00"), ""), long})
		var be *crm.BatchError
		require.ErrorAs(t, err, &be)
		assert.Equal(t, 1, be.Index, "a bad key is refused before the write")
		b.refusedAs(t, err, crm.ErrInvalid, c, before)
		_, err = b.Ledger.IssueInvoices(ctx, b.fin.ID, nil)
		require.ErrorIs(t, err, crm.ErrInvalid, "an empty batch")
	})
	t.Run("Payments", func(t *testing.T) {
		b := newBooks(t, newStore(t))
		c, other := b.customer(t, "Initech"), b.customer(t, "Umbrella")
		invs, err := b.Ledger.IssueInvoices(ctx, b.fin.ID, []crm.NewInvoice{newInvoice(c, usdOf(t, "100.00"), ""),
			newInvoice(c, usdOf(t, "50.00"), ""), newInvoice(other, usdOf(t, "70.00"), "")})
		require.NoError(t, err)
		batch := []crm.NewPayment{
			{Customer: c, Amount: usdOf(t, "120.00"), Reference: "wire 1", Allocation: crm.AllocateOldestFirst, IdempotencyKey: "pay-1"},
			{Customer: other, Amount: usdOf(t, "10.00"), Reference: "card", IdempotencyKey: "pay-2"},
			{Customer: c, Amount: usdOf(t, "40.00"), Reference: "wire 2", Allocation: crm.AllocateOldestFirst, IdempotencyKey: "pay-3"},
		}
		got, err := b.Ledger.ReceivePayments(ctx, b.fin.ID, batch)
		require.NoError(t, err)
		require.Len(t, got, 3)
		require.Len(t, got[0].Allocations, 1)
		assert.Equal(t, []crm.ID{invs[0].ID, invs[1].ID}, got[0].Allocations[0].Invoices(), "the first payment settles the first invoice and part of the second")
		assert.Empty(t, got[1].Allocations, "kept as credit")
		assert.Len(t, got[2].Allocations, 1, "the second pays what the first left open")
		assert.Zero(t, b.open(t, c, invs[0].ID))
		assert.Zero(t, b.open(t, c, invs[1].ID))
		assert.Equal(t, int64(1000), b.unapplied(t, c), "10.00 of the second payment is left as credit")
		assert.Equal(t, int64(7000), b.open(t, other, invs[2].ID))
		b.verify(t, c, other)

		before := b.state(t, c)
		again, err := b.Ledger.ReceivePayments(ctx, b.fin.ID, batch)
		require.NoError(t, err)
		for i := range got {
			assert.True(t, again[i].Duplicate)
			again[i].Duplicate = false
		}
		assert.Equal(t, got, again, "a retried batch returns the receipts the first returned")
		assert.Equal(t, before, b.state(t, c), "and writes nothing")

		bad := append(batch[:1:1], crm.NewPayment{Customer: c, Amount: usdOf(t, "1.00"), Allocation: "bogus"})
		_, err = b.Ledger.ReceivePayments(ctx, b.fin.ID, bad)
		var be *crm.BatchError
		require.ErrorAs(t, err, &be)
		assert.Equal(t, crm.BatchError{Batch: "payments", Index: 1}, crm.BatchError{Batch: be.Batch, Index: be.Index})
		b.refusedAs(t, err, crm.ErrInvalid, c, before)

		_, err = b.Ledger.ReceivePayments(ctx, b.fin.ID, []crm.NewPayment{
			{Customer: other, Amount: usdOf(t, "70.00"), Allocation: crm.AllocateOldestFirst},
			{Customer: c, Amount: usdOf(t, "-1.00")},
		})
		require.ErrorAs(t, err, &be)
		assert.Equal(t, 1, be.Index)
		b.refusedAs(t, err, crm.ErrInvalid, c, before)
		assert.Equal(t, int64(7000), b.open(t, other, invs[2].ID), "the first payment of the refused batch was not written")
	})
}
