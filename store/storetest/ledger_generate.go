package storetest

import (
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/shopspring/decimal"
)

// The sizes of the generated ledger: enough entries for every kind of
// entry, reversal and currency to come up for most customers and as-of
// dates, few enough that the suite runs in seconds on SQL stores under
// -race.
const (
	ledgerCustomers  = 16
	ledgerMinActions = 8
	ledgerMaxActions = 40 // per customer, uniformly ledgerMinActions..ledgerMaxActions: about 400 entries
	ledgerDays       = 182
)

// ledgerStart is the first day entries are effective on.
var ledgerStart = day(2025, 10, 1)

// ledgerMarks are days that many entries are effective on and invoices
// due on, to be asked as of: month and year ends and the days after.
var ledgerMarks = []crm.Date{day(2025, 11, 30), day(2025, 12, 31), day(2026, 1, 1), day(2026, 1, 31), day(2026, 2, 28), day(2026, 3, 2)}

// ledgerBounds are the aging bounds of the questions: the defaults (nil),
// a single day, uneven ones, and many.
var ledgerBounds = [][]int{nil, {1}, {7, 14, 30, 365}, {15, 45, 75, 105, 135, 165, 195, 225}}

// ledgerCurrencies are the currencies of the generated ledger: two
// decimals, none and three.
var ledgerCurrencies = []crm.Currency{eur, usd, jpy, kwd}

// ledgerRates are the exchange rates of allocations across currencies,
// in units of the invoice's currency per unit of the credit's.
var ledgerRates = []decimal.Decimal{dec("0.9"), dec("1.1"), dec("150.25"), dec("0.0067"), dec("3.3")}

// ledgerData is a generated ledger as it was stored: the reference
// implementations run over its entries.
type ledgerData struct {
	customers []crm.Customer
	invoices  []crm.Invoice
	credits   []crm.Credit
	entries   []crm.Entry
}

// ledgerGen makes ledgerData from a seeded source, so that a failure can
// be replayed: per customer, invoices, payments, credit notes,
// allocations (some across currencies, some settling the difference),
// write-offs, refunds and reversals, in random order of effective date.
// It keeps what is open on each item so that most entries are what the
// CRM would post; a few reversals overdraw an item, so that open items
// below zero come up too.
type ledgerGen struct {
	*generator
	d        ledgerData
	owner    crm.ID
	balance  map[crm.ID]int64 // per item: what a receivable owes, or minus what is left of a credit
	currency map[crm.ID]crm.Currency
	due      map[crm.ID]crm.Date
	reversed map[crm.ID]bool
	of       map[crm.ID]*ledgerItems // per customer
}

// ledgerItems are a customer's items and entries, in the order made.
type ledgerItems struct {
	invoices, credits []crm.ID
	entries           []crm.Entry
}

func generateLedger(seed uint64) *ledgerGen {
	gen := &ledgerGen{generator: &generator{r: rand.New(rand.NewPCG(seed, seed^0x1ed9e7)), g: &ids{}},
		balance: map[crm.ID]int64{}, currency: map[crm.ID]crm.Currency{}, due: map[crm.ID]crm.Date{}, reversed: map[crm.ID]bool{},
		of: map[crm.ID]*ledgerItems{}}
	gen.owner = gen.g.next()
	for i := range ledgerCustomers {
		c := sampleCustomer(gen.g.next(), gen.owner)
		c.Name = fmt.Sprintf("Debtor %02d", i)
		gen.d.customers = append(gen.d.customers, c)
		gen.of[c.ID] = &ledgerItems{}
	}
	for i, c := range gen.d.customers {
		currencies := []crm.Currency{ledgerCurrencies[i%len(ledgerCurrencies)], ledgerCurrencies[(i+1)%len(ledgerCurrencies)]}
		for range ledgerMinActions + gen.pick(ledgerMaxActions-ledgerMinActions+1) {
			gen.action(c.ID, currencies)
		}
	}
	return gen
}

// action does one random thing to a customer's ledger, in their first
// currency most of the time.
func (gen *ledgerGen) action(customer crm.ID, currencies []crm.Currency) {
	cur := currencies[0]
	if gen.chance(0.25) {
		cur = currencies[1]
	}
	switch x := gen.r.Float64(); {
	case x < 0.26:
		gen.invoice(customer, cur, gen.effective())
	case x < 0.46:
		gen.payment(customer, cur, gen.effective())
	case x < 0.53:
		gen.creditNote(customer, cur)
	case x < 0.76:
		gen.allocation(customer)
	case x < 0.83:
		gen.writeOff(customer)
	case x < 0.88:
		gen.refund(customer)
	default:
		gen.reversal(customer)
	}
}

// effective returns a day of the ledger's span, often one of the marks.
func (gen *ledgerGen) effective() crm.Date {
	if gen.chance(0.2) {
		return ledgerMarks[gen.pick(len(ledgerMarks))]
	}
	return ledgerStart.AddDays(gen.pick(ledgerDays))
}

// amount returns up to a thousand units of cur, in minor units.
func (gen *ledgerGen) amount(cur crm.Currency) int64 {
	limit := int64(1000)
	for range cur.MinorUnits() {
		limit *= 10
	}
	return 1 + gen.r.Int64N(limit)
}

// part returns all of n or, half the time, a part of it.
func (gen *ledgerGen) part(n int64) int64 {
	if gen.chance(0.5) {
		return n
	}
	return 1 + gen.r.Int64N(n)
}

// post records an entry of the customer and the balances it moves.
func (gen *ledgerGen) post(e crm.Entry) crm.Entry {
	e.RecordedAt = e.Effective.In(time.UTC).Add(time.Duration(gen.r.Int64N(int64(24*time.Hour/time.Microsecond))) * time.Microsecond)
	e.RecordedBy = gen.owner
	if gen.chance(0.4) {
		e.IdempotencyKey = "gen " + e.ID.String()
	}
	e.RequestHash = crm.Hash(sha256.Sum256(e.ID[:]))
	for _, p := range e.Postings {
		if !p.Customer.IsZero() {
			gen.balance[p.Item] += minor(p.Amount)
		}
	}
	gen.d.entries = append(gen.d.entries, e)
	gen.of[e.Customer].entries = append(gen.of[e.Customer].entries, e)
	return e
}

// minor returns an exact amount in minor units.
func minor(m crm.Money) int64 {
	n, err := m.Minor()
	if err != nil {
		panic(err)
	}
	return n
}

// dueDate returns when an invoice issued on issued is due: usually after
// the usual terms, now and then exactly on or next to a bucket's edge as
// of a mark.
func (gen *ledgerGen) dueDate(issued crm.Date) crm.Date {
	if gen.chance(0.15) {
		edges := []int{0, 1, 7, 14, 15, 30, 31, 60, 61, 90, 91, 120, 121, 225, 226, 365, 366}
		return ledgerMarks[gen.pick(len(ledgerMarks))].AddDays(-edges[gen.pick(len(edges))])
	}
	return issued.AddDays([]int{0, 14, 30, 60, 90}[gen.pick(5)])
}

// invoice issues an invoice of up to three lines with tax at three
// rates, or none.
func (gen *ledgerGen) invoice(customer crm.ID, cur crm.Currency, issued crm.Date) crm.Invoice {
	inv := crm.Invoice{ID: gen.g.next(), Customer: customer, Number: fmt.Sprintf("G-%d", len(gen.d.invoices)), Currency: cur,
		Issued: issued, Due: gen.dueDate(issued), Entry: gen.g.next(), CreatedAt: issued.In(time.UTC), Version: 1}
	var net, tax int64
	for i := range 1 + gen.pick(3) {
		rate := []decimal.Decimal{{}, dec("0.19"), dec("0.075")}[gen.pick(3)]
		n := gen.amount(cur)
		net += n
		tax += decimal.NewFromInt(n).Mul(rate).RoundBank(0).IntPart()
		inv.Lines = append(inv.Lines, crm.InvoiceLine{Description: fmt.Sprintf("Line %d", i), Quantity: dec("1"),
			UnitPrice: crm.MoneyFromMinor(n, cur), TaxRate: rate})
	}
	inv.Net, inv.Tax, inv.Total = crm.MoneyFromMinor(net, cur), crm.MoneyFromMinor(tax, cur), crm.MoneyFromMinor(net+tax, cur)
	if inv.Issued.After(inv.Due) {
		inv.Issued = inv.Due
	}
	e := crm.Entry{ID: inv.Entry, Kind: crm.EntryInvoice, Customer: customer, Document: inv.ID, Effective: inv.Issued,
		Description: "Invoice " + inv.Number, Postings: []crm.Posting{receivable(inv, net+tax), company(crm.AccountRevenue, -net, cur)}}
	if tax > 0 {
		e.Postings = append(e.Postings, company(crm.AccountTax, -tax, cur))
	}
	gen.d.invoices = append(gen.d.invoices, inv)
	gen.of[customer].invoices = append(gen.of[customer].invoices, inv.ID)
	gen.currency[inv.ID], gen.due[inv.ID] = cur, inv.Due
	gen.post(e)
	return inv
}

// credit records a credit of the customer and returns it.
func (gen *ledgerGen) credit(c crm.Credit) crm.Credit {
	c.ID, c.Entry, c.CreatedAt, c.Version = gen.g.next(), gen.g.next(), c.Received.In(time.UTC), 1
	gen.d.credits = append(gen.d.credits, c)
	gen.of[c.Customer].credits = append(gen.of[c.Customer].credits, c.ID)
	gen.currency[c.ID] = c.Amount.Currency()
	return c
}

func (gen *ledgerGen) payment(customer crm.ID, cur crm.Currency, received crm.Date) crm.Credit {
	amount := gen.amount(cur)
	c := gen.credit(crm.Credit{Customer: customer, Kind: crm.CreditPayment, Amount: crm.MoneyFromMinor(amount, cur), Received: received,
		Reference: "Bank"})
	gen.post(crm.Entry{ID: c.Entry, Kind: crm.EntryPayment, Customer: customer, Document: c.ID, Effective: c.Received, Description: "Payment",
		Postings: []crm.Posting{company(crm.AccountCash, amount, cur), credit(c, -amount)}})
	return c
}

func (gen *ledgerGen) creditNote(customer crm.ID, cur crm.Currency) {
	net, tax := gen.amount(cur), int64(0)
	if gen.chance(0.5) {
		tax = net / 5
	}
	c := gen.credit(crm.Credit{Customer: customer, Kind: crm.CreditCreditNote, Amount: crm.MoneyFromMinor(net+tax, cur),
		Net: crm.MoneyFromMinor(net, cur), Tax: crm.MoneyFromMinor(tax, cur), Received: gen.effective(), Reference: "Returned"})
	e := crm.Entry{ID: c.Entry, Kind: crm.EntryCreditNote, Customer: customer, Document: c.ID, Effective: c.Received, Description: "Credit note",
		Postings: []crm.Posting{credit(c, -net-tax), company(crm.AccountRevenue, net, cur)}}
	if tax > 0 {
		e.Postings = append(e.Postings, company(crm.AccountTax, tax, cur))
	}
	gen.post(e)
}

// open returns a customer's items of one kind with something open: a
// positive balance for invoices, a negative one for credits.
func (gen *ledgerGen) open(items []crm.ID, sign int64) []crm.ID {
	return slices.DeleteFunc(slices.Clone(items), func(id crm.ID) bool { return gen.balance[id]*sign <= 0 })
}

// allocation applies an open credit to an open invoice, in the same
// currency when it can; across currencies at a rate, settling the
// difference half the time.
func (gen *ledgerGen) allocation(customer crm.ID) {
	items := gen.of[customer]
	credits, invoices := gen.open(items.credits, -1), gen.open(items.invoices, 1)
	if len(credits) == 0 || len(invoices) == 0 {
		return
	}
	cr := credits[gen.pick(len(credits))]
	same := slices.DeleteFunc(slices.Clone(invoices), func(id crm.ID) bool { return gen.currency[id] != gen.currency[cr] })
	if len(same) > 0 && gen.chance(0.6) {
		invoices = same
	}
	inv := invoices[gen.pick(len(invoices))]
	from, to := gen.currency[cr], gen.currency[inv]
	amount := gen.part(min(-gen.balance[cr], gen.balance[inv]))
	settled := amount
	if from != to {
		amount = gen.part(-gen.balance[cr])
		rate := ledgerRates[gen.pick(len(ledgerRates))]
		for try := 0; ; try++ {
			settled = decimal.NewFromInt(amount).Shift(-from.MinorUnits()).Mul(rate).Shift(to.MinorUnits()).RoundBank(0).IntPart()
			switch {
			case settled > 0 && settled <= gen.balance[inv]:
			case try < 4 && amount > 1:
				amount = max(1, amount/4)
				continue
			default:
				return
			}
			break
		}
	}
	ps := []crm.Posting{credit(crm.Credit{ID: cr, Customer: customer, Amount: crm.Zero(from)}, amount)}
	if from != to {
		ps = append(ps, company(crm.AccountFXClearing, -amount, from), company(crm.AccountFXClearing, settled, to))
	}
	invoice := crm.Invoice{ID: inv, Customer: customer, Currency: to, Due: gen.due[inv]}
	ps = append(ps, receivable(invoice, -settled))
	if rest := gen.balance[inv] - settled; from != to && rest > 0 && gen.chance(0.6) {
		ps = append(ps, company(crm.AccountFXResult, rest, to), receivable(invoice, -rest))
	}
	gen.post(crm.Entry{ID: gen.g.next(), Kind: crm.EntryAllocation, Customer: customer, Document: cr, Effective: gen.effective(),
		Description: "Allocation", Postings: ps})
}

func (gen *ledgerGen) writeOff(customer crm.ID) {
	invoices := gen.open(gen.of[customer].invoices, 1)
	if len(invoices) == 0 {
		return
	}
	inv := invoices[gen.pick(len(invoices))]
	amount := gen.part(gen.balance[inv])
	invoice := crm.Invoice{ID: inv, Customer: customer, Currency: gen.currency[inv], Due: gen.due[inv]}
	gen.post(crm.Entry{ID: gen.g.next(), Kind: crm.EntryWriteOff, Customer: customer, Document: inv, Effective: gen.effective(),
		Description: "Write-off", Postings: []crm.Posting{company(crm.AccountWriteOff, amount, invoice.Currency), receivable(invoice, -amount)}})
}

func (gen *ledgerGen) refund(customer crm.ID) {
	credits := gen.open(gen.of[customer].credits, -1)
	if len(credits) == 0 {
		return
	}
	cr := credits[gen.pick(len(credits))]
	amount, cur := gen.part(-gen.balance[cr]), gen.currency[cr]
	gen.post(crm.Entry{ID: gen.g.next(), Kind: crm.EntryRefund, Customer: customer, Document: cr, Effective: gen.effective(),
		Description: "Refund", Postings: []crm.Posting{credit(crm.Credit{ID: cr, Customer: customer, Amount: crm.Zero(cur)}, amount),
			company(crm.AccountCash, -amount, cur)}})
}

// reversal reverses one of the customer's entries not reversed yet;
// one that would overdraw an item only now and then.
func (gen *ledgerGen) reversal(customer crm.ID) {
	candidates := slices.DeleteFunc(slices.Clone(gen.of[customer].entries), func(e crm.Entry) bool {
		return e.Kind == crm.EntryReversal || gen.reversed[e.ID]
	})
	if len(candidates) == 0 {
		return
	}
	e := candidates[gen.pick(len(candidates))]
	for _, p := range e.Postings {
		after := gen.balance[p.Item] - minor(p.Amount)
		overdrawn := (p.Account == crm.AccountReceivable && after < 0) || (p.Account == crm.AccountCredit && after > 0)
		if overdrawn && !gen.chance(0.3) {
			return
		}
	}
	gen.reversed[e.ID] = true
	gen.post(e.Reversal(gen.g.next(), gen.effective(), time.Time{}, crm.ID{}, "Reversal"))
}

// store writes the ledger through the repositories: customers, invoices
// and credits, then the entries, in batches and in random order, those
// that reverse another after the others.
func (d *ledgerData) store(t *testing.T, s crm.Store, seed uint64) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 3))
	insertShuffled(t, s, r, insertCustomer, d.customers)
	insertShuffled(t, s, r, insertInvoice, d.invoices)
	insertShuffled(t, s, r, insertCredit, d.credits)
	reversals := func(e crm.Entry) bool { return !e.Reverses.IsZero() }
	insertShuffled(t, s, r, appendEntry, slices.DeleteFunc(slices.Clone(d.entries), reversals))
	insertShuffled(t, s, r, appendEntry, slices.DeleteFunc(slices.Clone(d.entries), func(e crm.Entry) bool { return !reversals(e) }))
}
