package sqlstore_test

import (
	"context"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/memory"
	"github.com/crmkit/crm/store/storekit"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

// ledgerData is a company's receivables made from a seed by the CRM
// itself, on store/memory: invoices in four currencies due over two
// months, payments applied oldest first or left as credit, allocations
// within a currency and across currencies through fx_clearing (settling
// the difference as exchange gain or loss, or not), credit notes applied to
// their invoices or kept to refund, write-offs, refunds and reversals,
// over three months of effective dates; then a few entries no command
// makes (see oddEntries).
type ledgerData struct {
	customers []crm.ID
	entries   []crm.Entry // in ID order
	invoices  []crm.Invoice
	credits   []crm.Credit
}

// ledgerStart is the first day of the generated receivables.
var ledgerStart = day(2026, 1, 5)

// ledgerGen drives the CRM to make ledger data.
type ledgerGen struct {
	t     *testing.T
	ctx   context.Context
	r     *rand.Rand
	c     *crm.CRM
	s     crm.Store
	clock *crm.ManualClock
	actor crm.ID
	d     *ledgerData
}

func generateLedger(t *testing.T, seed uint64, commands int) ledgerData {
	ctx := context.Background()
	s := memory.New()
	clock := crm.NewManualClock(ledgerStart.In(time.UTC).Add(9 * time.Hour))
	// The data is for comparing sums, not for the four-eyes rule (tested
	// where it is defined): the generator's one user makes corrections of
	// any size alone.
	var unlimited []crm.Money
	for _, cur := range []crm.Currency{eur, usd, jpy, kwd} {
		unlimited = append(unlimited, crm.MoneyFromMinor(math.MaxInt64, cur))
	}
	c, err := crm.New(s, crm.WithClock(clock), crm.WithRandom(rand.NewChaCha8([32]byte{byte(seed)})), crm.WithCorrectionLimits(unlimited...))
	require.NoError(t, err)
	admin, err := c.Users.Bootstrap(ctx, crm.NewUser{Name: "Ada Admin", Email: "ada@example.com"})
	require.NoError(t, err)
	g := &ledgerGen{t: t, ctx: ctx, r: rand.New(rand.NewPCG(seed, seed^0x1ed9e5)), c: c, s: s, clock: clock,
		actor: admin.ID, d: &ledgerData{}}
	for i := range 6 {
		cu, err := c.Customers.Create(ctx, admin.ID, crm.NewCustomer{Kind: crm.Distributor, Name: fmt.Sprint("Customer ", i)})
		require.NoError(t, err)
		g.d.customers = append(g.d.customers, cu.ID)
	}
	steps := []func(crm.ID){g.invoice, g.invoice, g.invoice, g.pay, g.pay, g.allocate, g.allocate, g.creditNote,
		g.writeOff, g.refund, g.reverse}
	for range commands {
		clock.Advance(time.Duration(g.r.IntN(30)+1) * time.Hour)
		pick(g.r, steps)(pick(g.r, g.d.customers))
	}
	g.read()
	return *g.d
}

// today is the CRM clock's day.
func (g *ledgerGen) today() crm.Date { return crm.DateOf(g.clock.Now()) }

// amount is up to most minor units of cur, at least one.
func (g *ledgerGen) amount(most int64, cur crm.Currency) crm.Money {
	return crm.MoneyFromMinor(g.r.Int64N(most)+1, cur)
}

// The commands. A command the CRM refuses (more than is open, a reversal
// that would overdraw a credit) changes nothing: refusing is the CRM's
// business, tested in its package.

func (g *ledgerGen) invoice(customer crm.ID) {
	cur := pick(g.r, []crm.Currency{eur, eur, usd, jpy, kwd})
	issued := g.today().AddDays(-g.r.IntN(10))
	n := crm.NewInvoice{Customer: customer, Currency: cur, Number: fmt.Sprintf("INV %d %s", g.r.Int64(), hostileShort), Issued: issued,
		Due: issued.AddDays(g.r.IntN(61))}
	for range g.r.IntN(3) + 1 {
		n.Lines = append(n.Lines, crm.InvoiceLine{Description: "Work " + hostileShort,
			Quantity:  decimal.New(int64(g.r.IntN(400)+1), -int32(g.r.IntN(3))),
			UnitPrice: g.amount(50_000, cur), TaxRate: pick(g.r, []decimal.Decimal{{}, decimal.RequireFromString("0.19"), decimal.RequireFromString("0.07")})})
	}
	_, _ = g.c.Ledger.IssueInvoice(g.ctx, g.actor, n)
}

func (g *ledgerGen) pay(customer crm.ID) {
	cur := pick(g.r, []crm.Currency{eur, usd, jpy, kwd})
	_, _ = g.c.Ledger.ReceivePayment(g.ctx, g.actor, crm.NewPayment{Customer: customer, Amount: g.amount(150_000, cur),
		Received: g.today().AddDays(-g.r.IntN(5)), Reference: "Wire " + hostileShort,
		Allocation: pick(g.r, []crm.AllocationStrategy{crm.KeepAsCredit, crm.AllocateOldestFirst})})
}

// allocate applies part or all of an open credit to an open invoice, at
// a rate when their currencies differ.
func (g *ledgerGen) allocate(customer crm.ID) {
	credit, okCredit := g.openItem(customer, crm.AccountCredit)
	invoice, okInvoice := g.openItem(customer, crm.AccountReceivable)
	if !okCredit || !okInvoice {
		return
	}
	available, _ := credit.Open.Neg().Minor()
	r := crm.AllocationRequest{Customer: customer, Credit: credit.Item, Invoice: invoice.Item,
		Amount: crm.MoneyFromMinor(available/int64(g.r.IntN(3)+1), credit.Open.Currency()), Effective: g.today().AddDays(-g.r.IntN(3))}
	if credit.Open.Currency() != invoice.Open.Currency() {
		r.Rate, r.Settle = decimal.New(int64(g.r.IntN(20_000)+500), -4), g.r.IntN(2) == 0
		if r.Settle {
			// What settles the invoice at the rate, give or take 0.8%:
			// within the default tolerance, a gain or a loss.
			worth := invoice.Open.Amount().Div(r.Rate).Mul(decimal.New(int64(992+g.r.IntN(17)), -3))
			units := credit.Open.Currency().MinorUnits()
			r.Amount = crm.MoneyFromMinor(min(available, max(worth.Shift(units).RoundBank(0).IntPart(), 1)), credit.Open.Currency())
		}
	}
	_, _ = g.c.Ledger.Allocate(g.ctx, g.actor, r)
}

// creditNote credits part of an invoice open now, applied to it or kept
// as credit to refund (when enough of it was paid).
func (g *ledgerGen) creditNote(customer crm.ID) {
	if invoice, ok := g.openItem(customer, crm.AccountReceivable); ok {
		open, _ := invoice.Open.Minor()
		n := crm.NewCreditNote{Customer: customer, Invoice: invoice.Item, Net: g.amount(max(open/2, 1), invoice.Open.Currency()),
			Refund: g.r.IntN(2) == 0, Reason: "Goodwill " + hostileShort}
		_, _ = g.c.Ledger.IssueCreditNote(g.ctx, g.actor, n)
	}
}

func (g *ledgerGen) writeOff(customer crm.ID) {
	if invoice, ok := g.openItem(customer, crm.AccountReceivable); ok {
		r := crm.WriteOffRequest{Customer: customer, Invoice: invoice.Item, Reason: "Gone " + hostileShort,
			Effective: g.today().AddDays(-g.r.IntN(3))}
		if g.r.IntN(2) == 0 {
			open, _ := invoice.Open.Minor()
			r.Amount = new(crm.MoneyFromMinor(max(open/2, 1), invoice.Open.Currency()))
		}
		_, _ = g.c.Ledger.WriteOff(g.ctx, g.actor, r)
	}
}

func (g *ledgerGen) refund(customer crm.ID) {
	if credit, ok := g.openItem(customer, crm.AccountCredit); ok {
		available, _ := credit.Open.Neg().Minor()
		_, _ = g.c.Ledger.Refund(g.ctx, g.actor, crm.RefundRequest{Customer: customer, Credit: credit.Item,
			Amount: crm.MoneyFromMinor(max(available/int64(g.r.IntN(2)+1), 1), credit.Open.Currency())})
	}
}

// reverse reverses one of the customer's entries, today.
func (g *ledgerGen) reverse(customer crm.ID) {
	es := read(g.ctx, g.t, g.s, func(tx crm.ReadTx) ([]crm.Entry, error) {
		return tx.Ledger().Entries(g.ctx, crm.EntryFilter{Customer: customer}, crm.PageRequest{Limit: crm.MaxPageSize})
	})
	if len(es) > 0 {
		_, _ = g.c.Ledger.Reverse(g.ctx, g.actor, crm.ReverseRequest{Entry: pick(g.r, es).ID, Reason: "Mistake " + hostileShort})
	}
}

// openItem picks an item of the customer's account open now.
func (g *ledgerGen) openItem(customer crm.ID, account crm.AccountType) (crm.OpenItem, bool) {
	items := read(g.ctx, g.t, g.s, func(tx crm.ReadTx) ([]crm.OpenItem, error) {
		return tx.Ledger().OpenItems(g.ctx, customer, crm.Date{})
	})
	items = slices.DeleteFunc(items, func(it crm.OpenItem) bool { return it.Account != account })
	if len(items) == 0 {
		return crm.OpenItem{}, false
	}
	return pick(g.r, items), true
}

// read copies what the CRM wrote, then adds the odd entries.
func (g *ledgerGen) read() {
	ctx, d := g.ctx, g.d
	d.entries = readAll(ctx, g.t, g.s, crm.MaxPageSize, func(tx crm.ReadTx, page crm.PageRequest) ([]crm.Entry, error) {
		return tx.Ledger().Entries(ctx, crm.EntryFilter{}, page)
	}, func(e crm.Entry) crm.ID { return e.ID })
	d.invoices = readAll(ctx, g.t, g.s, crm.MaxPageSize, func(tx crm.ReadTx, page crm.PageRequest) ([]crm.Invoice, error) {
		return tx.Invoices().List(ctx, crm.InvoiceFilter{}, page)
	}, func(i crm.Invoice) crm.ID { return i.ID })
	d.credits = readAll(ctx, g.t, g.s, crm.MaxPageSize, func(tx crm.ReadTx, page crm.PageRequest) ([]crm.Credit, error) {
		return tx.Credits().List(ctx, crm.ID{}, page)
	}, func(c crm.Credit) crm.ID { return c.ID })
	d.entries = append(d.entries, oddEntries(g.t, d.customers)...)
	slices.SortFunc(d.entries, func(a, b crm.Entry) int { return a.ID.Compare(b.ID) })
}

// readAll reads a listing to its end, limit records to a page.
func readAll[T any](ctx context.Context, t *testing.T, s crm.Store, limit int, list func(crm.ReadTx, crm.PageRequest) ([]T, error),
	id func(T) crm.ID) []T {
	var out []T
	page := crm.PageRequest{Limit: limit}
	for {
		vs := read(ctx, t, s, func(tx crm.ReadTx) ([]T, error) { return list(tx, page) })
		out = append(out, vs...)
		if len(vs) < page.Limit {
			return out
		}
		page.After = id(vs[len(vs)-1])
	}
}

// oddEntries are entries no command makes, appended after the CRM's: an
// invoice whose amounts add up beyond 64 bits, so that its item and
// balances are twice the largest int64 (exact as Money; the aging and
// revenue that add it up do not fit); a receivable posting without a due date beside
// one with (the item is due then) and one alone (due on the zero date); an
// item whose later posting moves its due date earlier (it is due when the
// latest posting says, from the day that posting counts); an item due
// over 292 years before the as-of dates, past where crm.Date.DaysSince
// saturates; an entry without an effective date.
func oddEntries(t *testing.T, customers []crm.ID) []crm.Entry {
	huge := crm.MoneyFromMinor(math.MaxInt64, usd)
	first, second := customers[0], customers[1]
	beyond, undated, redated, ancient := newID(t), newID(t), newID(t), newID(t)
	entry := func(kind crm.EntryKind, customer crm.ID, effective crm.Date, ps ...crm.Posting) crm.Entry {
		return crm.Entry{ID: newID(t), Kind: kind, Customer: customer, Effective: effective, RecordedAt: at(1),
			Description: "odd " + hostile, Postings: ps}
	}
	return []crm.Entry{
		entry(crm.EntryInvoice, first, ledgerStart.AddDays(20),
			crm.Posting{Account: crm.AccountReceivable, Customer: first, Amount: huge, Item: beyond, Due: ledgerStart.AddDays(25)},
			crm.Posting{Account: crm.AccountReceivable, Customer: first, Amount: huge, Item: beyond, Due: ledgerStart.AddDays(25)},
			crm.Posting{Account: crm.AccountRevenue, Amount: huge.Neg()},
			crm.Posting{Account: crm.AccountRevenue, Amount: huge.Neg()}),
		entry(crm.EntryInvoice, second, ledgerStart.AddDays(30),
			crm.Posting{Account: crm.AccountReceivable, Customer: second, Amount: crm.MoneyFromMinor(700, eur), Item: undated},
			crm.Posting{Account: crm.AccountReceivable, Customer: second, Amount: crm.MoneyFromMinor(300, eur), Item: undated,
				Due: ledgerStart.AddDays(31)},
			crm.Posting{Account: crm.AccountReceivable, Customer: second, Amount: crm.MoneyFromMinor(5, eur), Item: newID(t)},
			crm.Posting{Account: crm.AccountRevenue, Amount: crm.MoneyFromMinor(-1_005, eur)}),
		entry(crm.EntryInvoice, second, ledgerStart.AddDays(40),
			crm.Posting{Account: crm.AccountReceivable, Customer: second, Amount: crm.MoneyFromMinor(500, usd), Item: redated,
				Due: ledgerStart.AddDays(100)},
			crm.Posting{Account: crm.AccountRevenue, Amount: crm.MoneyFromMinor(-500, usd)}),
		entry(crm.EntryWriteOff, second, ledgerStart.AddDays(50),
			crm.Posting{Account: crm.AccountReceivable, Customer: second, Amount: crm.MoneyFromMinor(-100, usd), Item: redated,
				Due: ledgerStart.AddDays(45)},
			crm.Posting{Account: crm.AccountWriteOff, Amount: crm.MoneyFromMinor(100, usd)}),
		entry(crm.EntryInvoice, second, ledgerStart,
			crm.Posting{Account: crm.AccountReceivable, Customer: second, Amount: crm.MoneyFromMinor(42, jpy), Item: ancient,
				Due: day(1700, 1, 1)},
			crm.Posting{Account: crm.AccountRevenue, Amount: crm.MoneyFromMinor(-42, jpy)}),
		// An exchange difference as allocations settled it before gains
		// and losses were told apart.
		entry(crm.EntryAllocation, second, ledgerStart.AddDays(35),
			crm.Posting{Account: crm.AccountFXResult, Amount: crm.MoneyFromMinor(3, eur)},
			crm.Posting{Account: crm.AccountReceivable, Customer: second, Amount: crm.MoneyFromMinor(-3, eur), Item: undated,
				Due: ledgerStart.AddDays(31)}),
		entry(crm.EntryInvoice, first, crm.Date{},
			crm.Posting{Account: crm.AccountReceivable, Customer: first, Amount: crm.MoneyFromMinor(9, kwd), Item: newID(t),
				Due: ledgerStart},
			crm.Posting{Account: crm.AccountRevenue, Amount: crm.MoneyFromMinor(-9, kwd)}),
	}
}

// insert writes the data through the repositories, a hundred records to a
// transaction.
func (d ledgerData) insert(ctx context.Context, t *testing.T, s crm.Store) {
	writeAll(ctx, t, s, 100, slices.Concat(
		each(d.entries, func(tx crm.Tx, e crm.Entry) error { return tx.Ledger().Append(ctx, e) }),
		each(d.invoices, func(tx crm.Tx, i crm.Invoice) error { return tx.Invoices().Insert(ctx, i) }),
		each(d.credits, func(tx crm.Tx, c crm.Credit) error { return tx.Credits().Insert(ctx, c) }),
	))
}

// requireVariety checks that the data has every kind of entry and
// posting the sums treat apart, so that the comparisons mean something.
func (d ledgerData) requireVariety(t *testing.T) {
	kinds := map[crm.EntryKind]int{}
	accounts := map[crm.AccountType]int{}
	reversed := map[crm.EntryKind]int{}
	for _, e := range d.entries {
		kinds[e.Kind]++
		reversed[e.ReversedKind]++
		for _, p := range e.Postings {
			accounts[p.Account]++
		}
	}
	for _, k := range []crm.EntryKind{crm.EntryInvoice, crm.EntryPayment, crm.EntryAllocation, crm.EntryCreditNote,
		crm.EntryWriteOff, crm.EntryRefund, crm.EntryReversal} {
		require.Positive(t, kinds[k], "entries of kind %s", k)
	}
	for _, a := range crm.Accounts() {
		require.Positive(t, accounts[a], "postings to %s", a)
	}
	require.Positive(t, reversed[crm.EntryInvoice], "a reversed invoice")
	require.Greater(t, len(reversed), 2, "reversals of several kinds")
	require.NotEmpty(t, d.invoices)
	require.NotEmpty(t, d.credits)
	buckets := map[int]bool{}
	for _, c := range d.customers[1:] { // the first one's aging does not fit in 64 bits
		aging, err := storekit.AggregateAging(d.entries, crm.AgingQuery{AsOf: ledgerStart.AddDays(120), Bounds: crm.DefaultAgingBounds(), Customer: c})
		require.NoError(t, err)
		for _, a := range aging {
			buckets[a.Bucket] = true
		}
	}
	require.Len(t, buckets, 6, "something open in every bucket")
	twice := new(big.Int).Mul(big.NewInt(math.MaxInt64), big.NewInt(2))
	require.True(t, slices.ContainsFunc(storekit.OpenItems(d.entries, d.customers[0], crm.Date{}), func(it crm.OpenItem) bool {
		return it.Open.Equal(crm.MoneyFromBigMinor(twice, usd))
	}), "the largest amounts add up exactly beyond 64 bits")
	_, err := storekit.AggregateAging(d.entries, crm.AgingQuery{AsOf: ledgerStart.AddDays(120), Bounds: crm.DefaultAgingBounds()})
	require.ErrorIs(t, err, crm.ErrOverflow, "an aging bucket beyond 64 bits")
	_, err = storekit.AggregateRevenue(d.entries, d.customers[0], crm.Date{}, crm.Date{})
	require.ErrorIs(t, err, crm.ErrOverflow, "revenue beyond 64 bits")
}
