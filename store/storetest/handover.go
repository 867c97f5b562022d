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

// runHandover checks through the CRM that a customer changes owner with
// its work in progress: open deals, contracts in progress, open cases and
// pending follow-ups; that what is closed stays with who closed it; that
// the actor must be allowed to move every record, all or nothing; and
// that a hand-over racing the old owner's own changes, or the deals,
// follow-ups and cases they open meanwhile, leaves nothing with them.
func runHandover(t *testing.T, newStore NewStoreFunc) {
	t.Run("ReassignMovesWorkInProgress", func(t *testing.T) { handoverReassign(t, newStore) })
	t.Run("Report", func(t *testing.T) { handoverReport(t, newStore) })
	t.Run("AllOrNothing", func(t *testing.T) { handoverAllOrNothing(t, newStore) })
	t.Run("RacesOldOwner", func(t *testing.T) { handoverRace(t, newStore) })
	t.Run("PublicPool", func(t *testing.T) { handoverPool(t, newStore) })
	t.Run("PublicPoolRacesFollowUp", func(t *testing.T) { handoverPoolRace(t, newStore) })
	t.Run("Filters", func(t *testing.T) { handoverFilters(t, newStore) })
	t.Run("RacesNewWork", func(t *testing.T) { handoverRaceNewWork(t, newStore) })
	t.Run("RacesNewCases", func(t *testing.T) { handoverRaceNewCases(t, newStore) })
}

// portfolio is a customer of Ann's with a bit of everything on it.
type portfolio struct {
	*desk
	pipeline                  crm.Pipeline
	open, won, lost           crm.Deal
	draft, signed, terminated crm.Contract
	pending, done             crm.Activity
	openCase, resolvedCase    crm.Case
}

func newPortfolio(t *testing.T, newStore NewStoreFunc) *portfolio {
	t.Helper()
	ctx := context.Background()
	p := &portfolio{desk: newDesk(t, newStore)}
	var err error
	p.pipeline, err = p.Deals.CreatePipeline(ctx, p.Admin.ID, crm.NewPipeline{Name: "New business", Currency: eur})
	require.NoError(t, err)
	deal := func(title string) crm.Deal {
		d, err := p.Deals.Open(ctx, p.Ann.ID, crm.NewDeal{Pipeline: p.pipeline.ID, Customer: p.cust, Title: title,
			Amount: crm.MoneyFromMinor(500_000, eur)})
		require.NoError(t, err)
		return d
	}
	p.open, p.won, p.lost = deal("Fleet"), deal("Spare parts"), deal("Training")
	p.won, err = p.Deals.Win(ctx, p.Ann.ID, crm.WinDealRequest{Deal: p.won.ID})
	require.NoError(t, err)
	p.lost, err = p.Deals.Lose(ctx, p.Ann.ID, crm.LoseDealRequest{Deal: p.lost.ID, Reason: crm.LostPricing})
	require.NoError(t, err)

	p.draft, err = p.Contracts.Draft(ctx, p.Ann.ID, p.yearly())
	require.NoError(t, err)
	p.signed = p.desk.signed(t, p.yearly())
	p.terminated = p.desk.signed(t, p.yearly())
	p.terminated, err = p.Contracts.Terminate(ctx, p.Manager.ID, crm.TerminateContractRequest{Contract: p.terminated.ID, Reason: "moved abroad"})
	require.NoError(t, err)

	p.pending, err = p.Activities.Log(ctx, p.Ann.ID, crm.NewActivity{Type: crm.ActivityCall, Customer: p.cust, Deal: p.open.ID,
		Subject: "Pricing call", FollowUp: day(2026, 3, 5)})
	require.NoError(t, err)
	p.done, err = p.Activities.Log(ctx, p.Ann.ID, crm.NewActivity{Type: crm.ActivityTask, Customer: p.cust, Subject: "Send brochure",
		FollowUp: day(2026, 3, 4), Done: true})
	require.NoError(t, err)

	m, err := p.Experience.CreateTouchpointMap(ctx, p.Admin.ID, crm.NewTouchpointMap{Name: "Service", Touchpoints: []crm.Touchpoint{
		{Key: "hotline", Name: "Hotline", Channel: crm.ChannelContactCenter, Medium: crm.MediumPhone, Phase: crm.PhaseSupport, Department: "service"},
	}})
	require.NoError(t, err)
	openCase := func(subject string) crm.Case {
		c, err := p.Cases.Open(ctx, p.Ann.ID, crm.NewCase{Customer: p.cust, Kind: crm.Request, Subject: subject, Map: m.ID,
			Touchpoint: "hotline", Assignee: p.Ann.ID})
		require.NoError(t, err)
		return c.Case
	}
	p.openCase, p.resolvedCase = openCase("Delivery address"), openCase("Invoice copy")
	_, err = p.Cases.Resolve(ctx, p.Ann.ID, crm.ResolveCaseRequest{Case: p.resolvedCase.ID, Note: "sent"})
	require.NoError(t, err)
	return p
}

func handoverReassign(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	p := newPortfolio(t, newStore)
	p.Clock.Advance(10 * 24 * time.Hour)

	_, err := p.Customers.Reassign(ctx, p.Manager.ID, crm.ReassignCustomerRequest{Customer: p.cust, To: p.Ben.ID, Reason: "territory"})
	require.NoError(t, err)

	_, err = p.Deals.Move(ctx, p.Ben.ID, crm.MoveDealRequest{Deal: p.open.ID, Stage: "qualification"})
	require.NoError(t, err, "the new owner works the deal on his customer")
	d, err := p.Deals.Get(ctx, p.Admin.ID, p.open.ID)
	require.NoError(t, err)
	assert.Equal(t, p.Ben.ID, d.Owner)
	assert.Equal(t, "north", d.Team)
	for _, closed := range []crm.Deal{p.won, p.lost} {
		d, err := p.Deals.Get(ctx, p.Admin.ID, closed.ID)
		require.NoError(t, err)
		assert.Equal(t, p.Ann.ID, d.Owner, "%s: a closed deal stays with the rep who closed it", closed.Title)
		assert.Equal(t, closed.Version, d.Version)
	}

	today := p.Clock.Now()
	overdue := func(owner crm.ID) int {
		n := 0
		for _, err := range p.Activities.List(ctx, p.Admin.ID, crm.ActivityFilter{Owner: owner, OverdueOn: crm.DateOf(today)}) {
			require.NoError(t, err)
			n++
		}
		return n
	}
	assert.Zero(t, overdue(p.Ann.ID), "no follow-up stays overdue under the old owner's name")
	assert.Equal(t, 1, overdue(p.Ben.ID), "the new owner has it")
	_, err = p.Activities.CompleteFollowUp(ctx, p.Ben.ID, crm.CompleteFollowUpRequest{Activity: p.pending.ID})
	require.NoError(t, err, "and can do it")
	done := getActivity(t, p.Team.Store, p.done.ID)
	assert.Equal(t, p.Ann.ID, done.Owner, "done work stays with who did it")

	for id, want := range map[crm.ID]crm.ID{p.draft.ID: p.Ben.ID, p.signed.ID: p.Ben.ID, p.terminated.ID: p.Ann.ID} {
		assert.Equal(t, want, p.get(t, id).Owner)
	}
	cases := map[crm.ID]crm.ID{}
	require.NoError(t, p.Store.View(ctx, func(tx crm.ReadTx) error {
		for _, id := range []crm.ID{p.openCase.ID, p.resolvedCase.ID} {
			c, err := tx.Cases().Get(ctx, id)
			if err != nil {
				return err
			}
			cases[id] = c.Assignee
		}
		return nil
	}))
	assert.Equal(t, map[crm.ID]crm.ID{p.openCase.ID: p.Ben.ID, p.resolvedCase.ID: p.Ann.ID}, cases)

	for _, rec := range []struct {
		kind crm.Kind
		id   crm.ID
		typ  crm.EventType
	}{{crm.KindDeal, p.open.ID, crm.DealReassigned}, {crm.KindContract, p.draft.ID, crm.ContractReassigned},
		{crm.KindCase, p.openCase.ID, crm.CaseReassigned}, {crm.KindActivity, p.pending.ID, crm.ActivityReassigned}} {
		e := lastOf(t, p.Team, rec.kind, rec.id, rec.typ)
		assert.Equal(t, p.Manager.ID, e.Actor, "%s", rec.kind)
		cs, err := crm.DecodeChangeSet(e.Data)
		require.NoError(t, err)
		assert.Equal(t, "territory", cs.Reason)
	}
	_, err = p.Events.Verify(ctx)
	require.NoError(t, err)
}

// lastOf returns the last event of type typ about a record.
func lastOf(t *testing.T, tm *Team, kind crm.Kind, id crm.ID, typ crm.EventType) crm.Event {
	t.Helper()
	var found *crm.Event
	for _, e := range allEvents(t, tm.CRM) {
		if e.Kind == kind && e.Subject == id && e.Type == typ {
			found = &e
		}
	}
	require.NotNil(t, found, "no %s event on %s %s", typ, kind, id)
	return *found
}

func handoverReport(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	p := newPortfolio(t, newStore)
	second, err := p.Customers.Create(ctx, p.Ann.ID, crm.NewCustomer{Kind: crm.Partner, Name: "Second"})
	require.NoError(t, err)
	_, err = p.Users.Deactivate(ctx, p.Admin.ID, crm.DeactivateUserRequest{User: p.Ann.ID, Reason: "left"})
	require.NoError(t, err)

	r, err := p.Customers.HandOver(ctx, p.Manager.ID, crm.HandOverRequest{From: p.Ann.ID, To: p.Ben.ID, Reason: "Ann left"})
	require.NoError(t, err)
	assert.Equal(t, crm.HandOverCounts{Customers: 2, Deals: 1, Contracts: 2, Cases: 1, FollowUps: 1}, r.Moved)
	assert.Equal(t, crm.HandOverCounts{Deals: 2, Contracts: 1, Cases: 1}, r.Stayed)
	moved := map[crm.Kind][]crm.ID{}
	for _, it := range r.MovedItems {
		assert.Empty(t, it.Reason)
		moved[it.Kind] = append(moved[it.Kind], it.ID)
	}
	assert.ElementsMatch(t, []crm.ID{p.cust, second.ID}, moved[crm.KindCustomer])
	assert.Equal(t, []crm.ID{p.open.ID}, moved[crm.KindDeal])
	assert.ElementsMatch(t, []crm.ID{p.draft.ID, p.signed.ID}, moved[crm.KindContract])
	assert.Equal(t, []crm.ID{p.openCase.ID}, moved[crm.KindCase])
	assert.Equal(t, []crm.ID{p.pending.ID}, moved[crm.KindActivity])
	stayed := map[crm.ID]crm.StayReason{}
	for _, it := range r.StayedItems {
		stayed[it.ID] = it.Reason
	}
	assert.Equal(t, map[crm.ID]crm.StayReason{p.won.ID: crm.StayClosedDeal, p.lost.ID: crm.StayClosedDeal,
		p.terminated.ID: crm.StayEndedContract, p.resolvedCase.ID: crm.StayResolvedCase}, stayed)

	again, err := p.Customers.HandOver(ctx, p.Manager.ID, crm.HandOverRequest{From: p.Ann.ID, To: p.Ben.ID, Reason: "again"})
	require.NoError(t, err)
	assert.Zero(t, again.Moved, "nothing is left to move")
}

func handoverAllOrNothing(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	tm := NewTeam(t, newStore(t))
	cu, err := tm.Customers.Create(ctx, tm.Ann.ID, crm.NewCustomer{Kind: crm.Partner, Name: "Mixed"})
	require.NoError(t, err)
	p, err := tm.Deals.CreatePipeline(ctx, tm.Admin.ID, crm.NewPipeline{Name: "New business", Currency: eur})
	require.NoError(t, err)
	d, err := tm.Deals.Open(ctx, tm.Ann.ID, crm.NewDeal{Pipeline: p.ID, Customer: cu.ID, Title: "South deal", Amount: crm.MoneyFromMinor(100, eur)})
	require.NoError(t, err)
	// A deal stamped with another team, as records were before the team
	// followed its owner: the manager of north may not move it.
	require.NoError(t, tm.Store.Update(ctx, func(tx crm.Tx) error {
		legacy := d.Clone()
		legacy.Team, legacy.Version = "south", d.Version+1
		return tx.Deals().Update(ctx, legacy)
	}))
	before := verifiedHead(t, tm)
	_, err = tm.Customers.Reassign(ctx, tm.Manager.ID, crm.ReassignCustomerRequest{Customer: cu.ID, To: tm.Ben.ID})
	var fe *crm.ForbiddenError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, crm.KindDeal, fe.Kind)
	_, err = tm.Customers.HandOver(ctx, tm.Manager.ID, crm.HandOverRequest{From: tm.Ann.ID, To: tm.Ben.ID})
	assert.ErrorIs(t, err, crm.ErrForbidden)
	assert.Equal(t, before, verifiedHead(t, tm), "nothing was written")
	got, err := tm.Customers.Get(ctx, tm.Admin.ID, cu.ID)
	require.NoError(t, err)
	assert.Equal(t, tm.Ann.ID, got.Owner, "not even the customer the manager could move")

	_, err = tm.Customers.Reassign(ctx, tm.Admin.ID, crm.ReassignCustomerRequest{Customer: cu.ID, To: tm.Ben.ID})
	require.NoError(t, err)
	moved, err := tm.Deals.Get(ctx, tm.Admin.ID, d.ID)
	require.NoError(t, err)
	assert.Equal(t, tm.Ben.ID, moved.Owner)
	assert.Equal(t, "north", moved.Team, "the deal joins its new owner's team")
}

func verifiedHead(t *testing.T, tm *Team) crm.LogHead {
	t.Helper()
	h, err := tm.Events.Verify(context.Background())
	require.NoError(t, err)
	return h
}

// handoverRaceTrials bounds the race by count, not by time.
const handoverRaceTrials = 4

// handoverRace races a manager handing Ann's customers over with Ann
// updating her open deals: whatever the order, no open deal is left with
// Ann (on PostgreSQL, at READ COMMITTED, the deals' versions decide).
func handoverRace(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	for trial := range handoverRaceTrials {
		tm := NewTeam(t, newStore(t))
		p, err := tm.Deals.CreatePipeline(ctx, tm.Admin.ID, crm.NewPipeline{Name: "New business", Currency: eur})
		require.NoError(t, err)
		var deals []crm.ID
		for i := range 2 {
			cu, err := tm.Customers.Create(ctx, tm.Ann.ID, crm.NewCustomer{Kind: crm.Partner, Name: fmt.Sprintf("C%d", i)})
			require.NoError(t, err)
			for j := range 2 {
				d, err := tm.Deals.Open(ctx, tm.Ann.ID, crm.NewDeal{Pipeline: p.ID, Customer: cu.ID, Title: fmt.Sprintf("D%d.%d", i, j),
					Amount: crm.MoneyFromMinor(100, eur)})
				require.NoError(t, err)
				deals = append(deals, d.ID)
			}
		}
		const edits = 6
		errs := race(1+len(deals), func(i int) error {
			if i == 0 {
				_, err := tm.Customers.HandOver(ctx, tm.Manager.ID, crm.HandOverRequest{From: tm.Ann.ID, To: tm.Ben.ID, Reason: "Ann left"})
				return err
			}
			for k := range edits {
				title := fmt.Sprintf("edit %d", k)
				_, err := tm.Deals.Update(ctx, tm.Ann.ID, crm.DealPatch{Deal: deals[i-1], Title: &title})
				if errors.Is(err, crm.ErrForbidden) || errors.Is(err, crm.ErrNotFound) {
					return nil // Ann left, or the deal is Ben's now
				}
				if err != nil {
					return err
				}
			}
			return nil
		})
		for _, err := range errs {
			require.NoError(t, err, "trial %d", trial)
		}
		for _, id := range deals {
			d, err := tm.Deals.Get(ctx, tm.Admin.ID, id)
			require.NoError(t, err)
			assert.Equal(t, tm.Ben.ID, d.Owner, "trial %d: deal %s was left with Ann", trial, d.Title)
		}
		_, err = tm.Events.Verify(ctx)
		require.NoError(t, err)
	}
}

// handoverFilters checks at the port the filters a hand-over and the
// public pool look up by: a customer's pending follow-ups, activities
// since an instant, cases by assignee.
func handoverFilters(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	p := newPortfolio(t, newStore)
	p.Clock.Advance(time.Hour)
	later, err := p.Activities.Log(ctx, p.Manager.ID, crm.NewActivity{Type: crm.ActivityNote, Customer: p.cust, Subject: "Later"})
	require.NoError(t, err)
	ids := func(as []crm.Activity) []crm.ID {
		var out []crm.ID
		for _, a := range as {
			out = append(out, a.ID)
		}
		return out
	}
	require.NoError(t, p.Store.View(ctx, func(tx crm.ReadTx) error {
		page := crm.PageRequest{Limit: 10}
		got, err := tx.Activities().List(ctx, crm.ActivityFilter{Customer: p.cust, Pending: true}, page)
		require.NoError(t, err)
		assert.Equal(t, []crm.ID{p.pending.ID}, ids(got), "pending: a follow-up not done")
		got, err = tx.Activities().List(ctx, crm.ActivityFilter{Customer: p.cust, Since: later.At}, page)
		require.NoError(t, err)
		assert.Equal(t, []crm.ID{later.ID}, ids(got), "since: at or after the instant")
		got, err = tx.Activities().List(ctx, crm.ActivityFilter{Customer: p.cust, Owner: p.Ann.ID, Since: later.At}, page)
		require.NoError(t, err)
		assert.Empty(t, got)
		cases, err := tx.Cases().List(ctx, crm.CaseFilter{Customer: p.cust, Assignee: p.Ann.ID}, page)
		require.NoError(t, err)
		assert.Len(t, cases, 2)
		cases, err = tx.Cases().List(ctx, crm.CaseFilter{Assignee: p.Ben.ID}, page)
		require.NoError(t, err)
		assert.Empty(t, cases)
		return nil
	}))
}

// handoverRaceNewWork races a reassignment with the old owner opening
// deals and logging follow-ups on the customer: whatever the order, no
// open deal or pending follow-up of hers is left on a customer that is
// no longer hers.
func handoverRaceNewWork(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	for trial := range handoverRaceTrials {
		tm := NewTeam(t, newStore(t))
		p, err := tm.Deals.CreatePipeline(ctx, tm.Admin.ID, crm.NewPipeline{Name: "New business", Currency: eur})
		require.NoError(t, err)
		cu, err := tm.Customers.Create(ctx, tm.Ann.ID, crm.NewCustomer{Kind: crm.Partner, Name: "Busy"})
		require.NoError(t, err)
		errs := race(5, func(i int) error {
			var err error
			switch {
			case i == 0:
				_, err = tm.Customers.Reassign(ctx, tm.Manager.ID, crm.ReassignCustomerRequest{Customer: cu.ID, To: tm.Ben.ID, Reason: "cover"})
				return err
			case i%2 == 1:
				_, err = tm.Deals.Open(ctx, tm.Ann.ID, crm.NewDeal{Pipeline: p.ID, Customer: cu.ID, Title: fmt.Sprintf("D%d", i),
					Amount: crm.MoneyFromMinor(100, eur)})
			default:
				_, err = tm.Activities.Log(ctx, tm.Ann.ID, crm.NewActivity{Type: crm.ActivityCall, Customer: cu.ID,
					Subject: fmt.Sprintf("A%d", i), FollowUp: day(2026, 3, 20)})
			}
			if errors.Is(err, crm.ErrNotFound) {
				return nil // Ben's already
			}
			return err
		})
		for _, err := range errs {
			require.NoError(t, err, "trial %d", trial)
		}
		require.NoError(t, tm.Store.View(ctx, func(tx crm.ReadTx) error {
			deals, err := tx.Deals().List(ctx, crm.DealFilter{Customer: cu.ID, Owner: tm.Ann.ID, Status: crm.DealOpen}, crm.PageRequest{})
			require.NoError(t, err)
			assert.Empty(t, deals, "trial %d: an open deal was left with Ann", trial)
			acts, err := tx.Activities().List(ctx, crm.ActivityFilter{Customer: cu.ID, Owner: tm.Ann.ID, Pending: true}, crm.PageRequest{})
			require.NoError(t, err)
			assert.Empty(t, acts, "trial %d: a follow-up was left with Ann", trial)
			return nil
		}))
	}
}
