package crm

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

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
func (w *writeTx) post(e Entry, key string, request any) (Entry, error) {
	e.IdempotencyKey, e.RequestHash = key, requestHash(request)
	if err := e.Check(); err != nil {
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
	return e, w.record(LedgerPosted, KindEntry, e.ID, 1, entryData(e))
}

// checkItems refuses an entry that would leave an invoice overpaid (its
// receivable below zero) or a credit overdrawn (above zero): the one rule
// that keeps every allocation, write-off, refund and reversal honest. It
// holds twice: over the whole ledger, and as of the entry's effective
// date, so that no report as of a past date shows an invoice paid before
// it was issued or a credit used before it was received.
func (w *writeTx) checkItems(e Entry) error {
	touched, reduces := false, false
	for _, p := range e.Postings {
		if !p.Account.perCustomer() {
			continue
		}
		if p.Customer != e.Customer {
			return invalid("postings", "one_customer", "an entry concerns one customer's accounts")
		}
		touched = true
		reduces = reduces || (p.Account == AccountReceivable && p.Amount.IsNegative()) ||
			(p.Account == AccountCredit && p.Amount.IsPositive())
	}
	if !touched {
		return nil
	}
	open, err := w.tx.Ledger().OpenItems(w.ctx, e.Customer, Date{})
	if err != nil {
		return err
	}
	if err := e.fits(open); err != nil || !reduces {
		return err
	}
	open, err = w.tx.Ledger().OpenItems(w.ctx, e.Customer, e.Effective)
	if err != nil {
		return err
	}
	var over *OverAllocationError
	if err := e.fits(open); errors.As(err, &over) {
		return invalid("effective", "items_open", fmt.Sprintf("as of %s, the entry's effective date, item %s has %s open, less than the %s "+
			"it takes: date it on or after the invoice and the credit it settles", e.Effective, over.Item, over.Open, over.Requested))
	}
	return nil
}

// fits checks the entry's postings against what is open on their items.
func (e Entry) fits(open []OpenItem) error {
	for _, p := range e.Postings {
		if !p.Account.perCustomer() {
			continue
		}
		before := Zero(p.Amount.Currency())
		for _, it := range open {
			if it.Item == p.Item && it.Account == p.Account && it.Open.Currency() == p.Amount.Currency() {
				before = it.Open
			}
		}
		after, _ := before.Add(e.sumFor(p.Account, p.Item, p.Amount.Currency()))
		if (p.Account == AccountReceivable && after.IsNegative()) || (p.Account == AccountCredit && after.IsPositive()) {
			return &OverAllocationError{Item: p.Item, Open: before.Abs(), Requested: e.sumFor(p.Account, p.Item, p.Amount.Currency()).Abs()}
		}
	}
	return nil
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
func (c *CRM) billing(ctx context.Context, actor, customer ID, key string, request any, fn func(w *writeTx, key string) (Entry, error)) (Entry, bool, error) {
	key, err := cleanText("idempotency_key", key, maxNameLen, false)
	if err != nil {
		return Entry{}, false, err
	}
	var out Entry
	var dup bool
	err = c.write(ctx, actor, func(w *writeTx) error {
		cu, err := w.tx.Customers().Get(ctx, customer)
		if err != nil {
			return err
		}
		if err := w.authorize(ActionBill, cu.target()); err != nil {
			return err
		}
		if out, dup, err = w.replay(key, request); err != nil || dup {
			return err
		}
		out, err = fn(w, key)
		return err
	})
	return out, dup, err
}

// today is the CRM clock's date in UTC.
func (w *writeTx) today() Date { return DateOf(w.now) }

// IssueInvoice issues an invoice and posts it. With an idempotency key, a
// retry returns the first invoice.
func (c *CRM) IssueInvoice(ctx context.Context, actor ID, n NewInvoice, key string) (Invoice, error) {
	e, _, err := c.billing(ctx, actor, n.Customer, key, n, func(w *writeTx, key string) (Entry, error) {
		return w.issueInvoice(n, key, n)
	})
	if err != nil {
		return Invoice{}, err
	}
	return c.invoiceOf(ctx, e)
}

func (w *writeTx) issueInvoice(n NewInvoice, key string, request any) (Entry, error) {
	_, e, err := postDocument(w, n.build, w.tx.Invoices().Insert, key, request)
	return e, err
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
		e, err = w.post(e, key, request)
		return doc, e, err
	}
}

// creditOf reads the payment or credit note an entry posted.
func (c *CRM) creditOf(ctx context.Context, e Entry) (Credit, error) {
	var out Credit
	err := c.store.View(ctx, func(tx ReadTx) error {
		var err error
		out, err = tx.Credits().Get(ctx, e.Document)
		return err
	})
	return out, err
}

// invoiceOf reads the invoice an entry posted.
func (c *CRM) invoiceOf(ctx context.Context, e Entry) (Invoice, error) {
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
// installment's amount and the tax rate given.
func (c *CRM) InvoiceInstallment(ctx context.Context, actor, contract ID, number int, opts InstallmentInvoice, key string) (Invoice, error) {
	var customer ID
	err := c.store.View(ctx, func(tx ReadTx) error {
		ct, err := tx.Contracts().Get(ctx, contract)
		customer = ct.Customer
		return err
	})
	if err != nil {
		return Invoice{}, err
	}
	request := struct {
		Contract ID
		Number   int
		Opts     InstallmentInvoice
	}{contract, number, opts}
	e, _, err := c.billing(ctx, actor, customer, key, request, func(w *writeTx, key string) (Entry, error) {
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
			return Entry{}, stale{&ConflictError{Kind: KindContract, ID: ct.ID.String(), Detail: fmt.Sprintf("installment %d is invoiced already", number)}}
		}
		in := ct.Plan.Installments[i]
		n := NewInvoice{Customer: ct.Customer, Number: opts.Number, Currency: in.Amount.Currency(), Issued: opts.Issued, Due: in.Due,
			Contract: ct.ID, Installment: number, Lines: []InvoiceLine{{Description: fmt.Sprintf("%s, installment %d of %d", ct.Title, number, len(ct.Plan.Installments)),
				Quantity: decimal.NewFromInt(1), UnitPrice: in.Amount, TaxRate: opts.TaxRate}}}
		if n.Issued.IsZero() {
			n.Issued = w.today()
		}
		if n.Due.Before(n.Issued) {
			n.Due = n.Issued
		}
		e, err := w.issueInvoice(n, key, request)
		if err != nil {
			return Entry{}, err
		}
		after := ct.Clone()
		after.Plan.Installments[i].Invoice = e.Document
		_, err = w.saveContract(ct, after, "", fmt.Sprintf("installment %d invoiced", number))
		return e, err
	})
	if err != nil {
		return Invoice{}, err
	}
	return c.invoiceOf(ctx, e)
}

// PaymentReceipt is what ReceivePayment recorded: the payment and the
// allocations it made.
type PaymentReceipt struct {
	Payment     Credit
	Entry       Entry
	Allocations []Entry
	Duplicate   bool // an earlier receipt with the same idempotency key
}

// ReceivePayment records a payment received. With oldestFirst, the
// payment is applied at once to the customer's open invoices in its
// currency, the oldest due first; what is left stays the customer's
// unapplied credit, usable on later invoices.
func (c *CRM) ReceivePayment(ctx context.Context, actor ID, n NewPayment, oldestFirst bool, key string) (PaymentReceipt, error) {
	var r PaymentReceipt
	request := struct {
		P      NewPayment
		Oldest bool
	}{n, oldestFirst}
	e, dup, err := c.billing(ctx, actor, n.Customer, key, request, func(w *writeTx, key string) (Entry, error) {
		credit, e, err := postDocument(w, n.build, w.tx.Credits().Insert, key, request)
		if err != nil || !oldestFirst {
			return e, err
		}
		open, err := w.tx.Ledger().OpenItems(w.ctx, n.Customer, Date{})
		if err != nil {
			return Entry{}, err
		}
		// Only the new payment is applied: older credit stays where the
		// customer's earlier allocations left it.
		open = slices.DeleteFunc(open, func(it OpenItem) bool { return it.Account == AccountCredit && it.Item != credit.ID })
		for _, req := range OldestFirst(n.Customer, open) {
			day, ok, err := w.settlingDay(req, credit.Received)
			if err != nil {
				return Entry{}, err
			}
			if !ok {
				continue
			}
			req.Effective = day
			a, err := w.allocate(req, "", req)
			if err != nil {
				return Entry{}, err
			}
			r.Allocations = append(r.Allocations, a)
		}
		return e, nil
	})
	if err != nil {
		return PaymentReceipt{}, err
	}
	r.Entry, r.Duplicate = e, dup
	r.Payment, err = c.creditOf(ctx, e)
	return r, err
}

// settlingDay is the day a payment received on received settles what r
// allocates of an invoice: the day both exist (a payment that came before
// the invoice settles it the day it is issued), or, when the invoice had
// less open then than r takes (a reversal reopened it since), today. An
// invoice dated in the future is settled on its day: until then the
// payment is a prepayment. It reports false when neither day works (the
// invoice grows only on a later day): that invoice is left for later.
func (w *writeTx) settlingDay(r AllocationRequest, received Date) (Date, bool, error) {
	inv, err := w.tx.Invoices().Get(w.ctx, r.Invoice)
	if err != nil {
		return Date{}, false, err
	}
	first := later(received, inv.Issued)
	for _, day := range []Date{first, later(first, w.today())} {
		open, err := w.tx.Ledger().OpenItems(w.ctx, r.Customer, day)
		if err != nil {
			return Date{}, false, err
		}
		if it, ok := findItem(open, AccountReceivable, r.Invoice); ok {
			if c, err := it.Open.Cmp(r.Amount); err == nil && c >= 0 {
				return day, true, nil
			}
		}
	}
	return Date{}, false, nil
}

// Allocate applies a customer's credit to one of their invoices. It never
// applies more than is open on either, never across customers, and across
// currencies only with a rate.
func (c *CRM) Allocate(ctx context.Context, actor ID, r AllocationRequest, key string) (Entry, error) {
	e, _, err := c.billing(ctx, actor, r.Customer, key, r, func(w *writeTx, key string) (Entry, error) {
		return w.allocate(r, key, r)
	})
	return e, err
}

func (w *writeTx) allocate(r AllocationRequest, key string, request any) (Entry, error) {
	open, err := w.tx.Ledger().OpenItems(w.ctx, r.Customer, Date{})
	if err != nil {
		return Entry{}, err
	}
	credit, ok := findItem(open, AccountCredit, r.Credit)
	if !ok {
		return Entry{}, invalid("credit", "open", "no open credit of the customer with that ID")
	}
	invoice, ok := findItem(open, AccountReceivable, r.Invoice)
	if !ok {
		return Entry{}, invalid("invoice", "open", "no open invoice of the customer with that ID")
	}
	ps, err := allocationPostings(r, credit, invoice)
	if err != nil {
		return Entry{}, err
	}
	id, err := w.newID()
	if err != nil {
		return Entry{}, err
	}
	e := Entry{ID: id, Kind: EntryAllocation, Customer: r.Customer, Document: r.Credit, Effective: cmpOr(r.Effective, w.today()),
		RecordedAt: w.now, RecordedBy: w.actor.ID, Description: "allocation to invoice " + r.Invoice.String(), Postings: ps}
	return w.post(e, key, request)
}

func findItem(items []OpenItem, account AccountType, id ID) (OpenItem, bool) {
	for _, it := range items {
		if it.Account == account && it.Item == id {
			return it, true
		}
	}
	return OpenItem{}, false
}

// IssueCreditNote gives revenue back to a customer as credit, to apply to
// an invoice (Allocate) or refund.
func (c *CRM) IssueCreditNote(ctx context.Context, actor ID, n NewCreditNote, key string) (Credit, error) {
	e, _, err := c.billing(ctx, actor, n.Customer, key, n, func(w *writeTx, key string) (Entry, error) {
		_, e, err := postDocument(w, n.build, w.tx.Credits().Insert, key, n)
		return e, err
	})
	if err != nil {
		return Credit{}, err
	}
	return c.creditOf(ctx, e)
}

// WriteOffRequest writes off what a customer will not pay on an invoice;
// a zero Amount writes off everything open on it.
type WriteOffRequest struct {
	Customer  ID
	Invoice   ID
	Amount    Money
	Reason    string
	Effective Date
}

// WriteOff takes an amount off an invoice as a loss.
func (c *CRM) WriteOff(ctx context.Context, actor ID, r WriteOffRequest, key string) (Entry, error) {
	e, _, err := c.billing(ctx, actor, r.Customer, key, r, func(w *writeTx, key string) (Entry, error) {
		reason, err := cleanText("reason", r.Reason, maxNameLen, true)
		if err != nil {
			return Entry{}, err
		}
		open, err := w.tx.Ledger().OpenItems(w.ctx, r.Customer, Date{})
		if err != nil {
			return Entry{}, err
		}
		inv, ok := findItem(open, AccountReceivable, r.Invoice)
		if !ok {
			return Entry{}, invalid("invoice", "open", "no open invoice of the customer with that ID")
		}
		amount := r.Amount
		if amount.Currency().IsZero() && amount.IsZero() {
			amount = inv.Open
		}
		if !amount.IsPositive() {
			return Entry{}, invalid("amount", "positive", "")
		}
		id, err := w.newID()
		if err != nil {
			return Entry{}, err
		}
		e := Entry{ID: id, Kind: EntryWriteOff, Customer: r.Customer, Document: r.Invoice, Effective: cmpOr(r.Effective, w.today()),
			RecordedAt: w.now, RecordedBy: w.actor.ID, Description: "write-off: " + reason, Postings: []Posting{
				{Account: AccountWriteOff, Amount: amount},
				{Account: AccountReceivable, Customer: r.Customer, Amount: amount.Neg(), Item: r.Invoice, Due: inv.Due},
			}}
		return w.post(e, key, r)
	})
	return e, err
}

// RefundRequest pays back a customer's unapplied credit.
type RefundRequest struct {
	Customer  ID
	Credit    ID
	Amount    Money
	Reference string
	Effective Date
}

// Refund pays back credit the customer has not used.
func (c *CRM) Refund(ctx context.Context, actor ID, r RefundRequest, key string) (Entry, error) {
	e, _, err := c.billing(ctx, actor, r.Customer, key, r, func(w *writeTx, key string) (Entry, error) {
		ref, err := cleanText("reference", r.Reference, maxNameLen, false)
		if err != nil {
			return Entry{}, err
		}
		if !r.Amount.IsPositive() {
			return Entry{}, invalid("amount", "positive", "")
		}
		id, err := w.newID()
		if err != nil {
			return Entry{}, err
		}
		e := Entry{ID: id, Kind: EntryRefund, Customer: r.Customer, Document: r.Credit, Effective: cmpOr(r.Effective, w.today()),
			RecordedAt: w.now, RecordedBy: w.actor.ID, Description: "refund " + ref, Postings: []Posting{
				{Account: AccountCredit, Customer: r.Customer, Amount: r.Amount, Item: r.Credit},
				{Account: AccountCash, Amount: r.Amount.Neg()},
			}}
		return w.post(e, key, r)
	})
	return e, err
}

// Reverse corrects an entry by posting its mirror, effective today (or on
// the entry's own effective date, when that is later). An
// entry is reversed at most once, a reversal is not reversed (post the
// entry again instead), and a reversal that would leave an invoice
// overpaid or a credit overdrawn is refused: undo the allocations first.
// Undoing an allocation is reversing it.
func (c *CRM) Reverse(ctx context.Context, actor, entry ID, reason, key string) (Entry, error) {
	var customer ID
	err := c.store.View(ctx, func(tx ReadTx) error {
		e, err := tx.Ledger().Entry(ctx, entry)
		customer = e.Customer
		return err
	})
	if err != nil {
		return Entry{}, err
	}
	request := struct {
		Entry  ID
		Reason string
	}{entry, reason}
	e, _, err := c.billing(ctx, actor, customer, key, request, func(w *writeTx, key string) (Entry, error) {
		why, err := cleanText("reason", reason, maxNameLen, true)
		if err != nil {
			return Entry{}, err
		}
		orig, err := w.tx.Ledger().Entry(ctx, entry)
		if err != nil {
			return Entry{}, err
		}
		if orig.Kind == EntryReversal {
			return Entry{}, invalid("entry", "not_reversal", "a reversal is not reversed; post the entry again")
		}
		if rev, err := w.tx.Ledger().ReversalOf(ctx, entry); err == nil {
			return Entry{}, stale{&ReversedError{Entry: entry, Reversal: rev.ID}}
		} else if !errors.Is(err, ErrNotFound) {
			return Entry{}, err
		}
		id, err := w.newID()
		if err != nil {
			return Entry{}, err
		}
		// Effective today, or on the entry's own date if that is later: a
		// reversal never counts before what it reverses.
		return w.post(orig.Reversal(id, later(w.today(), orig.Effective), w.now, w.actor.ID, "reversal: "+why), key, request)
	})
	return e, err
}

// ReversedError says an entry was reversed already: an entry is reversed
// at most once. It matches ErrReversed and ErrConflict with errors.Is.
type ReversedError struct {
	Entry    ID // the entry asked to be reversed
	Reversal ID // the entry that reversed it
}

// Error implements error.
func (e *ReversedError) Error() string {
	return fmt.Sprintf("crm: entry %s was reversed already, by entry %s", e.Entry, e.Reversal)
}

// Is matches ErrReversed and ErrConflict.
func (e *ReversedError) Is(target error) bool { return target == ErrReversed || target == ErrConflict }
