package crm

import (
	"cmp"
	"context"
	"errors"
	"slices"
)

// txView is the Tx a write works through: the store's, except that what
// the write reads of the period lock and of a customer's ledger (what is
// open on their items, their balances) is read once and kept for the rest
// of the write, with what the write itself appends added in. None of it
// can change under the write but by its own hand: a store holds the
// period lock it read and the book of a customer whose ledger it read
// until the transaction ends (AccountingReader, LedgerReader), which is
// what the checks of every posting already rely on. So a payment applied
// to a thousand invoices reads its credit, the customer's balances and
// the lock once, not a thousand times, and the checks see exactly what
// the store would say.
//
// It keeps what it reads of a customer's ledger only once the write has
// read their book (as every posting does first): what was read before may
// have changed by then on a store whose writers run concurrently, and is
// read again.
//
// What it cannot work out from an entry, it forgets and reads again: an
// item whose due date an entry may change, an item it had nothing open
// on.
type txView struct {
	Tx
	lock     *PeriodLock
	held     map[ID]bool                       // customers whose book the write has read
	open     map[ID]map[ID]map[Date][]OpenItem // customer, item, as of: the item's rows, none when nothing is open
	balances map[ID][]Balance                  // customer
}

// newTxView returns the view of tx; its maps are made when the write
// first reads a book, as a write that reads none keeps nothing.
func newTxView(tx Tx) *txView { return &txView{Tx: tx} }

// Accounting implements Tx.
func (v *txView) Accounting() AccountingRepository {
	return accountingView{v.Tx.Accounting(), v}
}

// Ledger implements Tx.
func (v *txView) Ledger() LedgerRepository { return ledgerView{v.Tx.Ledger(), v} }

// accountingView keeps the period lock once read; saving it forgets it.
type accountingView struct {
	AccountingRepository
	v *txView
}

func (a accountingView) PeriodLock(ctx context.Context) (PeriodLock, error) {
	if a.v.lock != nil {
		return *a.v.lock, nil
	}
	l, err := a.AccountingRepository.PeriodLock(ctx)
	if err == nil {
		a.v.lock = &l
	}
	return l, err
}

func (a accountingView) SavePeriodLock(ctx context.Context, l PeriodLock) error {
	a.v.lock = nil
	return a.AccountingRepository.SavePeriodLock(ctx, l)
}

// ledgerView keeps what is open on the items read and the balances read,
// and adds to them what Append appends.
type ledgerView struct {
	LedgerRepository
	v *txView
}

// Book implements LedgerReader: from then on the write holds the
// customer's book (or, before their first entry, collides with another
// write saving it), and what it reads of their ledger is kept.
func (l ledgerView) Book(ctx context.Context, customer ID) (Book, error) {
	b, err := l.LedgerRepository.Book(ctx, customer)
	if err == nil || errors.Is(err, ErrNotFound) {
		if l.v.held == nil {
			l.v.held, l.v.open, l.v.balances = map[ID]bool{}, map[ID]map[ID]map[Date][]OpenItem{}, map[ID][]Balance{}
		}
		l.v.held[customer] = true
	}
	return b, err
}

// OpenItems implements LedgerReader, keeping the rows of a customer's
// items it returns over the whole ledger: OpenItemsOf has the same rows
// for them.
func (l ledgerView) OpenItems(ctx context.Context, customer ID, asOf Date) ([]OpenItem, error) {
	items, err := l.LedgerRepository.OpenItems(ctx, customer, asOf)
	if err != nil || customer.IsZero() || !asOf.IsZero() || !l.v.held[customer] {
		return items, err
	}
	var ids []ID
	for _, it := range items {
		ids = append(ids, it.Item)
	}
	l.v.keep(customer, Date{}, ids, items)
	return items, nil
}

// OpenItemsOf implements LedgerReader, reading only the items not kept.
func (l ledgerView) OpenItemsOf(ctx context.Context, customer ID, items []ID, asOf Date) ([]OpenItem, error) {
	if customer.IsZero() || !l.v.held[customer] {
		return l.LedgerRepository.OpenItemsOf(ctx, customer, items, asOf)
	}
	ids, missing := make([]ID, 0, len(items)), []ID{}
	seen := make(map[ID]bool, len(items))
	for _, id := range items {
		if seen[id] {
			continue
		}
		seen[id] = true
		ids = append(ids, id)
		if _, ok := l.v.open[customer][id][asOf]; !ok {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		got, err := l.LedgerRepository.OpenItemsOf(ctx, customer, missing, asOf)
		if err != nil {
			return nil, err
		}
		l.v.keep(customer, asOf, missing, got)
	}
	out := []OpenItem{}
	for _, id := range ids {
		out = append(out, l.v.open[customer][id][asOf]...)
	}
	slices.SortFunc(out, OpenItem.Compare)
	return out, nil
}

// OldestOpen implements LedgerReader, keeping each row it returns as all
// that is open now on its invoice: every posting to an invoice's item is
// on the receivable account in the invoice's currency (its issue and the
// allocations, unallocations, write-offs and credit notes that settle
// it), so the row OldestOpen has for an invoice is the only one
// OpenItemsOf has for it over the whole ledger. A payment applied oldest
// first then checks its allocations against the pages it read.
func (l ledgerView) OldestOpen(ctx context.Context, customer ID, currency Currency, after OpenItem, limit int) ([]OpenItem, error) {
	rows, err := l.LedgerRepository.OldestOpen(ctx, customer, currency, after, limit)
	if err != nil || customer.IsZero() || !l.v.held[customer] {
		return rows, err
	}
	ids := make([]ID, 0, len(rows))
	for _, it := range rows {
		ids = append(ids, it.Item)
	}
	l.v.keep(customer, Date{}, ids, rows)
	return rows, nil
}

// keep records rows, what is open as of asOf on the customer's items ids
// (nothing on those without a row).
func (v *txView) keep(customer ID, asOf Date, ids []ID, rows []OpenItem) {
	items := v.open[customer]
	if items == nil {
		items = map[ID]map[Date][]OpenItem{}
		v.open[customer] = items
	}
	for _, id := range ids {
		if items[id] == nil {
			items[id] = map[Date][]OpenItem{}
		}
		items[id][asOf] = []OpenItem{}
	}
	for _, it := range rows {
		if rows, ok := items[it.Item][asOf]; ok && it.Customer == customer {
			items[it.Item][asOf] = append(rows, it)
		}
	}
}

// BalancesOf implements LedgerReader.
func (l ledgerView) BalancesOf(ctx context.Context, customer ID) ([]Balance, error) {
	if bs, ok := l.v.balances[customer]; ok && !customer.IsZero() {
		return slices.Clone(bs), nil
	}
	bs, err := l.LedgerRepository.BalancesOf(ctx, customer)
	if err == nil && !customer.IsZero() && l.v.held[customer] {
		l.v.balances[customer] = slices.Clone(bs)
	}
	return bs, err
}

// Append implements LedgerRepository, adding what the entry posts to what
// is kept once the store has appended it.
func (l ledgerView) Append(ctx context.Context, e Entry) error {
	if err := l.LedgerRepository.Append(ctx, e); err != nil {
		return err
	}
	l.v.appended(e)
	return nil
}

// AppendAll implements LedgerRepository, adding what the entries post to
// what is kept once the store has appended them.
func (l ledgerView) AppendAll(ctx context.Context, entries []Entry) error {
	if err := l.LedgerRepository.AppendAll(ctx, entries); err != nil {
		return err
	}
	for _, e := range entries {
		l.v.appended(e)
	}
	return nil
}

// appended adds an appended entry's postings to the customers' accounts
// to what is kept: to what is open on an item as of every date kept on or
// after the entry's effective date, and to the balances.
func (v *txView) appended(e Entry) {
	for _, p := range e.Postings {
		if !p.Account.PerCustomer() {
			continue
		}
		for asOf, rows := range v.open[p.Customer][p.Item] {
			if !asOf.IsZero() && e.Effective.After(asOf) {
				continue
			}
			if rows, ok := postTo(rows, p); ok {
				v.open[p.Customer][p.Item][asOf] = rows
			} else {
				delete(v.open[p.Customer][p.Item], asOf)
			}
		}
		if bs, ok := v.balances[p.Customer]; ok {
			v.balances[p.Customer] = addBalance(bs, p)
		}
	}
}

// postTo adds a posting to an item's rows. It reports false when the
// rows that result are not known: the posting opens a row (whose due date
// is that of the item's latest dated posting, which may be an earlier
// one), or it has a due date other than the row's (which is the row's
// due date then depends on which of the two is later in the ledger).
// The rows are the view's own (keep makes them, OpenItemsOf copies them
// out): they are changed in place.
func postTo(rows []OpenItem, p Posting) ([]OpenItem, bool) {
	i := slices.IndexFunc(rows, func(it OpenItem) bool {
		return it.Account == p.Account && it.Open.Currency() == p.Amount.Currency()
	})
	if i < 0 || (!p.Due.IsZero() && p.Due != rows[i].Due) {
		return nil, false
	}
	open := addExact(rows[i].Open, p.Amount)
	if open.IsZero() {
		return slices.Delete(rows, i, i+1), true
	}
	rows[i].Open = open
	return rows, true
}

// addBalance adds a posting to a customer's balances, in BalancesOf's
// order, leaving out a balance that comes to zero.
func addBalance(bs []Balance, p Posting) []Balance {
	bs = slices.Clone(bs)
	i := slices.IndexFunc(bs, func(b Balance) bool {
		return b.Account == p.Account && b.Amount.Currency() == p.Amount.Currency()
	})
	if i < 0 {
		bs = append(bs, Balance{Account: p.Account, Customer: p.Customer, Amount: addExact(Zero(p.Amount.Currency()), p.Amount)})
		slices.SortFunc(bs, func(a, b Balance) int {
			return cmp.Or(cmp.Compare(a.Account, b.Account), cmp.Compare(a.Amount.Currency(), b.Amount.Currency()))
		})
		return bs
	}
	if bs[i].Amount = addExact(bs[i].Amount, p.Amount); bs[i].Amount.IsZero() {
		return slices.Delete(bs, i, i+1)
	}
	return bs
}

// addExact adds two amounts of one currency, the sum in minor units as a
// store reads it back (MoneyFromMinor, or beyond 64 bits
// MoneyFromBigMinor).
func addExact(a, b Money) Money {
	sum, _ := a.Add(b) // one currency
	if minor, err := sum.Minor(); err == nil {
		return MoneyFromMinor(minor, sum.Currency())
	}
	return sum
}
