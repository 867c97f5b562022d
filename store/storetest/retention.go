package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runRetention checks the retention sweep through the CRM: the leads
// never converted and not changed or contacted for the rule's months, by
// the CRM's calendar, are erased through Erase, each with its event
// naming the rule; converted, contacted, recent, restricted and erased
// customers stay; a page at a time; a second sweep erases nothing; and
// who may run it.
func runRetention(t *testing.T, newStore NewStoreFunc) {
	t.Run("StaleLeads", func(t *testing.T) { retentionStaleLeads(t, newStore) })
	t.Run("Pages", func(t *testing.T) { retentionPages(t, newStore) })
	t.Run("Refusals", func(t *testing.T) { retentionRefusals(t, newStore) })
	t.Run("ConvertedMeanwhile", func(t *testing.T) { retentionConvertedMeanwhile(t, newStore) })
}

// retentionConvertedMeanwhile: a lead converted after the sweep read it,
// before it came to erase it, is skipped.
func retentionConvertedMeanwhile(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	tm := retentionTeam(t, newStore)
	first, err := tm.Customers.Create(ctx, tm.Ann.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: "First"})
	require.NoError(t, err)
	second, err := tm.Customers.Create(ctx, tm.Ann.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: "Second"})
	require.NoError(t, err)
	tm.Clock.Advance(200 * 24 * time.Hour)
	converted := false
	stop := tm.Events.Subscribe(func(ctx context.Context, events []crm.Event) {
		for _, e := range events {
			if e.Type == crm.CustomerErased && e.Subject == first.ID && !converted {
				converted = true
				_, err := tm.Customers.SetLifecycle(ctx, tm.Ann.ID, crm.SetLifecycleRequest{Customer: second.ID, Stage: crm.LifecycleOpportunity})
				assert.NoError(t, err)
			}
		}
	})
	defer stop()
	r, err := tm.Customers.ApplyRetention(ctx, tm.Admin.ID, crm.RetentionQuery{})
	require.NoError(t, err)
	require.True(t, converted)
	require.Len(t, r.Erased, 1)
	assert.Equal(t, first.ID, r.Erased[0].Erasure.Customer)
	assert.Equal(t, 1, r.Skipped, "converted meanwhile: skipped")
	got, err := tm.Customers.Get(ctx, tm.Admin.ID, second.ID)
	require.NoError(t, err)
	assert.Equal(t, "Second", got.Name)
}

// shanghai is a business calendar eight hours ahead of UTC, so that its
// days begin at 16:00 UTC the day before.
func shanghai(t *testing.T) crm.Calendar {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		loc = time.FixedZone("CST", 8*60*60)
	}
	return crm.Calendar{Location: loc}
}

// retentionTeam is a team whose CRM keeps leads for six months.
func retentionTeam(t *testing.T, newStore NewStoreFunc) *Team {
	return NewTeam(t, newStore(t), crm.WithCalendar(shanghai(t)), crm.WithRetention(crm.RetentionRule{Kind: crm.RetainLeads, Months: 6}))
}

func retentionStaleLeads(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	tm := retentionTeam(t, newStore)
	m, err := tm.Experience.CreateTouchpointMap(ctx, tm.Admin.ID, crm.NewTouchpointMap{Name: "Shop", Touchpoints: []crm.Touchpoint{
		{Key: "web", Name: "Website", Channel: crm.ChannelWeb, Medium: crm.MediumWeb, Phase: crm.PhaseOrdering},
	}})
	require.NoError(t, err)
	mk := func(name string, stage crm.LifecycleStage) crm.Customer {
		cu, err := tm.Customers.Create(ctx, tm.Ann.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: name, Lifecycle: stage,
			Contacts: []crm.Contact{{Name: name, Email: strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@example.com"}}})
		require.NoError(t, err)
		return cu
	}
	// Created on 2 March 2026 at 09:00 UTC, 17:00 in Shanghai.
	stale, mql := mk("Stale Lead", crm.LifecycleLead), mk("Marketing Qualified", crm.LifecycleMQL)
	archived := mk("Archived Lead", crm.LifecycleLead)
	_, err = tm.Customers.Archive(ctx, tm.Ann.ID, crm.ArchiveCustomerRequest{Customer: archived.ID, Reason: "no answer"})
	require.NoError(t, err)
	converted := mk("Converted", crm.LifecycleOpportunity)
	called, written := mk("Called Lead", crm.LifecycleLead), mk("Written Lead", crm.LifecycleLead)
	restricted := mk("Restricted Lead", crm.LifecycleLead)
	restrict(t, tm, restricted.ID)
	erased := mk("Erased Lead", crm.LifecycleLead)
	_, err = tm.Customers.Erase(ctx, tm.Admin.ID, crm.ErasureRequest{Customer: erased.ID, Reason: "asked"})
	require.NoError(t, err)

	tm.Clock.Set(time.Date(2026, 8, 1, 9, 0, 0, 0, time.UTC))
	_, err = tm.Activities.Log(ctx, tm.Ann.ID, crm.NewActivity{Type: crm.ActivityCall, Customer: called.ID, Subject: "Still interested?"})
	require.NoError(t, err)
	_, err = tm.Experience.RecordInteraction(ctx, tm.Ann.ID, crm.NewInteraction{Customer: written.ID, Map: m.ID, Touchpoint: "web",
		At: tm.Clock.Now(), Direction: crm.Inbound, Sentiment: crm.Neutral})
	require.NoError(t, err)
	fresh := mk("Fresh Lead", crm.LifecycleLead)

	// On 2 September at 08:00 UTC it is 16:00 in Shanghai: six months
	// before today began at the start of 2 March there, before the leads
	// were made.
	tm.Clock.Set(time.Date(2026, 9, 2, 8, 0, 0, 0, time.UTC))
	r, err := tm.Customers.ApplyRetention(ctx, tm.Admin.ID, crm.RetentionQuery{})
	require.NoError(t, err)
	assert.Empty(t, r.Erased, "not six months yet in the CRM's calendar")

	// At 16:30 UTC it is 3 September in Shanghai.
	tm.Clock.Set(time.Date(2026, 9, 2, 16, 30, 0, 0, time.UTC))
	r, err = tm.Customers.ApplyRetention(ctx, tm.Admin.ID, crm.RetentionQuery{})
	require.NoError(t, err)
	assert.True(t, r.Next.IsZero(), "the sweep is through")
	rule := crm.RetentionRule{Kind: crm.RetainLeads, Months: 6}
	cutoff := time.Date(2026, 3, 2, 16, 0, 0, 0, time.UTC) // 3 March 00:00 in Shanghai
	var got []crm.ID
	for _, e := range r.Erased {
		got = append(got, e.Erasure.Customer)
		assert.Equal(t, rule, e.Rule)
		assert.Equal(t, cutoff, e.Cutoff.UTC())
		assert.Contains(t, e.Erasure.Fields, "name")
		assert.NotEmpty(t, e.Erasure.Fields)
	}
	assert.Equal(t, []crm.ID{stale.ID, mql.ID, archived.ID}, got, "the stale leads, archived or not, in ID order")

	for _, id := range got {
		cu, err := tm.Customers.Get(ctx, tm.Admin.ID, id)
		require.NoError(t, err)
		assert.Equal(t, crm.ErasedValue, cu.Name)
		assert.Empty(t, cu.Contacts)
		assert.False(t, cu.ErasedAt.IsZero())
		e := lastOf(t, tm, crm.KindCustomer, id, crm.CustomerErased)
		assert.Contains(t, string(e.Data), "retention rule leads (6 months)", "each erasure an event naming its rule")
	}
	for _, cu := range []crm.Customer{converted, called, written, restricted, fresh} {
		got, err := tm.Customers.Get(ctx, tm.Admin.ID, cu.ID)
		require.NoError(t, err)
		assert.Equal(t, cu.Name, got.Name, "%s stays", cu.Name)
		assert.True(t, got.ErasedAt.IsZero(), "%s stays", cu.Name)
	}
	before := len(eventsOf(t, tm, erased.ID))

	again, err := tm.Customers.ApplyRetention(ctx, tm.Admin.ID, crm.RetentionQuery{})
	require.NoError(t, err)
	assert.Empty(t, again.Erased, "a second sweep erases nothing twice")
	assert.Len(t, eventsOf(t, tm, erased.ID), before, "an erased customer is not erased again")

	// Lifted, the restricted lead is due at the next sweep once its
	// record has not changed for the rule's months.
	_, err = tm.Customers.LiftRestriction(ctx, tm.Admin.ID, crm.RestrictionRequest{Customer: restricted.ID, Reason: "claim settled"})
	require.NoError(t, err)
	tm.Clock.Set(time.Date(2027, 3, 4, 0, 0, 0, 0, time.UTC))
	r, err = tm.Customers.ApplyRetention(ctx, tm.Admin.ID, crm.RetentionQuery{})
	require.NoError(t, err)
	got = nil
	for _, e := range r.Erased {
		got = append(got, e.Erasure.Customer)
	}
	assert.Equal(t, []crm.ID{called.ID, written.ID, restricted.ID, fresh.ID}, got)
	verifiedHead(t, tm)
}

// retentionPages: a sweep takes Limit records a call and says where to
// go on; the last page says it is through.
func retentionPages(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	tm := retentionTeam(t, newStore)
	var ids []crm.ID
	for _, name := range []string{"One", "Two", "Three"} {
		cu, err := tm.Customers.Create(ctx, tm.Ann.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: name})
		require.NoError(t, err)
		ids = append(ids, cu.ID)
	}
	tm.Clock.Advance(200 * 24 * time.Hour)
	var got []crm.ID
	q := crm.RetentionQuery{Limit: 2}
	for i := 0; ; i++ {
		require.Less(t, i, 3, "the sweep ends")
		r, err := tm.Customers.ApplyRetention(ctx, tm.Admin.ID, q)
		require.NoError(t, err)
		assert.LessOrEqual(t, len(r.Erased), 2)
		for _, e := range r.Erased {
			got = append(got, e.Erasure.Customer)
		}
		if r.Next.IsZero() {
			break
		}
		q.After = r.Next
	}
	assert.Equal(t, ids, got)
}

func retentionRefusals(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	tm := retentionTeam(t, newStore)
	_, err := tm.Customers.ApplyRetention(ctx, tm.Manager.ID, crm.RetentionQuery{})
	assert.ErrorIs(t, err, crm.ErrForbidden, "the erase grant on every customer: an admin's")
	_, err = tm.Customers.ApplyRetention(ctx, tm.Admin.ID, crm.RetentionQuery{Limit: -1})
	assert.ErrorIs(t, err, crm.ErrInvalid)
	_, err = tm.Customers.ApplyRetention(ctx, tm.Admin.ID, crm.RetentionQuery{Limit: crm.MaxPageSize + 1})
	assert.ErrorIs(t, err, crm.ErrInvalid)

	none := NewTeam(t, newStore(t))
	_, err = none.Customers.ApplyRetention(ctx, none.Admin.ID, crm.RetentionQuery{})
	assert.ErrorIs(t, err, crm.ErrInvalid, "no rules, no sweep")
}
