package crm

import (
	"errors"
	"fmt"
	"maps"

	"github.com/shopspring/decimal"
)

// DefaultFXShare is the exchange difference an allocation across
// currencies may settle when WithFXTolerance says otherwise of nothing:
// 1% of what is open on the invoice, the order of a day's move of a major
// currency pair and of the spread a bank takes.
var DefaultFXShare = decimal.RequireFromString("0.01")

// FXTolerance bounds the exchange difference an allocation across
// currencies with Settle may book as realized gain or loss: at most Share
// of what is open on the invoice (rounded down to the minor unit), and at
// most Caps[currency] of the invoice's currency where a cap is named. One
// minor unit is always allowed: the conversion at the rate rounds.
// Anything beyond is not an exchange difference; see FXToleranceError.
type FXTolerance struct {
	Share decimal.Decimal    `json:"share"`          // 0-1: 0.01 for 1%
	Caps  map[Currency]Money `json:"caps,omitempty"` // the largest difference, per invoice currency
}

// WithFXTolerance sets the exchange difference an allocation across
// currencies may settle (default DefaultFXShare, no caps): share of the
// invoice's open amount, 0 to 1, and at most each cap in its currency.
func WithFXTolerance(share decimal.Decimal, caps ...Money) Option {
	return func(o *options) {
		o.documents.fx.Share = share
		o.documents.fx.Caps = maps.Clone(o.documents.fx.Caps)
		if o.documents.fx.Caps == nil {
			o.documents.fx.Caps = map[Currency]Money{}
		}
		for _, c := range caps {
			o.documents.fx.Caps[c.Currency()] = c
		}
	}
}

func (t FXTolerance) check() error {
	if t.Share.Sign() < 0 || t.Share.GreaterThan(decimal.NewFromInt(1)) {
		return invalid("fx_tolerance.share", "range", "0-1")
	}
	for cur, c := range t.Caps {
		if cur.IsZero() || c.IsNegative() || !c.Exact() {
			return invalid("fx_tolerance.caps", "non_negative", "a cap is an exact amount, zero or more, in a currency")
		}
	}
	return nil
}

// limit returns the largest exchange difference allowed on open.
func (t FXTolerance) limit(open Money) Money {
	cur := open.Currency()
	limit := Money{amount: open.Amount().Mul(t.Share), currency: cur}.Round(RoundDown)
	if c, ok := t.Caps[cur]; ok {
		if more, _ := limit.Cmp(c); more > 0 {
			limit = c
		}
	}
	if unit := MoneyFromMinor(1, cur); limit.amount.LessThan(unit.amount) {
		limit = unit
	}
	return limit
}

// ErrFXTolerance: an allocation across currencies would settle an
// invoice with an exchange difference beyond the CRM's FXTolerance.
var ErrFXTolerance = errors.New("crm: exchange difference beyond tolerance")

// FXToleranceError says an allocation across currencies with Settle
// would book more exchange gain or loss than the tolerance allows. A
// payment worth less than the invoice is not an exchange loss beyond the
// tolerance: allocate it without Settle, which applies what it covers, and
// write the rest off (WriteOff, with its reason and, above the correction
// limit, another user's approval). A payment worth more is allocated in
// part (a smaller Amount), the rest staying the customer's credit. It
// matches ErrFXTolerance and ErrInvalid with errors.Is.
type FXToleranceError struct {
	Invoice    ID    `json:"invoice,omitzero"`
	Open       Money `json:"open"`       // what is open on the invoice
	Settled    Money `json:"settled"`    // what the credit is worth at the rate, in the invoice's currency
	Difference Money `json:"difference"` // Open less Settled: a loss when positive, a gain when negative
	Tolerance  Money `json:"tolerance"`  // the largest difference allowed
}

// Error implements error.
func (e *FXToleranceError) Error() string {
	if e.Difference.IsNegative() {
		return fmt.Sprintf("crm: %s settles invoice %s with %s open: a gain of %s is beyond the exchange tolerance of %s; allocate less",
			e.Settled, e.Invoice, e.Open, e.Difference.Neg(), e.Tolerance)
	}
	return fmt.Sprintf("crm: %s settles invoice %s with %s open: a loss of %s is beyond the exchange tolerance of %s; "+
		"allocate without Settle and write off the rest", e.Settled, e.Invoice, e.Open, e.Difference, e.Tolerance)
}

// Is matches ErrFXTolerance and ErrInvalid.
func (e *FXToleranceError) Is(target error) bool {
	return target == ErrFXTolerance || target == ErrInvalid
}

// documentRules are the CRM's rules for the documents it issues: where tax
// is rounded and the exchange difference an allocation may settle.
type documentRules struct {
	taxRounding TaxRounding
	fx          FXTolerance
}

func defaultDocumentRules() documentRules {
	return documentRules{taxRounding: TaxPerLine, fx: FXTolerance{Share: DefaultFXShare}}
}

func (r documentRules) check() error {
	if err := r.taxRounding.check(); err != nil {
		return err
	}
	return r.fx.check()
}
