package crm

import (
	"context"
	"slices"
)

// AllocationStrategy says what to do with a payment when it is received.
type AllocationStrategy string

// The allocation strategies. The zero value keeps the payment as credit.
const (
	// KeepAsCredit keeps the payment as the customer's unapplied credit,
	// to allocate later.
	KeepAsCredit AllocationStrategy = "keep_as_credit"
	// AllocateOldestFirst applies the payment at once to the customer's
	// open invoices in its currency, the oldest due first; what is left
	// stays unapplied credit.
	AllocateOldestFirst AllocationStrategy = "oldest_first"
)

func (s AllocationStrategy) check() error {
	switch s {
	case "", KeepAsCredit, AllocateOldestFirst:
		return nil
	}
	return invalid("allocation", "one_of", string(s)+" is not an allocation strategy")
}

// PaymentReceipt is what ReceivePayment recorded: the payment and the
// allocations it made. Applied oldest first, a payment posts one
// allocation entry for the invoices it settles on one day, with a posting
// to each of them (Entry.Invoices lists them), so Allocations has an entry
// per day settled, not per invoice.
type PaymentReceipt struct {
	Payment     Credit  `json:"payment,omitzero"`
	Entry       Entry   `json:"entry,omitzero"`
	Allocations []Entry `json:"allocations,omitempty"`
	Duplicate   bool    `json:"duplicate,omitempty"` // an earlier receipt with the same idempotency key
}

// ReceivePayment records a payment received and allocates it as
// n.Allocation says: kept as the customer's unapplied credit, usable on
// later invoices, or applied at once to their open invoices in its
// currency, the oldest due first. A retry with the same idempotency key
// returns the first receipt, the allocations it made included (whether
// reversed since or not), marked Duplicate.
func (c *LedgerService) ReceivePayment(ctx context.Context, actor ID, n NewPayment) (PaymentReceipt, error) {
	if err := n.Allocation.check(); err != nil {
		return PaymentReceipt{}, err
	}
	key := n.IdempotencyKey
	n.IdempotencyKey = ""
	var r PaymentReceipt
	e, dup, err := c.billing(ctx, actor, n.Customer, key, n, func(w *writeTx, key string) (Entry, error) {
		return w.receivePayment(n, key, &r)
	})
	if err != nil {
		return PaymentReceipt{}, err
	}
	r.Entry, r.Duplicate = e, dup
	if !dup {
		return r, nil
	}
	if r.Payment, err = c.creditOf(ctx, e); err != nil {
		return r, err
	}
	// A retry returns the allocations the first call made, as they were
	// made, not those made by hand since.
	r.Allocations, err = c.postedWith(ctx, e, EntryFilter{Customer: e.Customer, Document: e.Document, Kind: EntryAllocation})
	return r, err
}

// receivePayment posts the payment n (its idempotency key taken out and
// checked as key) and allocates it as n.Allocation says, adding the
// allocations to r.
func (w *writeTx) receivePayment(n NewPayment, key string, r *PaymentReceipt) (Entry, error) {
	oldestFirst := n.Allocation == AllocateOldestFirst
	// The payment and its allocations are posted from one request: a
	// retry finds the allocations by it (postedWith).
	request := digestOnce(key, n)
	r.Allocations = nil // a conflict retries the whole write
	credit, e, err := postDocument(w, n.build, w.tx.Credits().Insert, key, request)
	r.Payment = credit
	if err != nil || !oldestFirst {
		return e, err
	}
	if w.credits == nil {
		w.credits = map[ID]Credit{}
	}
	w.credits[credit.ID] = credit
	// The customer's open invoices in the payment's currency are read
	// oldest due first, a page at a time, only as far as the payment
	// goes: older credit stays where the customer's earlier
	// allocations left it. Each allocation then reads and checks only
	// the credit and the invoice it pairs.
	reqs, err := w.oldestFirst(credit)
	if err != nil {
		return Entry{}, err
	}
	// What is open on the invoices the day the payment was received,
	// which is the day it settles those issued by then (settlingDay),
	// is read for all of them at once and kept by the write (txView).
	invoices := make([]ID, 0, len(reqs))
	for _, req := range reqs {
		invoices = append(invoices, req.Invoice)
	}
	if len(invoices) > 1 {
		// As of the day received, kept by the write, as what is open on
		// them now is from the pages oldestFirst read (ledgerView).
		if _, err := w.tx.Ledger().OpenItemsOf(w.ctx, n.Customer, invoices, credit.Received); err != nil {
			return Entry{}, err
		}
		if err := w.readInvoices(n.Customer, invoices); err != nil {
			return Entry{}, err
		}
	}
	// Each day the payment settles invoices on is one allocation entry
	// (as a payment entry of ERPNext settles many invoices in one
	// document), of at most maxAllocationLines invoices: one posting
	// to the credit and one to each invoice, one event, one check.
	var days []Date
	byDay := map[Date][]AllocationRequest{}
	for _, req := range reqs {
		day, ok, err := w.settlingDay(req, credit.Received)
		if err != nil {
			return Entry{}, err
		}
		if !ok {
			continue
		}
		req.Effective = day
		if _, seen := byDay[day]; !seen {
			days = append(days, day)
		}
		byDay[day] = append(byDay[day], req)
	}
	for _, day := range days {
		for group := range slices.Chunk(byDay[day], maxAllocationLines) {
			a, err := w.allocateAll(group, request)
			if err != nil {
				return Entry{}, err
			}
			r.Allocations = append(r.Allocations, a)
		}
	}
	return e, nil
}

// oldestFirst is OldestFirst of the payment c alone, just posted: what it
// takes of the customer's open invoices in its currency, the oldest due
// first, read a page at a time until it is used up.
func (w *writeTx) oldestFirst(c Credit) ([]AllocationRequest, error) {
	var out []AllocationRequest
	left, after, limit := c.Amount, OpenItem{}, 16
	for left.IsPositive() {
		page, err := w.tx.Ledger().OldestOpen(w.ctx, c.Customer, c.Amount.Currency(), after, limit)
		if err != nil {
			return nil, err
		}
		for _, inv := range page {
			amount := left
			if less, _ := inv.Open.Cmp(left); less < 0 {
				amount = inv.Open
			}
			out = append(out, AllocationRequest{Customer: c.Customer, Credit: c.ID, Invoice: inv.Item, Amount: amount})
			if left, _ = left.Sub(amount); !left.IsPositive() {
				break
			}
		}
		if len(page) < limit {
			break
		}
		after, limit = page[len(page)-1], min(2*limit, MaxPageSize)
	}
	return out, nil
}

// settlingDay is the day a payment received on received settles what r
// allocates of an invoice: the day both exist (a payment that came before
// the invoice settles it the day it is issued), or, when the invoice had
// less open then, or on a day since, than r takes (a reversal reopened
// it since), today. An
// invoice dated in the future is settled on its day: until then the
// payment is a prepayment. It reports false when neither day works (the
// invoice grows only on a later day): that invoice is left for later.
func (w *writeTx) settlingDay(r AllocationRequest, received Date) (Date, bool, error) {
	inv, err := w.invoiceHeader(r.Invoice)
	if err != nil {
		return Date{}, false, err
	}
	first := later(received, inv.Issued)
	for _, day := range []Date{first, later(first, w.today())} {
		open, err := w.tx.Ledger().OpenItemsOf(w.ctx, r.Customer, []ID{r.Invoice}, day)
		if err != nil {
			return Date{}, false, err
		}
		it, ok := findItem(open, AccountReceivable, r.Invoice)
		if !ok {
			continue
		}
		lowest := it.Open.Amount()
		if day.Before(w.today()) { // what is open on each day from then on
			if lowest, _, err = w.extremeAfter(r.Customer, r.Invoice, day, lowest, false); err != nil {
				return Date{}, false, err
			}
		}
		if !lowest.LessThan(r.Amount.Amount()) && it.Open.Currency() == r.Amount.Currency() {
			return day, true, nil
		}
	}
	return Date{}, false, nil
}

// readInvoices reads ahead the headers of the customer's invoices ids
// (InvoiceReader.Headers): a payment applied to a thousand invoices reads
// them in a few statements, not one each, and not their lines. Those it
// does not find are read one by one when wanted (invoiceHeader).
func (w *writeTx) readInvoices(customer ID, ids []ID) error {
	headers, err := w.tx.Invoices().Headers(w.ctx, customer, ids)
	if err != nil {
		return err
	}
	if w.invoices == nil {
		w.invoices = make(map[ID]InvoiceHeader, len(headers))
	}
	for _, h := range headers {
		w.invoices[h.ID] = h
	}
	return nil
}

// invoiceHeader returns the header of invoice id, read ahead or read now.
func (w *writeTx) invoiceHeader(id ID) (InvoiceHeader, error) {
	if h, ok := w.invoices[id]; ok {
		return h, nil
	}
	inv, err := w.tx.Invoices().Get(w.ctx, id)
	return inv.Header(), err
}

// Allocate applies a customer's credit to one of their invoices. It never
// applies more than is open on either, never across customers, and across
// currencies only with a rate. A payment's allocation that settles the
// invoice is evidence on the customer's loyalty ladder
// (FactEvidence.Payments): paid on time or late.
func (c *LedgerService) Allocate(ctx context.Context, actor ID, r AllocationRequest) (Entry, error) {
	key := r.IdempotencyKey
	r.IdempotencyKey = ""
	e, _, err := c.billing(ctx, actor, r.Customer, key, r, func(w *writeTx, key string) (Entry, error) {
		return w.allocate(r, key, r)
	})
	return e, err
}

// allocate posts an allocation, reading only what is open on the credit
// and the invoice it pairs.
func (w *writeTx) allocate(r AllocationRequest, key string, request any) (Entry, error) {
	open, err := w.readOpen(r.Customer, []ID{r.Credit, r.Invoice})
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
	ps, err := allocationPostings(r, credit, invoice, w.crm.documents.fx)
	if err != nil {
		return Entry{}, err
	}
	id, err := w.newID()
	if err != nil {
		return Entry{}, err
	}
	e := Entry{ID: id, Kind: EntryAllocation, Customer: r.Customer, Document: r.Credit, Effective: cmpOr(r.Effective, w.today()),
		RecordedAt: w.now, RecordedBy: w.actor.ID, Description: "allocation to invoice " + r.Invoice.String(), Postings: ps}
	if e, err = w.post(e, key, request); err != nil {
		return Entry{}, err
	}
	return e, w.allocated(r, invoice, e)
}

func findItem(items []OpenItem, account AccountType, id ID) (OpenItem, bool) {
	for _, it := range items {
		if it.Account == account && it.Item == id {
			return it, true
		}
	}
	return OpenItem{}, false
}
