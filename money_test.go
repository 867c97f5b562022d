package crm_test

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/crmkit/crm"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func money(t testing.TB, amount, currency string) crm.Money {
	t.Helper()
	m, err := crm.ParseMoney(amount, currency)
	require.NoError(t, err)
	return m
}

func TestParseMoney(t *testing.T) {
	for _, tc := range []struct {
		amount, currency string
		want             string
		err              error
	}{
		{"10.50", "USD", "10.50 USD", nil},
		{"10.5", "usd", "10.50 USD", nil},
		{"-0.01", "EUR", "-0.01 EUR", nil},
		{"0", "JPY", "0 JPY", nil},
		{"1.234", "KWD", "1.234 KWD", nil},
		{"92233720368547758.07", "USD", "92233720368547758.07 USD", nil},
		{"10.555", "USD", "", crm.ErrPrecision},
		{"100.5", "JPY", "", crm.ErrPrecision},
		{"92233720368547758.08", "USD", "", crm.ErrInvalid},
		{"1e3", "USD", "", crm.ErrInvalid},
		{" 1", "USD", "", crm.ErrInvalid},
		{"+1", "USD", "", crm.ErrInvalid},
		{".5", "USD", "", crm.ErrInvalid},
		{"5.", "USD", "", crm.ErrInvalid},
		{"1,000.00", "USD", "", crm.ErrInvalid},
		{"", "USD", "", crm.ErrInvalid},
		{"1'; DROP TABLE x; --", "USD", "", crm.ErrInvalid},
		{"12345678901234567890123456", "USD", "", crm.ErrInvalid},
		{"10", "XYZ", "", crm.ErrUnknownCurrency},
		{"10", "", "", crm.ErrUnknownCurrency},
		{"10", " USD", "", crm.ErrUnknownCurrency},
	} {
		t.Run(tc.amount+" "+tc.currency, func(t *testing.T) {
			m, err := crm.ParseMoney(tc.amount, tc.currency)
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
				assert.ErrorIs(t, err, crm.ErrInvalid, "every input error is also ErrInvalid")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, m.String())
		})
	}
}

func TestValidationErrorNamesFieldAndRule(t *testing.T) {
	_, err := crm.ParseMoney("1e3", "USD")
	var ve *crm.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "amount", ve.Field)
	assert.Equal(t, "format", ve.Rule)
}

func TestMoneyAcrossCurrencies(t *testing.T) {
	usd, eur := money(t, "1.00", "USD"), money(t, "1.00", "EUR")
	_, errAdd := usd.Add(eur)
	_, errSub := usd.Sub(eur)
	_, errCmp := usd.Cmp(eur)
	_, errSum := crm.Sum(usd.Currency(), usd, eur)
	for _, err := range []error{errAdd, errSub, errCmp, errSum} {
		require.ErrorIs(t, err, crm.ErrCurrencyMismatch)
		var me *crm.CurrencyMismatchError
		require.ErrorAs(t, err, &me)
		assert.Equal(t, "USD", me.Left.Code())
		assert.Equal(t, "EUR", me.Right.Code())
	}
	assert.False(t, usd.Equal(eur))
	_, err := crm.Money{}.Add(crm.Money{})
	assert.ErrorIs(t, err, crm.ErrCurrencyMismatch, "the zero Money has no currency to add in")
}

func TestMoneyArithmetic(t *testing.T) {
	a, b := money(t, "10.25", "USD"), money(t, "0.75", "USD")
	sum, err := a.Add(b)
	require.NoError(t, err)
	assert.Equal(t, "11.00 USD", sum.String())
	diff, err := b.Sub(a)
	require.NoError(t, err)
	assert.Equal(t, "-9.50 USD", diff.String())
	assert.True(t, diff.IsNegative())
	assert.Equal(t, "9.50 USD", diff.Abs().String())
	assert.Equal(t, "-10.25 USD", a.Neg().String())
	c, err := a.Cmp(b)
	require.NoError(t, err)
	assert.Equal(t, 1, c)
	assert.True(t, money(t, "10.5", "USD").Equal(money(t, "10.50", "USD")))
	total, err := crm.Sum(a.Currency(), a, b, a)
	require.NoError(t, err)
	assert.Equal(t, "21.25 USD", total.String())
	minor, err := total.Minor()
	require.NoError(t, err)
	assert.Equal(t, int64(2125), minor)
	assert.True(t, crm.MoneyFromMinor(2125, a.Currency()).Equal(total))
}

func TestRound(t *testing.T) {
	modes := []crm.RoundingMode{crm.RoundHalfEven, crm.RoundHalfUp, crm.RoundHalfDown, crm.RoundUp, crm.RoundDown, crm.RoundCeiling, crm.RoundFloor}
	for _, tc := range []struct {
		in   string
		want [7]string // in the order of modes
	}{
		{"2.345", [7]string{"2.34", "2.35", "2.34", "2.35", "2.34", "2.35", "2.34"}},
		{"2.355", [7]string{"2.36", "2.36", "2.35", "2.36", "2.35", "2.36", "2.35"}},
		{"-2.345", [7]string{"-2.34", "-2.35", "-2.34", "-2.35", "-2.34", "-2.34", "-2.35"}},
		{"2.3451", [7]string{"2.35", "2.35", "2.35", "2.35", "2.34", "2.35", "2.34"}},
		{"2.341", [7]string{"2.34", "2.34", "2.34", "2.35", "2.34", "2.35", "2.34"}},
		{"-2.349", [7]string{"-2.35", "-2.35", "-2.35", "-2.35", "-2.34", "-2.34", "-2.35"}},
		{"2.30", [7]string{"2.30", "2.30", "2.30", "2.30", "2.30", "2.30", "2.30"}},
	} {
		for i, mode := range modes {
			t.Run(tc.in+"/"+mode.String(), func(t *testing.T) {
				m := money(t, "1", "USD").Mul(decimal.RequireFromString(tc.in))
				assert.Equal(t, tc.want[i]+" USD", m.Round(mode).String())
			})
		}
	}
}

func TestMulNeedsRounding(t *testing.T) {
	m := money(t, "10.01", "USD").Mul(decimal.RequireFromString("0.075")) // 0.75075
	assert.False(t, m.Exact())
	_, err := m.Minor()
	assert.ErrorIs(t, err, crm.ErrPrecision)
	_, err = m.Split(2)
	assert.ErrorIs(t, err, crm.ErrPrecision, "only exact amounts can be split")
	assert.Equal(t, "0.75 USD", m.Round(crm.RoundHalfEven).String())
}

func TestAllocate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		amount string
		cur    string
		ratios []int64
		want   []string
	}{
		{"thirds", "100.00", "USD", []int64{1, 1, 1}, []string{"33.34", "33.33", "33.33"}},
		{"tie goes to the earlier part", "0.05", "USD", []int64{3, 7}, []string{"0.02", "0.03"}},
		{"largest remainder wins", "0.10", "USD", []int64{1, 2, 3}, []string{"0.02", "0.03", "0.05"}},
		{"negative", "-100.00", "USD", []int64{1, 1, 1}, []string{"-33.34", "-33.33", "-33.33"}},
		{"no minor unit", "100", "JPY", []int64{1, 1, 1}, []string{"34", "33", "33"}},
		{"three decimals", "1.000", "KWD", []int64{1, 1, 1}, []string{"0.334", "0.333", "0.333"}},
		{"zero weight gets nothing", "1.00", "EUR", []int64{0, 1, 0, 1}, []string{"0.00", "0.50", "0.00", "0.50"}},
		{"30/70 payment plan", "1000.01", "USD", []int64{30, 70}, []string{"300.00", "700.01"}},
		{"zero amount", "0", "USD", []int64{1, 2}, []string{"0.00", "0.00"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parts, err := money(t, tc.amount, tc.cur).Allocate(tc.ratios...)
			require.NoError(t, err)
			var got []string
			for _, p := range parts {
				got = append(got, p.Amount().StringFixed(p.Currency().MinorUnits()))
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestAllocateRejects(t *testing.T) {
	m := money(t, "10.00", "USD")
	for name, ratios := range map[string][]int64{
		"none": {}, "zero sum": {0, 0}, "negative": {1, -1},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := m.Allocate(ratios...)
			var ve *crm.ValidationError
			require.ErrorAs(t, err, &ve)
		})
	}
	_, err := m.Split(0)
	assert.ErrorIs(t, err, crm.ErrInvalid)
	_, err = m.Split(1 << 30)
	assert.ErrorIs(t, err, crm.ErrInvalid, "a huge count is refused before any allocation")
}

func TestAllocateWeights(t *testing.T) {
	parts, err := money(t, "10.00", "USD").AllocateWeights(decimal.RequireFromString("0.3"), decimal.RequireFromString("0.7"))
	require.NoError(t, err)
	assert.Equal(t, "3.00 USD", parts[0].String())
	assert.Equal(t, "7.00 USD", parts[1].String())
}

// TestAllocateAddsUp is a property test: for random amounts and weights,
// the parts add up exactly to the amount and each is within one minor
// unit of its exact share.
func TestAllocateAddsUp(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		cur := crm.Currencies()[r.IntN(len(crm.Currencies()))]
		total := crm.MoneyFromMinor(r.Int64N(2_000_000_000_000)-1_000_000_000_000, cur)
		weights := make([]int64, 1+r.IntN(12))
		var wsum int64
		for i := range weights {
			weights[i] = r.Int64N(1000)
			wsum += weights[i]
		}
		if wsum == 0 {
			weights[0], wsum = 1, 1
		}
		parts, err := total.Allocate(weights...)
		require.NoError(t, err)
		sum, err := crm.Sum(cur, parts...)
		require.NoError(t, err)
		require.True(t, sum.Equal(total), "%v split %v adds up to %v", total, weights, sum)
		unit := decimal.New(1, -cur.MinorUnits())
		for i, p := range parts {
			exact := total.Amount().Mul(decimal.NewFromInt(weights[i])).Div(decimal.NewFromInt(wsum))
			require.True(t, p.Amount().Sub(exact).Abs().LessThan(unit), "part %d of %v is %v, exact %v", i, total, p, exact)
		}
	}
}

func TestMoneyJSON(t *testing.T) {
	m := money(t, "10.5", "USD")
	b, err := json.Marshal(m)
	require.NoError(t, err)
	assert.JSONEq(t, `{"amount":"10.50","currency":"USD"}`, string(b))
	var back crm.Money
	require.NoError(t, json.Unmarshal(b, &back))
	assert.True(t, back.Equal(m))

	for _, bad := range []string{`{"amount":"10.505","currency":"USD"}`, `{"amount":10.5,"currency":"USD"}`, `{"amount":"1","currency":"ABC"}`, `[]`} {
		var v crm.Money
		err := json.Unmarshal([]byte(bad), &v)
		assert.Error(t, err, bad)
		assert.True(t, v.IsZero() && v.Currency().IsZero(), "a failed decode leaves the value alone")
	}
}

func TestMoneySQL(t *testing.T) {
	m := money(t, "-1234.5", "EUR")
	v, err := m.Value()
	require.NoError(t, err)
	assert.Equal(t, "-1234.50 EUR", v)
	var back crm.Money
	require.NoError(t, back.Scan(v))
	assert.True(t, back.Equal(m))
	require.NoError(t, back.Scan([]byte("5 JPY")))
	assert.Equal(t, "5 JPY", back.String())
	assert.ErrorIs(t, back.Scan(3.5), crm.ErrInvalid, "a float is never money")
	assert.ErrorIs(t, back.Scan("12 USD EUR"), crm.ErrInvalid)
	_, err = crm.Money{}.Value()
	assert.ErrorIs(t, err, crm.ErrInvalid)
}

func TestCurrencies(t *testing.T) {
	all := crm.Currencies()
	assert.Greater(t, len(all), 150)
	for i := 1; i < len(all); i++ {
		assert.Less(t, all[i-1].Code(), all[i].Code())
	}
	jpy, err := crm.ParseCurrency("jpy")
	require.NoError(t, err)
	assert.Equal(t, int32(0), jpy.MinorUnits())
	var c crm.Currency
	require.NoError(t, json.Unmarshal([]byte(`"KWD"`), &c))
	assert.Equal(t, int32(3), c.MinorUnits())
	assert.True(t, errors.Is(json.Unmarshal([]byte(`"ZZZ"`), &c), crm.ErrUnknownCurrency))
}

func FuzzParseMoney(f *testing.F) {
	for _, s := range []string{"10.50", "-0.001", "1e5", "", "99999999999999999999", "0.1.2", "-"} {
		f.Add(s, "USD")
	}
	f.Add("1.234", "KWD")
	f.Fuzz(func(t *testing.T, amount, code string) {
		m, err := crm.ParseMoney(amount, code)
		if err != nil {
			if !errors.Is(err, crm.ErrInvalid) {
				t.Fatalf("error %v is not ErrInvalid", err)
			}
			return
		}
		minor, err := m.Minor()
		if err != nil {
			t.Fatalf("parsed %q but Minor fails: %v", amount, err)
		}
		if !crm.MoneyFromMinor(minor, m.Currency()).Equal(m) {
			t.Fatalf("minor units of %v do not round-trip", m)
		}
		var back crm.Money
		if err := back.Scan(m.String()); err != nil || !back.Equal(m) {
			t.Fatalf("%v does not round-trip through text: %v", m, err)
		}
	})
}

func FuzzSplit(f *testing.F) {
	f.Add(int64(10000), uint16(3), "USD")
	f.Add(int64(-1), uint16(7), "JPY")
	f.Fuzz(func(t *testing.T, minor int64, n uint16, code string) {
		cur, err := crm.ParseCurrency(code)
		if err != nil {
			return
		}
		total := crm.MoneyFromMinor(minor, cur)
		parts, err := total.Split(int(n))
		if n == 0 {
			if !errors.Is(err, crm.ErrInvalid) {
				t.Fatalf("splitting in 0 parts: %v", err)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		sum, err := crm.Sum(cur, parts...)
		if err != nil || !sum.Equal(total) {
			t.Fatalf("%v split in %d adds up to %v (%v)", total, n, sum, err)
		}
		lo, hi := parts[len(parts)-1].Amount(), parts[0].Amount()
		if hi.Sub(lo).Abs().GreaterThan(decimal.New(1, -cur.MinorUnits())) {
			t.Fatalf("parts of %v differ by more than one minor unit: %v .. %v", total, lo, hi)
		}
	})
}

// TestAllocatePathsAgree checks the 64-bit path of Allocate against the
// arbitrary-precision path of AllocateWeights on the same weights.
func TestAllocatePathsAgree(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 1000 {
		total := crm.MoneyFromMinor(r.Int64()>>r.IntN(63)*int64(1-2*r.IntN(2)), crm.Currencies()[r.IntN(20)])
		ratios := make([]int64, 1+r.IntN(8))
		weights := make([]decimal.Decimal, len(ratios))
		for i := range ratios {
			ratios[i] = r.Int64N(1 << 40)
			weights[i] = decimal.New(ratios[i], -3)
		}
		ratios[0]++
		weights[0] = decimal.New(ratios[0], -3)
		fast, err := total.Allocate(ratios...)
		require.NoError(t, err)
		exact, err := total.AllocateWeights(weights...)
		require.NoError(t, err)
		for i := range fast {
			require.True(t, fast[i].Equal(exact[i]), "%v by %v: part %d %v != %v", total, ratios, i, fast[i], exact[i])
		}
	}
	huge, err := money(t, "10.00", "USD").Allocate(1<<62, 1<<62, 1<<62, 1<<62)
	require.NoError(t, err, "ratios whose sum overflows 64 bits take the exact path")
	assert.Equal(t, "2.50 USD", huge[3].String())
}
