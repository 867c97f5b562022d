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
