package sqlstore

import (
	"context"

	"github.com/crmkit/crm"
)

// dunningTable stores invoices' dunning records, keyed and versioned by
// invoice.
var dunningTable = &recordTable[crm.DunningRecord]{
	kind:  crm.KindDunning,
	table: func(n names) string { return n.dunning },
	columns: []string{"invoice_id", "customer_id", "state", "level", "level_name", "since", "due", "charged",
		"interest_through", "charges_for", "note", "updated_at", "updated_by", "version"},
	id:      func(d crm.DunningRecord) crm.ID { return d.Invoice },
	version: func(d crm.DunningRecord) int64 { return d.Version },
	values: func(s *Store, d crm.DunningRecord) ([]any, error) {
		dates, err := dateArgs([]string{"since", "due", "interest_through"}, d.Since, d.Due, d.InterestThrough)
		if err != nil {
			return nil, err
		}
		return []any{idArg(d.Invoice), idArg(d.Customer), string(d.State), d.Level, d.LevelName, dates[0], dates[1], d.Charged,
			dates[2], idArg(d.ChargesFor), d.Note, s.optionalTimeArg(d.UpdatedAt), idArg(d.UpdatedBy), d.Version}, nil
	},
	dest: func(d *crm.DunningRecord) []any {
		return []any{&d.Invoice, &d.Customer, &d.State, &d.Level, &d.LevelName, &d.Since, &d.Due, &d.Charged,
			&d.InterestThrough, &d.ChargesFor, &d.Note, timeCol{&d.UpdatedAt}, &d.UpdatedBy, &d.Version}
	},
}

// dunningRepo implements crm.DunningRepository in one transaction.
type dunningRepo struct{ repo[crm.DunningRecord] }

// Upsert implements crm.DunningRepository: version 1 inserts the
// invoice's first record, any other version replaces the record stored
// with the version before it.
func (r dunningRepo) Upsert(ctx context.Context, d crm.DunningRecord) error {
	if d.Version == 1 {
		return r.insert(ctx, d)
	}
	return r.update(ctx, d)
}

// List implements crm.DunningReader with the rules of
// crm.DunningFilter.Match.
func (r dunningRepo) List(ctx context.Context, f crm.DunningFilter, page crm.PageRequest) ([]crm.DunningRecord, error) {
	var w where
	w.addIf(!f.Customer.IsZero(), "customer_id = ?", idArg(f.Customer))
	w.addIf(f.Active, "state NOT IN (?, ?)", string(crm.DunningSettled), string(crm.DunningExempt))
	return r.list(ctx, w, page)
}
