package crm

import (
	"context"
	"errors"
	"fmt"
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
// the entry's own effective date, when that is later). An
// entry is reversed at most once, a reversal is not reversed (post the
// entry again instead), and a reversal that would leave an invoice
// overpaid or a credit overdrawn is refused: undo the allocations first.
// Undoing an allocation is reversing it.
func (c *LedgerService) Reverse(ctx context.Context, actor ID, r ReverseRequest) (Entry, error) {
	entry, reason, key := r.Entry, r.Reason, r.IdempotencyKey
	var customer ID
	err := c.read(ctx, actor, func(tx ReadTx, _ User) error {
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
