package crm_test

import (
	"testing"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/memory"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNumberingRules: the series' prefixes are letters and digits, the
// credit notes' differs from the invoices', and the width is 1-12 digits;
// a CRM of bad numbering is not made.
func TestNumberingRules(t *testing.T) {
	for _, tc := range []struct {
		name  string
		n     crm.Numbering
		field string // "" when good
	}{
		{"defaults", crm.Numbering{}, ""},
		{"own prefixes", crm.Numbering{InvoicePrefix: "F", CreditNotePrefix: "G", Digits: 4}, ""},
		{"a dash", crm.Numbering{InvoicePrefix: "IN-V"}, "invoice_prefix"},
		{"a space", crm.Numbering{CreditNotePrefix: "C N"}, "credit_note_prefix"},
		{"one series for both", crm.Numbering{InvoicePrefix: "DOC", CreditNotePrefix: "doc"}, "credit_note_prefix"},
		{"the default of the other", crm.Numbering{CreditNotePrefix: "INV"}, "credit_note_prefix"},
		{"too wide", crm.Numbering{Digits: 13}, "digits"},
		{"negative width", crm.Numbering{Digits: -1}, "digits"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := crm.New(memory.New(), crm.WithNumbering(tc.n))
			if tc.field == "" {
				require.NoError(t, err)
				return
			}
			var ve *crm.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.field, ve.Field)
		})
	}
}

// TestNumberingOwnPrefixes: invoices and credit notes take the numbers of
// the prefixes and width the CRM was given.
func TestNumberingOwnPrefixes(t *testing.T) {
	co := newCompany(t, crm.WithNumbering(crm.Numbering{InvoicePrefix: "F", CreditNotePrefix: "G", Digits: 4}))
	fin, err := co.Users.Create(ctx, co.Admin.ID, crm.NewUser{Name: "Fay Finance", Role: crm.RoleFinance})
	require.NoError(t, err)
	cust := co.customer(t, co.Ann, "Contoso")
	inv, err := co.Ledger.IssueInvoice(ctx, fin.ID, crm.NewInvoice{Customer: cust.ID, Currency: crm.EUR,
		Lines: []crm.InvoiceLine{{Description: "services", Quantity: decimal.NewFromInt(1), UnitPrice: crm.MoneyFromMinor(10_000, crm.EUR)}}})
	require.NoError(t, err)
	cn, err := co.Ledger.IssueCreditNote(ctx, fin.ID, crm.NewCreditNote{Customer: cust.ID, Invoice: inv.ID, Net: crm.MoneyFromMinor(1_000, crm.EUR), Reason: "late"})
	require.NoError(t, err)
	assert.Equal(t, []string{"F-2026-0001", "G-2026-0001"}, []string{inv.Number, cn.Number})
}
