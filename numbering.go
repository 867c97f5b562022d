package crm

import (
	"fmt"
	"strings"
)

// Numbering says how the CRM numbers the invoices it issues without a
// number of their own: from a series per prefix and fiscal year, gapless
// and in order ("INV-2026-00001", "INV-2026-00002", ..., and from 1 again
// in the next fiscal year). The next number is taken in the transaction
// that issues the invoice, so a failed issue gives it back and no number is
// ever skipped or given twice, as tax authorities that require
// consecutive invoice numbers expect (the EU VAT directive, article 226(2)).
// The price of gaplessness is that the invoices of one series are issued
// one at a time.
//
// An invoice may still carry a number of its own (one imported from
// another system), which must not have the series' form (INV-2026-00042),
// so that a series never meets a number it would give. Every
// invoice number, given or assigned, is unique: the store refuses a
// second invoice with a number already used.
type Numbering struct {
	InvoicePrefix string `json:"invoice_prefix,omitempty"` // default "INV"
	Digits        int    `json:"digits"`                   // the sequence's zero-padded width, default 5
}

// WithNumbering sets how invoices are numbered (default: "INV", five
// digits).
func WithNumbering(n Numbering) Option { return func(o *options) { o.numbering = &n } }

// normalized fills in the defaults and checks the rules.
func (n Numbering) normalized() (Numbering, error) {
	if n.InvoicePrefix == "" {
		n.InvoicePrefix = "INV"
	}
	if n.Digits == 0 {
		n.Digits = 5
	}
	prefix, err := cleanText("invoice_prefix", n.InvoicePrefix, 16, true)
	switch {
	case err != nil:
		return Numbering{}, err
	case prefix != n.InvoicePrefix || strings.ContainsAny(prefix, " -"):
		return Numbering{}, invalid("invoice_prefix", "format", "letters and digits, without spaces or dashes")
	case n.Digits < 1 || n.Digits > 12:
		return Numbering{}, invalid("digits", "range", "1-12")
	}
	return n, nil
}

// invoiceNumber formats the seq-th invoice of fiscal year fy.
func (n Numbering) invoiceNumber(fy int, seq int64) string {
	return fmt.Sprintf("%s-%04d-%0*d", n.InvoicePrefix, fy, n.Digits, seq)
}

// reserved reports whether a number given by the caller has the series'
// form, prefix-year-sequence, and so might be one the series gives later.
func (n Numbering) reserved(number string) bool {
	rest, ok := strings.CutPrefix(strings.ToUpper(number), strings.ToUpper(n.InvoicePrefix)+"-")
	if !ok {
		return false
	}
	year, seq, ok := strings.Cut(rest, "-")
	return ok && len(year) == 4 && digitsOnly(year) && seq != "" && digitsOnly(seq)
}

func digitsOnly(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }) < 0
}
