package sqlstore

import (
	"fmt"
	"strconv"

	"github.com/shopspring/decimal"
)

// docsArg encodes list as the JSON text of a document column, each
// element as the document to makes of it; to may refuse an element that
// cannot be kept (an amount finer than its currency's minor unit, a date
// that does not exist), and field names it in the error. nil stays null
// and empty stays [], so that both round-trip.
func docsArg[T, D any](field string, list []T, to func(field string, v T) (D, error)) (string, error) {
	var docs []D
	if list != nil {
		docs = make([]D, len(list))
	}
	for i, v := range list {
		d, err := to(fmt.Sprintf("%s[%d]", field, i), v)
		if err != nil {
			return "", err
		}
		docs[i] = d
	}
	return jsonArg(docs)
}

// checkedDocsCol scans a document column written by docsArg into a list,
// with from reading each document back; it fails on a document from
// cannot read (an unknown currency, a decimal that does not parse).
type checkedDocsCol[D, T any] struct {
	dst  *[]T
	from func(D) (T, error)
}

func (c checkedDocsCol[D, T]) Scan(src any) error {
	var docs []D
	if err := (jsonCol{&docs}).Scan(src); err != nil {
		return err
	}
	var out []T
	if docs != nil {
		out = make([]T, len(docs))
	}
	for i, d := range docs {
		v, err := c.from(d)
		if err != nil {
			return err
		}
		out[i] = v
	}
	*c.dst = out
	return nil
}

// decimalText writes d so that parseDecimal gives back the same
// coefficient and exponent, not only the same number: "1.50" stays 150
// hundredths, "15e1" 15 tens. The zero decimal.Decimal, which has no
// coefficient at all, is "".
func decimalText(d decimal.Decimal) string {
	switch {
	case d == decimal.Decimal{}:
		return ""
	case d.Exponent() > 0:
		return d.Coefficient().String() + "e" + strconv.Itoa(int(d.Exponent()))
	}
	return d.StringFixed(-d.Exponent())
}

// parseDecimal is the inverse of decimalText.
func parseDecimal(field, s string) (decimal.Decimal, error) {
	if s == "" {
		return decimal.Decimal{}, nil
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Decimal{}, fmt.Errorf("sqlstore: reading %s %q: %w", field, s, err)
	}
	return d, nil
}
