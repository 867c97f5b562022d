package crm_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/storekit"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	custA = crm.ID{0xa}
	custB = crm.ID{0xb}
	inv1  = crm.ID{0x11}
)

func entry(ps ...crm.Posting) crm.Entry {
	return crm.Entry{ID: crm.ID{1}, Kind: crm.EntryInvoice, Customer: custA, Effective: crm.Date{Year: 2026, Month: 3, Day: 2}, Postings: ps}
}

func TestEntryCheck(t *testing.T) {
	hundred, fifty := money(t, "100.00", "USD"), money(t, "50.00", "USD")
	recv := crm.Posting{Account: crm.AccountReceivable, Customer: custA, Amount: hundred, Item: inv1}
	rev := crm.Posting{Account: crm.AccountRevenue, Amount: hundred.Neg()}
	require.NoError(t, entry(recv, rev).Check())

	unbalanced := entry(recv, crm.Posting{Account: crm.AccountRevenue, Amount: fifty.Neg()}).Check()
	var ue *crm.UnbalancedError
	require.ErrorAs(t, unbalanced, &ue)
	assert.ErrorIs(t, unbalanced, crm.ErrUnbalanced)
	assert.ErrorIs(t, unbalanced, crm.ErrInvalid)
	assert.Equal(t, "50.00 USD", ue.Difference.String())

	eur := crm.Posting{Account: crm.AccountRevenue, Amount: money(t, "-100.00", "EUR")}
	assert.ErrorIs(t, entry(recv, eur).Check(), crm.ErrUnbalanced, "balances are per currency: 100 USD is not -100 EUR")

	for _, tc := range []struct {
		name  string
		e     crm.Entry
		field string
		rule  string
	}{
		{"one posting", entry(recv), "postings", "range"},
		{"unknown account", entry(recv, crm.Posting{Account: "suspense", Amount: hundred.Neg()}), "postings[1].account", "one_of"},
		{"customer account without customer", entry(crm.Posting{Account: crm.AccountReceivable, Amount: hundred, Item: inv1}, rev), "postings[0].customer", "required"},
		{"company account with a customer", entry(recv, crm.Posting{Account: crm.AccountRevenue, Customer: custA, Amount: hundred.Neg()}), "postings[1].customer", "company_account"},
		{"receivable without invoice", entry(crm.Posting{Account: crm.AccountReceivable, Customer: custA, Amount: hundred}, rev), "postings[0].item", "required"},
		{"zero amount", entry(recv, rev, crm.Posting{Account: crm.AccountTax, Amount: crm.Zero(usd(t))}), "postings[2].amount", "non_zero"},
		{"no date", crm.Entry{Postings: []crm.Posting{recv, rev}}, "effective", "calendar"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ve *crm.ValidationError
			require.ErrorAs(t, tc.e.Check(), &ve)
			assert.Equal(t, tc.field, ve.Field)
			assert.Equal(t, tc.rule, ve.Rule)
		})
	}
	inexact := entry(crm.Posting{Account: crm.AccountReceivable, Customer: custA, Amount: hundred.Mul(decimal.RequireFromString("1.00001")), Item: inv1},
		crm.Posting{Account: crm.AccountRevenue, Amount: hundred.Mul(decimal.RequireFromString("-1.00001"))})
	assert.ErrorIs(t, inexact.Check(), crm.ErrPrecision)
}

func TestReversalMirrors(t *testing.T) {
	hundred := money(t, "100.00", "USD")
	e := entry(crm.Posting{Account: crm.AccountReceivable, Customer: custA, Amount: hundred, Item: inv1}, crm.Posting{Account: crm.AccountRevenue, Amount: hundred.Neg()})
	r := e.Reversal(crm.ID{2}, crm.Date{Year: 2026, Month: 4, Day: 1}, start, crm.ID{9}, "wrong customer")
	require.NoError(t, r.Check())
	assert.Equal(t, e.ID, r.Reverses)
	assert.Equal(t, crm.EntryInvoice, r.ReversedKind)
	assert.Equal(t, crm.EntryReversal, r.Kind)
	bal := storekit.Balances([]crm.Entry{e, r}, crm.Date{})
	assert.Empty(t, bal, "an entry and its reversal cancel out")
	assert.Len(t, storekit.Balances([]crm.Entry{e, r}, crm.Date{Year: 2026, Month: 3, Day: 31}), 2, "as of before the reversal, the entry stands")
}

func TestPaymentPlans(t *testing.T) {
	amount := money(t, "1000.01", "USD")
	jan31 := date(t, "2026-01-31")
	for _, tc := range []struct {
		name    string
		tpl     crm.PlanTemplate
		opts    crm.PlanOptions
		amounts []string
		due     []string
	}{
		{"net 30", crm.PlanNet30, crm.PlanOptions{}, []string{"1000.01"}, []string{"2026-03-02"}},
		{"30% now, 70% in 60 days", crm.PlanSplit, crm.PlanOptions{}, []string{"300.00", "700.01"}, []string{"2026-01-31", "2026-04-01"}},
		{"monthly from the 31st", crm.PlanMonthly, crm.PlanOptions{Months: 3}, []string{"333.34", "333.34", "333.33"}, []string{"2026-01-31", "2026-02-28", "2026-03-31"}},
		{"custom", crm.PlanCustom, crm.PlanOptions{Shares: []int64{1, 1, 2}, OffsetDays: []int{0, 10, 45}}, []string{"250.00", "250.00", "500.01"}, []string{"2026-01-31", "2026-02-10", "2026-03-17"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := crm.NewPaymentPlan(tc.tpl, amount, jan31, tc.opts)
			require.NoError(t, err)
			var amounts, due []string
			for _, in := range p.Installments {
				amounts = append(amounts, in.Amount.Amount().StringFixed(2))
				due = append(due, in.Due.String())
			}
			assert.Equal(t, tc.amounts, amounts)
			assert.Equal(t, tc.due, due)
		})
	}
	for _, bad := range []struct {
		tpl  crm.PlanTemplate
		opts crm.PlanOptions
	}{{crm.PlanMonthly, crm.PlanOptions{}}, {crm.PlanCustom, crm.PlanOptions{Shares: []int64{1}}}, {crm.PlanCustom, crm.PlanOptions{Shares: []int64{1, 1}, OffsetDays: []int{10, 5}}},
		{crm.PlanCustom, crm.PlanOptions{Shares: []int64{0}, OffsetDays: []int{0}}}, {"weekly", crm.PlanOptions{}}} {
		_, err := crm.NewPaymentPlan(bad.tpl, amount, jan31, bad.opts)
		assert.ErrorIs(t, err, crm.ErrInvalid, "%v", bad)
	}
}

// TestPaymentPlansAddUp is a property test: every plan's installments add
// up exactly to the contract amount.
func TestPaymentPlansAddUp(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 8))
	for range 500 {
		cur := crm.Currencies()[r.IntN(len(crm.Currencies()))]
		amount := crm.MoneyFromMinor(1+r.Int64N(1_000_000_000), cur)
		tpl := []crm.PlanTemplate{crm.PlanNet30, crm.PlanSplit, crm.PlanMonthly, crm.PlanCustom}[r.IntN(4)]
		opts := crm.PlanOptions{Months: 1 + r.IntN(36)}
		offset := 0
		for range 1 + r.IntN(6) {
			offset += r.IntN(40)
			opts.Shares = append(opts.Shares, 1+r.Int64N(100))
			opts.OffsetDays = append(opts.OffsetDays, offset)
		}
		p, err := crm.NewPaymentPlan(tpl, amount, date(t, "2026-01-15"), opts)
		require.NoError(t, err)
		var parts []crm.Money
		for _, in := range p.Installments {
			parts = append(parts, in.Amount)
		}
		sum, err := crm.Sum(cur, parts...)
		require.NoError(t, err)
		require.True(t, sum.Equal(amount), "%s %v: %v", tpl, amount, sum)
	}
}

func TestAgingBuckets(t *testing.T) {
	q, err := crm.AgingQuery{AsOf: date(t, "2026-06-30")}.Normalized()
	require.NoError(t, err)
	assert.Equal(t, []string{"current", "1-30", "31-60", "61-90", "91-120", "over 120"}, q.Labels())
	for _, tc := range []struct {
		due    string
		bucket int
	}{{"2026-07-15", 0}, {"2026-06-30", 0}, {"2026-06-29", 1}, {"2026-05-31", 1}, {"2026-05-30", 2}, {"2026-03-02", 4}, {"2026-03-01", 5}, {"2020-01-01", 5}} {
		assert.Equal(t, tc.bucket, q.Bucket(date(t, tc.due)), tc.due)
	}
	for _, bad := range []crm.AgingQuery{{}, {AsOf: date(t, "2026-01-01"), Bounds: []int{30, 30}}, {AsOf: date(t, "2026-01-01"), Bounds: []int{0}}} {
		_, err := bad.Normalized()
		assert.ErrorIs(t, err, crm.ErrInvalid)
	}
}

// TestAgingAddsUp is a property test: for random invoices, payments and
// as-of dates, every row's buckets add up to its total, and the totals to
// what the receivable open items say is owed (the ERPNext bug).
func TestAgingAddsUp(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	for run := range 100 {
		var entries []crm.Entry
		for i := range 30 {
			cust := []crm.ID{custA, custB}[r.IntN(2)]
			cur := []string{"USD", "EUR"}[r.IntN(2)]
			amt := crm.MoneyFromMinor(1+r.Int64N(100_000), mustCurrency(t, cur))
			day := date(t, "2026-01-01").AddDays(r.IntN(200))
			item := crm.ID{byte(run), byte(i), 1}
			entries = append(entries, crm.Entry{ID: crm.ID{byte(run), byte(i), 2}, Kind: crm.EntryInvoice, Customer: cust, Effective: day, Postings: []crm.Posting{
				{Account: crm.AccountReceivable, Customer: cust, Amount: amt, Item: item, Due: day.AddDays(r.IntN(60))},
				{Account: crm.AccountRevenue, Amount: amt.Neg()}}})
			if r.IntN(2) == 0 {
				part := crm.MoneyFromMinor(1+r.Int64N(minorOf(t, amt)), amt.Currency())
				entries = append(entries, crm.Entry{ID: crm.ID{byte(run), byte(i), 3}, Kind: crm.EntryWriteOff, Customer: cust, Effective: day.AddDays(r.IntN(90)), Postings: []crm.Posting{
					{Account: crm.AccountWriteOff, Amount: part}, {Account: crm.AccountReceivable, Customer: cust, Amount: part.Neg(), Item: item}}})
			}
		}
		q, err := crm.AgingQuery{AsOf: date(t, "2026-01-01").AddDays(r.IntN(300)), Bounds: []int{7, 14, 45}}.Normalized()
		require.NoError(t, err)
		amounts, err := storekit.AggregateAging(entries, q)
		require.NoError(t, err)
		rows := q.Rows(amounts)
		owed := map[string]int64{}
		for _, it := range storekit.OpenItems(entries, crm.ID{}, q.AsOf) {
			if it.Account == crm.AccountReceivable {
				owed[it.Customer.String()+it.Open.Currency().Code()] += minorOf(t, it.Open)
			}
		}
		got := map[string]int64{}
		for _, row := range rows {
			sum, err := crm.Sum(row.Currency, row.Buckets...)
			require.NoError(t, err)
			require.True(t, sum.Equal(row.Total), "buckets %v add up to %v, not %v", row.Buckets, sum, row.Total)
			got[row.Customer.String()+row.Currency.Code()] += minorOf(t, row.Total)
		}
		for k, v := range owed {
			if v == 0 {
				delete(owed, k)
			}
		}
		require.Equal(t, owed, got)
	}
}

func mustCurrency(t testing.TB, code string) crm.Currency {
	c, err := crm.ParseCurrency(code)
	require.NoError(t, err)
	return c
}

func minorOf(t testing.TB, m crm.Money) int64 {
	v, err := m.Minor()
	require.NoError(t, err)
	return v
}

func TestOldestFirst(t *testing.T) {
	usdc := usd(t)
	items := []crm.OpenItem{
		{Customer: custA, Account: crm.AccountCredit, Item: crm.ID{0x22}, Open: crm.MoneyFromMinor(-5000, usdc)},
		{Customer: custA, Account: crm.AccountCredit, Item: crm.ID{0x21}, Open: crm.MoneyFromMinor(-3000, usdc)},
		{Customer: custA, Account: crm.AccountReceivable, Item: crm.ID{0x12}, Due: date(t, "2026-03-01"), Open: crm.MoneyFromMinor(4000, usdc)},
		{Customer: custA, Account: crm.AccountReceivable, Item: crm.ID{0x11}, Due: date(t, "2026-02-01"), Open: crm.MoneyFromMinor(2000, usdc)},
		{Customer: custA, Account: crm.AccountReceivable, Item: crm.ID{0x13}, Due: date(t, "2026-01-01"), Open: crm.MoneyFromMinor(100, mustCurrency(t, "EUR"))},
		{Customer: custB, Account: crm.AccountReceivable, Item: crm.ID{0x14}, Due: date(t, "2025-01-01"), Open: crm.MoneyFromMinor(9999, usdc)},
	}
	var got []string
	for _, r := range crm.OldestFirst(custA, items) {
		got = append(got, fmt.Sprintf("%x->%x %s", r.Credit[0], r.Invoice[0], r.Amount))
	}
	assert.Equal(t, []string{"21->11 20.00 USD", "21->12 10.00 USD", "22->12 30.00 USD"}, got,
		"the oldest credit pays the oldest due invoice first; other customers and currencies are left alone")
}

func TestInvoiceTotals(t *testing.T) {
	lines := []crm.InvoiceLine{
		{Description: " Widgets ", Quantity: decimal.RequireFromString("3"), UnitPrice: money(t, "0.335", "KWD"), TaxRate: decimal.RequireFromString("0.05")},
		{Description: "Setup", Quantity: decimal.RequireFromString("1"), UnitPrice: money(t, "10.000", "KWD")},
	}
	b := newBook(t)
	inv, err := b.Ledger.IssueInvoice(ctx, b.fin.ID, crm.NewInvoice{Customer: b.cust.ID, Currency: mustCurrency(t, "KWD"), Lines: lines})
	require.NoError(t, err)
	assert.Equal(t, "11.005 KWD", inv.Net.String())
	assert.Equal(t, "0.050 KWD", inv.Tax.String(), "5% of 1.005, half-even to the fils")
	assert.Equal(t, "11.055 KWD", inv.Total.String())
	assert.Equal(t, " Widgets ", lines[0].Description, "the caller's lines are not changed")
	assert.Equal(t, "Widgets", inv.Lines[0].Description)
	assert.Equal(t, inv.Issued.AddDays(30), inv.Due, "net 30 by default")

	for _, bad := range []crm.NewInvoice{
		{Customer: b.cust.ID, Currency: usd(t)},
		{Customer: b.cust.ID, Currency: usd(t), Lines: []crm.InvoiceLine{{Description: "x", Quantity: decimal.NewFromInt(1), UnitPrice: money(t, "1.00", "EUR")}}},
		{Customer: b.cust.ID, Currency: usd(t), Lines: []crm.InvoiceLine{{Description: "x", Quantity: decimal.NewFromInt(-1), UnitPrice: money(t, "1.00", "USD")}}},
		{Customer: b.cust.ID, Currency: usd(t), Lines: []crm.InvoiceLine{{Description: "x", Quantity: decimal.NewFromInt(1), UnitPrice: money(t, "1.00", "USD"), TaxRate: decimal.NewFromInt(2)}}},
		{Customer: b.cust.ID, Currency: usd(t), Issued: date(t, "2026-03-10"), Due: date(t, "2026-03-01"), Lines: []crm.InvoiceLine{{Description: "x", Quantity: decimal.NewFromInt(1), UnitPrice: money(t, "1.00", "USD")}}},
	} {
		head := b.head(t)
		_, err := b.Ledger.IssueInvoice(ctx, b.fin.ID, bad)
		assert.ErrorIs(t, err, crm.ErrInvalid)
		assert.Equal(t, head, b.head(t))
	}
}

func FuzzPaymentPlan(f *testing.F) {
	f.Add(int64(100001), uint8(3), "USD")
	f.Add(int64(1), uint8(12), "JPY")
	f.Fuzz(func(t *testing.T, minor int64, months uint8, code string) {
		cur, err := crm.ParseCurrency(code)
		if err != nil || minor <= 0 {
			return
		}
		amount := crm.MoneyFromMinor(minor, cur)
		p, err := crm.NewPaymentPlan(crm.PlanMonthly, amount, crm.Date{Year: 2026, Month: 1, Day: 31}, crm.PlanOptions{Months: int(months)})
		if months == 0 || months > 120 {
			if err == nil {
				t.Fatal("a plan of 0 or more than 120 months must be refused")
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		var parts []crm.Money
		for _, in := range p.Installments {
			parts = append(parts, in.Amount)
		}
		sum, err := crm.Sum(cur, parts...)
		if err != nil || !sum.Equal(amount) {
			t.Fatalf("%v in %d months adds up to %v", amount, months, sum)
		}
	})
}
