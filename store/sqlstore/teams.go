package sqlstore

import (
	"context"
	"time"

	"github.com/crmkit/crm"
)

// MoveRecords implements crm.UserRepository: one set-based UPDATE a
// table, by the owner's index, each row to its next version; the stage
// visits, which carry their deal's team for the sales analytics, follow
// their deals.
func (r userRepo) MoveRecords(ctx context.Context, owner crm.ID, team string, at time.Time) (crm.OwnedRecords, error) {
	var out crm.OwnedRecords
	n := r.t.s.names
	for _, tb := range []struct {
		name  string
		count *int
	}{{n.customers, &out.Customers}, {n.deals, &out.Deals}, {n.activities, &out.Activities}, {n.contracts, &out.Contracts}} {
		res, err := r.t.exec(ctx, "UPDATE "+tb.name+" SET team = ?, version = version + 1, updated_at = ? WHERE owner_id = ? AND team <> ?",
			team, r.t.s.timeArg(at), idArg(owner), team)
		if err != nil {
			return crm.OwnedRecords{}, r.t.s.dbErr("moving records to a team", err)
		}
		moved, err := res.RowsAffected()
		if err != nil {
			return crm.OwnedRecords{}, r.t.s.dbErr("moving records to a team", err)
		}
		*tb.count = int(moved)
	}
	_, err := r.t.exec(ctx, "UPDATE "+n.dealVisits+" SET team = ? WHERE owner_id = ? AND team <> ?", team, idArg(owner), team)
	return out, r.t.s.dbErr("moving stage visits to a team", err)
}

// Idle implements crm.CustomerReader: each active customer not restricted
// changed before the cutoff is probed for a recent activity of its owner by the index of
// 0021 (customer_id, owner_id, at_us).
func (r customerRepo) Idle(ctx context.Context, before time.Time, page crm.PageRequest) ([]crm.Customer, error) {
	var w where
	c := r.name()
	w.add("status = ?", string(crm.StatusActive))
	addRestricted(&w, "", crm.RestrictedExcluded)
	w.add("updated_at < ?", r.t.s.timeArg(ceilMicro(before)))
	w.add("NOT EXISTS (SELECT 1 FROM "+r.t.s.names.activities+" a WHERE a.customer_id = "+c+".id AND a.owner_id = "+c+
		".owner_id AND a.at_us >= ?)", unixMicros(ceilMicro(before)))
	return r.list(ctx, w, page)
}

// Hold implements crm.CustomerRepository: FOR UPDATE in a PostgreSQL
// write; SQLite's write transactions hold the whole database already.
func (r customerRepo) Hold(ctx context.Context, id crm.ID) (crm.Customer, error) {
	if !r.t.write || r.t.s.dialect != PostgreSQL {
		return r.Get(ctx, id)
	}
	return r.getWhere(ctx, r.notFound(id), r.key()+" = ? FOR UPDATE", idArg(id))
}
