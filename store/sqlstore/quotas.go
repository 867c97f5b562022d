package sqlstore

import (
	"context"
	"fmt"

	"github.com/crmkit/crm"
)

// quotaTable stores quotas: the amount in minor units beside its
// currency, the period as its text ("FY2027-Q1").
var quotaTable = &recordTable[crm.Quota]{
	kind:  crm.KindQuota,
	table: func(n names) string { return n.quotas },
	columns: []string{"id", "pipeline_id", "owner_id", "team", "period", "amount_minor", "amount_currency", "reason",
		"set_by", "created_at", "updated_at", "version"},
	id:      func(q crm.Quota) crm.ID { return q.ID },
	version: func(q crm.Quota) int64 { return q.Version },
	values: func(s *Store, q crm.Quota) ([]any, error) {
		minor, currency, err := moneyArgs("amount", q.Amount)
		if err != nil {
			return nil, err
		}
		return []any{idArg(q.ID), idArg(q.Pipeline), idArg(q.Owner), q.Team, q.Period.String(), minor, currency, q.Reason,
			idArg(q.SetBy), s.timeArg(q.CreatedAt), s.timeArg(q.UpdatedAt), q.Version}, nil
	},
	dest: func(q *crm.Quota) []any {
		minor, currency := money(&q.Amount)
		return []any{&q.ID, &q.Pipeline, &q.Owner, &q.Team, periodCol{&q.Period}, minor, currency, &q.Reason, &q.SetBy,
			timeCol{&q.CreatedAt}, timeCol{&q.UpdatedAt}, &q.Version}
	},
}

// periodCol scans a fiscal period kept as its text.
type periodCol struct{ p *crm.FiscalPeriod }

func (c periodCol) Scan(src any) error {
	switch v := src.(type) {
	case string:
		return c.p.UnmarshalText([]byte(v))
	case []byte:
		return c.p.UnmarshalText(v)
	}
	return fmt.Errorf("sqlstore: cannot scan %T into a fiscal period", src)
}

// quotaRepo implements crm.QuotaRepository in one transaction.
type quotaRepo struct{ repo[crm.Quota] }

// List implements crm.QuotaReader with the rules of crm.QuotaFilter.Match.
func (r quotaRepo) List(ctx context.Context, f crm.QuotaFilter, page crm.PageRequest) ([]crm.Quota, error) {
	var w where
	w.addIf(!f.Pipeline.IsZero(), "pipeline_id = ?", idArg(f.Pipeline))
	w.addIf(!f.Period.IsZero(), "period = ?", f.Period.String())
	w.addIf(!f.Owner.IsZero(), "owner_id = ?", idArg(f.Owner))
	w.addIf(f.Team != "", "team = ?", f.Team)
	return r.list(ctx, w, page)
}
