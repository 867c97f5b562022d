package sqlstore

import (
	"fmt"

	"github.com/crmkit/crm"
)

// MoneyColumns splits m into the two columns this package stores an
// amount in: its minor units as a BIGINT (cents for USD; exact, and SUM
// stays exact) and its ISO 4217 code as TEXT. Amounts are never stored in
// a floating-point column. It fails when m has no currency, is not exact
// in minor units (crm.ErrPrecision) or does not fit in 64 bits.
func MoneyColumns(m crm.Money) (minor int64, currency string, err error) {
	minor, err = m.Minor()
	if err != nil {
		return 0, "", err
	}
	return minor, m.Currency().Code(), nil
}

// MoneyFromColumns is the inverse of MoneyColumns: crm.MoneyFromMinor,
// and crm.Zero for zero minor units, as the domain writes a zero amount.
// An unknown currency code matches crm.ErrUnknownCurrency.
func MoneyFromColumns(minor int64, currency string) (crm.Money, error) {
	cur, err := crm.ParseCurrency(currency)
	if err != nil {
		return crm.Money{}, fmt.Errorf("sqlstore: reading money: %w", err)
	}
	if minor == 0 {
		return crm.Zero(cur), nil
	}
	return crm.MoneyFromMinor(minor, cur), nil
}
