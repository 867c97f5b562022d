package crm

import "github.com/shopspring/decimal"

// RoundingMode names how an amount is rounded to a currency's minor unit.
type RoundingMode int

// The rounding modes. The zero value is RoundHalfEven.
const (
	// RoundHalfEven rounds to the nearest, ties to the even digit
	// (banker's rounding): 2.345 -> 2.34, 2.355 -> 2.36.
	RoundHalfEven RoundingMode = iota
	// RoundHalfUp rounds to the nearest, ties away from zero (commercial
	// rounding): 2.345 -> 2.35, -2.345 -> -2.35.
	RoundHalfUp
	// RoundHalfDown rounds to the nearest, ties toward zero: 2.345 -> 2.34.
	RoundHalfDown
	// RoundUp rounds away from zero: 2.341 -> 2.35.
	RoundUp
	// RoundDown rounds toward zero (truncation): 2.349 -> 2.34.
	RoundDown
	// RoundCeiling rounds toward positive infinity: -2.349 -> -2.34.
	RoundCeiling
	// RoundFloor rounds toward negative infinity: -2.341 -> -2.35.
	RoundFloor
)

var roundingNames = [...]string{"half_even", "half_up", "half_down", "up", "down", "ceiling", "floor"}

// String returns the mode's name, such as "half_even".
func (r RoundingMode) String() string {
	if r < 0 || int(r) >= len(roundingNames) {
		return "unknown"
	}
	return roundingNames[r]
}

func (r RoundingMode) round(d decimal.Decimal, places int32) decimal.Decimal {
	switch r {
	case RoundHalfUp:
		return d.Round(places)
	case RoundHalfDown:
		t := d.Truncate(places)
		half := decimal.New(5, -places-1)
		if d.Sub(t).Abs().GreaterThan(half) {
			return d.RoundUp(places)
		}
		return t
	case RoundUp:
		return d.RoundUp(places)
	case RoundDown:
		return d.RoundDown(places)
	case RoundCeiling:
		return d.RoundCeil(places)
	case RoundFloor:
		return d.RoundFloor(places)
	default:
		return d.RoundBank(places)
	}
}
