package storetest

import (
	"context"
	"slices"
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/require"
)

// runInvoiceHeaders: InvoiceReader.Headers answers with the header of each
// of the IDs asked that is an invoice of the customer, in ID order, once,
// leaving out another customer's invoices and IDs of no invoice, in a
// read and in a write transaction (an invoice inserted in it included),
// over more IDs than a statement takes.
func runInvoiceHeaders(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	b := newBooks(t, newStore(t))
	ann, ben := b.customer(t, "Ann's Headers"), b.customer(t, "Ben's Headers")
	a1, a2, a3 := b.issue(t, ann, 100, "H-1"), b.issue(t, ann, 200, "H-2"), b.issue(t, ann, 300, "")
	b1 := b.issue(t, ben, 400, "H-4")
	var want []crm.InvoiceHeader
	for _, inv := range []crm.Invoice{a1, a2, a3} {
		want = append(want, crm.InvoiceHeader{ID: inv.ID, Customer: ann, Number: inv.Number, Issued: inv.Issued, Due: inv.Due})
	}
	slices.SortFunc(want, func(a, b crm.InvoiceHeader) int { return a.ID.Compare(b.ID) })
	require.False(t, want[0].Issued.IsZero())
	require.False(t, want[0].Due.IsZero())
	// 4,100 IDs of no invoice around the customer's: more than one
	// statement's parameters.
	asked := []crm.ID{a3.ID, b1.ID, a1.ID}
	for i := range 4_100 {
		asked = append(asked, crm.ID{0xee, byte(i >> 8), byte(i)})
	}
	asked = append(asked, a2.ID, a1.ID)

	require.NoError(t, b.Store.View(ctx, func(tx crm.ReadTx) error {
		got, err := tx.Invoices().Headers(ctx, ann, asked)
		require.NoError(t, err)
		require.Equal(t, want, got, "Ann's three, in ID order, once")
		got, err = tx.Invoices().Headers(ctx, ben, asked)
		require.NoError(t, err)
		require.Equal(t, []crm.InvoiceHeader{b1.Header()}, got)
		for _, none := range [][]crm.ID{nil, {b1.ID}, {{0xee}}} {
			got, err = tx.Invoices().Headers(ctx, ann, none)
			require.NoError(t, err)
			require.Empty(t, got, "%v", none)
		}
		got, err = tx.Invoices().Headers(ctx, crm.ID{}, asked)
		require.NoError(t, err)
		require.Empty(t, got, "the zero customer has no invoices")
		return nil
	}))

	fresh := a1.Clone()
	fresh.ID, fresh.Number = crm.ID{0xaa, 1}, "H-5"
	require.NoError(t, b.Store.Update(ctx, func(tx crm.Tx) error {
		require.NoError(t, tx.Invoices().Insert(ctx, fresh))
		got, err := tx.Invoices().Headers(ctx, ann, append(asked, fresh.ID))
		require.NoError(t, err)
		require.Equal(t, append(want, fresh.Header()), got, "the invoice inserted in the write, last by ID")
		return nil
	}))
}
