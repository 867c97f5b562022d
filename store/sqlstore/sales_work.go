package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/crmkit/crm"
)

// Work implements crm.SalesAnalytics with four aggregates, over the
// activities (cancelled ones left out) and deals of q's owner and team:
//
//	SELECT type, COUNT(*), <count of visits breaking q's rule> FROM activities
//	WHERE <owner, team> AND status <> 'cancelled' AND <at_us in range> GROUP BY type
//
//	SELECT COUNT(*) FROM activities
//	WHERE <owner, team> AND follow_up IS NOT NULL AND pending = 1 AND follow_up < <today>
//
//	SELECT COUNT(DISTINCT a.customer_id) FROM activities a JOIN customers c ON c.id = a.customer_id
//	WHERE c.key_account AND <owner, team> AND a.status <> 'cancelled' AND <a.at_us in range>
//
// and the outcomes of the deals of every pipeline closed in the range, as
// Outcomes counts them, with their amounts left at zero; and the lists,
// as workLists finds them.
func (a salesAnalytics) Work(ctx context.Context, q crm.WorkQuery) (crm.WorkCounts, error) {
	if err := q.Check(); err != nil {
		return crm.WorkCounts{}, err
	}
	var w crm.WorkCounts
	var err error
	if w.ByType, w.InvalidVisits, err = a.activityTypes(ctx, q); err != nil {
		return crm.WorkCounts{}, err
	}
	if w.Overdue, err = a.overdue(ctx, q); err != nil {
		return crm.WorkCounts{}, err
	}
	if w.KeyAccountsTouched, err = a.keyAccountsTouched(ctx, q); err != nil {
		return crm.WorkCounts{}, err
	}
	var deals where
	addOwner(&deals, "", q.Owner, q.Team)
	if w.Outcomes, err = outcomes(ctx, a, deals, q.From, q.To, false); err != nil {
		return crm.WorkCounts{}, err
	}
	if err := a.workLists(ctx, q, &w); err != nil {
		return crm.WorkCounts{}, err
	}
	return w, nil
}

// activityTypes counts the activities in q's range by type, in
// crm.ActivityTypes order with zeros and unknown types left out (nil when
// there are none, as storekit.AggregateWork has it), and the invalid visits.
func (a salesAnalytics) activityTypes(ctx context.Context, q crm.WorkQuery) ([]crm.TypeCount, int64, error) {
	var w where
	addOwner(&w, "", q.Owner, q.Team)
	w.add(notCancelled(""))
	addRange(&w, "at_us", q.From, q.To)
	type row struct {
		crm.TypeCount
		invalid int64
	}
	rows, err := aggregate(ctx, a.t, "counting activities",
		"SELECT type, COUNT(*), "+count(invalidVisit(q.Visits()))+" FROM "+a.t.s.names.activities+w.sql()+" GROUP BY type",
		w.args, func(r *row) []any { return []any{&r.Type, &r.Activities, &r.invalid} })
	if err != nil {
		return nil, 0, err
	}
	byType := make(map[crm.ActivityType]int64, len(rows))
	var invalid int64
	for _, r := range rows {
		byType[r.Type] = r.Activities
		invalid += r.invalid
	}
	var out []crm.TypeCount
	for _, typ := range crm.ActivityTypes() {
		if n := byType[typ]; n > 0 {
			out = append(out, crm.TypeCount{Type: typ, Activities: n})
		}
	}
	return out, invalid, nil
}

// overdue counts q's follow-ups overdue on q.Today, whenever logged.
func (a salesAnalytics) overdue(ctx context.Context, q crm.WorkQuery) (int64, error) {
	var w where
	addOwner(&w, "", q.Owner, q.Team)
	if err := addOverdue(&w, "", q.Today); err != nil {
		return 0, err
	}
	var n int64
	err := a.t.queryRow(ctx, "SELECT COUNT(*) FROM "+a.t.s.names.activities+w.sql(), w.args...).Scan(&n)
	return n, a.t.s.dbErr("counting overdue follow-ups", err)
}

// keyAccountsTouched counts the key-account customers with an activity of
// q's in its range.
func (a salesAnalytics) keyAccountsTouched(ctx context.Context, q crm.WorkQuery) (int64, error) {
	var w where
	w.add("c.key_account = ?", true)
	addOwner(&w, "a.", q.Owner, q.Team)
	w.add(notCancelled("a."))
	addRange(&w, "a.at_us", q.From, q.To)
	var n int64
	err := a.t.queryRow(ctx, "SELECT COUNT(DISTINCT a.customer_id) FROM "+a.t.s.names.activities+" a JOIN "+
		a.t.s.names.customers+" c ON c.id = a.customer_id"+w.sql(), w.args...).Scan(&n)
	return n, a.t.s.dbErr("counting key accounts touched", err)
}

// notCancelled selects the activities, in the table aliased prefix, that
// are not cancelled, as the partial index of touches has it.
func notCancelled(prefix string) string { return prefix + "status <> 'cancelled'" }

// invalidVisit is the condition of a visit that breaks rule, as
// crm.Activity.Invalid has it, on the columns of an activity.
func invalidVisit(rule crm.VisitRule) string {
	var broken []string
	if rule.RequireOutcome {
		broken = append(broken, "outcome = ''")
	}
	if rule.RequireNextStep {
		broken = append(broken, "next_step = ''")
	}
	if rule.MinDuration > 0 {
		broken = append(broken, fmt.Sprintf("duration_ns < %d", int64(rule.MinDuration)))
	}
	if len(broken) == 0 {
		return "1 = 0"
	}
	return "type = '" + string(crm.ActivityVisit) + "' AND (" + strings.Join(broken, " OR ") + ")"
}
