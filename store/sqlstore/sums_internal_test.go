package sqlstore

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSumColWrapsLikeInt64 checks that a sum read back from either
// dialect is the int64 total the reference implementations' wrapping
// additions give: SQLite's split halves as two integers, PostgreSQL's
// numeric as text of any size.
func TestSumColWrapsLikeInt64(t *testing.T) {
	for _, tc := range []struct {
		name string
		high int64
		low  any
		want int64
	}{
		{"plain integer", 0, int64(-1234), -1234},
		{"split halves", 3, int64(5), 3<<32 + 5},
		{"split halves of a negative total", -1, int64(math.MaxUint32), -1},
		{"numeric zero", 0, "0", 0},
		{"numeric, short", 0, "-987654321", -987654321},
		{"numeric, as bytes", 0, []byte("42"), 42},
		{"numeric, largest int64", 0, "9223372036854775807", math.MaxInt64},
		{"numeric, one past the largest wraps", 0, "9223372036854775808", math.MinInt64},
		{"numeric, 2^64 + 1 wraps to 1", 0, "18446744073709551617", 1},
		{"numeric, one below the smallest wraps", 0, "-9223372036854775809", math.MaxInt64},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got int64
			high, low := exactTotal(&got)
			*high = tc.high
			require.NoError(t, low.Scan(tc.low))
			assert.Equal(t, tc.want, got)
		})
	}
	var got int64
	_, low := exactTotal(&got)
	assert.Error(t, low.Scan("12.5"), "a sum is an integer")
	assert.Error(t, low.Scan(1.5), "a float is no sum")
}
