package storekit

import (
	"fmt"

	"github.com/crmkit/crm"
)

// ErasedLines returns the lines an invoice keeps after
// crm.InvoiceRepository.ErasePersonal: the stored lines, each with the
// description of the line of in at the same place. The lines of in must
// be as many as the stored ones and have the same quantities, unit
// prices, tax rates and discounts, which an erasure never changes;
// otherwise ErasedLines returns a *crm.ValidationError, and the adapter
// stores nothing.
func ErasedLines(stored, in []crm.InvoiceLine) ([]crm.InvoiceLine, error) {
	if len(in) != len(stored) {
		return nil, &crm.ValidationError{Field: "lines", Rule: "erasure",
			Detail: fmt.Sprintf("%d lines given for an invoice of %d: an erasure changes descriptions only", len(in), len(stored))}
	}
	out := make([]crm.InvoiceLine, len(stored))
	for i, s := range stored {
		l := in[i]
		if !l.Quantity.Equal(s.Quantity) || !l.UnitPrice.Equal(s.UnitPrice) || !l.TaxRate.Equal(s.TaxRate) ||
			!l.Discount.Equal(s.Discount) {
			return nil, &crm.ValidationError{Field: fmt.Sprintf("lines[%d]", i), Rule: "erasure",
				Detail: "the quantity, unit price, tax rate or discount differs from the stored line's: an erasure changes descriptions only"}
		}
		s.Description = l.Description
		out[i] = s
	}
	return out, nil
}
