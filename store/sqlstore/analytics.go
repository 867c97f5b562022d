package sqlstore

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/crmkit/crm"
)

// analytics implements crm.AnalyticsReader in one transaction. Every
// answer is aggregated in the database, from the columns interactions,
// cases and moves keep for it; no query loads the rows themselves.
type analytics struct{ t *txn }

// groupColumns are the columns of each crm.Dimension, in interactions and
// cases alike; crm.ByTotal has none.
var groupColumns = map[crm.Dimension]string{
	crm.ByTouchpoint: "touchpoint",
	crm.ByPhase:      "phase",
	crm.ByChannel:    "channel",
	crm.ByDepartment: "department",
}

// periodKeyColumns are the columns of each crm.Period; crm.PeriodAll has
// none.
var periodKeyColumns = map[crm.Period]string{
	crm.PeriodDay:   "day_key",
	crm.PeriodWeek:  "week_key",
	crm.PeriodMonth: "month_key",
}

// total sums an integer expression: 0 over no rows or only NULLs, and a
// bigint on PostgreSQL, where SUM(bigint) would be numeric.
func total(expr string) string { return "CAST(COALESCE(SUM(" + expr + "), 0) AS BIGINT)" }

// count counts the rows where cond holds; cond may be a boolean column,
// which SQLite keeps as 0 or 1.
func count(cond string) string { return total("CASE WHEN " + cond + " THEN 1 ELSE 0 END") }

// sum is one aggregate of a grouped statistic and where its value goes.
type sum[T any] struct {
	expr  string
	args  []any
	field func(*T) *int64
}

// grouping is a grouped statistic over one table: its sums, and where a
// result row's period and group keys go.
type grouping[T any] struct {
	table func(names) string
	sums  []sum[T]
	keys  func(*T) (period, group *string)
}

var experienceGrouping = grouping[crm.ExperienceCounts]{
	table: func(n names) string { return n.interactions },
	keys:  func(c *crm.ExperienceCounts) (*string, *string) { return &c.Period, &c.Group },
	sums: []sum[crm.ExperienceCounts]{
		{"COUNT(*)", nil, func(c *crm.ExperienceCounts) *int64 { return &c.Interactions }},
		{total("inbound"), nil, func(c *crm.ExperienceCounts) *int64 { return &c.Inbound }},
		{total("fcr"), nil, func(c *crm.ExperienceCounts) *int64 { return &c.FirstContactResolved }},
		{total("transfers_count"), nil, func(c *crm.ExperienceCounts) *int64 { return &c.Transfers }},
		{count("answer_breached"), nil, func(c *crm.ExperienceCounts) *int64 { return &c.AnswerBreaches }},
		{count("csat_breached"), nil, func(c *crm.ExperienceCounts) *int64 { return &c.CSATBreaches }},
		{total("wait_us"), nil, func(c *crm.ExperienceCounts) *int64 { return &c.WaitMicros }},
		{total("handle_us"), nil, func(c *crm.ExperienceCounts) *int64 { return &c.HandleMicros }},
		{total("satisfaction"), nil, func(c *crm.ExperienceCounts) *int64 { return &c.SatisfactionSum }},
		{"COUNT(nps)", nil, func(c *crm.ExperienceCounts) *int64 { return &c.NPSAnswers }},
		{total("promoter"), nil, func(c *crm.ExperienceCounts) *int64 { return &c.Promoters }},
		{total("detractor"), nil, func(c *crm.ExperienceCounts) *int64 { return &c.Detractors }},
		{"COUNT(csat)", nil, func(c *crm.ExperienceCounts) *int64 { return &c.CSATAnswers }},
		{total("csat_satisfied"), nil, func(c *crm.ExperienceCounts) *int64 { return &c.CSATSatisfied }},
		{"COUNT(ces)", nil, func(c *crm.ExperienceCounts) *int64 { return &c.CESAnswers }},
		{total("ces"), nil, func(c *crm.ExperienceCounts) *int64 { return &c.CESSum }},
	},
}

var caseGrouping = grouping[crm.CaseCounts]{
	table: func(n names) string { return n.cases },
	keys:  func(c *crm.CaseCounts) (*string, *string) { return &c.Period, &c.Group },
	sums: []sum[crm.CaseCounts]{
		{"COUNT(*)", nil, func(c *crm.CaseCounts) *int64 { return &c.Opened }},
		{count("kind = ?"), []any{string(crm.Complaint)}, func(c *crm.CaseCounts) *int64 { return &c.Complaints }},
		{"COUNT(resolved_us)", nil, func(c *crm.CaseCounts) *int64 { return &c.Resolved }},
		{total("resolved_us - at_us"), nil, func(c *crm.CaseCounts) *int64 { return &c.ResolutionMicros }},
		{count("resolved_us IS NOT NULL AND contacts <= 1 AND handoffs = 0"), nil,
			func(c *crm.CaseCounts) *int64 { return &c.FirstContactResolved }},
		{total("handoffs"), nil, func(c *crm.CaseCounts) *int64 { return &c.Handoffs }},
		{total("reopens"), nil, func(c *crm.CaseCounts) *int64 { return &c.Reopens }},
		{count("resolve_breached"), nil, func(c *crm.CaseCounts) *int64 { return &c.ResolveBreaches }},
		{count("promise_broken"), nil, func(c *crm.CaseCounts) *int64 { return &c.PromisesBroken }},
	},
}

// Experience implements crm.AnalyticsReader: the interactions of the
// customers not restricted.
func (a analytics) Experience(ctx context.Context, q crm.ExperienceQuery) ([]crm.ExperienceCounts, error) {
	if err := q.Check(); err != nil {
		return nil, err
	}
	filter := func(w *where) {
		w.add(a.t.s.names.unrestricted("customer_id"))
		w.addIf(q.Survey != "", "survey_kind = ?", string(q.Survey))
		if len(q.Touchpoints) > 0 {
			keys, _ := jsonArg(q.Touchpoints) // strings always encode
			w.add(a.t.s.dialect.inJSONArray("touchpoint"), keys)
		}
	}
	out, err := grouped(ctx, a.t, experienceGrouping, q.From, q.To, q.Map, q.GroupBy, q.Period, filter)
	if err != nil || len(out) == 0 {
		return out, err
	}
	return out, a.respondents(ctx, q, filter, out)
}

// respondentCounts are the NPS per respondent of one period and group.
type respondentCounts struct {
	period, group                      string
	respondents, promoters, detractors int64
}

// respondents fills in the NPS per respondent of the counts out, which
// are of q, with one query that keeps each customer's latest NPS answer
// in each period and group:
//
//	SELECT <period>, <group>, COUNT(*), SUM(promoter), SUM(detractor)
//	FROM (SELECT <period>, <group>, promoter, detractor, ROW_NUMBER() OVER
//	      (PARTITION BY <period>, <group>, customer_id ORDER BY at_us DESC, id DESC) AS latest
//	      FROM interactions WHERE <q> AND nps IS NOT NULL) answers
//	WHERE latest = 1 GROUP BY <period>, <group>
//
// IDs order as crm.ID.Compare does: a uuid by its bytes, SQLite's text
// in lower-case hex.
func (a analytics) respondents(ctx context.Context, q crm.ExperienceQuery, filter func(*where), out []crm.ExperienceCounts) error {
	t := a.t
	var keys []string
	for _, col := range []string{periodKeyColumns[q.Period], groupColumns[q.GroupBy]} {
		if col != "" {
			keys = append(keys, col)
		}
	}
	var w where
	addRange(&w, "at_us", q.From, q.To)
	w.addIf(!q.Map.IsZero(), "map_id = ?", idArg(q.Map))
	filter(&w)
	w.add("nps IS NOT NULL")
	partition := strings.Join(append(slices.Clone(keys), "customer_id"), ", ")
	inner := "SELECT " + strings.Join(append(slices.Clone(keys), "promoter", "detractor"), ", ") +
		", ROW_NUMBER() OVER (PARTITION BY " + partition + " ORDER BY at_us DESC, id DESC) AS latest FROM " +
		t.s.names.interactions + w.sql()
	query := "SELECT " + strings.Join(append(slices.Clone(keys), "COUNT(*)", total("promoter"), total("detractor")), ", ") +
		" FROM (" + inner + ") answers WHERE latest = 1"
	if len(keys) > 0 {
		query += " GROUP BY " + strings.Join(keys, ", ")
	}
	rows, err := aggregate(ctx, t, "counting respondents", query, w.args, func(r *respondentCounts) []any {
		dest := make([]any, 0, 5)
		if periodKeyColumns[q.Period] != "" {
			dest = append(dest, &r.period)
		}
		if groupColumns[q.GroupBy] != "" {
			dest = append(dest, &r.group)
		}
		return append(dest, &r.respondents, &r.promoters, &r.detractors)
	})
	if err != nil {
		return err
	}
	type key struct{ period, group string }
	at := make(map[key]int, len(out))
	for i, c := range out {
		at[key{c.Period, c.Group}] = i
	}
	for _, r := range rows {
		i, ok := at[key{r.period, r.group}]
		if !ok || r.respondents == 0 {
			continue
		}
		out[i].NPSRespondents, out[i].RespondentPromoters, out[i].RespondentDetractors = r.respondents, r.promoters, r.detractors
	}
	return nil
}

// Cases implements crm.AnalyticsReader: cases of the customers not
// restricted are counted by when they were opened, under the department
// that has them now.
func (a analytics) Cases(ctx context.Context, q crm.CaseQuery) ([]crm.CaseCounts, error) {
	if err := q.Check(); err != nil {
		return nil, err
	}
	return grouped(ctx, a.t, caseGrouping, q.From, q.To, q.Map, q.GroupBy, q.Period, func(w *where) {
		w.add(a.t.s.names.unrestricted("customer_id"))
	})
}

// grouped runs
//
//	SELECT <period>, <group>, <sums> FROM <table>
//	WHERE at_us >= ? AND at_us < ? AND map_id = ? AND <filter>
//	GROUP BY <period>, <group> HAVING COUNT(*) > 0 ORDER BY <period>, <group>
//
// leaving out what the query does not ask for. The keys are sorted
// bytewise, as Go compares strings.
func grouped[T any](ctx context.Context, t *txn, g grouping[T], from, to time.Time, mapID crm.ID,
	d crm.Dimension, p crm.Period, filter func(*where)) ([]T, error) {
	var keys, order, selects []string
	for _, col := range []string{periodKeyColumns[p], groupColumns[d]} {
		if col != "" {
			keys = append(keys, col)
			order = append(order, t.s.dialect.bytewise(col))
		}
	}
	var args []any
	selects = append(selects, keys...)
	for _, s := range g.sums {
		selects = append(selects, s.expr)
		args = append(args, s.args...)
	}
	var w where
	addRange(&w, "at_us", from, to)
	w.addIf(!mapID.IsZero(), "map_id = ?", idArg(mapID))
	filter(&w)
	query := "SELECT " + strings.Join(selects, ", ") + " FROM " + g.table(t.s.names) + w.sql()
	if len(keys) > 0 {
		query += " GROUP BY " + strings.Join(keys, ", ")
	}
	// Without GROUP BY, an aggregate over no rows is still one row.
	query += " HAVING COUNT(*) > 0"
	if len(order) > 0 {
		query += " ORDER BY " + strings.Join(order, ", ")
	}
	return aggregate(ctx, t, "aggregating", query, append(args, w.args...), func(v *T) []any {
		period, group := g.keys(v)
		dest := make([]any, 0, len(keys)+len(g.sums))
		if periodKeyColumns[p] != "" {
			dest = append(dest, period)
		}
		if groupColumns[d] != "" {
			dest = append(dest, group)
		}
		for _, s := range g.sums {
			dest = append(dest, s.field(v))
		}
		return dest
	})
}

// aggregate runs query, an aggregate, and scans its rows with dest into
// a slice that is empty, not nil, when there are none.
func aggregate[T any](ctx context.Context, t *txn, op, query string, args []any, dest func(*T) []any) ([]T, error) {
	rows, err := t.query(ctx, query, args...)
	if err != nil {
		return nil, t.s.dbErr(op, err)
	}
	out, err := collect(rows, dest, t.s.dbErr, op)
	return emptyNotNil(out), err
}

// emptyNotNil returns vs, or an empty slice for nil: the reference
// implementations return an empty slice when nothing matches, never nil.
func emptyNotNil[T any](vs []T) []T {
	if vs == nil {
		return []T{}
	}
	return vs
}

// MomentsOfTruth implements crm.AnalyticsReader with two aggregates: one
// join of the moves in range, on evidence at a touchpoint, to their
// customer's interactions in the window before each,
//
//	SELECT i.touchpoint,
//	       COUNT(DISTINCT CASE WHEN <up> THEN m.id END),
//	       COUNT(DISTINCT CASE WHEN <up> THEN NULL ELSE m.id END)
//	FROM ladder_moves m JOIN interactions i ON i.customer_id = m.customer_id
//	     AND i.at_us <= m.at_us AND i.at_us >= m.at_us - <window>
//	WHERE <m.at_us in range> AND m.evidence_touchpoint <> ''
//	GROUP BY i.touchpoint
//
// and the contacts of each touchpoint from the window before From, of
// the customers not restricted in both:
//
//	SELECT touchpoint, COUNT(*) FROM interactions
//	WHERE <at_us in [From - window, To)> GROUP BY touchpoint
//
// merged by touchpoint. Counting distinct moves counts a touchpoint once
// per move, however many contacts the customer had there. Every touchpoint
// that came before a move had a contact in the second range, so the
// contacts list every touchpoint of the answer.
func (a analytics) MomentsOfTruth(ctx context.Context, q crm.MomentsQuery) ([]crm.MomentCount, error) {
	if err := q.Check(); err != nil {
		return nil, err
	}
	t := a.t
	var cw where
	addRange(&cw, "at_us", q.ContactsFrom(), q.To)
	cw.add(t.s.names.unrestricted("customer_id"))
	contacts, err := aggregate(ctx, t, "counting contacts for moments of truth",
		"SELECT touchpoint, COUNT(*) FROM "+t.s.names.interactions+cw.sql()+" GROUP BY touchpoint", cw.args,
		func(c *crm.MomentCount) []any { return []any{&c.Touchpoint, &c.Contacts} })
	if err != nil || len(contacts) == 0 {
		return contacts, err
	}
	up := "m.event IN (?, ?)"
	upArgs := []any{string(crm.Rise), string(crm.WinBack)}
	var w where
	addRange(&w, "m.at_us", q.From, q.To)
	w.add("NOT m.replaced AND m.evidence_kind <> ?", string(crm.EvidenceFading))
	w.add(t.s.names.unrestricted("m.customer_id"))
	w.add("m.evidence_touchpoint <> ''")
	// An interaction at i (whole microseconds) is at or after m - window
	// exactly when i >= m_us - floor(window in microseconds).
	args := append(append(upArgs, upArgs...), micros(q.Lookback()))
	query := "SELECT i.touchpoint, COUNT(DISTINCT CASE WHEN " + up + " THEN m.id END), " +
		"COUNT(DISTINCT CASE WHEN " + up + " THEN NULL ELSE m.id END) " +
		"FROM " + t.s.names.ladderMoves + " m JOIN " + t.s.names.interactions + " i ON i.customer_id = m.customer_id " +
		"AND i.at_us <= m.at_us AND i.at_us >= m.at_us - ?" + w.sql() + " GROUP BY i.touchpoint"
	moves, err := aggregate(ctx, t, "counting moments of truth", query, append(args, w.args...),
		func(c *crm.MomentCount) []any { return []any{&c.Touchpoint, &c.Up, &c.Down} })
	if err != nil {
		return nil, err
	}
	byTouchpoint := make(map[string]int, len(contacts))
	for i, c := range contacts {
		byTouchpoint[c.Touchpoint] = i
	}
	for _, m := range moves {
		i, ok := byTouchpoint[m.Touchpoint]
		if !ok { // cannot happen: the move's contact is in the contacts' range
			i = len(contacts)
			byTouchpoint[m.Touchpoint] = i
			contacts = append(contacts, crm.MomentCount{Touchpoint: m.Touchpoint})
		}
		contacts[i].Up, contacts[i].Down = m.Up, m.Down
	}
	slices.SortFunc(contacts, func(a, b crm.MomentCount) int { return strings.Compare(a.Touchpoint, b.Touchpoint) })
	return contacts, nil
}

// LadderDistribution implements crm.AnalyticsReader: each customer created
// by at, and not restricted now, takes the rung of their last move by at (the latest at_us, then
// the greatest ID), or the initial rung, and the rungs are counted:
//
//	SELECT stage, COUNT(*) FROM (
//	    SELECT COALESCE((SELECT to_stage FROM ladder_moves m
//	                     WHERE m.customer_id = c.id AND m.at_us <= ? AND NOT m.replaced
//	                     ORDER BY m.at_us DESC, m.id DESC LIMIT 1), 'indifferent') AS stage
//	    FROM customers c WHERE c.created_at <= ? AND c.restricted_at IS NULL) s
//	GROUP BY stage
func (a analytics) LadderDistribution(ctx context.Context, at time.Time) ([]crm.StageCount, error) {
	t := a.t
	query := "SELECT stage, COUNT(*) FROM (SELECT COALESCE((SELECT m.to_stage FROM " + t.s.names.ladderMoves +
		" m WHERE m.customer_id = c.id AND m.at_us <= ? AND NOT m.replaced ORDER BY m.at_us DESC, m.id DESC LIMIT 1), ?) AS stage FROM " +
		t.s.names.customers + " c WHERE c.created_at <= ? AND c.restricted_at IS NULL) s GROUP BY stage"
	rows, err := t.query(ctx, query, unixMicros(at), string(crm.LoyaltyLadder().Initial()), t.s.timeArg(at))
	if err != nil {
		return nil, t.s.dbErr("counting the ladder", err)
	}
	counts, err := collect(rows, func(c *crm.StageCount) []any { return []any{&c.Stage, &c.Customers} },
		t.s.dbErr, "counting the ladder")
	if err != nil {
		return nil, err
	}
	byStage := make(map[crm.LoyaltyStage]int64, len(counts))
	for _, c := range counts {
		byStage[c.Stage] = c.Customers
	}
	// Every rung from the bottom up, then lost, zeros included, as
	// storekit.LadderDistribution lists them.
	stages := append(crm.LoyaltyStages(), crm.Lost)
	out := make([]crm.StageCount, len(stages))
	for i, s := range stages {
		out[i] = crm.StageCount{Stage: s, Customers: byStage[s]}
	}
	return out, nil
}
