package crm_test

import (
	"errors"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// datedBooks are books whose clock reads 2026-03-10, so that documents
// can be dated before and after today.
func datedBooks(t *testing.T) *books {
	b := newBook(t)
	b.Clock.Set(time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC))
	return b
}

func (b *books) invoiceOn(t *testing.T, amount, issued string) crm.Invoice {
	t.Helper()
	m := money(t, amount, "USD")
	inv, err := b.Ledger.IssueInvoice(ctx, b.fin.ID, crm.NewInvoice{Customer: b.cust.ID, Currency: m.Currency(), Issued: date(t, issued),
		Lines: []crm.InvoiceLine{{Description: "services", Quantity: decimal.NewFromInt(1), UnitPrice: m}}})
	require.NoError(t, err)
	return inv
}

func (b *books) payOn(t *testing.T, amount, received string, allocation crm.AllocationStrategy) crm.PaymentReceipt {
	t.Helper()
	r, err := b.Ledger.ReceivePayment(ctx, b.fin.ID, crm.NewPayment{Allocation: allocation, Customer: b.cust.ID, Amount: money(t, amount, "USD"),
		Received: date(t, received)})
	require.NoError(t, err)
	return r
}

// openOn returns the customer's open items as of a day, as item → amount,
// and requires that none is overpaid or overdrawn.
func (b *books) openOn(t *testing.T, day string) map[crm.ID]string {
	t.Helper()
	items, err := b.Receivables.OpenItems(ctx, b.fin.ID, crm.ReceivableQuery{Customer: b.cust.ID, AsOf: date(t, day)})
	require.NoError(t, err)
	out := map[crm.ID]string{}
	for _, it := range items {
		assert.False(t, (it.Account == crm.AccountReceivable && it.Open.IsNegative()) ||
			(it.Account == crm.AccountCredit && it.Open.IsPositive()), "as of %s, %s %s has %s open", day, it.Account, it.Item, it.Open)
		out[it.Item] = it.Open.String()
	}
	return out
}

// No entry counts before what it settles: reports as of a past day never
// show an invoice paid before it was issued or a credit used before it
// was received.
func TestEntriesNeverCountBeforeWhatTheySettle(t *testing.T) {
	t.Run("a payment received before its invoice settles it the day the invoice is issued", func(t *testing.T) {
		b := datedBooks(t)
		inv := b.invoiceOn(t, "100.00", "2026-03-05")
		pay := b.payOn(t, "100.00", "2026-03-01", crm.AllocateOldestFirst)
		assert.True(t, b.open(t, inv.ID).IsZero())
		require.Len(t, pay.Allocations, 1)
		assert.Equal(t, date(t, "2026-03-05"), pay.Allocations[0].Effective)
		assert.Equal(t, map[crm.ID]string{pay.Payment.ID: "-100.00 USD"}, b.openOn(t, "2026-03-03"), "paid, not yet invoiced")
		assert.Empty(t, b.openOn(t, "2026-03-05"))
		b.verify(t)
	})

	t.Run("a payment settles an invoice reopened since its day on the day it is recorded", func(t *testing.T) {
		b := datedBooks(t)
		inv := b.invoiceOn(t, "100.00", "2026-03-01")
		first := b.payOn(t, "100.00", "2026-03-02", crm.AllocateOldestFirst)
		_, err := b.Ledger.Reverse(ctx, b.fin.ID, crm.ReverseRequest{Entry: first.Allocations[0].ID, Reason: "applied by mistake"})
		require.NoError(t, err)
		second := b.payOn(t, "100.00", "2026-03-03", crm.AllocateOldestFirst)
		require.Len(t, second.Allocations, 1)
		assert.Equal(t, date(t, "2026-03-10"), second.Allocations[0].Effective, "as of Mar 3 the invoice was settled by the first payment")
		assert.Equal(t, map[crm.ID]string{second.Payment.ID: "-100.00 USD"}, b.openOn(t, "2026-03-05"))
		assert.Equal(t, map[crm.ID]string{first.Payment.ID: "-100.00 USD"}, b.openOn(t, "2026-03-10"))
		assert.True(t, b.open(t, inv.ID).IsZero(), "reopened, then settled again")
		b.verify(t)
	})

	for _, tc := range []struct {
		name string
		post func(b *books, inv crm.Invoice, credit crm.ID) error
	}{
		{"an allocation dated before its invoice", func(b *books, inv crm.Invoice, credit crm.ID) error {
			_, err := b.Ledger.Allocate(ctx, b.fin.ID, crm.AllocationRequest{Customer: b.cust.ID, Credit: credit, Invoice: inv.ID,
				Effective: crm.Date{Year: 2026, Month: 3, Day: 4}})
			return err
		}},
		{"an allocation dated before its credit", func(b *books, inv crm.Invoice, credit crm.ID) error {
			_, err := b.Ledger.Allocate(ctx, b.fin.ID, crm.AllocationRequest{Customer: b.cust.ID, Credit: credit, Invoice: inv.ID,
				Effective: crm.Date{Year: 2026, Month: 3, Day: 6}})
			return err
		}},
		{"a write-off dated before its invoice", func(b *books, inv crm.Invoice, _ crm.ID) error {
			_, err := b.Ledger.WriteOff(ctx, b.fin.ID, crm.WriteOffRequest{Customer: b.cust.ID, Invoice: inv.ID, Reason: "uncollectible",
				Effective: crm.Date{Year: 2026, Month: 3, Day: 1}})
			return err
		}},
		{"a refund dated before its credit", func(b *books, _ crm.Invoice, credit crm.ID) error {
			_, err := b.Ledger.Refund(ctx, b.fin.ID, crm.RefundRequest{Customer: b.cust.ID, Credit: credit, Amount: money(t, "10.00", "USD"),
				Reference: "wire", Effective: crm.Date{Year: 2026, Month: 3, Day: 6}})
			return err
		}},
	} {
		t.Run(tc.name+" is refused and changes nothing", func(t *testing.T) {
			b := datedBooks(t)
			inv := b.invoiceOn(t, "100.00", "2026-03-05")
			credit := b.payOn(t, "100.00", "2026-03-07", crm.KeepAsCredit).Payment.ID
			before, head := b.openOn(t, "2026-03-10"), b.head(t)
			err := tc.post(b, inv, credit)
			require.ErrorIs(t, err, crm.ErrInvalid)
			var invalid *crm.ValidationError
			require.True(t, errors.As(err, &invalid))
			assert.Equal(t, "effective", invalid.Field)
			assert.Equal(t, before, b.openOn(t, "2026-03-10"))
			assert.Equal(t, head, b.head(t))
			b.verify(t)
		})
	}

	t.Run("a payment applied oldest first settles an invoice dated in the future on its day", func(t *testing.T) {
		b := datedBooks(t)
		now := b.invoiceOn(t, "30.00", "2026-03-09")
		future := b.invoiceOn(t, "100.00", "2026-06-01")
		pay := b.payOn(t, "100.00", "2026-03-10", crm.AllocateOldestFirst)
		require.Len(t, pay.Allocations, 2)
		assert.Equal(t, []crm.Date{date(t, "2026-03-10"), date(t, "2026-06-01")},
			[]crm.Date{pay.Allocations[0].Effective, pay.Allocations[1].Effective})
		assert.Equal(t, map[crm.ID]string{pay.Payment.ID: "-70.00 USD"}, b.openOn(t, "2026-03-10"), "a prepayment until June")
		assert.Equal(t, map[crm.ID]string{future.ID: "30.00 USD"}, b.openOn(t, "2026-06-01"))
		assert.True(t, b.open(t, now.ID).IsZero())
		b.verify(t)
	})

	t.Run("a reversal of an entry dated in the future counts from that day", func(t *testing.T) {
		b := datedBooks(t)
		inv := b.invoiceOn(t, "100.00", "2026-06-01")
		r, err := b.Ledger.Reverse(ctx, b.fin.ID, crm.ReverseRequest{Entry: inv.Entry, Reason: "issued by mistake"})
		require.NoError(t, err)
		assert.Equal(t, date(t, "2026-06-01"), r.Reversal.Effective)
		assert.Empty(t, b.openOn(t, "2026-04-01"))
		assert.Empty(t, b.openOn(t, "2026-06-01"))
		b.verify(t)
	})
}
