package crm_test

import (
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCalendarRules(t *testing.T) {
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	require.NoError(t, err)
	april := crm.Calendar{Location: tokyo, FiscalYearStart: time.April}
	for _, tc := range []struct {
		day     string
		cal     crm.Calendar
		fy, q   int
		period  string
		begins  string
		explain string
	}{
		{"2026-03-31", crm.Calendar{}, 2026, 1, "FY2026-Q1", "2026-01-01", "the zero calendar: calendar years, quarters from January"},
		{"2026-12-31", crm.Calendar{}, 2026, 4, "FY2026-Q4", "2026-01-01", ""},
		{"2026-03-31", april, 2026, 4, "FY2026-Q4", "2025-04-01", "a year starting in April is named by the year it ends in"},
		{"2026-04-01", april, 2027, 1, "FY2027-Q1", "2026-04-01", ""},
		{"2027-01-15", april, 2027, 4, "FY2027-Q4", "2026-04-01", ""},
		{"2026-10-01", crm.Calendar{FiscalYearStart: time.October}, 2027, 1, "FY2027-Q1", "2026-10-01", "the US federal year"},
	} {
		d := date(t, tc.day)
		assert.Equal(t, tc.fy, tc.cal.FiscalYear(d), "%s %s", tc.day, tc.explain)
		assert.Equal(t, tc.q, tc.cal.Quarter(d), tc.day)
		assert.Equal(t, tc.period, tc.cal.Period(d), tc.day)
		assert.Equal(t, date(t, tc.begins), tc.cal.FiscalYearBegins(tc.fy), tc.day)
	}
	morning := time.Date(2026, 3, 31, 23, 30, 0, 0, time.UTC) // 08:30 on 1 April in Tokyo
	assert.Equal(t, date(t, "2026-04-01"), april.DateOf(morning))
	assert.Equal(t, date(t, "2026-03-31"), crm.Calendar{}.DateOf(morning))
	assert.Equal(t, time.Date(2026, 4, 1, 0, 0, 0, 0, tokyo), april.Start(date(t, "2026-04-01")))

	_, err = crm.New(newCompany(t).Store, crm.WithCalendar(crm.Calendar{FiscalYearStart: 13}))
	assert.ErrorIs(t, err, crm.ErrInvalid, "a fiscal year starts in a month")
}

// TestBusinessDay checks that every today is the business calendar's: at
// 08:30 on 1 April in Tokyo an invoice and a payment are dated 1 April
// (it is still 31 March in UTC), and a deal won at 20:30 on 31 March in
// New York (already 1 April in UTC) is a March win in the forecast.
func TestBusinessDay(t *testing.T) {
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	require.NoError(t, err)
	newYork, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)

	t.Run("Tokyo", func(t *testing.T) {
		co := newCompany(t, crm.WithCalendar(crm.Calendar{Location: tokyo}))
		fin, err := co.Users.Create(ctx, co.Admin.ID, crm.NewUser{Name: "Fay Finance", Role: crm.RoleFinance})
		require.NoError(t, err)
		cu := co.customer(t, co.Ann, "Kaisha")
		co.Clock.Set(time.Date(2026, 4, 1, 8, 30, 0, 0, tokyo))
		inv, err := co.Ledger.IssueInvoice(ctx, fin.ID, crm.NewInvoice{Customer: cu.ID, Currency: usd(t),
			Lines: []crm.InvoiceLine{{Description: "services", Quantity: decimal.NewFromInt(1), UnitPrice: money(t, "100.00", "USD")}}})
		require.NoError(t, err)
		assert.Equal(t, date(t, "2026-04-01"), inv.Issued)
		r, err := co.Ledger.ReceivePayment(ctx, fin.ID, crm.NewPayment{Customer: cu.ID, Amount: money(t, "100.00", "USD")})
		require.NoError(t, err)
		assert.Equal(t, date(t, "2026-04-01"), r.Payment.Received)
		aging, err := co.Receivables.Aging(ctx, fin.ID, crm.AgingQuery{})
		require.NoError(t, err)
		assert.Equal(t, date(t, "2026-04-01"), aging.AsOf, "a report's zero day is the business day too")
	})

	t.Run("NewYork", func(t *testing.T) {
		co := newCompany(t, crm.WithCalendar(crm.Calendar{Location: newYork}))
		cu := co.customer(t, co.Ann, "Acme")
		p, err := co.Deals.CreatePipeline(ctx, co.Admin.ID, crm.NewPipeline{Name: "P", Currency: usd(t)})
		require.NoError(t, err)
		d, err := co.Deals.Open(ctx, co.Ann.ID, crm.NewDeal{Pipeline: p.ID, Customer: cu.ID, Title: "late call", Amount: money(t, "1000.00", "USD"),
			CloseDate: date(t, "2026-04-15")})
		require.NoError(t, err)
		co.Clock.Set(time.Date(2026, 3, 31, 20, 30, 0, 0, newYork))
		won, err := co.Deals.Win(ctx, co.Ann.ID, crm.WinDealRequest{Deal: d.ID})
		require.NoError(t, err)
		assert.Equal(t, date(t, "2026-03-31"), won.CloseDate)
		assert.Equal(t, time.April, won.ClosedAt.UTC().Month(), "the instant is kept in UTC, where it is already April")
		lines, err := co.Deals.Forecast(ctx, co.Manager.ID, crm.SalesQuery{Pipeline: p.ID})
		require.NoError(t, err)
		require.Len(t, lines, 1)
		assert.Equal(t, "2026-03", lines[0].Month, "a March win")
	})
}
