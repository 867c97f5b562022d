package crm

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/crmkit/crm/internal/wide"
	"github.com/shopspring/decimal"
)

// replay looks up an idempotency key: the same request again returns the
// first entry (found true); another request with the key is an
// *IdempotencyError.
func (w *writeTx) replay(key string, request any) (Entry, bool, error) {
	if key == "" {
		return Entry{}, false, nil
	}
	prev, err := w.tx.Ledger().EntryByKey(w.ctx, key)
	switch {
	case errors.Is(err, ErrNotFound):
		return Entry{}, false, nil
	case err != nil:
		return Entry{}, false, err
	case prev.RequestHash != requestHash(request):
		return Entry{}, false, stale{&IdempotencyError{Key: key, Existing: prev.ID}}
	}
	return prev, true, nil
}

// post appends a checked entry to the ledger after locking the customer's
// book, refusing anything that would leave an invoice with more paid than
// owed or a credit used beyond its amount, and records its event.
//
// The entry keeps its request's digest when the command has an
// idempotency key, which a retry is told apart by, or when the command
// digested its request once for the many entries it posts (a
// requestDigest); a command without a key has nothing to tell apart, and
// is not made to encode its request.
func (w *writeTx) post(e Entry, key string, request any) (Entry, error) {
	e.IdempotencyKey = key
	if _, digested := request.(requestDigest); key != "" || digested {
		e.RequestHash = requestHash(request)
	}
	if err := e.Check(); err != nil {
		return Entry{}, err
	}
	lock, err := w.tx.Accounting().PeriodLock(w.ctx)
	if err != nil {
		return Entry{}, err
	}
	if err := checkPostingDay(lock, e.Effective, w.today()); err != nil {
		return Entry{}, err
	}
	book, err := w.tx.Ledger().Book(w.ctx, e.Customer)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return Entry{}, err
	}
	book = Book{Customer: e.Customer, Version: book.Version + 1}
	if err := w.tx.Ledger().SaveBook(w.ctx, book); err != nil {
		return Entry{}, err
	}
	if err := w.checkItems(e); err != nil {
		return Entry{}, err
	}
	if err := w.tx.Ledger().Append(w.ctx, e); err != nil {
		return Entry{}, err
	}
	for _, p := range e.Postings {
		delete(w.fresh, p.Item)
	}
	w.known = knownOpen{}
	return e, w.record(LedgerPosted, KindEntry, e.ID, 1, entryData(e))
}

// checkItems refuses an entry that would leave an invoice overpaid (its
// receivable below zero) or a credit overdrawn (above zero): the one rule
// that keeps every allocation, write-off, refund and reversal honest. It
// holds twice: over the whole ledger, and as of the entry's effective
// date, so that no report as of a past date shows an invoice paid before
// it was issued or a credit used before it was received. It also refuses
// an entry that would take a total the ledger keeps for the customer
// beyond 64 bits of minor units (checkTotals), over the whole ledger: the
// totals as they stand. A backdated entry may still make a total as of an
// earlier date larger than that; a report as of that date has it exactly
// (open items) or returns an *OverflowError (aging), never a wrapped sum.
//
// It reads only what the entry touches: what is open on its items
// (OpenItemsOf) and the customer's balances (BalancesOf), which the store
// keeps current, so that a posting costs the same however long the
// customer's history, and a payment applied to a thousand invoices does
// not re-read the others a thousand times.
func (w *writeTx) checkItems(e Entry) error {
	var items []ID
	var seen map[ID]bool // for an entry of many items
	if len(e.Postings) > smallEntry {
		seen = make(map[ID]bool, len(e.Postings))
	}
	reduces := false
	for _, p := range e.Postings {
		if !p.Account.PerCustomer() {
			continue
		}
		if p.Customer != e.Customer {
			return invalid("postings", "one_customer", "an entry concerns one customer's accounts")
		}
		if seen == nil && !slices.Contains(items, p.Item) || seen != nil && !seen[p.Item] {
			items = append(items, p.Item)
			if seen != nil {
				seen[p.Item] = true
			}
		}
		reduces = reduces || (p.Account == AccountReceivable && p.Amount.IsNegative()) ||
			(p.Account == AccountCredit && p.Amount.IsPositive())
	}
	if len(items) == 0 {
		return nil
	}
	ledger := w.tx.Ledger()
	// A document the write just created has nothing open, on any day.
	stored := slices.DeleteFunc(slices.Clone(items), func(id ID) bool { return w.fresh[id] })
	open, err := w.openItemsOf(e.Customer, stored, Date{})
	if err != nil {
		return err
	}
	if err := e.fits(open); err != nil {
		return err
	}
	balances, err := ledger.BalancesOf(w.ctx, e.Customer)
	if err != nil {
		return err
	}
	if err := e.checkTotals(open, balances); err != nil || !reduces {
		return err
	}
	open, err = w.openItemsOf(e.Customer, stored, e.Effective)
	if err != nil {
		return err
	}
	var over *OverAllocationError
	if err := e.fits(open); errors.As(err, &over) {
		return invalid("effective", "items_open", fmt.Sprintf("as of %s, the entry's effective date, item %s has %s open, less than the %s "+
			"it takes: date it on or after the invoice and the credit it settles", e.Effective, over.Item, over.Open, over.Requested))
	}
	return w.checkLaterDays(e, items, open)
}

// openItemsOf reads what is open on a customer's items as of a day (the
// zero date: today), and reads nothing for no items.
func (w *writeTx) openItemsOf(customer ID, items []ID, asOf Date) ([]OpenItem, error) {
	if len(items) == 0 {
		return nil, nil
	}
	if asOf.IsZero() && w.known.of(customer, items) {
		return w.known.open, nil
	}
	return w.tx.Ledger().OpenItemsOf(w.ctx, customer, items, asOf)
}

// knownOpen is what was open today on a customer's items, read in the
// write before it posted to them: the same read again, until the write
// posts, gives the same answer (the customer's book is held from the
// read on), so the posting's check takes it from here.
type knownOpen struct {
	customer ID
	items    []ID
	open     []OpenItem
}

// readOpen reads what is open today on a customer's items, and keeps it
// for the check of the write's next posting (checkItems).
func (w *writeTx) readOpen(customer ID, items []ID) ([]OpenItem, error) {
	open, err := w.tx.Ledger().OpenItemsOf(w.ctx, customer, items, Date{})
	if err != nil {
		return nil, err
	}
	w.known = knownOpen{customer: customer, items: items, open: open}
	return open, nil
}

// of reports whether k holds what is open on exactly the items asked.
func (k knownOpen) of(customer ID, items []ID) bool {
	if k.customer.IsZero() || k.customer != customer || len(items) != len(k.items) {
		return false
	}
	if len(items) > smallEntry {
		return sameSet(items, k.items)
	}
	for _, id := range items {
		if !slices.Contains(k.items, id) {
			return false
		}
	}
	for _, id := range k.items {
		if !slices.Contains(items, id) {
			return false
		}
	}
	return true
}

// sameSet reports whether a and b, of the same length, hold the same IDs.
func sameSet(a, b []ID) bool {
	in := make(map[ID]int, len(a))
	for _, id := range a {
		in[id]++
	}
	for _, id := range b {
		if in[id] == 0 {
			return false
		}
		in[id]--
	}
	return true
}

// checkTotals refuses, with an *OverflowError, an entry that would take a
// total the ledger keeps for its customer beyond 64 bits of minor units
// (math.MinInt64 included, so that every total can be negated): what is
// open on an item it posts to, or the customer's balance on an account
// and in a currency it posts to, from what is open on its items and the
// customer's balances before it, over the whole ledger.
func (e Entry) checkTotals(open []OpenItem, balances []Balance) error {
	type account struct {
		account  AccountType
		currency Currency
	}
	type item struct {
		account
		item ID
	}
	// Summed in 128 bits: a balance may be beyond 64 bits already.
	items, sums := map[item]*wide.Int{}, map[account]*wide.Int{}
	var order []item // the entry's order, so that the first problem is named
	for _, p := range e.Postings {
		if !p.Account.PerCustomer() {
			continue
		}
		a := account{p.Account, p.Amount.Currency()}
		k := item{a, p.Item}
		if items[k] == nil {
			items[k] = new(wide.Int)
			order = append(order, k)
		}
		if sums[a] == nil {
			sums[a] = new(wide.Int)
		}
		items[k].Add(minorOf(p.Amount)) // Check made sure every posting fits
		sums[a].Add(minorOf(p.Amount))
	}
	overflow := func(field string, a account, id ID, total wide.Int) error {
		return &OverflowError{Field: field, Customer: e.Customer, Account: a.account, Item: id, Currency: a.currency,
			Minor: decimal.NewFromBigInt(total.Big(), 0)}
	}
	for _, it := range open {
		sum := items[item{account{it.Account, it.Open.Currency()}, it.Item}]
		if sum == nil {
			continue
		}
		x, ok := wideOf(it.Open)
		if !ok { // beyond 128 bits, which no sum of 64-bit postings reaches
			return &OverflowError{Field: "open_item", Customer: e.Customer, Account: it.Account, Item: it.Item, Currency: it.Open.Currency(),
				Minor: it.Open.Amount().Shift(it.Open.Currency().MinorUnits())}
		}
		sum.AddInt(x)
	}
	for _, b := range balances {
		sum := sums[account{b.Account, b.Amount.Currency()}]
		if sum == nil || b.Customer != e.Customer {
			continue
		}
		x, ok := wideOf(b.Amount)
		if !ok {
			return &OverflowError{Field: "balance", Customer: e.Customer, Account: b.Account, Currency: b.Amount.Currency(),
				Minor: b.Amount.Amount().Shift(b.Amount.Currency().MinorUnits())}
		}
		sum.AddInt(x)
	}
	for _, k := range order {
		if !fitsBoth(*items[k]) {
			return overflow("open_item", k.account, k.item, *items[k])
		}
	}
	for _, k := range order {
		if !fitsBoth(*sums[k.account]) {
			return overflow("balance", k.account, ID{}, *sums[k.account])
		}
	}
	return nil
}

// wideOf returns m's minor units in 128 bits, and whether they fit.
func wideOf(m Money) (wide.Int, bool) {
	if v, err := m.Minor(); err == nil {
		return wide.Of(v), true
	}
	return wide.FromBig(m.Amount().Shift(m.Currency().MinorUnits()).BigInt())
}

// fitsBoth reports whether x fits in an int64 with its negation.
func fitsBoth(x wide.Int) bool {
	v, ok := x.Int64()
	return ok && v != math.MinInt64
}

// fits checks the entry's postings against what is open on their items.
func (e Entry) fits(open []OpenItem) error {
	totals := e.itemTotals()
	var index map[postedItem]Money // for an entry of many items: read once
	if len(totals) > smallEntry {
		index = make(map[postedItem]Money, len(open))
		for _, it := range open {
			index[postedItem{it.Account, it.Item, it.Open.Currency()}] = it.Open
		}
	}
	for _, t := range totals {
		before, ok := index[t.postedItem]
		if index == nil {
			for _, it := range open {
				if it.Item == t.item && it.Account == t.account && it.Open.Currency() == t.currency {
					before, ok = it.Open, true
				}
			}
		}
		if !ok {
			before = Zero(t.currency)
		}
		after, _ := before.Add(t.sum)
		if (t.account == AccountReceivable && after.IsNegative()) || (t.account == AccountCredit && after.IsPositive()) {
			return &OverAllocationError{Item: t.item, Open: before.Abs(), Requested: t.sum.Abs()}
		}
	}
	return nil
}

// smallEntry is how many items an entry posts to at most for its checks
// to look them up by a pass over a list rather than through a map.
const smallEntry = 8

// postedItem names what an entry posts to a customer's item: an account, an
// item and a currency.
type postedItem struct {
	account  AccountType
	item     ID
	currency Currency
}

// postedTotal is what an entry posts to an item, added up.
type postedTotal struct {
	postedItem
	sum Money
}

// itemTotals adds up the entry's postings to its customer's items, in the
// order each item is first posted to.
func (e Entry) itemTotals() []postedTotal {
	out := make([]postedTotal, 0, len(e.Postings))
	var index map[postedItem]int
	if len(e.Postings) > smallEntry {
		index = make(map[postedItem]int, len(e.Postings))
	}
	for _, p := range e.Postings {
		if !p.Account.PerCustomer() {
			continue
		}
		k := postedItem{p.Account, p.Item, p.Amount.Currency()}
		i, ok := index[k]
		if index == nil {
			i = slices.IndexFunc(out, func(t postedTotal) bool { return t.postedItem == k })
			ok = i >= 0
		}
		if !ok {
			if index != nil {
				index[k] = len(out)
			}
			out = append(out, postedTotal{k, p.Amount})
			continue
		}
		out[i].sum, _ = out[i].sum.Add(p.Amount)
	}
	return out
}

// sumFor adds up an entry's postings to one item of one account.
func (e Entry) sumFor(account AccountType, item ID, currency Currency) Money {
	sum := Zero(currency)
	for _, p := range e.Postings {
		if p.Account == account && p.Item == item && p.Amount.Currency() == currency {
			sum, _ = sum.Add(p.Amount)
		}
	}
	return sum
}

// entryEvent is the payload of a LedgerPosted event.
type entryEvent struct {
	Kind      EntryKind `json:"kind"`
	Customer  ID        `json:"customer"`
	Document  string    `json:"document,omitempty"`
	Effective Date      `json:"effective"`
	Postings  []Posting `json:"postings"`
	Reverses  string    `json:"reverses,omitempty"`
}

func entryData(e Entry) entryEvent {
	return entryEvent{Kind: e.Kind, Customer: e.Customer, Document: idText(e.Document), Effective: e.Effective,
		Postings: e.Postings, Reverses: idText(e.Reverses)}
}

// billing runs a ledger command for a customer: the actor may bill them,
// and a replayed idempotency key returns the first entry. The key is
// checked and trimmed once, before it is looked up, and fn gets it so.
func (c *engine) billing(ctx context.Context, actor, customer ID, key string, request any, fn func(w *writeTx, key string) (Entry, error)) (Entry, bool, error) {
	key, err := cleanText("idempotency_key", key, maxNameLen, false)
	if err != nil {
		return Entry{}, false, err
	}
	var out Entry
	var dup bool
	err = c.writeChecked(ctx, actor, CheckRequest{Customer: customer, PeriodLock: true}, func(w *writeTx) error {
		out, dup, err = w.bill(customer, key, request, func(key string) (Entry, error) { return fn(w, key) })
		return err
	})
	return out, dup, err
}

// bill is billing in a write: key is checked already.
func (w *writeTx) bill(customer ID, key string, request any, fn func(key string) (Entry, error)) (Entry, bool, error) {
	cu, err := w.customerHead(customer)
	if err == nil {
		err = w.see(cu.target())
	}
	if err != nil {
		return Entry{}, false, err
	}
	if err := w.authorize(ActionBill, cu.target()); err != nil {
		return Entry{}, false, err
	}
	if out, dup, err := w.replay(key, request); err != nil || dup {
		return out, dup, err
	}
	out, err := fn(key)
	return out, false, err
}

// today is the business day of the write, by the CRM's calendar.
func (w *writeTx) today() Date { return w.crm.calendar.DateOf(w.now) }

// IssueInvoice issues an invoice and posts it. With an idempotency key, a
// retry returns the first invoice.
func (c *LedgerService) IssueInvoice(ctx context.Context, actor ID, n NewInvoice) (Invoice, error) {
	key := n.IdempotencyKey
	n.IdempotencyKey = ""
	var inv Invoice
	e, dup, err := c.billing(ctx, actor, n.Customer, key, n, func(w *writeTx, key string) (e Entry, err error) {
		inv, e, err = w.issueInvoice(n, key, n)
		return e, err
	})
	return written(ctx, e, dup, err, inv, c.invoiceOf)
}

// written is what a billing command returns: the document it wrote, as
// it wrote it, or, for a replayed key, the first call's, read.
func written[D any](ctx context.Context, e Entry, dup bool, err error, doc D, read func(context.Context, Entry) (D, error)) (D, error) {
	var zero D
	switch {
	case err != nil:
		return zero, err
	case dup:
		return read(ctx, e)
	}
	return doc, nil
}

func (w *writeTx) issueInvoice(n NewInvoice, key string, request any) (Invoice, Entry, error) {
	numbering, chosen := w.crm.numbering, n.Number != ""
	switch {
	case n.Number == "":
		var err error
		if n.Number, err = w.nextNumber(numbering.InvoicePrefix, cmpOr(n.Issued, w.today())); err != nil {
			return Invoice{}, Entry{}, err
		}
	case numbering.reserved(n.Number):
		return Invoice{}, Entry{}, invalid("number", "not_series", fmt.Sprintf("numbers starting %q are the series' own: leave Number empty to take the next", numbering.InvoicePrefix+"-"))
	}
	inv, e, err := postDocument(w, n.build(w.crm.documents.taxRounding), w.tx.Invoices().Insert, key, request)
	var taken *ConflictError
	if chosen && key == "" && errors.As(err, &taken) && taken.Kind == KindInvoice {
		// The number is another invoice's: no retry frees it. (With a key,
		// the other may be this request's first attempt, which a retry
		// finds by its key.)
		return inv, e, stale{err}
	}
	return inv, e, err
}

// postDocument makes a document (an invoice, a payment, a credit note) and
// the entry that posts it, keeps the document and posts the entry.
func postDocument[D any](w *writeTx, build func(id, entryID ID, today Date, now time.Time, actor ID) (D, Entry, error),
	insert func(context.Context, D) error, key string, request any) (D, Entry, error) {
	var doc D
	id, err := w.newID()
	if err != nil {
		return doc, Entry{}, err
	}
	entryID, err := w.newID()
	if err != nil {
		return doc, Entry{}, err
	}
	if doc, e, err := build(id, entryID, w.today(), w.now, w.actor.ID); err != nil {
		return doc, Entry{}, err
	} else if err := insert(w.ctx, doc); err != nil {
		return doc, Entry{}, err
	} else {
		if w.fresh == nil {
			w.fresh = map[ID]bool{}
		}
		w.fresh[id] = true
		e, err = w.post(e, key, request)
		return doc, e, err
	}
}

// creditOf reads the payment or credit note an entry posted, in a
// transaction of its own: what a replayed key returns.
func (c *engine) creditOf(ctx context.Context, e Entry) (Credit, error) {
	var out Credit
	err := c.store.View(ctx, func(tx ReadTx) error {
		var err error
		out, err = tx.Credits().Get(ctx, e.Document)
		return err
	})
	return out, err
}

// invoiceOf reads the invoice an entry posted, in a transaction of its
// own: what a replayed key returns.
func (c *engine) invoiceOf(ctx context.Context, e Entry) (Invoice, error) {
	var inv Invoice
	err := c.store.View(ctx, func(tx ReadTx) error {
		var err error
		inv, err = tx.Invoices().Get(ctx, e.Document)
		return err
	})
	return inv, err
}

// InvoiceInstallment invoices an installment of an active contract's
// payment plan, due when the installment is, with one line at the
// installment's amount and the tax rate given. An installment is invoiced
// once: again, it is a *ConflictError (or, with the same IdempotencyKey,
// the first invoice). The daily job that invoices each installment whose
// Due has come is ContractService.InvoiceDue, which invoices them just as
// this does; call this one to invoice an installment ahead of its due
// date, or at a tax rate of its own.
func (c *ContractService) InvoiceInstallment(ctx context.Context, actor ID, r InvoiceInstallmentRequest) (Invoice, error) {
	var customer ID
	err := c.read(ctx, actor, func(tx ReadTx, _ User) error {
		ct, err := tx.Contracts().Get(ctx, r.Contract)
		customer = ct.Customer
		return err
	})
	if err != nil {
		return Invoice{}, err
	}
	inv, _, err := c.invoiceInstallment(ctx, actor, customer, r)
	return inv, err
}

// invoiceInstallment is InvoiceInstallment once the contract's customer
// is known. invoiced reports a refusal because the installment has an
// invoice already: someone else invoiced it first.
func (c *engine) invoiceInstallment(ctx context.Context, actor, customer ID, r InvoiceInstallmentRequest) (_ Invoice, invoiced bool, _ error) {
	key := r.IdempotencyKey
	r.IdempotencyKey = ""
	contract, number := r.Contract, r.Installment
	request := r
	var inv Invoice
	e, dup, err := c.billing(ctx, actor, customer, key, request, func(w *writeTx, key string) (Entry, error) {
		invoiced = false
		ct, err := w.tx.Contracts().Get(ctx, contract)
		if err != nil {
			return Entry{}, err
		}
		if ct.Status != ContractActive {
			return Entry{}, &TransitionError{Machine: contractMachine.Name(), From: string(ct.Status), Event: "invoice", Reason: "only active contracts are invoiced"}
		}
		i := slices.IndexFunc(ct.Plan.Installments, func(in Installment) bool { return in.Number == number })
		switch {
		case i < 0:
			return Entry{}, invalid("installment", "exists", fmt.Sprintf("the plan has no installment %d", number))
		case !ct.Plan.Installments[i].Invoice.IsZero():
			invoiced = true
			return Entry{}, stale{&ConflictError{Kind: KindContract, ID: ct.ID.String(), Detail: fmt.Sprintf("installment %d is invoiced already", number)}}
		}
		in := ct.Plan.Installments[i]
		n := NewInvoice{Customer: ct.Customer, Number: r.Number, Currency: in.Amount.Currency(), Issued: r.Issued, Due: in.Due,
			Contract: ct.ID, Installment: number, Lines: []InvoiceLine{{Description: fmt.Sprintf("%s, installment %d of %d", ct.Title, number, len(ct.Plan.Installments)),
				Quantity: decimal.NewFromInt(1), UnitPrice: in.Amount, TaxRate: r.TaxRate}}}
		if n.Issued.IsZero() {
			n.Issued = w.today()
		}
		if n.Due.Before(n.Issued) {
			n.Due = n.Issued
		}
		issued, e, err := w.issueInvoice(n, key, request)
		if err != nil {
			return Entry{}, err
		}
		inv = issued
		after := ct.Clone()
		after.Plan.Installments[i].Invoice = e.Document
		_, err = w.saveContract(ct, after, "", fmt.Sprintf("installment %d invoiced", number))
		return e, err
	})
	inv, err = written(ctx, e, dup, err, inv, c.invoiceOf)
	return inv, invoiced && err != nil, err
}

// IssueCreditNote gives back revenue an invoice charged, with its tax:
// applied to the invoice at once, or kept as credit to refund (see
// NewCreditNote for what it may credit). Above the correction limit it
// needs another user's approval.
func (c *LedgerService) IssueCreditNote(ctx context.Context, actor ID, n NewCreditNote) (Credit, error) {
	key := n.IdempotencyKey
	n.IdempotencyKey = ""
	var credit Credit
	e, dup, err := c.billing(ctx, actor, n.Customer, key, n, func(w *writeTx, key string) (Entry, error) {
		if err := n.check(); err != nil {
			return Entry{}, err
		}
		basis, err := w.creditBasis(n.Customer, n.Invoice)
		if err != nil {
			return Entry{}, err
		}
		build := n.build(basis)
		numbered := func(id, entryID ID, today Date, now time.Time, actor ID) (Credit, Entry, error) {
			cr, e, err := build(id, entryID, today, now, actor)
			if err == nil {
				cr.Number, err = w.nextNumber(w.crm.numbering.CreditNotePrefix, cr.Received)
			}
			return cr, e, err
		}
		cr, e, err := postDocument(w, numbered, w.tx.Credits().Insert, key, n)
		if err != nil {
			return Entry{}, err
		}
		credit = cr
		return e, w.checkCorrection(CorrectionCreditNote, n.Customer, cr.Amount, n.Approval)
	})
	return written(ctx, e, dup, err, credit, c.creditOf)
}
