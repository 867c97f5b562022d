package crm

import (
	"context"
	"errors"
)

// documentBatch is the Tx a batch of ledger commands works through
// (IssueInvoices, ReceivePayments): the write's, except that what the
// commands read of their customers and of the idempotency keys they carry
// is read once for the whole batch, before the first; the invoice numbers
// the batch takes from each series are taken in one call; and the
// documents (invoices, payments) and entries they write are kept and
// written in a few statements of many rows (flush), at the end or before
// any read the view cannot answer itself. Each command runs the code of a
// single one, so a batch writes exactly what writing one by one would.
//
// A flush that fails is a *batchFlushError: the batch is then issued
// again one by one, which names the item refused.
type documentBatch struct {
	Tx
	ctx       context.Context
	customers map[ID]Customer
	keys      map[string]Entry // the stored entries of the batch's keys, and those the batch appends
	keysRead  map[string]bool
	need      map[numberSeries]int64     // the numbers the batch takes from each series
	numbers   map[numberSeries]*[2]int64 // taken at once: the next to give and the last
	invoices  heldDocuments[Invoice]
	credits   heldDocuments[Credit]
	entries   []Entry
	touched   map[ID]bool // customers with entries kept
	failed    error       // of a flush that could not return it
}

// numberSeries is a numbering series in a fiscal year.
type numberSeries struct {
	prefix string
	year   int
}

// batchFlushError is a batch's write that failed: issued one by one, the
// batch names the item refused.
type batchFlushError struct{ error }

func (e batchFlushError) Unwrap() error { return e.error }

// readAheadDocuments reads what a batch's commands will read: their
// customers and the entries of their keys (keys, as batchKeys returned
// them).
func readAheadDocuments(ctx context.Context, tx Tx, ids []ID, keys []string) (*documentBatch, error) {
	v := &documentBatch{Tx: tx, ctx: ctx, customers: map[ID]Customer{}, keys: map[string]Entry{}, keysRead: map[string]bool{},
		need: map[numberSeries]int64{}, numbers: map[numberSeries]*[2]int64{}, touched: map[ID]bool{}}
	var read []string
	for _, k := range keys {
		if k != "" {
			read = append(read, k)
		}
	}
	cus, err := tx.Customers().GetMany(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, c := range cus {
		v.customers[c.ID] = c
	}
	if len(read) > 0 {
		found, err := tx.Ledger().EntriesByKeys(ctx, read)
		if err != nil {
			return nil, err
		}
		for _, e := range found {
			v.keys[e.IdempotencyKey] = e
		}
		for _, k := range read {
			v.keysRead[k] = true
		}
	}
	return v, nil
}

// readAheadInvoices is readAheadDocuments for a batch of invoices, which
// also counts the numbers the batch takes from each series: one for each
// invoice without a number, but for those whose key a stored entry or an
// earlier invoice of the batch has (a retry, which takes none).
func readAheadInvoices(w *writeTx, tx Tx, batch []NewInvoice, keys []string) (*documentBatch, error) {
	ids := make([]ID, len(batch))
	for i, n := range batch {
		ids[i] = n.Customer
	}
	v, err := readAheadDocuments(w.ctx, tx, ids, keys)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for i, n := range batch {
		if key := keys[i]; key != "" {
			if _, stored := v.keys[key]; stored || seen[key] {
				continue
			}
			seen[key] = true
		}
		if day := cmpOr(n.Issued, w.today()); n.Number == "" && day.IsValid() {
			v.need[numberSeries{w.crm.numbering.InvoicePrefix, w.crm.calendar.FiscalYear(day)}]++
		}
	}
	return v, nil
}

// flush writes what the batch keeps: invoices, credits, then entries.
func (v *documentBatch) flush() error {
	if v.failed != nil {
		return v.failed
	}
	if len(v.invoices.rows) > 0 {
		if err := v.Tx.Invoices().InsertAll(v.ctx, v.invoices.rows); err != nil {
			return batchFlushError{err}
		}
	}
	if len(v.credits.rows) > 0 {
		if err := v.Tx.Credits().InsertAll(v.ctx, v.credits.rows); err != nil {
			return batchFlushError{err}
		}
	}
	if len(v.entries) > 0 {
		if err := v.Tx.Ledger().AppendAll(v.ctx, v.entries); err != nil {
			return batchFlushError{err}
		}
	}
	v.invoices.reset()
	v.credits.reset()
	v.entries = nil
	clear(v.touched)
	return nil
}

// finish writes what the batch keeps at its end, and makes sure it took
// from each series exactly the numbers it counted: the series stay
// gapless.
func (v *documentBatch) finish() error {
	for _, n := range v.numbers {
		if n[0] <= n[1] {
			return batchFlushError{errors.New("the batch took fewer numbers than it counted")}
		}
	}
	return v.flush()
}

// Customers implements Tx.
func (v *documentBatch) Customers() CustomerRepository {
	return customersReadAhead{v.Tx.Customers(), v.customers}
}

// Ledger implements Tx.
func (v *documentBatch) Ledger() LedgerRepository { return documentBatchLedger{v.Tx.Ledger(), v} }

// Invoices implements Tx.
func (v *documentBatch) Invoices() InvoiceRepository {
	return documentBatchInvoices{v.Tx.Invoices(), v}
}

// Credits implements Tx.
func (v *documentBatch) Credits() CreditRepository { return documentBatchCredits{v.Tx.Credits(), v} }

// Accounting implements Tx.
func (v *documentBatch) Accounting() AccountingRepository {
	return documentBatchAccounting{v.Tx.Accounting(), v}
}

// Analytics implements Tx: what is kept is written first. A failure to
// write it fails the batch (failed).
func (v *documentBatch) Analytics() AnalyticsReader {
	if err := v.flush(); err != nil && v.failed == nil {
		v.failed = err
	}
	return v.Tx.Analytics()
}

// documentBatchAccounting gives the numbers the batch counted from a block
// taken at once, the first time it takes from a series.
type documentBatchAccounting struct {
	AccountingRepository
	v *documentBatch
}

func (a documentBatchAccounting) NextNumber(ctx context.Context, series string, year int) (int64, error) {
	k := numberSeries{series, year}
	block := a.v.numbers[k]
	if need := a.v.need[k]; block == nil && need > 0 {
		first, err := a.AccountingRepository.NextNumbers(ctx, series, year, int(need))
		if err != nil {
			return 0, err
		}
		block = &[2]int64{first, first + need - 1}
		a.v.numbers[k] = block
	}
	if block == nil || block[0] > block[1] {
		return a.AccountingRepository.NextNumber(ctx, series, year)
	}
	block[0]++
	return block[0] - 1, nil
}

// heldDocuments are the documents of one kind a batch inserted and has
// yet to write, in the order inserted.
type heldDocuments[T any] struct {
	rows []T
	at   map[ID]int // index in rows
}

// insert keeps row, refusing an ID kept already as the store would.
func (h *heldDocuments[T]) insert(kind Kind, id ID, row T) error {
	if _, kept := h.at[id]; kept {
		return &ConflictError{Kind: kind, ID: id.String(), Detail: "already exists"}
	}
	if h.at == nil {
		h.at = map[ID]int{}
	}
	h.at[id] = len(h.rows)
	h.rows = append(h.rows, row)
	return nil
}

// get returns the row kept under id.
func (h *heldDocuments[T]) get(id ID) (T, bool) {
	if i, kept := h.at[id]; kept {
		return h.rows[i], true
	}
	var zero T
	return zero, false
}

// reset forgets what was kept, once written.
func (h *heldDocuments[T]) reset() {
	h.rows = nil
	clear(h.at)
}

// documentBatchInvoices keeps the invoices inserted.
type documentBatchInvoices struct {
	InvoiceRepository
	v *documentBatch
}

func (r documentBatchInvoices) Insert(_ context.Context, i Invoice) error {
	return r.v.invoices.insert(KindInvoice, i.ID, i)
}

func (r documentBatchInvoices) Get(ctx context.Context, id ID) (Invoice, error) {
	if i, kept := r.v.invoices.get(id); kept {
		return i, nil
	}
	return r.InvoiceRepository.Get(ctx, id)
}

func (r documentBatchInvoices) List(ctx context.Context, f InvoiceFilter, page PageRequest) ([]Invoice, error) {
	return afterFlush(r.v, func() ([]Invoice, error) { return r.InvoiceRepository.List(ctx, f, page) })
}

func (r documentBatchInvoices) Headers(ctx context.Context, customer ID, ids []ID) ([]InvoiceHeader, error) {
	return afterFlush(r.v, func() ([]InvoiceHeader, error) { return r.InvoiceRepository.Headers(ctx, customer, ids) })
}

func (r documentBatchInvoices) InsertAll(ctx context.Context, invoices []Invoice) error {
	return r.v.then(func() error { return r.InvoiceRepository.InsertAll(ctx, invoices) })
}

func (r documentBatchInvoices) ErasePersonal(ctx context.Context, i Invoice) error {
	return r.v.then(func() error { return r.InvoiceRepository.ErasePersonal(ctx, i) })
}

// documentBatchCredits keeps the credits inserted.
type documentBatchCredits struct {
	CreditRepository
	v *documentBatch
}

func (r documentBatchCredits) Insert(_ context.Context, c Credit) error {
	return r.v.credits.insert(KindCredit, c.ID, c)
}

func (r documentBatchCredits) Get(ctx context.Context, id ID) (Credit, error) {
	if c, kept := r.v.credits.get(id); kept {
		return c, nil
	}
	return r.CreditRepository.Get(ctx, id)
}

func (r documentBatchCredits) List(ctx context.Context, customer ID, page PageRequest) ([]Credit, error) {
	return afterFlush(r.v, func() ([]Credit, error) { return r.CreditRepository.List(ctx, customer, page) })
}

func (r documentBatchCredits) InsertAll(ctx context.Context, credits []Credit) error {
	return r.v.then(func() error { return r.CreditRepository.InsertAll(ctx, credits) })
}

func (r documentBatchCredits) ErasePersonal(ctx context.Context, c Credit) error {
	return r.v.then(func() error { return r.CreditRepository.ErasePersonal(ctx, c) })
}

// documentBatchLedger answers the keys read ahead and keeps the entries
// appended; the reads of a customer's ledger write what is kept of theirs
// first, the others all that is kept. A customer's book is no entry: it
// is read and saved as it is.
type documentBatchLedger struct {
	LedgerRepository
	v *documentBatch
}

func (l documentBatchLedger) EntryByKey(ctx context.Context, key string) (Entry, error) {
	if e, ok := l.v.keys[key]; ok && key != "" {
		return e, nil
	}
	if l.v.keysRead[key] {
		return Entry{}, &NotFoundError{Kind: KindEntry, ID: "idempotency key " + key}
	}
	return afterFlush(l.v, func() (Entry, error) { return l.LedgerRepository.EntryByKey(ctx, key) })
}

func (l documentBatchLedger) Append(ctx context.Context, e Entry) error {
	if key := e.IdempotencyKey; !e.Reverses.IsZero() || (key != "" && !l.v.keysRead[key]) {
		return l.v.then(func() error { return l.LedgerRepository.Append(ctx, e) })
	}
	if _, used := l.v.keys[e.IdempotencyKey]; used && e.IdempotencyKey != "" {
		return &ConflictError{Kind: KindEntry, ID: e.ID.String(), Detail: "idempotency key already used"}
	}
	l.v.entries = append(l.v.entries, e)
	if e.IdempotencyKey != "" {
		l.v.keys[e.IdempotencyKey] = e
	}
	l.v.touched[e.Customer] = true
	return nil
}

// of runs fn after writing what is kept, if it concerns customer (all of
// it, for the zero customer).
func (l documentBatchLedger) of(customer ID, fn func() error) error {
	if customer.IsZero() || l.v.touched[customer] {
		return l.v.then(fn)
	}
	return fn()
}

func (l documentBatchLedger) BalancesOf(ctx context.Context, customer ID) (out []Balance, err error) {
	return out, l.of(customer, func() error { out, err = l.LedgerRepository.BalancesOf(ctx, customer); return err })
}

func (l documentBatchLedger) OpenItemsOf(ctx context.Context, customer ID, items []ID, asOf Date) (out []OpenItem, err error) {
	return out, l.of(customer, func() error { out, err = l.LedgerRepository.OpenItemsOf(ctx, customer, items, asOf); return err })
}

func (l documentBatchLedger) OpenItems(ctx context.Context, customer ID, asOf Date) (out []OpenItem, err error) {
	return out, l.of(customer, func() error { out, err = l.LedgerRepository.OpenItems(ctx, customer, asOf); return err })
}

func (l documentBatchLedger) OldestOpen(ctx context.Context, customer ID, currency Currency, after OpenItem, limit int) (out []OpenItem, err error) {
	return out, l.of(customer, func() error {
		out, err = l.LedgerRepository.OldestOpen(ctx, customer, currency, after, limit)
		return err
	})
}

func (l documentBatchLedger) UnappliedCredit(ctx context.Context, customer ID, asOf Date) (out []CreditAmount, err error) {
	return out, l.of(customer, func() error { out, err = l.LedgerRepository.UnappliedCredit(ctx, customer, asOf); return err })
}

func (l documentBatchLedger) Revenue(ctx context.Context, customer ID, from, to Date) (out []RevenueAmount, err error) {
	return out, l.of(customer, func() error { out, err = l.LedgerRepository.Revenue(ctx, customer, from, to); return err })
}

func (l documentBatchLedger) Entry(ctx context.Context, id ID) (Entry, error) {
	return afterFlush(l.v, func() (Entry, error) { return l.LedgerRepository.Entry(ctx, id) })
}

func (l documentBatchLedger) EntriesByKeys(ctx context.Context, keys []string) ([]Entry, error) {
	return afterFlush(l.v, func() ([]Entry, error) { return l.LedgerRepository.EntriesByKeys(ctx, keys) })
}

func (l documentBatchLedger) ReversalOf(ctx context.Context, id ID) (Entry, error) {
	return afterFlush(l.v, func() (Entry, error) { return l.LedgerRepository.ReversalOf(ctx, id) })
}

func (l documentBatchLedger) Entries(ctx context.Context, f EntryFilter, page PageRequest) ([]Entry, error) {
	return afterFlush(l.v, func() ([]Entry, error) { return l.LedgerRepository.Entries(ctx, f, page) })
}

func (l documentBatchLedger) Balances(ctx context.Context, asOf Date) ([]Balance, error) {
	return afterFlush(l.v, func() ([]Balance, error) { return l.LedgerRepository.Balances(ctx, asOf) })
}

func (l documentBatchLedger) Aging(ctx context.Context, q AgingQuery) ([]AgingAmount, error) {
	return afterFlush(l.v, func() ([]AgingAmount, error) { return l.LedgerRepository.Aging(ctx, q) })
}

func (l documentBatchLedger) AppendAll(ctx context.Context, entries []Entry) error {
	return l.v.then(func() error { return l.LedgerRepository.AppendAll(ctx, entries) })
}

func (l documentBatchLedger) ErasePersonal(ctx context.Context, e Entry) error {
	return l.v.then(func() error { return l.LedgerRepository.ErasePersonal(ctx, e) })
}

// then writes what is kept, then runs fn.
func (v *documentBatch) then(fn func() error) error {
	if err := v.flush(); err != nil {
		return err
	}
	return fn()
}

// afterFlush writes what is kept, then runs fn.
func afterFlush[T any](v *documentBatch, fn func() (T, error)) (out T, err error) {
	return out, v.then(func() error { out, err = fn(); return err })
}

// storeTx returns the store's transaction under the write's view.
func (w *writeTx) storeTx() Tx {
	if v, ok := w.tx.(*txView); ok {
		return v.Tx
	}
	return w.tx
}
