package storetest

import (
	"context"
	"math"
	"math/big"
	"testing"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/storekit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// largestUSD is the largest amount a store keeps: 2^63 - 1 cents.
var largestUSD = crm.MoneyFromMinor(math.MaxInt64, usd)

// bigUSD returns the exact amount of minor units times n, beyond 64 bits
// for most n.
func bigUSD(minor int64, n int64) crm.Money {
	return crm.MoneyFromBigMinor(new(big.Int).Mul(big.NewInt(minor), big.NewInt(n)), usd)
}

// ledgerState is what a refused write must leave as it was: the log's
// head, the customer's book, and every entry, invoice, credit and open
// item.
type ledgerState struct {
	head     crm.LogHead
	book     crm.Book
	entries  []crm.Entry
	invoices []crm.Invoice
	credits  []crm.Credit
	items    []crm.OpenItem
}

func (b *books) state(t *testing.T, customer crm.ID) ledgerState {
	t.Helper()
	st := ledgerState{head: head(t, b.Store), entries: b.entries(t, crm.ID{})}
	st.book, _ = tryRead(b.Store, getBook(customer))
	st.invoices = allPages(t, b.Store, crm.MaxPageSize, invoiceID, listInvoices(crm.InvoiceFilter{}))
	st.credits = allPages(t, b.Store, crm.MaxPageSize, creditID, func(tx crm.ReadTx, p crm.PageRequest) ([]crm.Credit, error) {
		return tx.Credits().List(context.Background(), crm.ID{}, p)
	})
	var err error
	st.items, err = tryRead(b.Store, func(tx crm.ReadTx) ([]crm.OpenItem, error) {
		return tx.Ledger().OpenItems(context.Background(), crm.ID{}, crm.Date{})
	})
	require.NoError(t, err)
	return st
}

// refused requires err to be an *crm.OverflowError about field, matching
// crm.ErrOverflow and crm.ErrInvalid, and the store to be as it was.
func (b *books) refused(t *testing.T, err error, field string, customer crm.ID, before ledgerState) *crm.OverflowError {
	t.Helper()
	var over *crm.OverflowError
	require.ErrorAs(t, err, &over)
	require.ErrorIs(t, err, crm.ErrOverflow)
	require.ErrorIs(t, err, crm.ErrInvalid)
	assert.Equal(t, field, over.Field, "%v", err)
	assert.Equal(t, before, b.state(t, customer), "a refused write changes nothing")
	return over
}

func runOverflow(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	usdMinor := func(v int64) crm.Money { return crm.MoneyFromMinor(v, usd) }

	t.Run("AmountsRefusedAtWriteTime", func(t *testing.T) {
		b := newBooks(t, newStore(t))
		c := b.customer(t, "Colossal")
		before := b.state(t, c)

		n := newInvoice(c, largestUSD, "")
		n.Lines[0].Quantity = dec("2")
		_, err := b.Ledger.IssueInvoice(ctx, b.fin.ID, n)
		over := b.refused(t, err, "lines[0]", c, before)
		assert.Equal(t, bigUSD(math.MaxInt64, 2).Amount().Shift(2).String(), over.Minor.String(), "the exact amount")

		half := usdMinor(math.MaxInt64/2 + 1)
		n = crm.NewInvoice{Customer: c, Currency: usd, Number: "2", Lines: []crm.InvoiceLine{
			{Description: "First half", Quantity: dec("1"), UnitPrice: half}, {Description: "Second half", Quantity: dec("1"), UnitPrice: half}}}
		_, err = b.Ledger.IssueInvoice(ctx, b.fin.ID, n)
		b.refused(t, err, "total", c, before)

		n = newInvoice(c, largestUSD, "3")
		n.Lines[0].TaxRate = dec("0.01")
		_, err = b.Ledger.IssueInvoice(ctx, b.fin.ID, n)
		b.refused(t, err, "lines[0]", c, before)

		_, err = b.Ledger.ReceivePayment(ctx, b.fin.ID, crm.NewPayment{Customer: c, Amount: bigUSD(math.MaxInt64, 2)})
		b.refused(t, err, "amount", c, before)
		_, err = b.Ledger.IssueCreditNote(ctx, b.fin.ID, crm.NewCreditNote{Customer: c, Invoice: unknown, Net: largestUSD, Tax: usdMinor(1),
			Reason: "Goodwill"}) // refused before the invoice is looked for
		b.refused(t, err, "amount", c, before)
	})

	t.Run("TotalsRefusedAtWriteTime", func(t *testing.T) {
		b := newBooks(t, newStore(t))
		c := b.customer(t, "Colossal")
		issue := func(minor int64, number string) (crm.Invoice, error) {
			return b.Ledger.IssueInvoice(ctx, b.fin.ID, newInvoice(c, usdMinor(minor), number))
		}
		_, err := issue(math.MaxInt64-100, "")
		require.NoError(t, err, "an invoice of nearly the largest amount")
		before := b.state(t, c)
		_, err = issue(101, "")
		over := b.refused(t, err, "balance", c, before)
		assert.Equal(t, crm.AccountReceivable, over.Account)
		assert.Equal(t, c, over.Customer)
		assert.Equal(t, usd, over.Currency)
		assert.True(t, over.AsOf.IsZero(), "over the whole ledger")
		assert.Equal(t, "9223372036854775808", over.Minor.String(), "one cent beyond")
		second, err := issue(100, "3")
		require.NoError(t, err, "the largest balance itself fits")

		pay, err := b.Ledger.ReceivePayment(ctx, b.fin.ID, crm.NewPayment{Customer: c, Amount: largestUSD})
		require.NoError(t, err)
		before = b.state(t, c)
		_, err = b.Ledger.ReceivePayment(ctx, b.fin.ID, crm.NewPayment{Customer: c, Amount: usdMinor(1)})
		over = b.refused(t, err, "balance", c, before)
		assert.Equal(t, crm.AccountCredit, over.Account)
		assert.Equal(t, "-9223372036854775808", over.Minor.String(), "the credit balance is negative; its negation would not fit")

		alloc, err := b.Ledger.Allocate(ctx, b.fin.ID, crm.AllocationRequest{Customer: c, Credit: pay.Payment.ID, Invoice: second.ID, Amount: usdMinor(50)})
		require.NoError(t, err, "an allocation brings both totals down")
		_, err = issue(50, "4")
		require.NoError(t, err)
		before = b.state(t, c)
		_, err = b.Ledger.Reverse(ctx, b.fin.ID, crm.ReverseRequest{Entry: alloc.ID, Reason: "Applied by mistake"})
		over = b.refused(t, err, "balance", c, before)
		assert.Equal(t, crm.AccountReceivable, over.Account, "the reversal would put the 50 back on a receivable at its largest")
		// 50 paid on the second invoice may be credited to refund, but not
		// with the customer's credit balance at its largest.
		_, err = b.Ledger.ReceivePayment(ctx, b.fin.ID, crm.NewPayment{Customer: c, Amount: usdMinor(50)})
		require.NoError(t, err)
		before = b.state(t, c)
		_, err = b.Ledger.IssueCreditNote(ctx, b.fin.ID, crm.NewCreditNote{Customer: c, Invoice: second.ID, Net: usdMinor(1), Refund: true, Reason: "Goodwill"})
		over = b.refused(t, err, "balance", c, before)
		assert.Equal(t, crm.AccountCredit, over.Account)
		b.verify(t, c)
	})

	t.Run("BackdatedTotalsAreReportedNotWrapped", func(t *testing.T) {
		b := newBooks(t, newStore(t))
		c := b.customer(t, "Colossal")
		d0 := crm.DateOf(epoch).AddDays(-60)
		n := newInvoice(c, usdMinor(math.MaxInt64-10), "")
		n.Issued = d0
		_, err := b.Ledger.IssueInvoice(ctx, b.fin.ID, n)
		require.NoError(t, err)
		r, err := b.Ledger.ReceivePayment(ctx, b.fin.ID, crm.NewPayment{Customer: c, Amount: usdMinor(math.MaxInt64 - 10), Received: d0.AddDays(20),
			Allocation: crm.AllocateOldestFirst})
		require.NoError(t, err)
		require.Len(t, r.Allocations, 1, "paid in full on day 20")

		// Owed as the ledger stands: 100. As of day 10, before the payment
		// counts: a cent under the largest int64 and 100 more.
		late := newInvoice(c, usdMinor(100), "2")
		late.Issued = d0.AddDays(10)
		_, err = b.Ledger.IssueInvoice(ctx, b.fin.ID, late)
		require.NoError(t, err)
		day10 := d0.AddDays(10)
		debts, err := b.Receivables.Debts(ctx, b.fin.ID, crm.ReceivableQuery{Customer: c, AsOf: day10})
		require.NoError(t, err)
		require.Len(t, debts, 1)
		owed := crm.MoneyFromBigMinor(new(big.Int).Add(big.NewInt(math.MaxInt64), big.NewInt(90)), usd)
		assert.True(t, debts[0].Owed.Equal(owed), "owed %s, exact", debts[0].Owed)
		st, err := b.Receivables.Statement(ctx, b.fin.ID, crm.StatementQuery{Customer: c, Currency: usd, To: day10})
		require.NoError(t, err)
		require.Len(t, st.Lines, 2)
		assert.True(t, st.Lines[1].Balance.Equal(owed), "the running balance, exact: %s", st.Lines[1].Balance)
		_, err = b.Receivables.Aging(ctx, b.fin.ID, crm.AgingQuery{AsOf: day10, Customer: c})
		var over *crm.OverflowError
		require.ErrorAs(t, err, &over, "an aging bucket that does not fit is an error, not a wrapped sum")
		require.ErrorIs(t, err, crm.ErrInvalid)
		aging, err := b.Receivables.Aging(ctx, b.fin.ID, crm.AgingQuery{Customer: c})
		require.NoError(t, err, "today's aging fits")
		require.Len(t, aging.Rows, 1)
		assert.True(t, aging.Rows[0].Total.Equal(usdMinor(100)))
		b.verify(t, c)
	})

	t.Run("ReportsBeyond64BitsAreExact", func(t *testing.T) {
		b := newBooks(t, newStore(t))
		const owed = 6_000_000_000_000_000_000 // each fits; together they do not
		x, y := b.customer(t, "Xenon"), b.customer(t, "Yttrium")
		for _, c := range []crm.ID{x, y} {
			_, err := b.Ledger.IssueInvoice(ctx, b.fin.ID, newInvoice(c, usdMinor(owed), ""))
			require.NoError(t, err)
		}
		today := crm.DateOf(epoch)
		twice := bigUSD(owed, 2)

		dso, err := b.Receivables.DSO(ctx, b.fin.ID, crm.DSOQuery{Currency: usd, From: today, To: today})
		require.NoError(t, err)
		assert.True(t, dso.Owed.Equal(twice), "owed %s, not wrapped around", dso.Owed)
		assert.True(t, dso.Invoiced.Equal(twice), "invoiced %s", dso.Invoiced)
		assert.Equal(t, "1", dso.Days.String())

		lines, err := b.Receivables.ExpectedCollections(ctx, b.fin.ID, crm.CollectionsQuery{From: today, Months: 3})
		require.NoError(t, err)
		require.Len(t, lines, 1)
		assert.True(t, lines[0].Invoiced.Equal(twice), "expected %s", lines[0].Invoiced)

		balances, err := b.Receivables.Balances(ctx, b.fin.ID, crm.ReceivableQuery{})
		require.NoError(t, err)
		var revenue crm.Money
		for _, bal := range balances {
			if bal.Account == crm.AccountRevenue {
				revenue = bal.Amount
			}
		}
		assert.True(t, revenue.Equal(twice.Neg()), "revenue %s, exact", revenue)
		entries := b.entries(t, crm.ID{})
		sameRows(t, storekit.Balances(entries, crm.Date{}), balances, "balances as the reference adds them up")

		aging, err := b.Receivables.Aging(ctx, b.fin.ID, crm.AgingQuery{AsOf: today})
		require.NoError(t, err)
		require.Len(t, aging.Rows, 2)
		for _, row := range aging.Rows {
			assert.True(t, row.Total.Equal(usdMinor(owed)), "%+v", row)
		}
		debts, err := b.Receivables.Debts(ctx, b.fin.ID, crm.ReceivableQuery{})
		require.NoError(t, err)
		require.Len(t, debts, 2)
		all := crm.Zero(usd)
		for _, d := range debts {
			all, err = all.Add(d.Owed)
			require.NoError(t, err)
		}
		assert.True(t, all.Equal(twice))
		require.NoError(t, b.Ledger.Verify(ctx, b.fin.ID), "a ledger whose company totals leave 64 bits still verifies")
	})

	t.Run("StoreSumsMatchTheReference", func(t *testing.T) { runOverflowSums(t, newStore) })
	t.Run("SalesReports", func(t *testing.T) { runOverflowSales(t, newStore) })
}

// runOverflowSums appends, through the port, entries no command makes:
// items and balances beyond 64 bits, and sums that leave 64 bits on the
// way and come back. Every sum must be the reference's: exact as Money,
// or, where the port hands it over in 64 bits, the same *OverflowError.
func runOverflowSums(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	sc := newScene(t, newStore)
	max := int64(math.MaxInt64)
	posting := func(customer, item crm.ID, minor int64) crm.Posting {
		return crm.Posting{Account: crm.AccountReceivable, Customer: customer, Amount: crm.MoneyFromMinor(minor, usd), Item: item, Due: day(2026, 3, 31)}
	}
	entry := func(kind crm.EntryKind, customer crm.ID, effective crm.Date, ps ...crm.Posting) crm.Entry {
		return crm.Entry{ID: sc.g.next(), Kind: kind, Customer: customer, Effective: effective, RecordedAt: at(1), Description: "beyond", Postings: ps}
	}
	i1, i2, i3 := sc.g.next(), sc.g.next(), sc.g.next()
	entries := []crm.Entry{
		entry(crm.EntryInvoice, sc.ann, day(2026, 3, 1), posting(sc.ann, i1, max), posting(sc.ann, i2, max),
			company(crm.AccountRevenue, -max, usd), company(crm.AccountRevenue, -max, usd)),
		entry(crm.EntryInvoice, sc.bob, day(2026, 3, 1), posting(sc.bob, i3, max), posting(sc.bob, i3, max),
			company(crm.AccountRevenue, -max, usd), company(crm.AccountRevenue, -max, usd)),
		entry(crm.EntryWriteOff, sc.bob, day(2026, 3, 5), posting(sc.bob, i3, -max), company(crm.AccountWriteOff, max, usd)),
	}
	update(t, sc.s, func(tx crm.Tx) error {
		for _, e := range entries {
			if err := appendEntry(tx, e); err != nil {
				return err
			}
		}
		return nil
	})

	early, late := day(2026, 3, 2), day(2026, 4, 30)
	l := func(fn func(l crm.LedgerReader) (any, error)) (any, error) {
		return tryRead(sc.s, func(tx crm.ReadTx) (any, error) { return fn(tx.Ledger()) })
	}
	for _, asOf := range []crm.Date{{}, early, late} {
		for _, customer := range []crm.ID{{}, sc.ann, sc.bob} {
			got, err := l(func(l crm.LedgerReader) (any, error) { return l.OpenItems(ctx, customer, asOf) })
			require.NoError(t, err)
			sameRows(t, storekit.OpenItems(entries, customer, asOf), got.([]crm.OpenItem), "open items of %s as of %s", customer, asOf)
		}
		got, err := l(func(l crm.LedgerReader) (any, error) { return l.Balances(ctx, asOf) })
		require.NoError(t, err)
		sameRows(t, storekit.Balances(entries, asOf), got.([]crm.Balance), "balances as of %s", asOf)
	}
	bobEarly := storekit.OpenItems(entries, sc.bob, early)
	require.Len(t, bobEarly, 1)
	assert.True(t, bobEarly[0].Open.Equal(bigUSD(max, 2)), "an item beyond 64 bits is exact: %s", bobEarly[0].Open)

	overflows := 0
	for _, asOf := range []crm.Date{early, late} {
		for _, customer := range []crm.ID{{}, sc.ann, sc.bob} {
			q, err := crm.AgingQuery{AsOf: asOf, Customer: customer}.Normalized()
			require.NoError(t, err)
			want, wantErr := storekit.AggregateAging(entries, q)
			got, err := l(func(l crm.LedgerReader) (any, error) { return l.Aging(ctx, q) })
			overflows += sameSum(t, want, wantErr, got, err, "aging %+v", q)
		}
	}
	for _, customer := range []crm.ID{{}, sc.ann, sc.bob} {
		for _, r := range [][2]crm.Date{{}, {day(2026, 3, 2), {}}} {
			want, wantErr := storekit.AggregateRevenue(entries, customer, r[0], r[1])
			got, err := l(func(l crm.LedgerReader) (any, error) { return l.Revenue(ctx, customer, r[0], r[1]) })
			overflows += sameSum(t, want, wantErr, got, err, "revenue of %s from %s", customer, r[0])
		}
	}
	assert.Equal(t, 8, overflows, "the sums beyond 64 bits: five agings and three revenues")
	late1, err := storekit.AggregateAging(entries, crm.AgingQuery{AsOf: late, Customer: sc.bob, Bounds: crm.DefaultAgingBounds()})
	require.NoError(t, err)
	assert.Equal(t, []crm.AgingAmount{{Customer: sc.bob, Currency: usd, Bucket: 1, Minor: max}}, late1,
		"a sum that leaves 64 bits on the way comes back exact")
}

// sameSum requires the store's answer (got, err) to be the reference's
// (want, wantErr): the same rows, or both a *crm.OverflowError. It
// returns 1 for an overflow, 0 otherwise.
func sameSum[T any](t *testing.T, want []T, wantErr error, got any, err error, msgAndArgs ...any) int {
	t.Helper()
	if wantErr != nil {
		var over *crm.OverflowError
		require.ErrorAs(t, wantErr, &over, msgAndArgs...)
		require.ErrorAs(t, err, &over, msgAndArgs...)
		require.ErrorIs(t, err, crm.ErrInvalid, msgAndArgs...)
		return 1
	}
	require.NoError(t, err, msgAndArgs...)
	sameRows(t, want, got.([]T), msgAndArgs...)
	return 0
}

// runOverflowSales opens deals of the largest amount: a stage's value
// over rows that each fit is exact beyond 64 bits, and a row that does
// not fit makes the report an *crm.OverflowError, never a wrapped sum.
func runOverflowSales(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	tm := NewTeam(t, newStore(t))
	p, err := tm.Deals.CreatePipeline(ctx, tm.Admin.ID, crm.NewPipeline{Name: "Giants", Currency: usd})
	require.NoError(t, err)
	cu, err := tm.Customers.Create(ctx, tm.Ann.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: "Goliath"})
	require.NoError(t, err)
	open := func(probability int) {
		_, err := tm.Deals.Open(ctx, tm.Ann.ID, crm.NewDeal{Pipeline: p.ID, Customer: cu.ID, Title: "Giant", Amount: largestUSD,
			CloseDate: day(2026, 4, 30), ManualProbability: &probability})
		require.NoError(t, err)
	}
	_, err = tm.Deals.Open(ctx, tm.Ann.ID, crm.NewDeal{Pipeline: p.ID, Customer: cu.ID, Title: "Too big", Amount: bigUSD(math.MaxInt64, 2)})
	require.ErrorIs(t, err, crm.ErrOverflow, "a deal's amount fits in 64 bits")
	open(40)
	open(60)
	q := crm.SalesQuery{Pipeline: p.ID}
	f, err := tm.Deals.Funnel(ctx, tm.Manager.ID, q)
	require.NoError(t, err)
	assert.True(t, f.Stages[0].Value.Equal(bigUSD(math.MaxInt64, 2)), "the stage's value, exact: %s", f.Stages[0].Value)
	assert.True(t, f.Stages[0].Weighted.Equal(largestUSD), "40%% and 60%% of the largest amount: %s", f.Stages[0].Weighted)
	lines, err := tm.Deals.Forecast(ctx, tm.Manager.ID, q)
	require.NoError(t, err)
	require.Len(t, lines, 1)
	assert.True(t, lines[0].Amount.Equal(bigUSD(math.MaxInt64, 2)), "%s", lines[0].Amount)

	open(40) // two deals of the largest amount at 40%: a row the store cannot hand over
	_, err = tm.Deals.Funnel(ctx, tm.Manager.ID, q)
	require.ErrorIs(t, err, crm.ErrOverflow)
	require.ErrorIs(t, err, crm.ErrInvalid)
	_, err = tm.Deals.Forecast(ctx, tm.Manager.ID, q)
	require.ErrorIs(t, err, crm.ErrOverflow)
	_, err = tm.Deals.CohortFunnel(ctx, tm.Manager.ID, q)
	require.ErrorIs(t, err, crm.ErrOverflow)
}
