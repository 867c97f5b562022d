package crm_test

import (
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Paid, partly paid, overdue and cancelled are derived from the ledger as
// of a day, never stored.
func TestInvoicesDeriveTheirStatus(t *testing.T) {
	b := datedBooks(t) // today is 2026-03-10; invoices are due 30 days after issue
	early := b.invoiceOn(t, "100.00", "2026-02-01")
	later := b.invoiceOn(t, "100.00", "2026-03-01")
	mistaken := b.invoiceOn(t, "80.00", "2026-03-02")
	b.payOn(t, "150.00", "2026-03-03", crm.AllocateOldestFirst) // the early one in full, half of the later one
	_, err := b.Ledger.Reverse(ctx, b.fin.ID, crm.ReverseRequest{Entry: mistaken.Entry, Reason: "issued twice"})
	require.NoError(t, err)
	b.invoiceOn(t, "40.00", "2026-04-01") // not issued yet on any day below but the last

	for _, tc := range []struct {
		asOf string
		want map[crm.ID]string
	}{
		{"2026-02-15", map[crm.ID]string{early.ID: "open 100.00 USD"}},
		{"2026-03-02", map[crm.ID]string{early.ID: "open 100.00 USD", later.ID: "open 100.00 USD", mistaken.ID: "open 80.00 USD"}},
		{"2026-03-05", map[crm.ID]string{early.ID: "paid 0.00 USD", later.ID: "partly_paid 50.00 USD", mistaken.ID: "open 80.00 USD"}},
		{"2026-03-10", map[crm.ID]string{early.ID: "paid 0.00 USD", later.ID: "partly_paid 50.00 USD", mistaken.ID: "cancelled 0.00 USD"}},
		{"2026-04-02", map[crm.ID]string{early.ID: "paid 0.00 USD", later.ID: "partly_paid_overdue 50.00 USD", mistaken.ID: "cancelled 0.00 USD"}},
	} {
		t.Run(tc.asOf, func(t *testing.T) {
			states, err := b.Receivables.Invoices(ctx, b.fin.ID, crm.ReceivableQuery{Customer: b.cust.ID, AsOf: date(t, tc.asOf)})
			require.NoError(t, err)
			got := map[crm.ID]string{}
			for _, s := range states {
				got[s.ID] = string(s.Status) + " " + s.Open.String()
			}
			if tc.asOf == "2026-04-02" {
				require.Len(t, got, 4, "the April invoice is issued by then")
				for id := range tc.want {
					assert.Equal(t, tc.want[id], got[id])
				}
				return
			}
			assert.Equal(t, tc.want, got)
		})
	}

	// A rep reads the invoices of their own customers only.
	_, err = b.Receivables.Invoices(ctx, b.Ben.ID, crm.ReceivableQuery{Customer: b.cust.ID})
	assert.ErrorIs(t, err, crm.ErrNotFound, "to Ben, Ann's customer is not there")
}

// An invoice's status follows from how its total stands: what is open,
// and what closed the rest. Partly paid means money came in; an invoice
// closed in more than one way takes the least favourable way, written off
// over credited over paid, so that no status shows as collected money that
// was not.
func TestInvoiceStatusTable(t *testing.T) {
	inv := crm.Invoice{Total: money(t, "100.00", "USD"), Due: date(t, "2026-03-31")}
	m := func(s string) crm.Money { return money(t, s, "USD") }
	for _, tc := range []struct {
		name                                     string
		open, paid, credited, writtenOff, cancel string
		onTime, late                             crm.InvoiceStatus
	}{
		{"nothing happened to it", "100", "0", "0", "0", "0", crm.InvoiceOpen, crm.InvoiceOverdue},
		{"part paid", "60", "40", "0", "0", "0", crm.InvoicePartlyPaid, crm.InvoicePartOverdue},
		{"part credited: the credit note lowers what is asked", "70", "0", "30", "0", "0", crm.InvoiceOpen, crm.InvoiceOverdue},
		{"part written off: the same", "70", "0", "0", "30", "0", crm.InvoiceOpen, crm.InvoiceOverdue},
		{"part credited, part paid", "50", "20", "30", "0", "0", crm.InvoicePartlyPaid, crm.InvoicePartOverdue},
		{"paid", "0", "100", "0", "0", "0", crm.InvoicePaid, crm.InvoicePaid},
		{"credited", "0", "0", "100", "0", "0", crm.InvoiceCredited, crm.InvoiceCredited},
		{"paid, the rest credited", "0", "80", "20", "0", "0", crm.InvoiceCredited, crm.InvoiceCredited},
		{"written off", "0", "0", "0", "100", "0", crm.InvoiceWrittenOff, crm.InvoiceWrittenOff},
		{"paid, the rest written off", "0", "60", "0", "40", "0", crm.InvoiceWrittenOff, crm.InvoiceWrittenOff},
		{"credited, the rest written off", "0", "0", "50", "50", "0", crm.InvoiceWrittenOff, crm.InvoiceWrittenOff},
		{"cancelled", "0", "0", "0", "0", "100", crm.InvoiceCancelled, crm.InvoiceCancelled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := crm.InvoiceSettlement{Open: m(tc.open), Paid: m(tc.paid), Credited: m(tc.credited), WrittenOff: m(tc.writtenOff), Cancelled: m(tc.cancel)}
			sum, err := crm.Sum(inv.Total.Currency(), s.Open, s.Paid, s.Credited, s.WrittenOff, s.Cancelled)
			require.NoError(t, err)
			require.True(t, sum.Equal(inv.Total), "the case adds up to the total")
			assert.Equal(t, tc.onTime, inv.StatusOn(s, date(t, "2026-03-31")), "on the due date")
			assert.Equal(t, tc.late, inv.StatusOn(s, date(t, "2026-04-01")), "the day after")
		})
	}
}
