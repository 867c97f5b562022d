package storetest

import (
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runLedgerRollback checks that a transaction that fails, by an error or
// a panic, leaves none of its receivables rows behind: no entry, no
// idempotency key, no reversal, no invoice, credit or contract, no book
// or new version of one, and nothing the sums count. The same writes then
// commit, which they could not if an ID, a key, a reversal or a version
// had stayed, and the sums see them.
func runLedgerRollback(t *testing.T, newStore NewStoreFunc) {
	for _, fail := range failures {
		t.Run(fail.name, func(t *testing.T) {
			b := newLedgerBook(t, newStore)
			s := b.s
			// What was committed before.
			oldBook := crm.Book{Customer: b.bob, Version: 1}
			oldContract := values(b.contractVariants(t))[1]
			insertAll(t, s, saveBook, oldBook)
			insertAll(t, s, insertContract, oldContract)
			stored := []crm.Entry{b.invoice, b.cross, b.payment, b.reversal}
			questions := ledgerQuestions{
				openItems: []openItemsQuery{{}, {customer: b.ann}, {customer: b.ann, asOf: day(2026, 1, 31)}},
				balances:  []crm.Date{{}, day(2026, 2, 28)},
				aging:     []crm.AgingQuery{{AsOf: day(2026, 3, 31)}, {AsOf: day(2026, 3, 31), Customer: b.ann, Bounds: []int{1}}},
				revenue:   []revenueQuery{{}, {customer: b.ann, from: day(2026, 1, 1)}},
			}
			before := questions.answer(stored)

			keyed := b.fresh("rolled back")
			keyed.Effective = day(2026, 1, 31)
			reversal := b.payment.Reversal(b.g.next(), day(2026, 2, 1), at(90), crm.ID{}, "rolled back")
			newInvoice := values(b.invoiceVariants(t))[0]
			invoiceEntry := b.invoice
			invoiceEntry.ID, invoiceEntry.Document, invoiceEntry.IdempotencyKey = b.g.next(), newInvoice.ID, "second invoice"
			invoiceEntry.Postings = append([]crm.Posting{receivable(newInvoice, 14_280)}, invoiceEntry.Postings[1:]...)
			newCredit := values(b.creditVariants(t))[3]
			newContract, nextContract := values(b.contractVariants(t))[0], contractVersions.at(oldContract, 2)
			after := questions.answer(append(stored, keyed, reversal, invoiceEntry))
			require.NotEqual(t, before.openItems, after.openItems, "the writes change the open items")
			require.NotEqual(t, before.revenue, after.revenue, "the writes change the revenue")
			effects := []effect{
				{"entry with a key", func(tx crm.Tx) error { return appendEntry(tx, keyed) }, func(t *testing.T) {
					_, err := tryRead(s, getEntry(keyed.ID))
					requireNotFound(t, err, crm.KindEntry)
					_, err = tryRead(s, entryByKey(keyed.IdempotencyKey))
					requireNotFound(t, err, crm.KindEntry)
					assertSameList(t, stored, allPages(t, s, 10, entryID, listEntries(crm.EntryFilter{})), entryID)
				}},
				{"reversal", func(tx crm.Tx) error { return appendEntry(tx, reversal) }, func(t *testing.T) {
					_, err := tryRead(s, reversalOf(b.payment.ID))
					requireNotFound(t, err, crm.KindEntry)
				}},
				{"invoice and its entry", func(tx crm.Tx) error {
					require.NoError(t, insertInvoice(tx, newInvoice))
					return appendEntry(tx, invoiceEntry)
				}, func(t *testing.T) {
					_, err := tryRead(s, getInvoice(newInvoice.ID))
					requireNotFound(t, err, crm.KindInvoice)
					listed := allPages(t, s, 10, invoiceID, listInvoices(crm.InvoiceFilter{}))
					assert.Equal(t, idsOf(b.docs.invoices, invoiceID), idsOf(listed, invoiceID))
				}},
				{"credit", func(tx crm.Tx) error { return insertCredit(tx, newCredit) }, func(t *testing.T) {
					_, err := tryRead(s, getCredit(newCredit.ID))
					requireNotFound(t, err, crm.KindCredit)
					assertSameList(t, b.docs.credits, allPages(t, s, 10, creditID, listCredits(crm.ID{})), creditID)
				}},
				{"first book", func(tx crm.Tx) error { return saveBook(tx, crm.Book{Customer: b.ann, Version: 1}) }, func(t *testing.T) {
					_, err := tryRead(s, getBook(b.ann))
					requireNotFound(t, err, crm.KindBook)
				}},
				{"book's next version", func(tx crm.Tx) error { return saveBook(tx, crm.Book{Customer: b.bob, Version: 2}) }, func(t *testing.T) {
					assert.Equal(t, oldBook, read(t, s, getBook(b.bob)))
				}},
				{"new contract", func(tx crm.Tx) error { return insertContract(tx, newContract) }, func(t *testing.T) {
					_, err := tryRead(s, getContract(newContract.ID))
					requireNotFound(t, err, crm.KindContract)
				}},
				{"contract update", func(tx crm.Tx) error { return contractVersions.update(tx, nextContract) }, func(t *testing.T) {
					assertSame(t, oldContract, read(t, s, getContract(oldContract.ID)))
				}},
				{"sums", func(crm.Tx) error { return nil }, func(t *testing.T) {
					view(t, s, func(tx crm.ReadTx) error {
						before.check(t, tx.Ledger(), 0)
						return nil
					})
				}},
			}
			failThenCommit(t, s, fail.run, effects)
			view(t, s, func(tx crm.ReadTx) error {
				after.check(t, tx.Ledger(), 0)
				return nil
			})
			assertSame(t, keyed, read(t, s, entryByKey(keyed.IdempotencyKey)), "the key is taken now")
			assertSame(t, reversal, read(t, s, reversalOf(b.payment.ID)))
		})
	}
}
