package crm

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strings"

	"github.com/crmkit/crm/internal/wide"
	"github.com/shopspring/decimal"
)

// OverflowError says an amount, or a total of amounts or times, does not
// fit in 64 bits: a store keeps an amount as a signed 64-bit count of
// minor units (at most ±9,223,372,036,854,775,807), and a report hands
// some totals over the same way.
//
// A write that would make such an amount, or take a total the ledger
// keeps (what is open on an item, a customer's balance on their
// receivable or credit in a currency, as they stand over the whole
// ledger) beyond it, is refused with an OverflowError and changes
// nothing; every posted amount fits negated too, so that a reversal can
// post it. A report whose sum does not fit where it hands the sum over
// as 64 bits (an aging bucket, revenue, a sales row) returns an
// OverflowError rather than a number wrapped around; sums handed over as
// Money (open items, balances, funnels, DSO) are exact, whatever their
// size.
//
// It matches ErrOverflow and ErrInvalid with errors.Is.
type OverflowError struct {
	Field    string          `json:"field,omitempty"`   // the input ("lines[2]", "amount") or the total ("balance", "open_item", "aging") that does not fit
	Customer ID              `json:"customer,omitzero"` // whose total it is, when it is one customer's
	Account  AccountType     `json:"account,omitempty"` // the account of a balance or an open item
	Item     ID              `json:"item,omitzero"`     // the open item
	Currency Currency        `json:"currency,omitzero"` // the currency of the amount, when known
	AsOf     Date            `json:"as_of,omitzero"`    // the date the total is as of; zero for the whole ledger
	Minor    decimal.Decimal `json:"minor,omitzero"`    // the amount or total exactly, in minor units (microseconds for a time), when known
}

// Error implements error.
func (e *OverflowError) Error() string {
	var b strings.Builder
	b.WriteString("crm: " + cmpOr(e.Field, "total"))
	if e.Account != "" {
		fmt.Fprintf(&b, " of %s", e.Account)
	}
	if !e.Item.IsZero() {
		fmt.Fprintf(&b, " of item %s", e.Item)
	}
	if !e.Customer.IsZero() {
		fmt.Fprintf(&b, " of customer %s", e.Customer)
	}
	if !e.AsOf.IsZero() {
		fmt.Fprintf(&b, " as of %s", e.AsOf)
	}
	switch {
	case !e.Minor.IsZero() && !e.Currency.IsZero():
		fmt.Fprintf(&b, ": %s", Money{amount: e.Minor.Shift(-e.Currency.MinorUnits()), currency: e.Currency})
	case !e.Minor.IsZero():
		fmt.Fprintf(&b, ": %s", e.Minor)
	case !e.Currency.IsZero():
		fmt.Fprintf(&b, " in %s", e.Currency)
	}
	b.WriteString(" does not fit in 64 bits")
	if !e.Currency.IsZero() {
		b.WriteString(" of minor units")
	}
	return b.String()
}

// Is matches ErrOverflow and ErrInvalid.
func (e *OverflowError) Is(target error) bool { return target == ErrOverflow || target == ErrInvalid }

// MoneyFromBigMinor returns minor units of currency, however many: the
// exact form of a report's total that does not fit in 64 bits, such as a
// company account's balance over every customer. Such an amount is shown
// and compared like any other, but no store keeps it: Minor fails on it.
func MoneyFromBigMinor(minor *big.Int, currency Currency) Money {
	if minor.IsInt64() {
		return MoneyFromMinor(minor.Int64(), currency)
	}
	return Money{amount: decimal.NewFromBigInt(minor, -currency.MinorUnits()), currency: currency}
}

// moneyOf returns the exact total x of minor units of currency.
func moneyOf(x wide.Int, currency Currency) Money {
	if v, ok := x.Int64(); ok {
		return MoneyFromMinor(v, currency)
	}
	return MoneyFromBigMinor(x.Big(), currency)
}

// minorWithin returns m's minor units when m is exact and they fit in 64
// bits with room for their negation (math.MinInt64 is refused: a
// reversal could not post it negated); an amount beyond is an
// *OverflowError naming field.
func minorWithin(field string, m Money) (int64, error) {
	v, err := m.Minor()
	var over *OverflowError
	switch {
	case errors.As(err, &over):
		over.Field = field
		return 0, over
	case err != nil:
		return 0, err
	case v == math.MinInt64:
		return 0, &OverflowError{Field: field, Currency: m.currency, Minor: decimal.NewFromInt(v)}
	}
	return v, nil
}
