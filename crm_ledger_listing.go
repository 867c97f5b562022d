package crm

import (
	"context"
	"errors"
	"slices"
)

// EntryQuery asks for a page of ledger entries: those of Customer (every
// customer's when zero), posting Document, with a posting to Item (an
// invoice or a credit: its own entry, the allocations to or from it, its
// write-offs, refunds and their reversals), of Kind, effective within
// [From, To]; zero fields match everything. Page is the page: the first
// for a zero Page, the following ones with a previous page's Next.
type EntryQuery struct {
	Customer ID        `json:"customer,omitzero"`
	Document ID        `json:"document,omitzero"`
	Item     ID        `json:"item,omitzero"`
	Kind     EntryKind `json:"kind,omitempty"`
	From     Date      `json:"from,omitzero"`
	To       Date      `json:"to,omitzero"`
	Page     PageQuery `json:"page,omitzero"`
}

// filter checks the query and returns its EntryFilter.
func (q EntryQuery) filter() (EntryFilter, error) {
	switch {
	case q.Kind != "" && !slices.Contains(entryKinds, q.Kind):
		return EntryFilter{}, invalid("kind", "one_of", string(q.Kind)+" is not a kind of entry")
	case !q.From.IsZero() && !q.From.IsValid():
		return EntryFilter{}, invalid("from", "calendar", "")
	case !q.To.IsZero() && !q.To.IsValid():
		return EntryFilter{}, invalid("to", "calendar", "")
	case !q.From.IsZero() && !q.To.IsZero() && q.To.Before(q.From):
		return EntryFilter{}, invalid("to", "after_from", "")
	}
	return EntryFilter{Customer: q.Customer, Document: q.Document, Item: q.Item, Kind: q.Kind, From: q.From, To: q.To}, nil
}

// entryKinds are the kinds of entry.
var entryKinds = []EntryKind{EntryInvoice, EntryPayment, EntryAllocation, EntryCreditNote, EntryWriteOff, EntryRefund, EntryReversal, EntryUnallocation}

// Entries returns a page of the ledger's entries matching q, in the order
// they were recorded. About one customer, the actor must be able to read
// them (a customer they may not read is reported missing, as elsewhere);
// a query that names no customer but a Document or an Item is about that
// document's customer. Across customers, the actor must be able to
// analyze, and gets the entries of the customers they may read.
func (c *LedgerService) Entries(ctx context.Context, actor ID, q EntryQuery) (Page[Entry], error) {
	f, err := q.filter()
	if err != nil {
		return Page[Entry]{}, err
	}
	customer := f.Customer
	if customer.IsZero() {
		if doc := cmpOr(f.Document, f.Item); !doc.IsZero() {
			if customer, err = c.documentCustomer(ctx, actor, doc); err != nil {
				return Page[Entry]{}, err
			}
		}
	}
	read := func(after ID, limit int) (out []Entry, next ID, err error) {
		err = c.receivables(ctx, actor, customer, func(tx ReadTx, see visibility) error {
			var seeErr error
			list := func(p PageRequest) ([]Entry, error) { return tx.Ledger().Entries(ctx, f, p) }
			keep := func(e Entry) bool {
				ok, err := see(e.Customer)
				if err != nil && seeErr == nil {
					seeErr = err
				}
				return ok
			}
			if out, next, err = keyset(list, func(e Entry) ID { return e.ID }, keep, after, limit); err != nil {
				return err
			}
			return seeErr
		})
		return out, next, err
	}
	return page(read, q.Page)
}

// documentCustomer returns the customer of an invoice, a payment or a
// credit note, which never changes; a document that is neither is not
// found. It is only a lookup: what the actor may read is asked after.
func (c *engine) documentCustomer(ctx context.Context, actor, doc ID) (ID, error) {
	var customer ID
	err := c.read(ctx, actor, func(tx ReadTx, _ User) error {
		inv, err := tx.Invoices().Get(ctx, doc)
		if err == nil {
			customer = inv.Customer
			return nil
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		cr, err := tx.Credits().Get(ctx, doc)
		if errors.Is(err, ErrNotFound) {
			return &NotFoundError{Kind: KindInvoice, ID: doc.String()}
		}
		customer = cr.Customer
		return err
	})
	return customer, err
}

// AllocationLine is an allocation to or from a document: its entry, the
// credit applied and the invoice it was applied to, Amount taken off the
// credit (in the credit's currency) and Settled taken off the invoice (in
// the invoice's, the exchange difference an allocation with Settle closed
// included), the day it counts from, and whether it was undone: Reversed,
// by the entry Reversal (the allocation's reversal, or the unallocation
// that gave this invoice's share back). An allocation entry that settled
// many invoices is a line per invoice.
type AllocationLine struct {
	Entry     ID    `json:"entry,omitzero"`
	Credit    ID    `json:"credit,omitzero"`
	Invoice   ID    `json:"invoice,omitzero"`
	Amount    Money `json:"amount"`
	Settled   Money `json:"settled"`
	Effective Date  `json:"effective,omitzero"`
	Reversed  bool  `json:"reversed,omitempty"`
	Reversal  ID    `json:"reversal,omitzero"`
}

// Allocations lists the allocations to an invoice, or from a payment or
// a credit note, in the order they were made, reversed ones included and
// marked so. The actor must be able to read the document's customer; a
// document they may not read, like one that does not exist, is not found.
func (c *LedgerService) Allocations(ctx context.Context, actor, document ID) ([]AllocationLine, error) {
	customer, err := c.documentCustomer(ctx, actor, document)
	if err != nil {
		return nil, err
	}
	out := []AllocationLine{}
	err = c.receivables(ctx, actor, customer, func(tx ReadTx, _ visibility) error {
		touching, err := allEntries(ctx, tx.Ledger(), EntryFilter{Customer: customer, Item: document})
		if err != nil {
			return err
		}
		reversal := map[ID]ID{}
		for _, e := range touching {
			if e.Kind == EntryReversal {
				reversal[e.Reverses] = e.ID
			}
		}
		type share struct{ allocation, invoice ID }
		given := map[share]ID{} // by the unallocation still live that gave it back
		for _, e := range touching {
			if e.Kind == EntryUnallocation && reversal[e.ID].IsZero() {
				for _, inv := range e.Invoices() {
					given[share{e.Document, inv}] = e.ID
				}
			}
		}
		for _, e := range touching {
			if e.Kind != EntryAllocation {
				continue
			}
			for _, l := range allocationLines(e) {
				if l.Credit != document && l.Invoice != document {
					continue // another invoice the allocation settled
				}
				l.Reversal = cmpOr(reversal[e.ID], given[share{e.ID, l.Invoice}])
				l.Reversed = !l.Reversal.IsZero()
				out = append(out, l)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// allocationLines reads an allocation entry as a line per invoice it
// settles: one for an entry of one invoice (allocationLine), and for one
// of many, each invoice's posting and as much of the credit.
func allocationLines(e Entry) []AllocationLine {
	invoices := e.Invoices()
	if len(invoices) <= 1 {
		return []AllocationLine{allocationLine(e)}
	}
	credit := creditOfAllocation(e)
	out := make([]AllocationLine, 0, len(invoices))
	for _, p := range e.Postings {
		if p.Account == AccountReceivable {
			out = append(out, AllocationLine{Entry: e.ID, Credit: credit, Invoice: p.Item, Amount: p.Amount.Neg(), Settled: p.Amount.Neg(), Effective: e.Effective})
		}
	}
	return out
}

// allocationLine reads an allocation entry: its posting to the credit, and
// what it takes off the invoice's receivable.
func allocationLine(e Entry) AllocationLine {
	l := AllocationLine{Entry: e.ID, Effective: e.Effective}
	for _, p := range e.Postings {
		switch p.Account {
		case AccountCredit:
			l.Credit, l.Amount = p.Item, p.Amount
		case AccountReceivable:
			if l.Settled.Currency().IsZero() {
				l.Invoice, l.Settled = p.Item, Zero(p.Amount.Currency())
			}
			l.Settled, _ = l.Settled.Sub(p.Amount)
		}
	}
	return l
}
