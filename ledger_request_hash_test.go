package crm_test

import (
	"testing"

	"github.com/crmkit/crm"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRequestDigestOnlyWithAKey pins which entries carry their request's
// digest: those of a command with an idempotency key, every entry such a
// command posts alike (a retry finds them by it), and none of a command
// without a key, which has no retry to tell apart and is not made to
// encode its request.
func TestRequestDigestOnlyWithAKey(t *testing.T) {
	b := newBook(t)
	usd := money(t, "1", "USD").Currency()
	issue := func(key string) crm.Invoice {
		inv, err := b.Ledger.IssueInvoice(ctx, b.fin.ID, crm.NewInvoice{Customer: b.cust.ID, Currency: usd,
			Issued: date(t, "2026-03-01"), Due: date(t, "2026-04-01"), IdempotencyKey: key,
			Lines: []crm.InvoiceLine{{Description: "services", Quantity: decimal.NewFromInt(1), UnitPrice: money(t, "100", "USD")}}})
		require.NoError(t, err)
		return inv
	}
	entry := func(id crm.ID) crm.Entry {
		page, err := b.Ledger.Entries(ctx, b.fin.ID, crm.EntryQuery{Customer: b.cust.ID})
		require.NoError(t, err)
		for _, e := range page.Items {
			if e.ID == id {
				return e
			}
		}
		t.Fatalf("entry %s not listed", id)
		return crm.Entry{}
	}

	assert.True(t, entry(issue("").Entry).RequestHash.IsZero(), "no key, no digest")
	assert.False(t, entry(issue("invoice 2").Entry).RequestHash.IsZero(), "a keyed command keeps its digest")

	unkeyed := b.pay(t, "200", crm.AllocateOldestFirst)
	require.Len(t, unkeyed.Allocations, 1, "one entry for the invoices settled on one day")
	require.Len(t, unkeyed.Allocations[0].Invoices(), 2)
	for _, a := range unkeyed.Allocations {
		assert.True(t, a.RequestHash.IsZero(), "an unkeyed payment's allocations carry no digest")
	}
	rev, err := b.Ledger.Reverse(ctx, b.fin.ID, crm.ReverseRequest{Entry: unkeyed.Entry.ID, Reason: "bounced"})
	require.NoError(t, err)
	require.Len(t, rev.Settlements, 1)
	for _, e := range append([]crm.Entry{rev.Reversal}, rev.Settlements...) {
		assert.True(t, e.RequestHash.IsZero(), "an unkeyed reversal and its settlements carry no digest")
	}

	keyed, err := b.Ledger.ReceivePayment(ctx, b.fin.ID, crm.NewPayment{Allocation: crm.AllocateOldestFirst, Customer: b.cust.ID,
		Amount: money(t, "200", "USD"), Received: date(t, "2026-03-02"), IdempotencyKey: "pay keyed"})
	require.NoError(t, err)
	require.Len(t, keyed.Allocations, 1)
	require.Len(t, keyed.Allocations[0].Invoices(), 2)
	for _, a := range keyed.Allocations {
		assert.Equal(t, entry(keyed.Entry.ID).RequestHash, a.RequestHash, "a keyed payment's allocations carry its digest")
	}
	assert.False(t, entry(keyed.Entry.ID).RequestHash.IsZero())
	req := crm.ReverseRequest{Entry: keyed.Entry.ID, Reason: "bounced", IdempotencyKey: "reverse keyed"}
	first, err := b.Ledger.Reverse(ctx, b.fin.ID, req)
	require.NoError(t, err)
	require.Len(t, first.Settlements, 1)
	for _, e := range first.Settlements {
		assert.Equal(t, first.Reversal.RequestHash, e.RequestHash, "every entry of a keyed command carries its digest")
	}
	again, err := b.Ledger.Reverse(ctx, b.fin.ID, req)
	require.NoError(t, err)
	assert.True(t, again.Duplicate)
	assert.Equal(t, first.Settlements, again.Settlements, "a retry finds the settlements by the digest")
}
