package sqlstore

import (
	"context"
	"strings"
	"time"

	"github.com/crmkit/crm"
)

// StaleLeads implements crm.CustomerReader: the leads come from the
// retention index of 0028 (lifecycle, updated_at, for those neither
// erased nor restricted), and each is probed for a recent activity and a
// recent interaction by the customer's index of each.
func (r customerRepo) StaleLeads(ctx context.Context, before time.Time, page crm.PageRequest) ([]crm.Customer, error) {
	var w where
	c := r.name()
	stages := unconverted()
	args := make([]any, len(stages))
	for i, s := range stages {
		args[i] = string(s)
	}
	w.add("lifecycle IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(stages)), ", ")+")", args...)
	w.add("erased_at IS NULL AND restricted_at IS NULL")
	w.add("updated_at < ?", r.t.s.timeArg(ceilMicro(before)))
	since := unixMicros(ceilMicro(before))
	w.add("NOT EXISTS (SELECT 1 FROM "+r.t.s.names.activities+" a WHERE a.customer_id = "+c+".id AND a.at_us >= ?)", since)
	w.add("NOT EXISTS (SELECT 1 FROM "+r.t.s.names.interactions+" i WHERE i.customer_id = "+c+".id AND i.at_us >= ?)", since)
	return r.list(ctx, w, page)
}

// unconverted lists the lifecycle stages of a lead never converted: those
// before opportunity.
func unconverted() []crm.LifecycleStage {
	var out []crm.LifecycleStage
	for _, s := range crm.LifecycleStages() {
		if s.Before(crm.LifecycleOpportunity) {
			out = append(out, s)
		}
	}
	return out
}
