package crm_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCurrencyConstants(t *testing.T) {
	for code, c := range map[string]crm.Currency{"USD": crm.USD, "EUR": crm.EUR, "GBP": crm.GBP, "JPY": crm.JPY, "CHF": crm.CHF,
		"CNY": crm.CNY, "CAD": crm.CAD, "AUD": crm.AUD, "INR": crm.INR, "SEK": crm.SEK, "KWD": crm.KWD, "KRW": crm.KRW} {
		parsed, err := crm.ParseCurrency(code)
		require.NoError(t, err)
		assert.Equal(t, parsed, c, "the constant %s is the currency ParseCurrency gives", code)
		assert.Equal(t, code, c.Code())
	}
	assert.Equal(t, int32(0), crm.JPY.MinorUnits())
	assert.Equal(t, int32(3), crm.KWD.MinorUnits())
	var none crm.Currency
	assert.True(t, none.IsZero())
	assert.Equal(t, "", none.Code())
}

func TestCurrenciesOrderByCode(t *testing.T) {
	all := crm.Currencies()
	codes := make([]string, len(all))
	for i, c := range all {
		codes[i] = c.Code()
		back, err := crm.ParseCurrency(codes[i])
		require.NoError(t, err)
		require.Equal(t, c, back, codes[i])
	}
	assert.True(t, slices.IsSorted(codes), "a currency's integer order is its code's order")
	assert.True(t, slices.IsSorted(all))
}

func TestCurrencyErrorsForErrorsAs(t *testing.T) {
	_, err := crm.ParseCurrency("XYZ")
	var unknown *crm.UnknownCurrencyError
	require.ErrorAs(t, err, &unknown)
	assert.Equal(t, "XYZ", unknown.Code)
	assert.ErrorIs(t, err, crm.ErrUnknownCurrency)
	assert.ErrorIs(t, err, crm.ErrInvalid)

	_, err = crm.ParseMoney("10.505", "USD")
	var precision *crm.PrecisionError
	require.True(t, errors.As(err, &precision), "%v", err)
	assert.Equal(t, crm.USD, precision.Currency)
	assert.Equal(t, "10.505", precision.Amount.String())
	assert.ErrorIs(t, err, crm.ErrPrecision)
}
