package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runInvoicesAsOneByOne checks that IssueInvoices writes exactly what
// issuing the same invoices one by one writes, on two stores side by
// side: the invoices, their numbers from two series (two fiscal years)
// and a number of the caller's, the entries, what is open, the events;
// that a key repeated within the batch issues once and a retried batch
// returns what the first returned; and that an item refused when the
// batch's rows are written (a number another invoice has) is named, with
// nothing written.
func runInvoicesAsOneByOne(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	batched, single := newBooks(t, newStore(t)), newBooks(t, newStore(t))
	invoices := func(b *books) ([]crm.NewInvoice, []crm.ID) {
		cs := []crm.ID{b.customer(t, "Initech"), b.customer(t, "Umbrella"), b.customer(t, "Hooli")}
		// a history before the batch: the series does not start at 1
		_, err := b.Ledger.IssueInvoice(ctx, b.fin.ID, newInvoice(cs[0], usdOf(t, "5.00"), ""))
		require.NoError(t, err)
		lastYear := crm.DateOf(b.Clock.Now()).AddDays(-400)
		var out []crm.NewInvoice
		for i := range 12 {
			n := newInvoice(cs[i%3], usdOf(t, fmt.Sprintf("%d.25", 10+i)), "")
			for k := range i % 3 {
				n.Lines = append(n.Lines, crm.InvoiceLine{Description: fmt.Sprint("Extra ", k), Quantity: dec("2"), UnitPrice: usdOf(t, "3.10"),
					TaxRate: dec("0.2")})
			}
			switch i {
			case 4:
				n.Number = "OWN-4"
			case 5, 9:
				n.Issued = lastYear
			}
			if i%4 != 1 {
				n.IdempotencyKey = fmt.Sprint("key-", i)
			}
			out = append(out, n)
		}
		return append(out, out[2]), cs // a key repeated within the batch
	}
	batch, bcs := invoices(batched)
	got, err := batched.Ledger.IssueInvoices(ctx, batched.fin.ID, batch)
	require.NoError(t, err)
	one, scs := invoices(single)
	var want []crm.Invoice
	for _, n := range one {
		inv, err := single.Ledger.IssueInvoice(ctx, single.fin.ID, n)
		require.NoError(t, err)
		want = append(want, inv)
	}
	assert.Equal(t, got[2], got[12], "a key repeated within the batch issues once")

	// What each wrote, with the IDs each store's records have in common
	// renamed: customers by their place, documents by their number.
	norm := func(b *books, cs []crm.ID) ([]string, []string) {
		st := b.state(t, crm.ID{})
		name := map[crm.ID]string{}
		for i, c := range cs {
			name[c] = fmt.Sprint("customer ", i)
		}
		var invs, entries []string
		for _, inv := range st.invoices {
			name[inv.ID] = inv.Number
			invs = append(invs, fmt.Sprintf("%s %s issued %s due %s net %s tax %s total %s lines %v created %s",
				inv.Number, name[inv.Customer], inv.Issued, inv.Due, inv.Net, inv.Tax, inv.Total, inv.Lines, inv.CreatedAt))
		}
		for _, e := range st.entries {
			events := read(t, b.Store, func(tx crm.ReadTx) ([]crm.Event, error) { return tx.Events().Subject(ctx, crm.KindEntry, e.ID) })
			var types []crm.EventType
			for _, ev := range events {
				types = append(types, ev.Type)
			}
			line := fmt.Sprintf("%s %s %s %s %q key %q hash %x events %v:", e.Kind, name[e.Customer], name[e.Document], e.Effective,
				e.Description, e.IdempotencyKey, e.RequestHash, types)
			for _, p := range e.Postings {
				line += fmt.Sprintf(" %s %s %s %s %s;", p.Account, name[p.Customer], p.Amount, name[p.Item], p.Due)
			}
			entries = append(entries, line)
		}
		for _, it := range st.items {
			entries = append(entries, fmt.Sprintf("open %s %s %s %s", name[it.Customer], name[it.Item], it.Account, it.Open))
		}
		return invs, entries
	}
	bInvs, bEntries := norm(batched, bcs)
	sInvs, sEntries := norm(single, scs)
	assert.Equal(t, sInvs, bInvs, "the invoices, numbered as one by one")
	assert.Equal(t, sEntries, bEntries, "the entries, what is open and the events, as one by one")
	require.Len(t, got, len(want))
	for i := range got {
		assert.Equal(t, want[i].Number, got[i].Number, "invoice %d", i)
		assert.Equal(t, want[i].Total, got[i].Total, "invoice %d", i)
	}
	batched.verify(t, bcs...)

	before := batched.state(t, bcs[0])
	again, err := batched.Ledger.IssueInvoices(ctx, batched.fin.ID, batch)
	require.NoError(t, err)
	assert.Equal(t, got[0], again[0], "a retried batch returns what the first returned")
	assert.Equal(t, got[len(got)-1], again[len(again)-1])
	for i := range got {
		if batch[i].IdempotencyKey != "" {
			assert.Equal(t, got[i], again[i], "invoice %d", i)
		}
	}
	assert.Equal(t, len(before.invoices)+3, len(batched.state(t, bcs[0]).invoices), "the three without a key are issued again")

	before = batched.state(t, bcs[0])
	taken := append(batch[:3:3], newInvoice(bcs[1], usdOf(t, "1.00"), "OWN-4"), newInvoice(bcs[1], usdOf(t, "1.00"), ""))
	for i := range taken {
		taken[i].IdempotencyKey = fmt.Sprint("fresh-", i)
	}
	_, err = batched.Ledger.IssueInvoices(ctx, batched.fin.ID, taken)
	var be *crm.BatchError
	require.ErrorAs(t, err, &be)
	assert.Equal(t, 3, be.Index, "the number another invoice has")
	batched.refusedAs(t, err, crm.ErrConflict, bcs[0], before)
}
