package storekit

import (
	"cmp"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/wide"
)

// AggregateStagesAt groups the deals of q by the stage each was in at the
// instant at (crm.StageVisit.VisitAt), sorted by stage; deals created at
// or after at are in no stage. Every visit that spans the instant counts:
// a history made by a DealFlow on a clock that never goes back has one at
// most, and one whose times go back (a deal closed before the visit it
// leaves began) counts in each stage it claims.
func AggregateStagesAt(deals []crm.Deal, q crm.SalesQuery, at time.Time) ([]crm.StageAt, error) {
	return feed(NewStagesAtAggregator(q, at), deals).Result()
}

// StagesAtAggregator groups deals by the stage they were in at an
// instant one deal at a time, for adapters that stream their rows.
type StagesAtAggregator struct {
	q      crm.SalesQuery
	at     time.Time
	stages map[string]*summed[crm.StageAt]
}

// NewStagesAtAggregator starts an empty grouping for q at the instant at.
func NewStagesAtAggregator(q crm.SalesQuery, at time.Time) *StagesAtAggregator {
	return &StagesAtAggregator{q: q, at: at, stages: map[string]*summed[crm.StageAt]{}}
}

// Add counts the deal in the stage it was in at the instant, if any.
func (a *StagesAtAggregator) Add(d *crm.Deal) {
	if !a.q.Match(*d) {
		return
	}
	for _, v := range d.History {
		if v.VisitAt(a.at) {
			row(a.stages, v.Stage, func() crm.StageAt { return crm.StageAt{Stage: v.Stage} }, minorOf(d.Amount)).Deals++
		}
	}
}

// Result returns the rows, sorted by stage.
func (a *StagesAtAggregator) Result() ([]crm.StageAt, error) {
	return finish(a.stages, func(r *crm.StageAt, s [2]wide.Int) error { return setFit(&r.AmountMinor, "amount_minor", s[0]) },
		func(x, y crm.StageAt) int { return cmp.Compare(x.Stage, y.Stage) })
}
