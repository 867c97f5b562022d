package crm_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestActivityMachine is the activity's transition table as a table: a
// pending activity is revised, rescheduled, completed or cancelled; a done
// one is only revised (its outcome written up); a cancelled one is not
// changed; nothing is completed twice.
func TestActivityMachine(t *testing.T) {
	checkMoves(t, crm.ActivityMachine(), []move[crm.ActivityStatus, crm.ActivityEvent]{
		{crm.ActivityPending, crm.ActivityRevise, crm.ActivityPending},
		{crm.ActivityPending, crm.ActivityReschedule, crm.ActivityPending},
		{crm.ActivityPending, crm.ActivityComplete, crm.ActivityDone},
		{crm.ActivityPending, crm.ActivityCancel, crm.ActivityCancelled},
		{crm.ActivityDone, crm.ActivityRevise, crm.ActivityDone},
		{crm.ActivityDone, crm.ActivityComplete, ""},
		{crm.ActivityDone, crm.ActivityReschedule, ""},
		{crm.ActivityDone, crm.ActivityCancel, ""},
		{crm.ActivityCancelled, crm.ActivityRevise, ""},
		{crm.ActivityCancelled, crm.ActivityReschedule, ""},
		{crm.ActivityCancelled, crm.ActivityComplete, ""},
		{crm.ActivityCancelled, crm.ActivityCancel, ""},
	}, nil)
	assert.Equal(t, crm.ActivityPending, crm.ActivityMachine().Initial())
}

// TestActivityMachineDiagrams keeps the activity machine's Mermaid and
// DOT renderings under testdata/machines.
// go test -run TestActivityMachineDiagrams -update . rewrites them.
func TestActivityMachineDiagrams(t *testing.T) {
	m := crm.ActivityMachine()
	for name, got := range map[string]string{"activity.mmd": m.Mermaid(), "activity.dot": m.DOT()} {
		path := filepath.Join("testdata", "machines", name)
		if *updateGolden {
			require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		}
		want, err := os.ReadFile(path)
		require.NoError(t, err, "run go test -run TestActivityMachineDiagrams -update . to create it")
		assert.Equal(t, string(want), got, "the %s diagram changed; if that is meant, run with -update and review the diff", name)
	}
	assert.Contains(t, m.Mermaid(), "pending --> cancelled: cancel")
	assert.Contains(t, m.Mermaid(), "pending --> pending: reschedule")
}

// TestActivityState: a record from before statuses is done or pending as
// Done says; a cancelled follow-up is neither pending nor overdue.
func TestActivityState(t *testing.T) {
	today := crm.Date{Year: 2026, Month: time.March, Day: 10}
	past := today.AddDays(-1)
	for _, tc := range []struct {
		name    string
		a       crm.Activity
		state   crm.ActivityStatus
		overdue bool
	}{
		{"before statuses, not done", crm.Activity{FollowUp: past}, crm.ActivityPending, true},
		{"before statuses, done", crm.Activity{FollowUp: past, Done: true}, crm.ActivityDone, false},
		{"pending", crm.Activity{FollowUp: past, Status: crm.ActivityPending}, crm.ActivityPending, true},
		{"pending, due today", crm.Activity{FollowUp: today, Status: crm.ActivityPending}, crm.ActivityPending, false},
		{"pending, no follow-up", crm.Activity{Status: crm.ActivityPending}, crm.ActivityPending, false},
		{"done", crm.Activity{FollowUp: past, Status: crm.ActivityDone, Done: true}, crm.ActivityDone, false},
		{"cancelled", crm.Activity{FollowUp: past, Status: crm.ActivityCancelled}, crm.ActivityCancelled, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.state, tc.a.State())
			assert.Equal(t, tc.state == crm.ActivityPending, tc.a.Pending())
			assert.Equal(t, tc.overdue, tc.a.Overdue(today))
		})
	}
}

// TestVisitRule: the default rule is today's (a visit without an outcome
// or a next step does not count); a rule may ask for a minimum duration
// (a visit without one does not count) or require less; only visits are
// judged.
func TestVisitRule(t *testing.T) {
	full := crm.Activity{Type: crm.ActivityVisit, Outcome: "ordered", NextStep: "deliver", Duration: 45 * time.Minute}
	without := func(f func(*crm.Activity)) crm.Activity {
		a := full
		f(&a)
		return a
	}
	noOutcome := without(func(a *crm.Activity) { a.Outcome = "" })
	noNext := without(func(a *crm.Activity) { a.NextStep = "" })
	short := without(func(a *crm.Activity) { a.Duration = 10 * time.Minute })
	untimed := without(func(a *crm.Activity) { a.Duration = 0 })
	call := without(func(a *crm.Activity) { a.Type, a.Outcome, a.NextStep, a.Duration = crm.ActivityCall, "", "", 0 })
	thirty := crm.VisitRule{MinDuration: 30 * time.Minute, RequireOutcome: true}
	for _, tc := range []struct {
		name    string
		rule    crm.VisitRule
		a       crm.Activity
		invalid bool
	}{
		{"default: everything", crm.DefaultVisitRule(), full, false},
		{"default: no outcome", crm.DefaultVisitRule(), noOutcome, true},
		{"default: no next step", crm.DefaultVisitRule(), noNext, true},
		{"default: short is fine", crm.DefaultVisitRule(), short, false},
		{"default: untimed is fine", crm.DefaultVisitRule(), untimed, false},
		{"default: a call is no visit", crm.DefaultVisitRule(), call, false},
		{"30 min: everything", thirty, full, false},
		{"30 min: short", thirty, short, true},
		{"30 min: exactly", thirty, without(func(a *crm.Activity) { a.Duration = 30 * time.Minute }), false},
		{"30 min: untimed", thirty, untimed, true},
		{"30 min: no next step is fine", thirty, noNext, false},
		{"30 min: no outcome", thirty, noOutcome, true},
		{"nothing required", crm.VisitRule{}, without(func(a *crm.Activity) { a.Outcome, a.NextStep, a.Duration = "", "", 0 }), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.invalid, tc.a.Invalid(tc.rule))
		})
	}
	assert.NoError(t, thirty.Check())
	assert.ErrorIs(t, crm.VisitRule{MinDuration: -time.Minute}.Check(), crm.ErrInvalid)
	_, err := crm.New(memory.New(), crm.WithVisitRule(crm.VisitRule{MinDuration: -time.Second}))
	assert.ErrorIs(t, err, crm.ErrInvalid, "a rule that cannot apply is refused when the CRM is made")
}

// TestWorkQueryCheck: the lists' days and limit are bounded.
func TestWorkQueryCheck(t *testing.T) {
	today := crm.Date{Year: 2026, Month: time.March, Day: 10}
	for _, tc := range []struct {
		name string
		q    crm.WorkQuery
		ok   bool
	}{
		{"plain", crm.WorkQuery{Today: today}, true},
		{"lists", crm.WorkQuery{Today: today, UntouchedDays: 30, Limit: 5}, true},
		{"negative days", crm.WorkQuery{Today: today, UntouchedDays: -1}, false},
		{"too many days", crm.WorkQuery{Today: today, UntouchedDays: 100_000}, false},
		{"negative limit", crm.WorkQuery{Today: today, Limit: -1}, false},
		{"limit above a page", crm.WorkQuery{Today: today, Limit: crm.MaxPageSize + 1}, false},
		{"bad rule", crm.WorkQuery{Today: today, VisitRule: &crm.VisitRule{MinDuration: -1}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.q.Check(); tc.ok {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, crm.ErrInvalid)
			}
		})
	}
	q := crm.WorkQuery{Today: today, UntouchedDays: 30}
	assert.Equal(t, time.Date(2026, 2, 8, 0, 0, 0, 0, time.UTC), q.UntouchedBefore())
	assert.Equal(t, crm.DefaultWorkListLimit, q.ListLimit())
	assert.Equal(t, crm.DefaultVisitRule(), q.Visits())
}

// TestFollowUpAtBusinessDate: a follow-up with a time falls on its date
// by the business calendar, when logged and when rescheduled; a date that
// is not the time's is refused; so is a duration out of range.
func TestFollowUpAtBusinessDate(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	co := newCompany(t, crm.WithCalendar(crm.Calendar{Location: ny}))
	cu := co.customer(t, co.Ann, "Globex")
	late := time.Date(2026, 3, 5, 2, 30, 0, 0, time.UTC) // 4 March, 21:30 in New York
	for _, tc := range []struct {
		name     string
		n        crm.NewActivity
		followUp crm.Date
		err      error
	}{
		{"a time", crm.NewActivity{FollowUpAt: late}, crm.Date{Year: 2026, Month: 3, Day: 4}, nil},
		{"a time and its date", crm.NewActivity{FollowUpAt: late, FollowUp: crm.Date{Year: 2026, Month: 3, Day: 4}}, crm.Date{Year: 2026, Month: 3, Day: 4}, nil},
		{"a date alone", crm.NewActivity{FollowUp: crm.Date{Year: 2026, Month: 3, Day: 5}}, crm.Date{Year: 2026, Month: 3, Day: 5}, nil},
		{"the UTC date of the time", crm.NewActivity{FollowUpAt: late, FollowUp: crm.Date{Year: 2026, Month: 3, Day: 5}}, crm.Date{}, crm.ErrInvalid},
		{"a negative duration", crm.NewActivity{Duration: -time.Minute}, crm.Date{}, crm.ErrInvalid},
		{"a duration of weeks", crm.NewActivity{Duration: 9 * 24 * time.Hour}, crm.Date{}, crm.ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := tc.n
			n.Type, n.Customer, n.Subject = crm.ActivityCall, cu.ID, "call"
			a, err := co.Activities.Log(ctx, co.Ann.ID, n)
			if tc.err != nil {
				assert.ErrorIs(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.followUp, a.FollowUp)
			assert.Equal(t, n.FollowUpAt, a.FollowUpAt)
		})
	}
	a, err := co.Activities.Log(ctx, co.Ann.ID, crm.NewActivity{Type: crm.ActivityCall, Customer: cu.ID, Subject: "call"})
	require.NoError(t, err)
	a, err = co.Activities.Reschedule(ctx, co.Ann.ID, crm.RescheduleActivityRequest{Activity: a.ID, FollowUpAt: late})
	require.NoError(t, err)
	assert.Equal(t, crm.Date{Year: 2026, Month: 3, Day: 4}, a.FollowUp)
}

// TestUntouchedByBusinessDay: "untouched for N days" counts business days
// in the CRM's calendar. A key account called at 08:30 on 10 March in
// Tokyo (23:30 on 9 March in UTC) was touched within the last 7 days on
// 17 March, not within the last 6.
func TestUntouchedByBusinessDay(t *testing.T) {
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	require.NoError(t, err)
	co := newCompany(t, crm.WithCalendar(crm.Calendar{Location: tokyo}))
	cu, err := co.Customers.Create(ctx, co.Ann.ID, crm.NewCustomer{Kind: crm.Distributor, Name: "Initech", KeyAccount: true})
	require.NoError(t, err)
	co.Clock.Set(time.Date(2026, 3, 9, 23, 30, 0, 0, time.UTC))
	_, err = co.Activities.Log(ctx, co.Ann.ID, crm.NewActivity{Type: crm.ActivityCall, Customer: cu.ID, Subject: "call"})
	require.NoError(t, err)
	co.Clock.Set(time.Date(2026, 3, 17, 3, 0, 0, 0, time.UTC)) // noon on 17 March in Tokyo
	for days, untouched := range map[int]int{7: 0, 6: 1} {
		r, err := co.Activities.WorkReport(ctx, co.Manager.ID, crm.WorkQuery{Owner: co.Ann.ID, UntouchedDays: days})
		require.NoError(t, err)
		assert.Len(t, r.Counts.Untouched, untouched, "untouched for %d days", days)
	}
}
