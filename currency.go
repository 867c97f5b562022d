package crm

import (
	"database/sql/driver"
	"fmt"
	"slices"
	"strings"
)

// Currency is an active ISO 4217 currency. The zero value is no currency;
// every Money with an amount has one. Currencies compare with == and
// order by code with <, and the common ones are constants (USD, EUR, ...);
// any other comes from ParseCurrency.
//
// A Currency packs its three-letter code and the digits of its minor unit
// into one integer, so that it is a value a constant can hold and Money
// needs no lookup to round. Make one only with the constants, with
// ParseCurrency or by decoding text: a converted integer is not checked.
type Currency uint32

// The bits of a Currency: each letter of the code in five bits, the first
// highest (so that integer order is code order), then the digits of the
// minor unit.
const (
	letterBits = 5
	minorBits  = 3
	minorMask  = 1<<minorBits - 1
)

// Common currencies, for use as constants; ParseCurrency gives the others.
const (
	USD Currency = ('U'-'@')<<(minorBits+2*letterBits) | ('S'-'@')<<(minorBits+letterBits) | ('D'-'@')<<minorBits | 2 // US dollar
	EUR Currency = ('E'-'@')<<(minorBits+2*letterBits) | ('U'-'@')<<(minorBits+letterBits) | ('R'-'@')<<minorBits | 2 // euro
	GBP Currency = ('G'-'@')<<(minorBits+2*letterBits) | ('B'-'@')<<(minorBits+letterBits) | ('P'-'@')<<minorBits | 2 // pound sterling
	JPY Currency = ('J'-'@')<<(minorBits+2*letterBits) | ('P'-'@')<<(minorBits+letterBits) | ('Y'-'@')<<minorBits     // yen, no minor unit
	CHF Currency = ('C'-'@')<<(minorBits+2*letterBits) | ('H'-'@')<<(minorBits+letterBits) | ('F'-'@')<<minorBits | 2 // Swiss franc
	CNY Currency = ('C'-'@')<<(minorBits+2*letterBits) | ('N'-'@')<<(minorBits+letterBits) | ('Y'-'@')<<minorBits | 2 // yuan renminbi
	CAD Currency = ('C'-'@')<<(minorBits+2*letterBits) | ('A'-'@')<<(minorBits+letterBits) | ('D'-'@')<<minorBits | 2 // Canadian dollar
	AUD Currency = ('A'-'@')<<(minorBits+2*letterBits) | ('U'-'@')<<(minorBits+letterBits) | ('D'-'@')<<minorBits | 2 // Australian dollar
	INR Currency = ('I'-'@')<<(minorBits+2*letterBits) | ('N'-'@')<<(minorBits+letterBits) | ('R'-'@')<<minorBits | 2 // Indian rupee
	SEK Currency = ('S'-'@')<<(minorBits+2*letterBits) | ('E'-'@')<<(minorBits+letterBits) | ('K'-'@')<<minorBits | 2 // Swedish krona
	KWD Currency = ('K'-'@')<<(minorBits+2*letterBits) | ('W'-'@')<<(minorBits+letterBits) | ('D'-'@')<<minorBits | 3 // Kuwaiti dinar
	KRW Currency = ('K'-'@')<<(minorBits+2*letterBits) | ('R'-'@')<<(minorBits+letterBits) | ('W'-'@')<<minorBits     // won, no minor unit
)

// pack makes the Currency of an upper-case code with minor digits.
func pack(code string, minor int32) Currency {
	var c Currency
	for i := range 3 {
		c = c<<letterBits | Currency(code[i]-'@')
	}
	return c<<minorBits | Currency(minor)
}

// minorUnits lists the active ISO 4217 codes with the number of digits of
// their minor unit (ISO 4217 amendment list, 2025: XCG replaces ANG, ZWG
// replaces ZWL; both old codes remain while they are still in circulation).
var minorUnits = map[string]int32{
	"AED": 2, "AFN": 2, "ALL": 2, "AMD": 2, "ANG": 2, "AOA": 2, "ARS": 2, "AUD": 2, "AWG": 2, "AZN": 2,
	"BAM": 2, "BBD": 2, "BDT": 2, "BGN": 2, "BHD": 3, "BIF": 0, "BMD": 2, "BND": 2, "BOB": 2, "BOV": 2,
	"BRL": 2, "BSD": 2, "BTN": 2, "BWP": 2, "BYN": 2, "BZD": 2, "CAD": 2, "CDF": 2, "CHE": 2, "CHF": 2,
	"CHW": 2, "CLF": 4, "CLP": 0, "CNY": 2, "COP": 2, "COU": 2, "CRC": 2, "CUP": 2, "CVE": 2, "CZK": 2,
	"DJF": 0, "DKK": 2, "DOP": 2, "DZD": 2, "EGP": 2, "ERN": 2, "ETB": 2, "EUR": 2, "FJD": 2, "FKP": 2,
	"GBP": 2, "GEL": 2, "GHS": 2, "GIP": 2, "GMD": 2, "GNF": 0, "GTQ": 2, "GYD": 2, "HKD": 2, "HNL": 2,
	"HTG": 2, "HUF": 2, "IDR": 2, "ILS": 2, "INR": 2, "IQD": 3, "IRR": 2, "ISK": 0, "JMD": 2, "JOD": 3,
	"JPY": 0, "KES": 2, "KGS": 2, "KHR": 2, "KMF": 0, "KPW": 2, "KRW": 0, "KWD": 3, "KYD": 2, "KZT": 2,
	"LAK": 2, "LBP": 2, "LKR": 2, "LRD": 2, "LSL": 2, "LYD": 3, "MAD": 2, "MDL": 2, "MGA": 2, "MKD": 2,
	"MMK": 2, "MNT": 2, "MOP": 2, "MRU": 2, "MUR": 2, "MVR": 2, "MWK": 2, "MXN": 2, "MXV": 2, "MYR": 2,
	"MZN": 2, "NAD": 2, "NGN": 2, "NIO": 2, "NOK": 2, "NPR": 2, "NZD": 2, "OMR": 3, "PAB": 2, "PEN": 2,
	"PGK": 2, "PHP": 2, "PKR": 2, "PLN": 2, "PYG": 0, "QAR": 2, "RON": 2, "RSD": 2, "RUB": 2, "RWF": 0,
	"SAR": 2, "SBD": 2, "SCR": 2, "SDG": 2, "SEK": 2, "SGD": 2, "SHP": 2, "SLE": 2, "SOS": 2, "SRD": 2,
	"SSP": 2, "STN": 2, "SVC": 2, "SYP": 2, "SZL": 2, "THB": 2, "TJS": 2, "TMT": 2, "TND": 3, "TOP": 2,
	"TRY": 2, "TTD": 2, "TWD": 2, "TZS": 2, "UAH": 2, "UGX": 0, "USD": 2, "USN": 2, "UYI": 0, "UYU": 2,
	"UYW": 4, "UZS": 2, "VED": 2, "VES": 2, "VND": 0, "VUV": 0, "WST": 2, "XAF": 0, "XCD": 2, "XCG": 2,
	"XOF": 0, "XPF": 0, "YER": 2, "ZAR": 2, "ZMW": 2, "ZWG": 2,
}

// ParseCurrency returns the currency with the given ISO 4217 code. The code
// is case-insensitive; surrounding spaces are not accepted. An unknown code
// is an error matching ErrUnknownCurrency and ErrInvalid.
func ParseCurrency(code string) (Currency, error) {
	up := strings.ToUpper(code)
	n, ok := minorUnits[up]
	if !ok {
		return 0, &UnknownCurrencyError{Code: code}
	}
	return pack(up, n), nil
}

// UnknownCurrencyError says a code is not an active ISO 4217 currency.
// It matches ErrUnknownCurrency and ErrInvalid with errors.Is.
type UnknownCurrencyError struct {
	Code string `json:"code,omitempty"` // as given
}

// Error implements error.
func (e *UnknownCurrencyError) Error() string {
	return fmt.Sprintf("crm: unknown currency %q", e.Code)
}

// Is matches ErrUnknownCurrency and ErrInvalid.
func (e *UnknownCurrencyError) Is(target error) bool {
	return target == ErrUnknownCurrency || target == ErrInvalid
}

// Currencies returns every currency ParseCurrency accepts, sorted by code.
func Currencies() []Currency {
	out := make([]Currency, 0, len(minorUnits))
	for code, n := range minorUnits {
		out = append(out, pack(code, n))
	}
	slices.Sort(out)
	return out
}

// Code returns the three-letter ISO 4217 code, or "" for the zero Currency.
func (c Currency) Code() string {
	if c == 0 {
		return ""
	}
	var b [3]byte
	c >>= minorBits
	for i := 2; i >= 0; i-- {
		b[i] = byte(c&(1<<letterBits-1)) + '@'
		c >>= letterBits
	}
	return string(b[:])
}

// MinorUnits returns the number of decimal digits of the currency's minor
// unit: 2 for USD, 0 for JPY, 3 for KWD.
func (c Currency) MinorUnits() int32 { return int32(c & minorMask) }

// IsZero reports whether c is the zero Currency.
func (c Currency) IsZero() bool { return c == 0 }

// String returns the code.
func (c Currency) String() string { return c.Code() }

// MarshalText encodes the code.
func (c Currency) MarshalText() ([]byte, error) { return []byte(c.Code()), nil }

// UnmarshalText parses a code; the empty text gives the zero Currency.
func (c *Currency) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*c = 0
		return nil
	}
	v, err := ParseCurrency(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// Value implements driver.Valuer: the code as text.
func (c Currency) Value() (driver.Value, error) { return c.Code(), nil }

// Scan implements sql.Scanner from text or bytes.
func (c *Currency) Scan(src any) error {
	switch v := src.(type) {
	case string:
		return c.UnmarshalText([]byte(v))
	case []byte:
		return c.UnmarshalText(v)
	case nil:
		*c = 0
		return nil
	}
	return fmt.Errorf("crm: cannot scan %T into Currency: %w", src, ErrInvalid)
}
