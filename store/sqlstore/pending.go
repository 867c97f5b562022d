package sqlstore

import (
	"context"
	"slices"
	"strings"

	"github.com/crmkit/crm"
)

// What a write transaction appends to the ledger is written in a few
// statements of many rows, not in several statements an entry: a payment
// applied to a thousand invoices appends a thousand entries, and on SQLite
// each statement that writes a posting keeps a statement journal (the
// mixed-due trigger may update other rows), which costs more than the row.
//
// So Append checks an entry at once, as fully as writing it would (its
// rows, and on SQLite its ID against the stored entries and those
// pending), and keeps what it writes pending in the transaction: on
// SQLite the entry's and its postings' rows; on both dialects what it
// adds to open_items and customer_balances, added up per row, so that a
// thousand allocations from one credit update the credit's row once. A
// customer's book, once the transaction has saved it, is saved again by
// keeping its next version pending. What is pending is written before any
// statement that reads or writes the ledger's tables (entries, postings,
// open_items, customer_balances, books), and before the transaction
// commits; the reads of what is open on some items and of a customer's
// balances, which is what a posting checks, are answered without writing
// first when nothing pending concerns those items or that customer. A
// failure to write what is pending fails the transaction: every statement
// after it, and the commit, return the error.
//
// An entry with an idempotency key or reversing another is written at
// once, so that the unique indexes decide a race with another transaction
// as they always have.

// pending is what a transaction has yet to write of the ledger.
type pending struct {
	entries, postings [][]any // SQLite: rows of entryTable and postingTable
	ids               map[crm.ID]bool
	open              openDeltas
	dirty             bool // something to write, a book's version included
}

// bookState is a customer's book as a write transaction knows it: the
// version stored, and the version saved, which the transaction writes when
// it writes what is pending.
type bookState struct{ stored, version int64 }

// row is the result of queryRow: a *sql.Row, or the error of writing what
// was pending before it.
type row struct {
	r   interface{ Scan(dest ...any) error }
	err error
}

// Scan scans the row, as (*sql.Row).Scan does.
func (r row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	return r.r.Scan(dest...)
}

// ledgerTables are the quoted names of the tables pending rows go to.
func (n names) ledgerTables() []string {
	return []string{n.cfg.name("entries"), n.cfg.name("postings"), n.cfg.name("open_items"), n.cfg.name("customer_balances"),
		n.cfg.name("books")}
}

// settle writes what is pending before query runs, if query concerns the
// ledger's tables.
func (t *txn) settle(ctx context.Context, query string) error {
	t.pmu.Lock()
	failed, idle := t.failed, t.aside || !t.pend.dirty
	t.pmu.Unlock()
	if failed != nil {
		return failed
	}
	if idle || !slices.ContainsFunc(t.s.names.ledger, func(table string) bool { return strings.Contains(query, table) }) {
		return nil
	}
	return t.flush(ctx)
}

// flush writes what is pending: entries, then postings, then what is
// open, then books.
func (t *txn) flush(ctx context.Context) error {
	t.pmu.Lock()
	p, failed := t.pend, t.failed
	if failed == nil {
		t.pend = pending{}
	}
	t.pmu.Unlock()
	if failed != nil || !p.dirty {
		return failed
	}
	err := t.withoutSettling(func() error {
		if err := (records[crm.Entry]{entryTable, t}).insertValues(ctx, p.entries); err != nil {
			return err
		}
		if err := (records[postingRow]{postingTable, t}).insertValues(ctx, p.postings); err != nil {
			return err
		}
		if err := p.open.write(ctx, t); err != nil {
			return err
		}
		return t.writeBooks(ctx)
	})
	if err != nil {
		t.pmu.Lock()
		t.failed = err
		t.pmu.Unlock()
	}
	return err
}

// withoutSettling runs fn with statements that do not write what is
// pending first: what pending writes, and reads that it cannot change.
func (t *txn) withoutSettling(fn func() error) error {
	t.pmu.Lock()
	aside := t.aside
	t.aside = true
	t.pmu.Unlock()
	defer func() {
		t.pmu.Lock()
		t.aside = aside
		t.pmu.Unlock()
	}()
	return fn()
}

// writeBooks writes the versions of books saved since they were written,
// in customer order.
func (t *txn) writeBooks(ctx context.Context) error {
	type saved struct {
		customer        crm.ID
		stored, version int64
	}
	var books []saved
	t.pmu.Lock()
	for c, b := range t.books {
		if b.version != b.stored {
			books = append(books, saved{c, b.stored, b.version})
		}
	}
	t.pmu.Unlock()
	slices.SortFunc(books, func(a, b saved) int { return a.customer.Compare(b.customer) })
	for _, b := range books {
		c := b.customer
		res, err := t.execLater(ctx, 1, t.s.names.books+" "+idArg(c), "UPDATE "+t.s.names.books+" SET version = ? WHERE customer_id = ? AND version = ?", b.version, idArg(c), b.stored)
		if err != nil {
			return t.s.dbErr("updating "+string(crm.KindBook), err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return t.s.dbErr("updating "+string(crm.KindBook), err)
		} else if n != 1 {
			return &crm.ConflictError{Kind: crm.KindBook, ID: c.String(), Expected: b.stored, Detail: "changed while the transaction held it"}
		}
		t.pmu.Lock()
		if st := t.books[c]; st != nil && st.stored == b.stored {
			st.stored = b.version
		}
		t.pmu.Unlock()
	}
	return nil
}

// pendEntry checks e as writing it would and keeps its rows pending
// (SQLite).
func (l ledgerRepo) pendEntry(ctx context.Context, e crm.Entry, postings [][]any) error {
	t := l.t
	vals, err := entryTable.values(t.s, e)
	if err != nil {
		return err
	}
	taken, err := t.entryTaken(ctx, e.ID)
	if err != nil {
		return err
	}
	if taken {
		return entryExists(e.ID)
	}
	t.pmu.Lock()
	defer t.pmu.Unlock()
	if t.pend.ids == nil {
		t.pend.ids = map[crm.ID]bool{}
	}
	t.pend.ids[e.ID] = true
	t.pend.entries = append(t.pend.entries, vals)
	t.pend.postings = append(t.pend.postings, postings...)
	t.pend.open.add(e)
	t.pend.dirty = true
	return nil
}

// pendingEntry reports whether an entry with the ID is pending.
func (t *txn) pendingEntry(id crm.ID) bool {
	t.pmu.Lock()
	defer t.pmu.Unlock()
	return t.pend.ids[id]
}

// pendOpen keeps pending what an entry written at once adds to open_items
// and customer_balances.
func (t *txn) pendOpen(e crm.Entry) {
	t.pmu.Lock()
	defer t.pmu.Unlock()
	t.pend.open.add(e)
	t.pend.dirty = t.pend.dirty || !t.pend.open.empty()
}

// pendingTouches reports whether anything pending is added to the
// customer's accounts, or, with items, to one of those items of theirs.
func (t *txn) pendingTouches(customer crm.ID, items ...crm.ID) bool {
	t.pmu.Lock()
	defer t.pmu.Unlock()
	return t.pend.open.touches(customer, items...)
}

// book returns what the transaction knows of a customer's book.
func (t *txn) book(customer crm.ID) (bookState, bool) {
	t.pmu.Lock()
	defer t.pmu.Unlock()
	b, ok := t.books[customer]
	if !ok {
		return bookState{}, false
	}
	return *b, true
}

// saveBookLater keeps pending the version of a book the transaction
// knows, and reports whether it could: version must be the next.
func (t *txn) saveBookLater(customer crm.ID, version int64) bool {
	t.pmu.Lock()
	defer t.pmu.Unlock()
	b := t.books[customer]
	if b == nil || version != b.version+1 {
		return false
	}
	b.version = version
	t.pend.dirty = true
	return true
}

// bumpedBook records a book whose version bumpBook raised to stored:
// what is pending puts it back unless the transaction saves it.
func (t *txn) bumpedBook(customer crm.ID, stored int64) {
	t.pmu.Lock()
	defer t.pmu.Unlock()
	if t.books == nil {
		t.books = map[crm.ID]*bookState{}
	}
	t.books[customer] = &bookState{stored: stored, version: stored - 1}
	t.pend.dirty = true
}

// keepBook records the version of a customer's book stored, or, with
// version 0, forgets the book.
func (t *txn) keepBook(customer crm.ID, version int64) {
	t.pmu.Lock()
	defer t.pmu.Unlock()
	if version == 0 {
		delete(t.books, customer)
		return
	}
	if t.books == nil {
		t.books = map[crm.ID]*bookState{}
	}
	t.books[customer] = &bookState{stored: version, version: version}
}

// entryTaken reports whether a stored entry has the ID, a pending one
// having been ruled out. An ID after every stored one (as a new UUIDv7
// is) is looked up in memory: the transaction reads the greatest stored
// ID once and raises it as it appends.
func (t *txn) entryTaken(ctx context.Context, id crm.ID) (bool, error) {
	t.pmu.Lock()
	bound := t.entryBound
	t.pmu.Unlock()
	if bound == nil {
		bound = new(crm.ID)
		err := t.withoutSettling(func() error {
			return t.queryRow(ctx, "SELECT max(id) FROM "+t.s.names.entries).Scan(bound)
		})
		if err != nil {
			return false, t.s.dbErr("looking up "+string(crm.KindEntry), err)
		}
		t.pmu.Lock()
		t.entryBound = bound
		t.pmu.Unlock()
	}
	if id.Compare(*bound) > 0 {
		return false, nil
	}
	var n int
	err := t.withoutSettling(func() error {
		return t.queryRow(ctx, "SELECT count(*) FROM "+t.s.names.entries+" WHERE id = ?", idArg(id)).Scan(&n)
	})
	return n > 0, t.s.dbErr("looking up "+string(crm.KindEntry), err)
}

// appended raises the bound of the IDs of entries stored or pending.
func (t *txn) appended(id crm.ID) {
	t.pmu.Lock()
	defer t.pmu.Unlock()
	if t.entryBound != nil && id.Compare(*t.entryBound) > 0 {
		t.entryBound = &id
	}
}

// entryExists is the conflict of an entry whose ID is taken.
func entryExists(id crm.ID) error {
	return &crm.ConflictError{Kind: crm.KindEntry, ID: id.String(), Detail: "already exists"}
}
