package memory

import (
	"context"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/storekit"
)

type ledger struct{ t *txState }

func (l ledger) books() repo[crm.Book] {
	return versionedRepo(crm.KindBook, l.t.books, func(b crm.Book) crm.ID { return b.Customer }, func(b crm.Book) int64 { return b.Version })
}

func (l ledger) Book(_ context.Context, customer crm.ID) (crm.Book, error) {
	return l.books().get(customer)
}

func (l ledger) SaveBook(_ context.Context, b crm.Book) error {
	if b.Version == 1 {
		return l.books().insert(b)
	}
	return l.books().update(b)
}

func (l ledger) Entry(_ context.Context, id crm.ID) (crm.Entry, error) {
	e, ok := l.t.entries.get(id)
	if !ok {
		return crm.Entry{}, &crm.NotFoundError{Kind: crm.KindEntry, ID: id.String()}
	}
	return e, nil
}

func (l ledger) EntryByKey(ctx context.Context, key string) (crm.Entry, error) {
	if key != "" {
		if id, ok := l.t.s.entryKeys[key]; ok {
			return l.Entry(ctx, id)
		}
		if mine := l.t.entries.mine(func(e crm.Entry) bool { return e.IdempotencyKey == key }); len(mine) > 0 {
			return mine[0], nil
		}
	}
	return crm.Entry{}, &crm.NotFoundError{Kind: crm.KindEntry, ID: "idempotency key " + key}
}

func (l ledger) ReversalOf(ctx context.Context, id crm.ID) (crm.Entry, error) {
	if r, ok := l.t.s.reversals[id]; ok {
		return l.Entry(ctx, r)
	}
	if mine := l.t.entries.mine(func(e crm.Entry) bool { return e.Reverses == id }); len(mine) > 0 {
		return mine[0], nil
	}
	return crm.Entry{}, &crm.NotFoundError{Kind: crm.KindEntry, ID: "reversal of " + id.String()}
}

func (l ledger) Entries(_ context.Context, f crm.EntryFilter, p crm.PageRequest) ([]crm.Entry, error) {
	p = p.Normalized()
	return l.t.entries.list(p.After, p.Limit, f.Match), nil
}

func (l ledger) Append(ctx context.Context, e crm.Entry) error {
	switch {
	case l.exists(e.ID):
		return &crm.ConflictError{Kind: crm.KindEntry, ID: e.ID.String(), Detail: "already exists"}
	case e.IdempotencyKey != "" && l.found(l.EntryByKey(ctx, e.IdempotencyKey)):
		return &crm.ConflictError{Kind: crm.KindEntry, ID: e.ID.String(), Detail: "idempotency key already used"}
	case !e.Reverses.IsZero() && l.found(l.ReversalOf(ctx, e.Reverses)):
		return &crm.ConflictError{Kind: crm.KindEntry, ID: e.Reverses.String(), Detail: "already reversed"}
	}
	l.t.entries.put(e.ID, e, true)
	l.t.open.add(e)
	return nil
}

func (l ledger) exists(id crm.ID) bool {
	_, ok := l.t.entries.get(id)
	return ok
}

func (ledger) found(_ crm.Entry, err error) bool { return err == nil }

// OpenItems implements crm.LedgerReader: a customer's open items now are
// the ones the store keeps; the rest is added up from the entries.
func (l ledger) OpenItems(_ context.Context, customer crm.ID, asOf crm.Date) ([]crm.OpenItem, error) {
	switch {
	case asOf.IsZero() && customer.IsZero():
		return l.t.open.allItems(), nil
	case asOf.IsZero():
		return l.t.open.customerItems(customer), nil
	}
	return l.t.open.itemsAsOf(customer, asOf), nil
}

// OpenItemsOf implements crm.LedgerReader from what the store keeps open
// on each item.
func (l ledger) OpenItemsOf(_ context.Context, customer crm.ID, items []crm.ID, asOf crm.Date) ([]crm.OpenItem, error) {
	if customer.IsZero() {
		return []crm.OpenItem{}, nil
	}
	return l.t.open.itemsOf(customer, items, asOf), nil
}

// BalancesOf implements crm.LedgerReader from the balances the store
// keeps.
func (l ledger) BalancesOf(_ context.Context, customer crm.ID) ([]crm.Balance, error) {
	if customer.IsZero() {
		return []crm.Balance{}, nil
	}
	return l.t.open.balancesOf(customer), nil
}

func (l ledger) Balances(_ context.Context, asOf crm.Date) ([]crm.Balance, error) {
	return nonNil(storekit.Balances(l.t.entries.all(), asOf)), nil
}

// UnappliedCredit implements crm.LedgerReader from what the store keeps
// open on each credit item: it reads the credit items only.
func (l ledger) UnappliedCredit(_ context.Context, customer crm.ID, asOf crm.Date) ([]crm.CreditAmount, error) {
	return l.t.open.credit(customer, asOf)
}

func (l ledger) Aging(_ context.Context, q crm.AgingQuery) ([]crm.AgingAmount, error) {
	q, err := q.Normalized()
	if err != nil {
		return nil, err
	}
	if rows, ok, err := l.t.open.aging(q); ok {
		return rows, err
	}
	agg := storekit.NewAgingAggregator(q)
	l.t.entries.each(agg.Add)
	return agg.Result()
}

func (l ledger) Revenue(_ context.Context, customer crm.ID, from, to crm.Date) ([]crm.RevenueAmount, error) {
	return storekit.AggregateRevenue(l.t.entries.all(), customer, from, to)
}

// nonNil returns an empty slice for nil, as the port asks.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

type invoiceRepo struct{ t *txState }

func (r invoiceRepo) repo() repo[crm.Invoice] {
	return versionedRepo(crm.KindInvoice, r.t.invoices, func(i crm.Invoice) crm.ID { return i.ID }, func(i crm.Invoice) int64 { return i.Version })
}

func (r invoiceRepo) Get(_ context.Context, id crm.ID) (crm.Invoice, error) { return r.repo().get(id) }

// Insert implements crm.InvoiceRepository: a number another invoice has
// is a *crm.ConflictError.
func (r invoiceRepo) Insert(_ context.Context, i crm.Invoice) error {
	if _, err := r.repo().get(i.ID); err == nil {
		return r.repo().insert(i) // the ID's conflict
	}
	if err := accounting(r).claimNumber(crm.KindInvoice, i.Number, i.ID); err != nil {
		return err
	}
	return r.repo().insert(i)
}
func (r invoiceRepo) List(_ context.Context, f crm.InvoiceFilter, p crm.PageRequest) ([]crm.Invoice, error) {
	return r.repo().list(p, f.Match), nil
}

// Headers implements crm.InvoiceReader.
func (r invoiceRepo) Headers(_ context.Context, customer crm.ID, ids []crm.ID) ([]crm.InvoiceHeader, error) {
	return many(ids, func(id crm.ID) (crm.InvoiceHeader, error) {
		if i, ok := r.t.invoices.peek(id); ok && i.Customer == customer && !customer.IsZero() {
			return i.Header(), nil
		}
		return crm.InvoiceHeader{}, &crm.NotFoundError{Kind: crm.KindInvoice, ID: id.String()}
	})
}

type creditRepo struct{ t *txState }

func (r creditRepo) repo() repo[crm.Credit] {
	return versionedRepo(crm.KindCredit, r.t.credits, func(c crm.Credit) crm.ID { return c.ID }, func(c crm.Credit) int64 { return c.Version })
}

func (r creditRepo) Get(_ context.Context, id crm.ID) (crm.Credit, error) { return r.repo().get(id) }

// Insert implements crm.CreditRepository: a credit note's number another
// has is a *crm.ConflictError.
func (r creditRepo) Insert(_ context.Context, c crm.Credit) error {
	if _, err := r.repo().get(c.ID); err == nil {
		return r.repo().insert(c) // the ID's conflict
	}
	if err := accounting(r).claimNumber(crm.KindCredit, c.Number, c.ID); err != nil {
		return err
	}
	return r.repo().insert(c)
}

func (r creditRepo) List(_ context.Context, customer crm.ID, p crm.PageRequest) ([]crm.Credit, error) {
	return r.repo().list(p, func(c crm.Credit) bool { return customer.IsZero() || c.Customer == customer }), nil
}

type contractRepo struct{ t *txState }

func (r contractRepo) repo() repo[crm.Contract] {
	return versionedRepo(crm.KindContract, r.t.contracts, func(c crm.Contract) crm.ID { return c.ID }, func(c crm.Contract) int64 { return c.Version })
}

func (r contractRepo) Get(_ context.Context, id crm.ID) (crm.Contract, error) {
	return r.repo().get(id)
}
func (r contractRepo) Insert(_ context.Context, c crm.Contract) error { return r.repo().insert(c) }
func (r contractRepo) Update(_ context.Context, c crm.Contract) error { return r.repo().update(c) }
func (r contractRepo) List(_ context.Context, f crm.ContractFilter, p crm.PageRequest) ([]crm.Contract, error) {
	return r.repo().list(p, f.Match), nil
}
