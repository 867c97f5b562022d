package sqlstore

import (
	"context"

	"github.com/crmkit/crm"
)

// Work implements crm.SalesAnalytics with four aggregates, over the
// activities and deals of q's owner and team:
//
//	SELECT type, COUNT(*), <sum of invalid_visit> FROM activities
//	WHERE <owner, team> AND <at_us in range> GROUP BY type
//
//	SELECT COUNT(*) FROM activities
//	WHERE <owner, team> AND follow_up IS NOT NULL AND done = FALSE AND follow_up < <today>
//
//	SELECT COUNT(DISTINCT a.customer_id) FROM activities a JOIN customers c ON c.id = a.customer_id
//	WHERE c.key_account AND <owner, team> AND <a.at_us in range>
//
// and the outcomes of the deals of every pipeline closed in the range, as
// Outcomes counts them, with their amounts left at zero.
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
	return w, nil
}

// activityTypes counts the activities in q's range by type, in
// crm.ActivityTypes order with zeros and unknown types left out (nil when
// there are none, as storekit.AggregateWork has it), and the invalid visits.
func (a salesAnalytics) activityTypes(ctx context.Context, q crm.WorkQuery) ([]crm.TypeCount, int64, error) {
	var w where
	addOwner(&w, "", q.Owner, q.Team)
	addRange(&w, "at_us", q.From, q.To)
	type row struct {
		crm.TypeCount
		invalid int64
	}
	rows, err := aggregate(ctx, a.t, "counting activities",
		"SELECT type, COUNT(*), "+total("invalid_visit")+" FROM "+a.t.s.names.activities+w.sql()+" GROUP BY type",
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
	addRange(&w, "a.at_us", q.From, q.To)
	var n int64
	err := a.t.queryRow(ctx, "SELECT COUNT(DISTINCT a.customer_id) FROM "+a.t.s.names.activities+" a JOIN "+
		a.t.s.names.customers+" c ON c.id = a.customer_id"+w.sql(), w.args...).Scan(&n)
	return n, a.t.s.dbErr("counting key accounts touched", err)
}
