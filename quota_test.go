package crm_test

import (
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseFiscalPeriod(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want crm.FiscalPeriod
		bad  bool
	}{
		{in: "FY2027", want: crm.FiscalPeriod{Year: 2027}},
		{in: "FY2027-Q1", want: crm.FiscalPeriod{Year: 2027, Quarter: 1}},
		{in: "FY2027-Q4", want: crm.FiscalPeriod{Year: 2027, Quarter: 4}},
		{in: "FY2027-Q5", bad: true},
		{in: "FY2027-Q0", bad: true},
		{in: "FY0000", bad: true},
		{in: "2027-Q1", bad: true},
		{in: "fy2027", bad: true},
		{in: "FY27", bad: true},
		{in: "", bad: true},
	} {
		got, err := crm.ParseFiscalPeriod(tc.in)
		if tc.bad {
			assert.ErrorIs(t, err, crm.ErrInvalid, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
		assert.Equal(t, tc.in, got.String(), "round trip")
	}
}

func TestCalendarDatesOfFiscalPeriods(t *testing.T) {
	day := func(y int, m time.Month, d int) crm.Date { return crm.Date{Year: y, Month: m, Day: d} }
	for _, tc := range []struct {
		name        string
		start       time.Month
		p           crm.FiscalPeriod
		first, end  crm.Date
		quarterOfIt crm.FiscalPeriod // of the first day
	}{
		{"calendar year", 0, crm.FiscalPeriod{Year: 2026}, day(2026, 1, 1), day(2027, 1, 1), crm.FiscalPeriod{Year: 2026, Quarter: 1}},
		{"calendar Q3", time.January, crm.FiscalPeriod{Year: 2026, Quarter: 3}, day(2026, 7, 1), day(2026, 10, 1), crm.FiscalPeriod{Year: 2026, Quarter: 3}},
		{"April year: FY2027 begins in April 2026", time.April, crm.FiscalPeriod{Year: 2027}, day(2026, 4, 1), day(2027, 4, 1), crm.FiscalPeriod{Year: 2027, Quarter: 1}},
		{"April year: Q4 is January to March", time.April, crm.FiscalPeriod{Year: 2027, Quarter: 4}, day(2027, 1, 1), day(2027, 4, 1), crm.FiscalPeriod{Year: 2027, Quarter: 4}},
		{"October year: Q2 crosses the new year", time.October, crm.FiscalPeriod{Year: 2026, Quarter: 2}, day(2026, 1, 1), day(2026, 4, 1), crm.FiscalPeriod{Year: 2026, Quarter: 2}},
		{"October year: Q1 is in the calendar year before", time.October, crm.FiscalPeriod{Year: 2026, Quarter: 1}, day(2025, 10, 1), day(2026, 1, 1), crm.FiscalPeriod{Year: 2026, Quarter: 1}},
	} {
		cal := crm.Calendar{FiscalYearStart: tc.start}
		first, end := cal.Dates(tc.p)
		assert.Equal(t, tc.first, first, tc.name)
		assert.Equal(t, tc.end, end, tc.name)
		assert.Equal(t, tc.quarterOfIt, cal.QuarterOf(first), tc.name)
		last := tc.quarterOfIt
		if tc.p.Quarter == 0 {
			last.Quarter = 4
		}
		assert.Equal(t, last, cal.QuarterOf(end.AddDays(-1)), "%s: the last day is in it too", tc.name)
	}
}

func TestQuotaIDAndAttainment(t *testing.T) {
	p, ann := crm.ID{1}, crm.ID{2}
	q1 := crm.FiscalPeriod{Year: 2026, Quarter: 1}
	id := crm.QuotaID(p, ann, "", q1)
	assert.Equal(t, id, crm.QuotaID(p, ann, "", q1), "the same quota, the same ID")
	for name, other := range map[string]crm.ID{
		"another pipeline": crm.QuotaID(crm.ID{3}, ann, "", q1),
		"another owner":    crm.QuotaID(p, crm.ID{3}, "", q1),
		"a team":           crm.QuotaID(p, crm.ID{}, "north", q1),
		"another period":   crm.QuotaID(p, ann, "", crm.FiscalPeriod{Year: 2026}),
	} {
		assert.NotEqual(t, id, other, name)
	}
	assert.Equal(t, byte(0x80), id[6]&0xf0, "version 8")

	usd, _ := crm.ParseCurrency("USD")
	won := func(minor int64) crm.ForecastAmount {
		return crm.ForecastAmount{Month: "2026-02", Stage: "won", Probability: 100, Status: crm.DealWon, Deals: 1, AmountMinor: minor}
	}
	open := crm.ForecastAmount{Month: "2026-03", Stage: "proposal", Probability: 50, Status: crm.DealOpen, Deals: 4, AmountMinor: 9_000_000}
	pct := func(v float64) *float64 { return &v }
	for _, tc := range []struct {
		name    string
		quota   int64
		rows    []crm.ForecastAmount
		won     int64
		deals   int64
		percent *float64
	}{
		{"nothing won", 100_000, nil, 0, 0, pct(0)},
		{"open deals do not count", 100_000, []crm.ForecastAmount{open}, 0, 0, pct(0)},
		{"a third, to two decimals", 300_000, []crm.ForecastAmount{won(100_000), open}, 100_000, 1, pct(33.33)},
		{"beaten", 100_000, []crm.ForecastAmount{won(90_000), won(60_000)}, 150_000, 2, pct(150)},
		{"a zero quota has no value, not 0% or infinity", 0, []crm.ForecastAmount{won(5_000)}, 5_000, 1, nil},
	} {
		q := crm.Quota{ID: id, Pipeline: p, Owner: ann, Period: q1, Amount: crm.MoneyFromMinor(tc.quota, usd)}
		a := q.Attain(tc.rows)
		assert.Equal(t, crm.MoneyFromMinor(tc.won, usd), a.Won, tc.name)
		assert.Equal(t, tc.deals, a.Deals, tc.name)
		assert.Equal(t, tc.percent, a.Percent, tc.name)
	}
}
