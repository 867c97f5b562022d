package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/crmkit/crm"
)

// workLists sets the lists of a work report in w, as storekit.WorkLists
// makes them, in the database: the active key accounts of q's owner or
// team with their last touch, from the index of touches,
//
//	SELECT id, name, owner_id, team, last FROM (
//	    SELECT c.*, (SELECT MAX(a.at_us) FROM activities a
//	                 WHERE a.customer_id = c.id AND a.status <> 'cancelled') AS last
//	    FROM customers c WHERE c.key_account AND c.status = 'active' AND c.restricted_at IS NULL
//	    AND <owner, team>) k
//	WHERE last IS NULL OR last < <q.UntouchedBefore>
//	ORDER BY last IS NOT NULL, last, id LIMIT <q.ListLimit>
//
// and the open deals of q's owner or team with no pending follow-up, from
// the index of the pending follow-ups of a deal,
//
//	SELECT ... FROM deals d WHERE d.status = 'open' AND <owner, team> AND NOT EXISTS (
//	    SELECT 1 FROM activities a WHERE a.deal_id = d.id AND a.follow_up IS NOT NULL AND a.pending = 1)
//	ORDER BY d.last_activity_at IS NOT NULL, d.last_activity_at, d.id LIMIT <q.ListLimit>
//
// each with a COUNT(*) of the same rows.
func (a salesAnalytics) workLists(ctx context.Context, q crm.WorkQuery, w *crm.WorkCounts) error {
	n := a.t.s.names
	limit := fmt.Sprintf(" LIMIT %d", q.ListLimit())
	if q.UntouchedDays > 0 {
		var keys where
		keys.add("c.key_account = TRUE AND c.status = '" + string(crm.StatusActive) + "'")
		addRestricted(&keys, "c.", crm.RestrictedExcluded)
		addOwner(&keys, "c.", q.Owner, q.Team)
		from := " FROM (SELECT c.id, c.name, c.owner_id, c.team, (SELECT MAX(a.at_us) FROM " + n.activities +
			" a WHERE a.customer_id = c.id AND " + notCancelled("a.") + ") AS last FROM " + n.customers + " c" + keys.sql() +
			") k WHERE last IS NULL OR last < ?"
		args := append(keys.args, unixMicros(ceilMicro(q.UntouchedBefore())))
		if err := a.t.queryRow(ctx, "SELECT COUNT(*)"+from, args...).Scan(&w.UntouchedKeyAccounts); err != nil {
			return a.t.s.dbErr("counting untouched key accounts", err)
		}
		type row struct {
			crm.UntouchedAccount
			last sql.NullInt64
		}
		rows, err := aggregate(ctx, a.t, "listing untouched key accounts",
			"SELECT id, name, owner_id, team, last"+from+" ORDER BY last IS NOT NULL, last, id"+limit, args,
			func(r *row) []any { return []any{&r.Customer, &r.Name, &r.Owner, &r.Team, &r.last} })
		if err != nil {
			return err
		}
		for _, r := range rows {
			if r.last.Valid {
				r.LastTouched = time.UnixMicro(r.last.Int64).UTC()
			}
			w.Untouched = append(w.Untouched, r.UntouchedAccount)
		}
	}
	var deals where
	deals.add("d.status = ?", string(crm.DealOpen))
	addOwner(&deals, "d.", q.Owner, q.Team)
	deals.add("NOT EXISTS (SELECT 1 FROM " + n.activities + " a WHERE a.deal_id = d.id AND a.follow_up IS NOT NULL AND a.pending = 1)")
	from := " FROM " + n.deals + " d" + deals.sql()
	if err := a.t.queryRow(ctx, "SELECT COUNT(*)"+from, deals.args...).Scan(&w.DealsWithoutNext); err != nil {
		return a.t.s.dbErr("counting deals without a next activity", err)
	}
	rows, err := aggregate(ctx, a.t, "listing deals without a next activity",
		"SELECT d.id, d.title, d.customer_id, d.owner_id, d.team, d.stage, d.last_activity_at"+from+
			" ORDER BY d.last_activity_at IS NOT NULL, d.last_activity_at, d.id"+limit, deals.args,
		func(r *crm.UnplannedDeal) []any {
			return []any{&r.Deal, &r.Title, &r.Customer, &r.Owner, &r.Team, &r.Stage, timeCol{&r.LastActivityAt}}
		})
	if err != nil {
		return err
	}
	if len(rows) > 0 {
		w.WithoutNext = rows
	}
	return nil
}
