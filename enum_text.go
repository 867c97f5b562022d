package crm

import (
	"fmt"
	"slices"
)

// The integer enums travel as their names, as every enum does on the
// wire: names[i] is the name of the value first+i.

// enumName encodes v as its name, or fails for a value without one.
func enumName(kind string, names []string, first, v int) ([]byte, error) {
	if i := v - first; i >= 0 && i < len(names) {
		return []byte(names[i]), nil
	}
	return nil, invalid(kind, "one_of", fmt.Sprintf("%d has no name", v))
}

// enumValue decodes a name; an unknown name is a *ValidationError.
func enumValue(kind string, names []string, first int, text []byte) (int, error) {
	if i := slices.Index(names, string(text)); i >= 0 {
		return first + i, nil
	}
	return 0, invalid(kind, "one_of", fmt.Sprintf("%q is not one of %v", text, names))
}

var sentimentNames = []string{"very_negative", "negative", "neutral", "positive", "very_positive"}

// MarshalText encodes the sentiment as very_negative, negative, neutral,
// positive or very_positive.
func (s Sentiment) MarshalText() ([]byte, error) {
	return enumName("sentiment", sentimentNames, int(VeryNegative), int(s))
}

// UnmarshalText decodes a name MarshalText gives.
func (s *Sentiment) UnmarshalText(b []byte) error {
	v, err := enumValue("sentiment", sentimentNames, int(VeryNegative), b)
	*s = Sentiment(v)
	return err
}

// MarshalText encodes the scope as its String.
func (s Scope) MarshalText() ([]byte, error) { return enumName("scope", scopeNames[:], 0, int(s)) }

// UnmarshalText decodes a name MarshalText gives.
func (s *Scope) UnmarshalText(b []byte) error {
	v, err := enumValue("scope", scopeNames[:], 0, b)
	*s = Scope(v)
	return err
}

// MarshalText encodes the mode as its String, such as half_even.
func (r RoundingMode) MarshalText() ([]byte, error) {
	return enumName("rounding", roundingNames[:], 0, int(r))
}

// UnmarshalText decodes a name MarshalText gives.
func (r *RoundingMode) UnmarshalText(b []byte) error {
	v, err := enumValue("rounding", roundingNames[:], 0, b)
	*r = RoundingMode(v)
	return err
}
