package storetest

import (
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/shopspring/decimal"
)

// dec parses a decimal of the suite, which is valid.
func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// ledgerRefs are what receivables records refer to: a rep of team north
// who owns contracts, a manager who approves them, finance, and, once
// billed asks for it, a contract of ann's that invoices bill.
type ledgerRefs struct {
	owner, manager, finance crm.User
	contract                *crm.Contract
}

// ledgerRefs stores what receivables records refer to, once per scene.
func (sc *scene) ledgerRefs(t *testing.T) *ledgerRefs {
	t.Helper()
	if sc.ledger != nil {
		return sc.ledger
	}
	r := &ledgerRefs{owner: sampleUser(sc.g.next(), crm.RoleRep, "north"), manager: sampleUser(sc.g.next(), crm.RoleManager, "north"),
		finance: sampleUser(sc.g.next(), crm.RoleFinance, "")}
	insertUsers(t, sc.s, r.owner, r.manager, r.finance)
	sc.ledger = r
	return r
}

// billed stores the contract that invoices bill, once per scene.
func (sc *scene) billed(t *testing.T) crm.Contract {
	t.Helper()
	r := sc.ledgerRefs(t)
	if r.contract == nil {
		c := sc.contract(sc.ann)
		insertAll(t, sc.s, insertContract, c)
		r.contract = &c
	}
	return *r.contract
}

// plan makes a payment plan of the suite, which is valid.
func plan(template crm.PlanTemplate, amount crm.Money, start crm.Date, o crm.PlanOptions) crm.PaymentPlan {
	p, err := crm.NewPaymentPlan(template, amount, start, o)
	if err != nil {
		panic(err)
	}
	return p
}

// contract returns an active contract of customer with every field set:
// a monthly plan whose first installment is invoiced, two approval
// steps, a rejection and then approvals with and without comments.
func (sc *scene) contract(customer crm.ID) crm.Contract {
	r := sc.ledger
	p := plan(crm.PlanMonthly, crm.MoneyFromMinor(1_000_001, eur), day(2026, 3, 1), crm.PlanOptions{Months: 3})
	p.Installments[0].Invoice = sc.g.next()
	return crm.Contract{ID: sc.g.next(), Customer: customer, Owner: r.owner.ID, Team: r.owner.Team, Title: "Support " + hostile,
		Terms: "Terms " + hostile, Amount: crm.MoneyFromMinor(1_000_001, eur), Start: day(2026, 3, 1), End: day(2026, 5, 31), Plan: p,
		Status: crm.ContractActive, Submitter: r.owner.ID, Steps: []crm.ApprovalStep{crm.StepManager, crm.StepFinance},
		Approvals: []crm.Approval{
			{Step: crm.StepManager, Actor: r.manager.ID, At: at(30), Approved: false, Comment: "Too cheap " + hostile},
			{Step: crm.StepManager, Actor: r.manager.ID, At: at(31), Approved: true},
			{Step: crm.StepFinance, Actor: r.finance.ID, At: at(32), Approved: true, Comment: "OK"},
		},
		SignedAt: at(33), Amends: sc.g.next(), Revision: 2, SupersededBy: sc.g.next(), Renews: sc.g.next(),
		CreatedAt: at(29), UpdatedAt: at(33), Version: 1}
}

// contractVariants returns contracts that between them set and leave
// empty every field, in three currencies and four statuses.
func (sc *scene) contractVariants(t *testing.T) []named[crm.Contract] {
	r := sc.ledgerRefs(t)
	draft := crm.Contract{ID: sc.g.next(), Customer: sc.bob, Owner: r.manager.ID, Team: hostileShort, Title: "Draft",
		Amount: crm.MoneyFromMinor(999_999, kwd), Start: day(2026, 4, 1),
		Plan:   plan(crm.PlanNet30, crm.MoneyFromMinor(999_999, kwd), day(2026, 4, 1), crm.PlanOptions{}),
		Status: crm.ContractDraft, CreatedAt: at(40), UpdatedAt: at(40), Version: 1}
	submitted := crm.Contract{ID: sc.g.next(), Customer: sc.ann, Owner: r.owner.ID, Team: "north", Title: "Custom plan",
		Amount: crm.MoneyFromMinor(1_000_000, jpy), Start: day(2026, 1, 31), End: day(2027, 1, 31),
		Plan: plan(crm.PlanCustom, crm.MoneyFromMinor(1_000_000, jpy), day(2026, 1, 31),
			crm.PlanOptions{Shares: []int64{1, 2}, OffsetDays: []int{0, 45}}),
		Status: crm.ContractSubmitted, Submitter: r.owner.ID, Steps: []crm.ApprovalStep{crm.StepManager},
		CreatedAt: at(41), UpdatedAt: at(42), Version: 1}
	terminated := sc.contract(sc.bob)
	terminated.Status, terminated.Team, terminated.Owner = crm.ContractTerminated, "south", r.finance.ID
	return []named[crm.Contract]{{"every field", sc.contract(sc.ann)}, {"draft with the optional fields empty", draft},
		{"submitted, a custom plan in yen", submitted}, {"terminated", terminated}}
}

// invoiceVariants returns invoices that between them set and leave empty
// every field: lines whose quantities and tax rates need every decimal
// they have, a quantity of ten digits before the point, zero tax given
// as the zero decimal, a contract's installment, three currencies.
func (sc *scene) invoiceVariants(t *testing.T) []named[crm.Invoice] {
	billed := sc.billed(t)
	// Invoice numbers are unique: each call numbers its invoices anew.
	fullID := sc.g.next()
	full := crm.Invoice{ID: fullID, Customer: sc.ann, Number: "INV-" + fullID.String()[24:] + " " + hostileShort, Currency: eur,
		Lines: []crm.InvoiceLine{
			{Description: "Consulting " + hostile, Quantity: dec("2.5"), UnitPrice: crm.MoneyFromMinor(12_000, eur), TaxRate: dec("0.19")},
			{Description: "Rounding", Quantity: dec("0.333"), UnitPrice: crm.MoneyFromMinor(1, eur), TaxRate: dec("0.075")},
			{Description: "Bulk", Quantity: dec("1234567890.125"), UnitPrice: crm.MoneyFromMinor(999, eur), TaxRate: dec("0.0725")},
		},
		Net: crm.MoneyFromMinor(1_233_333_352_235, eur), Tax: crm.MoneyFromMinor(89_416_671_562, eur), Total: crm.MoneyFromMinor(1_322_750_023_797, eur),
		Issued: day(2026, 2, 27), Due: day(2026, 3, 29), Contract: billed.ID, Installment: 2, Entry: sc.g.next(),
		CreatedAt: at(20), Version: 1}
	yen := crm.Invoice{ID: sc.g.next(), Customer: sc.ann, Currency: jpy,
		Lines: []crm.InvoiceLine{{Quantity: dec("3"), UnitPrice: crm.MoneyFromMinor(500, jpy)}},
		Net:   crm.MoneyFromMinor(1_500, jpy), Tax: crm.Zero(jpy), Total: crm.MoneyFromMinor(1_500, jpy),
		Issued: day(2025, 12, 31), Due: day(2025, 12, 31), Entry: sc.g.next(), CreatedAt: at(21), Version: 1}
	dinarsID := sc.g.next()
	dinars := crm.Invoice{ID: dinarsID, Customer: sc.bob, Number: "D-" + dinarsID.String()[24:], Currency: kwd,
		Lines: []crm.InvoiceLine{{Description: "Tenth of a thousandth", Quantity: dec("0.0001"), UnitPrice: crm.MoneyFromMinor(12_340_000, kwd), TaxRate: dec("1")},
			{Description: "Free", Quantity: dec("1"), UnitPrice: crm.Zero(kwd), TaxRate: dec("0.19")}},
		Net: crm.MoneyFromMinor(1_234, kwd), Tax: crm.MoneyFromMinor(1_234, kwd), Total: crm.MoneyFromMinor(2_468, kwd),
		Issued: day(2026, 1, 1), Due: day(2030, 1, 1), Entry: sc.g.next(), CreatedAt: at(22), Version: 1}
	return []named[crm.Invoice]{{"every field", full}, {"yen, optional fields empty", yen}, {"dinars, another customer", dinars}}
}

// creditVariants returns a payment (no net or tax: zero with no
// currency), a credit note whose tax is zero in its currency, a payment
// in dinars with no reference, and another customer's credit note in
// yen.
func (sc *scene) creditVariants(*testing.T) []named[crm.Credit] {
	payment := crm.Credit{ID: sc.g.next(), Customer: sc.ann, Kind: crm.CreditPayment, Amount: crm.MoneyFromMinor(100_001, eur),
		Received: day(2025, 12, 31), Reference: "Bank " + hostile, Entry: sc.g.next(), CreatedAt: at(23), Version: 1}
	note := crm.Credit{ID: sc.g.next(), Customer: sc.ann, Kind: crm.CreditCreditNote, Amount: crm.MoneyFromMinor(5_000, eur),
		Net: crm.MoneyFromMinor(5_000, eur), Tax: crm.Zero(eur), Received: day(2026, 1, 1), Reference: "Goodwill",
		Entry: sc.g.next(), CreatedAt: at(24), Version: 1}
	dinars := crm.Credit{ID: sc.g.next(), Customer: sc.ann, Kind: crm.CreditPayment, Amount: crm.MoneyFromMinor(1_234, kwd),
		Received: day(2026, 2, 28), Entry: sc.g.next(), CreatedAt: at(25), Version: 1}
	yen := crm.Credit{ID: sc.g.next(), Customer: sc.bob, Kind: crm.CreditCreditNote, Amount: crm.MoneyFromMinor(1_100, jpy),
		Net: crm.MoneyFromMinor(1_000, jpy), Tax: crm.MoneyFromMinor(100, jpy), Received: day(2026, 3, 2), Reference: "Returned",
		Entry: sc.g.next(), CreatedAt: at(26), Version: 1}
	return []named[crm.Credit]{{"payment", payment}, {"credit note with zero tax", note}, {"dinar payment, no reference", dinars},
		{"yen credit note, another customer", yen}}
}

// ledgerDocs are stored invoices and credits that entries post to.
type ledgerDocs struct {
	invoices []crm.Invoice // ann's in euros and in yen, bob's in dinars
	credits  []crm.Credit  // ann's payment in euros, credit note in euros and payment in dinars; bob's credit note in yen
}

// ledgerDocs stores the invoice and credit variants, for entries to post
// to.
func (sc *scene) ledgerDocs(t *testing.T) ledgerDocs {
	t.Helper()
	var d ledgerDocs
	for _, v := range sc.invoiceVariants(t) {
		d.invoices = append(d.invoices, v.v)
	}
	for _, v := range sc.creditVariants(t) {
		d.credits = append(d.credits, v.v)
	}
	insertAll(t, sc.s, insertInvoice, d.invoices...)
	insertAll(t, sc.s, insertCredit, d.credits...)
	return d
}

// receivable, credit and company are postings to a customer's
// receivable (an invoice's), a customer's credit and a company account.
func receivable(inv crm.Invoice, minor int64) crm.Posting {
	return crm.Posting{Account: crm.AccountReceivable, Customer: inv.Customer, Amount: crm.MoneyFromMinor(minor, inv.Currency), Item: inv.ID, Due: inv.Due}
}

func credit(c crm.Credit, minor int64) crm.Posting {
	return crm.Posting{Account: crm.AccountCredit, Customer: c.Customer, Amount: crm.MoneyFromMinor(minor, c.Amount.Currency()), Item: c.ID}
}

func company(account crm.AccountType, minor int64, cur crm.Currency) crm.Posting {
	return crm.Posting{Account: account, Amount: crm.MoneyFromMinor(minor, cur)}
}

// entryVariants returns entries that between them set and leave empty
// every field, on d's documents: an invoice with tax, an idempotency key
// and a request hash; an allocation from dinars to yen with its exchange
// difference (six postings, two to one item); a payment with every
// optional field empty; and the reversal of the invoice, which must come
// after it.
func (sc *scene) entryVariants(t *testing.T, d ledgerDocs) []named[crm.Entry] {
	r := sc.ledgerRefs(t)
	eurInv, yenInv := d.invoices[0], d.invoices[1]
	eurPay, kwdPay := d.credits[0], d.credits[2]
	invoice := crm.Entry{ID: sc.g.next(), Kind: crm.EntryInvoice, Customer: sc.ann, Document: eurInv.ID, Effective: day(2026, 2, 27),
		RecordedAt: at(50), RecordedBy: r.finance.ID, Description: "Invoice " + hostile,
		Postings:       []crm.Posting{receivable(eurInv, 14_280), company(crm.AccountRevenue, -12_000, eur), company(crm.AccountTax, -2_280, eur)},
		IdempotencyKey: "invoice " + hostile, RequestHash: crm.Hash(sha256.Sum256([]byte("invoice")))}
	cross := crm.Entry{ID: sc.g.next(), Kind: crm.EntryAllocation, Customer: sc.ann, Document: kwdPay.ID, Effective: day(2026, 2, 28),
		RecordedAt: at(51), RecordedBy: r.finance.ID, Description: "Allocation across currencies",
		Postings: []crm.Posting{credit(kwdPay, 1_234), company(crm.AccountFXClearing, -1_234, kwd), company(crm.AccountFXClearing, 493, jpy),
			receivable(yenInv, -493), company(crm.AccountFXResult, 7, jpy), receivable(yenInv, -7)},
		RequestHash: crm.Hash(sha256.Sum256([]byte("cross")))}
	plain := crm.Entry{ID: sc.g.next(), Kind: crm.EntryPayment, Customer: sc.ann, Effective: day(2025, 12, 31), RecordedAt: at(52),
		Postings: []crm.Posting{company(crm.AccountCash, 100_001, eur), credit(eurPay, -100_001)}}
	reversal := invoice.Reversal(sc.g.next(), day(2026, 3, 1), at(53), r.finance.ID, "Reversal: "+hostile)
	reversal.IdempotencyKey, reversal.RequestHash = "reverse "+hostileShort, crm.Hash(sha256.Sum256([]byte("reverse")))
	return []named[crm.Entry]{{"invoice with a key", invoice}, {"allocation across currencies", cross},
		{"payment with the optional fields empty", plain}, {"reversal", reversal}}
}

// paymentEntry is a payment of c effective on day: two postings.
func (sc *scene) paymentEntry(c crm.Credit, effective crm.Date, key string) crm.Entry {
	minor, _ := c.Amount.Minor()
	return crm.Entry{ID: sc.g.next(), Kind: crm.EntryPayment, Customer: c.Customer, Document: c.ID, Effective: effective,
		RecordedAt: at(60), Description: "Payment", IdempotencyKey: key,
		Postings: []crm.Posting{company(crm.AccountCash, minor, c.Amount.Currency()), credit(c, -minor)}}
}

// The versioned receivables records, for runVersionRules.
var (
	bookVersions = versioned[crm.Book]{
		kind:  crm.KindBook,
		fresh: func(t *testing.T, sc *scene) crm.Book { return crm.Book{Customer: sc.customer(t), Version: 1} },
		id:    func(b crm.Book) crm.ID { return b.Customer },
		at: func(b crm.Book, n int64) crm.Book {
			b.Version = n
			return b
		},
		insert: saveBook,
		update: saveBook,
		get: func(tx crm.ReadTx, customer crm.ID) (crm.Book, error) {
			return tx.Ledger().Book(context.Background(), customer)
		},
		badInsert: crm.ErrNotFound,
	}

	contractVersions = versioned[crm.Contract]{
		kind: crm.KindContract,
		fresh: func(t *testing.T, sc *scene) crm.Contract {
			sc.ledgerRefs(t)
			return sc.contract(sc.ann)
		},
		id: contractID,
		at: func(c crm.Contract, n int64) crm.Contract {
			c = c.Clone()
			c.Title = fmt.Sprintf("%s (v%d)", c.Title, n)
			c.Plan.Installments[len(c.Plan.Installments)-1].Invoice = crm.ID{byte(n)}
			c.Approvals = append(c.Approvals, crm.Approval{Step: crm.StepFinance, Actor: c.Owner, At: c.UpdatedAt, Comment: fmt.Sprint(n)})
			c.Status = []crm.ContractStatus{crm.ContractCompleted, crm.ContractExpired}[n%2]
			c.UpdatedAt, c.Version = c.UpdatedAt.Add(time.Duration(n)*time.Minute), n
			return c
		},
	}.on(func(tx crm.Tx) writer[crm.Contract] { return tx.Contracts() }, func(tx crm.ReadTx) getter[crm.Contract] { return tx.Contracts() })
)

// The repository calls the receivables tests share.

func saveBook(tx crm.Tx, b crm.Book) error { return tx.Ledger().SaveBook(context.Background(), b) }
func appendEntry(tx crm.Tx, e crm.Entry) error {
	return tx.Ledger().Append(context.Background(), e)
}
func insertInvoice(tx crm.Tx, i crm.Invoice) error {
	return tx.Invoices().Insert(context.Background(), i)
}
func insertCredit(tx crm.Tx, c crm.Credit) error {
	return tx.Credits().Insert(context.Background(), c)
}
func insertContract(tx crm.Tx, c crm.Contract) error {
	return tx.Contracts().Insert(context.Background(), c)
}

func entryID(e crm.Entry) crm.ID       { return e.ID }
func invoiceID(i crm.Invoice) crm.ID   { return i.ID }
func creditID(c crm.Credit) crm.ID     { return c.ID }
func contractID(c crm.Contract) crm.ID { return c.ID }

func getEntry(id crm.ID) func(tx crm.ReadTx) (crm.Entry, error) {
	return func(tx crm.ReadTx) (crm.Entry, error) { return tx.Ledger().Entry(context.Background(), id) }
}
func entryByKey(key string) func(tx crm.ReadTx) (crm.Entry, error) {
	return func(tx crm.ReadTx) (crm.Entry, error) { return tx.Ledger().EntryByKey(context.Background(), key) }
}
func reversalOf(id crm.ID) func(tx crm.ReadTx) (crm.Entry, error) {
	return func(tx crm.ReadTx) (crm.Entry, error) { return tx.Ledger().ReversalOf(context.Background(), id) }
}
func getBook(customer crm.ID) func(tx crm.ReadTx) (crm.Book, error) {
	return func(tx crm.ReadTx) (crm.Book, error) { return tx.Ledger().Book(context.Background(), customer) }
}
func getInvoice(id crm.ID) func(tx crm.ReadTx) (crm.Invoice, error) {
	return func(tx crm.ReadTx) (crm.Invoice, error) { return tx.Invoices().Get(context.Background(), id) }
}
func getCredit(id crm.ID) func(tx crm.ReadTx) (crm.Credit, error) {
	return func(tx crm.ReadTx) (crm.Credit, error) { return tx.Credits().Get(context.Background(), id) }
}
func getContract(id crm.ID) func(tx crm.ReadTx) (crm.Contract, error) {
	return func(tx crm.ReadTx) (crm.Contract, error) { return tx.Contracts().Get(context.Background(), id) }
}

func listEntries(f crm.EntryFilter) func(tx crm.ReadTx, p crm.PageRequest) ([]crm.Entry, error) {
	return func(tx crm.ReadTx, p crm.PageRequest) ([]crm.Entry, error) {
		return tx.Ledger().Entries(context.Background(), f, p)
	}
}
func listInvoices(f crm.InvoiceFilter) func(tx crm.ReadTx, p crm.PageRequest) ([]crm.Invoice, error) {
	return func(tx crm.ReadTx, p crm.PageRequest) ([]crm.Invoice, error) {
		return tx.Invoices().List(context.Background(), f, p)
	}
}
func listCredits(customer crm.ID) func(tx crm.ReadTx, p crm.PageRequest) ([]crm.Credit, error) {
	return func(tx crm.ReadTx, p crm.PageRequest) ([]crm.Credit, error) {
		return tx.Credits().List(context.Background(), customer, p)
	}
}
func listContracts(f crm.ContractFilter) func(tx crm.ReadTx, p crm.PageRequest) ([]crm.Contract, error) {
	return func(tx crm.ReadTx, p crm.PageRequest) ([]crm.Contract, error) {
		return tx.Contracts().List(context.Background(), f, p)
	}
}

// sameInvoices returns invoices whose decimals are in their shortest
// form, so that 2.50 and 2.5 compare equal: a store keeps a quantity's
// value, not its scale.
func sameInvoices(vs ...crm.Invoice) []crm.Invoice {
	out := make([]crm.Invoice, len(vs))
	for i, v := range vs {
		v = v.Clone()
		for j, l := range v.Lines {
			v.Lines[j].Quantity, v.Lines[j].TaxRate = dec(l.Quantity.String()), dec(l.TaxRate.String())
			if !l.Discount.IsZero() {
				v.Lines[j].Discount = dec(l.Discount.String())
			}
		}
		out[i] = v
	}
	return out
}

// entriesOf returns the entries of vs that match f, in ID order.
func entriesOf(vs []crm.Entry, f crm.EntryFilter) []crm.Entry {
	return slices.DeleteFunc(sortedByID(vs, entryID), func(e crm.Entry) bool { return !f.Match(e) })
}
