package sqlstore

import (
	"context"

	"github.com/crmkit/crm"
)

// caseTable stores cases. The derived columns hold the opening time for
// the case statistics, and the last resolution as resolved_us.
var caseTable = &recordTable[crm.Case]{
	kind:  crm.KindCase,
	table: func(n names) string { return n.cases },
	columns: []string{"id", "customer_id", "kind", "subject", "status", "map_id", "touchpoint", "channel", "phase",
		"department", "assignee", "opened_at", "resolved_at", "closed_at", "promised_by", "resolve_within_us",
		"handoffs", "reopens", "contacts", "resolution", "resolve_breached", "promise_broken", "created_at",
		"updated_at", "version", "opened_day", "overdue_steps", "next_overdue"},
	derived: append([]string{"resolved_us"}, periodColumns...),
	id:      func(c crm.Case) crm.ID { return c.ID },
	version: func(c crm.Case) int64 { return c.Version },
	values: func(s *Store, c crm.Case) ([]any, error) {
		var resolvedUS any
		if !c.ResolvedAt.IsZero() {
			resolvedUS = unixMicros(c.ResolvedAt)
		}
		return append([]any{idArg(c.ID), idArg(c.Customer), string(c.Kind), c.Subject, string(c.Status), idArg(c.Map),
			c.Touchpoint, string(c.Channel), string(c.Phase), c.Department, idArg(c.Assignee), s.timeArg(c.OpenedAt),
			s.optionalTimeArg(c.ResolvedAt), s.optionalTimeArg(c.ClosedAt), s.optionalTimeArg(c.PromisedBy),
			micros(c.ResolveWithin), c.Handoffs, c.Reopens, c.Contacts, c.Resolution, c.ResolveBreached,
			c.PromiseBroken, s.timeArg(c.CreatedAt), s.timeArg(c.UpdatedAt), c.Version, c.OpenedDay,
			c.OverdueSteps, s.optionalTimeArg(c.NextOverdue), resolvedUS,
		}, periodValues(c.OpenedAt, c.BusinessDay())...), nil
	},
	dest: func(c *crm.Case) []any {
		return []any{&c.ID, &c.Customer, &c.Kind, &c.Subject, &c.Status, &c.Map, &c.Touchpoint, &c.Channel, &c.Phase,
			&c.Department, &c.Assignee, timeCol{&c.OpenedAt}, timeCol{&c.ResolvedAt}, timeCol{&c.ClosedAt},
			timeCol{&c.PromisedBy}, durationCol{&c.ResolveWithin}, &c.Handoffs, &c.Reopens, &c.Contacts,
			&c.Resolution, &c.ResolveBreached, &c.PromiseBroken, timeCol{&c.CreatedAt}, timeCol{&c.UpdatedAt},
			&c.Version, &c.OpenedDay, &c.OverdueSteps, timeCol{&c.NextOverdue}}
	},
}

// caseRepo implements crm.CaseRepository in one transaction.
type caseRepo struct{ repo[crm.Case] }

// List implements crm.CaseReader with the rules of crm.CaseFilter.Match.
func (r caseRepo) List(ctx context.Context, f crm.CaseFilter, page crm.PageRequest) ([]crm.Case, error) {
	var w where
	w.addIf(!f.Customer.IsZero(), "customer_id = ?", idArg(f.Customer))
	w.addIf(f.Status != "", "status = ?", string(f.Status))
	w.addIf(f.Kind != "", "kind = ?", string(f.Kind))
	w.addIf(f.Department != "", "department = ?", f.Department)
	w.addIf(!f.Assignee.IsZero(), "assignee = ?", idArg(f.Assignee))
	if !f.PromiseDueBefore.IsZero() {
		w.add("promised_by IS NOT NULL AND promised_by < ? AND promise_broken = ? AND resolved_at IS NULL",
			r.t.s.timeArg(ceilMicro(f.PromiseDueBefore)), false)
	}
	if !f.OverdueBefore.IsZero() {
		w.add("next_overdue IS NOT NULL AND next_overdue < ? AND resolved_at IS NULL",
			r.t.s.timeArg(ceilMicro(f.OverdueBefore)))
	}
	return r.list(ctx, w, page)
}
