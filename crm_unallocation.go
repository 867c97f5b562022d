package crm

import (
	"context"
	"errors"
)

// UnallocateRequest gives back to its credit what the allocation entry
// Allocation applied to one Invoice, for Reason: that invoice is open
// again by as much, and the allocation's other invoices stay settled.
type UnallocateRequest struct {
	Allocation     ID     `json:"allocation,omitzero"`
	Invoice        ID     `json:"invoice,omitzero"`
	Reason         string `json:"reason,omitempty"`
	IdempotencyKey string `json:"idempotency_key,omitempty"`
}

// Unallocate undoes one invoice's share of an allocation: an entry of
// kind EntryUnallocation, effective today (or on the allocation's own
// date, when that is later), takes it off the invoice's receivable and
// gives it back to the credit, as unapplied credit to use elsewhere or
// refund. It is how a payment applied oldest first to many invoices in
// one entry is corrected for one of them; reversing the allocation
// (Reverse) undoes it for all. Reversing an invoice gives back its
// share of such an allocation the same way, in the same command.
//
// The unallocation names the allocation as its Document. An invoice's
// share is given back once: again, it is a *ConflictError; from an
// allocation reversed, a *ReversedError. A retry with the same
// idempotency key returns the first unallocation.
func (c *LedgerService) Unallocate(ctx context.Context, actor ID, r UnallocateRequest) (Entry, error) {
	var customer ID
	err := c.read(ctx, actor, func(tx ReadTx, _ User) error {
		e, err := tx.Ledger().Entry(ctx, r.Allocation)
		customer = e.Customer
		return err
	})
	if err != nil {
		return Entry{}, err
	}
	key := r.IdempotencyKey
	r.IdempotencyKey = ""
	e, _, err := c.billing(ctx, actor, customer, key, r, func(w *writeTx, key string) (Entry, error) {
		why, err := cleanText("reason", r.Reason, maxNameLen, true)
		if err != nil {
			return Entry{}, err
		}
		a, err := w.tx.Ledger().Entry(w.ctx, r.Allocation)
		if err != nil {
			return Entry{}, err
		}
		if a.Kind != EntryAllocation {
			return Entry{}, invalid("allocation", "allocation", "not an allocation entry; reverse it instead")
		}
		if rev, err := w.tx.Ledger().ReversalOf(w.ctx, a.ID); err == nil {
			return Entry{}, stale{&ReversedError{Entry: a.ID, Reversal: rev.ID}}
		} else if !errors.Is(err, ErrNotFound) {
			return Entry{}, err
		}
		given, err := w.unallocations(a)
		if err != nil {
			return Entry{}, err
		}
		if u, ok := given[r.Invoice]; ok {
			return Entry{}, stale{&ConflictError{Kind: KindEntry, ID: a.ID.String(),
				Detail: "its share of invoice " + r.Invoice.String() + " was given back already, by entry " + u.String()}}
		}
		return w.unallocate(a, r.Invoice, why, key, r)
	})
	return e, err
}

// unallocate posts the unallocation of invoice's share of the allocation
// a, live on it.
func (w *writeTx) unallocate(a Entry, invoice ID, why, key string, request any) (Entry, error) {
	var share, credit Posting
	for _, p := range a.Postings {
		switch {
		case p.Account == AccountReceivable && p.Item == invoice:
			share = p
		case p.Account == AccountCredit:
			credit = p
		}
	}
	if share.Item.IsZero() {
		return Entry{}, invalid("invoice", "allocated", "the allocation settles no such invoice")
	}
	if share.Amount.Currency() != credit.Amount.Currency() {
		return Entry{}, invalid("allocation", "one_currency", "an allocation across currencies is undone by reversing it")
	}
	id, err := w.newID()
	if err != nil {
		return Entry{}, err
	}
	e := Entry{ID: id, Kind: EntryUnallocation, Customer: a.Customer, Document: a.ID, Effective: later(w.today(), a.Effective),
		RecordedAt: w.now, RecordedBy: w.actor.ID, Description: "unallocation of invoice " + invoice.String() + ": " + why, Postings: []Posting{
			share.mirror(),
			{Account: AccountCredit, Customer: a.Customer, Amount: share.Amount, Item: credit.Item},
		}}
	return w.post(e, key, request)
}

// mirror returns the posting that undoes p.
func (p Posting) mirror() Posting {
	p.Amount = p.Amount.Neg()
	return p
}

// unallocations returns the unallocations still live (not reversed) of
// the allocation a, by the invoice whose share each gave back.
func (w *writeTx) unallocations(a Entry) (map[ID]ID, error) {
	es, err := allEntries(w.ctx, w.tx.Ledger(), EntryFilter{Customer: a.Customer, Document: a.ID})
	if err != nil {
		return nil, err
	}
	out := map[ID]ID{}
	for _, u := range es {
		if u.Kind != EntryUnallocation {
			continue
		}
		if _, err := w.tx.Ledger().ReversalOf(w.ctx, u.ID); err == nil {
			continue
		} else if !errors.Is(err, ErrNotFound) {
			return nil, err
		}
		for _, inv := range u.Invoices() {
			out[inv] = u.ID
		}
	}
	return out, nil
}
