package memory

import (
	"context"
	"time"

	"github.com/crmkit/crm"
)

// MoveRecords implements crm.UserRepository: it scans the records the
// transaction sees, as the memory store's listings do.
func (r userRepo) MoveRecords(_ context.Context, owner crm.ID, team string, at time.Time) (crm.OwnedRecords, error) {
	var n crm.OwnedRecords
	n.Customers = restamp(r.t.customers, func(c *crm.Customer) (*crm.ID, *string, *int64, *time.Time) {
		return &c.Owner, &c.Team, &c.Version, &c.UpdatedAt
	}, func(c crm.Customer) crm.ID { return c.ID }, owner, team, at)
	n.Deals = restamp(r.t.deals, func(d *crm.Deal) (*crm.ID, *string, *int64, *time.Time) {
		return &d.Owner, &d.Team, &d.Version, &d.UpdatedAt
	}, func(d crm.Deal) crm.ID { return d.ID }, owner, team, at)
	n.Activities = restamp(r.t.activities, func(a *crm.Activity) (*crm.ID, *string, *int64, *time.Time) {
		return &a.Owner, &a.Team, &a.Version, &a.UpdatedAt
	}, func(a crm.Activity) crm.ID { return a.ID }, owner, team, at)
	n.Contracts = restamp(r.t.contracts, func(c *crm.Contract) (*crm.ID, *string, *int64, *time.Time) {
		return &c.Owner, &c.Team, &c.Version, &c.UpdatedAt
	}, func(c crm.Contract) crm.ID { return c.ID }, owner, team, at)
	return n, nil
}

// restamp gives team to the rows of rows owned by owner with another team,
// each as its next version, and returns how many it changed.
func restamp[T any](rows *overlay[T], fields func(*T) (owner *crm.ID, team *string, version *int64, updated *time.Time),
	id func(T) crm.ID, owner crm.ID, team string, at time.Time) int {
	var ids []crm.ID
	rows.each(func(v *T) {
		if o, t, _, _ := fields(v); *o == owner && *t != team {
			ids = append(ids, id(*v))
		}
	})
	for _, i := range ids {
		v, _ := rows.get(i)
		_, t, version, updated := fields(&v)
		*t, *version, *updated = team, *version+1, at
		rows.put(i, v, false)
	}
	return len(ids)
}

// Idle implements crm.CustomerReader: one pass over the activities for
// the owners' latest follow-ups, one over the customers.
func (r customerRepo) Idle(_ context.Context, before time.Time, p crm.PageRequest) ([]crm.Customer, error) {
	type key struct{ customer, owner crm.ID }
	recent := map[key]bool{}
	r.t.activities.each(func(a *crm.Activity) {
		if !a.At.Before(before) {
			recent[key{a.Customer, a.Owner}] = true
		}
	})
	return r.repo().list(p, func(c crm.Customer) bool {
		return c.Status == crm.StatusActive && !c.Restricted() && c.UpdatedAt.Before(before) && !recent[key{c.ID, c.Owner}]
	}), nil
}

// Hold implements crm.CustomerRepository: the memory store runs one write
// transaction at a time, which holds every customer already.
func (r customerRepo) Hold(ctx context.Context, id crm.ID) (crm.Customer, error) {
	return r.Get(ctx, id)
}
