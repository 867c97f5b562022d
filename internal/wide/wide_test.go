package wide

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	maxI = math.MaxInt64
	minI = math.MinInt64
)

func TestCheckedAddSubNeg(t *testing.T) {
	for _, tc := range []struct {
		name   string
		a, b   int64
		sum    int64
		sumOK  bool
		diff   int64
		diffOK bool
	}{
		{"small", 2, 3, 5, true, -1, true},
		{"zero", 0, 0, 0, true, 0, true},
		{"largest plus zero", maxI, 0, maxI, true, maxI, true},
		{"largest plus one", maxI, 1, 0, false, maxI - 1, true},
		{"largest plus largest", maxI, maxI, 0, false, 0, true},
		{"smallest minus one", minI, -1, 0, false, minI + 1, true},
		{"smallest plus smallest", minI, minI, 0, false, 0, true},
		{"largest plus smallest", maxI, minI, -1, true, 0, false},
		{"opposite signs never overflow an add", -5, maxI, maxI - 5, true, 0, false},
		{"zero minus smallest", 0, minI, minI, true, 0, false},
		{"minus one minus smallest", -1, minI, 0, false, maxI, true},
		{"smallest minus largest", minI, maxI, -1, true, 0, false},
		{"largest minus minus one", maxI, -1, maxI - 1, true, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sum, ok := Add(tc.a, tc.b)
			assert.Equal(t, tc.sumOK, ok, "a + b fits")
			if ok {
				assert.Equal(t, tc.sum, sum)
			}
			diff, ok := Sub(tc.a, tc.b)
			assert.Equal(t, tc.diffOK, ok, "a - b fits")
			if ok {
				assert.Equal(t, tc.diff, diff)
			}
			exactSum := new(big.Int).Add(big.NewInt(tc.a), big.NewInt(tc.b))
			assert.Equal(t, exactSum.IsInt64(), tc.sumOK, "the table agrees with math/big")
			exactDiff := new(big.Int).Sub(big.NewInt(tc.a), big.NewInt(tc.b))
			assert.Equal(t, exactDiff.IsInt64(), tc.diffOK, "the table agrees with math/big")
		})
	}
	for _, tc := range []struct {
		v    int64
		want int64
		ok   bool
	}{{0, 0, true}, {1, -1, true}, {maxI, -maxI, true}, {-maxI, maxI, true}, {minI, 0, false}} {
		got, ok := Neg(tc.v)
		assert.Equal(t, tc.ok, ok, "-%d fits", tc.v)
		if ok {
			assert.Equal(t, tc.want, got)
		}
	}
}

func TestIntSums(t *testing.T) {
	for _, tc := range []struct {
		name string
		add  []int64
		want string
		fits bool
	}{
		{"nothing", nil, "0", true},
		{"small", []int64{1, 2, -4}, "-1", true},
		{"largest", []int64{maxI}, "9223372036854775807", true},
		{"smallest", []int64{minI}, "-9223372036854775808", true},
		{"one past the largest", []int64{maxI, 1}, "9223372036854775808", false},
		{"one below the smallest", []int64{minI, -1}, "-9223372036854775809", false},
		{"twice the largest", []int64{maxI, maxI}, "18446744073709551614", false},
		{"twice the smallest", []int64{minI, minI}, "-18446744073709551616", false},
		{"beyond and back", []int64{maxI, maxI, -maxI}, "9223372036854775807", true},
		{"below and back", []int64{minI, minI, maxI, 1}, "-9223372036854775808", true},
		{"to zero through overflow", []int64{maxI, 1, minI}, "0", true},
		{"many largest", []int64{maxI, maxI, maxI, maxI, maxI, maxI, maxI, maxI}, "73786976294838206456", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var x Int
			exact := new(big.Int)
			for _, v := range tc.add {
				x.Add(v)
				exact.Add(exact, big.NewInt(v))
			}
			require.Equal(t, tc.want, exact.String(), "the table agrees with math/big")
			assert.Equal(t, tc.want, x.String())
			assert.Equal(t, tc.want, x.Big().String())
			assert.Equal(t, exact.Sign(), x.Sign())
			assert.Equal(t, exact.Sign() == 0, x.IsZero())
			v, ok := x.Int64()
			assert.Equal(t, tc.fits, ok)
			if ok {
				assert.Equal(t, exact.Int64(), v)
			}
			back, ok := FromBig(exact)
			require.True(t, ok)
			assert.Equal(t, x, back, "FromBig is the inverse of Big")
			assert.Equal(t, new(big.Int).Neg(exact).String(), x.Neg().String(), "Neg")
			assert.Equal(t, x, x.Neg().Neg())
		})
	}
}

// TestIntAgainstBig adds random values, mostly near the ends of int64,
// and compares every step with math/big.
func TestIntAgainstBig(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	pick := func() int64 {
		switch r.IntN(4) {
		case 0:
			return maxI - r.Int64N(1000)
		case 1:
			return minI + r.Int64N(1000)
		case 2:
			return r.Int64N(2000) - 1000
		}
		return int64(r.Uint64())
	}
	for range 200 {
		var x, y Int
		exact := new(big.Int)
		for range 50 {
			v := pick()
			x.Add(v)
			var o Int
			o.Add(v)
			y.AddInt(o)
			exact.Add(exact, big.NewInt(v))
			require.Equal(t, exact.String(), x.String())
			require.Equal(t, x, y, "AddInt adds as Add does")
			got, ok := x.Int64()
			require.Equal(t, exact.IsInt64(), ok)
			if ok {
				require.Equal(t, exact.Int64(), got)
			}
		}
	}
}

func TestHalves(t *testing.T) {
	for _, tc := range []struct {
		name      string
		high, low int64
		want      string
	}{
		{"plain", 0, -1234, "-1234"},
		{"split", 3, 5, "12884901893"},
		{"negative total", -1, math.MaxUint32, "-1"},
		{"the largest int64", math.MaxInt32, math.MaxUint32, "9223372036854775807"},
		{"one past it", math.MaxInt32 + 1, 0, "9223372036854775808"},
		{"low sums past 32 bits", -3, 5 << 32, "8589934592"},
		{"far beyond", maxI, maxI, "39614081266355540829331783679"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := new(big.Int).Lsh(big.NewInt(tc.high), 32)
			want.Add(want, big.NewInt(tc.low))
			require.Equal(t, tc.want, want.String(), "the table agrees with math/big")
			assert.Equal(t, tc.want, Halves(tc.high, tc.low).String())
		})
	}
}

func TestFromBigOutOfRange(t *testing.T) {
	_, ok := FromBig(new(big.Int).Lsh(big.NewInt(1), 127))
	assert.False(t, ok, "2^127 needs 129 bits in two's complement")
	x, ok := FromBig(new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 127), big.NewInt(1)))
	require.True(t, ok)
	assert.Equal(t, Int{Hi: maxI, Lo: math.MaxUint64}, x)
}
