package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runActivityWork checks activities as work through the CRM: an activity
// is updated, rescheduled (to a time), completed and cancelled, each
// recorded; completing twice or changing a cancelled activity is a
// *crm.TransitionError that changes nothing; a cancelled follow-up is
// neither pending nor overdue; the work report lists the key accounts
// untouched for N days and the deals with no next activity, cut at its
// limit and counted in full; the invalid-visit rule is the CRM's; and of
// many concurrent completions of one activity exactly one wins.
func runActivityWork(t *testing.T, newStore NewStoreFunc) {
	t.Run("Lifecycle", func(t *testing.T) { runActivityLifecycle(t, newStore) })
	t.Run("Untouched", func(t *testing.T) { runUntouchedKeyAccounts(t, newStore) })
	t.Run("NoNextActivity", func(t *testing.T) { runDealsWithoutNext(t, newStore) })
	t.Run("VisitRule", func(t *testing.T) { runVisitRule(t, newStore) })
	t.Run("ConcurrentCompletes", func(t *testing.T) { runConcurrentCompletes(t, newStore) })
}

// eventsOf returns the types of the events recorded about subject.
func eventsOf(t *testing.T, tm *Team, subject crm.ID) []crm.EventType {
	t.Helper()
	var out []crm.EventType
	for e, err := range tm.Events.Feed(context.Background(), 0) {
		require.NoError(t, err)
		if e.Subject == subject {
			out = append(out, e.Type)
		}
	}
	return out
}

func getActivity(t *testing.T, s crm.Store, id crm.ID) crm.Activity {
	t.Helper()
	var a crm.Activity
	view(t, s, func(tx crm.ReadTx) error {
		var err error
		a, err = tx.Activities().Get(context.Background(), id)
		return err
	})
	return a
}

func runActivityLifecycle(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	tm := NewTeam(t, newStore(t))
	cu, err := tm.Customers.Create(ctx, tm.Ann.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: "Globex"})
	require.NoError(t, err)
	at := epoch.Add(26 * time.Hour) // 3 March, 11:00
	call, err := tm.Activities.Log(ctx, tm.Ann.ID, crm.NewActivity{Type: crm.ActivityCall, Customer: cu.ID, Subject: "intro call",
		FollowUpAt: at, Duration: 20 * time.Minute})
	require.NoError(t, err)
	assert.Equal(t, crm.ActivityPending, call.Status)
	assert.Equal(t, at, call.FollowUpAt, "a follow-up with a time")
	assert.Equal(t, day(2026, 3, 3), call.FollowUp, "and its business date")
	assert.Equal(t, call, getActivity(t, tm.Store, call.ID), "the store keeps status, time and duration")

	_, err = tm.Activities.Log(ctx, tm.Ann.ID, crm.NewActivity{Type: crm.ActivityCall, Customer: cu.ID, Subject: "x",
		FollowUp: day(2026, 3, 4), FollowUpAt: at})
	assert.ErrorIs(t, err, crm.ErrInvalid, "a date that is not the time's")

	t.Run("Update", func(t *testing.T) {
		_, err := tm.Activities.Update(ctx, tm.Ann.ID, crm.ActivityPatch{Activity: call.ID, Outcome: ptr("wants a demo"), IfVersion: 7})
		var ce *crm.ConflictError
		require.ErrorAs(t, err, &ce, "an update names the version it changes")
		_, err = tm.Activities.Update(ctx, tm.Ben.ID, crm.ActivityPatch{Activity: call.ID, Outcome: ptr("mine")})
		assert.Error(t, err, "another rep may not change Ann's work")
		got, err := tm.Activities.Update(ctx, tm.Ann.ID, crm.ActivityPatch{Activity: call.ID, Subject: ptr("intro call, Globex"),
			Outcome: ptr("wants a demo"), NextStep: ptr("book the demo"), Duration: ptr(25 * time.Minute), IfVersion: 1})
		require.NoError(t, err)
		assert.Equal(t, int64(2), got.Version)
		assert.Equal(t, "wants a demo", got.Outcome)
		assert.Equal(t, 25*time.Minute, got.Duration)
		assert.Equal(t, got, getActivity(t, tm.Store, call.ID))
		same, err := tm.Activities.Update(ctx, tm.Ann.ID, crm.ActivityPatch{Activity: call.ID, Outcome: ptr("wants a demo")})
		require.NoError(t, err)
		assert.Equal(t, int64(2), same.Version, "a change that changes nothing records nothing")
		call = got
	})

	t.Run("Reschedule", func(t *testing.T) {
		_, err := tm.Activities.Reschedule(ctx, tm.Ann.ID, crm.RescheduleActivityRequest{Activity: call.ID, FollowUp: day(2026, 3, 1)})
		assert.ErrorIs(t, err, crm.ErrInvalid, "not into the past")
		_, err = tm.Activities.Reschedule(ctx, tm.Ann.ID, crm.RescheduleActivityRequest{Activity: call.ID})
		assert.ErrorIs(t, err, crm.ErrInvalid, "to somewhen")
		later := epoch.Add(7*24*time.Hour + 5*time.Hour) // 9 March, 14:00
		got, err := tm.Activities.Reschedule(ctx, tm.Manager.ID, crm.RescheduleActivityRequest{Activity: call.ID, FollowUpAt: later})
		require.NoError(t, err, "the team's manager may reschedule")
		assert.Equal(t, later, got.FollowUpAt)
		assert.Equal(t, day(2026, 3, 9), got.FollowUp)
		assert.Equal(t, crm.ActivityPending, got.Status)
		assert.Equal(t, got, getActivity(t, tm.Store, call.ID))
		call = got
	})

	t.Run("Complete", func(t *testing.T) {
		got, err := tm.Activities.Complete(ctx, tm.Ann.ID, crm.CompleteActivityRequest{Activity: call.ID, Outcome: "demo booked"})
		require.NoError(t, err)
		assert.Equal(t, crm.ActivityDone, got.Status)
		assert.True(t, got.Done, "Done stays readable")
		assert.Equal(t, "demo booked", got.Outcome)
		for name, err := range map[string]error{
			"complete":               errOnly(tm.Activities.Complete(ctx, tm.Ann.ID, crm.CompleteActivityRequest{Activity: call.ID})),
			"complete the follow-up": errOnly(tm.Activities.CompleteFollowUp(ctx, tm.Ann.ID, crm.CompleteFollowUpRequest{Activity: call.ID})),
			"reschedule":             errOnly(tm.Activities.Reschedule(ctx, tm.Ann.ID, crm.RescheduleActivityRequest{Activity: call.ID, FollowUp: day(2026, 3, 20)})),
			"cancel":                 errOnly(tm.Activities.Cancel(ctx, tm.Ann.ID, crm.CancelActivityRequest{Activity: call.ID, Reason: "late"})),
		} {
			var te *crm.TransitionError
			assert.ErrorAs(t, err, &te, "%s a done activity", name)
		}
		assert.Equal(t, got, getActivity(t, tm.Store, call.ID), "nothing changed")
		written, err := tm.Activities.Update(ctx, tm.Ann.ID, crm.ActivityPatch{Activity: call.ID, NextStep: ptr("send the quote")})
		require.NoError(t, err, "a done activity's report may still be written up")
		assert.Equal(t, crm.ActivityDone, written.Status)
		assert.Equal(t, []crm.EventType{crm.ActivityLogged, crm.ActivityUpdated, crm.ActivityRescheduled, crm.ActivityCompleted, crm.ActivityUpdated},
			eventsOf(t, tm, call.ID))
	})

	t.Run("Cancel", func(t *testing.T) {
		task, err := tm.Activities.Log(ctx, tm.Ann.ID, crm.NewActivity{Type: crm.ActivityTask, Customer: cu.ID, Subject: "send brochure",
			FollowUp: day(2026, 3, 2)})
		require.NoError(t, err)
		overdue := func() int {
			n := 0
			for a, err := range tm.Activities.List(ctx, tm.Ann.ID, crm.ActivityFilter{OverdueOn: day(2026, 3, 5)}) {
				require.NoError(t, err)
				if a.ID == task.ID {
					n++
				}
			}
			return n
		}
		require.Equal(t, 1, overdue())
		_, err = tm.Activities.Cancel(ctx, tm.Ann.ID, crm.CancelActivityRequest{Activity: task.ID, Reason: "  "})
		assert.ErrorIs(t, err, crm.ErrInvalid, "a reason is required")
		got, err := tm.Activities.Cancel(ctx, tm.Ann.ID, crm.CancelActivityRequest{Activity: task.ID, Reason: "they have it already", IfVersion: 1})
		require.NoError(t, err)
		assert.Equal(t, crm.ActivityCancelled, got.Status)
		assert.Equal(t, "they have it already", got.CancelReason)
		assert.False(t, got.Pending())
		assert.False(t, got.Done)
		assert.Equal(t, got, getActivity(t, tm.Store, task.ID))
		assert.Equal(t, 0, overdue(), "a cancelled follow-up is not overdue")
		report, err := tm.Activities.WorkReport(ctx, tm.Ann.ID, crm.WorkQuery{Owner: tm.Ann.ID, Today: day(2026, 3, 5)})
		require.NoError(t, err)
		assert.Zero(t, report.Counts.Overdue)
		for name, err := range map[string]error{
			"update":     errOnly(tm.Activities.Update(ctx, tm.Ann.ID, crm.ActivityPatch{Activity: task.ID, Subject: ptr("again")})),
			"reschedule": errOnly(tm.Activities.Reschedule(ctx, tm.Ann.ID, crm.RescheduleActivityRequest{Activity: task.ID, FollowUp: day(2026, 3, 20)})),
			"complete":   errOnly(tm.Activities.Complete(ctx, tm.Ann.ID, crm.CompleteActivityRequest{Activity: task.ID})),
			"cancel":     errOnly(tm.Activities.Cancel(ctx, tm.Ann.ID, crm.CancelActivityRequest{Activity: task.ID, Reason: "again"})),
		} {
			var te *crm.TransitionError
			assert.ErrorAs(t, err, &te, "%s a cancelled activity", name)
		}
		assert.Equal(t, got, getActivity(t, tm.Store, task.ID), "nothing changed")
		assert.Equal(t, []crm.EventType{crm.ActivityLogged, crm.ActivityCancelledEvent}, eventsOf(t, tm, task.ID))
	})
	_, err = tm.Events.Verify(ctx)
	require.NoError(t, err)
}

func errOnly[T any](_ T, err error) error { return err }

// runUntouchedKeyAccounts: Ann's active key accounts untouched for 30
// days are listed, never touched first, then the longest untouched; a
// touch is anyone's activity that was not cancelled; the list is cut at
// the limit and counted in full; her manager sees the team's.
func runUntouchedKeyAccounts(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	tm := NewTeam(t, newStore(t))
	customer := func(owner crm.User, name string, key bool) crm.Customer {
		cu, err := tm.Customers.Create(ctx, owner.ID, crm.NewCustomer{Kind: crm.Distributor, Name: name, KeyAccount: key})
		require.NoError(t, err)
		return cu
	}
	touch := func(by crm.User, cu crm.Customer, daysAgo int) crm.Activity {
		a, err := tm.Activities.Log(ctx, by.ID, crm.NewActivity{Type: crm.ActivityCall, Customer: cu.ID, Subject: "check-in",
			At: epoch.Add(-time.Duration(daysAgo) * 24 * time.Hour)})
		require.NoError(t, err)
		return a
	}
	old := customer(tm.Ann, "Old friend", true)
	touch(tm.Ann, old, 45)
	older := customer(tm.Ann, "Older friend", true)
	touch(tm.Ann, older, 60)
	recent := customer(tm.Ann, "Recent", true)
	touch(tm.Ann, recent, 60)
	touch(tm.Manager, recent, 3) // the manager's visit touches it too
	edge := customer(tm.Ann, "On the edge", true)
	touch(tm.Ann, edge, 30) // 30 days before 2 March at 09:00: on the first day of the window
	never := customer(tm.Ann, "Never", true)
	cancelled := customer(tm.Ann, "Called off", true)
	called := touch(tm.Ann, cancelled, 1)
	_, err := tm.Activities.Cancel(ctx, tm.Ann.ID, crm.CancelActivityRequest{Activity: called.ID, Reason: "did not happen"})
	require.NoError(t, err)
	customer(tm.Ann, "Small fish", false)
	archived := customer(tm.Ann, "Archived", true)
	_, err = tm.Customers.Archive(ctx, tm.Ann.ID, crm.ArchiveCustomerRequest{Customer: archived.ID, Reason: "closed down"})
	require.NoError(t, err)
	bens := customer(tm.Ben, "Ben's", true)

	q := crm.WorkQuery{Owner: tm.Ann.ID, Today: crm.DateOf(epoch), UntouchedDays: 30}
	report, err := tm.Activities.WorkReport(ctx, tm.Ann.ID, q)
	require.NoError(t, err)
	type row struct {
		name string
		last time.Time
	}
	var got []row
	for _, u := range report.Counts.Untouched {
		assert.Equal(t, tm.Ann.ID, u.Owner)
		got = append(got, row{u.Name, u.LastTouched})
	}
	neverFirst := []row{{cancelled.Name, time.Time{}}, {never.Name, time.Time{}}}
	if cancelled.ID.Compare(never.ID) > 0 {
		neverFirst[0], neverFirst[1] = neverFirst[1], neverFirst[0]
	}
	want := append(neverFirst, row{older.Name, epoch.Add(-60 * 24 * time.Hour)}, row{old.Name, epoch.Add(-45 * 24 * time.Hour)})
	assert.Equal(t, want, got)
	assert.Equal(t, int64(4), report.Counts.UntouchedKeyAccounts)

	q.Limit = 3
	report, err = tm.Activities.WorkReport(ctx, tm.Ann.ID, q)
	require.NoError(t, err)
	assert.Len(t, report.Counts.Untouched, 3, "cut at the limit")
	assert.Equal(t, int64(4), report.Counts.UntouchedKeyAccounts, "and counted in full")

	q = crm.WorkQuery{Owner: tm.Ann.ID, Today: crm.DateOf(epoch)}
	report, err = tm.Activities.WorkReport(ctx, tm.Ann.ID, q)
	require.NoError(t, err)
	assert.Empty(t, report.Counts.Untouched, "not asked")
	assert.Zero(t, report.Counts.UntouchedKeyAccounts)

	report, err = tm.Activities.WorkReport(ctx, tm.Manager.ID, crm.WorkQuery{Team: "north", Today: crm.DateOf(epoch), UntouchedDays: 2})
	require.NoError(t, err)
	var names []string
	for _, u := range report.Counts.Untouched {
		names = append(names, u.Name)
	}
	assert.ElementsMatch(t, []string{never.Name, cancelled.Name, bens.Name, older.Name, old.Name, edge.Name, recent.Name}, names,
		"the team's: touched three days ago is untouched for two")
	assert.Equal(t, int64(7), report.Counts.UntouchedKeyAccounts)
}

// runDealsWithoutNext: the open deals of a rep with no pending follow-up
// are listed, never active first, then the longest idle: a deal whose
// follow-up was done or cancelled has none; an overdue follow-up is still
// a next activity; closed deals are not listed.
func runDealsWithoutNext(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	tm := NewTeam(t, newStore(t))
	usd := currencyOf("USD")
	p, err := tm.Deals.CreatePipeline(ctx, tm.Admin.ID, crm.NewPipeline{Name: "Sales", Currency: usd})
	require.NoError(t, err)
	cu, err := tm.Customers.Create(ctx, tm.Ann.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: "Acme"})
	require.NoError(t, err)
	bens, err := tm.Customers.Create(ctx, tm.Ben.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: "Ben's"})
	require.NoError(t, err)
	deal := func(owner crm.User, title string) crm.Deal {
		customer := cu.ID
		if owner.ID == tm.Ben.ID {
			customer = bens.ID
		}
		d, err := tm.Deals.Open(ctx, owner.ID, crm.NewDeal{Pipeline: p.ID, Customer: customer, Owner: owner.ID, Title: title,
			Amount: crm.MoneyFromMinor(100_000, usd)})
		require.NoError(t, err)
		return d
	}
	logOn := func(d crm.Deal, hoursAgo int, followUp crm.Date) crm.Activity {
		a, err := tm.Activities.Log(ctx, tm.Ann.ID, crm.NewActivity{Type: crm.ActivityCall, Customer: cu.ID, Deal: d.ID, Subject: d.Title,
			At: epoch.Add(-time.Duration(hoursAgo) * time.Hour), FollowUp: followUp})
		require.NoError(t, err)
		return a
	}
	planned := deal(tm.Ann, "Planned")
	logOn(planned, 50, crm.DateOf(epoch).AddDays(3))
	late := deal(tm.Ann, "Late but planned")
	logOn(late, 50, crm.DateOf(epoch).AddDays(-3))
	done := deal(tm.Ann, "Done, nothing next")
	a := logOn(done, 20, crm.DateOf(epoch).AddDays(1))
	_, err = tm.Activities.Complete(ctx, tm.Ann.ID, crm.CompleteActivityRequest{Activity: a.ID, Outcome: "sent"})
	require.NoError(t, err)
	cancelled := deal(tm.Ann, "Cancelled follow-up")
	a = logOn(cancelled, 30, crm.DateOf(epoch).AddDays(1))
	_, err = tm.Activities.Cancel(ctx, tm.Ann.ID, crm.CancelActivityRequest{Activity: a.ID, Reason: "no answer"})
	require.NoError(t, err)
	noFollowUp := deal(tm.Ann, "A call, nothing planned")
	logOn(noFollowUp, 10, crm.Date{})
	quiet := deal(tm.Ann, "Never active")
	won := deal(tm.Ann, "Won")
	_, err = tm.Deals.Win(ctx, tm.Ann.ID, crm.WinDealRequest{Deal: won.ID})
	require.NoError(t, err)
	deal(tm.Ben, "Ben's")

	report, err := tm.Activities.WorkReport(ctx, tm.Ann.ID, crm.WorkQuery{Owner: tm.Ann.ID, Today: crm.DateOf(epoch)})
	require.NoError(t, err)
	var titles []string
	for _, d := range report.Counts.WithoutNext {
		assert.Equal(t, tm.Ann.ID, d.Owner)
		assert.Equal(t, cu.ID, d.Customer)
		assert.NotEmpty(t, d.Stage)
		titles = append(titles, d.Title)
	}
	assert.Equal(t, []string{quiet.Title, cancelled.Title, done.Title, noFollowUp.Title}, titles)
	assert.Equal(t, int64(4), report.Counts.DealsWithoutNext)
	assert.Equal(t, epoch.Add(-30*time.Hour), report.Counts.WithoutNext[1].LastActivityAt)

	report, err = tm.Activities.WorkReport(ctx, tm.Ann.ID, crm.WorkQuery{Owner: tm.Ann.ID, Today: crm.DateOf(epoch), Limit: 1})
	require.NoError(t, err)
	require.Len(t, report.Counts.WithoutNext, 1)
	assert.Equal(t, quiet.ID, report.Counts.WithoutNext[0].Deal)
	assert.Equal(t, int64(4), report.Counts.DealsWithoutNext)

	report, err = tm.Activities.WorkReport(ctx, tm.Manager.ID, crm.WorkQuery{Team: "north", Today: crm.DateOf(epoch)})
	require.NoError(t, err)
	assert.Equal(t, int64(5), report.Counts.DealsWithoutNext, "the team's, Ben's included")
}

// runVisitRule: the CRM's rule judges visits in the work report, and the
// report says which rule it used; a cancelled visit is no work, valid or
// not; writing up a visit's outcome makes it count.
func runVisitRule(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	s := newStore(t)
	rule := crm.VisitRule{MinDuration: 30 * time.Minute, RequireOutcome: true}
	tm := NewTeam(t, s, crm.WithVisitRule(rule))
	cu, err := tm.Customers.Create(ctx, tm.Ann.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: "Hooli"})
	require.NoError(t, err)
	visit := func(outcome, next string, d time.Duration) crm.Activity {
		a, err := tm.Activities.Log(ctx, tm.Ann.ID, crm.NewActivity{Type: crm.ActivityVisit, Customer: cu.ID, Subject: "visit",
			Outcome: outcome, NextStep: next, Duration: d, At: epoch.Add(-time.Hour)})
		require.NoError(t, err)
		return a
	}
	visit("ordered", "", 45*time.Minute) // counts: no next step is required
	short := visit("ordered", "deliver", 10*time.Minute)
	visit("ordered", "deliver", 0) // no duration: does not count
	noOutcome := visit("", "deliver", time.Hour)
	gone := visit("", "", 0)
	_, err = tm.Activities.Cancel(ctx, tm.Ann.ID, crm.CancelActivityRequest{Activity: gone.ID, Reason: "customer away"})
	require.NoError(t, err)
	q := crm.WorkQuery{Owner: tm.Ann.ID, From: epoch.Add(-24 * time.Hour), To: epoch, Today: crm.DateOf(epoch)}
	invalid := func() int64 {
		report, err := tm.Activities.WorkReport(ctx, tm.Ann.ID, q)
		require.NoError(t, err)
		require.NotNil(t, report.Query.VisitRule)
		assert.Equal(t, rule, *report.Query.VisitRule, "the report says which rule")
		assert.Equal(t, []crm.TypeCount{{Type: crm.ActivityVisit, Activities: 4}}, report.Counts.ByType, "the cancelled visit is no work")
		return report.Counts.InvalidVisits
	}
	assert.Equal(t, int64(3), invalid())
	_, err = tm.Activities.Update(ctx, tm.Ann.ID, crm.ActivityPatch{Activity: noOutcome.ID, Outcome: ptr("signed")})
	require.NoError(t, err)
	_, err = tm.Activities.Update(ctx, tm.Ann.ID, crm.ActivityPatch{Activity: short.ID, Duration: ptr(40 * time.Minute)})
	require.NoError(t, err)
	assert.Equal(t, int64(1), invalid(), "written up, they count")

	byDefault, err := crm.New(s, crm.WithClock(tm.Clock)) // the same store, the default rule
	require.NoError(t, err)
	report, err := byDefault.Activities.WorkReport(ctx, tm.Ann.ID, q)
	require.NoError(t, err)
	assert.Equal(t, int64(1), report.Counts.InvalidVisits, "by default only the visit without a next step does not count")
}

// runConcurrentCompletes: many writers complete one activity at once;
// exactly one wins, the others get a *crm.TransitionError, and one event
// is recorded.
func runConcurrentCompletes(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	tm := NewTeam(t, newStore(t))
	cu, err := tm.Customers.Create(ctx, tm.Ann.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: "Umbrella"})
	require.NoError(t, err)
	a, err := tm.Activities.Log(ctx, tm.Ann.ID, crm.NewActivity{Type: crm.ActivityTask, Customer: cu.ID, Subject: "call back",
		FollowUp: crm.DateOf(epoch)})
	require.NoError(t, err)
	actors := []crm.User{tm.Ann, tm.Manager, tm.Admin}
	const writers = 8
	errs := race(writers, func(i int) error {
		_, err := tm.Activities.Complete(ctx, actors[i%len(actors)].ID, crm.CompleteActivityRequest{Activity: a.ID, Outcome: "done"})
		return err
	})
	wins := 0
	for _, err := range errs {
		var te *crm.TransitionError
		switch {
		case err == nil:
			wins++
		case !errors.As(err, &te):
			t.Errorf("a losing completion is a transition error, not %v", err)
		}
	}
	assert.Equal(t, 1, wins, "exactly one completion wins")
	got := getActivity(t, tm.Store, a.ID)
	assert.Equal(t, crm.ActivityDone, got.Status)
	assert.Equal(t, int64(2), got.Version)
	assert.Equal(t, []crm.EventType{crm.ActivityLogged, crm.ActivityCompleted}, eventsOf(t, tm, a.ID))
}
