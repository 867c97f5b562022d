package crm_test

import (
	"errors"
	"math"
	"math/big"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// beyond returns minor units of USD times n, exactly.
func beyond(t testing.TB, minor, n int64) crm.Money {
	return crm.MoneyFromBigMinor(new(big.Int).Mul(big.NewInt(minor), big.NewInt(n)), usd(t))
}

func requireOverflow(t *testing.T, err error, field string) *crm.OverflowError {
	t.Helper()
	var over *crm.OverflowError
	require.ErrorAs(t, err, &over)
	require.ErrorIs(t, err, crm.ErrOverflow)
	require.ErrorIs(t, err, crm.ErrInvalid)
	assert.Equal(t, field, over.Field)
	return over
}

func TestAmountsBeyond64Bits(t *testing.T) {
	for _, tc := range []struct {
		amount string
		fits   bool
	}{
		{"92233720368547758.07", true},
		{"-92233720368547758.08", true}, // an amount, though no posting: its negation does not fit
		{"92233720368547758.08", false},
		{"-92233720368547758.09", false},
		{"1000000000000000000000", false},
	} {
		m, err := crm.ParseMoney(tc.amount, "USD")
		if tc.fits {
			require.NoError(t, err, tc.amount)
			continue
		}
		over := requireOverflow(t, err, "amount")
		assert.Equal(t, crm.USD, over.Currency)
		assert.Equal(t, m, crm.Money{}, "nothing is parsed")
	}

	m := beyond(t, math.MaxInt64, 2)
	assert.Equal(t, "184467440737095516.14 USD", m.String(), "a report's total beyond 64 bits is shown exactly")
	_, err := m.Minor()
	over := requireOverflow(t, err, "amount")
	assert.Equal(t, "18446744073709551614", over.Minor.String())
	assert.Equal(t, "crm: amount: 184467440737095516.14 USD does not fit in 64 bits of minor units", err.Error())
	assert.True(t, crm.MoneyFromBigMinor(big.NewInt(1050), crm.USD).Equal(crm.MoneyFromMinor(1050, crm.USD)))
	assert.Equal(t, crm.MoneyFromMinor(-7, crm.USD), crm.MoneyFromBigMinor(big.NewInt(-7), crm.USD), "one form for one value")
}

func TestOverflowErrorText(t *testing.T) {
	c := crm.ID{1}
	for _, tc := range []struct {
		err  crm.OverflowError
		want string
	}{
		{crm.OverflowError{}, "crm: total does not fit in 64 bits"},
		{crm.OverflowError{Field: "cycle_micros", Minor: decimal.RequireFromString("9223372036854775808")},
			"crm: cycle_micros: 9223372036854775808 does not fit in 64 bits"},
		{crm.OverflowError{Field: "balance", Customer: c, Account: crm.AccountReceivable, Currency: crm.USD, AsOf: crm.Date{Year: 2026, Month: 1, Day: 2},
			Minor: decimal.RequireFromString("9223372036854775808")},
			"crm: balance of receivable of customer " + c.String() + " as of 2026-01-02: 92233720368547758.08 USD does not fit in 64 bits of minor units"},
		{crm.OverflowError{Field: "aging", Currency: crm.USD}, "crm: aging in USD does not fit in 64 bits of minor units"},
	} {
		assert.Equal(t, tc.want, tc.err.Error())
		assert.True(t, errors.Is(&tc.err, crm.ErrOverflow) && errors.Is(&tc.err, crm.ErrInvalid))
	}
}

func TestEntryPostingsFitBothWays(t *testing.T) {
	u := usd(t)
	e := crm.Entry{ID: crm.ID{1}, Kind: crm.EntryWriteOff, Customer: custA, Effective: crm.Date{Year: 2026, Month: 1, Day: 1},
		Postings: []crm.Posting{
			{Account: crm.AccountReceivable, Customer: custA, Item: crm.ID{2}, Amount: crm.MoneyFromMinor(math.MinInt64, u)},
			{Account: crm.AccountWriteOff, Amount: crm.MoneyFromMinor(math.MaxInt64, u)},
		}}
	requireOverflow(t, e.Check(), "postings[0].amount")
	e.Postings[0].Amount = crm.MoneyFromMinor(-math.MaxInt64, u)
	e.Postings[1].Amount = crm.MoneyFromMinor(math.MaxInt64, u)
	require.NoError(t, e.Check(), "the largest amounts either way")
	require.NoError(t, e.Reversal(crm.ID{3}, e.Effective, time.Time{}, crm.ID{}, "undo").Check(), "and their reversal")
}

// TestSalesReportsAddUpExactly gives the pure reports rows whose sums
// leave 64 bits: the funnel, the cohort, the forecast and the KPIs add
// them up exactly instead of wrapping around.
func TestSalesReportsAddUpExactly(t *testing.T) {
	p := crm.Pipeline{Name: "P", Currency: usd(t), Stages: crm.DefaultStages()}
	largest := int64(math.MaxInt64)
	f := p.FunnelNow([]crm.StageAmount{{Stage: "proposal", Probability: 40, Deals: 1, AmountMinor: largest},
		{Stage: "proposal", Probability: 60, Deals: 2, AmountMinor: largest}})
	assert.True(t, f.Stages[2].Value.Equal(beyond(t, largest, 2)), "value %s", f.Stages[2].Value)
	assert.True(t, f.Stages[2].Weighted.Equal(beyond(t, largest, 1)), "weighted %s", f.Stages[2].Weighted)

	cohort := p.CohortFunnel([]crm.CohortCount{{Furthest: 3, Status: crm.DealOpen, Deals: 1, AmountMinor: largest},
		{Furthest: 4, Status: crm.DealWon, Deals: 1, AmountMinor: largest}, {Furthest: 4, Status: crm.DealLost, Deals: 1, AmountMinor: largest}})
	assert.True(t, cohort.Stages[0].Value.Equal(beyond(t, largest, 3)), "reached the first stage: %s", cohort.Stages[0].Value)

	lines := p.Forecast([]crm.ForecastAmount{{Month: "2026-04", Stage: "proposal", Probability: 50, Status: crm.DealOpen, Deals: 1, AmountMinor: largest},
		{Month: "2026-04", Stage: "proposal", Probability: 70, Status: crm.DealOpen, Deals: 1, AmountMinor: largest}})
	require.Len(t, lines, 1)
	assert.True(t, lines[0].Amount.Equal(beyond(t, largest, 2)), "%s", lines[0].Amount)
	weighted := decimal.NewFromInt(largest).Mul(decimal.RequireFromString("1.2")).RoundBank(0) // 50% and 70%
	assert.Equal(t, "11068046444225730968", weighted.String())
	assert.True(t, lines[0].Weighted.Equal(crm.MoneyFromBigMinor(weighted.BigInt(), usd(t))), "%s", lines[0].Weighted)

	k := p.KPIs([]crm.OutcomeCount{{Status: crm.DealWon, Deals: 1, AmountMinor: largest},
		{Status: crm.DealWon, Deals: 2, AmountMinor: largest - 3}}, nil)
	assert.Equal(t, int64(3), k.Won)
	assert.True(t, k.AverageDealSize.Equal(crm.MoneyFromMinor(largest/3*2, usd(t))), "the mean of sums beyond 64 bits: %s", k.AverageDealSize)
}

// TestCampaignCostsFit refuses a campaign whose costs add up beyond 64
// bits, as every amount kept is within them, and writes nothing.
func TestCampaignCostsFit(t *testing.T) {
	co := newCompany(t)
	before := co.head(t)
	line := crm.CostLine{Description: "Booth", Amount: crm.MoneyFromMinor(math.MaxInt64, usd(t))}
	_, err := co.Campaigns.Create(ctx, co.Admin.ID, crm.NewCampaign{Name: "Expo", Currency: usd(t), Costs: []crm.CostLine{line, line}})
	requireOverflow(t, err, "costs")
	assert.Equal(t, before, co.head(t), "nothing written")
	cp, err := co.Campaigns.Create(ctx, co.Admin.ID, crm.NewCampaign{Name: "Expo", Currency: usd(t), Costs: []crm.CostLine{line}})
	require.NoError(t, err)
	_, err = co.Campaigns.AddCost(ctx, co.Admin.ID, crm.AddCostRequest{Campaign: cp.ID, Line: crm.CostLine{Description: "Coffee", Amount: crm.MoneyFromMinor(1, usd(t))}})
	requireOverflow(t, err, "costs")
	r := cp.Report(crm.CampaignCounts{Leads: 3, Acquired: 2})
	assert.True(t, r.CostPerLead.Equal(crm.MoneyFromMinor(math.MaxInt64/3, usd(t))), "%s", r.CostPerLead)
	assert.True(t, r.CAC.Equal(crm.MoneyFromMinor(math.MaxInt64/2+1, usd(t))), "half of an odd number rounds to even: %s", r.CAC)
}
