package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/crmkit/crm"
)

// bookTable stores customers' books: a key and a version, nothing else.
// The CRM saves the next version of a customer's book before it posts for
// them, so that the book's row (or, for their first entry, its key)
// serializes the transactions that post for one customer.
var bookTable = &recordTable[crm.Book]{
	kind:    crm.KindBook,
	table:   func(n names) string { return n.books },
	columns: []string{"customer_id", "version"},
	id:      func(b crm.Book) crm.ID { return b.Customer },
	version: func(b crm.Book) int64 { return b.Version },
	values: func(_ *Store, b crm.Book) ([]any, error) {
		return []any{idArg(b.Customer), b.Version}, nil
	},
	dest: func(b *crm.Book) []any { return []any{&b.Customer, &b.Version} },
}

// entryTable stores the ledger's entries, without their postings, which
// have a table of their own; effective_day is the effective date as a day
// number, for filters.
var entryTable = &recordTable[crm.Entry]{
	kind:  crm.KindEntry,
	table: func(n names) string { return n.entries },
	columns: []string{"id", "kind", "customer_id", "document_id", "effective", "recorded_at", "recorded_by",
		"description", "postings", "reverses", "reversed_kind", "idempotency_key", "request_hash"},
	derived: []string{"effective_day"},
	id:      func(e crm.Entry) crm.ID { return e.ID },
	values: func(s *Store, e crm.Entry) ([]any, error) {
		effective, err := dateArg("effective", e.Effective)
		if err != nil {
			return nil, err
		}
		return []any{idArg(e.ID), string(e.Kind), idArg(e.Customer), idArg(e.Document), effective,
			s.timeArg(e.RecordedAt), idArg(e.RecordedBy), e.Description, postingCount(e.Postings), idArg(e.Reverses),
			string(e.ReversedKind), e.IdempotencyKey, e.RequestHash[:], dayNumber(e.Effective)}, nil
	},
	dest: func(e *crm.Entry) []any {
		return []any{&e.ID, &e.Kind, &e.Customer, &e.Document, &e.Effective, timeCol{&e.RecordedAt}, &e.RecordedBy,
			&e.Description, postingsCol{&e.Postings}, &e.Reverses, &e.ReversedKind, &e.IdempotencyKey,
			hashCol{&e.RequestHash}}
	},
}

// The conditions that select keyed entries and reversals. A query that
// looks an entry up by key or by the entry it reverses repeats them, so
// that both databases use the partial unique indexes whose WHERE they
// are.
const (
	keyed     = "idempotency_key <> ''"
	reversing = "reverses <> '00000000-0000-0000-0000-000000000000'"
)

// ledgerRepo implements crm.LedgerRepository in one transaction.
type ledgerRepo struct{ t *txn }

func (l ledgerRepo) books() records[crm.Book]    { return records[crm.Book]{bookTable, l.t} }
func (l ledgerRepo) entries() records[crm.Entry] { return records[crm.Entry]{entryTable, l.t} }

// Book implements crm.LedgerReader; in a PostgreSQL write transaction it
// takes the book's lock (see lockBook). A write transaction reads a book
// once: then it holds it, and what it saves of it is what it is.
//
// A write transaction reads a book to save its next version, so it reads
// it by saving that version at once (bumpBook), in one statement that also
// takes the lock; the save that follows is then already written.
func (l ledgerRepo) Book(ctx context.Context, customer crm.ID) (crm.Book, error) {
	if b, ok := l.t.book(customer); ok {
		return crm.Book{Customer: customer, Version: b.version}, nil
	}
	if l.t.write {
		return l.bumpBook(ctx, customer)
	}
	return l.books().get(ctx, customer)
}

// bumpBook reads customer's book in a write transaction by raising its
// version by one, which takes its row lock, and keeps the version read as
// the one the transaction knows, the raised one as stored: a SaveBook of
// the next version then writes nothing, and a transaction that does not
// save the book puts the version back with what is pending (writeBooks).
func (l ledgerRepo) bumpBook(ctx context.Context, customer crm.ID) (crm.Book, error) {
	var stored int64
	// Nothing pending is of a book the transaction has not read or saved.
	err := l.t.withoutSettling(func() error {
		return l.t.queryRow(ctx, "UPDATE "+l.t.s.names.books+" SET version = version + 1 WHERE customer_id = ? RETURNING version",
			idArg(customer)).Scan(&stored)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return crm.Book{}, l.books().notFound(customer)
	}
	if err != nil {
		return crm.Book{}, l.t.s.dbErr("reading "+string(crm.KindBook), err)
	}
	l.t.bumpedBook(customer, stored)
	l.t.setBooked(customer)
	return crm.Book{Customer: customer, Version: stored - 1}, nil
}

// SaveBook implements crm.LedgerRepository: version 1 inserts the book,
// and an existing one is a *crm.ConflictError, which is what the second of
// two transactions posting a customer's first entry gets; a later version
// replaces the version before it. Once the transaction has read or saved
// a book, which it then holds, the next version is written with what is
// pending.
func (l ledgerRepo) SaveBook(ctx context.Context, b crm.Book) error {
	if (l.t.s.dialect == SQLite || l.t.hasBooked(b.Customer)) && l.t.saveBookLater(b.Customer, b.Version) {
		return nil
	}
	if known, ok := l.t.book(b.Customer); ok && known.stored != known.version {
		// Read by bumpBook, which stored a version the transaction has not
		// saved: the save is not the next version.
		return &crm.ConflictError{Kind: crm.KindBook, ID: b.Customer.String(), Expected: b.Version - 1, Actual: known.version}
	}
	var err error
	if b.Version == 1 {
		err = l.books().insert(ctx, b)
	} else {
		err = l.books().update(ctx, b)
	}
	if err != nil {
		l.t.keepBook(b.Customer, 0)
		return err
	}
	l.t.keepBook(b.Customer, b.Version)
	l.t.setBooked(b.Customer)
	return nil
}

// Entry implements crm.LedgerReader.
func (l ledgerRepo) Entry(ctx context.Context, id crm.ID) (crm.Entry, error) {
	return l.one(ctx, &crm.NotFoundError{Kind: crm.KindEntry, ID: id.String()}, "id = ?", idArg(id))
}

// EntryByKey implements crm.LedgerReader; no entry has the empty key,
// nor a key the database cannot hold (see storable).
func (l ledgerRepo) EntryByKey(ctx context.Context, key string) (crm.Entry, error) {
	notFound := &crm.NotFoundError{Kind: crm.KindEntry, ID: "idempotency key " + key}
	if !l.t.s.dialect.storable(key) {
		return crm.Entry{}, notFound
	}
	return l.one(ctx, notFound, "idempotency_key = ? AND "+keyed, key)
}

// ReversalOf implements crm.LedgerReader; nothing reverses the zero ID.
// In a PostgreSQL write transaction it first takes the lock of the book of
// the entry's customer (see lockBook).
func (l ledgerRepo) ReversalOf(ctx context.Context, id crm.ID) (crm.Entry, error) {
	if err := l.lockBookOfEntry(ctx, id); err != nil {
		return crm.Entry{}, err
	}
	return l.one(ctx, &crm.NotFoundError{Kind: crm.KindEntry, ID: "reversal of " + id.String()},
		"reverses = ? AND "+reversing, idArg(id))
}

// one returns the entry passing cond, with its postings, or notFound.
func (l ledgerRepo) one(ctx context.Context, notFound error, cond string, args ...any) (crm.Entry, error) {
	e, err := l.entries().getWhere(ctx, notFound, cond, args...)
	if err != nil {
		return crm.Entry{}, err
	}
	es, err := l.t.withPostings(ctx, []crm.Entry{e})
	if err != nil {
		return crm.Entry{}, err
	}
	return es[0], nil
}

// Entries implements crm.LedgerReader with the rules of
// crm.EntryFilter.Match: From and To bound the effective day, inclusive.
func (l ledgerRepo) Entries(ctx context.Context, f crm.EntryFilter, page crm.PageRequest) ([]crm.Entry, error) {
	var w where
	w.addIf(!f.Customer.IsZero(), "customer_id = ?", idArg(f.Customer))
	w.addIf(!f.Document.IsZero(), "document_id = ?", idArg(f.Document))
	w.addIf(!f.Item.IsZero(), "id IN (SELECT entry_id FROM "+l.t.s.names.postings+" WHERE item_id = ?)", idArg(f.Item))
	w.addIf(f.Kind != "", "kind = ?", string(f.Kind))
	w.addIf(!f.From.IsZero(), "effective_day >= ?", dayNumber(f.From))
	w.addIf(!f.To.IsZero(), "effective_day <= ?", dayNumber(f.To))
	es, err := l.entries().list(ctx, w, page)
	if err != nil {
		return nil, err
	}
	return l.t.withPostings(ctx, es)
}

// Append implements crm.LedgerRepository: the entry and its postings are
// written together, or nothing is. An existing ID, a non-empty
// idempotency key used before and a second reversal of an entry are a
// *crm.ConflictError, checked by the unique indexes so that of two
// transactions racing, whichever commits second gets it; the conflict
// writes nothing and leaves the transaction usable. What the entry posts
// to customers' accounts is added to open_items and customer_balances in
// the same transaction. On SQLite an entry without a key that reverses
// nothing is written with what is pending, its ID checked now (see
// pending.go); others are written at once, and on PostgreSQL every entry
// is, with its postings, in one statement.
func (l ledgerRepo) Append(ctx context.Context, e crm.Entry) error {
	postings, err := l.t.postingRows(e)
	if err != nil {
		return err
	}
	if l.t.pendingEntry(e.ID) {
		return entryExists(e.ID)
	}
	if l.t.s.dialect == SQLite && e.IdempotencyKey == "" && e.Reverses.IsZero() {
		if err := l.pendEntry(ctx, e, postings); err != nil {
			return err
		}
		l.t.appended(e.ID)
		return nil
	}
	var inserted bool
	// Nothing pending can collide with the entry: pending entries have
	// neither key nor reversal, nor its ID.
	err = l.t.withoutSettling(func() (err error) {
		if l.t.s.dialect == PostgreSQL && len(postings) > 0 {
			inserted, err = l.insertTogether(ctx, e, postings)
		} else {
			inserted, err = l.insertApart(ctx, e, postings)
		}
		if err == nil && !inserted {
			err = l.conflict(ctx, e)
		}
		return err
	})
	if err != nil {
		return err
	}
	l.t.appended(e.ID)
	l.t.pendOpen(e)
	return nil
}

// conflict says which unique index refused e, with the errors of
// store/memory.
func (l ledgerRepo) conflict(ctx context.Context, e crm.Entry) error {
	checks := []struct {
		applies bool
		id      crm.ID
		detail  string
		cond    string
		arg     any
	}{
		{true, e.ID, "already exists", "id = ?", idArg(e.ID)},
		{e.IdempotencyKey != "", e.ID, "idempotency key already used", "idempotency_key = ? AND " + keyed, e.IdempotencyKey},
		{!e.Reverses.IsZero(), e.Reverses, "already reversed", "reverses = ? AND " + reversing, idArg(e.Reverses)},
	}
	for _, c := range checks {
		if !c.applies {
			continue
		}
		var n int
		err := l.t.queryRow(ctx, "SELECT count(*) FROM "+l.entries().name()+" WHERE "+c.cond, c.arg).Scan(&n)
		if err != nil {
			return l.t.s.dbErr("looking up a conflicting entry", err)
		}
		if n > 0 {
			return &crm.ConflictError{Kind: crm.KindEntry, ID: c.id.String(), Detail: c.detail}
		}
	}
	return &crm.ConflictError{Kind: crm.KindEntry, ID: e.ID.String(), Detail: "conflicts with a stored entry"}
}
