package sqlstore

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/crmkit/crm"
)

// salesAnalytics implements crm.SalesAnalytics in one transaction. Every
// answer is one GROUP BY over deals (or their visits), aggregated in the
// database from the columns deals keep for it, with the results and
// order of the reference implementations; no query loads the deals
// themselves.
type salesAnalytics struct{ t *txn }

// dealsOf selects the deals of q's pipeline, owner and team, in the
// table aliased prefix ("" or "d.").
func dealsOf(q crm.SalesQuery, prefix string) where {
	var w where
	w.add(prefix+"pipeline_id = ?", idArg(q.Pipeline))
	addOwner(&w, prefix, q.Owner, q.Team)
	return w
}

// addOwner selects the rows of one owner and one team, when set.
func addOwner(w *where, prefix string, owner crm.ID, team string) {
	w.addIf(!owner.IsZero(), prefix+"owner_id = ?", idArg(owner))
	w.addIf(team != "", prefix+"team = ?", team)
}

// groupedSQL is
//
//	SELECT <selects> FROM <from> <w> GROUP BY <groups> ORDER BY <order>
//
// where order sorts groups, text bytewise, except the columns of numeric.
func (a salesAnalytics) groupedSQL(selects, from string, w where, groups []string, numeric ...string) string {
	order := make([]string, len(groups))
	for i, g := range groups {
		order[i] = g
		if !slices.Contains(numeric, g) {
			order[i] = a.t.s.dialect.bytewise(g)
		}
	}
	return "SELECT " + selects + " FROM " + from + w.sql() + " GROUP BY " + strings.Join(groups, ", ") +
		" ORDER BY " + strings.Join(order, ", ")
}

// StageAmounts implements crm.SalesAnalytics:
//
//	SELECT stage, probability, COUNT(*), <sum of amount_minor> FROM deals
//	WHERE <q> AND status = 'open' GROUP BY stage, probability
//	ORDER BY stage, probability
func (a salesAnalytics) StageAmounts(ctx context.Context, q crm.SalesQuery) ([]crm.StageAmount, error) {
	if err := q.Check(); err != nil {
		return nil, err
	}
	w := dealsOf(q, "")
	w.add("status = ?", string(crm.DealOpen))
	query := func(s sums) string {
		return a.groupedSQL("stage, probability, COUNT(*), "+s.exact("amount_minor"), a.t.s.names.deals, w,
			[]string{"stage", "probability"}, "probability")
	}
	return aggregateSums(ctx, a.t, "adding up stage amounts", query, w.args, func(r *crm.StageAmount) []any {
		high, low := exactTotal(&r.AmountMinor, "amount_minor")
		return []any{&r.Stage, &r.Probability, &r.Deals, high, low}
	})
}

// Forecast implements crm.SalesAnalytics over the forecast_day and
// forecast_month each deal keeps:
//
//	SELECT forecast_month, stage, probability, status, forecast_category, COUNT(*), <sum of amount_minor>
//	FROM deals WHERE <q> AND status IN ('open', 'won')
//	     AND forecast_day >= <first day from From> AND forecast_day < <first day from To>
//	GROUP BY forecast_month, stage, probability, status, forecast_category ORDER BY the same
//
// A bound leaves out the deals without a forecast day, whose
// forecast_day is NULL.
func (a salesAnalytics) Forecast(ctx context.Context, q crm.SalesQuery) ([]crm.ForecastAmount, error) {
	if err := q.Check(); err != nil {
		return nil, err
	}
	w := dealsOf(q, "")
	w.add("status IN (?, ?)", string(crm.DealOpen), string(crm.DealWon))
	w.addIf(!q.From.IsZero(), "forecast_day >= ?", firstDayFrom(q.From))
	w.addIf(!q.To.IsZero(), "forecast_day < ?", firstDayFrom(q.To))
	query := func(s sums) string {
		return a.groupedSQL("forecast_month, stage, probability, status, forecast_category, COUNT(*), "+s.exact("amount_minor"),
			a.t.s.names.deals, w, []string{"forecast_month", "stage", "probability", "status", "forecast_category"}, "probability")
	}
	return aggregateSums(ctx, a.t, "adding up the forecast", query, w.args, func(r *crm.ForecastAmount) []any {
		high, low := exactTotal(&r.AmountMinor, "amount_minor")
		return []any{&r.Month, &r.Stage, &r.Probability, &r.Status, &r.Category, &r.Deals, high, low}
	})
}

// Cohort implements crm.SalesAnalytics:
//
//	SELECT furthest, status, COUNT(*), <sum of amount_minor> FROM deals
//	WHERE <q> AND <created_us in range> GROUP BY furthest, status ORDER BY furthest, status
func (a salesAnalytics) Cohort(ctx context.Context, q crm.SalesQuery) ([]crm.CohortCount, error) {
	if err := q.Check(); err != nil {
		return nil, err
	}
	w := dealsOf(q, "")
	addRange(&w, "created_us", q.From, q.To)
	query := func(s sums) string {
		return a.groupedSQL("furthest, status, COUNT(*), "+s.exact("amount_minor"), a.t.s.names.deals, w, []string{"furthest", "status"}, "furthest")
	}
	return aggregateSums(ctx, a.t, "counting the cohort", query, w.args, func(r *crm.CohortCount) []any {
		high, low := exactTotal(&r.AmountMinor, "amount_minor")
		return []any{&r.Furthest, &r.Status, &r.Deals, high, low}
	})
}

// Outcomes implements crm.SalesAnalytics:
//
//	SELECT status, lost_reason, COUNT(*), <sum of amount_minor>, <sum of cycle_us>
//	FROM deals WHERE <q> AND status <> 'open' AND <closed_us in range>
//	GROUP BY status, lost_reason ORDER BY status, lost_reason
//
// closed_us and cycle_us date each close on its business day
// (crm.Deal.ClosingAt), not when it was recorded.
func (a salesAnalytics) Outcomes(ctx context.Context, q crm.SalesQuery) ([]crm.OutcomeCount, error) {
	if err := q.Check(); err != nil {
		return nil, err
	}
	return outcomes(ctx, a, dealsOf(q, ""), q.From, q.To, true)
}

// outcomes counts the closed deals passing w that closed in [from, to),
// with their amounts unless withAmounts is false.
func outcomes(ctx context.Context, a salesAnalytics, w where, from, to time.Time, withAmounts bool) ([]crm.OutcomeCount, error) {
	w.add("status <> ?", string(crm.DealOpen))
	addRange(&w, "closed_us", from, to)
	query := func(s sums) string {
		amounts := s.exact("amount_minor")
		if !withAmounts {
			amounts = "0, 0"
		}
		return a.groupedSQL("status, lost_reason, COUNT(*), "+amounts+", "+s.exact("cycle_us"), a.t.s.names.deals, w,
			[]string{"status", "lost_reason"})
	}
	return aggregateSums(ctx, a.t, "counting outcomes", query, w.args, func(r *crm.OutcomeCount) []any {
		amountHigh, amountLow := exactTotal(&r.AmountMinor, "amount_minor")
		cycleHigh, cycleLow := exactTotal(&r.CycleMicros, "cycle_micros")
		return []any{&r.Status, &r.LostReason, &r.Deals, amountHigh, amountLow, cycleHigh, cycleLow}
	})
}

// StageTimes implements crm.SalesAnalytics over the visits kept one a
// row, each with its deal's pipeline, owner and team, so that no visit is
// joined to its deal:
//
//	SELECT stage, COUNT(*), <sum of micros> FROM deal_visits
//	WHERE <q> AND left_us IS NOT NULL AND <left_us in range>
//	GROUP BY stage ORDER BY stage
func (a salesAnalytics) StageTimes(ctx context.Context, q crm.SalesQuery) ([]crm.StageTime, error) {
	if err := q.Check(); err != nil {
		return nil, err
	}
	w := dealsOf(q, "")
	w.add("left_us IS NOT NULL")
	addRange(&w, "left_us", q.From, q.To)
	query := func(s sums) string {
		return a.groupedSQL("stage, COUNT(*), "+s.exact("micros"), a.t.s.names.dealVisits, w, []string{"stage"})
	}
	return aggregateSums(ctx, a.t, "adding up stage times", query, w.args, func(r *crm.StageTime) []any {
		high, low := exactTotal(&r.Micros, "micros")
		return []any{&r.Stage, &r.Visits, high, low}
	})
}

// Campaign implements crm.SalesAnalytics with one pass over the deals
// attributed to c, each with two flags, beside two counts of the
// customers it brought:
//
//	SELECT (SELECT COUNT(*) FROM customers WHERE campaign_id = c),
//	       (SELECT COUNT(*) FROM customers cu WHERE campaign_id = c
//	          AND EXISTS (SELECT 1 FROM deals WHERE customer_id = cu.id AND status = 'won')),
//	       COUNT(*), <count of here>, <sum of amount_minor where here>, <count of won and not here>
//	FROM (SELECT amount_minor,
//	             status = 'won' AS won,
//	             status = 'won' AND amount_currency = <c's currency> AS here
//	      FROM deals WHERE campaign_id = c) d
//
// A campaign's deals are few, so its one row is summed split at once
// rather than run again on an overflow (see sums).
func (a salesAnalytics) Campaign(ctx context.Context, c crm.Campaign) (crm.CampaignCounts, error) {
	t, id, won := a.t, idArg(c.ID), string(crm.DealWon)
	customers, deals := t.s.names.customers, t.s.names.deals
	query := "SELECT (SELECT COUNT(*) FROM " + customers + " WHERE campaign_id = ?), " +
		"(SELECT COUNT(*) FROM " + customers + " cu WHERE cu.campaign_id = ? AND EXISTS " +
		"(SELECT 1 FROM " + deals + " w WHERE w.customer_id = cu.id AND w.status = ?)), COUNT(*), " +
		count("here") + ", " + sums{dialect: t.s.dialect, split: true}.exact("CASE WHEN here THEN amount_minor ELSE 0 END") + ", " +
		count("won AND NOT here") + " " +
		"FROM (SELECT amount_minor, status = ? AS won, (status = ? AND amount_currency = ?) AS here " +
		"FROM " + deals + " WHERE campaign_id = ?) d"
	var n crm.CampaignCounts
	high, low := exactTotal(&n.WonMinor, "won_minor")
	err := t.queryRow(ctx, query, id, id, won, won, won, c.Currency.Code(), id).
		Scan(&n.Leads, &n.Acquired, &n.Opportunities, &n.Wins, high, low, &n.OtherCurrency)
	if err != nil {
		return crm.CampaignCounts{}, t.s.dbErr("counting a campaign", err)
	}
	return n, nil
}
