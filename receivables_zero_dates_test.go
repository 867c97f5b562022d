package crm_test

import (
	"fmt"
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Zero dates mean the same in every report: a zero AsOf or To is today by
// the CRM's calendar, and entries effective after it are left out; a zero
// From is the beginning. (ExpectedCollections' From is the day the
// forecast is made as of, so a zero one is today too.)
func TestZeroDatesMeanTheSameInEveryReport(t *testing.T) {
	b := datedBooks(t) // today is 2026-03-10
	b.invoiceOn(t, "100.00", "2026-02-01")
	b.payOn(t, "40.00", "2026-03-03", crm.AllocateOldestFirst)
	b.payOn(t, "15.00", "2026-03-04", crm.KeepAsCredit)
	b.invoiceOn(t, "777.00", "2027-01-10") // dated after today: on no report of today
	today, first := date(t, "2026-03-10"), date(t, "2026-02-01")
	c, fin, usd := b.cust.ID, b.fin.ID, usd(t)

	for _, tc := range []struct {
		report string
		zero   func() (any, error)
		given  func() (any, error) // the same report with the dates the zero ones stand for
	}{
		{"OpenItems: zero AsOf is today",
			func() (any, error) { return b.Receivables.OpenItems(ctx, fin, crm.ReceivableQuery{Customer: c}) },
			func() (any, error) {
				return b.Receivables.OpenItems(ctx, fin, crm.ReceivableQuery{Customer: c, AsOf: today})
			}},
		{"Debts: zero AsOf is today",
			func() (any, error) { return b.Receivables.Debts(ctx, fin, crm.ReceivableQuery{}) },
			func() (any, error) { return b.Receivables.Debts(ctx, fin, crm.ReceivableQuery{AsOf: today}) }},
		{"Invoices: zero AsOf is today",
			func() (any, error) { return b.Receivables.Invoices(ctx, fin, crm.ReceivableQuery{Customer: c}) },
			func() (any, error) {
				return b.Receivables.Invoices(ctx, fin, crm.ReceivableQuery{Customer: c, AsOf: today})
			}},
		{"Aging: zero AsOf is today",
			func() (any, error) { return b.Receivables.Aging(ctx, fin, crm.AgingQuery{}) },
			func() (any, error) { return b.Receivables.Aging(ctx, fin, crm.AgingQuery{AsOf: today}) }},
		{"Statement: zero From is the beginning, zero To today",
			func() (any, error) {
				s, err := b.Receivables.Statement(ctx, fin, crm.StatementQuery{Customer: c, Currency: usd})
				s.From = first // the only difference: the zero From is reported as asked
				return s, err
			},
			func() (any, error) {
				return b.Receivables.Statement(ctx, fin, crm.StatementQuery{Customer: c, Currency: usd, From: first, To: today})
			}},
		{"DSO: zero From is the first day invoiced, zero To today",
			func() (any, error) { return b.Receivables.DSO(ctx, fin, crm.DSOQuery{Currency: usd}) },
			func() (any, error) {
				return b.Receivables.DSO(ctx, fin, crm.DSOQuery{Currency: usd, From: first, To: today})
			}},
		{"ExpectedCollections: zero From is today",
			func() (any, error) {
				return b.Receivables.ExpectedCollections(ctx, fin, crm.CollectionsQuery{Months: 12})
			},
			func() (any, error) {
				return b.Receivables.ExpectedCollections(ctx, fin, crm.CollectionsQuery{From: today, Months: 12})
			}},
	} {
		t.Run(tc.report, func(t *testing.T) {
			zero, err := tc.zero()
			require.NoError(t, err)
			given, err := tc.given()
			require.NoError(t, err)
			assert.Equal(t, given, zero)
			assert.NotContains(t, fmt.Sprintf("%+v", zero), "777.00", "nothing dated after today")
			assert.Contains(t, fmt.Sprintf("%+v", zero), "USD", "the report is not empty")
		})
	}
}
