package sqlstore

import (
	"math"
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSumsAreExact checks that a sum read back from either dialect is
// its exact total, never wrapped around in 64 bits: SQLite's split
// halves as two integers, PostgreSQL's numeric as text of any size. An
// int64 destination takes it when it fits and fails with a
// *crm.OverflowError when it does not; a Money destination takes it
// whatever its size.
func TestSumsAreExact(t *testing.T) {
	for _, tc := range []struct {
		name  string
		high  int64
		low   any
		exact string // the total, in minor units
		fits  bool   // in an int64
	}{
		{"plain integer", 0, int64(-1234), "-1234", true},
		{"split halves", 3, int64(5), "12884901893", true},
		{"split halves of a negative total", -1, int64(math.MaxUint32), "-1", true},
		{"split halves of the largest int64", math.MaxInt32, int64(math.MaxUint32), "9223372036854775807", true},
		{"split halves one past it", math.MaxInt32 + 1, int64(0), "9223372036854775808", false},
		{"split halves of twice the largest", 2 * math.MaxInt32, int64(2 * math.MaxUint32), "18446744073709551614", false},
		{"split halves one below the smallest", math.MinInt32 - 1, int64(math.MaxUint32), "-9223372036854775809", false},
		{"numeric zero", 0, "0", "0", true},
		{"numeric, short", 0, "-987654321", "-987654321", true},
		{"numeric, as bytes", 0, []byte("42"), "42", true},
		{"numeric, largest int64", 0, "9223372036854775807", "9223372036854775807", true},
		{"numeric, smallest int64", 0, "-9223372036854775808", "-9223372036854775808", true},
		{"numeric, one past the largest", 0, "9223372036854775808", "9223372036854775808", false},
		{"numeric, 2^64 + 1", 0, "18446744073709551617", "18446744073709551617", false},
		{"numeric, one below the smallest", 0, "-9223372036854775809", "-9223372036854775809", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got int64
			high, low := exactTotal(&got, "amount_minor")
			*high = tc.high
			err := low.Scan(tc.low)
			if tc.fits {
				require.NoError(t, err)
				assert.Equal(t, tc.exact, low.total.String())
				assert.Equal(t, low.total.String(), crm.MoneyFromMinor(got, crm.JPY).Amount().String())
			} else {
				var over *crm.OverflowError
				require.ErrorAs(t, err, &over)
				assert.ErrorIs(t, err, crm.ErrInvalid)
				assert.Equal(t, "amount_minor", over.Field)
				assert.Equal(t, tc.exact, over.Minor.String(), "the error has the exact total")
				assert.Zero(t, got, "nothing is stored")
			}

			var m crm.Money
			high, sum, currency := exactMoney(&m)
			*high = tc.high
			require.NoError(t, sum.Scan(tc.low))
			require.NoError(t, currency.Scan("JPY"))
			assert.Equal(t, tc.exact, m.Amount().String(), "money is exact whatever its size")
			assert.Equal(t, crm.JPY, m.Currency())
		})
	}
	var got int64
	_, low := exactTotal(&got, "x")
	assert.Error(t, low.Scan("12.5"), "a sum is an integer")
	assert.Error(t, low.Scan(1.5), "a float is no sum")
}

// TestNegatedSums checks that a negated sum is the exact total negated,
// so that the smallest int64 does not wrap to itself.
func TestNegatedSums(t *testing.T) {
	for _, tc := range []struct {
		low  any
		want int64
		fits bool
	}{
		{int64(5), -5, true},
		{"-9223372036854775807", math.MaxInt64, true},
		{"9223372036854775808", math.MinInt64, true},
		{int64(math.MinInt64), 0, false},
		{"-9223372036854775808", 0, false},
	} {
		var got int64
		_, low := negatedTotal(&got, "net_revenue")
		err := low.Scan(tc.low)
		if tc.fits {
			require.NoError(t, err, "%v", tc.low)
			assert.Equal(t, tc.want, got, "%v", tc.low)
		} else {
			assert.ErrorIs(t, err, crm.ErrOverflow, "%v", tc.low)
		}
	}
}
