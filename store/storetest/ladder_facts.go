package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runLadderFacts runs the evidence the CRM draws from its own records
// through the CRM on the store: a won deal is a purchase (once, however
// often the deal is reopened and won), an invoice settled by payment is
// paid on time or late (judged once, retries included), every dunning
// level is evidence, a terminated or ended contract is churn unless
// another one goes on, and a won deal wins a lost customer back. A
// referral names the referred customer and credits the referrer once.
func runLadderFacts(t *testing.T, newStore NewStoreFunc) {
	t.Run("DealWonIsPurchase", func(t *testing.T) { factDealWon(t, newStore) })
	t.Run("PaymentOnTimeAndLate", func(t *testing.T) { factPayments(t, newStore) })
	t.Run("DunningLevels", func(t *testing.T) { factDunningLevels(t, newStore) })
	t.Run("ContractEndsAreChurn", func(t *testing.T) { factContractEnds(t, newStore) })
	t.Run("Referral", func(t *testing.T) { factReferral(t, newStore) })
}

// factEvidence reads a customer's stored evidence.
func factEvidence(t *testing.T, s crm.Store, customer crm.ID) []crm.Evidence {
	t.Helper()
	evs, err := tryRead(s, func(tx crm.ReadTx) ([]crm.Evidence, error) {
		return tx.Ladder().Evidence(context.Background(), customer)
	})
	require.NoError(t, err)
	return evs
}

// factKinds lists the kinds of a customer's stored evidence, in order.
func factKinds(t *testing.T, s crm.Store, customer crm.ID) []crm.EvidenceKind {
	t.Helper()
	var out []crm.EvidenceKind
	for _, ev := range factEvidence(t, s, customer) {
		out = append(out, ev.Kind)
	}
	return out
}

func factDealWon(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	tm := NewTeam(t, newStore(t))
	cu, err := tm.Customers.Create(ctx, tm.Ann.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: "Li"})
	require.NoError(t, err)
	p, err := tm.Deals.CreatePipeline(ctx, tm.Admin.ID, crm.NewPipeline{Name: "New business", Currency: eur})
	require.NoError(t, err)
	win := func(title string) crm.Deal {
		t.Helper()
		d, err := tm.Deals.Open(ctx, tm.Ann.ID, crm.NewDeal{Pipeline: p.ID, Customer: cu.ID, Title: title, Amount: crm.MoneyFromMinor(100_000, eur)})
		require.NoError(t, err)
		tm.Clock.Advance(time.Hour)
		d, err = tm.Deals.Win(ctx, tm.Ann.ID, crm.WinDealRequest{Deal: d.ID})
		require.NoError(t, err)
		return d
	}
	d := win("First order")
	st, err := tm.Ladder.State(ctx, tm.Ann.ID, cu.ID)
	require.NoError(t, err)
	assert.Equal(t, 1, st.Purchases, "a won deal is a purchase")
	evs := factEvidence(t, tm.Store, cu.ID)
	require.Len(t, evs, 1)
	assert.Equal(t, crm.EvidencePurchase, evs[0].Kind)
	assert.Equal(t, crm.KindDeal, evs[0].Source)
	assert.Equal(t, d.ID, evs[0].SourceID, "traceable to the deal")
	assert.True(t, evs[0].At.Equal(tm.Clock.Now()), "at the win")

	_, err = tm.Deals.Reopen(ctx, tm.Manager.ID, crm.ReopenDealRequest{Deal: d.ID, Reason: "wrong amount"})
	require.NoError(t, err)
	_, err = tm.Deals.Win(ctx, tm.Ann.ID, crm.WinDealRequest{Deal: d.ID})
	require.NoError(t, err)
	assert.Len(t, factEvidence(t, tm.Store, cu.ID), 1, "the same deal won again is the same purchase")

	_, err = tm.Ladder.RecordEvidence(ctx, tm.Manager.ID, crm.NewEvidence{Customer: cu.ID, Kind: crm.EvidenceChurn, Note: "moved abroad"})
	require.NoError(t, err)
	win("Back again")
	st, err = tm.Ladder.State(ctx, tm.Ann.ID, cu.ID)
	require.NoError(t, err)
	assert.NotEqual(t, crm.Lost, st.Stage, "a won deal wins a lost customer back")
	hist, err := tm.Ladder.History(ctx, tm.Ann.ID, cu.ID)
	require.NoError(t, err)
	require.NotEmpty(t, hist)
	assert.Equal(t, crm.WinBack, hist[len(hist)-1].Event)
}

func factPayments(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	b := newDunningBooks(t, newStore)
	c := b.customer(t, "Contoso")
	// Due in 14 days, paid in two parts, the last on day 10: on time,
	// judged once, when it is settled.
	n := newInvoice(c, crm.MoneyFromMinor(10_000, eur), "INV-1")
	n.Due = b.date(14)
	early, err := b.Ledger.IssueInvoice(ctx, b.fin.ID, n)
	require.NoError(t, err)
	b.day(3)
	_, err = b.Ledger.ReceivePayment(ctx, b.fin.ID, crm.NewPayment{Customer: c, Amount: crm.MoneyFromMinor(4_000, eur),
		Allocation: crm.AllocateOldestFirst})
	require.NoError(t, err)
	assert.Empty(t, factKinds(t, b.Store, c), "a part payment settles nothing")
	b.day(10)
	pay := crm.NewPayment{Customer: c, Amount: crm.MoneyFromMinor(6_000, eur), Allocation: crm.AllocateOldestFirst, IdempotencyKey: "pay-2"}
	_, err = b.Ledger.ReceivePayment(ctx, b.fin.ID, pay)
	require.NoError(t, err)
	_, err = b.Ledger.ReceivePayment(ctx, b.fin.ID, pay)
	require.NoError(t, err)
	evs := factEvidence(t, b.Store, c)
	require.Len(t, evs, 1, "judged once, the retry included")
	assert.Equal(t, crm.EvidencePaidOnTime, evs[0].Kind)
	assert.Equal(t, crm.KindInvoice, evs[0].Source)
	assert.Equal(t, early.ID, evs[0].SourceID)

	// Due on day 10, paid on day 22 by hand: 12 days late.
	late := b.invoiceDue(t, c, "INV-2")
	b.day(22)
	r, err := b.Ledger.ReceivePayment(ctx, b.fin.ID, crm.NewPayment{Customer: c, Amount: late.Total})
	require.NoError(t, err)
	assert.Len(t, factEvidence(t, b.Store, c), 1, "a payment kept as credit settles nothing yet")
	alloc := crm.AllocationRequest{Customer: c, Credit: r.Payment.ID, Invoice: late.ID, Amount: late.Total}
	a, err := b.Ledger.Allocate(ctx, b.fin.ID, alloc)
	require.NoError(t, err)
	evs = factEvidence(t, b.Store, c)
	require.Len(t, evs, 2)
	assert.Equal(t, crm.EvidencePaidLate, evs[1].Kind)
	assert.Equal(t, late.ID, evs[1].SourceID)
	assert.Equal(t, 12*24*time.Hour, evs[1].Resolution, "how late")
	assert.Contains(t, evs[1].Note, "12 days late")

	// The allocation reversed and made again settles the invoice again:
	// it was judged already.
	_, err = b.Ledger.Reverse(ctx, b.fin.ID, crm.ReverseRequest{Entry: a.ID, Reason: "wrong invoice"})
	require.NoError(t, err)
	b.day(30)
	_, err = b.Ledger.Allocate(ctx, b.fin.ID, alloc)
	require.NoError(t, err)
	assert.Len(t, factEvidence(t, b.Store, c), 2, "an invoice is judged once")

	// Written off: no payment, no evidence.
	gone := b.invoiceDue(t, c, "INV-3")
	_, err = b.Ledger.WriteOff(ctx, b.fin.ID, crm.WriteOffRequest{Customer: c, Invoice: gone.ID, Amount: &gone.Total, Reason: "bankrupt"})
	require.NoError(t, err)
	assert.Len(t, factEvidence(t, b.Store, c), 2, "a write-off is no payment")
}

func factDunningLevels(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	b := newDunningBooks(t, newStore)
	c := b.customer(t, "Contoso")
	b.invoiceDue(t, c, "INV-1")
	for _, d := range []int{7, 21, 45} {
		b.day(d)
		require.Len(t, b.dun(t, crm.DunningRun{}).Moves, 1)
	}
	assert.Equal(t, []crm.EvidenceKind{crm.EvidenceReminded, crm.EvidenceReminded, crm.EvidenceDunned}, factKinds(t, b.Store, c),
		"every level reached is evidence")
	st, err := b.Ladder.State(ctx, b.Admin.ID, c)
	require.NoError(t, err)
	r := crm.DefaultLadderRules()
	assert.Equal(t, 3, st.Evidence)
	assert.Less(t, st.Score, (2*r.Reminded+r.Dunned)*1000/2, "the levels add up (faded)")
}

func factContractEnds(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	d := newDesk(t, newStore)
	one := d.signed(t, d.yearly())
	two := d.signed(t, d.yearly())
	_, err := d.Contracts.Terminate(ctx, d.Manager.ID, crm.TerminateContractRequest{Contract: one.ID, Reason: "merged"})
	require.NoError(t, err)
	assert.Empty(t, factKinds(t, d.Store, d.cust), "another active contract goes on")
	_, err = d.Contracts.Terminate(ctx, d.Manager.ID, crm.TerminateContractRequest{Contract: two.ID, Reason: "went to a competitor"})
	require.NoError(t, err)
	evs := factEvidence(t, d.Store, d.cust)
	require.Len(t, evs, 1)
	assert.Equal(t, crm.EvidenceChurn, evs[0].Kind)
	assert.Equal(t, crm.KindContract, evs[0].Source)
	assert.Equal(t, two.ID, evs[0].SourceID)
	st, err := d.Ladder.State(ctx, d.Admin.ID, d.cust)
	require.NoError(t, err)
	assert.Equal(t, crm.Lost, st.Stage, "the last contract terminated")

	// A subscription that ends with nothing after it is churn too.
	other := d.customer(t, "Fabrikam")
	n := d.yearly()
	n.Customer, n.Start, n.End, n.Plan = other, day(2026, 3, 1), day(2026, 3, 31), crm.PlanOptions{Months: 1}
	ending := d.signed(t, n)
	d.Clock.Set(time.Date(2026, 4, 2, 9, 0, 0, 0, time.UTC))
	rep, err := d.Contracts.ExpireDue(ctx, d.Admin.ID, crm.ExpireDueRequest{})
	require.NoError(t, err)
	require.Len(t, rep.Expired, 1)
	evs = factEvidence(t, d.Store, other)
	require.Len(t, evs, 1, "the subscription ended")
	assert.Equal(t, crm.EvidenceChurn, evs[0].Kind)
	assert.Equal(t, ending.ID, evs[0].SourceID)
}

func factReferral(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	tm := NewTeam(t, newStore(t))
	mk := func(name string) crm.Customer {
		cu, err := tm.Customers.Create(ctx, tm.Ann.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: name})
		require.NoError(t, err)
		return cu
	}
	li, wang := mk("Li"), mk("Wang")
	refer := func(referrer, referred crm.ID) error {
		_, err := tm.Ladder.RecordEvidence(ctx, tm.Ann.ID, crm.NewEvidence{Customer: referrer, Kind: crm.EvidenceReferral, Referred: referred})
		return err
	}
	assert.ErrorIs(t, refer(li.ID, crm.ID{}), crm.ErrInvalid, "a referral names the referred customer")
	assert.ErrorIs(t, refer(li.ID, li.ID), crm.ErrInvalid, "nobody refers themselves")
	assert.ErrorIs(t, refer(li.ID, tm.Ann.ID), crm.ErrNotFound, "the referred must exist")
	assert.Empty(t, factKinds(t, tm.Store, li.ID), "bad input changes nothing")

	require.NoError(t, refer(li.ID, wang.ID))
	evs := factEvidence(t, tm.Store, li.ID)
	require.Len(t, evs, 1)
	assert.Equal(t, crm.KindCustomer, evs[0].Source)
	assert.Equal(t, wang.ID, evs[0].SourceID, "the referral names whom it brought")
	from := func(customer crm.ID, source crm.Kind, id crm.ID) []crm.Evidence {
		t.Helper()
		out, err := tryRead(tm.Store, func(tx crm.ReadTx) ([]crm.Evidence, error) {
			return tx.Ladder().EvidenceFrom(ctx, customer, source, id)
		})
		require.NoError(t, err)
		return out
	}
	assert.Equal(t, evs, from(li.ID, crm.KindCustomer, wang.ID), "the evidence from one record, every field")
	assert.Empty(t, from(wang.ID, crm.KindCustomer, wang.ID), "of that customer only")
	assert.Empty(t, from(li.ID, crm.KindDeal, wang.ID), "of that kind of record only")
	assert.Empty(t, from(li.ID, crm.KindCustomer, li.ID), "of that record only")
	fromMany := func(customer crm.ID, source crm.Kind, ids ...crm.ID) []crm.Evidence {
		t.Helper()
		out, err := tryRead(tm.Store, func(tx crm.ReadTx) ([]crm.Evidence, error) {
			return tx.Ladder().EvidenceFromMany(ctx, customer, source, ids)
		})
		require.NoError(t, err)
		return out
	}
	assert.Equal(t, evs, fromMany(li.ID, crm.KindCustomer, li.ID, wang.ID, wang.ID), "from any of the records, every field")
	assert.Empty(t, fromMany(wang.ID, crm.KindCustomer, wang.ID), "of that customer only")
	assert.Empty(t, fromMany(li.ID, crm.KindDeal, wang.ID), "of that kind of record only")
	assert.Empty(t, fromMany(li.ID, crm.KindCustomer), "of no record, none")
	st, err := tm.Ladder.State(ctx, tm.Ann.ID, li.ID)
	require.NoError(t, err)
	assert.Equal(t, crm.DefaultLadderRules().Referral*1000, st.Score, "the referrer is credited")
	assert.False(t, st.LastReferral.IsZero())

	assert.ErrorIs(t, refer(li.ID, wang.ID), crm.ErrConflict, "credited once")
	assert.Len(t, factEvidence(t, tm.Store, li.ID), 1)
	assert.Empty(t, factKinds(t, tm.Store, wang.ID), "the referred customer is not credited")

	_, err = tm.Ladder.RecordEvidence(ctx, tm.Ann.ID, crm.NewEvidence{Customer: li.ID, Kind: crm.EvidencePurchase, Referred: wang.ID})
	assert.ErrorIs(t, err, crm.ErrInvalid, "only a referral names a referred customer")
}
