package crm

import "time"

// StageAt is the deals of a stage at an instant, read from their stage
// history: the rows behind the funnel as of a past date. Stage is any
// stage a deal was in then, open, won or lost (a deal in the won stage
// had been won by then). AmountMinor adds up the deals' amounts as they
// are now: the history keeps stages, not amounts.
type StageAt struct {
	Stage       string `json:"stage,omitempty"`
	Deals       int64  `json:"deals"`
	AmountMinor int64  `json:"amount_minor"`
}

// VisitAt reports whether a stage visit was the deal's stage at the
// instant at: it had begun before at and had not ended by then. A move at
// exactly at has not happened yet, so a deal whose history a DealFlow
// made on a clock that never goes back is in exactly one stage at any
// instant after its creation and in none before.
func (v StageVisit) VisitAt(at time.Time) bool {
	return v.Entered.Before(at) && (v.Left.IsZero() || !v.Left.Before(at))
}

// FunnelAt is the funnel as it stood at the end of the business day day,
// from rows of the deals' stages at that instant: the deals that existed
// then, in the stage they were in then, weighted by the probability of
// that stage (a hand-set probability is not kept in the history). The
// open stages make the bars, as in FunnelNow; Closed holds the won and
// lost stages: the deals won and lost by then, with Rate the share of
// the closed deals each holds (for won, the win rate as it stood).
func (p Pipeline) FunnelAt(rows []StageAt, day Date) Funnel {
	open := make([]StageAmount, 0, len(rows))
	closed := map[string]StageAt{}
	for _, r := range rows {
		s, ok := p.Stage(r.Stage)
		switch {
		case !ok:
		case s.Type == StageOpen:
			open = append(open, StageAmount{Stage: r.Stage, Probability: s.Probability, Deals: r.Deals, AmountMinor: r.AmountMinor})
		default:
			closed[r.Stage] = r
		}
	}
	f := p.FunnelNow(open)
	f.Title = p.Name + ": open deals by stage at the end of " + day.String()
	f.AsOf = day
	won, lost := closed[p.closing(StageWon)], closed[p.closing(StageLost)]
	for _, key := range []string{p.closing(StageWon), p.closing(StageLost)} {
		s, _ := p.Stage(key)
		r := closed[key]
		fs := FunnelStage{Stage: key, Name: s.Name, Deals: r.Deals, Value: MoneyFromMinor(r.AmountMinor, p.Currency), Weighted: Zero(p.Currency)}
		if s.Type == StageWon {
			fs.Weighted = fs.Value
		}
		if all := won.Deals + lost.Deals; all > 0 {
			fs.Rate = float64(r.Deals) / float64(all)
		}
		f.Closed = append(f.Closed, fs)
	}
	return f
}

// CheckAt reports a question about the deals' stages at the instant at
// that the adapters cannot answer: one Check refuses, or no instant.
func (q SalesQuery) CheckAt(at time.Time) error {
	if at.IsZero() {
		return invalid("at", "required", "the instant the stages are read at")
	}
	return q.Check()
}
