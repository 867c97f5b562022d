package crm

import (
	"fmt"
	"strings"
)

// Numbering says how the CRM numbers the invoices it issues without a
// number of their own, and every credit note: from a series per prefix
// and fiscal year, gapless and in order ("INV-2026-00001",
// "INV-2026-00002", ..., and from 1 again in the next fiscal year; credit
// notes "CN-2026-00001", ..., a series of their own, since a credit note
// is a tax document in its own right that names the invoice it corrects). The next number is taken in the transaction
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
	InvoicePrefix    string `json:"invoice_prefix,omitempty"`     // default "INV"
	CreditNotePrefix string `json:"credit_note_prefix,omitempty"` // default "CN"
	Digits           int    `json:"digits"`                       // the sequence's zero-padded width, default 5
}

// WithNumbering sets how invoices and credit notes are numbered
// (default: "INV" and "CN", five digits).
func WithNumbering(n Numbering) Option { return func(o *options) { o.numbering = &n } }

// normalized fills in the defaults and checks the rules.
func (n Numbering) normalized() (Numbering, error) {
	n.InvoicePrefix = cmpOr(n.InvoicePrefix, "INV")
	n.CreditNotePrefix = cmpOr(n.CreditNotePrefix, "CN")
	if n.Digits == 0 {
		n.Digits = 5
	}
	for _, f := range [][2]string{{"invoice_prefix", n.InvoicePrefix}, {"credit_note_prefix", n.CreditNotePrefix}} {
		field, p := f[0], f[1]
		prefix, err := cleanText(field, p, 16, true)
		switch {
		case err != nil:
			return Numbering{}, err
		case prefix != p || strings.ContainsAny(prefix, " -"):
			return Numbering{}, invalid(field, "format", "letters and digits, without spaces or dashes")
		}
	}
	switch {
	case strings.EqualFold(n.InvoicePrefix, n.CreditNotePrefix):
		return Numbering{}, invalid("credit_note_prefix", "distinct", "credit notes are a series of their own")
	case n.Digits < 1 || n.Digits > 12:
		return Numbering{}, invalid("digits", "range", "1-12")
	}
	return n, nil
}

// nextNumber takes the next number of the series of prefix for the fiscal
// year day falls in, in the write's transaction: a write that fails gives
// it back.
func (w *writeTx) nextNumber(prefix string, day Date) (string, error) {
	if !day.IsValid() {
		return "", invalid("issued", "calendar", "")
	}
	fy := w.crm.calendar.FiscalYear(day)
	seq, err := w.tx.Accounting().NextNumber(w.ctx, prefix, fy)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s-%04d-%0*d", prefix, fy, w.crm.numbering.Digits, seq), nil
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
