package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runLedgerCorrections checks corrections in one command through the
// CRM: reversing a payment or a credit note reverses its live
// allocations first, reversing an invoice reverses the allocations to it
// and its write-offs and frees the contract installment it billed, all
// or nothing; entries and allocations are listed with the policy's say;
// and a retry with an idempotency key returns exactly what the first
// call returned.
func runLedgerCorrections(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	m := func(minor int64) crm.Money { return crm.MoneyFromMinor(minor, eur) }

	t.Run("PaymentReversalReversesItsAllocations", func(t *testing.T) {
		b := newBooks(t, newStore(t))
		c := b.customer(t, "Bounced")
		first, second := b.issue(t, c, 10_000, "1"), b.issue(t, c, 5_000, "2")
		pay, err := b.Ledger.ReceivePayment(ctx, b.fin.ID, crm.NewPayment{Customer: c, Amount: m(15_000), Allocation: crm.AllocateOldestFirst})
		require.NoError(t, err)
		require.Len(t, pay.Allocations, 1, "one entry settles both invoices")
		paid := pay.Allocations[0]
		assert.Equal(t, []crm.ID{first.ID, second.ID}, paid.Invoices())
		undo, err := b.Ledger.Unallocate(ctx, b.fin.ID, crm.UnallocateRequest{Allocation: paid.ID, Invoice: second.ID, Reason: "not for invoice 2"})
		require.NoError(t, err)
		assert.Equal(t, crm.EntryUnallocation, undo.Kind)
		assert.Equal(t, paid.ID, undo.Document, "an unallocation names the allocation it takes a share of")
		assert.Zero(t, b.open(t, c, first.ID), "the allocation's other invoice stays settled")
		assert.Equal(t, int64(5_000), b.open(t, c, second.ID))
		assert.Equal(t, int64(5_000), b.unapplied(t, c), "the share is the customer's credit again")
		_, err = b.Ledger.Unallocate(ctx, b.fin.ID, crm.UnallocateRequest{Allocation: paid.ID, Invoice: second.ID, Reason: "again"})
		assert.ErrorIs(t, err, crm.ErrConflict, "a share is given back once")

		res, err := b.Ledger.Reverse(ctx, b.fin.ID, crm.ReverseRequest{Entry: pay.Entry.ID, Reason: "cheque bounced"})
		require.NoError(t, err, "a payment still applied is reversed in one command")
		require.Len(t, res.Settlements, 2, "the allocation, and what was given back of it, in the order posted")
		assert.Equal(t, paid.ID, res.Settlements[0].Reverses)
		assert.Equal(t, undo.ID, res.Settlements[1].Reverses)
		assert.Equal(t, pay.Entry.ID, res.Reversal.Reverses)
		assert.Equal(t, crm.EntryPayment, res.Reversal.ReversedKind)
		assert.False(t, res.Duplicate)
		assert.Equal(t, int64(10_000), b.open(t, c, first.ID), "the invoices it paid are open again")
		assert.Equal(t, int64(5_000), b.open(t, c, second.ID))
		assert.Zero(t, b.unapplied(t, c), "nothing left of the payment")
		b.postedWithEvents(t, append(res.Settlements, res.Reversal)...)
		b.verify(t, c)
	})

	t.Run("PaymentReversalIsAllOrNothing", func(t *testing.T) {
		b := newBooks(t, newStore(t))
		c := b.customer(t, "Refunded")
		inv := b.issue(t, c, 10_000, "1")
		pay, err := b.Ledger.ReceivePayment(ctx, b.fin.ID, crm.NewPayment{Customer: c, Amount: m(15_000), Allocation: crm.AllocateOldestFirst})
		require.NoError(t, err)
		_, err = b.Ledger.Refund(ctx, b.fin.ID, crm.RefundRequest{Customer: c, Credit: pay.Payment.ID, Amount: m(2_000)})
		require.NoError(t, err)
		before := b.entries(t, c)

		_, err = b.Ledger.Reverse(ctx, b.fin.ID, crm.ReverseRequest{Entry: pay.Entry.ID, Reason: "cheque bounced"})
		require.ErrorIs(t, err, crm.ErrOverAllocation, "the refund did leave: the payment's reversal would overdraw its credit")
		assertSameList(t, before, b.entries(t, c), entryID, "the allocation's reversal is rolled back with it")
		_, err = tryRead(b.Store, reversalOf(pay.Allocations[0].ID))
		require.ErrorIs(t, err, crm.ErrNotFound, "the allocation is live")
		assert.Zero(t, b.open(t, c, inv.ID))
		b.verify(t, c)
	})

	t.Run("CreditNoteReversalReversesItsAllocations", func(t *testing.T) {
		b := newBooks(t, newStore(t))
		c := b.customer(t, "Credited")
		paid := b.issue(t, c, 10_000, "1")
		_, err := b.Ledger.ReceivePayment(ctx, b.fin.ID, crm.NewPayment{Customer: c, Amount: m(10_000), Allocation: crm.AllocateOldestFirst})
		require.NoError(t, err)
		// Damaged goods on a paid invoice: the credit is kept to pay back,
		// and applied to the next invoice instead.
		note, err := b.Ledger.IssueCreditNote(ctx, b.fin.ID, crm.NewCreditNote{Customer: c, Invoice: paid.ID, Net: m(3_000), Reason: "damaged", Refund: true})
		require.NoError(t, err)
		inv := b.issue(t, c, 10_000, "2")
		alloc, err := b.Ledger.Allocate(ctx, b.fin.ID, crm.AllocationRequest{Customer: c, Credit: note.ID, Invoice: inv.ID})
		require.NoError(t, err)
		res, err := b.Ledger.Reverse(ctx, b.fin.ID, crm.ReverseRequest{Entry: note.Entry, Reason: "issued in error"})
		require.NoError(t, err)
		require.Len(t, res.Settlements, 1)
		assert.Equal(t, alloc.ID, res.Settlements[0].Reverses)
		assert.Equal(t, int64(10_000), b.open(t, c, inv.ID))
		assert.Zero(t, b.unapplied(t, c))
		b.verify(t, c)
	})

	t.Run("InvoiceReversalReturnsTheCreditAndFreesTheInstallment", func(t *testing.T) {
		b := newBooks(t, newStore(t))
		c := b.customer(t, "Installments")
		ct := b.activeContract(t, c, m(90_000))
		inv, err := b.Contracts.InvoiceInstallment(ctx, b.fin.ID, crm.InvoiceInstallmentRequest{Contract: ct.ID, Installment: 1})
		require.NoError(t, err)
		pay, err := b.Ledger.ReceivePayment(ctx, b.fin.ID, crm.NewPayment{Customer: c, Amount: m(20_000), Allocation: crm.AllocateOldestFirst})
		require.NoError(t, err)
		require.Len(t, pay.Allocations, 1)
		wo, err := b.Ledger.WriteOff(ctx, b.fin.ID, crm.WriteOffRequest{Customer: c, Invoice: inv.ID, Amount: new(m(5_000)), Reason: "disputed"})
		require.NoError(t, err)
		collections := b.collections(t)
		assert.Equal(t, [2]int64{5_000, 60_000}, collections, "invoiced and open, and planned")

		res, err := b.Ledger.Reverse(ctx, b.fin.ID, crm.ReverseRequest{Entry: inv.Entry, Reason: "wrong tax"})
		require.NoError(t, err, "an invoice with payments applied is cancelled in one step")
		require.Len(t, res.Settlements, 2)
		assert.Equal(t, []crm.ID{pay.Allocations[0].ID, wo.ID}, []crm.ID{res.Settlements[0].Reverses, res.Settlements[1].Reverses},
			"the allocation and the write-off, in the order posted")
		assert.Zero(t, b.open(t, c, inv.ID))
		assert.Equal(t, int64(20_000), b.unapplied(t, c), "the payment is the customer's unapplied credit again")
		b.postedWithEvents(t, append(res.Settlements, res.Reversal)...)

		freed, err := b.Contracts.Get(ctx, b.fin.ID, ct.ID)
		require.NoError(t, err)
		assert.True(t, freed.Plan.Installments[0].Invoice.IsZero(), "the installment is no longer invoiced")
		events := read(t, b.Store, func(tx crm.ReadTx) ([]crm.Event, error) { return tx.Events().Subject(ctx, crm.KindContract, ct.ID) })
		last := events[len(events)-1]
		assert.Equal(t, freed.Version, last.Version)
		assert.Contains(t, string(last.Data), "installment 1 freed: invoice "+inv.ID.String()+" reversed: wrong tax")
		assert.Equal(t, [2]int64{0, 90_000}, b.collections(t), "it is expected again as planned")

		again, err := b.Contracts.InvoiceInstallment(ctx, b.fin.ID, crm.InvoiceInstallmentRequest{Contract: ct.ID, Installment: 1})
		require.NoError(t, err, "a freed installment is invoiced again")
		assert.NotEqual(t, inv.ID, again.ID)
		_, err = b.Ledger.Reverse(ctx, b.fin.ID, crm.ReverseRequest{Entry: inv.Entry, Reason: "again"})
		require.ErrorIs(t, err, crm.ErrReversed)
		invoiced, err := b.Contracts.Get(ctx, b.fin.ID, ct.ID)
		require.NoError(t, err)
		assert.Equal(t, again.ID, invoiced.Plan.Installments[0].Invoice)
		b.verify(t, c)
	})

	t.Run("InvoiceReversalRefusedChangesNothing", func(t *testing.T) {
		b := newBooks(t, newStore(t))
		c := b.customer(t, "Half-cancelled")
		ct := b.activeContract(t, c, m(90_000))
		inv, err := b.Contracts.InvoiceInstallment(ctx, b.fin.ID, crm.InvoiceInstallmentRequest{Contract: ct.ID, Installment: 1})
		require.NoError(t, err)
		_, err = b.Ledger.ReceivePayment(ctx, b.fin.ID, crm.NewPayment{Customer: c, Amount: m(10_000), Allocation: crm.AllocateOldestFirst})
		require.NoError(t, err)
		before := b.entries(t, c)
		_, err = b.Ledger.Reverse(ctx, b.fin.ID, crm.ReverseRequest{Entry: inv.Entry, Reason: "\x00"})
		require.ErrorIs(t, err, crm.ErrInvalid)
		assertSameList(t, before, b.entries(t, c), entryID, "nothing posted")
		kept, err := b.Contracts.Get(ctx, b.fin.ID, ct.ID)
		require.NoError(t, err)
		assert.Equal(t, inv.ID, kept.Plan.Installments[0].Invoice, "the installment stays invoiced")
		assert.Equal(t, ct.Version+1, kept.Version)
		b.verify(t, c)
	})

	t.Run("Listing", func(t *testing.T) { runEntryListing(t, newStore) })
	t.Run("RetriesReturnTheFirstResult", func(t *testing.T) { runRetries(t, newStore) })
}

// issue issues an invoice of one line at minor euro cents.
func (b *books) issue(t *testing.T, customer crm.ID, minor int64, number string) crm.Invoice {
	t.Helper()
	inv, err := b.Ledger.IssueInvoice(context.Background(), b.fin.ID, newInvoice(customer, crm.MoneyFromMinor(minor, eur), number))
	require.NoError(t, err)
	return inv
}

// activeContract drafts, approves and signs a contract of Ann's for
// customer, paid in three monthly installments from April.
func (b *books) activeContract(t *testing.T, customer crm.ID, amount crm.Money) crm.Contract {
	t.Helper()
	ctx := context.Background()
	ct, err := b.Contracts.Draft(ctx, b.Ann.ID, crm.NewContract{Customer: customer, Title: "Support", Amount: amount,
		Start: day(2026, 4, 1), Template: crm.PlanMonthly, Plan: crm.PlanOptions{Months: 3}})
	require.NoError(t, err)
	_, err = b.Contracts.Submit(ctx, b.Ann.ID, crm.SubmitContractRequest{Contract: ct.ID})
	require.NoError(t, err)
	_, err = b.Contracts.Approve(ctx, b.Manager.ID, crm.ApproveContractRequest{Contract: ct.ID})
	require.NoError(t, err)
	ct, err = b.Contracts.Sign(ctx, b.Ann.ID, crm.SignContractRequest{Contract: ct.ID})
	require.NoError(t, err)
	require.Equal(t, crm.ContractActive, ct.Status)
	return ct
}

// collections adds up the expected collections in euros over the next
// six months: what is invoiced and open, and what is planned.
func (b *books) collections(t *testing.T) [2]int64 {
	t.Helper()
	lines, err := b.Receivables.ExpectedCollections(context.Background(), b.fin.ID, crm.CollectionsQuery{Months: 6})
	require.NoError(t, err)
	var out [2]int64
	for _, l := range lines {
		if l.Currency == eur {
			out[0] += minor(l.Invoiced)
			out[1] += minor(l.Planned)
		}
	}
	return out
}

// postedWithEvents requires each entry to be stored as returned, with
// its one LedgerPosted event.
func (b *books) postedWithEvents(t *testing.T, es ...crm.Entry) {
	t.Helper()
	for _, e := range es {
		assertSame(t, e, read(t, b.Store, func(tx crm.ReadTx) (crm.Entry, error) { return tx.Ledger().Entry(context.Background(), e.ID) }))
		events := read(t, b.Store, func(tx crm.ReadTx) ([]crm.Event, error) {
			return tx.Events().Subject(context.Background(), crm.KindEntry, e.ID)
		})
		require.Len(t, events, 1, "an event for entry %s", e.ID)
		assert.Equal(t, crm.LedgerPosted, events[0].Type)
	}
}

// runEntryListing checks Ledger.Entries and Ledger.Allocations: every
// filter, pages, and the policy's say.
func runEntryListing(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	m := func(minor int64) crm.Money { return crm.MoneyFromMinor(minor, eur) }
	b := newBooks(t, newStore(t))
	c := b.customer(t, "Listed")
	first, second := b.issue(t, c, 10_000, "1"), b.issue(t, c, 5_000, "2")
	pay, err := b.Ledger.ReceivePayment(ctx, b.fin.ID, crm.NewPayment{Customer: c, Amount: m(12_000), Allocation: crm.AllocateOldestFirst})
	require.NoError(t, err)
	require.Len(t, pay.Allocations, 1, "one entry settles both invoices")
	paid := pay.Allocations[0]
	undo, err := b.Ledger.Unallocate(ctx, b.fin.ID, crm.UnallocateRequest{Allocation: paid.ID, Invoice: second.ID, Reason: "not yet"})
	require.NoError(t, err)
	b.Clock.Advance(25 * time.Hour) // a day on
	manual, err := b.Ledger.Allocate(ctx, b.fin.ID, crm.AllocationRequest{Customer: c, Credit: pay.Payment.ID, Invoice: second.ID, Amount: m(1_000)})
	require.NoError(t, err)
	south, err := b.Customers.Create(ctx, b.Sue.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: "Southern"})
	require.NoError(t, err)
	other := b.issue(t, south.ID, 700, "S-1")
	all := b.entries(t, c)
	require.Len(t, all, 6)
	ids := func(es []crm.Entry) []crm.ID {
		out := []crm.ID{}
		for _, e := range es {
			out = append(out, e.ID)
		}
		return out
	}
	today := crm.DateOf(b.Clock.Now())

	for _, tc := range []struct {
		name  string
		actor crm.ID
		q     crm.EntryQuery
		want  []crm.ID
	}{
		{"a customer's", b.fin.ID, crm.EntryQuery{Customer: c}, ids(all)},
		{"every customer's", b.fin.ID, crm.EntryQuery{}, append(ids(all), other.Entry)},
		{"a manager's, across customers: their team's", b.Manager.ID, crm.EntryQuery{}, ids(all)},
		{"a document's", b.fin.ID, crm.EntryQuery{Document: pay.Payment.ID},
			[]crm.ID{pay.Entry.ID, paid.ID, manual.ID}},
		{"an allocation's unallocations", b.fin.ID, crm.EntryQuery{Customer: c, Document: paid.ID}, []crm.ID{undo.ID}},
		{"to or from an item", b.fin.ID, crm.EntryQuery{Item: second.ID},
			[]crm.ID{second.Entry, paid.ID, undo.ID, manual.ID}},
		{"of a kind", b.fin.ID, crm.EntryQuery{Customer: c, Kind: crm.EntryAllocation}, []crm.ID{paid.ID, manual.ID}},
		{"an item's, of a kind", b.fin.ID, crm.EntryQuery{Item: first.ID, Kind: crm.EntryInvoice}, []crm.ID{first.Entry}},
		{"from a day", b.fin.ID, crm.EntryQuery{Customer: c, From: today}, []crm.ID{manual.ID}},
		{"to a day", b.fin.ID, crm.EntryQuery{Customer: c, To: today.AddDays(-1)}, ids(all[:5])},
		{"the owner's", b.Ann.ID, crm.EntryQuery{Customer: c, Kind: crm.EntryUnallocation}, []crm.ID{undo.ID}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []crm.Entry
			q := tc.q
			q.Page.Limit = 2
			for pages := 0; ; pages++ {
				require.Less(t, pages, 10)
				p, err := b.Ledger.Entries(ctx, tc.actor, q)
				require.NoError(t, err)
				assert.LessOrEqual(t, len(p.Items), 2)
				got = append(got, p.Items...)
				if p.Next == "" {
					break
				}
				q.Page.Cursor = p.Next
			}
			assert.Equal(t, tc.want, ids(got))
		})
	}
	t.Run("entries come as stored", func(t *testing.T) {
		p, err := b.Ledger.Entries(ctx, b.fin.ID, crm.EntryQuery{Customer: c})
		require.NoError(t, err)
		assertSameList(t, all, p.Items, entryID)
	})

	t.Run("allocations", func(t *testing.T) {
		line := func(e crm.Entry, invoice crm.ID, amount int64, reversal crm.ID) crm.AllocationLine {
			return crm.AllocationLine{Entry: e.ID, Credit: pay.Payment.ID, Invoice: invoice, Amount: m(amount), Settled: m(amount),
				Effective: e.Effective, Reversed: !reversal.IsZero(), Reversal: reversal}
		}
		a0 := line(paid, first.ID, 10_000, crm.ID{})
		a1 := line(paid, second.ID, 2_000, undo.ID)
		a2 := line(manual, second.ID, 1_000, crm.ID{})
		for _, tc := range []struct {
			name     string
			document crm.ID
			want     []crm.AllocationLine
		}{
			{"from a payment", pay.Payment.ID, []crm.AllocationLine{a0, a1, a2}},
			{"to an invoice", second.ID, []crm.AllocationLine{a1, a2}},
			{"to an invoice paid once", first.ID, []crm.AllocationLine{a0}},
			{"none", other.ID, []crm.AllocationLine{}},
		} {
			got, err := b.Ledger.Allocations(ctx, b.fin.ID, tc.document)
			require.NoError(t, err, tc.name)
			assertSame(t, tc.want, got, tc.name)
		}
	})

	t.Run("refused", func(t *testing.T) {
		for _, tc := range []struct {
			name  string
			actor crm.ID
			q     crm.EntryQuery
			is    error
		}{
			{"a customer the actor may not read", b.Sue.ID, crm.EntryQuery{Customer: c}, crm.ErrNotFound},
			{"a document of a customer the actor may not read", b.Sue.ID, crm.EntryQuery{Document: first.ID}, crm.ErrNotFound},
			{"an item of a customer the actor may not read", b.Ben.ID, crm.EntryQuery{Item: pay.Payment.ID}, crm.ErrNotFound},
			{"every customer's, without the analyze grant", b.Sue.ID, crm.EntryQuery{}, crm.ErrForbidden},
			{"an unknown document", b.fin.ID, crm.EntryQuery{Document: crm.ID{0xff}}, crm.ErrNotFound},
			{"an unknown kind", b.fin.ID, crm.EntryQuery{Customer: c, Kind: "gift"}, crm.ErrInvalid},
			{"a period that ends before it starts", b.fin.ID, crm.EntryQuery{Customer: c, From: today, To: today.AddDays(-1)}, crm.ErrInvalid},
			{"a cursor from nowhere", b.fin.ID, crm.EntryQuery{Customer: c, Page: crm.PageQuery{Cursor: "nowhere"}}, crm.ErrInvalid},
		} {
			_, err := b.Ledger.Entries(ctx, tc.actor, tc.q)
			assert.ErrorIs(t, err, tc.is, tc.name)
		}
		_, err := b.Ledger.Allocations(ctx, b.Sue.ID, second.ID)
		assert.ErrorIs(t, err, crm.ErrNotFound, "allocations of a customer the actor may not read")
		_, err = b.Ledger.Allocations(ctx, b.fin.ID, crm.ID{0xff})
		assert.ErrorIs(t, err, crm.ErrNotFound, "allocations of no document")
	})
}

// runRetries checks that every idempotent command, retried with its key,
// returns exactly what the first call returned, changes nothing, and
// says it is a duplicate where its result can: the payment's
// allocations are those the first call made, not those made by hand
// since, in the same instant.
func runRetries(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	m := func(minor int64) crm.Money { return crm.MoneyFromMinor(minor, eur) }
	b := newBooks(t, newStore(t))
	c := b.customer(t, "Retried")
	inv := b.issue(t, c, 50_000, "1")
	credit, err := b.Ledger.ReceivePayment(ctx, b.fin.ID, crm.NewPayment{Customer: c, Amount: m(30_000)})
	require.NoError(t, err)
	ct := b.activeContract(t, c, m(90_000))
	bounced := b.issue(t, c, 3_000, "B-1")
	cheque, err := b.Ledger.ReceivePayment(ctx, b.fin.ID, crm.NewPayment{Customer: c, Amount: m(3_000)})
	require.NoError(t, err)
	_, err = b.Ledger.Allocate(ctx, b.fin.ID, crm.AllocationRequest{Customer: c, Credit: cheque.Payment.ID, Invoice: bounced.ID})
	require.NoError(t, err)
	for _, tc := range []struct {
		name    string
		do      func(key string) (any, error)
		between func(first any) // what happens between the first call and the retry
	}{
		{"IssueInvoice", func(key string) (any, error) {
			n := newInvoice(c, m(1_000), "R-1")
			n.IdempotencyKey = key
			inv, err := b.Ledger.IssueInvoice(ctx, b.fin.ID, n)
			return sameInvoices(inv)[0], err
		}, nil},
		{"ReceivePayment", func(key string) (any, error) {
			r, err := b.Ledger.ReceivePayment(ctx, b.fin.ID, crm.NewPayment{Customer: c, Amount: m(60_000), Allocation: crm.AllocateOldestFirst,
				Reference: "wire", IdempotencyKey: key})
			return r, err
		}, func(first any) {
			r := first.(crm.PaymentReceipt)
			require.NotEmpty(t, r.Allocations)
			later := b.issue(t, c, 2_000, "R-2")
			_, err := b.Ledger.Allocate(ctx, b.fin.ID, crm.AllocationRequest{Customer: c, Credit: r.Payment.ID, Invoice: later.ID})
			require.NoError(t, err, "an allocation by hand in the same instant")
			_, err = b.Ledger.Reverse(ctx, b.fin.ID, crm.ReverseRequest{Entry: r.Allocations[0].ID, Reason: "by hand"})
			require.NoError(t, err, "a reversal of the first allocation")
		}},
		{"IssueCreditNote", func(key string) (any, error) {
			return b.Ledger.IssueCreditNote(ctx, b.fin.ID, crm.NewCreditNote{Customer: c, Invoice: inv.ID, Net: m(500), Reason: "goodwill", IdempotencyKey: key})
		}, nil},
		{"Allocate", func(key string) (any, error) {
			return b.Ledger.Allocate(ctx, b.fin.ID, crm.AllocationRequest{Customer: c, Credit: credit.Payment.ID, Invoice: inv.ID, Amount: m(1_000), IdempotencyKey: key})
		}, nil},
		{"WriteOff", func(key string) (any, error) {
			return b.Ledger.WriteOff(ctx, b.fin.ID, crm.WriteOffRequest{Customer: c, Invoice: inv.ID, Amount: new(m(100)), Reason: "rounding", IdempotencyKey: key})
		}, nil},
		{"Refund", func(key string) (any, error) {
			return b.Ledger.Refund(ctx, b.fin.ID, crm.RefundRequest{Customer: c, Credit: credit.Payment.ID, Amount: m(100), IdempotencyKey: key})
		}, nil},
		{"Reverse", func(key string) (any, error) {
			return b.Ledger.Reverse(ctx, b.fin.ID, crm.ReverseRequest{Entry: cheque.Entry.ID, Reason: "bounced", IdempotencyKey: key})
		}, func(first any) {
			require.Len(t, first.(crm.ReverseResult).Settlements, 1, "the cheque's allocation")
		}},
		{"InvoiceInstallment", func(key string) (any, error) {
			inv, err := b.Contracts.InvoiceInstallment(ctx, b.fin.ID, crm.InvoiceInstallmentRequest{Contract: ct.ID, Installment: 2, IdempotencyKey: key})
			return sameInvoices(inv)[0], err
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key := "retry " + tc.name
			first, err := tc.do(key)
			require.NoError(t, err)
			if tc.between != nil {
				tc.between(first)
			}
			before := b.entries(t, c)
			again, err := tc.do(key)
			require.NoError(t, err)
			sameResult(t, first, again)
			assertSameList(t, before, b.entries(t, c), entryID, "the retry posts nothing")
			b.verify(t, c)
		})
	}
}

// sameResult requires a retry's result to be the first call's, and to
// say it is a duplicate where it can.
func sameResult(t *testing.T, first, again any) {
	t.Helper()
	const msg = "the retry returns what the first call returned"
	switch f := first.(type) {
	case crm.Invoice:
		assertSame(t, f, again.(crm.Invoice), msg)
	case crm.Credit:
		assertSame(t, f, again.(crm.Credit), msg)
	case crm.Entry:
		assertSame(t, f, again.(crm.Entry), msg)
	case crm.PaymentReceipt:
		r := again.(crm.PaymentReceipt)
		assert.True(t, r.Duplicate, "a retried receipt says so")
		r.Duplicate = false
		assertSame(t, f, r, msg)
	case crm.ReverseResult:
		r := again.(crm.ReverseResult)
		assert.True(t, r.Duplicate, "a retried reversal says so")
		r.Duplicate = false
		assertSame(t, f, r, msg)
	default:
		t.Fatalf("no comparison for %T", first)
	}
}
