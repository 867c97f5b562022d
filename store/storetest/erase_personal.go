package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// erased is the text an erasure puts where personal data was.
const erased = "[erased]"

// erasable describes a record that otherwise never changes and whose
// personal fields a store method overwrites, for runErasable.
type erasable[T any] struct {
	kind crm.Kind
	// fresh returns a new record with distinctive personal text, with
	// what it refers to already stored; insert stores it.
	fresh  func(t *testing.T, sc *scene) T
	insert func(tx crm.Tx, v T) error
	id     func(T) crm.ID
	// argument returns what the erasure of v is called with: a record
	// with v's ID and erased personal text, every other field different
	// from v's, which the store must ignore.
	argument func(sc *scene, v T) T
	// erased returns v as the erasure leaves it: its personal fields
	// erased, every other field as it was.
	erased func(v T) T
	erase  func(tx crm.Tx, v T) error
	// reads return the record as each reader of the port that returns it
	// does; written reads it in a write transaction.
	reads   func(v T) []func(tx crm.ReadTx) (T, error)
	written func(tx crm.Tx, id crm.ID) (T, error)
	// same returns a record as it compares; nil for records that compare
	// as they are.
	same func(v T) T
}

// compare returns v as it compares.
func (e erasable[T]) compare(v T) T {
	if e.same == nil {
		return v
	}
	return e.same(v)
}

// assertStored asserts that every reader returns want.
func (e erasable[T]) assertStored(t *testing.T, s crm.Store, want T, msg string) {
	t.Helper()
	for i, get := range e.reads(want) {
		assertSame(t, e.compare(want), e.compare(read(t, s, get)), "%s (reader %d)", msg, i)
	}
}

// runErasePersonal checks the erasure of the personal data of records
// that otherwise never change (interactions, ladder evidence and moves,
// ledger entries, invoices, credits): each method overwrites the record's
// personal fields, found by ID, and nothing else, whatever else its
// argument says; an unknown ID is a *crm.NotFoundError; a transaction
// sees its own erasure, also of a record it added; and a transaction that
// fails leaves the record as it was.
func runErasePersonal(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	t.Run("Interaction", func(t *testing.T) {
		runErasable(t, newStore, erasable[crm.Interaction]{
			kind:   crm.KindInteraction,
			fresh:  func(_ *testing.T, sc *scene) crm.Interaction { return sc.interaction(sc.ann, at(10)) },
			insert: insertInteraction,
			id:     interactionID,
			argument: func(sc *scene, v crm.Interaction) crm.Interaction {
				in := sc.plainInteraction(sc.bob, at(20))
				in.ID, in.Note, in.RequestHash = v.ID, erased, crm.Hash{}
				return in
			},
			erased: func(v crm.Interaction) crm.Interaction {
				v.Note, v.RequestHash = erased, crm.Hash{} // the digest of a request that held the note goes too
				return v
			},
			erase:   func(tx crm.Tx, v crm.Interaction) error { return tx.Interactions().ErasePersonal(ctx, v) },
			written: func(tx crm.Tx, id crm.ID) (crm.Interaction, error) { return tx.Interactions().Get(ctx, id) },
			reads: func(v crm.Interaction) []func(tx crm.ReadTx) (crm.Interaction, error) {
				return []func(tx crm.ReadTx) (crm.Interaction, error){getInteraction(v.ID), interactionByKey(v.IdempotencyKey),
					among(v.ID, interactionID, interactionsOf(v.Customer))}
			},
		})
	})
	t.Run("Evidence", func(t *testing.T) {
		runErasable(t, newStore, erasable[crm.Evidence]{
			kind:   crm.KindEvidence,
			fresh:  func(_ *testing.T, sc *scene) crm.Evidence { return sc.evidence(sc.ann, at(10)) },
			insert: appendEvidence,
			id:     evidenceID,
			argument: func(sc *scene, v crm.Evidence) crm.Evidence {
				return crm.Evidence{ID: v.ID, Customer: sc.bob, Kind: crm.EvidencePurchase, At: at(20), Weight: 1, Note: erased}
			},
			erased: func(v crm.Evidence) crm.Evidence {
				v.Note = erased
				return v
			},
			erase:   func(tx crm.Tx, v crm.Evidence) error { return tx.Ladder().ErasePersonalEvidence(ctx, v) },
			written: func(tx crm.Tx, id crm.ID) (crm.Evidence, error) { return tx.Ladder().EvidenceByID(ctx, id) },
			reads: func(v crm.Evidence) []func(tx crm.ReadTx) (crm.Evidence, error) {
				return []func(tx crm.ReadTx) (crm.Evidence, error){
					func(tx crm.ReadTx) (crm.Evidence, error) { return tx.Ladder().EvidenceByID(ctx, v.ID) },
					among(v.ID, evidenceID, func(tx crm.ReadTx) ([]crm.Evidence, error) { return tx.Ladder().Evidence(ctx, v.Customer) }),
				}
			},
		})
	})
	t.Run("Move", func(t *testing.T) {
		runErasable(t, newStore, erasable[crm.LadderMove]{
			kind:   crm.KindLadderMove,
			fresh:  func(_ *testing.T, sc *scene) crm.LadderMove { return sc.move(sc.ann, at(10)) },
			insert: appendMove,
			id:     moveID,
			argument: func(sc *scene, v crm.LadderMove) crm.LadderMove {
				return crm.LadderMove{ID: v.ID, Customer: sc.bob, At: at(20), From: crm.Loyal, To: crm.Advocate, Event: crm.Rise,
					Reason: erased, Evidence: crm.EvidenceRef{ID: sc.g.next(), Kind: crm.EvidencePurchase, Touchpoint: erased}}
			},
			erased: func(v crm.LadderMove) crm.LadderMove {
				v.Reason = erased
				return v
			},
			erase:   func(tx crm.Tx, v crm.LadderMove) error { return tx.Ladder().ErasePersonalMove(ctx, v) },
			written: func(tx crm.Tx, id crm.ID) (crm.LadderMove, error) { return moveIn(tx, id) },
			reads: func(v crm.LadderMove) []func(tx crm.ReadTx) (crm.LadderMove, error) {
				return []func(tx crm.ReadTx) (crm.LadderMove, error){
					among(v.ID, moveID, func(tx crm.ReadTx) ([]crm.LadderMove, error) { return tx.Ladder().Moves(ctx, v.Customer) }),
					among(v.ID, moveID, func(tx crm.ReadTx) ([]crm.LadderMove, error) {
						return tx.Ladder().MovesBetween(ctx, v.At, v.At.Add(1), crm.PageRequest{})
					}),
				}
			},
		})
		t.Run("ReplacedToo", func(t *testing.T) {
			sc := newScene(t, newStore)
			m := sc.move(sc.ann, at(10))
			insertAll(t, sc.s, appendMove, m)
			update(t, sc.s, func(tx crm.Tx) error { return tx.Ladder().ReplaceMoves(ctx, []crm.ID{m.ID}) })
			update(t, sc.s, func(tx crm.Tx) error {
				m.Reason = erased
				return tx.Ladder().ErasePersonalMove(ctx, m)
			})
			assert.Empty(t, read(t, sc.s, func(tx crm.ReadTx) ([]crm.LadderMove, error) { return tx.Ladder().Moves(ctx, sc.ann) }),
				"a replaced move stays replaced")
		})
	})
	t.Run("Entry", func(t *testing.T) {
		runErasable(t, newStore, erasable[crm.Entry]{
			kind: crm.KindEntry,
			fresh: func(t *testing.T, sc *scene) crm.Entry {
				e := sc.entryVariants(t, sc.ledgerDocs(t))[0].v // an invoice with a key
				e.IdempotencyKey += " " + e.ID.String()
				return e
			},
			insert: appendEntry,
			id:     entryID,
			argument: func(sc *scene, v crm.Entry) crm.Entry {
				return crm.Entry{ID: v.ID, Kind: crm.EntryPayment, Customer: sc.bob, Effective: day(2027, 1, 1), Description: erased,
					Postings: []crm.Posting{company(crm.AccountCash, 1, eur), company(crm.AccountRevenue, -1, eur)}}
			},
			erased: func(v crm.Entry) crm.Entry {
				v.Description, v.RequestHash = erased, crm.Hash{} // the digest of a request that held a reference goes too
				return v
			},
			erase:   func(tx crm.Tx, v crm.Entry) error { return tx.Ledger().ErasePersonal(ctx, v) },
			written: func(tx crm.Tx, id crm.ID) (crm.Entry, error) { return tx.Ledger().Entry(ctx, id) },
			reads: func(v crm.Entry) []func(tx crm.ReadTx) (crm.Entry, error) {
				return []func(tx crm.ReadTx) (crm.Entry, error){getEntry(v.ID), entryByKey(v.IdempotencyKey),
					among(v.ID, entryID, func(tx crm.ReadTx) ([]crm.Entry, error) {
						return tx.Ledger().Entries(ctx, crm.EntryFilter{Document: v.Document}, crm.PageRequest{})
					})}
			},
		})
	})
	t.Run("Invoice", func(t *testing.T) {
		invoices := erasable[crm.Invoice]{
			kind:   crm.KindInvoice,
			fresh:  func(t *testing.T, sc *scene) crm.Invoice { return sc.invoiceVariants(t)[0].v }, // three lines
			insert: insertInvoice,
			id:     invoiceID,
			argument: func(sc *scene, v crm.Invoice) crm.Invoice {
				in := erasedLines(v)
				in.Customer, in.Number, in.Net, in.Total, in.Due, in.Contract, in.Version = sc.bob, "INV-X", crm.Zero(eur),
					crm.Zero(eur), day(2027, 1, 1), crm.ID{}, 9
				return in
			},
			erased:  erasedLines,
			erase:   func(tx crm.Tx, v crm.Invoice) error { return tx.Invoices().ErasePersonal(ctx, v) },
			written: func(tx crm.Tx, id crm.ID) (crm.Invoice, error) { return tx.Invoices().Get(ctx, id) },
			reads: func(v crm.Invoice) []func(tx crm.ReadTx) (crm.Invoice, error) {
				return []func(tx crm.ReadTx) (crm.Invoice, error){getInvoice(v.ID),
					among(v.ID, invoiceID, func(tx crm.ReadTx) ([]crm.Invoice, error) {
						return tx.Invoices().List(ctx, crm.InvoiceFilter{Customer: v.Customer}, crm.PageRequest{})
					})}
			},
			same: func(v crm.Invoice) crm.Invoice { return sameInvoices(v)[0] },
		}
		runErasable(t, newStore, invoices)
		t.Run("LinesOtherThanStoredAreInvalid", func(t *testing.T) {
			sc := newScene(t, newStore)
			v := invoices.fresh(t, sc)
			insertAll(t, sc.s, insertInvoice, v)
			for name, change := range map[string]func(in *crm.Invoice){
				"a line fewer": func(in *crm.Invoice) { in.Lines = in.Lines[:2] },
				"a line more":  func(in *crm.Invoice) { in.Lines = append(in.Lines, in.Lines[0]) },
				"no lines":     func(in *crm.Invoice) { in.Lines = nil },
				"quantity":     func(in *crm.Invoice) { in.Lines[1].Quantity = dec("0.334") },
				"unit price":   func(in *crm.Invoice) { in.Lines[0].UnitPrice = crm.MoneyFromMinor(12_001, eur) },
				"currency":     func(in *crm.Invoice) { in.Lines[0].UnitPrice = crm.MoneyFromMinor(12_000, usd) },
				"tax rate":     func(in *crm.Invoice) { in.Lines[2].TaxRate = dec("0.19") },
				"discount":     func(in *crm.Invoice) { in.Lines[0].Discount = dec("0.1") },
				"lines swapped": func(in *crm.Invoice) {
					in.Lines[0], in.Lines[1] = in.Lines[1], in.Lines[0]
				},
			} {
				in := erasedLines(v)
				change(&in)
				update(t, sc.s, func(tx crm.Tx) error {
					err := tx.Invoices().ErasePersonal(ctx, in)
					var ve *crm.ValidationError
					if assert.ErrorAs(t, err, &ve, name) {
						assert.ErrorIs(t, err, crm.ErrInvalid, name)
					}
					got, err := invoices.written(tx, v.ID)
					require.NoError(t, err)
					assertSame(t, sameInvoices(v)[0], sameInvoices(got)[0], "%s: the transaction reads the invoice unchanged", name)
					return nil // the transaction commits
				})
				invoices.assertStored(t, sc.s, v, name+": nothing changed")
			}
		})
	})
	t.Run("Credit", func(t *testing.T) {
		runErasable(t, newStore, erasable[crm.Credit]{
			kind:   crm.KindCredit,
			fresh:  func(t *testing.T, sc *scene) crm.Credit { return sc.creditVariants(t)[0].v }, // a payment with a reference
			insert: insertCredit,
			id:     creditID,
			argument: func(sc *scene, v crm.Credit) crm.Credit {
				return crm.Credit{ID: v.ID, Customer: sc.bob, Kind: crm.CreditCreditNote, Amount: crm.MoneyFromMinor(1, usd),
					Received: day(2027, 1, 1), Reference: erased, Number: "CN-X", Version: 9}
			},
			erased: func(v crm.Credit) crm.Credit {
				v.Reference = erased
				return v
			},
			erase:   func(tx crm.Tx, v crm.Credit) error { return tx.Credits().ErasePersonal(ctx, v) },
			written: func(tx crm.Tx, id crm.ID) (crm.Credit, error) { return tx.Credits().Get(ctx, id) },
			reads: func(v crm.Credit) []func(tx crm.ReadTx) (crm.Credit, error) {
				return []func(tx crm.ReadTx) (crm.Credit, error){getCredit(v.ID),
					among(v.ID, creditID, func(tx crm.ReadTx) ([]crm.Credit, error) {
						return tx.Credits().List(ctx, v.Customer, crm.PageRequest{})
					})}
			},
		})
	})
}

// erasedLines returns the invoice with every line's description erased.
func erasedLines(v crm.Invoice) crm.Invoice {
	v = v.Clone()
	for i := range v.Lines {
		v.Lines[i].Description = erased
	}
	return v
}

// among turns a reader of a list into a reader of the record id in it.
func among[T any](id crm.ID, idOf func(T) crm.ID, list func(tx crm.ReadTx) ([]T, error)) func(tx crm.ReadTx) (T, error) {
	return func(tx crm.ReadTx) (T, error) {
		vs, err := list(tx)
		for _, v := range vs {
			if idOf(v) == id {
				return v, err
			}
		}
		var zero T
		return zero, errors.Join(err, fmt.Errorf("%s is not listed", id))
	}
}

// moveIn reads the move id in a write transaction: of every move in
// force, since the port reads moves by customer or time.
func moveIn(tx crm.Tx, id crm.ID) (crm.LadderMove, error) {
	moves, err := tx.Ladder().MovesBetween(context.Background(), time.Time{}, time.Time{}, crm.PageRequest{Limit: crm.MaxPageSize})
	for _, m := range moves {
		if m.ID == id {
			return m, err
		}
	}
	return crm.LadderMove{}, errors.Join(err, fmt.Errorf("move %s is not listed", id))
}

// runErasable runs the checks every erasure shares.
func runErasable[T any](t *testing.T, newStore NewStoreFunc, e erasable[T]) {
	stored := func(t *testing.T) (*scene, T) {
		sc := newScene(t, newStore)
		v := e.fresh(t, sc)
		insertAll(t, sc.s, e.insert, v)
		return sc, v
	}

	t.Run("OverwritesThePersonalFieldsOnly", func(t *testing.T) {
		sc, v := stored(t)
		e.assertStored(t, sc.s, v, "stored as inserted")
		update(t, sc.s, func(tx crm.Tx) error { return e.erase(tx, e.argument(sc, v)) })
		e.assertStored(t, sc.s, e.erased(v), "the personal fields erased, every other field as it was")

		update(t, sc.s, func(tx crm.Tx) error { return e.erase(tx, e.argument(sc, v)) })
		e.assertStored(t, sc.s, e.erased(v), "erasing twice is erasing once")
	})

	t.Run("UnknownIsNotFound", func(t *testing.T) {
		sc, v := stored(t)
		unknown := e.argument(sc, e.fresh(t, sc)) // an ID no record has
		requireNotFound(t, write(sc.s, func(tx crm.Tx) error { return e.erase(tx, unknown) }), e.kind)
		e.assertStored(t, sc.s, v, "nothing changed")
	})

	t.Run("TheTransactionSeesIt", func(t *testing.T) {
		sc, v := stored(t)
		added := e.fresh(t, sc)
		update(t, sc.s, func(tx crm.Tx) error {
			require.NoError(t, e.insert(tx, added))
			require.NoError(t, e.erase(tx, e.argument(sc, v)))
			require.NoError(t, e.erase(tx, e.argument(sc, added)))
			for _, want := range []T{e.erased(v), e.erased(added)} {
				got, err := e.written(tx, e.id(want))
				require.NoError(t, err)
				assertSame(t, e.compare(want), e.compare(got), "the transaction reads its own erasure")
			}
			return nil
		})
		e.assertStored(t, sc.s, e.erased(v), "committed")
		e.assertStored(t, sc.s, e.erased(added), "a record erased in the transaction that added it")
	})

	for _, fail := range failures {
		t.Run("Rollback"+fail.name, func(t *testing.T) {
			sc, v := stored(t)
			fail.run(t, sc.s, func(tx crm.Tx) error { return e.erase(tx, e.argument(sc, v)) })
			e.assertStored(t, sc.s, v, "a transaction that failed erased nothing")
		})
	}
}
