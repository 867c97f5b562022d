package storetest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/memory"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The default size of the property test: a few seeds of some steps each,
// fast enough for -race on SQLite (a step verifies the whole ledger, so a
// run takes the square of its steps). CRMKIT_PROPERTY_SEEDS and
// CRMKIT_PROPERTY_STEPS run more; CRMKIT_PROPERTY_SEED replays one seed.
const (
	propSeeds = 4
	propSteps = 100
)

// propCurrencies are the currencies of the property test: two with
// cents, one without.
var propCurrencies = []crm.Currency{eur, usd, jpy}

// propRates are exchange rates of allocations across currencies.
var propRates = []decimal.Decimal{dec("1.08"), dec("0.93"), dec("161.5"), dec("0.0062"), dec("0.5")}

// propertyRuns returns the seeds and the number of steps to run, from the
// environment.
func propertyRuns(t *testing.T) ([]uint64, int) {
	number := func(name string, def uint64) uint64 {
		v := os.Getenv(name)
		if v == "" {
			return def
		}
		n, err := strconv.ParseUint(v, 10, 64)
		require.NoError(t, err, "%s=%q", name, v)
		return n
	}
	steps := int(number("CRMKIT_PROPERTY_STEPS", propSteps))
	if os.Getenv("CRMKIT_PROPERTY_SEED") != "" {
		return []uint64{number("CRMKIT_PROPERTY_SEED", 0)}, steps
	}
	var seeds []uint64
	for i := range number("CRMKIT_PROPERTY_SEEDS", propSeeds) {
		seeds = append(seeds, 1+i)
	}
	return seeds, steps
}

// runLedgerProperty runs random command sequences through the CRM on the
// store under test and, in lockstep, on a fresh memory store, both with
// the Team's clock and seeded IDs. A model of what is open on every item
// predicts each command's outcome: what it posts or why it is refused.
// After every step both ledgers verify and the store's open items are the
// model's; a refused command, and a retry with a used idempotency key,
// change nothing. At the end both stores answer every question alike.
func runLedgerProperty(t *testing.T, newStore NewStoreFunc) {
	seeds, steps := propertyRuns(t)
	for _, seed := range seeds {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			began := time.Now()
			p := newProp(t, seed, newStore(t))
			for p.step = 1; p.step <= steps; p.step++ {
				p.run(p.next())
			}
			p.agree()
			var stats []string
			for _, kind := range slices.Sorted(maps.Keys(p.stats)) {
				stats = append(stats, fmt.Sprintf("%s %d/%d", kind, p.stats[kind][0], p.stats[kind][1]))
			}
			t.Logf("%d steps, %d entries, %d refused or retried, in %s; succeeded/refused: %s", steps, len(p.m.entries), p.refused,
				time.Since(began).Round(time.Millisecond), strings.Join(stats, ", "))
		})
	}
	t.Run("Regressions", func(t *testing.T) { runLedgerRegressions(t, newStore) })
}

// propItem is what the model knows of an invoice or a credit.
type propItem struct {
	id       crm.ID
	customer crm.ID
	account  crm.AccountType
	currency crm.Currency
	due      crm.Date
	balance  int64 // the sum of its postings: positive while an invoice is owed, negative while a credit is left
	// For an invoice: its entry, issue date, net and tax, which credit
	// notes are made of.
	entry    crm.ID
	issued   crm.Date
	net, tax int64
}

// open returns what is open: owed on an invoice, left of a credit.
func (it *propItem) open() int64 {
	if it.account == crm.AccountCredit {
		return -it.balance
	}
	return it.balance
}

// propEntry is what the model knows of an entry: what it moves on each
// item.
type propEntry struct {
	id        crm.ID
	kind      crm.EntryKind
	effective crm.Date
	deltas    map[crm.ID]int64
	of        crm.ID // for an unallocation: its allocation
}

// propModel is the ledger as the model sees it.
type propModel struct {
	items    map[crm.ID]*propItem
	order    []crm.ID // items in the order made
	entries  []propEntry
	reversed map[crm.ID]bool
	// paid is what each allocation entry paid on its invoice, at its
	// rate; notes are the credit notes issued.
	paid  map[crm.ID][]propPaid
	notes []propNote
	// given is the unallocation that gave back each share of an
	// allocation (its entry and invoice), reversed or not.
	given map[propShare]crm.ID
	// earliest is the earliest effective date of the entries posted in
	// the current step, zero when none.
	earliest crm.Date
	// lock is the day the books are closed through, zero while none is.
	lock        crm.Date
	lockVersion int64
	// high is the highest ID of an entry posted: the IDs a command makes
	// are higher than any made before, and an entry's are higher than
	// its document's, so a row with a higher ID was left by a command the
	// model expects nothing of.
	high crm.ID
}

// propPaid is what an allocation paid on an invoice, in its currency.
type propPaid struct {
	invoice crm.ID
	amount  int64
}

// propNote is a credit note as the model sees it.
type propNote struct {
	entry, invoice  crm.ID
	net, tax, total int64
	refund          bool
}

// credited adds up what the credit notes on an invoice not reversed took
// back, and what of it was kept as credit to refund.
func (m *propModel) credited(invoice crm.ID) (all, refund propNote) {
	for _, n := range m.notes {
		if n.invoice != invoice || m.reversed[n.entry] {
			continue
		}
		all.net, all.tax, all.total = all.net+n.net, all.tax+n.tax, all.total+n.total
		if n.refund {
			refund.total += n.total
		}
	}
	return all, refund
}

// paidOn adds up what allocations not reversed paid on an invoice.
func (m *propModel) paidOn(invoice crm.ID) int64 {
	var n int64
	for entry, ps := range m.paid {
		for _, p := range ps {
			if p.invoice == invoice && !m.reversed[entry] && !m.givenBack(entry, invoice) {
				n += p.amount
			}
		}
	}
	return n
}

func (m *propModel) add(it *propItem) {
	m.items[it.id] = it
	m.order = append(m.order, it.id)
}

func (m *propModel) post(id crm.ID, kind crm.EntryKind, effective crm.Date, deltas map[crm.ID]int64) {
	for item, d := range deltas {
		m.items[item].balance += d
	}
	m.entries = append(m.entries, propEntry{id: id, kind: kind, effective: effective, deltas: deltas})
	if m.earliest.IsZero() || effective.Before(m.earliest) {
		m.earliest = effective
	}
	if id.Compare(m.high) > 0 {
		m.high = id
	}
}

// openAsOf returns what was open on an item as of a day: from the
// entries effective by then.
func (m *propModel) openAsOf(it *propItem, day crm.Date) int64 {
	var balance int64
	for _, e := range m.entries {
		if !e.effective.After(day) {
			balance += e.deltas[it.id]
		}
	}
	if it.account == crm.AccountCredit {
		return -balance
	}
	return balance
}

// backDated reports whether a command dated day would take more off an
// invoice or a credit than was open on it that day or on any day since:
// the CRM refuses what would show it paid before it was issued, used
// before it was received, or paid beyond its amount between a later
// write-off and its reversal, as of any day.
func (m *propModel) backDated(day crm.Date, takes map[*propItem]int64) bool {
	if day.IsZero() {
		return false
	}
	for it, amount := range takes {
		if m.openAsOf(it, day) < amount {
			return true
		}
		for _, e := range m.entries {
			if _, ok := e.deltas[it.id]; ok && e.effective.After(day) && m.openAsOf(it, e.effective) < amount {
				return true
			}
		}
	}
	return false
}

// select returns the items that pass ok, in the order made.
func (m *propModel) selectItems(ok func(*propItem) bool) []*propItem {
	var out []*propItem
	for _, id := range m.order {
		if it := m.items[id]; ok(it) {
			out = append(out, it)
		}
	}
	return out
}

// openItems returns the open items as storekit.OpenItems returns them.
func (m *propModel) openItems() []crm.OpenItem {
	out := []crm.OpenItem{}
	for _, it := range m.selectItems(func(it *propItem) bool { return it.balance != 0 }) {
		out = append(out, crm.OpenItem{Customer: it.customer, Account: it.account, Item: it.id, Due: it.due,
			Open: crm.MoneyFromMinor(it.balance, it.currency)})
	}
	slices.SortFunc(out, func(a, b crm.OpenItem) int {
		return cmp.Or(a.Customer.Compare(b.Customer), cmp.Compare(a.Account, b.Account), a.Due.Compare(b.Due), a.Item.Compare(b.Item))
	})
	return out
}

// propCmd is a command of the property test: what it runs on each side,
// the error it must fail with (nil: it must succeed), and what the model
// makes of its result on the store under test.
type propCmd struct {
	kind  string // what it does, for the statistics
	name  string
	run   func(b *books) (any, error)
	want  error
	alt   error                         // another error it may fail with instead, as refused
	day   crm.Date                      // the day it posts on, zero for today
	retry bool                          // a retry with a used key: it succeeds and changes nothing
	check func(t *testing.T, err error) // more about the error, if any
	apply func(v any)                   // on success
	key   string                        // the idempotency key, if any
}

// propKeyed is a command that succeeded with an idempotency key, to be
// retried.
type propKeyed struct {
	name  string
	key   string
	run   func(b *books) (any, error)
	entry crm.ID
	first any // what the command returned
}

// prop is one run of the property test.
type prop struct {
	t         *testing.T
	seed      uint64
	step      int
	r         *rand.Rand
	sides     []*books // the store under test, then a memory store
	customers []crm.ID
	m         propModel
	keyed     []propKeyed
	history   []string
	refused   int
	stats     map[string]*[2]int // per kind of command: how many succeeded, how many were refused
}

func newProp(t *testing.T, seed uint64, s crm.Store) *prop {
	p := &prop{t: t, seed: seed, r: rand.New(rand.NewPCG(seed, seed^0x9a0b)),
		m: propModel{items: map[crm.ID]*propItem{}, reversed: map[crm.ID]bool{}, paid: map[crm.ID][]propPaid{}, given: map[propShare]crm.ID{}}, stats: map[string]*[2]int{}}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("seed %d failed at step %d; replay it with CRMKIT_PROPERTY_SEED=%d CRMKIT_PROPERTY_STEPS=%d; the last steps:\n%s",
				seed, p.step, seed, p.step, strings.Join(p.history[max(0, len(p.history)-15):], "\n"))
		}
	})
	for _, store := range []crm.Store{s, memory.New()} {
		b := newBooks(t, store)
		var customers []crm.ID
		for i := range 3 {
			customers = append(customers, b.customer(t, fmt.Sprintf("Debtor %d", i)))
		}
		if p.sides != nil {
			require.Equal(t, p.customers, customers, "the stores make the same IDs")
			require.Equal(t, p.sides[0].fin.ID, b.fin.ID, "the stores make the same IDs")
		}
		p.sides, p.customers = append(p.sides, b), customers
	}
	return p
}

// msg describes where the run is, for failure messages.
func (p *prop) msg(format string, args ...any) string {
	return fmt.Sprintf("seed %d, step %d: ", p.seed, p.step) + fmt.Sprintf(format, args...)
}

// run runs a command on both stores and checks its outcome, then checks
// both ledgers.
func (p *prop) run(c propCmd) {
	t := p.t
	t.Helper()
	p.history = append(p.history, fmt.Sprintf("  step %d: %s", p.step, c.name))
	p.m.earliest = crm.Date{}
	unchanged := c.want != nil || c.retry
	var before []propSnapshot
	if unchanged {
		before = p.snapshots()
	}
	results := make([]any, len(p.sides))
	for i, b := range p.sides {
		v, err := c.run(b)
		side := []string{"the store under test", "the memory store"}[i]
		if c.want == nil {
			require.NoError(t, err, p.msg("%s on %s", c.name, side))
		} else if c.alt == nil || !errors.Is(err, c.alt) {
			require.ErrorIs(t, err, c.want, p.msg("%s on %s", c.name, side))
			if c.check != nil {
				c.check(t, err)
			}
		}
		results[i] = comparableResult(v)
	}
	if c.want == nil {
		assertSame(t, results[1], results[0], p.msg("%s: the stores agree", c.name))
	}
	if unchanged {
		p.refused++
		for i, after := range p.snapshots() {
			if !assertSame(t, before[i], after, p.msg("%s changed nothing", c.name)) {
				t.FailNow()
			}
			p.nothingAfter(p.sides[i], p.m.high, p.msg("%s left nothing behind", c.name))
		}
	}
	if c.want == nil && c.apply != nil {
		c.apply(results[0])
	}
	if p.stats[c.kind] == nil {
		p.stats[c.kind] = &[2]int{}
	}
	outcome := 0
	if c.want != nil {
		outcome = 1
	}
	p.stats[c.kind][outcome]++
	p.verify()
}

// comparableResult returns a result as it compares: invoices' decimals in their
// shortest form.
func comparableResult(v any) any {
	if inv, ok := v.(crm.Invoice); ok {
		return sameInvoices(inv)[0]
	}
	return v
}

// propSnapshot is what a refused command must leave as it was, besides
// adding no row (nothingAfter): what is open, the books, the log.
type propSnapshot struct {
	Items []crm.OpenItem
	Books []crm.Book
	Head  crm.LogHead
}

func (p *prop) snapshots() []propSnapshot {
	ctx := context.Background()
	var out []propSnapshot
	for _, b := range p.sides {
		var s propSnapshot
		view(p.t, b.Store, func(tx crm.ReadTx) error {
			var err error
			if s.Items, err = tx.Ledger().OpenItems(ctx, crm.ID{}, crm.Date{}); err != nil {
				return err
			}
			for _, c := range p.customers {
				book, err := tx.Ledger().Book(ctx, c)
				if err != nil && !errors.Is(err, crm.ErrNotFound) {
					return err
				}
				s.Books = append(s.Books, book)
			}
			s.Head, err = tx.Events().Head(ctx)
			return err
		})
		out = append(out, s)
	}
	return out
}

// nothingAfter requires a store to hold no entry, invoice or credit with
// an ID above high.
func (p *prop) nothingAfter(b *books, high crm.ID, msg string) {
	after := crm.PageRequest{After: high, Limit: 10}
	view(p.t, b.Store, func(tx crm.ReadTx) error {
		es, err := tx.Ledger().Entries(bg, crm.EntryFilter{}, after)
		require.NoError(p.t, err)
		is, err := tx.Invoices().List(bg, crm.InvoiceFilter{}, after)
		require.NoError(p.t, err)
		cs, err := tx.Credits().List(bg, crm.ID{}, after)
		require.NoError(p.t, err)
		assert.Empty(p.t, idsOf(es, entryID), msg)
		assert.Empty(p.t, idsOf(is, invoiceID), msg)
		assert.Empty(p.t, idsOf(cs, creditID), msg)
		return nil
	})
}

// verify requires both ledgers to verify, and the store under test to
// have the model's open items and, every tenth step, its entries.
func (p *prop) verify() {
	t := p.t
	for _, b := range p.sides {
		require.NoError(t, b.Ledger.Verify(bg, b.fin.ID), p.msg("the ledger verifies"))
	}
	b := p.sides[0]
	items, err := b.Receivables.OpenItems(bg, b.fin.ID, crm.ReceivableQuery{})
	require.NoError(t, err)
	sameRows(t, p.m.openItems(), items, p.msg("the open items are the model's"))
	if !p.m.earliest.IsZero() {
		// As of the earliest day this step posted on, as of any day, no
		// invoice is paid beyond its amount and no credit used beyond its.
		items, err := b.Receivables.OpenItems(bg, b.fin.ID, crm.ReceivableQuery{AsOf: p.m.earliest})
		require.NoError(t, err)
		for _, it := range items {
			assert.False(t, (it.Account == crm.AccountReceivable && it.Open.IsNegative()) ||
				(it.Account == crm.AccountCredit && it.Open.IsPositive()), p.msg("as of %s, %s %s has %s open", p.m.earliest, it.Account, it.Item, it.Open))
		}
	}
	if p.step%10 == 0 {
		require.Len(t, b.entries(t, crm.ID{}), len(p.m.entries), p.msg("an entry for each the model expects"))
		p.agingIsDebts(b, crm.Date{})
	}
}

// agingIsDebts requires the aging as of a day (zero: today) to end where
// the debts do, per customer and currency: the buckets add up to the
// total, the total is what is owed on invoices, the credit is the
// unapplied credit, and the total less the credit is what the customer
// owes net.
func (p *prop) agingIsDebts(b *books, day crm.Date) {
	t := p.t
	aging, err := b.Receivables.Aging(bg, b.fin.ID, crm.AgingQuery{AsOf: day})
	require.NoError(t, err)
	debts, err := b.Receivables.Debts(bg, b.fin.ID, crm.ReceivableQuery{AsOf: day})
	require.NoError(t, err)
	type key struct {
		customer crm.ID
		currency crm.Currency
	}
	want, got := map[key]string{}, map[key]string{}
	for _, d := range debts {
		want[key{d.Customer, d.Net.Currency()}] = fmt.Sprintf("owed %s, credit %s, net %s", d.Owed, d.Credit, d.Net)
	}
	for _, r := range aging.Rows {
		sum, err := crm.Sum(r.Currency, r.Buckets...)
		require.NoError(t, err)
		assert.True(t, sum.Equal(r.Total), p.msg("as of %s, the buckets of %s in %s add up to %s, not %s", day, r.Customer, r.Currency, r.Total, sum))
		got[key{r.Customer, r.Currency}] = fmt.Sprintf("owed %s, credit %s, net %s", r.Total, r.Credit, r.Net)
	}
	assert.Equal(t, want, got, p.msg("as of %s, the aging ends where the debts do", day))
}

// agree requires both stores to hold the same entries, invoices and
// credits, and to answer the ledger's questions as the references do
// over the memory store's entries: open items and balances as of dates
// around today, aging in every set of bounds, revenue over windows.
func (p *prop) agree() {
	t := p.t
	today := p.today()
	customers := append([]crm.ID{{}}, p.customers...)
	dates := []crm.Date{{}, today.AddDays(-45), today.AddDays(-1), today, today.AddDays(60)}
	var q ledgerQuestions
	for _, c := range customers {
		for _, d := range dates {
			q.openItems = append(q.openItems, openItemsQuery{c, d})
		}
		for _, w := range [][2]crm.Date{{}, {today.AddDays(-30), today}, {{}, today.AddDays(-10)}} {
			q.revenue = append(q.revenue, revenueQuery{c, w[0], w[1]})
		}
	}
	q.balances = dates
	for _, d := range dates[1:] {
		for _, bounds := range ledgerBounds {
			for _, c := range customers[:2] {
				q.aging = append(q.aging, crm.AgingQuery{AsOf: d, Bounds: bounds, Customer: c})
			}
		}
	}
	under, ref := p.sides[0], p.sides[1]
	entries := ref.entries(t, crm.ID{})
	assertSameList(t, entries, under.entries(t, crm.ID{}), entryID, p.msg("the same entries"))
	for _, list := range []func(*books) any{
		func(b *books) any {
			return sameInvoices(allPages(t, b.Store, 100, invoiceID, listInvoices(crm.InvoiceFilter{}))...)
		},
		func(b *books) any { return allPages(t, b.Store, 100, creditID, listCredits(crm.ID{})) },
	} {
		assertSame(t, list(ref), list(under), p.msg("the same documents"))
	}
	for _, d := range dates {
		p.agingIsDebts(under, d)
	}
	want := q.answer(entries)
	for _, b := range p.sides {
		view(t, b.Store, func(tx crm.ReadTx) error {
			want.check(t, tx.Ledger(), p.seed)
			return nil
		})
	}
}

// The random choices of the commands.

func (p *prop) pick(n int) int { return p.r.IntN(n) }

func (p *prop) chance(f float64) bool { return p.r.Float64() < f }

func (p *prop) customer() crm.ID { return p.customers[p.pick(len(p.customers))] }

func (p *prop) currency() crm.Currency { return propCurrencies[p.pick(len(propCurrencies))] }

// today is the day of the stores' clocks, which move together.
func (p *prop) today() crm.Date { return crm.DateOf(p.sides[0].Clock.Now()) }

// amount returns up to a thousand units of cur in minor units, now and
// then a few minor units.
func (p *prop) amount(cur crm.Currency) int64 {
	if p.chance(0.1) {
		return 1 + p.r.Int64N(5)
	}
	limit := int64(1000)
	for range cur.MinorUnits() {
		limit *= 10
	}
	return 1 + p.r.Int64N(limit)
}

// upTo returns 1..n.
func (p *prop) upTo(n int64) int64 { return 1 + p.r.Int64N(n) }

// past returns the zero date (today) most of the time, else a day of the
// last weeks.
func (p *prop) past() crm.Date {
	if p.chance(0.7) {
		return crm.Date{}
	}
	return p.today().AddDays(-p.pick(40))
}

// key returns an idempotency key a third of the time, now and then with
// spaces around it, which the CRM trims.
func (p *prop) key() string {
	switch {
	case p.chance(0.05):
		return fmt.Sprintf(" key %d-%d\t", p.seed, p.step)
	case p.chance(0.3):
		return fmt.Sprintf("key %d-%d", p.seed, p.step)
	}
	return ""
}

// bad returns which of n kinds of bad input a command gets, or -1 for
// none, most of the time.
func (p *prop) bad(n int) int {
	if p.chance(0.12) {
		return p.pick(n)
	}
	return -1
}

// unknown is an ID no record has.
var unknown = crm.ID{0xff}

// other returns a currency other than cur.
func (p *prop) other(cur crm.Currency) crm.Currency {
	return propCurrencies[(slices.Index(propCurrencies, cur)+1+p.pick(len(propCurrencies)-1))%len(propCurrencies)]
}

// items returns the customer's items on account: the open ones, or
// every one now and then.
func (p *prop) items(customer crm.ID, account crm.AccountType, anyOpen float64) []*propItem {
	all := p.chance(anyOpen)
	return p.m.selectItems(func(it *propItem) bool {
		return it.customer == customer && it.account == account && (all || it.open() > 0)
	})
}

// next returns a random command.
func (p *prop) next() propCmd {
	for {
		var c propCmd
		ok := true
		switch x := p.r.Float64(); {
		case x < 0.2:
			c = p.issueInvoice()
		case x < 0.37:
			c = p.receivePayment()
		case x < 0.55:
			c, ok = p.allocate()
		case x < 0.62:
			c = p.creditNote()
		case x < 0.69:
			c, ok = p.writeOff()
		case x < 0.76:
			c, ok = p.refund()
		case x < 0.83:
			c, ok = p.reverse()
		case x < 0.86:
			c, ok = p.unallocate()
		case x < 0.95:
			c, ok = p.retry()
		case x < 0.965:
			c = p.forbidden()
		case x < 0.98:
			c = p.closePeriod()
		default:
			c = p.tick()
		}
		if ok {
			c = p.locked(c)
			c.kind, _, _ = strings.Cut(c.name, ":")
			if c.want == crm.ErrPeriodClosed {
				c.kind += " in a closed period"
			}
			if c.key != "" && c.want == nil {
				c = p.keep(c)
			}
			return c
		}
	}
}

// keep returns a keyed command that, when it succeeds, is kept to be
// retried.
func (p *prop) keep(c propCmd) propCmd {
	apply := c.apply
	c.apply = func(v any) {
		p.keyed = append(p.keyed, propKeyed{name: c.name, key: c.key, run: c.run, entry: entryOf(v), first: v})
		apply(v)
	}
	return c
}

// entryOf returns the entry a command's result was posted by.
func entryOf(v any) crm.ID {
	switch v := v.(type) {
	case crm.Invoice:
		return v.Entry
	case crm.Credit:
		return v.Entry
	case crm.PaymentReceipt:
		return v.Entry.ID
	case crm.Entry:
		return v.ID
	case crm.ReverseResult:
		return v.Reversal.ID
	}
	panic(fmt.Sprintf("no entry in %T", v))
}

// bg is the context of the property test's commands.
var bg = context.Background()

// issueInvoice issues an invoice of up to three lines at several tax rates,
// or refuses one with no lines, a line in another currency, a negative
// quantity, a due date before the issue, a tax rate above 100%, an unknown
// customer, a bad key, or lines that round to nothing.
func (p *prop) issueInvoice() propCmd {
	cust, cur := p.customer(), p.currency()
	n := crm.NewInvoice{Customer: cust, Currency: cur, Number: fmt.Sprintf("P-%d", p.step), Issued: p.past()}
	var net, tax int64
	for i := range 1 + p.pick(3) {
		l := crm.InvoiceLine{Description: fmt.Sprintf("Item %d", i), Quantity: dec([]string{"1", "2", "0.5", "1.25", "3"}[p.pick(5)]),
			UnitPrice: crm.MoneyFromMinor(p.amount(cur), cur), TaxRate: dec([]string{"0", "0.19", "0.07"}[p.pick(3)])}
		lineNet := l.UnitPrice.Amount().Mul(l.Quantity).Shift(cur.MinorUnits()).RoundBank(0).IntPart()
		net += lineNet
		tax += decimal.NewFromInt(lineNet).Mul(l.TaxRate).RoundBank(0).IntPart()
		n.Lines = append(n.Lines, l)
	}
	issued := cmp.Or(n.Issued, p.today())
	due := issued.AddDays(30)
	if p.chance(0.5) {
		n.Due = issued.AddDays(p.pick(60))
		due = n.Due
	}
	key := p.key()
	c := propCmd{key: key}
	if net+tax == 0 {
		c.want = crm.ErrInvalid
	}
	switch p.bad(8) {
	case 0:
		n.Lines, c.want = nil, crm.ErrInvalid
	case 1:
		n.Lines[0].UnitPrice, c.want = crm.MoneyFromMinor(100, p.other(cur)), crm.ErrCurrencyMismatch
	case 2:
		n.Lines[0].Quantity, c.want = dec("-1"), crm.ErrInvalid
	case 3:
		n.Issued, n.Due, c.want = p.today(), p.today().AddDays(-1), crm.ErrInvalid
	case 4:
		n.Lines[0].TaxRate, c.want = dec("1.5"), crm.ErrInvalid
	case 5:
		n.Customer, c.want = unknown, crm.ErrNotFound
	case 6:
		key, c.want = []string{"bad\x00key", strings.Repeat("k", 201), "bad\xffkey"}[p.pick(3)], crm.ErrInvalid
	case 7:
		n.Lines[0].Description, c.want = "", crm.ErrInvalid
	}
	c.name = fmt.Sprintf("invoice: %+v of %d, key %q", n, net+tax, key)
	n.IdempotencyKey = key
	c.run = func(b *books) (any, error) { return b.Ledger.IssueInvoice(bg, b.fin.ID, n) }
	c.day = n.Issued
	c.apply = func(v any) {
		inv := v.(crm.Invoice)
		assert.Equal(p.t, []int64{net, tax, net + tax}, []int64{minor(inv.Net), minor(inv.Tax), minor(inv.Total)}, p.msg("the invoice's totals"))
		assert.Equal(p.t, []crm.Date{issued, due}, []crm.Date{inv.Issued, inv.Due}, p.msg("the invoice's dates"))
		p.m.add(&propItem{id: inv.ID, customer: cust, account: crm.AccountReceivable, currency: cur, due: due, entry: inv.Entry,
			issued: inv.Issued, net: net, tax: tax})
		p.m.post(inv.Entry, crm.EntryInvoice, inv.Issued, map[crm.ID]int64{inv.ID: net + tax})
	}
	return c
}

// receivePayment receives a payment, applied oldest first or not, or
// refuses one of no, a negative or a currency-less amount, of an unknown
// customer, or with a control character in its reference.
func (p *prop) receivePayment() propCmd {
	cust, cur := p.customer(), p.currency()
	amount := p.amount(cur)
	if p.chance(0.3) {
		amount *= 3
	}
	oldest := p.chance(0.6)
	n := crm.NewPayment{Customer: cust, Amount: crm.MoneyFromMinor(amount, cur), Received: p.past(), Reference: fmt.Sprintf("Bank %d", p.step)}
	key := p.key()
	c := propCmd{key: key}
	switch p.bad(5) {
	case 0:
		n.Amount, c.want = crm.Zero(cur), crm.ErrInvalid
	case 1:
		n.Amount, c.want = n.Amount.Neg(), crm.ErrInvalid
	case 2:
		n.Amount, c.want = crm.Money{}, crm.ErrInvalid
	case 3:
		n.Customer, c.want = unknown, crm.ErrNotFound
	case 4:
		n.Reference, c.want = "Bank\x07", crm.ErrInvalid
	}
	c.name = fmt.Sprintf("payment: %+v, oldest first %t, key %q", n, oldest, key)
	if oldest {
		n.Allocation = crm.AllocateOldestFirst
	}
	n.IdempotencyKey = key
	c.run = func(b *books) (any, error) { return b.Ledger.ReceivePayment(bg, b.fin.ID, n) }
	c.day = n.Received
	c.apply = func(v any) {
		r := v.(crm.PaymentReceipt)
		assert.False(p.t, r.Duplicate, p.msg("a new payment"))
		assert.Equal(p.t, amount, minor(r.Payment.Amount), p.msg("the payment's amount"))
		var plan []*propItem
		if oldest {
			plan = p.m.selectItems(func(it *propItem) bool {
				return it.customer == cust && it.account == crm.AccountReceivable && it.currency == cur && it.open() > 0
			})
			slices.SortStableFunc(plan, func(a, b *propItem) int { return cmp.Or(a.due.Compare(b.due), a.id.Compare(b.id)) })
		}
		p.m.add(&propItem{id: r.Payment.ID, customer: cust, account: crm.AccountCredit, currency: cur})
		p.m.post(r.Entry.ID, crm.EntryPayment, r.Payment.Received, map[crm.ID]int64{r.Payment.ID: -amount})
		left := amount
		var want []propPaid // what the payment takes off each invoice, oldest due first
		for _, inv := range plan {
			if left == 0 {
				break
			}
			a := min(left, inv.open())
			left -= a
			want = append(want, propPaid{inv.id, a})
		}
		// An entry per day settled, with a posting to each invoice.
		var got []propPaid
		for _, e := range r.Allocations {
			deltas := map[crm.ID]int64{}
			for _, inv := range e.Invoices() {
				a := allocated([]crm.Entry{e}, inv)
				got = append(got, propPaid{inv, a})
				p.m.paid[e.ID] = append(p.m.paid[e.ID], propPaid{inv, a})
				deltas[r.Payment.ID] += a
				deltas[inv] = -a
			}
			p.m.post(e.ID, crm.EntryAllocation, e.Effective, deltas)
		}
		slices.SortStableFunc(got, func(a, b propPaid) int {
			return slices.IndexFunc(want, func(w propPaid) bool { return w.invoice == a.invoice }) -
				slices.IndexFunc(want, func(w propPaid) bool { return w.invoice == b.invoice })
		})
		assert.Equal(p.t, want, got, p.msg("the allocations oldest first"))
	}
	return c
}

// allocate applies a credit to an invoice: in one currency, all that
// fits, a part, or as much as both allow; across currencies at a rate,
// settling the difference (as exchange gain or loss, within the default
// tolerance) or not. It is refused when the credit or the invoice is
// closed, when it asks more than either has, names a rate or a settlement
// in one currency, or none or no amount across currencies, or would settle
// a difference beyond the tolerance.
func (p *prop) allocate() (propCmd, bool) {
	cust := p.customer()
	credits, invoices := p.items(cust, crm.AccountCredit, 0.1), p.items(cust, crm.AccountReceivable, 0.1)
	if len(credits) == 0 || len(invoices) == 0 {
		return propCmd{}, false
	}
	cr, inv := credits[p.pick(len(credits))], invoices[p.pick(len(invoices))]
	r := crm.AllocationRequest{Customer: cust, Credit: cr.id, Invoice: inv.id, Effective: p.past()}
	avail, open := cr.open(), inv.open()
	key := p.key()
	c := propCmd{key: key}
	var amount, settled int64
	if cr.currency == inv.currency {
		amount = min(avail, open)
		switch p.pick(7) {
		case 0:
			r.Amount = crm.MoneyFromMinor(amount, cr.currency)
		case 1:
			amount = p.upTo(max(amount, 1))
			r.Amount = crm.MoneyFromMinor(amount, cr.currency)
		case 2: // as much as both allow
		case 3:
			r.Amount, c.want = crm.MoneyFromMinor(avail+p.upTo(100), cr.currency), crm.ErrOverAllocation
		case 4:
			r.Amount, c.want = crm.MoneyFromMinor(open+1, cr.currency), crm.ErrOverAllocation
		case 5:
			r.Amount, r.Rate, c.want = crm.MoneyFromMinor(p.upTo(max(amount, 1)), cr.currency), dec("1"), crm.ErrInvalid
		default:
			r.Amount, r.Settle, c.want = crm.MoneyFromMinor(p.upTo(max(amount, 1)), cr.currency), true, crm.ErrInvalid
		}
		settled = amount
	} else {
		amount = p.upTo(max(avail, 1))
		r.Amount, r.Rate, r.Settle = crm.MoneyFromMinor(amount, cr.currency), propRates[p.pick(len(propRates))], p.chance(0.5)
		settled = r.Amount.Amount().Mul(r.Rate).Shift(inv.currency.MinorUnits()).RoundBank(0).IntPart()
		switch {
		case p.chance(0.1):
			r.Rate, c.want = decimal.Decimal{}, crm.ErrCurrencyMismatch
		case p.chance(0.1):
			r.Amount, c.want = crm.Money{}, crm.ErrInvalid
		case p.chance(0.1):
			r.Amount, c.want = crm.MoneyFromMinor(avail+1, cr.currency), crm.ErrOverAllocation
		case settled <= 0:
			c.want = crm.ErrInvalid
		case settled > open && !r.Settle:
			c.want = crm.ErrOverAllocation
		}
	}
	if avail <= 0 || open <= 0 {
		c.want = crm.ErrInvalid
	}
	worth := settled // what the credit pays on the invoice, at the rate
	if r.Settle && c.want == nil {
		// Within the default tolerance: 1% of what is open, rounded down,
		// and never less than a minor unit.
		limit := max(1, decimal.NewFromInt(open).Mul(crm.DefaultFXShare).Floor().IntPart())
		if diff := open - settled; diff > limit || -diff > limit {
			c.want = crm.ErrFXTolerance
		}
		settled = open
	}
	if c.want == nil && p.m.backDated(r.Effective, map[*propItem]int64{cr: amount, inv: settled}) {
		c.want = crm.ErrInvalid
	}
	c.name = fmt.Sprintf("allocation: %+v of %d left to %d open, key %q", r, avail, open, key)
	r.IdempotencyKey = key
	c.run = func(b *books) (any, error) { return b.Ledger.Allocate(bg, b.fin.ID, r) }
	c.day = r.Effective
	c.apply = func(v any) {
		e := v.(crm.Entry)
		assert.Equal(p.t, settled, allocated([]crm.Entry{e}, inv.id), p.msg("what the allocation takes off the invoice"))
		p.m.post(e.ID, crm.EntryAllocation, e.Effective, map[crm.ID]int64{cr.id: amount, inv.id: -settled})
		p.m.paid[e.ID] = []propPaid{{inv.id, worth}}
	}
	return c, true
}

// creditNote credits an invoice of the customer, applied to it or kept
// as credit to refund, by a net amount whose tax is the invoice's in
// proportion; or refuses one beyond what the invoice has left to credit,
// beyond what is open on it (applied) or was paid on it (to refund), on a
// cancelled invoice or none, dated before the invoice or before what it
// takes was open, with tax other than the invoice's, a net in another
// currency or of nothing, or no reason.
func (p *prop) creditNote() propCmd {
	cust := p.customer()
	n := crm.NewCreditNote{Customer: cust, Issued: p.past(), Reason: "Returned goods", Refund: p.chance(0.4)}
	key := p.key()
	c := propCmd{key: key}
	invoices := p.items(cust, crm.AccountReceivable, 0.3)
	if len(invoices) == 0 {
		n.Net, c.want = crm.MoneyFromMinor(100, eur), crm.ErrInvalid
		c.name = fmt.Sprintf("credit-note: %+v with no invoice, key %q", n, key)
		n.IdempotencyKey = key
		c.run = func(b *books) (any, error) { return b.Ledger.IssueCreditNote(bg, b.fin.ID, n) }
		return c
	}
	inv := invoices[p.pick(len(invoices))]
	n.Invoice = inv.id
	prior, refunded := p.m.credited(inv.id)
	netLeft, taxLeft := inv.net-prior.net, inv.tax-prior.tax
	net := p.upTo(max(netLeft, 1))
	if p.chance(0.2) {
		net = max(netLeft, 1) // the rest
	}
	if p.chance(0.05) {
		net = netLeft + p.upTo(100)
	}
	tax := int64(0)
	if inv.net > 0 {
		tax = decimal.NewFromInt(net).Mul(decimal.NewFromInt(inv.tax).Div(decimal.NewFromInt(inv.net))).RoundBank(0).IntPart()
	}
	if net == netLeft {
		tax = taxLeft
	}
	tax = min(tax, taxLeft)
	total := net + tax
	n.Net = crm.MoneyFromMinor(net, inv.currency)
	if p.chance(0.3) {
		n.Tax = crm.MoneyFromMinor(tax, inv.currency)
	}
	issued := cmp.Or(n.Issued, p.today())
	switch {
	case p.m.reversed[inv.entry]:
		c.want = crm.ErrInvalid // cancelled
	case issued.Before(inv.issued):
		c.want = crm.ErrInvalid
	case net > netLeft:
		c.want = crm.ErrOverAllocation
	case n.Refund && total > max(0, p.m.paidOn(inv.id)-refunded.total):
		c.want = crm.ErrOverAllocation
	case !n.Refund && total > inv.open():
		c.want = crm.ErrOverAllocation
	case !n.Refund && p.m.backDated(n.Issued, map[*propItem]int64{inv: total}):
		c.want = crm.ErrInvalid
	}
	switch p.bad(5) {
	case 0:
		n.Tax, c.want = crm.MoneyFromMinor(tax+1, inv.currency), crm.ErrInvalid
	case 1:
		n.Net, n.Tax, n.Issued, c.want = crm.MoneyFromMinor(net, p.other(inv.currency)), crm.Money{}, crm.Date{}, crm.ErrCurrencyMismatch
		if p.m.reversed[inv.entry] {
			c.want = crm.ErrInvalid
		}
	case 2:
		n.Net, n.Tax, c.want = crm.Zero(inv.currency), crm.Money{}, crm.ErrInvalid
	case 3:
		n.Reason, c.want = " ", crm.ErrInvalid
	case 4:
		n.Invoice, c.want = unknown, crm.ErrInvalid
	}
	c.name = fmt.Sprintf("credit-note: %+v of %d+%d on %d/%d left, %d open, %d paid, key %q", n, net, tax, netLeft, taxLeft, inv.open(),
		p.m.paidOn(inv.id), key)
	n.IdempotencyKey = key
	c.run = func(b *books) (any, error) { return b.Ledger.IssueCreditNote(bg, b.fin.ID, n) }
	c.day = n.Issued
	c.apply = func(v any) {
		cr := v.(crm.Credit)
		assert.Equal(p.t, []int64{net, tax, total}, []int64{minor(cr.Net), minor(cr.Tax), minor(cr.Amount)}, p.msg("the credit note's amounts"))
		assert.Equal(p.t, inv.id, cr.Invoice, p.msg("the invoice it credits"))
		p.m.notes = append(p.m.notes, propNote{entry: cr.Entry, invoice: inv.id, net: net, tax: tax, total: total, refund: n.Refund})
		if n.Refund {
			p.m.add(&propItem{id: cr.ID, customer: cust, account: crm.AccountCredit, currency: inv.currency})
			p.m.post(cr.Entry, crm.EntryCreditNote, cr.Received, map[crm.ID]int64{cr.ID: -total})
			return
		}
		p.m.post(cr.Entry, crm.EntryCreditNote, cr.Received, map[crm.ID]int64{inv.id: -total})
	}
	return c
}

// writeOff writes off all or part of an invoice, or refuses to write off
// more than is open, anything of a closed invoice, or with no reason.
func (p *prop) writeOff() (propCmd, bool) {
	cust := p.customer()
	invoices := p.items(cust, crm.AccountReceivable, 0.15)
	if len(invoices) == 0 {
		return propCmd{}, false
	}
	inv := invoices[p.pick(len(invoices))]
	open := inv.open()
	r := crm.WriteOffRequest{Customer: cust, Invoice: inv.id, Reason: "Uncollectible", Effective: p.past()}
	key := p.key()
	c := propCmd{key: key}
	amount := open
	switch p.pick(5) {
	case 0: // all that is open
	case 1:
		amount = p.upTo(max(open, 1))
		r.Amount = new(crm.MoneyFromMinor(amount, inv.currency))
	case 2:
		r.Amount, c.want = new(crm.MoneyFromMinor(open+p.upTo(50), inv.currency)), crm.ErrOverAllocation
	case 3:
		r.Reason, c.want = "", crm.ErrInvalid
	default:
		r.Amount = new(crm.MoneyFromMinor(amount, inv.currency))
	}
	if open <= 0 && c.want != crm.ErrInvalid {
		c.want = crm.ErrInvalid
	}
	if c.want == nil && p.m.backDated(r.Effective, map[*propItem]int64{inv: amount}) {
		c.want = crm.ErrInvalid
	}
	c.name = fmt.Sprintf("write-off: %+v of %d open, key %q", r, open, key)
	r.IdempotencyKey = key
	c.run = func(b *books) (any, error) { return b.Ledger.WriteOff(bg, b.fin.ID, r) }
	c.day = r.Effective
	c.apply = func(v any) {
		p.m.post(v.(crm.Entry).ID, crm.EntryWriteOff, v.(crm.Entry).Effective, map[crm.ID]int64{inv.id: -amount})
	}
	return c, true
}

// refund pays back all or part of what is left of a credit, or refuses
// to pay back more, nothing, or with a control character in the
// reference.
func (p *prop) refund() (propCmd, bool) {
	cust := p.customer()
	credits := p.items(cust, crm.AccountCredit, 0.2)
	if len(credits) == 0 {
		return propCmd{}, false
	}
	cr := credits[p.pick(len(credits))]
	avail := cr.open()
	amount := avail
	key := p.key()
	c := propCmd{key: key}
	switch p.pick(5) {
	case 0: // all that is left
	case 1:
		amount = p.upTo(max(avail, 1))
	case 2:
		amount, c.want = avail+p.upTo(50), crm.ErrOverAllocation
	case 3:
		amount, c.want = 0, crm.ErrInvalid
	}
	r := crm.RefundRequest{Customer: cust, Credit: cr.id, Amount: crm.MoneyFromMinor(amount, cr.currency), Reference: "Refund", Effective: p.past()}
	if p.chance(0.05) {
		r.Reference, c.want = "Refund\x1b", crm.ErrInvalid
	}
	switch {
	case amount <= 0:
		c.want = crm.ErrInvalid
	case amount > avail && c.want == nil:
		c.want = crm.ErrOverAllocation
	case c.want == nil && p.m.backDated(r.Effective, map[*propItem]int64{cr: amount}):
		c.want = crm.ErrInvalid
	}
	c.name = fmt.Sprintf("refund: %+v of %d left, key %q", r, avail, key)
	r.IdempotencyKey = key
	c.run = func(b *books) (any, error) { return b.Ledger.Refund(bg, b.fin.ID, r) }
	c.day = r.Effective
	c.apply = func(v any) {
		p.m.post(v.(crm.Entry).ID, crm.EntryRefund, v.(crm.Entry).Effective, map[crm.ID]int64{cr.id: amount})
	}
	return c, true
}

// reverse reverses an entry, or is refused for a reversal, an entry
// reversed already, one whose reversal would overdraw an item, an unknown
// entry, or no reason.
func (p *prop) reverse() (propCmd, bool) {
	candidates := p.m.entries
	if p.chance(0.5) {
		candidates = slices.DeleteFunc(slices.Clone(candidates), func(e propEntry) bool {
			return e.kind == crm.EntryReversal || p.m.reversed[e.id]
		})
	}
	if len(candidates) == 0 {
		return propCmd{}, false
	}
	e := candidates[p.pick(len(candidates))]
	reason, key := "Posted by mistake", p.key()
	c := propCmd{key: key}
	// Reversing a document's entry reverses what settled it first (or
	// gives back the invoice's share of an allocation that settled
	// others too); reversing an allocation takes back, after it, what
	// was given back of it.
	settlements := p.m.settlements(e)
	after := p.m.givenOf(e)
	balance := map[crm.ID]int64{}
	for _, s := range append(slices.Clone(settlements), after...) {
		for item, d := range s.undo {
			balance[item] += d
		}
	}
	negated := map[crm.ID]int64{}
	for item, d := range e.deltas {
		negated[item] = -d
		it := p.m.items[item]
		if after := it.balance + balance[item] - d; (it.account == crm.AccountReceivable && after < 0) || (it.account == crm.AccountCredit && after > 0) {
			c.want = crm.ErrOverAllocation
		}
	}
	switch {
	case e.kind == crm.EntryReversal:
		c.want = crm.ErrInvalid
	case p.m.reversed[e.id]:
		c.want = crm.ErrReversed
	}
	target := e.id
	switch p.bad(2) {
	case 0:
		target, c.want = unknown, crm.ErrNotFound
	case 1:
		reason, c.want = "", crm.ErrInvalid
	}
	c.name = fmt.Sprintf("reversal: of %s entry %s, reason %q, key %q", e.kind, target, reason, key)
	c.run = func(b *books) (any, error) {
		return b.Ledger.Reverse(bg, b.fin.ID, crm.ReverseRequest{Entry: target, Reason: reason, IdempotencyKey: key})
	}
	c.apply = func(v any) {
		res := v.(crm.ReverseResult)
		require.Len(p.t, res.Settlements, len(settlements)+len(after), p.msg("what settled the %s is reversed with it", e.kind))
		for i, s := range settlements {
			p.undo(res.Settlements[i], s, p.msg("what settled it is reversed in the order posted"))
		}
		for i, s := range after {
			p.undo(res.Settlements[len(settlements)+i], s, p.msg("what was given back of the allocation is taken back after it"))
		}
		r := res.Reversal
		assert.Equal(p.t, e.id, r.Reverses, p.msg("what the reversal reverses"))
		p.m.reversed[e.id] = true
		p.m.post(r.ID, crm.EntryReversal, r.Effective, negated)
	}
	return c, true
}

// settlements returns what Reverse undoes before e, in the order posted:
// for a payment or a credit note, its allocations and unallocations
// still live, reversed; for an invoice, its write-offs and the
// allocations to it still live, reversed, or, for one that settled other
// invoices too, the invoice's share given back.
func (m *propModel) settlements(e propEntry) []propUndo {
	if e.kind != crm.EntryPayment && e.kind != crm.EntryCreditNote && e.kind != crm.EntryInvoice {
		return nil
	}
	var out []propUndo
	for _, s := range m.entries {
		settles := s.kind == crm.EntryAllocation || (s.kind == crm.EntryWriteOff && e.kind == crm.EntryInvoice) ||
			(s.kind == crm.EntryUnallocation && e.kind != crm.EntryInvoice)
		if !settles || m.reversed[s.id] {
			continue
		}
		// A document's entry posts to the document alone, but for a credit
		// note applied to its invoice: that posts to the invoice, whose
		// settlements are not the credit note's.
		for item := range e.deltas {
			if e.kind == crm.EntryCreditNote && m.items[item].account != crm.AccountCredit {
				continue
			}
			if _, ok := s.deltas[item]; !ok {
				continue
			}
			switch {
			case e.kind == crm.EntryInvoice && s.kind == crm.EntryAllocation && m.givenBack(s.id, item):
			case e.kind == crm.EntryInvoice && s.kind == crm.EntryAllocation && len(m.paid[s.id]) > 1:
				out = append(out, m.share(s, item))
			default:
				out = append(out, propUndo{entry: s, undo: negate(s.deltas)})
			}
		}
	}
	return out
}

// retry retries a command that succeeded with a key: the same request
// returns what the first returned and changes nothing; another request
// with the key is an *crm.IdempotencyError that names the first entry.
func (p *prop) retry() (propCmd, bool) {
	if len(p.keyed) == 0 {
		return propCmd{}, false
	}
	k := p.keyed[p.pick(len(p.keyed))]
	if p.chance(0.6) {
		return propCmd{name: "retry: " + k.name, run: k.run, retry: true, apply: func(v any) {
			assert.Equal(p.t, k.entry, entryOf(v), p.msg("the retry returns the first result"))
			switch r := v.(type) {
			case crm.PaymentReceipt:
				assert.True(p.t, r.Duplicate, p.msg("a retried receipt says so"))
				r.Duplicate = false
				v = r
			case crm.ReverseResult:
				assert.True(p.t, r.Duplicate, p.msg("a retried reversal says so"))
				r.Duplicate = false
				v = r
			}
			assertSame(p.t, k.first, v, p.msg("the retry returns exactly what the first call returned"))
		}}, true
	}
	n := newInvoice(p.customer(), crm.MoneyFromMinor(100, eur), "Another request")
	n.IdempotencyKey = k.key
	return propCmd{name: fmt.Sprintf("misuse: another request with the key of %s", k.name), want: crm.ErrConflict,
		run: func(b *books) (any, error) { return b.Ledger.IssueInvoice(bg, b.fin.ID, n) },
		check: func(t *testing.T, err error) {
			var ie *crm.IdempotencyError
			require.ErrorAs(t, err, &ie, p.msg("an idempotency error"))
			assert.Equal(t, crm.IdempotencyError{Key: strings.TrimSpace(k.key), Existing: k.entry}, *ie,
				p.msg("the error names the key and the first entry"))
		}}, true
}

// forbidden has a rep, who may not bill, issue an invoice.
func (p *prop) forbidden() propCmd {
	n := newInvoice(p.customer(), crm.MoneyFromMinor(100, eur), "Not mine to bill")
	return propCmd{name: "forbidden: an invoice by a rep", want: crm.ErrForbidden,
		run: func(b *books) (any, error) { return b.Ledger.IssueInvoice(bg, b.Ann.ID, n) }}
}

// tick moves the stores' clocks a few days on.
func (p *prop) tick() propCmd {
	days := 1 + p.pick(4)
	return propCmd{name: fmt.Sprintf("tick: %d days later", days), run: func(b *books) (any, error) {
		return b.Clock.Advance(time.Duration(days) * 24 * time.Hour), nil
	}}
}

// runLedgerRegressions checks bugs of package crm that the property test
// found, each alone: a payment applied oldest first while older credit is
// left; a key with a NUL, which PostgreSQL cannot hold and the CRM looked
// up before it checked it; a key with outer spaces, which the CRM trimmed
// when it posted but not when it looked it up, so that a retry conflicted
// with the first entry instead of returning it.
func runLedgerRegressions(t *testing.T, newStore NewStoreFunc) {
	t.Run("OldestFirstAppliesTheWholePayment", func(t *testing.T) {
		b := newBooks(t, newStore(t))
		c := b.customer(t, "Has credit")
		_, err := b.Ledger.ReceivePayment(bg, b.fin.ID, crm.NewPayment{Customer: c, Amount: crm.MoneyFromMinor(5_000, eur)})
		require.NoError(t, err)
		inv, err := b.Ledger.IssueInvoice(bg, b.fin.ID, newInvoice(c, crm.MoneyFromMinor(10_000, eur), "1"))
		require.NoError(t, err)
		r, err := b.Ledger.ReceivePayment(bg, b.fin.ID, crm.NewPayment{Allocation: crm.AllocateOldestFirst, Customer: c, Amount: crm.MoneyFromMinor(10_000, eur)})
		require.NoError(t, err)
		assert.Equal(t, int64(10_000), allocated(r.Allocations, inv.ID), "the payment pays the open invoice in full")
		assert.Zero(t, b.open(t, c, inv.ID))
	})

	t.Run("BackdatedBetweenAWriteOffAndItsReversal", func(t *testing.T) {
		b := newBooks(t, newStore(t))
		c := b.customer(t, "Written off, then not")
		today := crm.DateOf(b.Clock.Now())
		n := newInvoice(c, crm.MoneyFromMinor(10_000, eur), "1")
		n.Issued = today.AddDays(-20)
		inv, err := b.Ledger.IssueInvoice(bg, b.fin.ID, n)
		require.NoError(t, err)
		wo, err := b.Ledger.WriteOff(bg, b.fin.ID, crm.WriteOffRequest{Customer: c, Invoice: inv.ID, Reason: "Gone", Effective: today.AddDays(-10)})
		require.NoError(t, err)
		_, err = b.Ledger.Reverse(bg, b.fin.ID, crm.ReverseRequest{Entry: wo.ID, Reason: "They paid after all"}) // dated today
		require.NoError(t, err)
		// Nothing was open from 10 days ago until today: a payment dated 15
		// days ago cannot settle the invoice then, or it shows paid twice
		// over on those days.
		pay, err := b.Ledger.ReceivePayment(bg, b.fin.ID, crm.NewPayment{Customer: c, Amount: crm.MoneyFromMinor(10_000, eur), Received: today.AddDays(-15)})
		require.NoError(t, err)
		before := b.entries(t, c)
		_, err = b.Ledger.Allocate(bg, b.fin.ID, crm.AllocationRequest{Customer: c, Credit: pay.Payment.ID, Invoice: inv.ID, Effective: today.AddDays(-15)})
		require.ErrorIs(t, err, crm.ErrInvalid, "an allocation dated before the write-off its reversal undid")
		assert.Equal(t, before, b.entries(t, c), "the refused allocation wrote nothing")
		a, err := b.Ledger.Allocate(bg, b.fin.ID, crm.AllocationRequest{Customer: c, Credit: pay.Payment.ID, Invoice: inv.ID})
		require.NoError(t, err)
		assert.Equal(t, today, a.Effective)

		// Applied oldest first, a payment received then settles it today.
		c2 := b.customer(t, "Same, paid on receipt")
		n.Customer, n.Number = c2, "2"
		inv2, err := b.Ledger.IssueInvoice(bg, b.fin.ID, n)
		require.NoError(t, err)
		wo2, err := b.Ledger.WriteOff(bg, b.fin.ID, crm.WriteOffRequest{Customer: c2, Invoice: inv2.ID, Reason: "Gone", Effective: today.AddDays(-10)})
		require.NoError(t, err)
		_, err = b.Ledger.Reverse(bg, b.fin.ID, crm.ReverseRequest{Entry: wo2.ID, Reason: "They paid after all"})
		require.NoError(t, err)
		r, err := b.Ledger.ReceivePayment(bg, b.fin.ID, crm.NewPayment{Customer: c2, Amount: crm.MoneyFromMinor(10_000, eur), Received: today.AddDays(-15),
			Allocation: crm.AllocateOldestFirst})
		require.NoError(t, err)
		require.Len(t, r.Allocations, 1)
		assert.Equal(t, today, r.Allocations[0].Effective)
		for _, day := range []crm.Date{today.AddDays(-15), today.AddDays(-10), today.AddDays(-1), today} {
			items, err := b.Receivables.OpenItems(bg, b.fin.ID, crm.ReceivableQuery{AsOf: day})
			require.NoError(t, err)
			for _, it := range items {
				assert.False(t, (it.Account == crm.AccountReceivable && it.Open.IsNegative()) || (it.Account == crm.AccountCredit && it.Open.IsPositive()), "as of %s, %s %s has %s open", day, it.Account, it.Item, it.Open)
			}
		}
	})

	t.Run("KeyWithANulIsBadInput", func(t *testing.T) {
		b := newBooks(t, newStore(t))
		c := b.customer(t, "Typo")
		n := newInvoice(c, crm.MoneyFromMinor(100, eur), "1")
		n.IdempotencyKey = "bad\x00key"
		_, err := b.Ledger.IssueInvoice(bg, b.fin.ID, n)
		require.ErrorIs(t, err, crm.ErrInvalid)
	})

	t.Run("KeyWithOuterSpacesReplays", func(t *testing.T) {
		b := newBooks(t, newStore(t))
		c := b.customer(t, "Retrying")
		n := newInvoice(c, crm.MoneyFromMinor(10_000, eur), "1")
		n.IdempotencyKey = " bank line 7 "
		first, err := b.Ledger.IssueInvoice(bg, b.fin.ID, n)
		require.NoError(t, err)
		quick, err := crm.New(b.Store, crm.WithClock(b.Clock), crm.WithRetries(1, 0))
		require.NoError(t, err)
		n.IdempotencyKey = " bank line 7 "
		again, err := quick.Ledger.IssueInvoice(bg, b.fin.ID, n)
		require.NoError(t, err)
		assert.Equal(t, first.ID, again.ID, "the retry returns the first invoice")
	})
}
