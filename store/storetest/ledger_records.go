package storetest

import (
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// insertOnly describes a kind of receivables record that is never
// updated (entries, invoices, credits), for runInsertOnly.
type insertOnly[T any] struct {
	kind crm.Kind
	// variants returns records that between them set and leave empty
	// every field, with what they refer to already stored; a record that
	// refers to another comes after it.
	variants func(t *testing.T, sc *scene) []named[T]
	// clash returns a record with v's ID and otherwise new content that
	// breaks no other rule.
	clash  func(t *testing.T, sc *scene, v T) T
	id     func(T) crm.ID
	insert func(tx crm.Tx, v T) error
	get    func(id crm.ID) func(tx crm.ReadTx) (T, error)
	list   func(tx crm.ReadTx, p crm.PageRequest) ([]T, error)
	// same returns records as they compare: invoices' decimals in their
	// shortest form; nil for records that compare as they are.
	same  func(vs ...T) []T
	spoil func(v *T)
}

// compare returns vs as they compare.
func (k insertOnly[T]) compare(vs ...T) []T {
	if k.same == nil {
		return vs
	}
	return k.same(vs...)
}

// runInsertOnly checks what entries, invoices and credits have in
// common: every field round-trips; an existing ID is a conflict that
// changes nothing; a transaction reads its own records; the listing is
// in ID order, page by page; and what the store returns is a copy.
func runInsertOnly[T any](t *testing.T, newStore NewStoreFunc, k insertOnly[T]) {
	stored := func(t *testing.T) (*scene, []T) {
		sc := newScene(t, newStore)
		vs := values(k.variants(t, sc))
		require.GreaterOrEqual(t, len(vs), 3)
		// Pairs swapped, a transaction each: not in ID order, but what a
		// record refers to comes first.
		for i := 0; i < len(vs); i += 2 {
			for _, j := range []int{i + 1, i} {
				if j < len(vs) {
					insertAll(t, sc.s, k.insert, vs[j])
				}
			}
		}
		return sc, vs
	}
	get := func(t *testing.T, s crm.Store, id crm.ID) T {
		t.Helper()
		return k.compare(read(t, s, k.get(id)))[0]
	}

	t.Run("RoundTripsEveryField", func(t *testing.T) {
		sc, vs := stored(t)
		for i, v := range k.compare(vs...) {
			assertSame(t, v, get(t, sc.s, k.id(v)), "variant %d", i)
		}
		_, err := tryRead(sc.s, k.get(sc.g.next()))
		requireNotFound(t, err, k.kind)
	})

	t.Run("ExistingIDIsConflict", func(t *testing.T) {
		sc, vs := stored(t)
		for i, v := range vs {
			err := write(sc.s, func(tx crm.Tx) error { return k.insert(tx, k.clash(t, sc, v)) })
			ce := requireConflict(t, err, k.kind)
			assert.Equal(t, k.id(v).String(), ce.ID, "variant %d", i)
			assertSame(t, k.compare(v)[0], get(t, sc.s, k.id(v)), "variant %d", i)
		}
		assertSameList(t, k.compare(sortedByID(vs, k.id)...), k.compare(allPages(t, sc.s, 10, k.id, k.list)...), k.id)
	})

	t.Run("TransactionReadsItsOwn", func(t *testing.T) {
		sc := newScene(t, newStore)
		vs := values(k.variants(t, sc))
		insertAll(t, sc.s, k.insert, vs[0])
		update(t, sc.s, func(tx crm.Tx) error {
			require.NoError(t, k.insert(tx, vs[1]))
			got, err := k.get(k.id(vs[1]))(crm.ReadOnly(tx))
			require.NoError(t, err)
			assertSame(t, k.compare(vs[1])[0], k.compare(got)[0])
			listed, err := k.list(crm.ReadOnly(tx), crm.PageRequest{})
			require.NoError(t, err)
			assertSameList(t, k.compare(sortedByID(vs[:2], k.id)...), k.compare(listed...), k.id)
			return nil
		})
	})

	t.Run("ListsInIDOrder", func(t *testing.T) {
		sc, vs := stored(t)
		list := func(tx crm.ReadTx, p crm.PageRequest) ([]T, error) {
			got, err := k.list(tx, p)
			return k.compare(got...), err
		}
		assertListing(t, sc.s, k.compare(vs...), k.id, list)
	})

	t.Run("ReturnedValuesAreCopies", func(t *testing.T) {
		sc := newScene(t, newStore)
		v := k.variants(t, sc)[0].v
		assertCopiesListed(t, sc.s, v, k.insert, k.get(k.id(v)), k.list, k.spoil)
	})
}

// entryRecords describes entries for runInsertOnly: the variants are
// entryVariants on stored documents.
var entryRecords = insertOnly[crm.Entry]{
	kind:     crm.KindEntry,
	variants: func(t *testing.T, sc *scene) []named[crm.Entry] { return sc.entryVariants(t, sc.ledgerDocs(t)) },
	clash: func(_ *testing.T, sc *scene, e crm.Entry) crm.Entry {
		c := sc.paymentEntry(crm.Credit{ID: sc.g.next(), Customer: sc.bob, Amount: crm.MoneyFromMinor(7, usd)}, day(2026, 1, 2), "")
		c.ID = e.ID
		return c
	},
	id:     entryID,
	insert: appendEntry,
	get:    getEntry,
	list: func(tx crm.ReadTx, p crm.PageRequest) ([]crm.Entry, error) {
		return listEntries(crm.EntryFilter{})(tx, p)
	},
	spoil: func(e *crm.Entry) {
		e.Postings[0].Amount, e.Postings[1].Item = crm.MoneyFromMinor(1, usd), crm.ID{}
	},
}

var invoiceRecords = insertOnly[crm.Invoice]{
	kind:     crm.KindInvoice,
	variants: func(t *testing.T, sc *scene) []named[crm.Invoice] { return sc.invoiceVariants(t) },
	clash: func(t *testing.T, sc *scene, i crm.Invoice) crm.Invoice {
		c := sc.invoiceVariants(t)[1].v
		c.ID, c.Customer, c.Number = i.ID, sc.bob, "Clash"
		return c
	},
	id:     invoiceID,
	insert: insertInvoice,
	get:    getInvoice,
	list: func(tx crm.ReadTx, p crm.PageRequest) ([]crm.Invoice, error) {
		return listInvoices(crm.InvoiceFilter{})(tx, p)
	},
	same: sameInvoices,
	spoil: func(i *crm.Invoice) {
		i.Lines[0].Description, i.Lines[0].Quantity = "spoilt", dec("99")
	},
}

var creditRecords = insertOnly[crm.Credit]{
	kind:     crm.KindCredit,
	variants: func(t *testing.T, sc *scene) []named[crm.Credit] { return sc.creditVariants(t) },
	clash: func(_ *testing.T, sc *scene, c crm.Credit) crm.Credit {
		c.Customer, c.Amount, c.Reference = sc.bob, crm.MoneyFromMinor(3, usd), "Clash"
		return c
	},
	id:     creditID,
	insert: insertCredit,
	get:    getCredit,
	list:   listCredits(crm.ID{}),
	spoil:  func(c *crm.Credit) { c.Reference = "spoilt" },
}

func runLedgerRecords(t *testing.T, newStore NewStoreFunc) {
	t.Run("Entries", func(t *testing.T) { runInsertOnly(t, newStore, entryRecords) })
	t.Run("Invoices", func(t *testing.T) { runInsertOnly(t, newStore, invoiceRecords) })
	t.Run("InvoiceHeaders", func(t *testing.T) { runInvoiceHeaders(t, newStore) })
	t.Run("Credits", func(t *testing.T) { runInsertOnly(t, newStore, creditRecords) })
	t.Run("Contracts", func(t *testing.T) {
		runSalesRecord(t, newStore, salesRecord[crm.Contract]{
			versioned: contractVersions,
			variants:  func(t *testing.T, sc *scene) []named[crm.Contract] { return sc.contractVariants(t) },
			as: func(c crm.Contract, id crm.ID, n int64) crm.Contract {
				c = c.Clone()
				c.ID, c.Version = id, n
				return c
			},
			spoil: func(c *crm.Contract) {
				c.Plan.Installments[0].Amount, c.Steps[0], c.Approvals[0].Comment = crm.MoneyFromMinor(1, usd), "spoilt", "spoilt"
			},
			list: listContracts(crm.ContractFilter{}),
		})
	})
	t.Run("Books", func(t *testing.T) { runVersionRules(t, newStore, bookVersions) })
	t.Run("AppendConflicts", func(t *testing.T) { runAppendConflicts(t, newStore) })
	t.Run("Lookups", func(t *testing.T) { runLedgerLookups(t, newStore) })
	t.Run("Filters", func(t *testing.T) { runLedgerFilters(t, newStore) })
}

// ledgerBook is a scene with the entry variants stored: an invoice with
// a key, an allocation, a payment and the invoice's reversal, with a key
// too.
type ledgerBook struct {
	*scene
	docs                              ledgerDocs
	invoice, cross, payment, reversal crm.Entry
}

func newLedgerBook(t *testing.T, newStore NewStoreFunc) *ledgerBook {
	t.Helper()
	sc := newScene(t, newStore)
	b := &ledgerBook{scene: sc, docs: sc.ledgerDocs(t)}
	vs := values(sc.entryVariants(t, b.docs))
	b.invoice, b.cross, b.payment, b.reversal = vs[0], vs[1], vs[2], vs[3]
	insertAll(t, sc.s, appendEntry, vs...)
	return b
}

// fresh returns a new payment entry of one of ann's credits.
func (b *ledgerBook) fresh(key string) crm.Entry {
	return b.paymentEntry(b.docs.credits[1], day(2026, 1, 5), key)
}

// runAppendConflicts checks that Append refuses an existing ID, a
// non-empty idempotency key used before and a second reversal of an
// entry, whether the first is committed or earlier in the same
// transaction, and that the transaction that tried leaves nothing
// behind: not the entries appended before the refused one, nor their
// keys. Empty keys repeat, keys differ in case, and entries are reversed
// once each.
func runAppendConflicts(t *testing.T, newStore NewStoreFunc) {
	b := newLedgerBook(t, newStore)
	stored := []crm.Entry{b.invoice, b.cross, b.payment, b.reversal}
	withID := func(e crm.Entry, id crm.ID) crm.Entry {
		e.ID = id
		return e
	}
	reverse := func(e crm.Entry) crm.Entry { return e.Reversal(b.g.next(), day(2026, 3, 2), at(70), crm.ID{}, "again") }
	first := b.fresh("first in the batch")
	twin := b.fresh("twin")
	for _, tc := range []struct {
		name  string
		batch []crm.Entry // the last is refused
	}{
		{"existing ID", []crm.Entry{first, withID(b.fresh(""), b.payment.ID)}},
		{"existing ID of a reversal", []crm.Entry{first, withID(b.fresh(""), b.reversal.ID)}},
		{"an ID twice in one transaction", []crm.Entry{first, withID(b.fresh(""), first.ID)}},
		{"reused key", []crm.Entry{first, b.fresh(b.invoice.IdempotencyKey)}},
		{"reused key of a reversal", []crm.Entry{first, b.fresh(b.reversal.IdempotencyKey)}},
		{"a key twice in one transaction", []crm.Entry{first, twin, withID(twin, b.g.next())}},
		{"second reversal", []crm.Entry{first, reverse(b.invoice)}},
		{"two reversals in one transaction", []crm.Entry{first, reverse(b.payment), reverse(b.payment)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := write(b.s, func(tx crm.Tx) error {
				for _, e := range tc.batch {
					if err := appendEntry(tx, e); err != nil {
						return err
					}
				}
				return nil
			})
			requireConflict(t, err, crm.KindEntry)
			assertSameList(t, stored, allPages(t, b.s, 10, entryID, listEntries(crm.EntryFilter{})), entryID, "nothing of the batch is left")
			for _, e := range tc.batch[:len(tc.batch)-1] {
				if e.IdempotencyKey != "" {
					_, err := tryRead(b.s, entryByKey(e.IdempotencyKey))
					requireNotFound(t, err, crm.KindEntry)
				}
			}
			assertSame(t, b.invoice, read(t, b.s, entryByKey(b.invoice.IdempotencyKey)))
			assertSame(t, b.reversal, read(t, b.s, reversalOf(b.invoice.ID)))
			_, err = tryRead(b.s, reversalOf(b.payment.ID))
			requireNotFound(t, err, crm.KindEntry)
		})
	}

	t.Run("Accepted", func(t *testing.T) {
		upper := b.fresh(strings.ToUpper(b.invoice.IdempotencyKey))
		batch := []crm.Entry{b.fresh(""), b.fresh(""), upper, b.fresh(b.invoice.IdempotencyKey + " "), reverse(b.payment), reverse(b.cross)}
		insertAll(t, b.s, appendEntry, batch...)
		assertSameList(t, sortedByID(slices.Concat(stored, batch), entryID), allPages(t, b.s, 10, entryID, listEntries(crm.EntryFilter{})), entryID,
			"empty keys repeat, keys differ by case and by a space, other entries are reversed")
		assertSame(t, upper, read(t, b.s, entryByKey(upper.IdempotencyKey)))
		assertSame(t, b.invoice, read(t, b.s, entryByKey(b.invoice.IdempotencyKey)))
		assertSame(t, batch[4], read(t, b.s, reversalOf(b.payment.ID)))
	})
}

// runLedgerLookups checks the ledger's lookups that find nothing, and
// those that find something in a transaction that wrote it.
func runLedgerLookups(t *testing.T, newStore NewStoreFunc) {
	b := newLedgerBook(t, newStore)
	for _, tc := range []struct {
		name string
		kind crm.Kind
		get  func(tx crm.ReadTx) error
	}{
		{"unknown entry", crm.KindEntry, ignore(getEntry(b.g.next()))},
		{"no key", crm.KindEntry, ignore(entryByKey(""))},
		{"unknown key", crm.KindEntry, ignore(entryByKey("unknown"))},
		{"key in another case", crm.KindEntry, ignore(entryByKey(strings.ToUpper(b.invoice.IdempotencyKey)))},
		{"key with a wildcard", crm.KindEntry, ignore(entryByKey("invoice %"))},
		{"reversal of an entry not reversed", crm.KindEntry, ignore(reversalOf(b.payment.ID))},
		{"reversal of a reversal", crm.KindEntry, ignore(reversalOf(b.reversal.ID))},
		{"reversal of an unknown entry", crm.KindEntry, ignore(reversalOf(b.g.next()))},
		{"book before the first entry", crm.KindBook, ignore(getBook(b.ann))},
		{"unknown invoice", crm.KindInvoice, ignore(getInvoice(b.g.next()))},
		{"unknown credit", crm.KindCredit, ignore(getCredit(b.g.next()))},
		{"unknown contract", crm.KindContract, ignore(getContract(b.g.next()))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			requireNotFound(t, b.s.View(context.Background(), tc.get), tc.kind)
		})
	}

	t.Run("InTransaction", func(t *testing.T) {
		e := b.fresh("mine")
		r := e.Reversal(b.g.next(), day(2026, 3, 2), at(80), crm.ID{}, "mine")
		update(t, b.s, func(tx crm.Tx) error {
			require.NoError(t, appendEntry(tx, e))
			require.NoError(t, appendEntry(tx, r))
			require.NoError(t, saveBook(tx, crm.Book{Customer: b.ann, Version: 1}))
			for _, fn := range []func(crm.ReadTx) (crm.Entry, error){getEntry(e.ID), entryByKey("mine"), reversalOf(e.ID), getEntry(r.ID)} {
				got, err := fn(crm.ReadOnly(tx))
				require.NoError(t, err)
				assert.Contains(t, []crm.ID{e.ID, r.ID}, got.ID)
			}
			got, err := getBook(b.ann)(crm.ReadOnly(tx))
			require.NoError(t, err)
			assert.Equal(t, crm.Book{Customer: b.ann, Version: 1}, got)
			return nil
		})
	})
}

// ignore adapts a read to View, dropping what it returns.
func ignore[T any](fn func(tx crm.ReadTx) (T, error)) func(tx crm.ReadTx) error {
	return func(tx crm.ReadTx) error {
		_, err := fn(tx)
		return err
	}
}

// runLedgerFilters checks every field of EntryFilter, InvoiceFilter and
// ContractFilter, and the credits' customer, page by page, on records of
// two customers.
func runLedgerFilters(t *testing.T, newStore NewStoreFunc) {
	sc := newScene(t, newStore)
	refs := sc.ledgerRefs(t)
	docs := sc.ledgerDocs(t)
	unknown := sc.g.next()

	days := []crm.Date{day(2025, 12, 31), day(2026, 1, 1), day(2026, 1, 31), day(2026, 2, 1), day(2026, 3, 2)}
	var entries []crm.Entry
	for i := range 12 {
		e := sc.paymentEntry(docs.credits[i%len(docs.credits)], days[i%len(days)], "")
		if i%5 == 4 {
			e.Document = crm.ID{}
		}
		entries = append(entries, e)
	}
	insertShuffled(t, sc.s, rand.New(rand.NewPCG(1, 2)), appendEntry, entries)
	t.Run("Entries", func(t *testing.T) {
		assertFilters(t, sc.s, entries, entryID, crm.EntryFilter.Match, listEntries, []filterCase[crm.EntryFilter]{
			{name: "none"},
			{name: "customer", f: crm.EntryFilter{Customer: sc.bob}},
			{name: "unknown customer", f: crm.EntryFilter{Customer: unknown}, none: true},
			{name: "document", f: crm.EntryFilter{Document: docs.credits[1].ID}},
			{name: "from, inclusive", f: crm.EntryFilter{From: days[2]}},
			{name: "to, inclusive", f: crm.EntryFilter{To: days[1]}},
			{name: "one day", f: crm.EntryFilter{From: days[2], To: days[2]}},
			{name: "days with no entry", f: crm.EntryFilter{From: days[1].AddDays(1), To: days[2].AddDays(-1)}, none: true},
			{name: "after the last", f: crm.EntryFilter{From: days[4].AddDays(1)}, none: true},
			{name: "customer and dates", f: crm.EntryFilter{Customer: sc.ann, From: days[1], To: days[3]}},
		})
	})

	invoices := values(sc.invoiceVariants(t))[1:] // the first is in docs
	other := sc.contractVariants(t)[3].v
	insertAll(t, sc.s, insertContract, other)
	for i, c := range []crm.ID{sc.bob, sc.ann, sc.bob} {
		inv := invoices[0]
		inv.ID, inv.Customer, inv.Contract = sc.g.next(), c, []crm.ID{other.ID, other.ID, sc.billed(t).ID}[i]
		invoices = append(invoices, inv)
	}
	insertAll(t, sc.s, insertInvoice, invoices...)
	t.Run("Invoices", func(t *testing.T) {
		list := func(f crm.InvoiceFilter) func(crm.ReadTx, crm.PageRequest) ([]crm.Invoice, error) {
			return func(tx crm.ReadTx, p crm.PageRequest) ([]crm.Invoice, error) {
				got, err := listInvoices(f)(tx, p)
				return sameInvoices(got...), err
			}
		}
		assertFilters(t, sc.s, sameInvoices(append(invoices, docs.invoices...)...), invoiceID, crm.InvoiceFilter.Match, list,
			[]filterCase[crm.InvoiceFilter]{
				{name: "none"},
				{name: "customer", f: crm.InvoiceFilter{Customer: sc.ann}},
				{name: "contract", f: crm.InvoiceFilter{Contract: other.ID}},
				{name: "customer and contract", f: crm.InvoiceFilter{Customer: sc.bob, Contract: other.ID}},
				{name: "unknown contract", f: crm.InvoiceFilter{Contract: unknown}, none: true},
			})
	})

	t.Run("Credits", func(t *testing.T) {
		match := func(customer crm.ID, c crm.Credit) bool { return customer.IsZero() || c.Customer == customer }
		assertFilters(t, sc.s, docs.credits, creditID, match, listCredits, []filterCase[crm.ID]{
			{name: "every customer"}, {name: "ann", f: sc.ann}, {name: "bob", f: sc.bob}, {name: "unknown", f: unknown, none: true},
		})
	})

	contracts := append(values(sc.contractVariants(t)), sc.billed(t), other)
	insertAll(t, sc.s, insertContract, contracts[:4]...)
	t.Run("Contracts", func(t *testing.T) {
		assertFilters(t, sc.s, contracts, contractID, crm.ContractFilter.Match, listContracts, []filterCase[crm.ContractFilter]{
			{name: "none"},
			{name: "customer", f: crm.ContractFilter{Customer: sc.bob}},
			{name: "owner", f: crm.ContractFilter{Owner: refs.manager.ID}},
			{name: "team", f: crm.ContractFilter{Team: "north"}},
			{name: "hostile team", f: crm.ContractFilter{Team: hostileShort}},
			{name: "team in another case", f: crm.ContractFilter{Team: "North"}, none: true},
			{name: "status", f: crm.ContractFilter{Status: crm.ContractActive}},
			{name: "customer and status", f: crm.ContractFilter{Customer: sc.ann, Status: crm.ContractSubmitted}},
			{name: "unknown owner", f: crm.ContractFilter{Owner: unknown}, none: true},
			{name: "start before", f: crm.ContractFilter{StartBefore: day(2026, 3, 1)}},
			{name: "start before, on the day", f: crm.ContractFilter{StartBefore: day(2026, 3, 2)}},
			{name: "end before", f: crm.ContractFilter{EndBefore: day(2026, 6, 1)}},
			{name: "end before, none ends by then", f: crm.ContractFilter{EndBefore: day(2026, 5, 31)}, none: true},
			{name: "status and end before", f: crm.ContractFilter{Status: crm.ContractActive, EndBefore: day(2030, 1, 1)}},
			{name: "amends", f: crm.ContractFilter{Amends: contracts[0].Amends}},
			{name: "renews", f: crm.ContractFilter{Renews: contracts[0].Renews}},
			{name: "unknown amended contract", f: crm.ContractFilter{Amends: unknown}, none: true},
		})
	})
}
