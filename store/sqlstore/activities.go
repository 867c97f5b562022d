package sqlstore

import (
	"context"

	"github.com/crmkit/crm"
)

// activityTable stores activities. The derived columns hold what the
// work reports add up: the time as unix microseconds, whether the
// activity is an invalid visit by crm.DefaultVisitRule (the reports apply
// the query's rule to the columns), and whether it is pending.
var activityTable = &recordTable[crm.Activity]{
	kind:  crm.KindActivity,
	table: func(n names) string { return n.activities },
	columns: []string{"id", "type", "customer_id", "deal_id", "owner_id", "team", "at", "subject", "outcome",
		"next_step", "follow_up", "done", "created_at", "updated_at", "version", "logged_by",
		"status", "follow_up_at", "cancel_reason", "duration_ns"},
	derived: []string{"at_us", "invalid_visit", "pending"},
	id:      func(a crm.Activity) crm.ID { return a.ID },
	version: func(a crm.Activity) int64 { return a.Version },
	values: func(s *Store, a crm.Activity) ([]any, error) {
		followUp, err := dateArg("follow_up", a.FollowUp)
		if err != nil {
			return nil, err
		}
		return []any{idArg(a.ID), string(a.Type), idArg(a.Customer), idArg(a.Deal), idArg(a.Owner), a.Team,
			s.timeArg(a.At), a.Subject, a.Outcome, a.NextStep, followUp, a.Done, s.timeArg(a.CreatedAt),
			s.timeArg(a.UpdatedAt), a.Version, idArg(a.LoggedBy),
			string(a.Status), s.optionalTimeArg(a.FollowUpAt), a.CancelReason, int64(a.Duration),
			unixMicros(a.At), flag(a.Invalid(crm.DefaultVisitRule())), flag(a.Pending())}, nil
	},
	dest: func(a *crm.Activity) []any {
		return []any{&a.ID, &a.Type, &a.Customer, &a.Deal, &a.Owner, &a.Team, timeCol{&a.At}, &a.Subject, &a.Outcome,
			&a.NextStep, &a.FollowUp, &a.Done, timeCol{&a.CreatedAt}, timeCol{&a.UpdatedAt}, &a.Version, &a.LoggedBy,
			&a.Status, timeCol{&a.FollowUpAt}, &a.CancelReason, (*int64)(&a.Duration)}
	},
}

// activityRepo implements crm.ActivityRepository in one transaction.
type activityRepo struct{ repo[crm.Activity] }

// List implements crm.ActivityReader with the rules of
// crm.ActivityFilter.Match.
func (r activityRepo) List(ctx context.Context, f crm.ActivityFilter, page crm.PageRequest) ([]crm.Activity, error) {
	var w where
	w.addIf(!f.Customer.IsZero(), "customer_id = ?", idArg(f.Customer))
	w.addIf(!f.Deal.IsZero(), "deal_id = ?", idArg(f.Deal))
	w.addIf(!f.Owner.IsZero(), "owner_id = ?", idArg(f.Owner))
	w.addIf(f.Team != "", "team = ?", f.Team)
	w.addIf(f.Type != "", "type = ?", string(f.Type))
	w.addIf(f.Pending, "follow_up IS NOT NULL AND pending = 1")
	w.addIf(!f.Since.IsZero(), "at_us >= ?", unixMicros(ceilMicro(f.Since)))
	switch f.Status { // as crm.Activity.State has it: pending is derived, and done is neither pending nor cancelled
	case "":
	case crm.ActivityPending:
		w.add("pending = 1")
	case crm.ActivityDone:
		w.add("pending = 0 AND status <> ?", string(crm.ActivityCancelled))
	default:
		w.add("status = ?", string(f.Status))
	}
	if !f.OverdueOn.IsZero() {
		if err := addOverdue(&w, "", f.OverdueOn); err != nil {
			return nil, err
		}
	}
	return r.list(ctx, w, page)
}

// addOverdue selects the activities, in the table aliased prefix ("" or
// "a."), whose follow-up is before today and still pending, as
// crm.Activity.Overdue says. A date that does not exist is a
// *crm.ValidationError.
func addOverdue(w *where, prefix string, today crm.Date) error {
	arg, err := dateArg("overdue_on", today)
	if err != nil {
		return err
	}
	// pending = 1 is written as the partial index on follow_up has it.
	w.add(prefix+"follow_up IS NOT NULL AND "+prefix+"pending = 1 AND "+prefix+"follow_up < ?", arg)
	return nil
}
