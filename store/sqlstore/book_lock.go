package sqlstore

import (
	"context"
	"errors"

	"github.com/crmkit/crm"
)

// The CRM serializes what it does to a customer's ledger by saving the
// next version of their book, but it reads some of the ledger before it
// saves (whether an entry was reversed; what is open, to plan an
// allocation or a write-off). At READ COMMITTED, another transaction may
// post for the customer and commit between such a read and the save, and
// the save, which reads the book afresh, would not notice. So in a
// PostgreSQL write transaction, reading a customer's book, open items or
// reversals first takes the row lock of their book, which every posting
// transaction holds from its save to its commit: what is read after it
// stays true until this transaction commits. SQLite needs none: a write
// transaction holds the whole database from its start.

// locksBooks reports whether the transaction takes book locks.
func (l ledgerRepo) locksBooks() bool { return l.t.write && l.t.s.dialect == PostgreSQL }

// lockBook takes the lock of customer's book, once per transaction, by
// reading it as a posting does (bumpBook); it waits for a transaction
// that holds it to end. A customer without a book
// yet has no row to lock: the first save of their book is what collides.
func (l ledgerRepo) lockBook(ctx context.Context, customer crm.ID) error {
	if !l.locksBooks() || customer.IsZero() || l.t.hasBooked(customer) {
		return nil
	}
	// The lock is taken as a write reads the book to post (bumpBook): the
	// posting that follows then neither reads nor saves the book again.
	if _, err := l.bumpBook(ctx, customer); err != nil && !errors.Is(err, crm.ErrNotFound) {
		return err
	}
	l.t.setBooked(customer)
	return nil
}

// lockBookOfEntry takes the lock of the book of the customer an entry
// concerns.
func (l ledgerRepo) lockBookOfEntry(ctx context.Context, entry crm.ID) error {
	if !l.locksBooks() {
		return nil
	}
	_, err := l.t.exec(ctx, "SELECT 1 FROM "+l.t.s.names.books+" WHERE customer_id = (SELECT customer_id FROM "+
		l.t.s.names.entries+" WHERE id = ?) FOR UPDATE", idArg(entry))
	return l.t.s.dbErr("locking a book", err)
}

// hasBooked reports whether the transaction holds customer's book lock.
func (t *txn) hasBooked(customer crm.ID) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.booked[customer]
}

// setBooked records that the transaction holds customer's book lock.
func (t *txn) setBooked(customer crm.ID) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.booked == nil {
		t.booked = map[crm.ID]bool{}
	}
	t.booked[customer] = true
}
