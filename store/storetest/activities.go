package storetest

import (
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
)

// activityVariants are activities that between them set and empty every
// field: a visit with everything, an invalid visit with a follow-up not
// done, and one of every other type with no deal, no follow-up and no
// outcome.
func (sc *scene) activityVariants(t *testing.T) []named[crm.Activity] {
	r := sc.salesRefs(t)
	d := sc.deal(t, sc.bob)
	insertAll(t, sc.s, insertDeal, d)
	out := []named[crm.Activity]{{"every field", sc.activity(t, sc.bob, d.ID)}}
	invalid := sc.activity(t, sc.ann, d.ID)
	invalid.Outcome, invalid.Done = "", false
	out = append(out, named[crm.Activity]{"invalid visit", invalid})
	work := sc.activity(t, sc.bob, d.ID)
	work.Status, work.Done, work.CancelReason = crm.ActivityCancelled, false, "Called off "+hostile
	work.FollowUpAt, work.Duration = at(200).Add(123456*time.Microsecond), 95*time.Minute+1
	out = append(out, named[crm.Activity]{"cancelled, with a follow-up time and a duration", work})
	for i, typ := range crm.ActivityTypes() {
		if typ == crm.ActivityVisit {
			continue
		}
		a := crm.Activity{ID: sc.g.next(), Type: typ, Customer: sc.ann, Owner: r.north.ID, At: at(90 + i), Subject: "A " + string(typ),
			CreatedAt: at(90 + i), UpdatedAt: at(90 + i), Version: 1}
		out = append(out, named[crm.Activity]{string(typ), a})
	}
	return out
}

func runActivities(t *testing.T, newStore NewStoreFunc) {
	runSalesRecord(t, newStore, salesRecord[crm.Activity]{
		versioned: activityVersions,
		variants:  func(t *testing.T, sc *scene) []named[crm.Activity] { return sc.activityVariants(t) },
		as: func(a crm.Activity, id crm.ID, n int64) crm.Activity {
			a.ID, a.Version = id, n
			return a
		},
		spoil: func(a *crm.Activity) { a.Subject, a.FollowUp.Day = "spoilt", 1 },
		list:  listActivities(crm.ActivityFilter{}),
	})
	t.Run("Filter", func(t *testing.T) { runActivityFilter(t, newStore) })
}

// runActivityFilter lists activities of three customers, two deals and
// none, two owners, three teams and every type, with follow-ups around a
// day, done and not, some updated after they were stored, with every
// field of ActivityFilter. OverdueOn selects the follow-ups before the day
// that are not done: not those on the day.
func runActivityFilter(t *testing.T, newStore NewStoreFunc) {
	sc := newScene(t, newStore)
	r := sc.salesRefs(t)
	today := day(2026, 3, 10)
	dealA, dealB := sc.deal(t, sc.ann), sc.deal(t, sc.bob)
	insertAll(t, sc.s, insertDeal, dealA, dealB)

	// The edge cases of OverdueOn today, of an owner of their own; the
	// names of those it selects start with "overdue:". Some are stored
	// as before and then updated.
	edge := sc.g.next()
	type followUp struct {
		due          crm.Date
		done         bool
		before       crm.Date // the follow-up as first stored, when it was updated
		beforeIsDone bool
	}
	followUps := map[string]followUp{
		"overdue: the day before":        {due: today.AddDays(-1)},
		"overdue: long ago":              {due: today.AddDays(-400)},
		"overdue: moved back":            {due: today.AddDays(-2), before: today.AddDays(5)},
		"overdue: reopened":              {due: today.AddDays(-3), before: today.AddDays(-3), beforeIsDone: true},
		"on the day":                     {due: today},
		"the day after":                  {due: today.AddDays(1)},
		"done the day before":            {due: today.AddDays(-1), done: true},
		"done later":                     {due: today.AddDays(-1), done: true, before: today.AddDays(-1)},
		"no follow-up":                   {},
		"moved to the day":               {due: today, before: today.AddDays(-9)},
		"overdue: the year before (dec)": {due: day(2025, 12, 31)},
	}
	named := map[crm.ID]string{}
	var all, first []crm.Activity
	for _, name := range slices.Sorted(maps.Keys(followUps)) {
		fu := followUps[name]
		a := sc.activity(t, sc.bob, crm.ID{})
		a.Type, a.Owner, a.Subject = crm.ActivityTask, edge, name
		a.FollowUp, a.Done = fu.due, fu.done
		named[a.ID] = name
		if !fu.before.IsZero() {
			v1 := a
			v1.FollowUp, v1.Done = fu.before, fu.beforeIsDone
			first = append(first, v1)
			a.Version = 2
		} else {
			first = append(first, a)
		}
		all = append(all, a)
	}
	customers := []crm.ID{sc.ann, sc.bob, sc.customer(t)}
	deals := []crm.ID{{}, dealA.ID, dealB.ID}
	owners := []crm.User{r.north, r.south}
	teams := []string{"north", hostileShort, "x' OR '1'='1"}
	types := crm.ActivityTypes()
	for i := range 48 {
		a := sc.activity(t, customers[i%3], deals[(i/3)%3])
		a.Type, a.Owner, a.Team = types[i%len(types)], owners[(i/2)%2].ID, teams[(i/4)%3]
		a.Subject, a.At = fmt.Sprintf("Activity %02d", i), at(100+i)
		a.FollowUp, a.Done = today.AddDays(i%7-4), i%4 == 0
		if i%5 == 0 {
			a.FollowUp = crm.Date{}
		}
		switch i % 6 { // statuses, and records from before them (no status)
		case 1:
			a.Status = crm.ActivityCancelled
		case 2, 3:
			a.Status = map[bool]crm.ActivityStatus{false: crm.ActivityPending, true: crm.ActivityDone}[a.Done]
		}
		all = append(all, a)
		first = append(first, a)
	}
	for i := len(first) - 1; i >= 0; i -= 5 { // out of ID order
		insertAll(t, sc.s, insertActivity, first[max(i-4, 0):i+1]...)
	}
	for _, a := range all {
		if a.Version == 2 {
			insertAll(t, sc.s, updateActivity, a)
		}
	}

	var overdue []string
	for _, a := range allPages(t, sc.s, 2, activityID, listActivities(crm.ActivityFilter{Owner: edge, OverdueOn: today})) {
		overdue = append(overdue, named[a.ID])
	}
	slices.Sort(overdue)
	assert.Equal(t, []string{"overdue: long ago", "overdue: moved back", "overdue: reopened", "overdue: the day before", "overdue: the year before (dec)"}, overdue)

	every := all[slices.IndexFunc(all, func(a crm.Activity) bool { return !a.Deal.IsZero() && a.Overdue(today) })]
	cases := []filterCase[crm.ActivityFilter]{
		{name: "no filter"},
		{name: "customer", f: crm.ActivityFilter{Customer: sc.ann}},
		{name: "unknown customer", f: crm.ActivityFilter{Customer: sc.g.next()}, none: true},
		{name: "deal", f: crm.ActivityFilter{Deal: dealA.ID}},
		{name: "unknown deal", f: crm.ActivityFilter{Deal: sc.g.next()}, none: true},
		{name: "owner", f: crm.ActivityFilter{Owner: r.north.ID}},
		{name: "team", f: crm.ActivityFilter{Team: "north"}},
		{name: "team hostile", f: crm.ActivityFilter{Team: hostileShort}},
		{name: "team with a quote", f: crm.ActivityFilter{Team: "x' OR '1'='1"}},
		{name: "team differs in case", f: crm.ActivityFilter{Team: "North"}, none: true},
		{name: "overdue", f: crm.ActivityFilter{OverdueOn: today}},
		{name: "overdue a day later", f: crm.ActivityFilter{OverdueOn: today.AddDays(1)}},
		{name: "overdue before every follow-up", f: crm.ActivityFilter{OverdueOn: today.AddDays(-500)}, none: true},
		{name: "overdue of a deal", f: crm.ActivityFilter{Deal: dealB.ID, OverdueOn: today}},
		{name: "overdue tasks of an owner", f: crm.ActivityFilter{Owner: r.south.ID, Type: crm.ActivityTask, OverdueOn: today.AddDays(3)}},
		{name: "every field", f: crm.ActivityFilter{Customer: every.Customer, Deal: every.Deal, Owner: every.Owner, Team: every.Team,
			Type: every.Type, OverdueOn: every.FollowUp.AddDays(1)}},
	}
	for _, typ := range types {
		cases = append(cases, filterCase[crm.ActivityFilter]{name: "type " + string(typ), f: crm.ActivityFilter{Type: typ}})
	}
	for _, st := range []crm.ActivityStatus{crm.ActivityPending, crm.ActivityDone, crm.ActivityCancelled} {
		cases = append(cases, filterCase[crm.ActivityFilter]{name: "status " + string(st), f: crm.ActivityFilter{Status: st}},
			filterCase[crm.ActivityFilter]{name: "status " + string(st) + " of an owner", f: crm.ActivityFilter{Owner: r.north.ID, Status: st}})
	}
	cases = append(cases, filterCase[crm.ActivityFilter]{name: "overdue and cancelled", f: crm.ActivityFilter{OverdueOn: today, Status: crm.ActivityCancelled}, none: true})
	assertFilters(t, sc.s, all, activityID, crm.ActivityFilter.Match, listActivities, cases)
}
