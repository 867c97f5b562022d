package sqlstore

import (
	"context"
	"time"

	"github.com/crmkit/crm"
)

// StagesAt implements crm.SalesAnalytics over the visits kept one a row,
// each with its deal's pipeline, owner, team and amount (migration 0024),
// so that no visit is joined to its deal:
//
//	SELECT stage, COUNT(*), <sum of amount_minor> FROM deal_visits
//	WHERE <q> AND entered_us < <at> AND (left_us IS NULL OR left_us >= <at>)
//	GROUP BY stage ORDER BY stage
//
// The index deal_visits_at_idx on (pipeline_id, entered_us) covers the
// columns the query reads.
func (a salesAnalytics) StagesAt(ctx context.Context, q crm.SalesQuery, at time.Time) ([]crm.StageAt, error) {
	if err := q.CheckAt(at); err != nil {
		return nil, err
	}
	w := dealsOf(q, "")
	micros := unixMicros(ceilMicro(at))
	w.add("entered_us < ?", micros)
	w.add("(left_us IS NULL OR left_us >= ?)", micros)
	query := func(s sums) string {
		return a.groupedSQL("stage, COUNT(*), "+s.exact("amount_minor"), a.t.s.names.dealVisits, w, []string{"stage"})
	}
	return aggregateSums(ctx, a.t, "reading the stages at an instant", query, w.args, func(r *crm.StageAt) []any {
		high, low := exactTotal(&r.AmountMinor, "amount_minor")
		return []any{&r.Stage, &r.Deals, high, low}
	})
}
