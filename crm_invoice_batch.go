package crm

import (
	"context"
	"errors"
)

// invoiceBatch is the Tx a batch of invoices works through
// (IssueInvoices): the write's, except that what the invoices read of
// their customers and of the idempotency keys they carry is read once for
// the whole batch, before the first; the invoice numbers the batch takes
// from each series are taken in one call; and the invoices and entries
// they write are kept and written in a few statements of many rows
// (flush), at the end or before any read the view cannot answer itself.
// Each invoice runs the code of a single IssueInvoice, so a batch issues
// exactly what issuing one by one would.
//
// A flush that fails is a *batchFlushError: the batch is then issued
// again one by one, which names the item refused.
type invoiceBatch struct {
	Tx
	ctx       context.Context
	customers map[ID]Customer
	keys      map[string]Entry // the stored entries of the batch's keys, and those the batch appends
	keysRead  map[string]bool
	need      map[numberSeries]int64     // the numbers the batch takes from each series
	numbers   map[numberSeries]*[2]int64 // taken at once: the next to give and the last
	invoices  []Invoice
	byID      map[ID]int // index in invoices
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

// readAheadInvoices reads what a batch of invoices will read: the
// customers and the entries of the keys (keys, as batchKeys returned
// them), and counts the numbers it takes from each series: one for each
// invoice without a number, but for those whose key a stored entry or an
// earlier invoice of the batch has (a retry, which takes none).
func readAheadInvoices(w *writeTx, tx Tx, batch []NewInvoice, keys []string) (*invoiceBatch, error) {
	ctx := w.ctx
	v := &invoiceBatch{Tx: tx, ctx: ctx, customers: map[ID]Customer{}, keys: map[string]Entry{}, keysRead: map[string]bool{},
		need: map[numberSeries]int64{}, numbers: map[numberSeries]*[2]int64{}, byID: map[ID]int{}, touched: map[ID]bool{}}
	ids := make([]ID, len(batch))
	var read []string
	for i, n := range batch {
		ids[i] = n.Customer
		if keys[i] != "" {
			read = append(read, keys[i])
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

// flush writes what the batch keeps: invoices, then entries.
func (v *invoiceBatch) flush() error {
	if v.failed != nil {
		return v.failed
	}
	if len(v.invoices) > 0 {
		if err := v.Tx.Invoices().InsertAll(v.ctx, v.invoices); err != nil {
			return batchFlushError{err}
		}
	}
	if len(v.entries) > 0 {
		if err := v.Tx.Ledger().AppendAll(v.ctx, v.entries); err != nil {
			return batchFlushError{err}
		}
	}
	v.invoices, v.entries = nil, nil
	clear(v.byID)
	clear(v.touched)
	return nil
}

// finish writes what the batch keeps at its end, and makes sure it took
// from each series exactly the numbers it counted: the series stay
// gapless.
func (v *invoiceBatch) finish() error {
	for _, n := range v.numbers {
		if n[0] <= n[1] {
			return batchFlushError{errors.New("the batch took fewer numbers than it counted")}
		}
	}
	return v.flush()
}

// Customers implements Tx.
func (v *invoiceBatch) Customers() CustomerRepository {
	return invoiceBatchCustomers{v.Tx.Customers(), v}
}

// Ledger implements Tx.
func (v *invoiceBatch) Ledger() LedgerRepository { return invoiceBatchLedger{v.Tx.Ledger(), v} }

// Invoices implements Tx.
func (v *invoiceBatch) Invoices() InvoiceRepository { return invoiceBatchInvoices{v.Tx.Invoices(), v} }

// Accounting implements Tx.
func (v *invoiceBatch) Accounting() AccountingRepository {
	return invoiceBatchAccounting{v.Tx.Accounting(), v}
}

// Analytics implements Tx: what is kept is written first. A failure to
// write it fails the batch (failed).
func (v *invoiceBatch) Analytics() AnalyticsReader {
	if err := v.flush(); err != nil && v.failed == nil {
		v.failed = err
	}
	return v.Tx.Analytics()
}

// invoiceBatchCustomers answers Get from the customers read ahead; a
// change to a customer forgets them.
type invoiceBatchCustomers struct {
	CustomerRepository
	v *invoiceBatch
}

func (r invoiceBatchCustomers) Get(ctx context.Context, id ID) (Customer, error) {
	if c, ok := r.v.customers[id]; ok {
		return c, nil
	}
	return r.CustomerRepository.Get(ctx, id)
}

func (r invoiceBatchCustomers) Hold(ctx context.Context, id ID) (Customer, error) {
	delete(r.v.customers, id)
	return r.CustomerRepository.Hold(ctx, id)
}

func (r invoiceBatchCustomers) Update(ctx context.Context, c Customer) error {
	delete(r.v.customers, c.ID)
	return r.CustomerRepository.Update(ctx, c)
}

// invoiceBatchAccounting gives the numbers the batch counted from a block
// taken at once, the first time it takes from a series.
type invoiceBatchAccounting struct {
	AccountingRepository
	v *invoiceBatch
}

func (a invoiceBatchAccounting) NextNumber(ctx context.Context, series string, year int) (int64, error) {
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

// invoiceBatchInvoices keeps the invoices inserted.
type invoiceBatchInvoices struct {
	InvoiceRepository
	v *invoiceBatch
}

func (r invoiceBatchInvoices) Insert(_ context.Context, i Invoice) error {
	if _, kept := r.v.byID[i.ID]; kept {
		return &ConflictError{Kind: KindInvoice, ID: i.ID.String(), Detail: "already exists"}
	}
	r.v.byID[i.ID] = len(r.v.invoices)
	r.v.invoices = append(r.v.invoices, i)
	return nil
}

func (r invoiceBatchInvoices) Get(ctx context.Context, id ID) (Invoice, error) {
	if i, kept := r.v.byID[id]; kept {
		return r.v.invoices[i], nil
	}
	return r.InvoiceRepository.Get(ctx, id)
}

func (r invoiceBatchInvoices) List(ctx context.Context, f InvoiceFilter, page PageRequest) ([]Invoice, error) {
	return afterFlush(r.v, func() ([]Invoice, error) { return r.InvoiceRepository.List(ctx, f, page) })
}

func (r invoiceBatchInvoices) InsertAll(ctx context.Context, invoices []Invoice) error {
	return r.v.then(func() error { return r.InvoiceRepository.InsertAll(ctx, invoices) })
}

func (r invoiceBatchInvoices) ErasePersonal(ctx context.Context, i Invoice) error {
	return r.v.then(func() error { return r.InvoiceRepository.ErasePersonal(ctx, i) })
}

// invoiceBatchLedger answers the keys read ahead and keeps the entries
// appended; the reads of a customer's ledger write what is kept of theirs
// first, the others all that is kept. A customer's book is no entry: it
// is read and saved as it is.
type invoiceBatchLedger struct {
	LedgerRepository
	v *invoiceBatch
}

func (l invoiceBatchLedger) EntryByKey(ctx context.Context, key string) (Entry, error) {
	if e, ok := l.v.keys[key]; ok && key != "" {
		return e, nil
	}
	if l.v.keysRead[key] {
		return Entry{}, &NotFoundError{Kind: KindEntry, ID: "idempotency key " + key}
	}
	return afterFlush(l.v, func() (Entry, error) { return l.LedgerRepository.EntryByKey(ctx, key) })
}

func (l invoiceBatchLedger) Append(ctx context.Context, e Entry) error {
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
func (l invoiceBatchLedger) of(customer ID, fn func() error) error {
	if customer.IsZero() || l.v.touched[customer] {
		return l.v.then(fn)
	}
	return fn()
}

func (l invoiceBatchLedger) BalancesOf(ctx context.Context, customer ID) (out []Balance, err error) {
	return out, l.of(customer, func() error { out, err = l.LedgerRepository.BalancesOf(ctx, customer); return err })
}

func (l invoiceBatchLedger) OpenItemsOf(ctx context.Context, customer ID, items []ID, asOf Date) (out []OpenItem, err error) {
	return out, l.of(customer, func() error { out, err = l.LedgerRepository.OpenItemsOf(ctx, customer, items, asOf); return err })
}

func (l invoiceBatchLedger) OpenItems(ctx context.Context, customer ID, asOf Date) (out []OpenItem, err error) {
	return out, l.of(customer, func() error { out, err = l.LedgerRepository.OpenItems(ctx, customer, asOf); return err })
}

func (l invoiceBatchLedger) OldestOpen(ctx context.Context, customer ID, currency Currency, after OpenItem, limit int) (out []OpenItem, err error) {
	return out, l.of(customer, func() error {
		out, err = l.LedgerRepository.OldestOpen(ctx, customer, currency, after, limit)
		return err
	})
}

func (l invoiceBatchLedger) UnappliedCredit(ctx context.Context, customer ID, asOf Date) (out []CreditAmount, err error) {
	return out, l.of(customer, func() error { out, err = l.LedgerRepository.UnappliedCredit(ctx, customer, asOf); return err })
}

func (l invoiceBatchLedger) Revenue(ctx context.Context, customer ID, from, to Date) (out []RevenueAmount, err error) {
	return out, l.of(customer, func() error { out, err = l.LedgerRepository.Revenue(ctx, customer, from, to); return err })
}

func (l invoiceBatchLedger) Entry(ctx context.Context, id ID) (Entry, error) {
	return afterFlush(l.v, func() (Entry, error) { return l.LedgerRepository.Entry(ctx, id) })
}

func (l invoiceBatchLedger) EntriesByKeys(ctx context.Context, keys []string) ([]Entry, error) {
	return afterFlush(l.v, func() ([]Entry, error) { return l.LedgerRepository.EntriesByKeys(ctx, keys) })
}

func (l invoiceBatchLedger) ReversalOf(ctx context.Context, id ID) (Entry, error) {
	return afterFlush(l.v, func() (Entry, error) { return l.LedgerRepository.ReversalOf(ctx, id) })
}

func (l invoiceBatchLedger) Entries(ctx context.Context, f EntryFilter, page PageRequest) ([]Entry, error) {
	return afterFlush(l.v, func() ([]Entry, error) { return l.LedgerRepository.Entries(ctx, f, page) })
}

func (l invoiceBatchLedger) Balances(ctx context.Context, asOf Date) ([]Balance, error) {
	return afterFlush(l.v, func() ([]Balance, error) { return l.LedgerRepository.Balances(ctx, asOf) })
}

func (l invoiceBatchLedger) Aging(ctx context.Context, q AgingQuery) ([]AgingAmount, error) {
	return afterFlush(l.v, func() ([]AgingAmount, error) { return l.LedgerRepository.Aging(ctx, q) })
}

func (l invoiceBatchLedger) AppendAll(ctx context.Context, entries []Entry) error {
	return l.v.then(func() error { return l.LedgerRepository.AppendAll(ctx, entries) })
}

func (l invoiceBatchLedger) ErasePersonal(ctx context.Context, e Entry) error {
	return l.v.then(func() error { return l.LedgerRepository.ErasePersonal(ctx, e) })
}

// then writes what is kept, then runs fn.
func (v *invoiceBatch) then(fn func() error) error {
	if err := v.flush(); err != nil {
		return err
	}
	return fn()
}

// afterFlush writes what is kept, then runs fn.
func afterFlush[T any](v *invoiceBatch, fn func() (T, error)) (out T, err error) {
	return out, v.then(func() error { out, err = fn(); return err })
}
