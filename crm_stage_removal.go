package crm

import (
	"fmt"
	"maps"
	"slices"
)

// moveOutOfRemovedStages refuses to take an open stage out of the
// pipeline (remove it, or make it a won or lost stage) while it holds
// open deals, unless moves names the open stage they go to; then it
// moves them there, each with a stage visit and an event. The open deals
// are counted in the store, by stage.
func (w *writeTx) moveOutOfRemovedStages(before, after Pipeline, moves map[string]string) error {
	stillOpen := func(key string) bool {
		s, ok := after.Stage(key)
		return ok && s.Type == StageOpen
	}
	for _, from := range slices.Sorted(maps.Keys(moves)) {
		if s, ok := before.Stage(from); !ok || s.Type != StageOpen || stillOpen(from) {
			return invalid("move_deals", "removed_stage", fmt.Sprintf("%q is not an open stage the change removes", truncate(from, 70)))
		}
		if to := moves[from]; !stillOpen(to) {
			return invalid("move_deals", "open_stage", fmt.Sprintf("%q is not an open stage of the changed pipeline", truncate(to, 70)))
		}
	}
	var removed []string
	for _, s := range before.OpenStages() {
		if !stillOpen(s.Key) {
			removed = append(removed, s.Key)
		}
	}
	if len(removed) == 0 {
		return nil
	}
	rows, err := w.tx.Sales().StageAmounts(w.ctx, SalesQuery{Pipeline: before.ID})
	if err != nil {
		return err
	}
	open := map[string]int64{}
	for _, r := range rows {
		open[r.Stage] += r.Deals
	}
	f, err := after.Flow()
	if err != nil {
		return err
	}
	for _, stage := range removed {
		if open[stage] == 0 {
			continue
		}
		to, ok := moves[stage]
		if !ok {
			return &StageInUseError{Pipeline: before.ID, Stage: stage, OpenDeals: open[stage]}
		}
		if err := w.relocateDeals(f, stage, to); err != nil {
			return err
		}
	}
	return nil
}

// relocateDeals moves the open deals of the flow's pipeline in stage
// from, which the pipeline no longer has, to the open stage to.
func (w *writeTx) relocateDeals(f *DealFlow, from, to string) error {
	note := fmt.Sprintf("stage %s removed from the pipeline", from)
	for {
		deals, err := w.tx.Deals().List(w.ctx, DealFilter{Pipeline: f.p.ID, Stage: from, Status: DealOpen}, PageRequest{Limit: MaxPageSize})
		if err != nil || len(deals) == 0 {
			return err
		}
		for _, d := range deals {
			after := d.Clone()
			if err := f.Relocate(&after, to, w.now); err != nil {
				return err
			}
			if _, err := w.saveDeal(d, after, DealStageMoved, note); err != nil {
				return err
			}
		}
	}
}
