package crm

import (
	"context"
	"errors"
	"time"
)

// salesReport runs fn for a question about a pipeline's deals: a rep may
// ask about their own deals, a manager about the team's, and an analyst
// (ActionAnalyze) about anyone's. fn gets the question as authorized (see
// reportScope).
func (c *engine) salesReport(ctx context.Context, actor ID, q SalesQuery, fn func(ReadTx, *DealFlow, SalesQuery) error) error {
	if err := q.Check(); err != nil {
		return err
	}
	return c.read(ctx, actor, func(tx ReadTx, a User) error {
		var err error
		if q.Team, err = c.reportScope(ctx, tx, a, q.Owner, q.Team); err != nil {
			return err
		}
		f, err := flowOf(ctx, tx.Pipelines(), q.Pipeline)
		if err != nil {
			return err
		}
		return fn(tx, f, q)
	})
}

// reportScope lets an actor see figures about an owner or a team they may
// read, and figures about everyone when they may analyze. It returns the
// team the figures are to be kept to: the one asked about, or, when a
// reader of their team's records (a manager) asks about one of its
// members, their team, so that they see that member's work in the team,
// as a listing of the member's deals shows it.
func (c *engine) reportScope(ctx context.Context, tx ReadTx, a User, owner ID, team string) (string, error) {
	if owner.IsZero() && team == "" {
		return team, c.policy.Authorize(a, ActionAnalyze, Target{Kind: KindDeal})
	}
	if team == "" && a.Team != "" {
		if rs, ok := c.policy.(ReadScoper); ok && rs.ReadScope(a, KindDeal) == ScopeTeam {
			u, err := tx.Users().Get(ctx, owner)
			switch {
			case err == nil && u.Team == a.Team:
				team = a.Team
			case err != nil && !errors.Is(err, ErrNotFound):
				return "", err
			}
		}
	}
	return team, c.policy.Authorize(a, ActionRead, Target{Kind: KindDeal, Owner: owner, Team: team})
}

// Funnel returns a pipeline's funnel as it stands: the open deals of each
// stage, their value and their weighted value.
func (c *DealService) Funnel(ctx context.Context, actor ID, q SalesQuery) (Funnel, error) {
	var out Funnel
	err := c.salesReport(ctx, actor, q, func(tx ReadTx, f *DealFlow, q SalesQuery) error {
		rows, err := tx.Sales().StageAmounts(ctx, q)
		out = f.Pipeline().FunnelNow(rows)
		return err
	})
	return out, err
}

// FunnelAsOf returns a pipeline's funnel as it stood at the end of the
// business day day (by the CRM's calendar), from the deals' stage
// history: the deals that existed then, in the stage they were in then,
// open, won or lost as they were then (see Pipeline.FunnelAt). The day
// is today or before; q's range is not used.
func (c *DealService) FunnelAsOf(ctx context.Context, actor ID, q SalesQuery, day Date) (Funnel, error) {
	switch {
	case day.IsZero():
		return Funnel{}, invalid("day", "required", "the day the funnel is as of")
	case !day.IsValid():
		return Funnel{}, invalid("day", "calendar", "")
	case day.After(c.today()):
		return Funnel{}, invalid("day", "not_future", "the stage history tells the past, not the future")
	}
	at := c.calendar.Start(day.AddDays(1))
	var out Funnel
	err := c.salesReport(ctx, actor, q, func(tx ReadTx, f *DealFlow, q SalesQuery) error {
		rows, err := tx.Sales().StagesAt(ctx, q, at)
		out = f.Pipeline().FunnelAt(rows, day)
		return err
	})
	return out, err
}

// CohortFunnel returns the funnel of the deals created in [q.From, q.To):
// how many reached each stage and were won, with the conversions.
func (c *DealService) CohortFunnel(ctx context.Context, actor ID, q SalesQuery) (Funnel, error) {
	var out Funnel
	err := c.salesReport(ctx, actor, q, func(tx ReadTx, f *DealFlow, q SalesQuery) error {
		rows, err := tx.Sales().Cohort(ctx, q)
		out = f.Pipeline().CohortFunnel(rows)
		return err
	})
	return out, err
}

// Forecast returns the weighted forecast by month and forecast category:
// open deals at their probability in the month they are expected, won
// deals at their actual amount in the month they closed, lost deals left
// out; open deals expected in a month before the current one (by the
// CRM's calendar) are in the overdue line, not in the month they missed.
func (c *DealService) Forecast(ctx context.Context, actor ID, q SalesQuery) ([]ForecastLine, error) {
	return c.ForecastBy(ctx, actor, q, ForecastByMonth)
}

// ForecastBy is Forecast by calendar month or by the fiscal quarter or
// fiscal year of the CRM's business calendar; an open deal expected in a
// period before the current one is in the overdue line.
func (c *DealService) ForecastBy(ctx context.Context, actor ID, q SalesQuery, by ForecastPeriod) ([]ForecastLine, error) {
	o := ForecastOptions{Calendar: c.calendar, Today: c.today(), By: by}
	if err := o.check(); err != nil {
		return nil, err
	}
	var out []ForecastLine
	err := c.salesReport(ctx, actor, q, func(tx ReadTx, f *DealFlow, q SalesQuery) error {
		rows, err := tx.Sales().Forecast(ctx, q)
		out = f.Pipeline().ForecastWith(rows, o)
		return err
	})
	return out, err
}

// KPIs returns the win rate, average deal size, sales cycle, lost
// reasons and stage velocity of the deals closed (or stages left) in
// [q.From, q.To).
func (c *DealService) KPIs(ctx context.Context, actor ID, q SalesQuery) (SalesKPIs, error) {
	var out SalesKPIs
	err := c.salesReport(ctx, actor, q, func(tx ReadTx, f *DealFlow, q SalesQuery) error {
		outcomes, err := tx.Sales().Outcomes(ctx, q)
		if err != nil {
			return err
		}
		times, err := tx.Sales().StageTimes(ctx, q)
		out = f.Pipeline().KPIs(outcomes, times)
		return err
	})
	return out, err
}

// WorkReport returns a rep's or a team's work report for a period: the
// online report that replaces the status meeting. A rep may
// read their own; a manager their team's (a member's work in the team);
// an analyst everyone's. The rotting deals it lists are those the reader
// may read, and so are the untouched key accounts and the deals without a
// next activity (their counts count them all); visits are judged by the
// CRM's VisitRule.
func (c *ActivityService) WorkReport(ctx context.Context, actor ID, q WorkQuery) (WorkReport, error) {
	q.Today, q.loc = c.asOf(q.Today), c.calendar.Loc()
	rule := c.visits
	q.VisitRule = &rule // the CRM's rule (WithVisitRule) judges visits
	if err := q.Check(); err != nil {
		return WorkReport{}, err
	}
	var out WorkReport
	err := c.read(ctx, actor, func(tx ReadTx, a User) error {
		var err error
		if q.Team, err = c.reportScope(ctx, tx, a, q.Owner, q.Team); err != nil {
			return err
		}
		counts, err := tx.Sales().Work(ctx, q)
		if err != nil {
			return err
		}
		out = WorkReport{Query: q, Counts: c.readableLists(a, counts)}
		for _, o := range counts.Outcomes {
			switch o.Status {
			case DealWon:
				out.Won += o.Deals
			case DealLost:
				out.Lost += o.Deals
			}
		}
		// The rotting deals are records, not figures: kept to those the
		// reader may read, as Rotting keeps them.
		f, ok := c.narrowDeals(a, DealFilter{Owner: q.Owner, Team: q.Team, Status: DealOpen})
		if !ok {
			return nil
		}
		out.Rotting, err = rottingDeals(ctx, tx, f, q.Today.In(time.UTC))
		return err
	})
	return out, err
}

// Rotting lists the open deals matching f that have been idle longer than
// their stage allows, now by the CRM's clock, and that the actor may read.
func (c *DealService) Rotting(ctx context.Context, actor ID, f DealFilter) ([]RottingDeal, error) {
	now := c.now()
	var out []RottingDeal
	err := c.read(ctx, actor, func(tx ReadTx, a User) error {
		scoped, ok := c.narrowDeals(a, f)
		if !ok {
			return nil
		}
		scoped.Status = DealOpen
		var err error
		out, err = rottingDeals(ctx, tx, scoped, now)
		return err
	})
	return out, err
}

func rottingDeals(ctx context.Context, tx ReadTx, f DealFilter, now time.Time) ([]RottingDeal, error) {
	flows := map[ID]*DealFlow{}
	var out []RottingDeal
	page := PageRequest{Limit: MaxPageSize}
	for {
		deals, err := tx.Deals().List(ctx, f, page)
		if err != nil {
			return nil, err
		}
		for _, d := range deals {
			fl := flows[d.Pipeline]
			if fl == nil {
				if fl, err = flowOf(ctx, tx.Pipelines(), d.Pipeline); err != nil {
					return nil, err
				}
				flows[d.Pipeline] = fl
			}
			if rot, idle := fl.Rotting(d, now); rot {
				s, _ := fl.Pipeline().Stage(d.Stage)
				out = append(out, RottingDeal{Deal: d, IdleDays: idle, Limit: s.RotAfterDays})
			}
		}
		if len(deals) < page.Limit {
			return out, nil
		}
		page.After = deals[len(deals)-1].ID
	}
}
