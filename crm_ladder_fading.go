package crm

import "context"

// FadingQuery bounds a fading sweep: at most Limit customers (0: 1000,
// at most MaxPageSize) are moved in one call, in one transaction.
type FadingQuery struct {
	Limit int `json:"limit"`
}

// FadingReport says what a fading sweep did: how many customers it moved,
// their moves, and whether more customers are due (call again).
type FadingReport struct {
	Customers int          `json:"customers"`
	Moves     []LadderMove `json:"moves,omitempty"`
	More      bool         `json:"more,omitempty"`
}

// CheckFading moves the customers whom fading alone has moved by now
// (LadderRules.Fade): the good experiences of a satisfied customer who
// has not been heard from fade until they are indifferent; an annoyed
// customer's bad ones fade until they are not; an advocate with no
// referral or promoter answer within AdvocateRecency is one no longer.
// Each move is dated when it happened (the start of the business day, in
// the CRM's calendar, on which the faded score crossed the line), with a
// reason that names the fading, and recorded as a LadderMoved event, so
// the distribution on the ladder at any past date is true once the sweep
// has run past it.
//
// It reads only the customers due (LadderState.FadesAt), so its cost
// follows the customers it moves, not the store. Run it once a business
// day, as CheckPromises and CheckOverdue; running it again moves no one
// twice, and who runs it changes nothing in what it does. It needs the
// right to record on every customer (ScopeAll), as a scheduled job has.
func (c *LadderService) CheckFading(ctx context.Context, actor ID, q FadingQuery) (FadingReport, error) {
	limit := q.Limit
	if limit < 0 || limit > MaxPageSize {
		return FadingReport{}, invalid("limit", "range", "0-1000")
	}
	limit = cmpOr(limit, MaxPageSize)
	var out FadingReport
	err := c.write(ctx, actor, func(w *writeTx) error {
		out = FadingReport{}
		if err := w.authorize(ActionRecord, Target{Kind: KindLadderState}); err != nil {
			return err
		}
		due, err := w.tx.Ladder().Fading(ctx, w.now, PageRequest{Limit: limit + 1})
		if err != nil {
			return err
		}
		if len(due) > limit {
			due, out.More = due[:limit], true
		}
		for _, st := range due {
			next, moves := w.crm.rules.Fade(st, w.now)
			next.Version = st.Version + 1
			if err := w.tx.Ladder().SaveState(ctx, next); err != nil {
				return err
			}
			if err := w.saveMoves(st, next, moves); err != nil {
				return err
			}
			if len(moves) > 0 {
				out.Customers++
				out.Moves = append(out.Moves, moves...)
			}
		}
		return nil
	})
	return out, err
}
