package sqlstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEntryRoundTrips(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s, _ := b.newStore(t)
		customer := newID(t)
		variants := entryVariants(t, customer)
		for name, e := range variants {
			write(ctx, t, s, func(tx crm.Tx) error { return tx.Ledger().Append(ctx, e) })
			got := read(ctx, t, s, func(tx crm.ReadTx) (crm.Entry, error) { return tx.Ledger().Entry(ctx, e.ID) })
			assert.Equal(t, e, got, name)
		}
		orig, reversal := variants["allocation"], variants["reversal"]
		got := read(ctx, t, s, func(tx crm.ReadTx) (crm.Entry, error) { return tx.Ledger().EntryByKey(ctx, orig.IdempotencyKey) })
		assert.Equal(t, orig, got)
		got = read(ctx, t, s, func(tx crm.ReadTx) (crm.Entry, error) { return tx.Ledger().ReversalOf(ctx, orig.ID) })
		assert.Equal(t, reversal, got)

		err := s.View(ctx, func(tx crm.ReadTx) error {
			var nf *crm.NotFoundError
			_, err := tx.Ledger().Entry(ctx, newID(t))
			require.ErrorAs(t, err, &nf)
			assert.Equal(t, crm.KindEntry, nf.Kind)
			_, err = tx.Ledger().EntryByKey(ctx, "")
			assert.ErrorIs(t, err, crm.ErrNotFound, "no entry has the empty key, though several have none")
			for _, key := range []string{"key " + hostile, "key\x00", "key \xff"} {
				_, err = tx.Ledger().EntryByKey(ctx, key)
				assert.ErrorIs(t, err, crm.ErrNotFound, "%q, which PostgreSQL cannot hold", key)
			}
			_, err = tx.Ledger().ReversalOf(ctx, reversal.ID)
			assert.ErrorIs(t, err, crm.ErrNotFound)
			_, err = tx.Ledger().ReversalOf(ctx, crm.ID{})
			assert.ErrorIs(t, err, crm.ErrNotFound, "nothing reverses the zero ID, though several entries reverse nothing")
			_, err = tx.Ledger().Book(ctx, customer)
			assert.ErrorIs(t, err, crm.ErrNotFound, "appending saves no book: the CRM does")
			return nil
		})
		require.NoError(t, err)
	})
}

func TestInvoiceAndCreditRoundTrips(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s, _ := b.newStore(t)
		customer := newID(t)
		full := sampleInvoice(t, customer)
		bare := crm.Invoice{ID: newID(t), Customer: customer, Version: 1}
		noLines := crm.Invoice{ID: newID(t), Customer: customer, Currency: jpy, Lines: []crm.InvoiceLine{},
			Net: crm.Zero(jpy), Tax: crm.Zero(jpy), Total: crm.Zero(jpy), Version: 1}
		for name, inv := range map[string]crm.Invoice{"every field": full, "bare": bare, "empty lines": noLines} {
			write(ctx, t, s, func(tx crm.Tx) error { return tx.Invoices().Insert(ctx, inv) })
			got := read(ctx, t, s, func(tx crm.ReadTx) (crm.Invoice, error) { return tx.Invoices().Get(ctx, inv.ID) })
			assert.Equal(t, inv, got, name)
		}
		for name, c := range sampleCredits(t, customer) {
			write(ctx, t, s, func(tx crm.Tx) error { return tx.Credits().Insert(ctx, c) })
			got := read(ctx, t, s, func(tx crm.ReadTx) (crm.Credit, error) { return tx.Credits().Get(ctx, c.ID) })
			assert.Equal(t, c, got, name)
		}
	})
}

// TestInvoicesAndCreditsAreInsertedOnce: an existing ID and a version
// other than 1 are conflicts, as in store/memory, and a missing one is not
// found.
func TestInvoicesAndCreditsAreInsertedOnce(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s, _ := b.newStore(t)
		inv := sampleInvoice(t, newID(t))
		credit := sampleCredits(t, newID(t))["payment"]
		write(ctx, t, s, func(tx crm.Tx) error {
			return errors.Join(tx.Invoices().Insert(ctx, inv), tx.Credits().Insert(ctx, credit))
		})
		second := inv
		second.ID, second.Version = newID(t), 2
		for name, insert := range map[string]func(tx crm.Tx) error{
			"invoice again": func(tx crm.Tx) error { return tx.Invoices().Insert(ctx, inv) },
			"credit again":  func(tx crm.Tx) error { return tx.Credits().Insert(ctx, credit) },
			"invoice at v2": func(tx crm.Tx) error { return tx.Invoices().Insert(ctx, second) },
		} {
			var ce *crm.ConflictError
			require.ErrorAs(t, s.Update(ctx, insert), &ce, name)
		}
		err := s.View(ctx, func(tx crm.ReadTx) error {
			_, err := tx.Invoices().Get(ctx, second.ID)
			assert.ErrorIs(t, err, crm.ErrNotFound)
			_, err = tx.Credits().Get(ctx, newID(t))
			assert.ErrorIs(t, err, crm.ErrNotFound)
			return nil
		})
		require.NoError(t, err)
	})
}

func TestContractRoundTripAndVersions(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s, _ := b.newStore(t)
		c := sampleContract(t, newID(t))
		changed := c.Clone()
		changed.Status, changed.Approvals, changed.Steps = crm.ContractTerminated, nil, []crm.ApprovalStep{}
		changed.Plan.Installments[1].Invoice, changed.SignedAt, changed.End = newID(t), time.Time{}, crm.Date{}
		contractRules.check(t, s, c, changed, func() crm.Contract { return sampleContract(t, newID(t)) })

		bare := crm.Contract{ID: newID(t), Customer: newID(t), Status: crm.ContractDraft, Version: 1}
		empty := sampleContract(t, newID(t))
		empty.Plan = crm.PaymentPlan{Template: crm.PlanCustom, Installments: []crm.Installment{}}
		empty.Steps, empty.Approvals, empty.Amount = []crm.ApprovalStep{}, []crm.Approval{}, crm.Zero(kwd)
		roundTrips(ctx, t, s, contractRules, map[string]crm.Contract{"bare": bare, "empty lists, zero fils": empty})
	})
}

func TestBookVersions(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s, _ := b.newStore(t)
		book := crm.Book{Customer: newID(t), Version: 1}
		bookRules.check(t, s, book, book, func() crm.Book { return crm.Book{Customer: newID(t), Version: 1} })
	})
}
