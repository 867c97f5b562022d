package crm_test

import (
	"fmt"
	"testing"

	"github.com/crmkit/crm"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPaymentOverManyInvoices applies a payment oldest first to more open
// invoices than a page lists, some issued after the payment was
// received, between invoices paid already and another customer's: the
// payment reads them ahead a page at a time while pages bring mostly
// those it settles, then one by one. Each is settled the day the payment
// and the invoice both exist, in full.
func TestPaymentOverManyInvoices(t *testing.T) {
	b := newBook(t)
	other := b.customer(t, b.Ann, "Fabrikam")
	issued := []string{"2026-02-20", "2026-02-25", "2026-03-01", "2026-03-10"}
	received := date(t, "2026-03-02")
	var invoices []crm.Invoice
	for i := range 2300 {
		if i%10 == 0 {
			_, err := b.Ledger.IssueInvoice(ctx, b.fin.ID, crm.NewInvoice{Customer: other.ID, Currency: crm.USD,
				Lines: []crm.InvoiceLine{{Description: "services", Quantity: decimal.NewFromInt(1), UnitPrice: money(t, "1.00", "USD")}}})
			require.NoError(t, err)
		}
		inv, err := b.Ledger.IssueInvoice(ctx, b.fin.ID, crm.NewInvoice{Customer: b.cust.ID, Currency: crm.USD,
			Issued: date(t, issued[i%len(issued)]), Due: date(t, "2026-04-30"), Number: fmt.Sprint("M-", i),
			Lines: []crm.InvoiceLine{{Description: "services", Quantity: decimal.NewFromInt(1), UnitPrice: money(t, "1.00", "USD")}}})
		require.NoError(t, err)
		invoices = append(invoices, inv)
	}
	// Paid already: nine in ten of the invoices from the 1,100th to the
	// 2,100th, so that the second page brings mostly those.
	paid := map[crm.ID]bool{}
	for i, inv := range invoices {
		if i >= 1100 && i < 2100 && i%10 != 0 {
			paid[inv.ID] = true
		}
	}
	credit, err := b.Ledger.ReceivePayment(ctx, b.fin.ID, crm.NewPayment{Customer: b.cust.ID, Amount: money(t, fmt.Sprint(len(paid), ".00"), "USD"),
		Received: date(t, "2026-03-01"), Allocation: crm.KeepAsCredit})
	require.NoError(t, err)
	for id := range paid {
		_, err := b.Ledger.Allocate(ctx, b.fin.ID, crm.AllocationRequest{Customer: b.cust.ID, Credit: credit.Payment.ID, Invoice: id,
			Amount: money(t, "1.00", "USD"), Effective: date(t, "2026-03-10")})
		require.NoError(t, err)
	}
	open := len(invoices) - len(paid)
	r, err := b.Ledger.ReceivePayment(ctx, b.fin.ID, crm.NewPayment{Customer: b.cust.ID, Amount: money(t, fmt.Sprint(open, ".00"), "USD"),
		Received: received, Allocation: crm.AllocateOldestFirst})
	require.NoError(t, err)
	byID := map[crm.ID]crm.Invoice{}
	for _, inv := range invoices {
		byID[inv.ID] = inv
	}
	settled := 0
	for _, a := range r.Allocations {
		credited := crm.Zero(crm.USD)
		for _, p := range a.Postings {
			if p.Account == crm.AccountCredit {
				credited = p.Amount
				continue
			}
			require.Equal(t, crm.AccountReceivable, p.Account)
			inv := byID[p.Item]
			require.False(t, inv.ID.IsZero())
			assert.False(t, paid[inv.ID])
			assert.Equal(t, "-1.00 USD", p.Amount.String())
			want := received
			if inv.Issued.After(received) {
				want = inv.Issued
			}
			assert.Equal(t, want, a.Effective, "invoice %s issued %s", inv.Number, inv.Issued)
			settled++
		}
		assert.Equal(t, fmt.Sprint(len(a.Invoices()), ".00 USD"), credited.String(), "the credit gives what the invoices take")
	}
	assert.Equal(t, open, settled, "every open invoice settled once")
	assert.LessOrEqual(t, len(r.Allocations), 2*len(issued), "an entry per day settled, of at most 999 invoices")
	b.verify(t)
}
