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
