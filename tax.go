package crm

import "github.com/shopspring/decimal"

// TaxRounding says where the tax of an invoice (or of a credit note made
// of an invoice's lines) is rounded to the minor unit.
type TaxRounding string

// The tax rounding rules.
const (
	// TaxPerLine rounds each line's tax, half-even, and adds the rounded
	// amounts: every line shows a tax that the total repeats. It is the
	// default, because it is how every invoice the CRM issued before the
	// option existed was computed: a CRM that upgrades issues the same
	// totals as before unless it chooses otherwise.
	TaxPerLine TaxRounding = "per_line"
	// TaxPerDocument adds up the lines' nets per tax rate and rounds the
	// tax of each rate group once, half-even (the rule of EN 16931 and of
	// many tax authorities): three lines of 0.05 at 10% owe 0.02 (0.015
	// rounded), where per line they owe 0.00.
	TaxPerDocument TaxRounding = "per_document"
)

// WithTaxRounding sets where invoice tax is rounded (default TaxPerLine).
func WithTaxRounding(r TaxRounding) Option { return func(o *options) { o.documents.taxRounding = r } }

func (r TaxRounding) check() error {
	switch r {
	case TaxPerLine, TaxPerDocument:
		return nil
	}
	return invalid("tax_rounding", "one_of", string(r)+" is not a tax rounding: per_line or per_document")
}

// taxBase is a line's net (after its discount, rounded to the minor unit)
// and the rate of tax on it.
type taxBase struct {
	net  Money
	rate decimal.Decimal
}

// taxOn returns the tax on bases, all in currency, rounded by the rule:
// each line's on its own, or each rate group's once.
func (r TaxRounding) taxOn(currency Currency, bases []taxBase) Money {
	total := Zero(currency)
	if r != TaxPerDocument {
		for _, b := range bases {
			total, _ = total.Add(b.net.Mul(b.rate).Round(RoundHalfEven))
		}
		return total
	}
	var rates []decimal.Decimal // in order of first use, each once
	nets := map[string]Money{}
	for _, b := range bases {
		k := b.rate.String() // 0.1 and 0.10 are one rate
		if _, ok := nets[k]; !ok {
			rates, nets[k] = append(rates, b.rate), Zero(currency)
		}
		nets[k], _ = nets[k].Add(b.net)
	}
	for _, rate := range rates {
		total, _ = total.Add(nets[rate.String()].Mul(rate).Round(RoundHalfEven))
	}
	return total
}

// lineNet returns what quantity of a line comes to before and after its
// discount, each rounded half-even to the minor unit; the discount is
// their difference, so that gross = net + discount to the cent.
func (l InvoiceLine) lineNet(quantity decimal.Decimal) (gross, net Money) {
	amount := l.UnitPrice.Mul(quantity)
	gross = amount.Round(RoundHalfEven)
	net = amount.Mul(decimal.NewFromInt(1).Sub(l.Discount)).Round(RoundHalfEven)
	return gross, net
}

// zeroAsStored returns m, or, when it is zero, the zero of its currency as
// a store reads it back: arithmetic may leave a zero that is equal but
// not identical, and records compare field by field.
func zeroAsStored(m Money) Money {
	if m.IsZero() {
		return Zero(m.Currency())
	}
	return m
}
