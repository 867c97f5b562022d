package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runRestriction checks restriction of processing (Article 18 GDPR)
// through the CRM: restricting and lifting are recorded with their
// reason, once; the writes that would process a restricted customer's
// data are refused with a *crm.RestrictedError and change nothing, those
// that keep it (rectification, storage, receivables) go on; listings
// leave restricted customers out unless asked; the public pool, the
// fading sweep, the ladder's distribution, the experience analytics and
// the work report's untouched key accounts pass them over.
func runRestriction(t *testing.T, newStore NewStoreFunc) {
	t.Run("RestrictAndLift", func(t *testing.T) { restrictAndLift(t, newStore) })
	t.Run("Writes", func(t *testing.T) { restrictionWrites(t, newStore) })
	t.Run("Listings", func(t *testing.T) { restrictionListings(t, newStore) })
	t.Run("Sweeps", func(t *testing.T) { restrictionSweeps(t, newStore) })
}

// restrict restricts the customer as the admin and returns it.
func restrict(t *testing.T, tm *Team, customer crm.ID) crm.Customer {
	t.Helper()
	cu, err := tm.Customers.Restrict(context.Background(), tm.Admin.ID, crm.RestrictionRequest{Customer: customer,
		Reason: "accuracy contested (Art. 18(1)(a))"})
	require.NoError(t, err)
	require.True(t, cu.Restricted())
	return cu
}

func restrictAndLift(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	tm := NewTeam(t, newStore(t))
	cu, err := tm.Customers.Create(ctx, tm.Ann.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: "Jane Roe"})
	require.NoError(t, err)
	tm.Clock.Advance(time.Hour)

	_, err = tm.Customers.Restrict(ctx, tm.Admin.ID, crm.RestrictionRequest{Customer: cu.ID})
	assert.ErrorIs(t, err, crm.ErrInvalid, "a restriction needs its reason")
	_, err = tm.Customers.Restrict(ctx, tm.Manager.ID, crm.RestrictionRequest{Customer: cu.ID, Reason: "asked"})
	assert.ErrorIs(t, err, crm.ErrForbidden, "an admin's, by default")
	_, err = tm.Customers.Restrict(ctx, tm.Sue.ID, crm.RestrictionRequest{Customer: cu.ID, Reason: "asked"})
	assert.ErrorIs(t, err, crm.ErrNotFound, "a customer out of reach is not there")

	got := restrict(t, tm, cu.ID)
	assert.Equal(t, tm.Clock.Now().UTC(), got.RestrictedAt.UTC())
	assert.Equal(t, cu.Version+1, got.Version)
	read, err := tm.Customers.Get(ctx, tm.Ann.ID, cu.ID)
	require.NoError(t, err)
	assert.Equal(t, got.RestrictedAt.UTC(), read.RestrictedAt.UTC(), "kept: the owner still reads the record")
	e := lastOf(t, tm, crm.KindCustomer, cu.ID, crm.CustomerRestricted)
	cs, err := crm.DecodeChangeSet(e.Data)
	require.NoError(t, err)
	assert.Equal(t, "accuracy contested (Art. 18(1)(a))", cs.Reason)
	assert.Equal(t, []crm.Change{{Field: "restricted", From: false, To: true}}, cs.Changes)

	again := restrict(t, tm, cu.ID)
	assert.Equal(t, got.Version, again.Version, "restricting a restricted customer changes nothing")
	assert.Equal(t, got.RestrictedAt.UTC(), again.RestrictedAt.UTC())

	tm.Clock.Advance(time.Hour)
	lifted, err := tm.Customers.LiftRestriction(ctx, tm.Admin.ID, crm.RestrictionRequest{Customer: cu.ID, Reason: "accuracy verified"})
	require.NoError(t, err)
	assert.False(t, lifted.Restricted())
	assert.True(t, lifted.RestrictedAt.IsZero())
	e = lastOf(t, tm, crm.KindCustomer, cu.ID, crm.CustomerRestrictionLifted)
	cs, err = crm.DecodeChangeSet(e.Data)
	require.NoError(t, err)
	assert.Equal(t, "accuracy verified", cs.Reason)
	same, err := tm.Customers.LiftRestriction(ctx, tm.Admin.ID, crm.RestrictionRequest{Customer: cu.ID, Reason: "again"})
	require.NoError(t, err)
	assert.Equal(t, lifted.Version, same.Version, "lifting what is not there changes nothing")
	assert.Equal(t, []crm.EventType{crm.CustomerCreated, crm.CustomerRestricted, crm.CustomerRestrictionLifted}, eventsOf(t, tm, cu.ID))
	verifiedHead(t, tm)
}

// restrictionWrites tries every kind of write on a restricted customer
// with a bit of everything: each write that processes the customer's
// data is refused and leaves the log as it was; the others go on.
func restrictionWrites(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	p := newPortfolio(t, newStore)
	m, err := p.Experience.CreateTouchpointMap(ctx, p.Admin.ID, crm.NewTouchpointMap{Name: "Shop", Touchpoints: []crm.Touchpoint{
		{Key: "web", Name: "Website", Channel: crm.ChannelWeb, Medium: crm.MediumWeb, Phase: crm.PhaseOrdering},
	}})
	require.NoError(t, err)
	cu := restrict(t, p.Team, p.cust)

	refused := []struct {
		write string
		run   func() error
	}{
		{"record an interaction", func() error {
			return errOnly(p.Experience.RecordInteraction(ctx, p.Ann.ID, crm.NewInteraction{Customer: p.cust, Map: m.ID, Touchpoint: "web",
				Direction: crm.Inbound, Sentiment: crm.Positive}))
		}},
		{"record ladder evidence", func() error {
			return errOnly(p.Ladder.RecordEvidence(ctx, p.Ann.ID, crm.NewEvidence{Customer: p.cust, Kind: crm.EvidencePurchase}))
		}},
		{"set the lifecycle stage", func() error {
			return errOnly(p.Customers.SetLifecycle(ctx, p.Ann.ID, crm.SetLifecycleRequest{Customer: p.cust, Stage: crm.LifecycleEvangelist}))
		}},
		{"log an activity", func() error {
			return errOnly(p.Activities.Log(ctx, p.Ann.ID, crm.NewActivity{Type: crm.ActivityCall, Customer: p.cust, Subject: "Offer"}))
		}},
		{"complete a follow-up", func() error {
			return errOnly(p.Activities.Complete(ctx, p.Ann.ID, crm.CompleteActivityRequest{Activity: p.pending.ID}))
		}},
		{"open a deal", func() error {
			return errOnly(p.Deals.Open(ctx, p.Ann.ID, crm.NewDeal{Pipeline: p.pipeline.ID, Customer: p.cust, Title: "Upsell",
				Amount: crm.MoneyFromMinor(100_00, eur)}))
		}},
		{"win a deal", func() error { return errOnly(p.Deals.Win(ctx, p.Ann.ID, crm.WinDealRequest{Deal: p.open.ID})) }},
		{"open a case", func() error {
			return errOnly(p.Cases.Open(ctx, p.Ann.ID, crm.NewCase{Customer: p.cust, Kind: crm.Request, Subject: "Brochure", Map: m.ID,
				Touchpoint: "web", Assignee: p.Ann.ID}))
		}},
		{"resolve a case", func() error {
			return errOnly(p.Cases.Resolve(ctx, p.Ann.ID, crm.ResolveCaseRequest{Case: p.openCase.ID, Note: "done"}))
		}},
		{"draft a contract", func() error { return errOnly(p.Contracts.Draft(ctx, p.Ann.ID, p.yearly())) }},
	}
	for _, tc := range refused {
		before := verifiedHead(t, p.Team)
		err := tc.run()
		var re *crm.RestrictedError
		if assert.ErrorAs(t, err, &re, tc.write) {
			assert.ErrorIs(t, err, crm.ErrRestricted, tc.write)
			assert.Equal(t, p.cust, re.Customer, tc.write)
			assert.Equal(t, cu.RestrictedAt.UTC(), re.Since.UTC(), tc.write)
		}
		assert.Equal(t, before, verifiedHead(t, p.Team), "%s: refused, it changed nothing", tc.write)
	}

	allowed := []struct {
		write string
		run   func() error
	}{
		{"rectify the record", func() error {
			return errOnly(p.Customers.Update(ctx, p.Ann.ID, crm.CustomerPatch{Customer: p.cust, Name: ptr("Contoso Ltd")}))
		}},
		{"invoice a signed contract's installment", func() error {
			return errOnly(p.Contracts.InvoiceInstallment(ctx, p.fin.ID, crm.InvoiceInstallmentRequest{Contract: p.signed.ID, Installment: 1}))
		}},
		{"receive a payment", func() error {
			return errOnly(p.Ledger.ReceivePayment(ctx, p.fin.ID, crm.NewPayment{Customer: p.cust, Amount: crm.MoneyFromMinor(50_00, eur)}))
		}},
		{"reassign the customer", func() error {
			return errOnly(p.Customers.Reassign(ctx, p.Manager.ID, crm.ReassignCustomerRequest{Customer: p.cust, To: p.Ben.ID, Reason: "rebalance"}))
		}},
	}
	for _, tc := range allowed {
		assert.NoError(t, tc.run(), tc.write)
	}
	got, err := p.Customers.Get(ctx, p.Admin.ID, p.cust)
	require.NoError(t, err)
	assert.True(t, got.Restricted(), "still restricted after the writes that keep the data")

	_, err = p.Customers.LiftRestriction(ctx, p.Admin.ID, crm.RestrictionRequest{Customer: p.cust, Reason: "objection rejected"})
	require.NoError(t, err)
	_, err = p.Activities.Log(ctx, p.Ben.ID, crm.NewActivity{Type: crm.ActivityCall, Customer: p.cust, Subject: "Offer"})
	assert.NoError(t, err, "processed again once lifted")
	verifiedHead(t, p.Team)
}

func restrictionListings(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	tm := NewTeam(t, newStore(t))
	var all []crm.Customer
	for _, name := range []string{"Ada", "Bo", "Cy", "Di"} {
		cu, err := tm.Customers.Create(ctx, tm.Ann.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: name, Tags: []string{"vip"}})
		require.NoError(t, err)
		all = append(all, cu)
	}
	restrict(t, tm, all[1].ID)
	restrict(t, tm, all[3].ID)
	names := func(f crm.CustomerFilter) []string {
		t.Helper()
		var out []string
		for cu, err := range tm.Customers.List(ctx, tm.Ann.ID, f) {
			require.NoError(t, err)
			out = append(out, cu.Name)
		}
		return out
	}
	assert.Equal(t, []string{"Ada", "Cy"}, names(crm.CustomerFilter{}), "left out by default")
	assert.Equal(t, []string{"Ada", "Cy"}, names(crm.CustomerFilter{Tag: "vip", Owner: tm.Ann.ID}))
	assert.Equal(t, []string{"Ada", "Bo", "Cy", "Di"}, names(crm.CustomerFilter{Restricted: crm.RestrictedIncluded}))
	assert.Equal(t, []string{"Bo", "Di"}, names(crm.CustomerFilter{Restricted: crm.RestrictedOnly, Tag: "vip"}))
	assert.Equal(t, []string{"Bo", "Di"}, names(crm.CustomerFilter{Restricted: crm.RestrictedOnly, Stage: crm.Indifferent}))

	var port []crm.ID
	view(t, tm.Store, func(tx crm.ReadTx) error {
		cs, err := tx.Customers().List(ctx, crm.CustomerFilter{Restricted: crm.RestrictedOnly}, crm.PageRequest{Limit: 1})
		for _, c := range cs {
			port = append(port, c.ID)
		}
		return err
	})
	assert.Equal(t, []crm.ID{all[1].ID}, port, "a page of the port's listing")

	// A hand-over moves restricted customers too: who keeps the record
	// is storage, not processing.
	r, err := tm.Customers.HandOver(ctx, tm.Manager.ID, crm.HandOverRequest{From: tm.Ann.ID, To: tm.Ben.ID, Reason: "Ann left"})
	require.NoError(t, err)
	assert.Equal(t, 4, r.Moved.Customers)
}

// restrictionSweeps: the public pool, the fading sweep, the ladder's
// distribution and the untouched key accounts pass restricted customers
// over, and take them again once the restriction is lifted.
func restrictionSweeps(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	day := 24 * time.Hour
	tm := NewTeam(t, newStore(t), crm.WithPublicPool(crm.PoolRule{IdleDays: 30}))
	m, err := tm.Experience.CreateTouchpointMap(ctx, tm.Admin.ID, crm.NewTouchpointMap{Name: "Shop", Touchpoints: []crm.Touchpoint{
		{Key: "web", Name: "Website", Channel: crm.ChannelWeb, Medium: crm.MediumWeb, Phase: crm.PhaseOrdering},
	}})
	require.NoError(t, err)
	mk := func(name string) crm.Customer {
		cu, err := tm.Customers.Create(ctx, tm.Ann.ID, crm.NewCustomer{Kind: crm.Distributor, Name: name, KeyAccount: true})
		require.NoError(t, err)
		_, err = tm.Experience.RecordInteraction(ctx, tm.Ann.ID, crm.NewInteraction{Customer: cu.ID, Map: m.ID, Touchpoint: "web",
			At: tm.Clock.Now(), Direction: crm.Inbound, Sentiment: crm.VeryPositive, Resolved: true})
		require.NoError(t, err)
		return cu
	}
	open, kept := mk("Open"), mk("Kept")
	restrict(t, tm, kept.ID)

	dist := func() map[crm.LoyaltyStage]int64 {
		t.Helper()
		rows, err := tm.Ladder.Distribution(ctx, tm.Admin.ID, crm.DistributionQuery{})
		require.NoError(t, err)
		out := map[crm.LoyaltyStage]int64{}
		for _, r := range rows {
			if r.Customers > 0 {
				out[r.Stage] = r.Customers
			}
		}
		return out
	}
	assert.Equal(t, map[crm.LoyaltyStage]int64{crm.Satisfied: 1}, dist(), "the distribution profiles no restricted customer")

	untouched := func() []crm.ID {
		t.Helper()
		r, err := tm.Activities.WorkReport(ctx, tm.Admin.ID, crm.WorkQuery{Team: "north", Today: crm.DateOf(tm.Clock.Now()), UntouchedDays: 1})
		require.NoError(t, err)
		var out []crm.ID
		for _, u := range r.Counts.Untouched {
			out = append(out, u.Customer)
		}
		return out
	}
	assert.Equal(t, []crm.ID{open.ID}, untouched(), "no work list names a restricted customer")

	stats, err := tm.Experience.Stats(ctx, tm.Admin.ID, crm.ExperienceQuery{})
	require.NoError(t, err)
	require.Len(t, stats, 1)
	assert.Equal(t, int64(1), stats[0].Interactions, "experience analytics count no restricted customer's contacts")
	view(t, tm.Store, func(tx crm.ReadTx) error {
		moments, err := tx.Analytics().MomentsOfTruth(ctx, crm.MomentsQuery{From: epoch.Add(-time.Hour), To: epoch.Add(time.Hour)})
		require.NoError(t, err)
		require.Len(t, moments, 1)
		assert.Equal(t, crm.MomentCount{Touchpoint: "web", Contacts: 1, Up: 1}, moments[0], "nor their moments of truth")
		return nil
	})
	var movers []crm.ID
	for mv, err := range tm.Ladder.Movers(ctx, tm.Admin.ID, crm.MoversQuery{}) {
		require.NoError(t, err)
		movers = append(movers, mv.Customer)
	}
	assert.Equal(t, []crm.ID{open.ID}, movers, "nor the ladder's movers")

	tm.Clock.Advance(400 * day)
	fading, err := tm.Ladder.CheckFading(ctx, tm.Admin.ID, crm.FadingQuery{})
	require.NoError(t, err)
	assert.Equal(t, 1, fading.Customers, "the fading sweep passes the restricted customer over")
	for _, mv := range fading.Moves {
		assert.Equal(t, open.ID, mv.Customer)
	}
	pooled, err := tm.Customers.ReturnIdle(ctx, tm.Admin.ID)
	require.NoError(t, err)
	assert.Equal(t, []crm.PooledRecord{{Customer: open.ID, Name: "Open", Owner: tm.Ann.ID, Team: "north"}}, pooled.Customers,
		"nor does the public pool take them")

	_, err = tm.Customers.LiftRestriction(ctx, tm.Admin.ID, crm.RestrictionRequest{Customer: kept.ID, Reason: "claim settled"})
	require.NoError(t, err)
	fading, err = tm.Ladder.CheckFading(ctx, tm.Admin.ID, crm.FadingQuery{})
	require.NoError(t, err)
	assert.Equal(t, 1, fading.Customers, "lifted, fading catches up")
	for _, mv := range fading.Moves {
		assert.Equal(t, kept.ID, mv.Customer)
		assert.True(t, mv.At.Before(tm.Clock.Now()), "dated when it faded, before the restriction was lifted")
	}
	assert.Equal(t, map[crm.LoyaltyStage]int64{crm.Indifferent: 2}, dist())
}
