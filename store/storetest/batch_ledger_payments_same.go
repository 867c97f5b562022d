package storetest

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runPaymentsAsOneByOne checks that ReceivePayments writes exactly what
// receiving the same payments one by one writes, on two stores side by
// side with the same fixture: customers with invoices in two currencies,
// some issued after the day a payment was received (a prepayment settles
// them on their issue day), one partly paid, one reversed, one paid and
// reopened by the reversal of its allocation. The batch holds payments
// applied oldest first and kept as credit, several of one customer (each
// sees what the one before allocated), payments in a currency the customer
// has no open invoice in, with and without keys, a key repeated. The
// receipts, what is open, the invoices' statuses, the ladder's evidence
// and states and the events are the same. A retried batch returns the
// first receipts, marked Duplicate; a batch with an item refused names it
// and writes nothing.
func runPaymentsAsOneByOne(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	batched, single := newPaymentBooks(t, newStore(t)), newPaymentBooks(t, newStore(t))
	batch := batched.payments(t)
	got, err := batched.Ledger.ReceivePayments(ctx, batched.fin.ID, batch)
	require.NoError(t, err)
	var want []crm.PaymentReceipt
	for _, n := range single.payments(t) {
		r, err := single.Ledger.ReceivePayment(ctx, single.fin.ID, n)
		require.NoError(t, err)
		want = append(want, r)
	}
	require.Len(t, got, len(batch))
	assert.True(t, got[6].Duplicate, "a key repeated within the batch records once")
	assert.Equal(t, got[0].Payment, got[6].Payment)

	bNames, sNames := batched.names(t), single.names(t)
	// What a few receipts took off which invoice, on which day: the
	// second of Initech's sees what the first left open, and pays an
	// invoice issued after it was received on its issue day, as Hooli's
	// prepayment pays both of Hooli's.
	settled := func(r crm.PaymentReceipt) []string {
		var out []string
		for _, line := range postingSums(r.Allocations, bNames) {
			if strings.Contains(line, " "+string(crm.AccountReceivable)+" ") {
				out = append(out, line)
			}
		}
		return out
	}
	d := func(n int) string { return batched.day(n).String() }
	assert.Equal(t, []string{"allocation " + d(-20) + " receivable customer 0 I-OLD -100.00 USD",
		"allocation " + d(-20) + " receivable customer 0 I-PART -20.00 USD"}, settled(got[0]))
	assert.Equal(t, []string{"allocation " + d(-10) + " receivable customer 0 I-PART -30.00 USD",
		"allocation " + d(-5) + " receivable customer 0 I-NEW -30.00 USD"}, settled(got[1]))
	assert.Equal(t, []string{"allocation " + d(-15) + " receivable customer 0 I-EUR -200.00 EUR"}, settled(got[3]))
	assert.Empty(t, settled(got[4]), "no EUR invoice of Hooli's is open")
	assert.Equal(t, []string{"allocation " + d(0) + " receivable customer 1 U-1 -40.00 USD", "allocation " + d(0) + " receivable customer 1 U-2 -60.00 USD",
		"allocation " + d(0) + " receivable customer 1 U-OPEN -30.00 USD"}, settled(got[5]), "the invoice reopened is paid again")
	assert.Equal(t, []string{"allocation " + d(0) + " receivable customer 0 I-NEW -20.00 USD"}, settled(got[8]))
	assert.Equal(t, []string{"allocation " + d(-10) + " receivable customer 2 H-1 -45.00 USD",
		"allocation " + d(-2) + " receivable customer 2 H-2 -15.00 USD"}, settled(got[9]))
	assert.Equal(t, single.receipts(want, sNames), batched.receipts(got, bNames), "the receipts, as one by one")
	bView, sView := batched.written(t, bNames), single.written(t, sNames)
	for _, part := range []string{"open", "invoices", "entries", "evidence", "ladder", "events"} {
		assert.Equal(t, sView[part], bView[part], "%s, as one by one", part)
	}
	batched.verify(t, batched.cs...)

	before := batched.state(t, batched.cs[0])
	again, err := batched.Ledger.ReceivePayments(ctx, batched.fin.ID, batch)
	require.NoError(t, err)
	require.Len(t, again, len(got))
	var keyed int
	for i := range got {
		if batch[i].IdempotencyKey == "" {
			assert.False(t, again[i].Duplicate, "payment %d has no key: received again", i)
			continue
		}
		keyed++
		assert.True(t, again[i].Duplicate, "payment %d", i)
		first := got[i]
		first.Duplicate = true
		assert.Equal(t, first, again[i], "a retried batch returns the receipt the first returned: payment %d", i)
	}
	after := batched.state(t, batched.cs[0])
	assert.Equal(t, len(before.credits)+len(batch)-keyed, len(after.credits), "only the payments without a key are received again")
	for _, e := range after.entries[len(before.entries):] {
		assert.Empty(t, e.IdempotencyKey, "the keyed payments post nothing again")
	}

	for _, tc := range []struct {
		name   string
		bad    crm.NewPayment
		target error
	}{
		{"UnknownCustomer", crm.NewPayment{Customer: crm.ID{9}, Amount: usdOf(t, "5.00"), Allocation: crm.AllocateOldestFirst}, crm.ErrNotFound},
		{"NegativeAmount", crm.NewPayment{Customer: batched.cs[1], Amount: usdOf(t, "-5.00")}, crm.ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := batched.state(t, batched.cs[0])
			was := batched.written(t, batched.names(t))
			bad := []crm.NewPayment{ // the first would settle Hooli's last invoice, a fact on the ladder
				{Customer: batched.cs[2], Amount: usdOf(t, "500.00"), Allocation: crm.AllocateOldestFirst, IdempotencyKey: "fresh-0"},
				{Customer: batched.cs[1], Amount: usdOf(t, "7.00"), Reference: "fresh 1"},
				tc.bad,
				{Customer: batched.cs[0], Amount: usdOf(t, "9.00"), Allocation: crm.AllocateOldestFirst},
			}
			_, err := batched.Ledger.ReceivePayments(ctx, batched.fin.ID, bad)
			var be *crm.BatchError
			require.ErrorAs(t, err, &be)
			assert.Equal(t, crm.BatchError{Batch: "payments", Index: 2}, crm.BatchError{Batch: be.Batch, Index: be.Index})
			batched.refusedAs(t, err, tc.target, batched.cs[0], before)
			assert.Equal(t, before.head, head(t, batched.Store), "the event log is as it was")
			assert.Equal(t, was, batched.written(t, batched.names(t)), "what is open, the ladder and the events are as they were")
		})
	}
}

// paymentBooks are books with the fixture of runPaymentsAsOneByOne: its
// customers, its invoices by number, and the log's head after it.
type paymentBooks struct {
	*books
	cs       []crm.ID
	invoices map[string]crm.Invoice
	seq      int64
}

// newPaymentBooks writes the fixture: four customers (the last without
// invoices); Initech's invoices in USD, one partly paid, one issued after
// the batch's payments were received, one reversed, and one in EUR;
// Umbrella's, one paid early and reopened by the reversal of the
// allocation; Hooli's two, issued after its payment was received. Today is
// the clock's day; the dates are days before it.
func newPaymentBooks(t *testing.T, s crm.Store) *paymentBooks {
	t.Helper()
	ctx := context.Background()
	// Rungs close together, for the payments to move customers.
	rules := crm.DefaultLadderRules()
	rules.IndifferentAt, rules.SatisfiedAt, rules.Hysteresis = -5, 5, 1
	b := &paymentBooks{books: newBooks(t, s, crm.WithLadderRules(rules)), invoices: map[string]crm.Invoice{}}
	for _, name := range []string{"Initech", "Umbrella", "Hooli", "Pied Piper"} {
		b.cs = append(b.cs, b.customer(t, name))
	}
	for _, inv := range []struct {
		customer     int
		number, cost string
		issued, due  int
	}{
		{0, "I-OLD", "100.00 USD", -60, -30},
		{0, "I-PART", "80.00 USD", -40, -10},
		{0, "I-REV", "70.00 USD", -30, 0},
		{0, "I-NEW", "50.00 USD", -5, 25},
		{0, "I-EUR", "200.00 EUR", -50, -20},
		{1, "U-OPEN", "30.00 USD", -45, -15},
		{1, "U-1", "40.00 USD", -20, 10},
		{1, "U-2", "60.00 USD", -3, 27},
		{2, "H-1", "45.00 USD", -10, 20},
		{2, "H-2", "30.00 USD", -2, 28},
	} {
		amount, cur, _ := strings.Cut(inv.cost, " ")
		m, err := crm.ParseMoney(amount, cur)
		require.NoError(t, err)
		n := newInvoice(b.cs[inv.customer], m, inv.number)
		n.Issued, n.Due = b.day(inv.issued), b.day(inv.due)
		b.invoices[inv.number], err = b.Ledger.IssueInvoice(ctx, b.fin.ID, n)
		require.NoError(t, err)
	}
	advance, err := b.Ledger.ReceivePayment(ctx, b.fin.ID, crm.NewPayment{Customer: b.cs[0], Amount: usdOf(t, "30.00"),
		Received: b.day(-45), Reference: "advance"})
	require.NoError(t, err)
	_, err = b.Ledger.Allocate(ctx, b.fin.ID, crm.AllocationRequest{Customer: b.cs[0], Credit: advance.Payment.ID,
		Invoice: b.invoices["I-PART"].ID, Amount: usdOf(t, "30.00"), Effective: b.day(-35)})
	require.NoError(t, err)
	_, err = b.Ledger.Reverse(ctx, b.fin.ID, crm.ReverseRequest{Entry: b.invoices["I-REV"].Entry, Reason: "issued in error"})
	require.NoError(t, err)
	early, err := b.Ledger.ReceivePayment(ctx, b.fin.ID, crm.NewPayment{Customer: b.cs[1], Amount: usdOf(t, "30.00"),
		Received: b.day(-40), Reference: "early", Allocation: crm.AllocateOldestFirst})
	require.NoError(t, err)
	require.Len(t, early.Allocations, 1)
	_, err = b.Ledger.Reverse(ctx, b.fin.ID, crm.ReverseRequest{Entry: early.Allocations[0].ID, Reason: "bounced"})
	require.NoError(t, err)
	b.seq = head(t, s).Seq
	return b
}

// day is n days from today.
func (b *paymentBooks) day(n int) crm.Date { return crm.DateOf(b.Clock.Now()).AddDays(n) }

// payments is the batch: Initech's payments oldest first (the second
// after the first took what it did; one in EUR, which leaves credit; one
// today), one kept as credit, one with no strategy, Hooli's EUR payment
// with no EUR invoice open, Umbrella's reopened invoice paid again, and the
// first payment again, with its key.
func (b *paymentBooks) payments(t *testing.T) []crm.NewPayment {
	c, h, u, p := b.cs[0], b.cs[2], b.cs[1], b.cs[3]
	eurOf := func(amount string) crm.Money {
		m, err := crm.ParseMoney(amount, "EUR")
		require.NoError(t, err)
		return m
	}
	first := crm.NewPayment{Customer: c, Amount: usdOf(t, "120.00"), Received: b.day(-20), Reference: "wire 0",
		Allocation: crm.AllocateOldestFirst, IdempotencyKey: "pay-0"}
	return []crm.NewPayment{
		first,
		{Customer: c, Amount: usdOf(t, "60.00"), Received: b.day(-10), Reference: "wire 1", Allocation: crm.AllocateOldestFirst},
		{Customer: u, Amount: usdOf(t, "10.00"), Reference: "card 2", Allocation: crm.KeepAsCredit, IdempotencyKey: "pay-2"},
		{Customer: c, Amount: eurOf("250.00"), Received: b.day(-15), Reference: "sepa 3", Allocation: crm.AllocateOldestFirst, IdempotencyKey: "pay-3"},
		{Customer: h, Amount: eurOf("40.00"), Reference: "sepa 4", Allocation: crm.AllocateOldestFirst, IdempotencyKey: "pay-4"},
		{Customer: u, Amount: usdOf(t, "200.00"), Reference: "wire 5", Allocation: crm.AllocateOldestFirst, IdempotencyKey: "pay-5"},
		first,
		{Customer: p, Amount: usdOf(t, "15.00"), Reference: "cash 7"},
		{Customer: c, Amount: usdOf(t, "25.00"), Reference: "wire 8", Allocation: crm.AllocateOldestFirst, IdempotencyKey: "pay-8"},
		{Customer: h, Amount: usdOf(t, "60.00"), Received: b.day(-30), Reference: "wire 9", Allocation: crm.AllocateOldestFirst},
		{Customer: h, Amount: usdOf(t, "5.00"), Reference: "card 10", Allocation: crm.KeepAsCredit, IdempotencyKey: "pay-10"},
		{Customer: u, Amount: usdOf(t, "12.00"), Received: b.day(-1), Reference: "wire 11", Allocation: crm.AllocateOldestFirst},
	}
}

// names names the records the two stores have in common, whose IDs may
// differ: customers by their place, invoices by number, credits by
// reference, evidence by its kind and record.
func (b *paymentBooks) names(t *testing.T) map[crm.ID]string {
	t.Helper()
	name := map[crm.ID]string{}
	for i, c := range b.cs {
		name[c] = fmt.Sprint("customer ", i)
	}
	for number, inv := range b.invoices {
		name[inv.ID] = number
	}
	for _, cr := range allPages(t, b.Store, crm.MaxPageSize, creditID, listCredits(crm.ID{})) {
		name[cr.ID] = "credit " + cr.Reference
	}
	for _, c := range b.cs {
		for _, ev := range factEvidence(t, b.Store, c) {
			name[ev.ID] = fmt.Sprintf("evidence %s of %s", ev.Kind, name[ev.SourceID])
		}
	}
	return name
}

// renamer replaces the IDs named in text by their names.
func renamer(name map[crm.ID]string) *strings.Replacer {
	var pairs []string
	for id, n := range name {
		pairs = append(pairs, id.String(), n)
	}
	return strings.NewReplacer(pairs...)
}

// postingSums are the postings of entries added up by effective day,
// account, customer and item: what they moved, however many entries moved
// it.
func postingSums(es []crm.Entry, name map[crm.ID]string) []string {
	sums := map[string]crm.Money{}
	for _, e := range es {
		for _, p := range e.Postings {
			k := fmt.Sprintf("%s %s %s %s %s", e.Kind, e.Effective, p.Account, name[p.Customer], name[p.Item])
			if s, ok := sums[k]; ok {
				p.Amount, _ = s.Add(p.Amount)
			}
			sums[k] = p.Amount
		}
	}
	out := make([]string, 0, len(sums))
	for k, s := range sums {
		out = append(out, k+" "+s.String())
	}
	sort.Strings(out)
	return out
}

// receipts are the receipts with their IDs named: the payment, its entry,
// and what the allocations moved.
func (b *paymentBooks) receipts(rs []crm.PaymentReceipt, name map[crm.ID]string) []string {
	rn := renamer(name)
	var out []string
	for _, r := range rs {
		p, e := r.Payment, r.Entry
		line := fmt.Sprintf("payment %s of %s %s %s received %s %q created %s version %d duplicate %v; entry %s %s %s %q key %q hash %x %v",
			name[p.ID], name[p.Customer], p.Kind, p.Amount, p.Received, p.Reference, p.CreatedAt, p.Version, r.Duplicate,
			e.Kind, name[e.Document], e.Effective, rn.Replace(e.Description), e.IdempotencyKey, e.RequestHash, postingSums([]crm.Entry{e}, name))
		out = append(out, line, fmt.Sprint("  allocations: ", postingSums(r.Allocations, name)))
	}
	return out
}

// view is what is open, of every customer, named.
func (b *paymentBooks) view(t *testing.T, name map[crm.ID]string) []string {
	t.Helper()
	var out []string
	for _, c := range b.cs {
		items, err := b.Receivables.OpenItems(context.Background(), b.fin.ID, crm.ReceivableQuery{Customer: c})
		require.NoError(t, err)
		for _, it := range items {
			out = append(out, fmt.Sprintf("%s %s %s due %s open %s", name[it.Customer], it.Account, name[it.Item], it.Due, it.Open))
		}
	}
	return out
}

// written is what the store holds after the fixture, named, by part:
// what is open, the invoices' states, what the entries moved, the
// ladder's evidence and states, and the events since the fixture.
func (b *paymentBooks) written(t *testing.T, name map[crm.ID]string) map[string][]string {
	t.Helper()
	ctx := context.Background()
	rn := renamer(name)
	out := map[string][]string{"open": b.view(t, name)}
	states, err := b.Receivables.Invoices(ctx, b.fin.ID, crm.ReceivableQuery{})
	require.NoError(t, err)
	for _, s := range states {
		out["invoices"] = append(out["invoices"], fmt.Sprintf("%s %s open %s paid %s credited %s written off %s cancelled %s",
			s.Number, s.Status, s.Open, s.Paid, s.Credited, s.WrittenOff, s.Cancelled))
	}
	out["entries"] = postingSums(b.entries(t, crm.ID{}), name)
	// What the store had open on the days the payments were received
	// and the invoices issued, as it has it now.
	for _, day := range []int{-31, -20, -12, -5, -2, 0} {
		items := read(t, b.Store, func(tx crm.ReadTx) ([]crm.OpenItem, error) { return tx.Ledger().OpenItems(ctx, crm.ID{}, b.day(day)) })
		for _, it := range items {
			out["open"] = append(out["open"], fmt.Sprintf("as of %s: %s %s %s due %s open %s", b.day(day), name[it.Customer], it.Account,
				name[it.Item], it.Due, it.Open))
		}
	}
	for _, c := range b.cs {
		for _, ev := range factEvidence(t, b.Store, c) {
			out["evidence"] = append(out["evidence"], fmt.Sprintf("%s %s from %s %s at %s late %s %q",
				name[ev.Customer], ev.Kind, ev.Source, name[ev.SourceID], ev.At, ev.Resolution, rn.Replace(ev.Note)))
		}
		for _, moves := range []func(tx crm.ReadTx) ([]crm.LadderMove, error){
			func(tx crm.ReadTx) ([]crm.LadderMove, error) { return tx.Ladder().Moves(ctx, c) },
			func(tx crm.ReadTx) ([]crm.LadderMove, error) { return tx.Ladder().ReplacedMoves(ctx, c) },
		} {
			for _, m := range read(t, b.Store, moves) {
				out["ladder"] = append(out["ladder"], fmt.Sprintf("%s move at %s %s to %s %s %d to %d for %s %q", name[m.Customer], m.At, m.From, m.To,
					m.Event, m.ScoreBefore, m.ScoreAfter, name[m.Evidence.ID], rn.Replace(m.Reason)))
			}
			out["ladder"] = append(out["ladder"], "--")
		}
		st, err := tryRead(b.Store, func(tx crm.ReadTx) (crm.LadderState, error) { return tx.Ladder().State(ctx, c) })
		if err == nil {
			last := name[st.LastEvidence]
			st.Customer, st.LastEvidence = crm.ID{}, crm.ID{}
			out["ladder"] = append(out["ladder"], fmt.Sprintf("%s %+v last %s", name[c], st, last))
		} else {
			require.ErrorIs(t, err, crm.ErrNotFound)
		}
	}
	for seq := b.seq; ; {
		evs := readEvents(t, b.Store, seq, crm.MaxPageSize)
		for _, ev := range evs {
			out["events"] = append(out["events"], fmt.Sprintf("%s %s %s version %d", ev.Type, ev.Kind, name[ev.Subject], ev.Version))
			seq = ev.Seq
		}
		if len(evs) < crm.MaxPageSize {
			break
		}
	}
	return out
}
