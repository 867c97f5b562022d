package crm

import (
	"math"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDunningInterest is the table of interest: open x rate x days / 365,
// rounded half-even to the minor unit, for the days after from to asOf.
func TestDunningInterest(t *testing.T) {
	day := func(n int) Date { return Date{Year: 2026, Month: 1, Day: 1}.AddDays(n) }
	rate := decimal.RequireFromString
	for _, tc := range []struct {
		name     string
		open     Money
		rate     string
		from, to Date
		want     Money
		days     int
	}{
		{"45 days at 8%", MoneyFromMinor(10_000, EUR), "0.08", day(0), day(45), MoneyFromMinor(99, EUR), 45},             // 0.98630 -> 0.99
		{"a year is 365 days", MoneyFromMinor(10_000, EUR), "0.08", day(0), day(365), MoneyFromMinor(800, EUR), 365},     // exact
		{"a tie rounds to even, down", MoneyFromMinor(3650, EUR), "0.01", day(0), day(5), MoneyFromMinor(0, EUR), 5},     // 0.005 -> 0.00
		{"a tie rounds to even, up", MoneyFromMinor(3650, EUR), "0.01", day(0), day(15), MoneyFromMinor(2, EUR), 15},     // 0.015 -> 0.02
		{"another tie down", MoneyFromMinor(3650, EUR), "0.01", day(0), day(25), MoneyFromMinor(2, EUR), 25},             // 0.025 -> 0.02
		{"yen have no minor unit", MoneyFromMinor(10_000, JPY), "0.08", day(0), day(45), MoneyFromMinor(99, JPY), 45},    // 98.63 -> 99
		{"no days", MoneyFromMinor(10_000, EUR), "0.08", day(10), day(10), Zero(EUR), 0},                                 // charged through today already
		{"from after the day", MoneyFromMinor(10_000, EUR), "0.08", day(10), day(5), Zero(EUR), 0},                       // a run as of an earlier day
		{"no rate", MoneyFromMinor(10_000, EUR), "0", day(0), day(45), Zero(EUR), 0},                                     // a level without interest
		{"a small amount rounds to nothing", MoneyFromMinor(10, EUR), "0.08", day(0), day(1), MoneyFromMinor(0, EUR), 1}, // 0.0000219
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, days, err := interest(tc.open, rate(tc.rate), tc.from, tc.to)
			require.NoError(t, err)
			assert.True(t, got.Equal(tc.want), "got %s, want %s", got, tc.want)
			assert.Equal(t, tc.days, days)
		})
	}
	_, _, err := interest(MoneyFromMinor(math.MaxInt64-1, EUR), rate("1"), day(0), day(3650))
	var over *OverflowError
	require.ErrorAs(t, err, &over, "interest beyond 64 bits of minor units")
	assert.Equal(t, "interest", over.Field)
}
