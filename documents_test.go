package crm_test

import (
	"testing"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/memory"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestIssue11Documents: the documents that correct or settle an invoice
// were tied to nothing. Each case was reproduced on the memory store
// before the fix; store/storetest (Documents) proves the rules on every
// store.
func TestIssue11Documents(t *testing.T) {
	rate := decimal.RequireFromString("1.08")
	t.Run("a 1 EUR payment does not settle a 10,000 USD invoice", func(t *testing.T) {
		b := newBook(t)
		inv := b.invoice(t, "10000.00", "2026-03-31")
		pay, err := b.Ledger.ReceivePayment(ctx, b.fin.ID, crm.NewPayment{Customer: b.cust.ID, Amount: money(t, "1.00", "EUR"), Received: date(t, "2026-03-02")})
		require.NoError(t, err)
		_, err = b.Ledger.Allocate(ctx, b.fin.ID, crm.AllocationRequest{Customer: b.cust.ID, Credit: pay.Payment.ID, Invoice: inv.ID,
			Amount: money(t, "1.00", "EUR"), Rate: rate, Settle: true})
		require.ErrorIs(t, err, crm.ErrFXTolerance, "9,998.92 USD is no exchange difference")
		assert.Equal(t, "10000.00 USD", b.open(t, inv.ID).String())
	})
	t.Run("a payment worth a bit more settles with a gain", func(t *testing.T) {
		b := newBook(t)
		inv := b.invoice(t, "100.00", "2026-03-31")
		pay, err := b.Ledger.ReceivePayment(ctx, b.fin.ID, crm.NewPayment{Customer: b.cust.ID, Amount: money(t, "93.00", "EUR"), Received: date(t, "2026-03-02")})
		require.NoError(t, err)
		_, err = b.Ledger.Allocate(ctx, b.fin.ID, crm.AllocationRequest{Customer: b.cust.ID, Credit: pay.Payment.ID, Invoice: inv.ID,
			Amount: money(t, "93.00", "EUR"), Rate: rate, Settle: true})
		require.NoError(t, err, "100.44 USD settles 100.00 USD with a gain of 0.44")
		assert.Equal(t, "0.00 USD", b.open(t, inv.ID).String())
		b.verify(t)
	})
	t.Run("a credit note names an invoice", func(t *testing.T) {
		b := newBook(t)
		_, err := b.Ledger.IssueCreditNote(ctx, b.fin.ID, crm.NewCreditNote{Customer: b.cust.ID, Net: money(t, "1000000.00", "USD"), Reason: "goodwill"})
		var ve *crm.ValidationError
		require.ErrorAs(t, err, &ve, "a customer never invoiced has nothing to credit")
		assert.Equal(t, "invoice", ve.Field)
	})
	t.Run("a credit note's tax is the invoice's", func(t *testing.T) {
		b := newBook(t)
		inv, err := b.Ledger.IssueInvoice(ctx, b.fin.ID, crm.NewInvoice{Customer: b.cust.ID, Currency: usd(t), Issued: date(t, "2026-03-01"),
			Lines: []crm.InvoiceLine{{Description: "services", Quantity: decimal.NewFromInt(1), UnitPrice: money(t, "100.00", "USD"), TaxRate: decimal.RequireFromString("0.19")}}})
		require.NoError(t, err)
		var ve *crm.ValidationError
		_, err = b.Ledger.IssueCreditNote(ctx, b.fin.ID, crm.NewCreditNote{Customer: b.cust.ID, Invoice: inv.ID, Net: money(t, "10.00", "USD"),
			Tax: money(t, "9.00", "USD"), Reason: "goodwill"})
		require.ErrorAs(t, err, &ve, "9 tax on 10 net at 19%")
		assert.Equal(t, "tax", ve.Field)
		_, err = b.Ledger.IssueCreditNote(ctx, b.fin.ID, crm.NewCreditNote{Customer: b.cust.ID, Invoice: inv.ID, Net: money(t, "-5.00", "USD"),
			Tax: money(t, "10.00", "USD"), Reason: "goodwill"})
		require.ErrorAs(t, err, &ve, "bad input, not an unbalanced entry: %v", err)
		assert.NotErrorIs(t, err, crm.ErrUnbalanced)
		cn, err := b.Ledger.IssueCreditNote(ctx, b.fin.ID, crm.NewCreditNote{Customer: b.cust.ID, Invoice: inv.ID, Net: money(t, "10.00", "USD"),
			Tax: money(t, "1.90", "USD"), Reason: "goodwill"})
		require.NoError(t, err)
		assert.Equal(t, "11.90 USD", cn.Amount.String())
		b.verify(t)
	})
}

// TestTaxRounding: per line, each line's tax is rounded half-even; per
// document, the nets of each rate are added up and their tax rounded once.
func TestTaxRounding(t *testing.T) {
	line := func(price, rate string) crm.InvoiceLine {
		return crm.InvoiceLine{Description: "item", Quantity: decimal.NewFromInt(1), UnitPrice: money(t, price, "USD"), TaxRate: decimal.RequireFromString(rate)}
	}
	for _, tc := range []struct {
		name             string
		lines            []crm.InvoiceLine
		perLine, perDocs string
	}{
		{"three lines of 0.05 at 10%", []crm.InvoiceLine{line("0.05", "0.1"), line("0.05", "0.1"), line("0.05", "0.1")}, "0.00 USD", "0.02 USD"},
		{"one line: the same either way", []crm.InvoiceLine{line("10.05", "0.19")}, "1.91 USD", "1.91 USD"},
		{"two rates, each rounded once", []crm.InvoiceLine{line("0.05", "0.1"), line("0.05", "0.10"), line("0.03", "0.07"), line("0.03", "0.07")},
			"0.00 USD", "0.01 USD"}, // 0.010 at 10% and 0.0042 at 7%
		{"rounding up per line adds up", []crm.InvoiceLine{line("0.15", "0.1"), line("0.15", "0.1")}, "0.04 USD", "0.03 USD"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for rounding, want := range map[crm.TaxRounding]string{crm.TaxPerLine: tc.perLine, crm.TaxPerDocument: tc.perDocs} {
				co := newCompany(t, crm.WithTaxRounding(rounding))
				fin, err := co.Users.Create(ctx, co.Admin.ID, crm.NewUser{Name: "Fay Finance", Role: crm.RoleFinance})
				require.NoError(t, err)
				cu := co.customer(t, co.Ann, "Contoso")
				inv, err := co.Ledger.IssueInvoice(ctx, fin.ID, crm.NewInvoice{Customer: cu.ID, Currency: usd(t), Lines: tc.lines})
				require.NoError(t, err)
				assert.Equal(t, want, inv.Tax.String(), "%s", rounding)
			}
		})
	}
}

// TestInvoiceDiscounts: a line's discount is a rate taken off its amount;
// the revenue is the discounted net.
func TestInvoiceDiscounts(t *testing.T) {
	b := newBook(t)
	for _, tc := range []struct {
		discount string
		net, off string
		err      error
	}{
		{"0", "30.00 USD", "0.00 USD", nil},
		{"0.25", "22.50 USD", "7.50 USD", nil},
		{"0.333", "20.01 USD", "9.99 USD", nil},
		{"1", "0.00 USD", "30.00 USD", crm.ErrInvalid}, // nothing asked for
		{"1.01", "", "", crm.ErrInvalid},
		{"-0.1", "", "", crm.ErrInvalid},
	} {
		inv, err := b.Ledger.IssueInvoice(ctx, b.fin.ID, crm.NewInvoice{Customer: b.cust.ID, Currency: usd(t), Lines: []crm.InvoiceLine{{
			Description: "seats", Quantity: decimal.NewFromInt(3), UnitPrice: money(t, "10.00", "USD"), Discount: decimal.RequireFromString(tc.discount)}}})
		if tc.err != nil {
			require.ErrorIs(t, err, tc.err, tc.discount)
			continue
		}
		require.NoError(t, err, tc.discount)
		assert.Equal(t, []string{tc.net, tc.off}, []string{inv.Net.String(), inv.Discount.String()}, tc.discount)
	}
	b.verify(t)
}

// TestDocumentOptions: bad options are refused when the CRM is made.
func TestDocumentOptions(t *testing.T) {
	for name, opt := range map[string]crm.Option{
		"an unknown rounding": crm.WithTaxRounding("per_week"),
		"a share above 100%":  crm.WithFXTolerance(decimal.RequireFromString("1.5")),
		"a negative share":    crm.WithFXTolerance(decimal.RequireFromString("-0.01")),
		"a negative cap":      crm.WithFXTolerance(decimal.RequireFromString("0.01"), money(t, "-1.00", "USD")),
		"a cap beyond a cent": crm.WithFXTolerance(decimal.RequireFromString("0.01"), crm.MoneyFromMinor(1, crm.USD).Mul(decimal.RequireFromString("0.5"))),
	} {
		_, err := crm.New(memory.New(), opt)
		assert.ErrorIs(t, err, crm.ErrInvalid, name)
	}
}
