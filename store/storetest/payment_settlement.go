package storetest

import (
	"context"
	_ "embed" // the golden record of a payment's settlement
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// paymentSettlementGolden is what paymentSettlement writes, as the CRM
// wrote it when a payment weighed and posted the invoices it settles one
// by one (commit fc7af39): every entry, event, piece of evidence, move
// and ladder state, IDs and hashes included (the suite's clock and random
// source are fixed). Since 9a902b8 an entry of a command without an
// idempotency key keeps no request digest: the record differs from
// fc7af39's by those 71 digests (44, then the 27 allocations of unkeyed
// payments), and by its two moves, which since
// migration 0037 reference their evidence (EvidenceRef) rather than copy
// it: the same evidence, by its ID. Since a payment applied oldest first
// posts one allocation entry per day it settles invoices on (with a
// posting to each), the record has 49 entries where it had 84 and 35
// fewer ledger.posted events: the same postings to every invoice on the
// same days, the same totals taken off each payment on each day, the same
// evidence (kind, time and note); IDs made after the first such payment
// (and so hashes) differ, as fewer were drawn.
// Since a batch weighs each payment's
// facts when that payment is done, as the single command does, the batch
// of Ann's and Ben's payments writes byte for byte what the two received
// one by one write: Ann's evidence before Ben's entries, which moved IDs.
// Since migration 0042 every piece of evidence keeps its arrival number
// (Evidence.Arrival, always written): those weighed at the instant of
// their write their number in the customer's evidence, those dated from
// later 0; and every ladder state keeps where its last evidence stands
// (last_at and last_arrival; last_arrival 0 for the empty state of the
// restricted customer, whose payments are not weighed).
//
//go:embed testdata/payment_settlement.golden
var paymentSettlementGolden string

// runPaymentSettlement runs payments applied oldest first that settle many
// invoices at once, on time and late, one invoice judged already, one
// payment received on an earlier day (its facts arrive late and are
// replayed), two customers in one batch, and a restricted customer whose
// payments are not weighed, and compares everything written with what the
// CRM wrote when it did this one invoice at a time.
func runPaymentSettlement(t *testing.T, newStore NewStoreFunc) {
	got := paymentSettlement(t, newStore)
	if path := os.Getenv("CRMKIT_PAYMENT_GOLDEN"); path != "" {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	assert.Equal(t, paymentSettlementGolden, got, "what the payments wrote")
}

// paymentSettlement runs the payments and returns what they wrote.
func paymentSettlement(t *testing.T, newStore NewStoreFunc) string {
	ctx := context.Background()
	b := newDunningBooks(t, newStore)
	ann, ben, rita := b.customer(t, "Ann's shop"), b.customer(t, "Ben's shop"), b.customer(t, "Rita's shop")
	issue := func(customer crm.ID, number string, minor int64, due int) crm.Invoice {
		t.Helper()
		n := newInvoice(customer, crm.MoneyFromMinor(minor, eur), number)
		n.Due = b.date(due)
		inv, err := b.Ledger.IssueInvoice(ctx, b.fin.ID, n)
		require.NoError(t, err)
		return inv
	}
	var annTotal, benTotal int64
	var first crm.Invoice
	for i := range 12 {
		due := 5
		if i%3 == 1 {
			due = 20 // paid on time; the others late
		}
		inv := issue(ann, fmt.Sprintf("A-%d", i+1), int64(1_000+100*i), due)
		if i == 0 {
			first = inv
		}
		annTotal += int64(1_000 + 100*i)
		issue(ben, fmt.Sprintf("B-%d", i+1), 2_000, 1+i)
		benTotal += 2_000
		issue(rita, fmt.Sprintf("R-%d", i+1), 500, 2)
	}
	issue(ann, "", 700, 9) // numbered by the series

	// Ann's first invoice is settled by hand on day 3, and the allocation
	// reversed: it is judged already.
	b.day(3)
	r, err := b.Ledger.ReceivePayment(ctx, b.fin.ID, crm.NewPayment{Customer: ann, Amount: first.Total})
	require.NoError(t, err)
	a, err := b.Ledger.Allocate(ctx, b.fin.ID, crm.AllocationRequest{Customer: ann, Credit: r.Payment.ID, Invoice: first.ID, Amount: first.Total})
	require.NoError(t, err)
	_, err = b.Ledger.Reverse(ctx, b.fin.ID, crm.ReverseRequest{Entry: a.ID, Reason: "wrong invoice"})
	require.NoError(t, err)

	// Evidence of day 8 comes after what a payment received on day 6
	// settles: those facts arrive late.
	b.day(8)
	_, err = b.Ladder.RecordEvidence(ctx, b.Manager.ID, crm.NewEvidence{Customer: ann, Kind: crm.EvidencePurchase, Note: "a purchase"})
	require.NoError(t, err)

	// Day 10: Ann's payment of day 6 settles all but part of her last
	// invoice; Ben's settles every one of his, in one batch.
	b.day(10)
	_, err = b.Ledger.ReceivePayments(ctx, b.fin.ID, []crm.NewPayment{
		{Customer: ann, Amount: crm.MoneyFromMinor(annTotal+300, eur), Received: b.date(6), Allocation: crm.AllocateOldestFirst},
		{Customer: ben, Amount: crm.MoneyFromMinor(benTotal, eur), Allocation: crm.AllocateOldestFirst, IdempotencyKey: "ben-10"},
	})
	require.NoError(t, err)

	// Day 12: the rest of Ann's, with a new invoice; Rita, restricted, has
	// hers settled and nothing weighed.
	b.day(12)
	issue(ann, "A-13", 900, 30)
	_, err = b.Ledger.ReceivePayment(ctx, b.fin.ID, crm.NewPayment{Customer: ann, Amount: crm.MoneyFromMinor(5_000, eur),
		Allocation: crm.AllocateOldestFirst})
	require.NoError(t, err)
	_, err = b.Customers.Restrict(ctx, b.Admin.ID, crm.RestrictionRequest{Customer: rita, Reason: "asked to"})
	require.NoError(t, err)
	_, err = b.Ledger.ReceivePayment(ctx, b.fin.ID, crm.NewPayment{Customer: rita, Amount: crm.MoneyFromMinor(12*500, eur),
		Allocation: crm.AllocateOldestFirst})
	require.NoError(t, err)

	var out strings.Builder
	for _, c := range []crm.ID{ann, ben, rita} {
		fmt.Fprintf(&out, "customer %s\n", c)
		writeSettlement(t, &out, b, c)
	}
	writeEvents(t, &out, b.Store)
	return out.String()
}

// writeSettlement writes a customer's entries, evidence, moves (the
// replaced ones included) and ladder state, as JSON lines.
func writeSettlement(t *testing.T, out *strings.Builder, b dunningBooks, customer crm.ID) {
	t.Helper()
	ctx := context.Background()
	line := func(what string, v any) {
		raw, err := json.Marshal(v)
		require.NoError(t, err)
		fmt.Fprintf(out, "%s %s\n", what, raw)
	}
	for _, e := range b.entries(t, customer) {
		line("entry", e)
	}
	type ladder struct {
		evidence        []crm.Evidence
		moves, replaced []crm.LadderMove
		state           crm.LadderState
	}
	l, err := tryRead(b.Store, func(tx crm.ReadTx) (l ladder, err error) {
		if l.evidence, err = tx.Ladder().Evidence(ctx, customer); err != nil {
			return l, err
		}
		if l.moves, err = tx.Ladder().Moves(ctx, customer); err != nil {
			return l, err
		}
		if l.replaced, err = tx.Ladder().ReplacedMoves(ctx, customer); err != nil {
			return l, err
		}
		l.state, err = tx.Ladder().State(ctx, customer)
		if errors.Is(err, crm.ErrNotFound) {
			err = nil
		}
		return l, err
	})
	require.NoError(t, err)
	for _, ev := range l.evidence {
		line("evidence", ev)
	}
	for _, m := range l.moves {
		line("move", m)
	}
	for _, m := range l.replaced {
		line("replaced", m)
	}
	line("state", l.state)
}

// writeEvents writes the whole event log, in order, as JSON lines.
func writeEvents(t *testing.T, out *strings.Builder, s crm.Store) {
	t.Helper()
	var seq int64
	for {
		evs, err := tryRead(s, func(tx crm.ReadTx) ([]crm.Event, error) { return tx.Events().After(context.Background(), seq, 500) })
		require.NoError(t, err)
		for _, e := range evs {
			raw, err := json.Marshal(e)
			require.NoError(t, err)
			fmt.Fprintf(out, "event %s\n", raw)
			seq = e.Seq
		}
		if len(evs) < 500 {
			return
		}
	}
}
