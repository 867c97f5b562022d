package storetest

import (
	"context"
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runDocuments checks the documents that correct or settle an invoice,
// and the invoice's own sums, on every store: a credit note credits the
// invoice it names, within what that invoice still has to credit, its tax
// at the invoice's rates; an allocation across currencies books its
// exchange difference as gain or loss, within the tolerance; discounts and
// per-document tax are kept as issued.
func runDocuments(t *testing.T, newStore NewStoreFunc) {
	t.Run("CreditNoteCreditsItsInvoice", func(t *testing.T) { runCreditNoteOnInvoice(t, newStore) })
	t.Run("CreditNoteRefundsWhatWasPaid", func(t *testing.T) { runCreditNoteRefund(t, newStore) })
	t.Run("CreditNotesTakeBackTheTaxCharged", func(t *testing.T) { runCreditNoteTax(t, newStore) })
	t.Run("ExchangeGainAndLoss", func(t *testing.T) { runExchangeDifferences(t, newStore) })
	t.Run("DiscountsAndTaxPerDocument", func(t *testing.T) { runDiscountsAndTaxRounding(t, newStore) })
}

// usdOf is an amount in USD, from its decimal text.
func usdOf(t testing.TB, amount string) crm.Money {
	t.Helper()
	m, err := crm.ParseMoney(amount, "USD")
	require.NoError(t, err)
	return m
}

// twoRateInvoice is 10 x 10.00 at 19% and 1 x 50.00 at 7%: net 150.00,
// tax 19.00 + 3.50, total 172.50.
func twoRateInvoice(t testing.TB, b *books, customer crm.ID) crm.Invoice {
	t.Helper()
	inv, err := b.Ledger.IssueInvoice(context.Background(), b.fin.ID, crm.NewInvoice{Customer: customer, Currency: usd, Number: "INV-1",
		Lines: []crm.InvoiceLine{
			{Description: "Seats", Quantity: dec("10"), UnitPrice: usdOf(t, "10.00"), TaxRate: dec("0.19")},
			{Description: "Books", Quantity: dec("1"), UnitPrice: usdOf(t, "50.00"), TaxRate: dec("0.07")},
		}})
	require.NoError(t, err)
	require.Equal(t, "172.50 USD", inv.Total.String())
	return inv
}

// refusedAs requires err to match target and the ledger to be as before.
func (b *books) refusedAs(t *testing.T, err error, target error, customer crm.ID, before ledgerState) {
	t.Helper()
	require.ErrorIs(t, err, target)
	assert.Equal(t, before, b.state(t, customer), "a refused write changes nothing")
}

func runCreditNoteOnInvoice(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	b := newBooks(t, newStore(t))
	c, other := b.customer(t, "Initech"), b.customer(t, "Umbrella")
	inv := twoRateInvoice(t, b, c)
	otherInv, err := b.Ledger.IssueInvoice(ctx, b.fin.ID, newInvoice(other, usdOf(t, "500.00"), "OTHER-1"))
	require.NoError(t, err)
	before := b.state(t, c)
	note := func(n crm.NewCreditNote) (crm.Credit, error) {
		n.Customer, n.Reason = c, "Returned goods"
		return b.Ledger.IssueCreditNote(ctx, b.fin.ID, n)
	}
	var ve *crm.ValidationError
	for _, tc := range []struct {
		name  string
		n     crm.NewCreditNote
		field string
	}{
		{"no invoice: a customer never invoiced has nothing to credit", crm.NewCreditNote{Net: usdOf(t, "1000000.00")}, "invoice"},
		{"another customer's invoice", crm.NewCreditNote{Invoice: otherInv.ID, Net: usdOf(t, "10.00")}, "invoice"},
		{"tax the invoice's rates do not give", crm.NewCreditNote{Invoice: inv.ID, Net: usdOf(t, "10.00"), Tax: usdOf(t, "9.00")}, "tax"},
		{"a negative net", crm.NewCreditNote{Invoice: inv.ID, Net: usdOf(t, "-5.00"), Tax: usdOf(t, "10.00")}, "net"},
		{"both lines and a net", crm.NewCreditNote{Invoice: inv.ID, Net: usdOf(t, "5.00"), Lines: []crm.CreditLine{{Line: 1, Quantity: dec("1")}}}, "net"},
		{"a line the invoice has not", crm.NewCreditNote{Invoice: inv.ID, Lines: []crm.CreditLine{{Line: 3, Quantity: dec("1")}}}, "lines[0].line"},
		{"more than the line charged", crm.NewCreditNote{Invoice: inv.ID, Lines: []crm.CreditLine{{Line: 2, Quantity: dec("2")}}}, "lines[0].quantity"},
		{"dated before the invoice", crm.NewCreditNote{Invoice: inv.ID, Net: usdOf(t, "5.00"), Issued: inv.Issued.AddDays(-1)}, "issued"},
	} {
		_, err := note(tc.n)
		require.ErrorAs(t, err, &ve, "%s: a *ValidationError, never an unbalanced entry: %v", tc.name, err)
		assert.Equal(t, tc.field, ve.Field, tc.name)
		assert.Equal(t, before, b.state(t, c), "%s: nothing written", tc.name)
	}
	_, err = note(crm.NewCreditNote{Invoice: inv.ID, Net: usdOf(t, "150.01")})
	b.refusedAs(t, err, crm.ErrOverAllocation, c, before)

	// Two seats back: 20.00 at 19%, applied to the invoice in the entry
	// that posts the note.
	cn, err := note(crm.NewCreditNote{Invoice: inv.ID, Lines: []crm.CreditLine{{Line: 1, Quantity: dec("2")}}, Tax: usdOf(t, "3.80")})
	require.NoError(t, err)
	assert.Equal(t, []string{"20.00 USD", "3.80 USD", "23.80 USD"}, []string{cn.Net.String(), cn.Tax.String(), cn.Amount.String()})
	assert.Equal(t, inv.ID, cn.Invoice)
	stored := read(t, b.Store, func(tx crm.ReadTx) (crm.Credit, error) { return tx.Credits().Get(ctx, cn.ID) })
	assert.Equal(t, inv.ID, stored.Invoice, "the store keeps the invoice a credit note credits")
	assert.Equal(t, int64(17_250-2_380), b.open(t, c, inv.ID), "the invoice is credited")
	assert.Zero(t, b.unapplied(t, c), "not left open beside a credit")
	e := read(t, b.Store, func(tx crm.ReadTx) (crm.Entry, error) { return tx.Ledger().Entry(ctx, cn.Entry) })
	assert.Equal(t, []crm.Posting{
		{Account: crm.AccountRevenue, Amount: usdOf(t, "20.00")},
		{Account: crm.AccountTax, Amount: usdOf(t, "3.80")},
		{Account: crm.AccountReceivable, Customer: c, Amount: usdOf(t, "-23.80"), Item: inv.ID, Due: inv.Due},
	}, e.Postings)

	// By amount: the tax at the invoice's rates in proportion, 22.50 of
	// 150.00: 15%.
	byNet, err := note(crm.NewCreditNote{Invoice: inv.ID, Net: usdOf(t, "10.00")})
	require.NoError(t, err)
	assert.Equal(t, "1.50 USD", byNet.Tax.String())

	// What is still open caps a credit note applied to the invoice.
	pay, err := b.Ledger.ReceivePayment(ctx, b.fin.ID, crm.NewPayment{Customer: c, Amount: usdOf(t, "100.00"), Allocation: crm.AllocateOldestFirst})
	require.NoError(t, err)
	require.Len(t, pay.Allocations, 1)
	require.Equal(t, int64(17_250-2_380-1_150-10_000), b.open(t, c, inv.ID))
	before = b.state(t, c)
	_, err = note(crm.NewCreditNote{Invoice: inv.ID, Net: usdOf(t, "50.00")}) // 57.50 > 37.20 open
	b.refusedAs(t, err, crm.ErrOverAllocation, c, before)

	// A reversed credit note no longer counts, and a cancelled invoice
	// has nothing to credit.
	_, err = b.Ledger.Reverse(ctx, b.fin.ID, crm.ReverseRequest{Entry: byNet.Entry, Reason: "issued twice"})
	require.NoError(t, err)
	rest, err := note(crm.NewCreditNote{Invoice: inv.ID, Net: usdOf(t, "32.00")}) // 36.80 of 48.70
	require.NoError(t, err)
	assert.Equal(t, "4.80 USD", rest.Tax.String())
	small, err := b.Ledger.IssueInvoice(ctx, b.fin.ID, newInvoice(c, usdOf(t, "40.00"), "INV-2"))
	require.NoError(t, err)
	_, err = b.Ledger.Reverse(ctx, b.fin.ID, crm.ReverseRequest{Entry: small.Entry, Reason: "issued in error"})
	require.NoError(t, err)
	before = b.state(t, c)
	_, err = note(crm.NewCreditNote{Invoice: small.ID, Net: usdOf(t, "1.00"), Refund: true})
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "not_cancelled", ve.Rule)
	assert.Equal(t, before, b.state(t, c))
	b.verify(t, c, other)
}

func runCreditNoteRefund(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	b := newBooks(t, newStore(t))
	c := b.customer(t, "Initech")
	inv := twoRateInvoice(t, b, c)
	note := func(net string) (crm.Credit, error) {
		return b.Ledger.IssueCreditNote(ctx, b.fin.ID, crm.NewCreditNote{Customer: c, Invoice: inv.ID, Net: usdOf(t, net), Refund: true,
			Reason: "Price corrected"})
	}
	before := b.state(t, c)
	_, err := note("1.00")
	b.refusedAs(t, err, crm.ErrOverAllocation, c, before) // nothing paid: nothing to pay back

	// 100.00 paid: up to 100.00 may be credited to refund.
	_, err = b.Ledger.ReceivePayment(ctx, b.fin.ID, crm.NewPayment{Customer: c, Amount: usdOf(t, "100.00"), Allocation: crm.AllocateOldestFirst})
	require.NoError(t, err)
	cn, err := note("50.00") // 57.50
	require.NoError(t, err)
	assert.Equal(t, "57.50 USD", cn.Amount.String())
	assert.Equal(t, int64(5_750), b.unapplied(t, c), "kept as credit to pay back")
	assert.Equal(t, int64(7_250), b.open(t, c, inv.ID), "the invoice is not credited twice")
	_, err = b.Ledger.Refund(ctx, b.fin.ID, crm.RefundRequest{Customer: c, Credit: cn.ID, Amount: cn.Amount, Reference: "Wire back"})
	require.NoError(t, err)
	before = b.state(t, c)
	_, err = note("40.00") // 46.00 > 100.00 - 57.50
	b.refusedAs(t, err, crm.ErrOverAllocation, c, before)
	last, err := note("36.00") // 41.40
	require.NoError(t, err)
	assert.Equal(t, "41.40 USD", last.Amount.String())
	b.verify(t, c)
}

func runCreditNoteTax(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	b := newBooks(t, newStore(t))
	c := b.customer(t, "Initech")
	inv, err := b.Ledger.IssueInvoice(ctx, b.fin.ID, crm.NewInvoice{Customer: c, Currency: usd,
		Lines: []crm.InvoiceLine{{Description: "Pens", Quantity: dec("7"), UnitPrice: usdOf(t, "0.05"), TaxRate: dec("0.1")}}})
	require.NoError(t, err)
	require.Equal(t, []string{"0.35 USD", "0.04 USD"}, []string{inv.Net.String(), inv.Tax.String()}, "0.035 half-even")
	// Seven notes of 0.05 each round to 0.01 of tax, 0.07 in all: they
	// take back the 0.04 charged, no more, and the last takes what is
	// left.
	var tax int64
	for i := range 7 {
		cn, err := b.Ledger.IssueCreditNote(ctx, b.fin.ID, crm.NewCreditNote{Customer: c, Invoice: inv.ID, Net: usdOf(t, "0.05"), Reason: "A pen"})
		require.NoError(t, err, "note %d", i)
		tax += minor(cn.Tax)
	}
	assert.Equal(t, int64(4), tax, "the tax charged, all of it and no more")
	assert.Zero(t, b.open(t, c, inv.ID))
	_, err = b.Ledger.IssueCreditNote(ctx, b.fin.ID, crm.NewCreditNote{Customer: c, Invoice: inv.ID, Net: usdOf(t, "0.01"), Reason: "Again"})
	require.ErrorIs(t, err, crm.ErrOverAllocation, "nothing left to credit")
	b.verify(t, c)
}

func runExchangeDifferences(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	b := newBooks(t, newStore(t))
	c := b.customer(t, "Initech")
	rate := dec("1.08") // USD per EUR
	setUp := func(invoice, payment string) (crm.Invoice, crm.Credit) {
		t.Helper()
		inv, err := b.Ledger.IssueInvoice(ctx, b.fin.ID, newInvoice(c, usdOf(t, invoice), ""))
		require.NoError(t, err)
		amount, err := crm.ParseMoney(payment, "EUR")
		require.NoError(t, err)
		pay, err := b.Ledger.ReceivePayment(ctx, b.fin.ID, crm.NewPayment{Customer: c, Amount: amount})
		require.NoError(t, err)
		return inv, pay.Payment
	}
	settle := func(inv crm.Invoice, pay crm.Credit, settle bool) (crm.Entry, error) {
		return b.Ledger.Allocate(ctx, b.fin.ID, crm.AllocationRequest{Customer: c, Credit: pay.ID, Invoice: inv.ID, Amount: pay.Amount,
			Rate: rate, Settle: settle})
	}

	// 1 EUR at 1.08 is no settlement of 10,000 USD.
	inv, pay := setUp("10000.00", "1.00")
	before := b.state(t, c)
	_, err := settle(inv, pay, true)
	var fx *crm.FXToleranceError
	require.ErrorAs(t, err, &fx)
	require.ErrorIs(t, err, crm.ErrFXTolerance)
	assert.Equal(t, crm.FXToleranceError{Invoice: inv.ID, Open: usdOf(t, "10000.00"), Settled: usdOf(t, "1.08"),
		Difference: usdOf(t, "9998.92"), Tolerance: usdOf(t, "100.00")}, *fx)
	assert.Equal(t, before, b.state(t, c), "nothing written off by the back door")
	_, err = settle(inv, pay, false)
	require.NoError(t, err, "without Settle the payment applies what it covers")
	assert.Equal(t, int64(999_892), b.open(t, c, inv.ID), "the rest is for an explicit write-off")

	// 93 EUR is 100.44 USD: the invoice settled with a gain of 0.44.
	inv, pay = setUp("100.00", "93.00")
	e, err := settle(inv, pay, true)
	require.NoError(t, err)
	eur93, _ := crm.ParseMoney("93.00", "EUR")
	assert.Equal(t, []crm.Posting{
		{Account: crm.AccountCredit, Customer: c, Amount: eur93, Item: pay.ID},
		{Account: crm.AccountFXClearing, Amount: eur93.Neg()},
		{Account: crm.AccountFXClearing, Amount: usdOf(t, "100.44")},
		{Account: crm.AccountFXGain, Amount: usdOf(t, "-0.44")},
		{Account: crm.AccountReceivable, Customer: c, Amount: usdOf(t, "-100.00"), Item: inv.ID, Due: inv.Due},
	}, e.Postings)
	assert.Zero(t, b.open(t, c, inv.ID))

	// 92 EUR is 99.36 USD: settled with a loss of 0.64.
	inv, pay = setUp("100.00", "92.00")
	e, err = settle(inv, pay, true)
	require.NoError(t, err)
	assert.Contains(t, e.Postings, crm.Posting{Account: crm.AccountFXLoss, Amount: usdOf(t, "0.64")})
	assert.Zero(t, b.open(t, c, inv.ID))

	// 100 EUR is 108.00 USD: a gain of 8.00 is beyond 1%; allocate less.
	inv, pay = setUp("100.00", "100.00")
	before = b.state(t, c)
	_, err = settle(inv, pay, true)
	require.ErrorAs(t, err, &fx)
	assert.True(t, fx.Difference.IsNegative(), "a gain")
	assert.Equal(t, before, b.state(t, c))

	balances, err := b.Receivables.Balances(ctx, b.fin.ID, crm.ReceivableQuery{})
	require.NoError(t, err)
	assert.Contains(t, balances, crm.Balance{Account: crm.AccountFXGain, Amount: usdOf(t, "-0.44")})
	assert.Contains(t, balances, crm.Balance{Account: crm.AccountFXLoss, Amount: usdOf(t, "0.64")})
	b.verify(t, c)

	// A tighter tolerance: 0.1%, at most 0.05 USD.
	tight := newBooks(t, newStore(t), crm.WithFXTolerance(dec("0.001"), usdOf(t, "0.05")))
	tc := tight.customer(t, "Initech")
	tinv, err := tight.Ledger.IssueInvoice(ctx, tight.fin.ID, newInvoice(tc, usdOf(t, "100.00"), ""))
	require.NoError(t, err)
	amount, _ := crm.ParseMoney("92.55", "EUR") // 99.954 -> 99.95: a loss of 0.05
	tpay, err := tight.Ledger.ReceivePayment(ctx, tight.fin.ID, crm.NewPayment{Customer: tc, Amount: amount})
	require.NoError(t, err)
	r := crm.AllocationRequest{Customer: tc, Credit: tpay.Payment.ID, Invoice: tinv.ID, Amount: crm.MoneyFromMinor(9_254, eur), Rate: rate, Settle: true}
	_, err = tight.Ledger.Allocate(ctx, tight.fin.ID, r) // 99.94: 0.06 is beyond the cap
	require.ErrorAs(t, err, &fx)
	assert.Equal(t, usdOf(t, "0.05"), fx.Tolerance)
	r.Amount = amount
	_, err = tight.Ledger.Allocate(ctx, tight.fin.ID, r)
	require.NoError(t, err, "0.05 is within it")
	tight.verify(t, tc)
}

func runDiscountsAndTaxRounding(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	pens := func(customer crm.ID) crm.NewInvoice {
		n := crm.NewInvoice{Customer: customer, Currency: usd}
		for range 3 {
			n.Lines = append(n.Lines, crm.InvoiceLine{Description: "Pen", Quantity: dec("1"), UnitPrice: usdOf(t, "0.05"), TaxRate: dec("0.1")})
		}
		return n
	}
	for _, tc := range []struct {
		rounding crm.TaxRounding
		tax      string
	}{
		{crm.TaxPerLine, "0.00 USD"},     // 0.005 three times, each to 0.00
		{crm.TaxPerDocument, "0.02 USD"}, // 0.015 once, half-even
	} {
		b := newBooks(t, newStore(t), crm.WithTaxRounding(tc.rounding))
		c := b.customer(t, "Initech")
		inv, err := b.Ledger.IssueInvoice(ctx, b.fin.ID, pens(c))
		require.NoError(t, err)
		assert.Equal(t, tc.tax, inv.Tax.String(), "%s", tc.rounding)
		stored := read(t, b.Store, func(tx crm.ReadTx) (crm.Invoice, error) { return tx.Invoices().Get(ctx, inv.ID) })
		assert.Equal(t, inv.Tax, stored.Tax)
	}

	b := newBooks(t, newStore(t))
	c := b.customer(t, "Initech")
	inv, err := b.Ledger.IssueInvoice(ctx, b.fin.ID, crm.NewInvoice{Customer: c, Currency: usd, Lines: []crm.InvoiceLine{
		{Description: "Chairs", Quantity: dec("3"), UnitPrice: usdOf(t, "19.99"), TaxRate: dec("0.19"), Discount: dec("0.1")},
		{Description: "Desk", Quantity: dec("1"), UnitPrice: usdOf(t, "200.00"), TaxRate: dec("0.19")},
	}})
	require.NoError(t, err)
	// 59.97 less 10% is 53.973, 53.97: 6.00 off; 253.97 net, 48.25 tax.
	assert.Equal(t, []string{"253.97 USD", "6.00 USD", "48.25 USD", "302.22 USD"},
		[]string{inv.Net.String(), inv.Discount.String(), inv.Tax.String(), inv.Total.String()})
	stored := read(t, b.Store, func(tx crm.ReadTx) (crm.Invoice, error) { return tx.Invoices().Get(ctx, inv.ID) })
	assert.Equal(t, inv.Discount, stored.Discount)
	assert.True(t, stored.Lines[0].Discount.Equal(dec("0.1")), "the line keeps its discount")
	e := read(t, b.Store, func(tx crm.ReadTx) (crm.Entry, error) { return tx.Ledger().Entry(ctx, inv.Entry) })
	assert.Contains(t, e.Postings, crm.Posting{Account: crm.AccountRevenue, Amount: usdOf(t, "-253.97")}, "revenue net of discount")

	// A chair back: at its discounted price, 17.99, and its tax.
	cn, err := b.Ledger.IssueCreditNote(ctx, b.fin.ID, crm.NewCreditNote{Customer: c, Invoice: inv.ID,
		Lines: []crm.CreditLine{{Line: 1, Quantity: dec("1")}}, Reason: "Broken chair"})
	require.NoError(t, err)
	assert.Equal(t, []string{"17.99 USD", "3.42 USD"}, []string{cn.Net.String(), cn.Tax.String()})
	b.verify(t, c)
}
