package memory

import (
	"context"
	"time"

	"github.com/crmkit/crm"
)

// StaleLeads implements crm.CustomerReader: one pass over the activities
// and the interactions for the customers contacted since before, one over
// the customers.
func (r customerRepo) StaleLeads(_ context.Context, before time.Time, p crm.PageRequest) ([]crm.Customer, error) {
	recent := map[crm.ID]bool{}
	r.t.activities.each(func(a *crm.Activity) {
		if !a.At.Before(before) {
			recent[a.Customer] = true
		}
	})
	r.t.interactions.each(func(in *crm.Interaction) {
		if !in.At.Before(before) {
			recent[in.Customer] = true
		}
	})
	return r.repo().list(p, func(c crm.Customer) bool {
		return c.Lifecycle.Before(crm.LifecycleOpportunity) && c.ErasedAt.IsZero() && !c.Restricted() &&
			c.UpdatedAt.Before(before) && !recent[c.ID]
	}), nil
}

// restricted reports whether the customer's processing is restricted.
func (t *txState) restricted(customer crm.ID) bool {
	c, _ := t.customers.get(customer)
	return c.Restricted()
}

// unrestricted keeps the rows whose customer is not restricted, as the
// reports that profile behaviour do (crm.CustomerService.Restrict).
func unrestricted[T any](t *txState, rows []T, customer func(T) crm.ID) []T {
	out := rows[:0:0]
	for _, r := range rows {
		if !t.restricted(customer(r)) {
			out = append(out, r)
		}
	}
	return out
}
