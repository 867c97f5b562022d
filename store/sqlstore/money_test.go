package sqlstore_test

import (
	"testing"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/sqlstore"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMoneyColumns(t *testing.T) {
	for _, tc := range []struct{ amount, code string }{{"10.50", "USD"}, {"-1234", "JPY"}, {"0.001", "BHD"}} {
		m, err := crm.ParseMoney(tc.amount, tc.code)
		require.NoError(t, err)
		minor, code, err := sqlstore.MoneyColumns(m)
		require.NoError(t, err)
		assert.Equal(t, tc.code, code)
		back, err := sqlstore.MoneyFromColumns(minor, code)
		require.NoError(t, err)
		assert.True(t, m.Equal(back), "%s round-trips", m)
	}
	usd, err := crm.ParseMoney("10.50", "USD")
	require.NoError(t, err)
	minor, _, err := sqlstore.MoneyColumns(usd)
	require.NoError(t, err)
	assert.Equal(t, int64(1050), minor, "cents")

	_, _, err = sqlstore.MoneyColumns(crm.Money{})
	assert.ErrorIs(t, err, crm.ErrInvalid, "no currency")
	_, err = sqlstore.MoneyFromColumns(1, "XXY")
	assert.ErrorIs(t, err, crm.ErrUnknownCurrency)
}
