package crm

import (
	"bytes"
	"cmp"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"math/big"
	"math/bits"
	"slices"
	"strings"

	"github.com/shopspring/decimal"
)

// Money is an immutable amount in one currency. Arithmetic across
// currencies is an error matching ErrCurrencyMismatch. Constructors accept
// only amounts exact in the currency's minor unit; multiplication may give
// more decimals, which Round removes with a named RoundingMode. Make one
// with ParseMoney("12.50", "USD"), MoneyFromMinor(1250, USD) or
// NewMoney(amount, currency) from a decimal.
//
// The zero value has no currency and is not a valid amount for any
// operation except IsZero and String.
type Money struct {
	amount   decimal.Decimal
	currency Currency
}

// maxAmountDigits bounds the digits of a parsed amount: minor units must
// fit in a signed 64-bit integer (about 9.2e18), which is how the SQL
// adapter stores them.
const maxAmountDigits = 19

// NewMoney returns amount in currency. The amount must be exact in the
// currency's minor unit (10.50 USD, not 10.505 USD) and its minor units
// must fit in an int64.
func NewMoney(amount decimal.Decimal, currency Currency) (Money, error) {
	if currency.IsZero() {
		return Money{}, invalid("currency", "required", "")
	}
	m := Money{amount: amount, currency: currency}
	minor, err := m.Minor()
	if err != nil {
		return Money{}, err
	}
	return MoneyFromMinor(minor, currency), nil // one form for one value: the exponent of the minor unit
}

// ParseMoney parses a plain decimal amount ("-1234.50"; no exponent, no
// thousands separators, no spaces) in the currency with the ISO 4217 code.
func ParseMoney(amount, currencyCode string) (Money, error) {
	cur, err := ParseCurrency(currencyCode)
	if err != nil {
		return Money{}, err
	}
	d, err := parseAmount(amount)
	if err != nil {
		return Money{}, err
	}
	return NewMoney(d, cur)
}

// parseAmount accepts an optional minus sign, digits, and an optional
// fraction. It refuses everything decimal.NewFromString would accept
// beyond that (exponents, leading '+', '.5'), so amounts in requests are
// unambiguous, and it bounds the length before any big arithmetic.
func parseAmount(s string) (decimal.Decimal, error) {
	body := strings.TrimPrefix(s, "-")
	intPart, frac, hasDot := strings.Cut(body, ".")
	if intPart == "" || (hasDot && frac == "") || !allDigits(intPart) || !allDigits(frac) {
		return decimal.Decimal{}, invalid("amount", "format", fmt.Sprintf("%q is not a plain decimal number", truncate(s, 40)))
	}
	if len(intPart)+len(frac) > maxAmountDigits+4 {
		return decimal.Decimal{}, invalid("amount", "range", "too many digits")
	}
	return decimal.NewFromString(s)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// MoneyFromMinor returns minor units of currency: MoneyFromMinor(1050, USD)
// is 10.50 USD.
func MoneyFromMinor(minor int64, currency Currency) Money {
	return Money{amount: decimal.New(minor, -currency.MinorUnits()), currency: currency}
}

// Zero returns zero in currency.
func Zero(currency Currency) Money { return MoneyFromMinor(0, currency) }

// Amount returns the decimal amount.
func (m Money) Amount() decimal.Decimal { return m.amount }

// Currency returns the currency.
func (m Money) Currency() Currency { return m.currency }

// IsZero reports whether the amount is zero (in any currency, or none).
func (m Money) IsZero() bool { return m.amount.IsZero() }

// IsPositive reports whether the amount is above zero.
func (m Money) IsPositive() bool { return m.amount.Sign() > 0 }

// IsNegative reports whether the amount is below zero.
func (m Money) IsNegative() bool { return m.amount.Sign() < 0 }

// Sign returns -1, 0 or 1.
func (m Money) Sign() int { return m.amount.Sign() }

// Exact reports whether the amount has no more decimals than the
// currency's minor unit.
func (m Money) Exact() bool {
	if m.amount.Exponent() >= -m.currency.MinorUnits() {
		return true
	}
	return m.amount.Equal(m.amount.Truncate(m.currency.MinorUnits()))
}

// Minor returns the amount in minor units (cents for USD). It fails with
// a *PrecisionError when the amount is not exact and with an
// *OverflowError when its minor units do not fit in an int64; both match
// ErrInvalid.
func (m Money) Minor() (int64, error) {
	if m.currency.IsZero() {
		return 0, invalid("currency", "required", "")
	}
	if m.amount.Exponent() == -m.currency.MinorUnits() && m.amount.NumDigits() <= 18 {
		// The amount is already kept in minor units and its coefficient
		// fits in 64 bits: read it without arithmetic or allocation.
		return m.amount.CoefficientInt64(), nil
	}
	if !m.Exact() {
		return 0, &PrecisionError{Amount: m.amount, Currency: m.currency}
	}
	b := m.amount.Shift(m.currency.MinorUnits()).BigInt()
	if !b.IsInt64() {
		return 0, &OverflowError{Field: "amount", Currency: m.currency, Minor: decimal.NewFromBigInt(b, 0)}
	}
	return b.Int64(), nil
}

// PrecisionError says an amount has more decimals than its currency's
// minor unit (10.505 USD); more minor units than 64 bits hold is an
// *OverflowError. It matches ErrPrecision and ErrInvalid with errors.Is.
type PrecisionError struct {
	Amount   decimal.Decimal `json:"amount,omitzero"`
	Currency Currency        `json:"currency,omitzero"`
}

// Error implements error.
func (e *PrecisionError) Error() string {
	return fmt.Sprintf("crm: %s %s is not exact in %d decimals", e.Amount.String(), e.Currency, e.Currency.MinorUnits())
}

// Is matches ErrPrecision and ErrInvalid.
func (e *PrecisionError) Is(target error) bool { return target == ErrPrecision || target == ErrInvalid }

func (m Money) sameCurrency(op string, o Money) error {
	if m.currency != o.currency || m.currency.IsZero() {
		return &CurrencyMismatchError{Op: op, Left: m.currency, Right: o.currency}
	}
	return nil
}

// Add returns m + o; both must be in the same currency.
func (m Money) Add(o Money) (Money, error) {
	if err := m.sameCurrency("add", o); err != nil {
		return Money{}, err
	}
	return Money{amount: m.amount.Add(o.amount), currency: m.currency}, nil
}

// Sub returns m - o; both must be in the same currency.
func (m Money) Sub(o Money) (Money, error) {
	if err := m.sameCurrency("sub", o); err != nil {
		return Money{}, err
	}
	return Money{amount: m.amount.Sub(o.amount), currency: m.currency}, nil
}

// Sum adds amounts of one currency. It returns zero in currency when ms is
// empty.
func Sum(currency Currency, ms ...Money) (Money, error) {
	total := Zero(currency)
	for _, m := range ms {
		var err error
		if total, err = total.Add(m); err != nil {
			return Money{}, err
		}
	}
	return total, nil
}

// Mul returns m times factor, unrounded; call Round to return to the
// currency's minor unit.
func (m Money) Mul(factor decimal.Decimal) Money {
	return Money{amount: m.amount.Mul(factor), currency: m.currency}
}

// Neg returns -m.
func (m Money) Neg() Money { return Money{amount: m.amount.Neg(), currency: m.currency} }

// Abs returns |m|.
func (m Money) Abs() Money { return Money{amount: m.amount.Abs(), currency: m.currency} }

// Cmp compares m and o: -1 if m < o, 0 if equal, 1 if m > o. Different
// currencies are an error.
func (m Money) Cmp(o Money) (int, error) {
	if err := m.sameCurrency("compare", o); err != nil {
		return 0, err
	}
	return m.amount.Cmp(o.amount), nil
}

// Equal reports whether m and o have the same currency and amount
// (10.5 USD equals 10.50 USD).
func (m Money) Equal(o Money) bool {
	return m.currency == o.currency && m.amount.Equal(o.amount)
}

// Round returns m rounded to the currency's minor unit with mode.
func (m Money) Round(mode RoundingMode) Money {
	return Money{amount: mode.round(m.amount, m.currency.MinorUnits()), currency: m.currency}
}

// String formats as "10.50 USD", with the currency's minor digits when the
// amount is exact and every digit otherwise.
func (m Money) String() string {
	if m.currency.IsZero() {
		return m.amount.String()
	}
	return m.amountText() + " " + m.currency.Code()
}

func (m Money) amountText() string {
	if m.Exact() {
		return m.amount.StringFixed(m.currency.MinorUnits())
	}
	return m.amount.String()
}

type moneyJSON struct {
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
}

// MarshalJSON encodes as {"amount":"10.50","currency":"USD"}, and the
// zero Money, which has no currency, as null.
func (m Money) MarshalJSON() ([]byte, error) {
	if m.currency.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(moneyJSON{Amount: m.amountText(), Currency: m.currency.Code()})
}

// UnmarshalJSON decodes {"amount":"10.50","currency":"USD"} with the rules
// of ParseMoney. null leaves m unchanged.
func (m *Money) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	var v moneyJSON
	if err := json.Unmarshal(b, &v); err != nil {
		return invalid("money", "format", err.Error())
	}
	parsed, err := ParseMoney(v.Amount, v.Currency)
	if err != nil {
		return err
	}
	*m = parsed
	return nil
}

// Value implements driver.Valuer as text "10.50 USD", for callers who keep
// money in one column of their own tables.
func (m Money) Value() (driver.Value, error) {
	if m.currency.IsZero() {
		return nil, invalid("currency", "required", "")
	}
	return m.String(), nil
}

// Scan implements sql.Scanner from the text Value writes.
func (m *Money) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return fmt.Errorf("crm: cannot scan %T into Money: %w", src, ErrInvalid)
	}
	amount, code, ok := strings.Cut(s, " ")
	if !ok {
		return invalid("money", "format", fmt.Sprintf("%q is not \"<amount> <currency>\"", truncate(s, 40)))
	}
	parsed, err := ParseMoney(amount, code)
	if err != nil {
		return err
	}
	*m = parsed
	return nil
}

// maxParts bounds Allocate and Split so that a bad count cannot exhaust
// memory.
const maxParts = 100_000

// Split divides m into n parts that differ by at most one minor unit and
// add up exactly to m; the larger parts come first.
func (m Money) Split(n int) ([]Money, error) {
	if n < 1 || n > maxParts {
		return nil, invalid("parts", "range", fmt.Sprintf("must be 1..%d", maxParts))
	}
	ratios := make([]int64, n)
	for i := range ratios {
		ratios[i] = 1
	}
	return m.Allocate(ratios...)
}

// Allocate divides m in proportion to ratios by the largest remainder
// method: each part is its exact share rounded down to the minor unit, and
// the minor units left over go to the parts with the largest remainders
// (earlier parts first on ties). The parts add up exactly to m. Ratios must
// be non-negative with a positive sum; m must be exact.
func (m Money) Allocate(ratios ...int64) ([]Money, error) {
	if len(ratios) == 0 || len(ratios) > maxParts {
		return nil, invalid("weights", "range", fmt.Sprintf("need 1..%d parts", maxParts))
	}
	total, err := m.Minor()
	if err != nil {
		return nil, err
	}
	var sum uint64
	for i, r := range ratios {
		if r < 0 {
			return nil, invalid(fmt.Sprintf("weights[%d]", i), "non_negative", "")
		}
		var carry uint64
		if sum, carry = bits.Add64(sum, uint64(r), 0); carry != 0 {
			return m.allocateBig(bigInts(ratios)) // the sum needs more than 64 bits
		}
	}
	if sum == 0 {
		return nil, invalid("weights", "positive_sum", "weights add up to zero")
	}
	abs := uint64(total)
	if total < 0 {
		abs = uint64(-(total + 1)) + 1
	}
	parts := make([]uint64, len(ratios))
	rems := make([]uint64, len(ratios))
	var given uint64
	for i, r := range ratios {
		// abs*r/sum < 2^64 because r <= sum, so Div64 cannot overflow.
		hi, lo := bits.Mul64(abs, uint64(r))
		parts[i], rems[i] = bits.Div64(hi, lo, sum)
		given += parts[i]
	}
	for _, i := range largestFirst(len(rems), func(a, b int) int { return cmp.Compare(rems[b], rems[a]) })[:abs-given] {
		parts[i]++
	}
	out := make([]Money, len(parts))
	for i, p := range parts {
		v := int64(p)
		if total < 0 {
			v = -v
		}
		out[i] = MoneyFromMinor(v, m.currency)
	}
	return out, nil
}

// largestFirst returns the indexes 0..n-1 ordered by compare, ties in
// index order.
func largestFirst(n int, compare func(a, b int) int) []int {
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, compare)
	return order
}

func bigInts(ratios []int64) []*big.Int {
	w := make([]*big.Int, len(ratios))
	for i, r := range ratios {
		w[i] = big.NewInt(r)
	}
	return w
}

// AllocateWeights is Allocate with decimal weights, such as 0.3 and 0.7.
func (m Money) AllocateWeights(weights ...decimal.Decimal) ([]Money, error) {
	minExp := int32(0)
	for _, d := range weights {
		if e := d.Exponent(); e < minExp {
			minExp = e
		}
	}
	if minExp < -30 {
		return nil, invalid("weights", "precision", "at most 30 decimals")
	}
	w := make([]*big.Int, len(weights))
	for i, d := range weights {
		w[i] = d.Shift(-minExp).BigInt()
	}
	return m.allocateBig(w)
}

// allocateBig is Allocate in arbitrary precision, for decimal weights and
// weights whose sum does not fit in 64 bits.
func (m Money) allocateBig(weights []*big.Int) ([]Money, error) {
	if len(weights) == 0 || len(weights) > maxParts {
		return nil, invalid("weights", "range", fmt.Sprintf("need 1..%d parts", maxParts))
	}
	if _, err := m.Minor(); err != nil {
		return nil, err
	}
	sum := new(big.Int)
	for i, w := range weights {
		if w.Sign() < 0 {
			return nil, invalid(fmt.Sprintf("weights[%d]", i), "non_negative", "")
		}
		sum.Add(sum, w)
	}
	if sum.Sign() == 0 {
		return nil, invalid("weights", "positive_sum", "weights add up to zero")
	}
	total := m.amount.Shift(m.currency.MinorUnits()).BigInt()
	negative := total.Sign() < 0
	total.Abs(total)

	parts := make([]*big.Int, len(weights))
	rems := make([]*big.Int, len(weights))
	given := new(big.Int)
	for i, w := range weights {
		q, r := new(big.Int), new(big.Int)
		q.QuoRem(new(big.Int).Mul(total, w), sum, r)
		parts[i], rems[i] = q, r
		given.Add(given, q)
	}
	left := new(big.Int).Sub(total, given).Int64() // < len(weights)
	for _, i := range largestFirst(len(rems), func(a, b int) int { return rems[b].Cmp(rems[a]) })[:left] {
		parts[i].Add(parts[i], big.NewInt(1))
	}
	out := make([]Money, len(parts))
	for i, p := range parts {
		if negative {
			p.Neg(p)
		}
		out[i] = Money{amount: decimal.NewFromBigInt(p, -m.currency.MinorUnits()), currency: m.currency}
	}
	return out, nil
}
