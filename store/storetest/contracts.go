package storetest

import (
	"context"
	"encoding/json"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runContracts drives the contract lifecycle through the CRM: expiry only
// from the dates, completion only when everything was invoiced and paid
// (or closed short with a reason), revision of a rejected draft,
// amendments that supersede the signed contract and carry its invoiced
// installments, and renewals into the next term.
func runContracts(t *testing.T, newStore NewStoreFunc) {
	t.Run("NoEarlyExpiry", func(t *testing.T) { contractNoEarlyExpiry(t, newStore) })
	t.Run("ExpireDue", func(t *testing.T) { contractExpireDue(t, newStore) })
	t.Run("CompleteOnlyWhenSettled", func(t *testing.T) { contractCompleteOnlyWhenSettled(t, newStore) })
	t.Run("ReviseRejected", func(t *testing.T) { contractReviseRejected(t, newStore) })
	t.Run("Amend", func(t *testing.T) { contractAmend(t, newStore) })
	t.Run("Renew", func(t *testing.T) { contractRenew(t, newStore) })
	t.Run("AmendRacesInvoicing", func(t *testing.T) { contractAmendRacesInvoicing(t, newStore) })
}

// desk is a Team with finance, a customer of Ann's and the contract
// helpers of the suite.
type desk struct {
	*books
	cust crm.ID
}

func newDesk(t *testing.T, newStore NewStoreFunc) *desk {
	t.Helper()
	b := newBooks(t, newStore(t))
	return &desk{books: b, cust: b.customer(t, "Contoso")}
}

// yearly is a year of monthly installments from April 2026: 12,000 EUR,
// which needs a manager and finance.
func (d *desk) yearly() crm.NewContract {
	return crm.NewContract{Customer: d.cust, Title: "Support", Amount: crm.MoneyFromMinor(1_200_000, eur), Start: day(2026, 4, 1),
		End: day(2027, 3, 31), Template: crm.PlanMonthly, Plan: crm.PlanOptions{Months: 12}}
}

// approved drafts n as Ann and has it approved: by Max, then by finance
// when the amount needs it.
func (d *desk) approved(t *testing.T, n crm.NewContract) crm.Contract {
	t.Helper()
	ctx := context.Background()
	ct, err := d.Contracts.Draft(ctx, d.Ann.ID, n)
	require.NoError(t, err)
	ct, err = d.Contracts.Submit(ctx, d.Ann.ID, crm.SubmitContractRequest{Contract: ct.ID})
	require.NoError(t, err)
	return d.approve(t, ct)
}

// approve approves every step the submitted contract waits for.
func (d *desk) approve(t *testing.T, ct crm.Contract) crm.Contract {
	t.Helper()
	for ct.Status == crm.ContractSubmitted {
		step, ok := ct.NextStep()
		require.True(t, ok)
		who := map[crm.ApprovalStep]crm.ID{crm.StepManager: d.Manager.ID, crm.StepFinance: d.fin.ID}[step]
		var err error
		ct, err = d.Contracts.Approve(context.Background(), who, crm.ApproveContractRequest{Contract: ct.ID})
		require.NoError(t, err)
	}
	require.Equal(t, crm.ContractApproved, ct.Status)
	return ct
}

// signed makes n an active contract.
func (d *desk) signed(t *testing.T, n crm.NewContract) crm.Contract {
	t.Helper()
	ct := d.approved(t, n)
	ct, err := d.Contracts.Sign(context.Background(), d.Ann.ID, crm.SignContractRequest{Contract: ct.ID})
	require.NoError(t, err)
	require.Equal(t, crm.ContractActive, ct.Status)
	return ct
}

// invoice invoices installment n of the contract as finance.
func (d *desk) invoice(t *testing.T, ct crm.Contract, n int) crm.Invoice {
	t.Helper()
	inv, err := d.Contracts.InvoiceInstallment(context.Background(), d.fin.ID, crm.InvoiceInstallmentRequest{Contract: ct.ID, Installment: n})
	require.NoError(t, err)
	return inv
}

// settle pays the invoice in full.
func (d *desk) settle(t *testing.T, inv crm.Invoice) {
	t.Helper()
	ctx := context.Background()
	r, err := d.Ledger.ReceivePayment(ctx, d.fin.ID, crm.NewPayment{Customer: d.cust, Amount: inv.Total})
	require.NoError(t, err)
	_, err = d.Ledger.Allocate(ctx, d.fin.ID, crm.AllocationRequest{Customer: d.cust, Credit: r.Payment.ID, Invoice: inv.ID, Amount: inv.Total})
	require.NoError(t, err)
	require.Zero(t, d.open(t, d.cust, inv.ID))
}

// get reads the contract as the admin.
func (d *desk) get(t *testing.T, id crm.ID) crm.Contract {
	t.Helper()
	ct, err := d.Contracts.Get(context.Background(), d.Admin.ID, id)
	require.NoError(t, err)
	return ct
}

// at moves the desk's clock to noon UTC of the day.
func (d *desk) at(day crm.Date) {
	d.Clock.Set(time.Date(day.Year, day.Month, day.Day, 12, 0, 0, 0, time.UTC))
}

// events returns the data of the events about subject of type typ, in
// log order.
func (d *desk) events(t *testing.T, subject crm.ID, typ crm.EventType) []map[string]any {
	t.Helper()
	var out []map[string]any
	for e, err := range d.Events.Feed(context.Background(), 0) {
		require.NoError(t, err)
		if e.Subject == subject && e.Type == typ {
			var data map[string]any
			require.NoError(t, json.Unmarshal(e.Data, &data))
			out = append(out, data)
		}
	}
	return out
}

// moves returns the moves recorded for the contract, in order.
func (d *desk) moves(t *testing.T, id crm.ID) []string {
	t.Helper()
	var out []string
	for _, data := range d.events(t, id, crm.ContractMoved) {
		if m, ok := data["move"].(string); ok {
			out = append(out, m)
		}
	}
	return out
}

// lastNote returns the note of the contract's last move.
func (d *desk) lastNote(t *testing.T, id crm.ID) string {
	t.Helper()
	ev := d.events(t, id, crm.ContractMoved)
	require.NotEmpty(t, ev)
	note, _ := ev[len(ev)-1]["note"].(string)
	return note
}

// installmentSum adds up the contract's installments.
func installmentSum(t *testing.T, ct crm.Contract) crm.Money {
	t.Helper()
	sum := crm.Zero(ct.Amount.Currency())
	for _, in := range ct.Plan.Installments {
		var err error
		sum, err = sum.Add(in.Amount)
		require.NoError(t, err)
	}
	return sum
}

// contractNoEarlyExpiry: an active contract eleven months before its end
// does not expire, not even at its owner's request, nor on its last day;
// the day after, it does. Ending it early is a termination: a reason,
// and a manager, finance or an admin. An approved contract never signed
// expires the day after its start.
func contractNoEarlyExpiry(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	d := newDesk(t, newStore)
	ct := d.signed(t, d.yearly())
	for _, on := range []crm.Date{day(2026, 4, 20), day(2027, 3, 31)} {
		d.at(on)
		_, err := d.Contracts.Expire(ctx, d.Ann.ID, crm.ExpireContractRequest{Contract: ct.ID})
		var te *crm.TransitionError
		require.ErrorAs(t, err, &te, "on %s the contract has not run out", on)
		assert.Contains(t, te.Reason, "termination")
		assert.Equal(t, crm.ContractActive, d.get(t, ct.ID).Status, "and nothing changed")
	}
	d.at(day(2027, 4, 1))
	expired, err := d.Contracts.Expire(ctx, d.Ann.ID, crm.ExpireContractRequest{Contract: ct.ID})
	require.NoError(t, err, "the day after its end, by the business calendar")
	assert.Equal(t, crm.ContractExpired, expired.Status)
	assert.Equal(t, "end 2027-03-31 passed", d.lastNote(t, ct.ID))

	d.at(day(2026, 4, 20))
	early := d.signed(t, d.yearly())
	_, err = d.Contracts.Terminate(ctx, d.Ann.ID, crm.TerminateContractRequest{Contract: early.ID, Reason: "customer asked"})
	assert.ErrorIs(t, err, crm.ErrForbidden, "a rep does not end a contract early")
	_, err = d.Contracts.Terminate(ctx, d.Manager.ID, crm.TerminateContractRequest{Contract: early.ID})
	assert.ErrorIs(t, err, crm.ErrInvalid, "an early end says why")
	early, err = d.Contracts.Terminate(ctx, d.Manager.ID, crm.TerminateContractRequest{Contract: early.ID, Reason: "customer went bust"})
	require.NoError(t, err, "the team's manager ends it early")
	assert.Equal(t, crm.ContractTerminated, early.Status)
	assert.Equal(t, "customer went bust", d.lastNote(t, early.ID))

	stale := d.approved(t, d.yearly()) // starts 2026-04-01
	d.at(day(2026, 4, 1))
	_, err = d.Contracts.Expire(ctx, d.Ann.ID, crm.ExpireContractRequest{Contract: stale.ID})
	assert.ErrorIs(t, err, crm.ErrInvalidTransition, "on its start day it may still be signed")
	d.at(day(2026, 4, 2))
	stale, err = d.Contracts.Expire(ctx, d.Ann.ID, crm.ExpireContractRequest{Contract: stale.ID})
	require.NoError(t, err)
	assert.Equal(t, crm.ContractExpired, stale.Status)
	assert.Equal(t, "start 2026-04-01 passed unsigned", d.lastNote(t, stale.ID))
}

// contractExpireDue: the sweep expires what is due and nothing else,
// each with its event, no more than its limit at a time, and finds
// nothing more when run again; it keeps to the contracts its actor sees.
func contractExpireDue(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	d := newDesk(t, newStore)
	short := d.yearly()
	short.End = day(2026, 6, 30)
	ending := d.signed(t, short)
	running := d.signed(t, d.yearly())
	open := d.yearly()
	open.End = crm.Date{}
	endless := d.signed(t, open)
	unsigned := d.approved(t, d.yearly())

	d.at(day(2026, 4, 1))
	none, err := d.Contracts.ExpireDue(ctx, d.Admin.ID, crm.ExpireDueRequest{})
	require.NoError(t, err)
	assert.Empty(t, none.Expired, "on its start day an approved contract may still be signed")
	d.at(day(2026, 6, 30))
	_, err = d.Contracts.Sign(ctx, d.Ann.ID, crm.SignContractRequest{Contract: ending.ID})
	assert.ErrorIs(t, err, crm.ErrInvalidTransition, "signed already")
	d.at(day(2026, 7, 1))
	sue, err := d.Contracts.ExpireDue(ctx, d.Sue.ID, crm.ExpireDueRequest{})
	require.NoError(t, err)
	assert.Empty(t, sue.Expired, "Sue of team south sees none of Ann's contracts")

	first, err := d.Contracts.ExpireDue(ctx, d.Admin.ID, crm.ExpireDueRequest{Limit: 1})
	require.NoError(t, err)
	require.Len(t, first.Expired, 1)
	assert.True(t, first.More, "one more is due")
	rest, err := d.Contracts.ExpireDue(ctx, d.Admin.ID, crm.ExpireDueRequest{})
	require.NoError(t, err)
	require.Len(t, rest.Expired, 1)
	assert.False(t, rest.More)
	again, err := d.Contracts.ExpireDue(ctx, d.Admin.ID, crm.ExpireDueRequest{})
	require.NoError(t, err)
	assert.Empty(t, again.Expired, "run again, the sweep finds nothing new")

	got := []crm.ID{first.Expired[0].ID, rest.Expired[0].ID}
	assert.ElementsMatch(t, []crm.ID{ending.ID, unsigned.ID}, got)
	for _, id := range got {
		assert.Equal(t, crm.ContractExpired, d.get(t, id).Status)
		assert.Equal(t, []string{"submit", "approve", "expire"}, without(d.moves(t, id), "approve_step", "sign"), "one expiry event each")
	}
	assert.Equal(t, crm.ContractActive, d.get(t, running.ID).Status, "ends next March")
	assert.Equal(t, crm.ContractActive, d.get(t, endless.ID).Status, "no end, no expiry")
	_, err = d.Contracts.ExpireDue(ctx, d.Admin.ID, crm.ExpireDueRequest{Limit: -1})
	assert.ErrorIs(t, err, crm.ErrInvalid)
}

// without returns moves without the moves named.
func without(moves []string, drop ...string) []string {
	var out []string
	for _, m := range moves {
		if !slices.Contains(drop, m) {
			out = append(out, m)
		}
	}
	return out
}

// contractCompleteOnlyWhenSettled: a contract with one of twelve
// installments invoiced and nothing paid is not completed; the error
// names what is missing. Closing it short needs a reason and a manager,
// finance or an admin, and the event keeps the reason. A contract whose
// every installment is invoiced and paid is completed by its owner.
func contractCompleteOnlyWhenSettled(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	d := newDesk(t, newStore)
	ct := d.signed(t, d.yearly())
	d.invoice(t, ct, 1)
	_, err := d.Contracts.Complete(ctx, d.fin.ID, crm.CompleteContractRequest{Contract: ct.ID})
	var ue *crm.UnsettledContractError
	require.ErrorAs(t, err, &ue, "1 of 12 installments invoiced and nothing paid is not complete")
	assert.ErrorIs(t, err, crm.ErrInvalidTransition)
	assert.Equal(t, []int{2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, ue.NotInvoiced)
	assert.Equal(t, []int{1}, ue.Unsettled)
	assert.Equal(t, crm.ContractActive, d.get(t, ct.ID).Status, "and nothing changed")

	_, err = d.Contracts.Complete(ctx, d.Ann.ID, crm.CompleteContractRequest{Contract: ct.ID, Reason: "scope delivered early"})
	assert.ErrorIs(t, err, crm.ErrForbidden, "the owner does not close a contract short")
	done, err := d.Contracts.Complete(ctx, d.Manager.ID, crm.CompleteContractRequest{Contract: ct.ID, Reason: "scope delivered early"})
	require.NoError(t, err)
	assert.Equal(t, crm.ContractCompleted, done.Status)
	assert.Equal(t, "scope delivered early (closed short: installments [2 3 4 5 6 7 8 9 10 11 12] not invoiced, [1] not settled)", d.lastNote(t, ct.ID))

	small := d.signed(t, crm.NewContract{Customer: d.cust, Title: "Training", Amount: crm.MoneyFromMinor(90_000, eur), Start: day(2026, 4, 1),
		Template: crm.PlanSplit})
	inv := d.invoice(t, small, 1)
	d.settle(t, inv)
	_, err = d.Contracts.Complete(ctx, d.Ann.ID, crm.CompleteContractRequest{Contract: small.ID})
	require.ErrorAs(t, err, &ue)
	assert.Equal(t, []int{2}, ue.NotInvoiced)
	assert.Empty(t, ue.Unsettled, "installment 1 is paid")
	d.settle(t, d.invoice(t, small, 2))
	small, err = d.Contracts.Complete(ctx, d.Ann.ID, crm.CompleteContractRequest{Contract: small.ID})
	require.NoError(t, err, "invoiced and paid in full: the owner completes it")
	assert.Equal(t, crm.ContractCompleted, small.Status)
}

// contractReviseRejected: a rejected contract is changed in draft, at the
// version its reviser saw, with a change event; the approval starts over
// with the steps the new amount needs. Only drafts are revised.
func contractReviseRejected(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	d := newDesk(t, newStore)
	ct, err := d.Contracts.Draft(ctx, d.Ann.ID, d.yearly())
	require.NoError(t, err)
	ct, err = d.Contracts.Submit(ctx, d.Ann.ID, crm.SubmitContractRequest{Contract: ct.ID})
	require.NoError(t, err)
	assert.Equal(t, []crm.ApprovalStep{crm.StepManager, crm.StepFinance}, ct.Steps)
	_, err = d.Contracts.Revise(ctx, d.Ann.ID, crm.ContractPatch{Contract: ct.ID, Changes: crm.ContractChanges{Title: ptr("Cheaper")}})
	assert.ErrorIs(t, err, crm.ErrInvalidTransition, "a submitted contract is not changed under its approvers")
	ct, err = d.Contracts.Reject(ctx, d.Manager.ID, crm.RejectContractRequest{Contract: ct.ID, Comment: "too dear for a first year"})
	require.NoError(t, err)

	cheaper := crm.MoneyFromMinor(800_000, eur)
	_, err = d.Contracts.Revise(ctx, d.Ann.ID, crm.ContractPatch{Contract: ct.ID, IfVersion: ct.Version - 1, Changes: crm.ContractChanges{Amount: &cheaper}})
	assert.ErrorIs(t, err, crm.ErrConflict, "a revision of a stale version is refused")
	_, err = d.Contracts.Revise(ctx, d.Ann.ID, crm.ContractPatch{Contract: ct.ID, Changes: crm.ContractChanges{End: ptr(day(2026, 1, 1))}})
	assert.ErrorIs(t, err, crm.ErrInvalid, "an end before the start")
	revised, err := d.Contracts.Revise(ctx, d.Ann.ID, crm.ContractPatch{Contract: ct.ID, IfVersion: ct.Version, Reason: "as Max asked",
		Changes: crm.ContractChanges{Amount: &cheaper, Terms: ptr("Business hours only")}})
	require.NoError(t, err)
	assert.Equal(t, crm.ContractDraft, revised.Status)
	assert.Equal(t, ct.Version+1, revised.Version)
	assert.Equal(t, "Business hours only", revised.Terms)
	require.Len(t, revised.Plan.Installments, 12, "still monthly over a year")
	assert.True(t, installmentSum(t, revised).Equal(cheaper), "the plan adds up to the new amount")
	assert.Equal(t, day(2026, 4, 1), revised.Plan.Installments[0].Due)
	assert.Equal(t, revised, d.get(t, ct.ID), "stored as returned")
	ev := d.events(t, ct.ID, crm.ContractRevised)
	require.Len(t, ev, 1)
	assert.Equal(t, "as Max asked", ev[0]["reason"])
	var fields []string
	for _, c := range ev[0]["changes"].([]any) {
		fields = append(fields, c.(map[string]any)["field"].(string))
	}
	assert.Equal(t, []string{"terms", "amount", "plan"}, fields)

	again, err := d.Contracts.Revise(ctx, d.Ann.ID, crm.ContractPatch{Contract: ct.ID, Changes: crm.ContractChanges{Amount: &cheaper}})
	require.NoError(t, err)
	assert.Equal(t, revised.Version, again.Version, "a change that changes nothing writes nothing")

	resubmitted, err := d.Contracts.Submit(ctx, d.Ann.ID, crm.SubmitContractRequest{Contract: ct.ID})
	require.NoError(t, err)
	assert.Equal(t, []crm.ApprovalStep{crm.StepManager}, resubmitted.Steps, "below the threshold now: the steps are computed again")
	step, ok := resubmitted.NextStep()
	require.True(t, ok)
	assert.Equal(t, crm.StepManager, step, "the approval starts over")
	d.approve(t, resubmitted)
}

// contractAmend: an amendment of a signed contract is a new draft that
// references it, approved with the same rules and four eyes; it carries
// the invoiced installments with their invoices and plans the rest
// again; signing it supersedes the contract. Nothing invoiced is lost or
// invoiced twice.
func contractAmend(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	d := newDesk(t, newStore)
	draft, err := d.Contracts.Draft(ctx, d.Ann.ID, d.yearly())
	require.NoError(t, err)
	_, err = d.Contracts.Amend(ctx, d.Ann.ID, crm.AmendContractRequest{Contract: draft.ID, Reason: "more"})
	assert.ErrorIs(t, err, crm.ErrInvalidTransition, "a draft is revised, not amended")

	orig := d.signed(t, d.yearly())
	first, second := d.invoice(t, orig, 1), d.invoice(t, orig, 2)
	d.settle(t, first)
	more := crm.MoneyFromMinor(1_500_000, eur)
	_, err = d.Contracts.Amend(ctx, d.Manager.ID, crm.AmendContractRequest{Contract: orig.ID, Changes: crm.ContractChanges{Amount: &more}})
	assert.ErrorIs(t, err, crm.ErrInvalid, "an amendment says why")
	_, err = d.Contracts.Amend(ctx, d.Manager.ID, crm.AmendContractRequest{Contract: orig.ID, Reason: "fewer seats",
		Changes: crm.ContractChanges{Amount: ptr(crm.MoneyFromMinor(150_000, eur))}})
	assert.ErrorIs(t, err, crm.ErrInvalid, "not below what was invoiced: that is a credit note's job")

	am, err := d.Contracts.Amend(ctx, d.Manager.ID, crm.AmendContractRequest{Contract: orig.ID, IfVersion: d.get(t, orig.ID).Version,
		Reason: "more seats", Changes: crm.ContractChanges{Amount: &more, Start: ptr(day(2026, 6, 1))}})
	require.NoError(t, err)
	assert.Equal(t, orig.ID, am.Amends)
	assert.Equal(t, 1, am.Revision)
	assert.Equal(t, crm.ContractDraft, am.Status)
	assert.Equal(t, d.Manager.ID, am.DraftedBy)
	assert.Equal(t, orig.Owner, am.Owner, "the amendment stays with the contract's owner")
	assert.Equal(t, day(2026, 6, 1), am.Start)
	assert.Equal(t, orig.End, am.End)
	require.Len(t, am.Plan.Installments, 12, "two carried, ten planned again")
	assert.Equal(t, first.ID, am.Plan.Installments[0].Invoice, "carried with its invoice")
	assert.Equal(t, second.ID, am.Plan.Installments[1].Invoice)
	for i, in := range am.Plan.Installments[2:] {
		assert.Equal(t, i+3, in.Number)
		assert.True(t, in.Invoice.IsZero())
		assert.Equal(t, "1300.00 EUR", in.Amount.String(), "what the invoiced 2,000 leave of 15,000, in ten")
		assert.Equal(t, day(2026, 6, 1).AddMonths(i), in.Due)
	}
	assert.True(t, installmentSum(t, am).Equal(more))
	drafted := d.events(t, am.ID, crm.ContractDrafted)
	require.Len(t, drafted, 1)
	assert.Equal(t, orig.ID.String(), drafted[0]["amends"])
	assert.Equal(t, "more seats", drafted[0]["note"])

	rival, err := d.Contracts.Amend(ctx, d.Ann.ID, crm.AmendContractRequest{Contract: orig.ID, Reason: "another idea",
		Changes: crm.ContractChanges{Terms: ptr("Weekends too")}})
	require.NoError(t, err)
	assert.Len(t, rival.Plan.Installments, 12, "no plan change: the plan as it is")

	third := d.invoice(t, orig, 3) // the contract runs on while its amendment is drafted
	_, err = d.Contracts.Submit(ctx, d.Manager.ID, crm.SubmitContractRequest{Contract: am.ID})
	assert.ErrorIs(t, err, crm.ErrConflict, "installment 3 was invoiced since: the amendment would plan it twice")
	am, err = d.Contracts.Revise(ctx, d.Manager.ID, crm.ContractPatch{Contract: am.ID, Reason: "carry installment 3"})
	require.NoError(t, err)
	assert.Equal(t, third.ID, am.Plan.Installments[2].Invoice, "revised, it carries it")
	assert.True(t, installmentSum(t, am).Equal(more))

	am, err = d.Contracts.Submit(ctx, d.Manager.ID, crm.SubmitContractRequest{Contract: am.ID})
	require.NoError(t, err)
	assert.Equal(t, []crm.ApprovalStep{crm.StepManager, crm.StepFinance}, am.Steps, "the same rules as any contract")
	_, err = d.Contracts.Approve(ctx, d.Manager.ID, crm.ApproveContractRequest{Contract: am.ID})
	assert.ErrorIs(t, err, crm.ErrForbidden, "four eyes: who drafted the amendment does not approve it")
	am, err = d.Contracts.Approve(ctx, d.Admin.ID, crm.ApproveContractRequest{Contract: am.ID})
	require.NoError(t, err)
	am = d.approve(t, am)
	assert.Equal(t, crm.ContractActive, d.get(t, orig.ID).Status, "approved is not signed: the contract runs on")

	am, err = d.Contracts.Sign(ctx, d.Ann.ID, crm.SignContractRequest{Contract: am.ID})
	require.NoError(t, err)
	assert.Equal(t, crm.ContractActive, am.Status)
	superseded := d.get(t, orig.ID)
	assert.Equal(t, crm.ContractSuperseded, superseded.Status)
	assert.Equal(t, am.ID, superseded.SupersededBy)
	assert.Equal(t, "amended by "+am.ID.String(), d.lastNote(t, orig.ID))

	_, err = d.Contracts.InvoiceInstallment(ctx, d.fin.ID, crm.InvoiceInstallmentRequest{Contract: orig.ID, Installment: 4})
	assert.ErrorIs(t, err, crm.ErrInvalidTransition, "the superseded contract is invoiced no more")
	_, err = d.Contracts.InvoiceInstallment(ctx, d.fin.ID, crm.InvoiceInstallmentRequest{Contract: am.ID, Installment: 3})
	assert.ErrorIs(t, err, crm.ErrConflict, "a carried installment is invoiced already")
	fourth := d.invoice(t, am, 4)
	assert.Equal(t, am.ID, fourth.Contract)

	_, err = d.Contracts.Submit(ctx, d.Ann.ID, crm.SubmitContractRequest{Contract: rival.ID})
	assert.ErrorIs(t, err, crm.ErrInvalidTransition, "of two amendments the first signed wins")

	states, err := d.Receivables.Invoices(ctx, d.fin.ID, crm.ReceivableQuery{Customer: d.cust})
	require.NoError(t, err)
	invoiced := crm.Zero(eur)
	for _, s := range states {
		invoiced, err = invoiced.Add(s.Invoice.Net)
		require.NoError(t, err)
	}
	planned := crm.Zero(eur)
	for _, in := range d.get(t, am.ID).Plan.Installments[:4] {
		planned, err = planned.Add(in.Amount)
		require.NoError(t, err)
	}
	assert.Equal(t, planned.String(), invoiced.String(), "the four invoices are the amendment's first four installments, each once")
	require.NoError(t, d.Ledger.Verify(ctx, d.fin.ID))
}

// contractRenew: a renewal drafts the next term from the day after the
// end, as long as the last, with the same customer, owner, amount and
// plan; approved and signed, it runs while the old contract expires at
// its end. A contract is renewed once.
func contractRenew(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	d := newDesk(t, newStore)
	endless := d.yearly()
	endless.End = crm.Date{}
	open := d.signed(t, endless)
	_, err := d.Contracts.Renew(ctx, d.Ann.ID, crm.RenewContractRequest{Contract: open.ID})
	assert.ErrorIs(t, err, crm.ErrInvalid, "a contract without an end has no next term")

	orig := d.signed(t, d.yearly())
	next, err := d.Contracts.Renew(ctx, d.Ann.ID, crm.RenewContractRequest{Contract: orig.ID, Reason: "second year"})
	require.NoError(t, err)
	assert.Equal(t, orig.ID, next.Renews)
	assert.Equal(t, crm.ContractDraft, next.Status)
	assert.Equal(t, day(2027, 4, 1), next.Start, "the day after the end")
	assert.Equal(t, day(2028, 3, 31), next.End, "a year again")
	assert.Equal(t, orig.Customer, next.Customer)
	assert.Equal(t, orig.Owner, next.Owner)
	assert.True(t, next.Amount.Equal(orig.Amount))
	assert.Equal(t, crm.PlanMonthly, next.Plan.Template)
	require.Len(t, next.Plan.Installments, 12)
	assert.Equal(t, day(2027, 4, 1), next.Plan.Installments[0].Due)
	assert.Equal(t, 1, next.Plan.Installments[0].Number)
	assert.Equal(t, orig.ID.String(), d.events(t, next.ID, crm.ContractDrafted)[0]["renews"])

	dearer := crm.MoneyFromMinor(1_320_000, eur)
	other, err := d.Contracts.Renew(ctx, d.Manager.ID, crm.RenewContractRequest{Contract: orig.ID, Owner: d.Ben.ID,
		Changes: crm.ContractChanges{Amount: &dearer, Template: ptr(crm.PlanNet30)}})
	require.NoError(t, err, "drafts compete until one is signed")
	assert.Equal(t, d.Ben.ID, other.Owner)
	require.Len(t, other.Plan.Installments, 1)
	assert.Equal(t, day(2027, 5, 1), other.Plan.Installments[0].Due)

	next, err = d.Contracts.Submit(ctx, d.Ann.ID, crm.SubmitContractRequest{Contract: next.ID})
	require.NoError(t, err)
	next = d.approve(t, next)
	next, err = d.Contracts.Sign(ctx, d.Ann.ID, crm.SignContractRequest{Contract: next.ID})
	require.NoError(t, err)
	assert.Equal(t, crm.ContractActive, d.get(t, orig.ID).Status, "the old term runs to its end")
	_, err = d.Contracts.Renew(ctx, d.Ann.ID, crm.RenewContractRequest{Contract: orig.ID})
	assert.ErrorIs(t, err, crm.ErrConflict, "renewed once")
	other, err = d.Contracts.Submit(ctx, d.Manager.ID, crm.SubmitContractRequest{Contract: other.ID})
	require.NoError(t, err)
	other, err = d.Contracts.Approve(ctx, d.Admin.ID, crm.ApproveContractRequest{Contract: other.ID}) // Max drafted it
	require.NoError(t, err)
	other = d.approve(t, other)
	_, err = d.Contracts.Sign(ctx, d.Admin.ID, crm.SignContractRequest{Contract: other.ID})
	assert.ErrorIs(t, err, crm.ErrConflict, "a second renewal is not signed")

	d.at(day(2027, 4, 1))
	swept, err := d.Contracts.ExpireDue(ctx, d.Admin.ID, crm.ExpireDueRequest{})
	require.NoError(t, err)
	var ids []crm.ID
	for _, ct := range swept.Expired {
		ids = append(ids, ct.ID)
	}
	assert.Contains(t, ids, orig.ID, "the old term expires at its end")
	assert.NotContains(t, ids, next.ID)
	assert.Equal(t, crm.ContractExpired, d.get(t, orig.ID).Status)
	assert.Equal(t, crm.ContractActive, d.get(t, next.ID).Status)
}

// contractAmendRacesInvoicing: an amendment signed on one app server while
// the next installment of the contract it amends is invoiced on another.
// Whichever commits first, nothing is invoiced that the amendment does
// not carry: either the invoice is refused (the contract is superseded)
// or the signature is (the amendment would plan the installment again).
func contractAmendRacesInvoicing(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	for round := range 3 {
		d := newDesk(t, newStore)
		orig := d.signed(t, d.yearly())
		d.invoice(t, orig, 1)
		am, err := d.Contracts.Amend(ctx, d.Ann.ID, crm.AmendContractRequest{Contract: orig.ID, Reason: "longer hours",
			Changes: crm.ContractChanges{Terms: ptr("24/7")}})
		require.NoError(t, err)
		am, err = d.Contracts.Submit(ctx, d.Ann.ID, crm.SubmitContractRequest{Contract: am.ID})
		require.NoError(t, err)
		am = d.approve(t, am)

		var wg sync.WaitGroup
		var signErr, invoiceErr error
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, signErr = d.crm(0).Contracts.Sign(ctx, d.Ann.ID, crm.SignContractRequest{Contract: am.ID})
		}()
		go func() {
			defer wg.Done()
			_, invoiceErr = d.crm(1).Contracts.InvoiceInstallment(ctx, d.fin.ID, crm.InvoiceInstallmentRequest{Contract: orig.ID, Installment: 2})
		}()
		wg.Wait()
		require.True(t, (signErr == nil) != (invoiceErr == nil), "round %d: one wins: sign %v, invoice %v", round, signErr, invoiceErr)
		orig, am = d.get(t, orig.ID), d.get(t, am.ID)
		if signErr == nil {
			assert.ErrorIs(t, invoiceErr, crm.ErrInvalidTransition, "the superseded contract is not invoiced")
			assert.Equal(t, crm.ContractSuperseded, orig.Status)
			assert.True(t, orig.Plan.Installments[1].Invoice.IsZero())
		} else {
			assert.ErrorIs(t, signErr, crm.ErrConflict, "the amendment would plan installment 2 again")
			assert.Equal(t, crm.ContractActive, orig.Status)
			assert.Equal(t, crm.ContractApproved, am.Status)
		}
		done := 0
		for _, in := range orig.Plan.Installments {
			if !in.Invoice.IsZero() {
				done++
			}
		}
		states, err := d.Receivables.Invoices(ctx, d.fin.ID, crm.ReceivableQuery{Customer: d.cust})
		require.NoError(t, err)
		assert.Len(t, states, done, "every invoice is an installment of the contract, once")
		require.NoError(t, d.Ledger.Verify(ctx, d.fin.ID))
	}
}
