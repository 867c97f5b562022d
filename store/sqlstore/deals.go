package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/crmkit/crm"
)

// dealTable stores deals: the amount in minor units beside its currency,
// the history as JSON text and, one row a visit, in deal_visits. The
// derived columns hold what the sales analytics add up: closed_us and
// cycle_us date a close by crm.Deal.ClosingAt, the business day it
// happened, which a back-dated win or a corrected close date moves while
// closed_at keeps the moment it was recorded. A deal saved before such
// dates existed entered its won or lost stage at its closed_at, so its
// derived columns need no back-fill.
var dealTable = &recordTable[crm.Deal]{
	kind:  crm.KindDeal,
	table: func(n names) string { return n.deals },
	columns: []string{"id", "pipeline_id", "customer_id", "owner_id", "team", "title", "amount_minor",
		"amount_currency", "close_date", "stage", "status", "probability", "manual_probability", "campaign_id",
		"lost_reason", "lost_notes", "history", "furthest", "activities", "last_activity_at", "created_at",
		"updated_at", "closed_at", "version", "forecast_category"},
	derived: []string{"created_us", "closed_us", "cycle_us", "forecast_day", "forecast_month"},
	id:      func(d crm.Deal) crm.ID { return d.ID },
	version: func(d crm.Deal) int64 { return d.Version },
	values: func(s *Store, d crm.Deal) ([]any, error) {
		minor, currency, err := moneyArgs("amount", d.Amount)
		if err != nil {
			return nil, err
		}
		closeDate, err := dateArg("close_date", d.CloseDate)
		if err != nil {
			return nil, err
		}
		history, err := jsonArg(convert(d.History, toVisitDoc))
		if err != nil {
			return nil, err
		}
		day, month := forecastKeys(d)
		return []any{idArg(d.ID), idArg(d.Pipeline), idArg(d.Customer), idArg(d.Owner), d.Team, d.Title, minor,
			currency, closeDate, d.Stage, string(d.Status), d.Probability, optionalIntArg(d.ManualProbability),
			idArg(d.Campaign), string(d.LostReason), d.LostNotes, history, d.Furthest, d.Activities,
			s.optionalTimeArg(d.LastActivityAt), s.timeArg(d.CreatedAt), s.timeArg(d.UpdatedAt),
			s.optionalTimeArg(d.ClosedAt), d.Version, string(d.ForecastCategory),
			unixMicros(d.CreatedAt), unixMicros(d.ClosingAt()), spent(d.CreatedAt, d.ClosingAt()), day, month,
		}, nil
	},
	dest: func(d *crm.Deal) []any {
		minor, currency := money(&d.Amount)
		return []any{&d.ID, &d.Pipeline, &d.Customer, &d.Owner, &d.Team, &d.Title, minor, currency, &d.CloseDate,
			&d.Stage, &d.Status, &d.Probability, optionalIntCol{&d.ManualProbability}, &d.Campaign, &d.LostReason,
			&d.LostNotes, docsCol[visitDoc, crm.StageVisit]{&d.History, visitDoc.visit}, &d.Furthest, &d.Activities,
			timeCol{&d.LastActivityAt}, timeCol{&d.CreatedAt}, timeCol{&d.UpdatedAt}, timeCol{&d.ClosedAt}, &d.Version,
			&d.ForecastCategory}
	},
	saved: saveVisits,
}

// spent is the time from a to b in whole microseconds, as the reference
// implementations measure it (b.Sub(a).Microseconds(), saturating past
// 292 years) between the times as stored, to the microsecond.
func spent(a, b time.Time) int64 {
	return b.Truncate(time.Microsecond).Sub(a.Truncate(time.Microsecond)).Microseconds()
}

// forecastKeys returns the forecast_day and forecast_month of d: the day
// it counts on in the forecast (its expected close date while open, the
// day it was won), as a day number, and that day's month as
// crm.ForecastAmount names it; NULL and "" for a lost deal or an open one
// without a close date.
func forecastKeys(d crm.Deal) (day any, month string) {
	var date crm.Date
	switch d.Status {
	case crm.DealOpen:
		date = d.CloseDate
	case crm.DealWon:
		date, _ = d.ForecastDate()
	}
	if date.IsZero() {
		return nil, ""
	}
	return dayNumber(date), fmt.Sprintf("%04d-%02d", date.Year, int(date.Month))
}

// visitDoc is how a stage visit is kept in the deal's history column,
// with keys of its own and times to the microsecond.
type visitDoc struct {
	Stage   string    `json:"stage"`
	Entered time.Time `json:"entered"`
	Left    time.Time `json:"left"`
}

func toVisitDoc(v crm.StageVisit) visitDoc {
	return visitDoc{Stage: v.Stage, Entered: v.Entered.UTC().Truncate(time.Microsecond),
		Left: v.Left.UTC().Truncate(time.Microsecond)}
}

func (d visitDoc) visit() crm.StageVisit {
	return crm.StageVisit{Stage: d.Stage, Entered: d.Entered.UTC(), Left: d.Left.UTC()}
}

// visitRow is a row of deal_visits: one visit of a deal's history, with
// the time spent in the stage for the visits that ended, and the deal's
// pipeline, owner and team, which the sales analytics filter on, and its
// amount in minor units, which the funnel as of a past date adds up.
type visitRow struct {
	deal, pipeline, owner crm.ID
	team                  string
	amountMinor           int64
	seq                   int
	crm.StageVisit
}

// visitTable stores the visits of deals, replaced whenever a deal is
// saved; they are only added up, never read back.
var visitTable = &recordTable[visitRow]{
	kind:    crm.KindDeal,
	table:   func(n names) string { return n.dealVisits },
	columns: []string{"deal_id", "seq", "stage", "entered_us", "left_us", "micros", "pipeline_id", "owner_id", "team", "amount_minor"},
	values: func(_ *Store, v visitRow) ([]any, error) {
		var left, micros any
		if !v.Left.IsZero() {
			left, micros = unixMicros(v.Left), spent(v.Entered, v.Left)
		}
		return []any{idArg(v.deal), v.seq, v.Stage, unixMicros(v.Entered), left, micros, idArg(v.pipeline), idArg(v.owner), v.team, v.amountMinor}, nil
	},
}

// saveVisits makes deal_visits hold exactly d's history.
func saveVisits(ctx context.Context, t *txn, d crm.Deal, inserted bool) error {
	if !inserted {
		if _, err := t.exec(ctx, "DELETE FROM "+t.s.names.dealVisits+" WHERE deal_id = ?", idArg(d.ID)); err != nil {
			return t.s.dbErr("replacing stage visits", err)
		}
	}
	minor, _, err := moneyArgs("amount", d.Amount)
	if err != nil {
		return err
	}
	rows := make([]visitRow, len(d.History))
	for i, v := range d.History {
		rows[i] = visitRow{deal: d.ID, pipeline: d.Pipeline, owner: d.Owner, team: d.Team, amountMinor: minor, seq: i, StageVisit: v}
	}
	return records[visitRow]{visitTable, t}.insertAll(ctx, rows)
}

// dealRepo implements crm.DealRepository in one transaction.
type dealRepo struct{ repo[crm.Deal] }

// List implements crm.DealReader with the rules of crm.DealFilter.Match.
func (r dealRepo) List(ctx context.Context, f crm.DealFilter, page crm.PageRequest) ([]crm.Deal, error) {
	var w where
	w.addIf(!f.Pipeline.IsZero(), "pipeline_id = ?", idArg(f.Pipeline))
	w.addIf(!f.Customer.IsZero(), "customer_id = ?", idArg(f.Customer))
	w.addIf(!f.Owner.IsZero(), "owner_id = ?", idArg(f.Owner))
	w.addIf(f.Team != "", "team = ?", f.Team)
	w.addIf(f.Status != "", "status = ?", string(f.Status))
	w.addIf(f.Stage != "", "stage = ?", f.Stage)
	w.addIf(!f.Campaign.IsZero(), "campaign_id = ?", idArg(f.Campaign))
	return r.list(ctx, w, page)
}
