package crm

import (
	"context"
	"errors"
	"slices"
	"time"
)

// SetQuota sets the quota of a rep or a team in a pipeline for a fiscal
// period, making its next version and recording a QuotaSet event with the
// amount before and after and the reason. A manager sets the quotas of
// their team and its reps (the rep's team as it is now), an admin
// anyone's (ActionSetQuota); reps set none. Setting the amount and reason
// it has changes nothing.
func (c *DealService) SetQuota(ctx context.Context, actor ID, r SetQuotaRequest) (Quota, error) {
	var out Quota
	err := c.write(ctx, actor, func(w *writeTx) error {
		p, err := w.tx.Pipelines().Get(ctx, r.Pipeline)
		if err != nil {
			return err
		}
		if r, err = r.check(p); err != nil {
			return err
		}
		target := Target{Kind: KindQuota, Team: r.Team}
		if !r.Owner.IsZero() {
			u, err := w.tx.Users().Get(ctx, r.Owner)
			if errors.Is(err, ErrNotFound) {
				return invalid("owner", "exists", "no such user")
			} else if err != nil {
				return err
			}
			target.Owner, target.Team = u.ID, u.Team
		}
		if err := w.authorize(ActionSetQuota, target); err != nil {
			return err
		}
		id := QuotaID(r.Pipeline, r.Owner, r.Team, r.Period)
		before, err := w.tx.Quotas().Get(ctx, id)
		found := err == nil
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		if err := checkVersion(KindQuota, id, r.IfVersion, before.Version); err != nil {
			return err
		}
		if found && before.Amount.Equal(r.Amount) && before.Reason == r.Reason {
			out = before
			return nil
		}
		out = Quota{ID: id, Pipeline: r.Pipeline, Owner: r.Owner, Team: r.Team, Period: r.Period, Amount: r.Amount,
			Reason: r.Reason, SetBy: w.actor.ID, CreatedAt: cmpOr(before.CreatedAt, w.now), UpdatedAt: w.now, Version: before.Version + 1}
		if found {
			err = w.tx.Quotas().Update(ctx, out)
		} else {
			err = w.tx.Quotas().Insert(ctx, out)
		}
		if err != nil {
			return err
		}
		var cs changes
		cs.add("amount", moneyText(before.Amount), moneyText(out.Amount))
		return w.record(QuotaSet, KindQuota, id, out.Version, ChangeSet{Changes: cs, Reason: r.Reason})
	})
	return out, err
}

// Attainment reports the quotas of a pipeline and fiscal period against
// what their holders won in it (see Attainment), the won amounts added up
// in the store. A rep may ask about their own, a manager about their
// team's (the team's quota and those of the reps in it now), an analyst
// about everyone's.
func (c *DealService) Attainment(ctx context.Context, actor ID, q AttainmentQuery) (AttainmentReport, error) {
	if q.Pipeline.IsZero() {
		return AttainmentReport{}, errPipelineRequired()
	}
	if q.Period.IsZero() {
		return AttainmentReport{}, invalid("period", "required", "")
	}
	if err := q.Period.check(); err != nil {
		return AttainmentReport{}, err
	}
	out := AttainmentReport{Query: q}
	out.From, out.To = c.calendar.Dates(q.Period)
	err := c.read(ctx, actor, func(tx ReadTx, a User) error {
		team, err := c.reportScope(ctx, tx, a, q.Owner, q.Team)
		if err != nil {
			return err
		}
		if _, err := tx.Pipelines().Get(ctx, q.Pipeline); err != nil {
			return err
		}
		quotas, err := c.quotasOf(ctx, tx, q, team)
		if err != nil {
			return err
		}
		for _, qu := range quotas {
			rows, err := tx.Sales().Forecast(ctx, SalesQuery{Pipeline: q.Pipeline, Owner: qu.Owner, Team: qu.Team,
				From: out.From.In(time.UTC), To: out.To.In(time.UTC)})
			if err != nil {
				return err
			}
			out.Lines = append(out.Lines, qu.Attain(rows))
		}
		return nil
	})
	return out, err
}

// quotasOf lists the quotas the attainment query asks about, team quotas
// first: an owner's, or team's and those of the users in it now, or all.
func (c *DealService) quotasOf(ctx context.Context, tx ReadTx, q AttainmentQuery, team string) ([]Quota, error) {
	f := QuotaFilter{Pipeline: q.Pipeline, Period: q.Period, Owner: q.Owner}
	members := map[ID]bool{}
	var out []Quota
	page := PageRequest{Limit: MaxPageSize}
	for {
		list, err := tx.Quotas().List(ctx, f, page)
		if err != nil {
			return nil, err
		}
		for _, qu := range list {
			switch {
			case !q.Owner.IsZero() || team == "":
			case qu.Team != "":
				if qu.Team != team {
					continue
				}
			default:
				in, seen := members[qu.Owner]
				if !seen {
					u, err := tx.Users().Get(ctx, qu.Owner)
					if err != nil && !errors.Is(err, ErrNotFound) {
						return nil, err
					}
					in = err == nil && u.Team == team
					members[qu.Owner] = in
				}
				if !in {
					continue
				}
			}
			out = append(out, qu)
		}
		if len(list) < page.Limit {
			break
		}
		page.After = list[len(list)-1].ID
	}
	slices.SortStableFunc(out, func(a, b Quota) int {
		switch {
		case a.Team != "" && b.Team == "":
			return -1
		case a.Team == "" && b.Team != "":
			return 1
		}
		return 0
	})
	return out, nil
}
