package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/storekit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ledgerSeed makes the generated ledger; a failure names it, so that it
// can be replayed.
const ledgerSeed = 20260501

// openItemsQuery and revenueQuery are questions of OpenItems and Revenue.
type (
	openItemsQuery struct {
		customer crm.ID
		asOf     crm.Date
	}
	revenueQuery struct {
		customer crm.ID
		from, to crm.Date
	}
	// openItemsOfQuery asks what is open on some of a customer's items.
	openItemsOfQuery struct {
		customer crm.ID
		items    []crm.ID
		asOf     crm.Date
	}
)

// ledgerQuestions are what the receivables aggregates test asks.
type ledgerQuestions struct {
	openItems   []openItemsQuery
	openItemsOf []openItemsOfQuery
	balancesOf  []crm.ID // customers
	balances    []crm.Date
	aging       []crm.AgingQuery // as given: the store normalizes them
	revenue     []revenueQuery
}

// ledgerAnswers are the answers to ledgerQuestions.
type ledgerAnswers struct {
	q           ledgerQuestions
	openItems   [][]crm.OpenItem
	openItemsOf [][]crm.OpenItem
	credit      [][]crm.CreditAmount // UnappliedCredit, asked as openItems are
	balancesOf  [][]crm.Balance
	balances    [][]crm.Balance
	aging       [][]crm.AgingAmount
	revenue     [][]crm.RevenueAmount
}

// answer returns the reference answers over entries.
func (q ledgerQuestions) answer(entries []crm.Entry) ledgerAnswers {
	a := ledgerAnswers{q: q}
	for _, x := range q.openItems {
		a.openItems = append(a.openItems, storekit.OpenItems(entries, x.customer, x.asOf))
		a.credit = append(a.credit, reference(storekit.AggregateCredit(a.openItems[len(a.openItems)-1], x.asOf)))
	}
	for _, x := range q.openItemsOf {
		a.openItemsOf = append(a.openItemsOf, storekit.OpenItemsOf(entries, x.customer, x.items, x.asOf))
	}
	for _, c := range q.balancesOf {
		a.balancesOf = append(a.balancesOf, storekit.BalancesOf(entries, c))
	}
	for _, asOf := range q.balances {
		a.balances = append(a.balances, storekit.Balances(entries, asOf))
	}
	for _, x := range q.aging {
		n, err := x.Normalized()
		if err != nil {
			panic(err)
		}
		a.aging = append(a.aging, reference(storekit.AggregateAging(entries, n)))
	}
	for _, x := range q.revenue {
		a.revenue = append(a.revenue, reference(storekit.AggregateRevenue(entries, x.customer, x.from, x.to)))
	}
	return a
}

// reference returns the answer of a reference implementation over data
// generated to stay within 64 bits, where it cannot fail.
func reference[T any](v T, err error) T {
	if err != nil {
		panic(fmt.Sprintf("the reference answer over generated data: %v", err))
	}
	return v
}

// ask returns the store's answers.
func (q ledgerQuestions) ask(t *testing.T, l crm.LedgerReader) ledgerAnswers {
	t.Helper()
	a := ledgerAnswers{q: q}
	a.openItems = askEach(t, q.openItems, func(ctx context.Context, x openItemsQuery) ([]crm.OpenItem, error) {
		return l.OpenItems(ctx, x.customer, x.asOf)
	})
	a.openItemsOf = askEach(t, q.openItemsOf, func(ctx context.Context, x openItemsOfQuery) ([]crm.OpenItem, error) {
		return l.OpenItemsOf(ctx, x.customer, x.items, x.asOf)
	})
	a.credit = askEach(t, q.openItems, func(ctx context.Context, x openItemsQuery) ([]crm.CreditAmount, error) {
		return l.UnappliedCredit(ctx, x.customer, x.asOf)
	})
	a.balancesOf = askEach(t, q.balancesOf, l.BalancesOf)
	a.balances = askEach(t, q.balances, l.Balances)
	a.aging = askEach(t, q.aging, l.Aging)
	a.revenue = askEach(t, q.revenue, func(ctx context.Context, x revenueQuery) ([]crm.RevenueAmount, error) {
		return l.Revenue(ctx, x.customer, x.from, x.to)
	})
	return a
}

// check asks every question of l and requires the answers in a, and an
// empty slice, not nil, where nothing matches.
func (a ledgerAnswers) check(t *testing.T, l crm.LedgerReader, seed uint64) {
	t.Helper()
	got := a.q.ask(t, l)
	for i, q := range a.q.openItems {
		sameRows(t, a.openItems[i], got.openItems[i], "OpenItems, seed %d, %+v", seed, q)
		if !q.customer.IsZero() && q.asOf.IsZero() {
			checkOldestOpen(t, l, q.customer, a.openItems[i], seed)
		}
	}
	for i, q := range a.q.openItems {
		sameRows(t, a.credit[i], got.credit[i], "UnappliedCredit, seed %d, %+v", seed, q)
	}
	for i, q := range a.q.openItemsOf {
		sameRows(t, a.openItemsOf[i], got.openItemsOf[i], "OpenItemsOf, seed %d, %+v", seed, q)
	}
	for i, q := range a.q.balancesOf {
		sameRows(t, a.balancesOf[i], got.balancesOf[i], "BalancesOf, seed %d, customer %s", seed, q)
	}
	for i, q := range a.q.balances {
		sameRows(t, a.balances[i], got.balances[i], "Balances, seed %d, as of %s", seed, q)
	}
	for i, q := range a.q.aging {
		sameRows(t, a.aging[i], got.aging[i], "Aging, seed %d, %+v", seed, q)
	}
	for i, q := range a.q.revenue {
		sameRows(t, a.revenue[i], got.revenue[i], "Revenue, seed %d, %+v", seed, q)
	}
}

// checkOldestOpen requires OldestOpen to page through what is owed on
// the customer's invoices in each currency, in pages of several sizes, as
// the customer's open items now (open) have it.
func checkOldestOpen(t *testing.T, l crm.LedgerReader, customer crm.ID, open []crm.OpenItem, seed uint64) {
	t.Helper()
	for _, cur := range ledgerCurrencies {
		want := slices.DeleteFunc(slices.Clone(open), func(it crm.OpenItem) bool {
			return it.Account != crm.AccountReceivable || it.Open.Currency() != cur || !it.Open.IsPositive()
		})
		for _, limit := range []int{1, 3, 1000} {
			got := []crm.OpenItem{}
			for after := (crm.OpenItem{}); ; {
				page, err := l.OldestOpen(context.Background(), customer, cur, after, limit)
				require.NoError(t, err)
				require.LessOrEqual(t, len(page), limit)
				got = append(got, page...)
				if len(page) < limit {
					break
				}
				after = page[len(page)-1]
			}
			sameRows(t, want, got, "OldestOpen, seed %d, customer %s, %s, pages of %d", seed, customer, cur, limit)
		}
	}
}

// sameRows requires the store's rows to be the reference's, in the same
// order, money compared by value, and an empty slice rather than nil when
// there are none.
func sameRows[T any](t *testing.T, want, got []T, msgAndArgs ...any) {
	t.Helper()
	if got == nil {
		require.Fail(t, "nil where the port asks for an empty slice", msgAndArgs...)
	}
	if len(want) == 0 {
		require.Empty(t, got, msgAndArgs...)
		return
	}
	if !assertSame(t, want, got, msgAndArgs...) {
		t.FailNow()
	}
}

// ledgerGrid is the grid of questions: open items of every customer, the
// first two and the last, and one unknown, as of every date (the
// beginning, before the first entry, each mark, after the last); the
// balances as of those dates; aging as of every date but the beginning,
// in every set of bounds, of everyone, the first customer and an unknown
// one; and revenue of some customers over windows whose bounds are
// marks, a single day, and open ends.
func ledgerGrid(d *ledgerData) ledgerQuestions {
	var q ledgerQuestions
	unknown := (&ids{n: 1 << 50}).next()
	cs := d.customers
	customers := []crm.ID{{}, cs[0].ID, cs[1].ID, cs[len(cs)-1].ID, unknown}
	dates := slices.Concat([]crm.Date{{}, ledgerStart.AddDays(-1)}, ledgerMarks, []crm.Date{ledgerStart.AddDays(ledgerDays)})
	for _, c := range customers {
		for _, asOf := range dates {
			q.openItems = append(q.openItems, openItemsQuery{c, asOf})
		}
	}
	q.balances = dates
	for _, c := range customers {
		q.balancesOf = append(q.balancesOf, c)
		for _, items := range itemSets(d, c, unknown) {
			for _, asOf := range dates {
				q.openItemsOf = append(q.openItemsOf, openItemsOfQuery{c, items, asOf})
			}
		}
	}
	for _, asOf := range dates[1:] {
		for _, bounds := range ledgerBounds {
			for _, c := range []crm.ID{{}, cs[0].ID, unknown} {
				q.aging = append(q.aging, crm.AgingQuery{AsOf: asOf, Bounds: bounds, Customer: c})
			}
		}
	}
	m := ledgerMarks
	windows := [][2]crm.Date{{}, {m[1], m[3]}, {m[2], m[2]}, {m[0], {}}, {{}, m[4]}, {dates[len(dates)-1], {}}, {{}, dates[1]}}
	for _, c := range customers[:4] {
		for _, w := range windows {
			q.revenue = append(q.revenue, revenueQuery{c, w[0], w[1]})
		}
	}
	q.revenue = append(q.revenue, revenueQuery{unknown, crm.Date{}, crm.Date{}})
	return q
}

// itemSets are the sets of items OpenItemsOf is asked about for a
// customer: all of theirs, the first of their invoices and credits
// (named twice), none, and theirs with another customer's and an unknown
// one.
func itemSets(d *ledgerData, customer, unknown crm.ID) [][]crm.ID {
	var mine, others []crm.ID
	for _, i := range d.invoices {
		if i.Customer == customer {
			mine = append(mine, i.ID)
		} else if len(others) < 2 {
			others = append(others, i.ID)
		}
	}
	for _, c := range d.credits {
		if c.Customer == customer {
			mine = append(mine, c.ID)
		}
	}
	sets := [][]crm.ID{mine, nil, slices.Concat(mine[:min(len(mine), 2)], others, []crm.ID{unknown})}
	if len(mine) > 0 {
		sets = append(sets, []crm.ID{mine[0], mine[0]}, []crm.ID{mine[len(mine)-1]})
	}
	return sets
}

// about returns the questions about one customer: theirs and everyone's.
func (q ledgerQuestions) about(customer crm.ID) ledgerQuestions {
	q.openItemsOf = slices.DeleteFunc(slices.Clone(q.openItemsOf), func(x openItemsOfQuery) bool { return x.customer != customer })
	q.balancesOf = []crm.ID{customer}
	q.openItems = slices.DeleteFunc(slices.Clone(q.openItems), func(x openItemsQuery) bool { return x.customer != customer && !x.customer.IsZero() })
	q.aging = slices.DeleteFunc(slices.Clone(q.aging), func(x crm.AgingQuery) bool { return x.Customer != customer && !x.Customer.IsZero() })
	q.revenue = slices.DeleteFunc(slices.Clone(q.revenue), func(x revenueQuery) bool { return x.customer != customer && !x.customer.IsZero() })
	return q
}

func runLedgerAggregates(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	gen := generateLedger(ledgerSeed)
	d := &gen.d
	s := newStore(t)
	began := time.Now()
	d.store(t, s, ledgerSeed)
	t.Logf("stored %d customers, %d invoices, %d credits and %d entries in %s", len(d.customers), len(d.invoices), len(d.credits),
		len(d.entries), time.Since(began).Round(time.Millisecond))
	qs := ledgerGrid(d)
	want := qs.answer(d.entries)

	t.Run("DataIsVaried", func(t *testing.T) { checkLedgerVariety(t, d, want) })

	t.Run("MatchesTheReference", func(t *testing.T) {
		began := time.Now()
		view(t, s, func(tx crm.ReadTx) error {
			want.check(t, tx.Ledger(), ledgerSeed)
			return nil
		})
		t.Logf("%d open-items, %d open-items-of, %d balances, %d aging and %d revenue queries in %s", len(qs.openItems), len(qs.openItemsOf),
			len(qs.balances), len(qs.aging), len(qs.revenue), time.Since(began).Round(time.Millisecond))
	})

	t.Run("EntriesOfTheGeneratedData", func(t *testing.T) {
		c := d.customers[3].ID
		i := slices.IndexFunc(d.entries, func(e crm.Entry) bool { return e.Kind == crm.EntryAllocation })
		require.GreaterOrEqual(t, i, 0, "the generated data allocates")
		allocated := d.entries[i].Document
		filters := []crm.EntryFilter{{}, {Customer: c}, {Customer: c, From: ledgerMarks[1], To: ledgerMarks[3]}, {Document: d.credits[0].ID},
			{Item: d.invoices[0].ID}, {Item: allocated, Kind: crm.EntryAllocation}, {Customer: c, Kind: crm.EntryPayment}}
		for _, f := range filters {
			if !f.Item.IsZero() || f.Kind != "" {
				require.NotEmpty(t, entriesOf(d.entries, f), "the generated data has entries for %+v", f)
			}
			assertSameList(t, entriesOf(d.entries, f), allPages(t, s, 97, entryID, listEntries(f)), entryID, "%+v", f)
		}
	})

	t.Run("TransactionSeesItsOwnRows", func(t *testing.T) {
		errRollback := errors.New("roll back")
		customer := d.customers[0].ID
		mine := qs.about(customer)
		before := mine.answer(d.entries)
		extra, writes := ledgerInTransaction(gen, customer)
		during := mine.answer(extra)
		for name, differ := range map[string]bool{
			"open items": !reflect.DeepEqual(before.openItems, during.openItems), "balances": !reflect.DeepEqual(before.balances, during.balances),
			"aging": !reflect.DeepEqual(before.aging, during.aging), "revenue": !reflect.DeepEqual(before.revenue, during.revenue),
			"open items of the customer's items": !reflect.DeepEqual(before.openItemsOf, during.openItemsOf),
			"customer's balances":                !reflect.DeepEqual(before.balancesOf, during.balancesOf),
		} {
			require.True(t, differ, "the transaction's entries change the %s", name)
		}
		err := s.Update(ctx, func(tx crm.Tx) error {
			require.NoError(t, writes(tx))
			during.check(t, tx.Ledger(), ledgerSeed)
			return errRollback
		})
		require.ErrorIs(t, err, errRollback)
		view(t, s, func(tx crm.ReadTx) error {
			before.check(t, tx.Ledger(), ledgerSeed)
			return nil
		})
	})

	t.Run("InvalidAgingQueries", func(t *testing.T) {
		for _, q := range []crm.AgingQuery{
			{},
			{AsOf: crm.Date{Year: 2026, Month: 2, Day: 30}},
			{AsOf: ledgerMarks[0], Bounds: []int{30, 30}},
			{AsOf: ledgerMarks[0], Bounds: []int{60, 30}},
			{AsOf: ledgerMarks[0], Bounds: []int{0, 30}},
		} {
			_, err := tryRead(s, func(tx crm.ReadTx) ([]crm.AgingAmount, error) { return tx.Ledger().Aging(ctx, q) })
			assert.ErrorIs(t, err, crm.ErrInvalid, "%+v", q)
		}
	})
}

// runLedgerEmpty checks that an empty ledger answers every question with
// an empty slice, not nil.
func runLedgerEmpty(t *testing.T, newStore NewStoreFunc) {
	s := newStore(t)
	g := &ids{}
	qs := ledgerGrid(&ledgerData{customers: []crm.Customer{sampleCustomer(g.next(), crm.ID{}), sampleCustomer(g.next(), crm.ID{})}})
	view(t, s, func(tx crm.ReadTx) error {
		qs.answer(nil).check(t, tx.Ledger(), 0)
		es, err := tx.Ledger().Entries(context.Background(), crm.EntryFilter{}, crm.PageRequest{})
		require.NoError(t, err)
		assert.Empty(t, es)
		return nil
	})
}

// ledgerInTransaction generates more of the customer's ledger and
// returns every entry with it, and the transaction's writes: an invoice
// due on a mark, a payment applied to it, a credit note, and the reversal
// of one of the customer's entries.
func ledgerInTransaction(gen *ledgerGen, customer crm.ID) ([]crm.Entry, func(tx crm.Tx) error) {
	d := &gen.d
	ni, nc, ne := len(d.invoices), len(d.credits), len(d.entries)
	cur := gen.currency[gen.of[customer].invoices[0]]
	gen.invoice(customer, cur, ledgerMarks[2])
	gen.payment(customer, cur, ledgerMarks[2])
	gen.creditNote(customer, cur)
	for i := 0; len(d.entries) < ne+5; i++ {
		if i == 1000 {
			panic("the generator makes no allocation or reversal")
		}
		if len(d.entries) < ne+4 {
			gen.allocation(customer)
		} else {
			gen.reversal(customer)
		}
	}
	invoices, credits, entries := slices.Clone(d.invoices[ni:]), slices.Clone(d.credits[nc:]), slices.Clone(d.entries[ne:])
	all := slices.Clone(d.entries)
	d.invoices, d.credits, d.entries = d.invoices[:ni], d.credits[:nc], d.entries[:ne]
	return all, func(tx crm.Tx) error {
		var errs []error
		for _, i := range invoices {
			errs = append(errs, insertInvoice(tx, i))
		}
		for _, c := range credits {
			errs = append(errs, insertCredit(tx, c))
		}
		for _, e := range entries {
			errs = append(errs, appendEntry(tx, e))
		}
		return errors.Join(errs...)
	}
}

// checkLedgerVariety checks that the generated ledger has what the
// questions group and filter by: a guard against a generator that lost
// its variety.
func checkLedgerVariety(t *testing.T, d *ledgerData, want ledgerAnswers) {
	kinds := map[crm.EntryKind]int{}
	reversed := map[crm.EntryKind]int{}
	currencies := map[crm.Currency]bool{}
	var cross, settled, keyed, onMarks int
	for _, e := range d.entries {
		kinds[e.Kind]++
		reversed[e.ReversedKind]++
		if e.IdempotencyKey != "" {
			keyed++
		}
		if slices.Contains(ledgerMarks, e.Effective) {
			onMarks++
		}
		for _, p := range e.Postings {
			currencies[p.Amount.Currency()] = true
			switch p.Account {
			case crm.AccountFXClearing:
				cross++
			case crm.AccountFXResult:
				settled++
			}
		}
	}
	for _, k := range []crm.EntryKind{crm.EntryInvoice, crm.EntryPayment, crm.EntryAllocation, crm.EntryCreditNote, crm.EntryWriteOff,
		crm.EntryRefund, crm.EntryReversal} {
		assert.Greater(t, kinds[k], 3, "entries of kind %s", k)
	}
	for _, k := range []crm.EntryKind{crm.EntryInvoice, crm.EntryPayment, crm.EntryAllocation} {
		assert.Greater(t, reversed[k], 0, "reversals of %s entries", k)
	}
	assert.Len(t, currencies, len(ledgerCurrencies))
	for name, n := range map[string]int{"allocations across currencies": cross / 2, "settled differences": settled, "keyed entries": keyed,
		"entries on marks": onMarks} {
		assert.Greater(t, n, 3, name)
	}

	var negative int
	for _, it := range want.openItems[0] {
		if (it.Account == crm.AccountReceivable && it.Open.IsNegative()) || (it.Account == crm.AccountCredit && it.Open.IsPositive()) {
			negative++
		}
	}
	assert.Greater(t, negative, 0, "overdrawn items")
	pastCredit := 0
	for i, q := range want.q.openItems {
		if !q.asOf.IsZero() && len(want.credit[i]) > 0 {
			pastCredit++
		}
	}
	assert.Greater(t, pastCredit, 1, "unapplied credit as of past dates")
	full := 0
	for i, q := range want.q.aging {
		buckets := map[int]bool{}
		for _, a := range want.aging[i] {
			buckets[a.Bucket] = true
		}
		if q.Bounds == nil && q.Customer.IsZero() && len(buckets) == len(crm.DefaultAgingBounds())+2 {
			full++
		}
	}
	assert.Greater(t, full, 1, "as-of dates with every default bucket")
	var lessRevenue, answered int
	for _, rows := range want.revenue {
		for _, r := range rows {
			if r.NetRevenueMinor < 0 || r.InvoicedMinor < 0 {
				lessRevenue++
			}
		}
		if len(rows) > 0 {
			answered++
		}
	}
	assert.Greater(t, lessRevenue, 0, "revenue given back beyond what was booked in a window")
	assert.Greater(t, answered, len(want.revenue)/2, "most revenue questions have answers")
	t.Logf("entries by kind %v, reversals by kind %v; %d across currencies, %d settled, %d keyed, %d on marks; %d overdrawn items; "+
		"%d as-of dates with every bucket; %d revenue rows given back", kinds, reversed, cross/2, settled, keyed, onMarks, negative, full, lessRevenue)
}
