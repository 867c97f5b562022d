package storetest

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runInstallmentSweep drives ContractService.InvoiceDue, the daily sweep
// that invoices the installments due: what is due is invoiced, oldest
// first, and nothing else; a second run invoices nothing; the limit and
// the flag that more is due; only the contracts the actor sees; a refused
// installment holds up no other; two sweeps racing invoice each
// installment once; and an installment freed by a reversed invoice is
// invoiced again. The store's ContractFilter.NextDueBy is checked with
// it, through the store.
func runInstallmentSweep(t *testing.T, newStore NewStoreFunc) {
	t.Run("DueOnesInvoiced", func(t *testing.T) { sweepDueOnesInvoiced(t, newStore) })
	t.Run("NextDueFilter", func(t *testing.T) { sweepNextDueFilter(t, newStore) })
	t.Run("LimitAndMore", func(t *testing.T) { sweepLimitAndMore(t, newStore) })
	t.Run("OnlyContractsSeen", func(t *testing.T) { sweepOnlyContractsSeen(t, newStore) })
	t.Run("RefusedHoldsUpNoOther", func(t *testing.T) { sweepRefusedHoldsUpNoOther(t, newStore) })
	t.Run("Race", func(t *testing.T) { sweepRace(t, newStore) })
	t.Run("FreedInstallment", func(t *testing.T) { sweepFreedInstallment(t, newStore) })
}

// sweep runs the sweep as finance.
func (d *desk) sweep(t *testing.T, r crm.InvoiceDueRequest) crm.InstallmentReport {
	t.Helper()
	rep, err := d.Contracts.InvoiceDue(context.Background(), d.fin.ID, r)
	require.NoError(t, err)
	return rep
}

// monthly is a contract of n monthly installments of 100 EUR from start
// for the customer, which a manager approves alone.
func (d *desk) monthly(customer crm.ID, start crm.Date, n int) crm.NewContract {
	return crm.NewContract{Customer: customer, Title: "Hosting", Amount: crm.MoneyFromMinor(int64(n)*10_000, eur), Start: start,
		Template: crm.PlanMonthly, Plan: crm.PlanOptions{Months: n}}
}

// installmentsOf returns the contract, installment and due date of each
// invoice, in order.
func installmentsOf(invs []crm.Invoice) []string {
	var out []string
	for _, inv := range invs {
		out = append(out, inv.Contract.String()[:8]+"/"+string(rune('0'+inv.Installment))+"@"+inv.Due.String())
	}
	return out
}

// invoicedNumbers returns the numbers of a contract's installments that
// have an invoice.
func invoicedNumbers(ct crm.Contract) []int {
	var out []int
	for _, in := range ct.Plan.Installments {
		if !in.Invoice.IsZero() {
			out = append(out, in.Number)
		}
	}
	return out
}

func sweepDueOnesInvoiced(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	d := newDesk(t, newStore)
	ct := d.signed(t, d.yearly())
	draft, err := d.Contracts.Draft(ctx, d.Ann.ID, d.monthly(d.cust, day(2026, 4, 1), 3))
	require.NoError(t, err, "a draft is never invoiced")

	d.at(day(2026, 3, 31))
	assert.Equal(t, crm.InstallmentReport{}, d.sweep(t, crm.InvoiceDueRequest{}), "nothing is due before the first installment")

	d.at(day(2026, 5, 15))
	rep := d.sweep(t, crm.InvoiceDueRequest{TaxRate: dec("0.19")})
	require.Len(t, rep.Invoiced, 2, "April's and May's installments")
	assert.False(t, rep.More)
	assert.Empty(t, rep.Refused)
	for i, inv := range rep.Invoiced {
		want := ct.Plan.Installments[i]
		assert.Equal(t, ct.ID, inv.Contract)
		assert.Equal(t, want.Number, inv.Installment, "oldest due first")
		assert.Equal(t, day(2026, 5, 15), inv.Issued)
		assert.Equal(t, day(2026, 5, 15), inv.Due, "due today: its date has passed")
		require.Len(t, inv.Lines, 1)
		assert.Equal(t, "Support, installment "+string(rune('1'+i))+" of 12", inv.Lines[0].Description)
		assert.True(t, inv.Lines[0].TaxRate.Equal(dec("0.19")), "the request's tax rate")
		assert.True(t, inv.Net.Equal(want.Amount))
	}
	assert.Less(t, rep.Invoiced[0].Number, rep.Invoiced[1].Number, "numbered from the series in the order they fell due")
	got := d.get(t, ct.ID)
	assert.Equal(t, []int{1, 2}, invoicedNumbers(got))
	assert.Equal(t, day(2026, 6, 1), got.NextDue())
	assert.Equal(t, rep.Invoiced[0].ID, got.Plan.Installments[0].Invoice)
	moves := d.events(t, ct.ID, crm.ContractMoved)
	require.GreaterOrEqual(t, len(moves), 2)
	assert.Equal(t, []any{"installment 1 invoiced", "installment 2 invoiced"}, []any{moves[len(moves)-2]["note"], moves[len(moves)-1]["note"]},
		"each installment's move, as InvoiceInstallment records it")
	assert.Empty(t, invoicedNumbers(d.get(t, draft.ID)))

	assert.Equal(t, crm.InstallmentReport{}, d.sweep(t, crm.InvoiceDueRequest{}), "a second run invoices nothing")
	_, err = d.Contracts.InvoiceInstallment(ctx, d.fin.ID, crm.InvoiceInstallmentRequest{Contract: ct.ID, Installment: 2})
	assert.ErrorIs(t, err, crm.ErrConflict, "the sweep's invoice is the installment's")

	d.at(day(2026, 6, 1))
	rep = d.sweep(t, crm.InvoiceDueRequest{})
	require.Len(t, rep.Invoiced, 1, "what fell due since: June's, on its day")
	assert.Equal(t, 3, rep.Invoiced[0].Installment)
	assert.True(t, rep.Invoiced[0].Tax.IsZero(), "no tax rate given: none")
	assert.Equal(t, day(2026, 6, 1), rep.Invoiced[0].Due)

	_, err = d.Contracts.InvoiceDue(ctx, d.fin.ID, crm.InvoiceDueRequest{Limit: -1})
	assert.ErrorIs(t, err, crm.ErrInvalid)
	_, err = d.Contracts.InvoiceDue(ctx, d.fin.ID, crm.InvoiceDueRequest{TaxRate: dec("1.5")})
	assert.ErrorIs(t, err, crm.ErrInvalid)
	require.NoError(t, d.Ledger.Verify(ctx, d.fin.ID))
}

// sweepNextDueFilter: the store keeps each contract's NextDue with every
// version, and NextDueBy finds the contracts with an installment due on
// or before the day, and no others.
func sweepNextDueFilter(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	d := newDesk(t, newStore)
	ct := d.signed(t, d.monthly(d.cust, day(2026, 4, 1), 2))
	due := func(by crm.Date, f crm.ContractFilter) []crm.ID {
		t.Helper()
		f.NextDueBy = by
		cts, err := tryRead(d.Store, func(tx crm.ReadTx) ([]crm.Contract, error) {
			return tx.Contracts().List(ctx, f, crm.PageRequest{})
		})
		require.NoError(t, err)
		var ids []crm.ID
		for _, c := range cts {
			assert.True(t, f.Match(c), "the store agrees with Match")
			ids = append(ids, c.ID)
		}
		return ids
	}
	assert.Empty(t, due(day(2026, 3, 31), crm.ContractFilter{}))
	assert.Equal(t, []crm.ID{ct.ID}, due(day(2026, 4, 1), crm.ContractFilter{}), "due on the day")
	assert.Equal(t, []crm.ID{ct.ID}, due(day(2026, 4, 1), crm.ContractFilter{Status: crm.ContractActive, Owner: d.Ann.ID}))
	assert.Empty(t, due(day(2026, 4, 1), crm.ContractFilter{Status: crm.ContractDraft}))
	d.invoice(t, ct, 1)
	assert.Empty(t, due(day(2026, 4, 30), crm.ContractFilter{}), "the next is due in May")
	assert.Equal(t, []crm.ID{ct.ID}, due(day(2026, 5, 1), crm.ContractFilter{}))
	d.invoice(t, ct, 2)
	assert.Empty(t, due(day(2099, 1, 1), crm.ContractFilter{Status: crm.ContractActive}), "every installment invoiced: nothing ever due")
	assert.True(t, d.get(t, ct.ID).NextDue().IsZero())

	// A plan made again moves the next due date with it.
	draft, err := d.Contracts.Draft(ctx, d.Ann.ID, d.monthly(d.cust, day(2026, 4, 1), 2))
	require.NoError(t, err)
	drafts := crm.ContractFilter{Status: crm.ContractDraft}
	assert.Equal(t, []crm.ID{draft.ID}, due(day(2026, 4, 1), drafts))
	_, err = d.Contracts.Revise(ctx, d.Ann.ID, crm.ContractPatch{Contract: draft.ID, Changes: crm.ContractChanges{Start: ptr(day(2026, 7, 1))}})
	require.NoError(t, err)
	assert.Empty(t, due(day(2026, 6, 30), drafts))
	assert.Equal(t, []crm.ID{draft.ID}, due(day(2026, 7, 1), drafts))
}

func sweepLimitAndMore(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	d := newDesk(t, newStore)
	// Drafted in an order other than the order they fall due.
	starts := []crm.Date{day(2026, 4, 3), day(2026, 4, 1), day(2026, 4, 2)}
	var cts []crm.Contract
	for _, s := range starts {
		cts = append(cts, d.signed(t, d.monthly(d.customer(t, "Tenant "+s.String()), s, 2)))
	}
	d.at(day(2026, 5, 10)) // two installments due on each

	rep := d.sweep(t, crm.InvoiceDueRequest{Limit: 6})
	require.Len(t, rep.Invoiced, 6)
	assert.False(t, rep.More, "exactly the limit, and nothing left")
	var dues []crm.Date
	for _, inv := range rep.Invoiced {
		dues = append(dues, inv.Due)
	}
	assert.True(t, slices.IsSortedFunc(dues, crm.Date.Compare), "oldest due first: %v", installmentsOf(rep.Invoiced))
	for _, ct := range cts {
		assert.Equal(t, []int{1, 2}, invoicedNumbers(d.get(t, ct.ID)))
	}

	d.at(day(2026, 6, 10)) // nothing more: the plans had two installments
	assert.Equal(t, crm.InstallmentReport{}, d.sweep(t, crm.InvoiceDueRequest{}))

	d2 := newDesk(t, newStore)
	for _, s := range starts {
		d2.signed(t, d2.monthly(d2.customer(t, "Tenant "+s.String()), s, 2))
	}
	d2.at(day(2026, 5, 10))
	seen := map[crm.ID]bool{}
	for run, want := range []struct {
		n    int
		more bool
	}{{4, true}, {1, true}, {1, false}} {
		rep := d2.sweep(t, crm.InvoiceDueRequest{Limit: want.n})
		require.Len(t, rep.Invoiced, want.n, "run %d", run)
		assert.Equal(t, want.more, rep.More, "run %d", run)
		for _, inv := range rep.Invoiced {
			assert.False(t, seen[inv.ID])
			seen[inv.ID] = true
		}
	}
	assert.Equal(t, crm.InstallmentReport{}, d2.sweep(t, crm.InvoiceDueRequest{Limit: 1}))
	require.NoError(t, d2.Ledger.Verify(ctx, d2.fin.ID))
}

func sweepOnlyContractsSeen(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	d := newDesk(t, newStore)
	north := d.signed(t, d.monthly(d.cust, day(2026, 4, 1), 1))
	south := d.southContract(t, d.monthly(crm.ID{}, day(2026, 4, 1), 1))
	d.at(day(2026, 4, 2))

	_, err := d.Contracts.InvoiceDue(ctx, d.Manager.ID, crm.InvoiceDueRequest{})
	require.NoError(t, err)
	rep, err := d.Contracts.InvoiceDue(ctx, d.Manager.ID, crm.InvoiceDueRequest{})
	require.NoError(t, err)
	assert.Empty(t, rep.Invoiced, "a manager may not bill by default")
	require.Len(t, rep.Refused, 1, "the north contract alone, which Max sees")
	assert.ErrorIs(t, rep.Refused[0].Err, crm.ErrForbidden)
	assert.Equal(t, north.ID, rep.Refused[0].Contract)
	assert.Equal(t, 1, rep.Refused[0].Installment)
	assert.NotEmpty(t, rep.Refused[0].Reason)

	// A policy that lets managers bill their team's customers.
	p := crm.DefaultPolicy()
	p.Grants[crm.RoleManager][crm.ActionBill] = crm.ScopeTeam
	team, err := crm.New(d.Store, crm.WithClock(d.Clock), crm.WithPolicy(p), crm.WithRetries(64, time.Millisecond))
	require.NoError(t, err)
	rep, err = team.Contracts.InvoiceDue(ctx, d.Manager.ID, crm.InvoiceDueRequest{})
	require.NoError(t, err)
	require.Len(t, rep.Invoiced, 1)
	assert.Equal(t, north.ID, rep.Invoiced[0].Contract)
	assert.Empty(t, rep.Refused)
	assert.Empty(t, invoicedNumbers(d.get(t, south.ID)), "the south contract is not Max's to see")

	rep = d.sweep(t, crm.InvoiceDueRequest{})
	require.Len(t, rep.Invoiced, 1, "finance sees it")
	assert.Equal(t, south.ID, rep.Invoiced[0].Contract)
}

// southContract makes n an active contract of a customer of Sue's, in
// team south, approved by the admin.
func (d *desk) southContract(t *testing.T, n crm.NewContract) crm.Contract {
	t.Helper()
	ctx := context.Background()
	cu, err := d.Customers.Create(ctx, d.Sue.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: "Southwind"})
	require.NoError(t, err)
	n.Customer = cu.ID
	ct, err := d.Contracts.Draft(ctx, d.Sue.ID, n)
	require.NoError(t, err)
	ct, err = d.Contracts.Submit(ctx, d.Sue.ID, crm.SubmitContractRequest{Contract: ct.ID})
	require.NoError(t, err)
	for ct.Status == crm.ContractSubmitted {
		ct, err = d.Contracts.Approve(ctx, d.Admin.ID, crm.ApproveContractRequest{Contract: ct.ID})
		require.NoError(t, err)
	}
	ct, err = d.Contracts.Sign(ctx, d.Sue.ID, crm.SignContractRequest{Contract: ct.ID})
	require.NoError(t, err)
	return ct
}

// holdBilling is the default policy, but for one customer, whose billing
// is on hold (a dispute, say): no one may bill them.
type holdBilling struct {
	crm.RolePolicy
	held crm.ID
}

// Authorize implements crm.Policy.
func (p holdBilling) Authorize(actor crm.User, action crm.Action, target crm.Target) error {
	if action == crm.ActionBill && target.ID == p.held {
		return &crm.ForbiddenError{Actor: actor.ID, Action: action, Kind: target.Kind, Reason: "billing on hold"}
	}
	return p.RolePolicy.Authorize(actor, action, target)
}

func sweepRefusedHoldsUpNoOther(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	d := newDesk(t, newStore)
	held := d.signed(t, d.monthly(d.cust, day(2026, 4, 1), 2))
	other := d.signed(t, d.monthly(d.customer(t, "Fabrikam"), day(2026, 4, 2), 2))
	d.at(day(2026, 5, 10))
	hold, err := crm.New(d.Store, crm.WithClock(d.Clock), crm.WithPolicy(holdBilling{RolePolicy: crm.DefaultPolicy(), held: d.cust}),
		crm.WithRetries(64, time.Millisecond))
	require.NoError(t, err)

	rep, err := hold.Contracts.InvoiceDue(ctx, d.fin.ID, crm.InvoiceDueRequest{Limit: 2})
	require.NoError(t, err)
	require.Len(t, rep.Invoiced, 2, "the other customer's, though the held one's fell due first")
	for _, inv := range rep.Invoiced {
		assert.Equal(t, other.ID, inv.Contract)
	}
	require.Len(t, rep.Refused, 2)
	for i, r := range rep.Refused {
		assert.Equal(t, held.ID, r.Contract)
		assert.Equal(t, d.cust, r.Customer)
		assert.Equal(t, i+1, r.Installment)
		assert.Equal(t, held.Plan.Installments[i].Due, r.Due)
		assert.ErrorIs(t, r.Err, crm.ErrForbidden)
		assert.Contains(t, r.Reason, "billing on hold")
	}
	assert.False(t, rep.More, "what is left is refused, and reported")
	assert.Empty(t, invoicedNumbers(d.get(t, held.ID)))

	rep, err = hold.Contracts.InvoiceDue(ctx, d.fin.ID, crm.InvoiceDueRequest{Limit: 1})
	require.NoError(t, err)
	assert.Empty(t, rep.Invoiced)
	assert.Len(t, rep.Refused, 2, "refused again, until the hold ends; refusals do not count against the limit")

	rep = d.sweep(t, crm.InvoiceDueRequest{})
	assert.Len(t, rep.Invoiced, 2, "the hold is the other CRM's policy: finance here bills the held customer")
	assert.Empty(t, rep.Refused)
	require.NoError(t, d.Ledger.Verify(ctx, d.fin.ID))
}

// sweepRace: two app servers run the sweep at once over the same
// installments. Each installment is invoiced once, by one of them; the
// other counts it skipped; together they invoice every one.
func sweepRace(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	for round := range 3 {
		d := newDesk(t, newStore)
		var cts []crm.Contract
		for i := range 3 {
			cu := d.cust
			if i > 0 {
				cu = d.customer(t, "Tenant "+string(rune('A'+i)))
			}
			cts = append(cts, d.signed(t, d.monthly(cu, day(2026, 4, 1+i), 3)))
		}
		d.at(day(2026, 6, 10)) // three installments due on each
		var wg sync.WaitGroup
		reps := make([]crm.InstallmentReport, 2)
		errs := make([]error, 2)
		for w := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				reps[w], errs[w] = d.crm(w).Contracts.InvoiceDue(ctx, d.fin.ID, crm.InvoiceDueRequest{})
			}()
		}
		wg.Wait()
		require.NoError(t, errs[0], "round %d", round)
		require.NoError(t, errs[1], "round %d", round)
		ids, numbers := map[crm.ID]bool{}, map[string]bool{}
		for w, rep := range reps {
			assert.Empty(t, rep.Refused, "round %d", round)
			assert.False(t, rep.More)
			assert.LessOrEqual(t, rep.Skipped, len(reps[1-w].Invoiced), "round %d: skipped only what the other invoiced", round)
			for _, inv := range rep.Invoiced {
				assert.False(t, ids[inv.ID])
				assert.False(t, numbers[inv.Number], "round %d: numbers are not shared", round)
				ids[inv.ID], numbers[inv.Number] = true, true
			}
		}
		assert.Len(t, ids, 9, "round %d: every installment invoiced once", round)
		for _, ct := range cts {
			assert.Equal(t, []int{1, 2, 3}, invoicedNumbers(d.get(t, ct.ID)), "round %d", round)
		}
		states, err := d.Receivables.Invoices(ctx, d.fin.ID, crm.ReceivableQuery{})
		require.NoError(t, err)
		assert.Len(t, states, 9, "round %d: no installment invoiced twice", round)
		assert.Equal(t, crm.InstallmentReport{}, d.sweep(t, crm.InvoiceDueRequest{}))
		require.NoError(t, d.Ledger.Verify(ctx, d.fin.ID))
	}
}

// sweepFreedInstallment: an invoice reversed frees its installment
// (freeInstallment saves the contract, whose NextDue the store writes
// with it), and the next sweep invoices it again.
func sweepFreedInstallment(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	d := newDesk(t, newStore)
	ct := d.signed(t, d.monthly(d.cust, day(2026, 4, 1), 2))
	d.at(day(2026, 4, 15))
	rep := d.sweep(t, crm.InvoiceDueRequest{})
	require.Len(t, rep.Invoiced, 1)
	first := rep.Invoiced[0]
	assert.Equal(t, day(2026, 5, 1), d.get(t, ct.ID).NextDue())

	_, err := d.Ledger.Reverse(ctx, d.fin.ID, crm.ReverseRequest{Entry: first.Entry, Reason: "wrong address"})
	require.NoError(t, err)
	got := d.get(t, ct.ID)
	assert.True(t, got.Plan.Installments[0].Invoice.IsZero(), "freed")
	assert.Equal(t, day(2026, 4, 1), got.NextDue())

	rep = d.sweep(t, crm.InvoiceDueRequest{})
	require.Len(t, rep.Invoiced, 1, "the freed installment is due again")
	again := rep.Invoiced[0]
	assert.Equal(t, 1, again.Installment)
	assert.NotEqual(t, first.ID, again.ID)
	assert.NotEqual(t, first.Number, again.Number)
	assert.Equal(t, again.ID, d.get(t, ct.ID).Plan.Installments[0].Invoice)
	assert.Equal(t, crm.InstallmentReport{}, d.sweep(t, crm.InvoiceDueRequest{}))
	require.NoError(t, d.Ledger.Verify(ctx, d.fin.ID))
}
