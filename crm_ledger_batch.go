package crm

import (
	"context"
	"errors"
	"fmt"
)

// BatchError is the error of a batch command (IssueInvoices,
// ReceivePayments, RecordInteractions with more than one): the index of
// the first item refused and why. Nothing of the batch was written.
// errors.Is and errors.As see through it to Err.
type BatchError struct {
	Batch string // what the batch holds: "invoices", "payments", "interactions"
	Index int    // the item refused, from 0
	Err   error
}

// Error implements error.
func (e *BatchError) Error() string { return fmt.Sprintf("%s[%d]: %v", e.Batch, e.Index, e.Err) }

// Unwrap returns the item's error.
func (e *BatchError) Unwrap() error { return e.Err }

// maxLedgerBatch bounds a batch of ledger commands in one transaction.
const maxLedgerBatch = 1_000

// IssueInvoices issues and posts many invoices in one transaction: all or
// none. Each is what IssueInvoice would do with it, in order, each with
// its own idempotency key: a retried batch returns the invoices the first
// one returned, and a key repeated within the batch issues once. An item
// refused is a *BatchError naming it, and nothing is written.
func (c *LedgerService) IssueInvoices(ctx context.Context, actor ID, batch []NewInvoice) ([]Invoice, error) {
	keys, err := batchKeys("invoices", batch, func(n NewInvoice) (string, error) { return n.IdempotencyKey, nil })
	if err != nil {
		return nil, err
	}
	issue := func(w *writeTx, i int, n NewInvoice) (Invoice, error) {
		n.IdempotencyKey = ""
		var inv Invoice
		e, dup, err := w.bill(n.Customer, keys[i], n, func(key string) (e Entry, err error) {
			inv, e, err = w.issueInvoice(n, key, n)
			return e, err
		})
		if err != nil || !dup {
			return inv, err
		}
		return w.tx.Invoices().Get(w.ctx, e.Document)
	}
	// Set-based: read ahead, write in bulk (documentBatch).
	out, err := ledgerBatch(ctx, c, actor, "invoices", batch, func(w *writeTx) (func() error, error) {
		v, err := readAheadInvoices(w, w.storeTx(), batch, keys)
		if err != nil {
			return nil, err
		}
		w.tx = newTxView(v)
		return v.finish, nil
	}, issue)
	var flush batchFlushError
	if errors.As(err, &flush) {
		// One by one, which names the item refused.
		return ledgerBatch(ctx, c, actor, "invoices", batch, nil, issue)
	}
	return out, err
}

// ReceivePayments records and allocates many payments in one
// transaction: all or none. Each is what ReceivePayment would do with it,
// in order, each with its own idempotency key and its own receipt: a
// retried batch returns the receipts the first one returned (marked
// Duplicate), and a key repeated within the batch records once. An item
// refused is a *BatchError naming it, and nothing is written.
func (c *LedgerService) ReceivePayments(ctx context.Context, actor ID, batch []NewPayment) ([]PaymentReceipt, error) {
	keys, err := batchKeys("payments", batch, func(n NewPayment) (string, error) { return n.IdempotencyKey, n.Allocation.check() })
	if err != nil {
		return nil, err
	}
	receive := func(w *writeTx, i int, n NewPayment) (PaymentReceipt, error) {
		n.IdempotencyKey = ""
		var r PaymentReceipt
		e, dup, err := w.bill(n.Customer, keys[i], n, func(key string) (Entry, error) { return w.receivePayment(n, key, &r) })
		if err != nil {
			return PaymentReceipt{}, err
		}
		r.Entry, r.Duplicate = e, dup
		if !dup {
			return r, nil
		}
		if r.Payment, err = w.tx.Credits().Get(w.ctx, e.Document); err != nil {
			return r, err
		}
		r.Allocations, err = postedIn(w.ctx, w.tx.Ledger(), e, EntryFilter{Customer: e.Customer, Document: e.Document, Kind: EntryAllocation})
		return r, err
	}
	// Set-based: read ahead, write in bulk (documentBatch).
	out, err := ledgerBatch(ctx, c, actor, "payments", batch, func(w *writeTx) (func() error, error) {
		ids := make([]ID, len(batch))
		for i, n := range batch {
			ids[i] = n.Customer
		}
		v, err := readAheadDocuments(w.ctx, w.storeTx(), ids, keys)
		if err != nil {
			return nil, err
		}
		w.tx = newTxView(v)
		return v.finish, nil
	}, receive)
	var flush batchFlushError
	if errors.As(err, &flush) {
		// One by one, which names the item refused.
		return ledgerBatch(ctx, c, actor, "payments", batch, nil, receive)
	}
	return out, err
}

// batchKeys checks a batch's size and each item (check returns its
// idempotency key and what is wrong with it otherwise), and returns the
// keys trimmed as a single command trims them.
func batchKeys[N any](name string, batch []N, check func(N) (string, error)) ([]string, error) {
	if len(batch) == 0 || len(batch) > maxLedgerBatch {
		return nil, invalid(name, "range", fmt.Sprintf("1-%d per batch", maxLedgerBatch))
	}
	keys := make([]string, len(batch))
	for i, n := range batch {
		key, err := check(n)
		if err == nil {
			keys[i], err = cleanText("idempotency_key", key, maxNameLen, false)
		}
		if err != nil {
			return nil, &BatchError{Batch: name, Index: i, Err: err}
		}
	}
	return keys, nil
}

// ledgerBatch runs do on each item of batch, in order, in one write,
// weighing the payment facts each item queued when it is done, as its own
// command would (weighPaid), and names the item refused in a *BatchError. With prepare, the write first
// runs it, and runs what it returns after the last item: a
// batchFlushError from either is returned as it is, unretried.
func ledgerBatch[N, R any](ctx context.Context, c *LedgerService, actor ID, name string, batch []N,
	prepare func(w *writeTx) (func() error, error), do func(w *writeTx, i int, n N) (R, error)) ([]R, error) {
	var out []R
	failed := -1
	err := c.write(ctx, actor, func(w *writeTx) error {
		out, failed = make([]R, 0, len(batch)), -1 // a conflict retries the whole write
		finish := func() error { return nil }
		if prepare != nil {
			var err error
			if finish, err = prepare(w); err != nil {
				return err
			}
		}
		for i, n := range batch {
			r, err := do(w, i, n)
			if err == nil {
				// Each item's payment facts are weighed when it is done,
				// as its own command's are: in the ladder's order among
				// themselves, after those of the items before it.
				err = w.weighPaid()
			}
			var flush batchFlushError
			if errors.As(err, &flush) {
				return stale{flush}
			}
			if err != nil {
				failed = i
				return err
			}
			out = append(out, r)
		}
		if err := finish(); err != nil {
			var flush batchFlushError
			if errors.As(err, &flush) {
				return stale{flush}
			}
			return err
		}
		return nil
	})
	var flush batchFlushError
	switch {
	case errors.As(err, &flush):
		return nil, flush
	case err != nil && failed >= 0:
		return nil, &BatchError{Batch: name, Index: failed, Err: err}
	case err != nil:
		return nil, err
	}
	return out, nil
}
