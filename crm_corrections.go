package crm

import (
	"context"
	"errors"
	"fmt"
	"slices"
)

// WriteOffRequest writes off Amount of what a customer will not pay on an
// invoice; a nil Amount writes off everything open on it. Effective
// defaults to today.
type WriteOffRequest struct {
	Customer       ID     `json:"customer,omitzero"`
	Invoice        ID     `json:"invoice,omitzero"`
	Amount         *Money `json:"amount,omitempty"`
	Reason         string `json:"reason,omitempty"`
	Effective      Date   `json:"effective,omitzero"`
	Approval       ID     `json:"approval,omitzero"` // another user's CorrectionApproval, above the correction limit
	IdempotencyKey string `json:"idempotency_key,omitempty"`
}

// WriteOff takes an amount off an invoice as a loss.
func (c *LedgerService) WriteOff(ctx context.Context, actor ID, r WriteOffRequest) (Entry, error) {
	key := r.IdempotencyKey
	r.IdempotencyKey = ""
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
		amount := inv.Open
		if r.Amount != nil {
			amount = *r.Amount
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
		if e, err = w.post(e, key, r); err != nil {
			return Entry{}, err
		}
		return e, w.checkCorrection(CorrectionWriteOff, r.Customer, amount, r.Approval)
	})
	return e, err
}

// RefundRequest pays back Amount of a customer's unapplied Credit.
// Effective defaults to today.
type RefundRequest struct {
	Customer       ID     `json:"customer,omitzero"`
	Credit         ID     `json:"credit,omitzero"`
	Amount         Money  `json:"amount"`
	Reference      string `json:"reference,omitempty"`
	Effective      Date   `json:"effective,omitzero"`
	Approval       ID     `json:"approval,omitzero"` // another user's CorrectionApproval, above the correction limit
	IdempotencyKey string `json:"idempotency_key,omitempty"`
}

// Refund pays back credit the customer has not used.
func (c *LedgerService) Refund(ctx context.Context, actor ID, r RefundRequest) (Entry, error) {
	key := r.IdempotencyKey
	r.IdempotencyKey = ""
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
		if e, err = w.post(e, key, r); err != nil {
			return Entry{}, err
		}
		return e, w.checkCorrection(CorrectionRefund, r.Customer, r.Amount, r.Approval)
	})
	return e, err
}

// Reverse corrects an entry by posting its mirror, effective today (or on
// the entry's own effective date, when that is later). An entry is
// reversed at most once, and a reversal is not reversed (post the entry
// again instead).
//
// Reversing a document's entry cancels the document in one command,
// with what settled it:
//   - a payment or a credit note: the allocations from it still live are
//     reversed first, so the invoices they paid are open again (a bounced
//     cheque is one call). A refund from it is not undone, as that money
//     did leave: the reversal would overdraw the credit and is refused.
//   - an invoice: the allocations to it still live are reversed first,
//     each credit returning to the customer as unapplied credit, to use
//     on another invoice or refund; so are its write-offs, as a loss on an
//     invoice that is cancelled was never one. An installment of a
//     contract the invoice billed is freed in the same transaction (the
//     contract saved with the installment's invoice cleared, and its
//     event saying why), so it can be invoiced again and is expected
//     again in the collections.
//
// It is all or nothing: each reversal is an entry with its event, in one
// transaction. Reversing any other entry (an allocation, a write-off, a
// refund) reverses it alone; undoing an allocation is reversing it. A
// reversal that would still leave an invoice overpaid or a credit
// overdrawn is refused and changes nothing. A retry with the same
// idempotency key returns what the first call returned.
func (c *LedgerService) Reverse(ctx context.Context, actor ID, r ReverseRequest) (ReverseResult, error) {
	entry, reason, key := r.Entry, r.Reason, r.IdempotencyKey
	var customer ID
	err := c.read(ctx, actor, func(tx ReadTx, _ User) error {
		e, err := tx.Ledger().Entry(ctx, entry)
		customer = e.Customer
		return err
	})
	if err != nil {
		return ReverseResult{}, err
	}
	request := struct {
		Entry  ID
		Reason string
	}{entry, reason}
	var out ReverseResult
	e, dup, err := c.billing(ctx, actor, customer, key, request, func(w *writeTx, key string) (Entry, error) {
		out.Settlements = nil // a conflict retries the whole write
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
		settled, err := w.settlements(orig)
		if err != nil {
			return Entry{}, err
		}
		// With a key, every reversal carries the request's digest, by
		// which a retry finds them (postedWith); digested once.
		req := digestOnce(key, request)
		for _, s := range settled {
			undo := w.reverse
			if s.share {
				undo = func(a Entry, why, key string, request any) (Entry, error) {
					return w.unallocate(a, orig.Document, why, key, request)
				}
			}
			rev, err := undo(s.entry, why, "", req)
			if err != nil {
				return Entry{}, err
			}
			out.Settlements = append(out.Settlements, rev)
		}
		rev, err := w.reverse(orig, why, key, req)
		if err != nil {
			return Entry{}, err
		}
		switch orig.Kind {
		case EntryInvoice:
			return rev, w.freeInstallment(orig.Document, why)
		case EntryAllocation:
			// What was given back of it is taken back, after it: the
			// reversal gave back all it applied.
			given, err := w.unallocations(orig)
			if err != nil {
				return Entry{}, err
			}
			for _, inv := range orig.Invoices() {
				u, ok := given[inv]
				if !ok {
					continue
				}
				ue, err := w.tx.Ledger().Entry(w.ctx, u)
				if err != nil {
					return Entry{}, err
				}
				back, err := w.reverse(ue, why, "", req)
				if err != nil {
					return Entry{}, err
				}
				out.Settlements = append(out.Settlements, back)
			}
		}
		return rev, nil
	})
	if err != nil {
		return ReverseResult{}, err
	}
	out.Reversal, out.Duplicate = e, dup
	if dup && (reversesDocument(e.ReversedKind) || e.ReversedKind == EntryAllocation) {
		// The settlements reversed or given back post to the document's
		// item (an allocation's: its credit), from the same request, in
		// the same write.
		item := e.Document
		if e.ReversedKind == EntryAllocation {
			item = creditOfAllocation(e)
		}
		out.Settlements, err = c.postedWith(ctx, e, EntryFilter{Customer: e.Customer, Item: item})
	}
	return out, err
}

// ReverseResult is what Reverse posted: the reversal of the entry asked
// for and, before it, the reversals of the entries that settled the
// document it posted (see Reverse), in the order they were posted.
// Duplicate says a retry with the same idempotency key found them.
type ReverseResult struct {
	Reversal    Entry   `json:"reversal,omitzero"`
	Settlements []Entry `json:"settlements,omitempty"`
	Duplicate   bool    `json:"duplicate,omitempty"`
}

// reversesDocument reports whether reversing an entry of kind k reverses
// what settled its document too.
func reversesDocument(k EntryKind) bool {
	return k == EntryPayment || k == EntryCreditNote || k == EntryInvoice
}

// reverse posts the reversal of e: effective today, or on e's own date if
// that is later, as a reversal never counts before what it reverses.
func (w *writeTx) reverse(e Entry, why, key string, request any) (Entry, error) {
	id, err := w.newID()
	if err != nil {
		return Entry{}, err
	}
	return w.post(e.Reversal(id, later(w.today(), e.Effective), w.now, w.actor.ID, "reversal: "+why), key, request)
}

// settlement is an entry that settled a document being reversed: undone
// by reversing it, or, for an allocation that settled other invoices too,
// by giving back the invoice's share of it (share).
type settlement struct {
	entry Entry
	share bool
}

// settlements returns the entries still live (not reversed) that settled
// the document orig posted, in the order they were posted: for a payment
// or a credit note, the allocations from it and the unallocations that
// gave shares of them back; for an invoice, the allocations to it, but
// those whose share of it was given back, and its write-offs. Other
// entries post no document that anything settles.
func (w *writeTx) settlements(orig Entry) ([]settlement, error) {
	if !reversesDocument(orig.Kind) || orig.Document.IsZero() {
		return nil, nil
	}
	touching, err := allEntries(w.ctx, w.tx.Ledger(), EntryFilter{Customer: orig.Customer, Item: orig.Document})
	if err != nil {
		return nil, err
	}
	reversed, given := map[ID]bool{}, map[ID]bool{}
	for _, e := range touching {
		if e.Kind == EntryReversal {
			reversed[e.Reverses] = true
		}
	}
	invoice := orig.Kind == EntryInvoice
	for _, e := range touching {
		if e.Kind == EntryUnallocation && !reversed[e.ID] {
			given[e.Document] = true // the allocation's share of the invoice
		}
	}
	var out []settlement
	for _, e := range touching {
		if reversed[e.ID] {
			continue
		}
		switch {
		case e.Kind == EntryAllocation && invoice:
			if !given[e.ID] {
				out = append(out, settlement{e, len(e.Invoices()) > 1})
			}
		case e.Kind == EntryAllocation, e.Kind == EntryUnallocation && !invoice, e.Kind == EntryWriteOff && invoice:
			out = append(out, settlement{entry: e})
		}
	}
	return out, nil
}

// creditOfAllocation returns the credit an allocation entry (or its
// reversal) posts to.
func creditOfAllocation(e Entry) ID {
	for _, p := range e.Postings {
		if p.Account == AccountCredit {
			return p.Item
		}
	}
	return ID{}
}

// freeInstallment frees the contract installment an invoice reversed
// billed, if any: the installment's invoice is cleared, so that it can be
// invoiced again and counts again in the expected collections, and the
// contract's event says why. An invoice that names a contract whose
// installment points to another invoice (or none) frees nothing.
func (w *writeTx) freeInstallment(invoice ID, why string) error {
	inv, err := w.tx.Invoices().Get(w.ctx, invoice)
	if err != nil {
		return err
	}
	if inv.Contract.IsZero() || inv.Installment <= 0 {
		return nil
	}
	ct, err := w.tx.Contracts().Get(w.ctx, inv.Contract)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(ct.Plan.Installments, func(in Installment) bool { return in.Number == inv.Installment && in.Invoice == invoice })
	if i < 0 {
		return nil
	}
	after := ct.Clone()
	after.Plan.Installments[i].Invoice = ID{}
	_, err = w.saveContract(ct, after, "", fmt.Sprintf("installment %d freed: invoice %s reversed: %s", inv.Installment, invoice, why))
	return err
}

// ReverseRequest reverses Entry for Reason.
type ReverseRequest struct {
	Entry          ID     `json:"entry,omitzero"`
	Reason         string `json:"reason,omitempty"`
	IdempotencyKey string `json:"idempotency_key,omitempty"`
}

// ReversedError says an entry was reversed already: an entry is reversed
// at most once. It matches ErrReversed and ErrConflict with errors.Is.
type ReversedError struct {
	Entry    ID `json:"entry,omitzero"`    // the entry asked to be reversed
	Reversal ID `json:"reversal,omitzero"` // the entry that reversed it
}

// Error implements error.
func (e *ReversedError) Error() string {
	return fmt.Sprintf("crm: entry %s was reversed already, by entry %s", e.Entry, e.Reversal)
}

// Is matches ErrReversed and ErrConflict.
func (e *ReversedError) Is(target error) bool { return target == ErrReversed || target == ErrConflict }
