package crm

import (
	"cmp"
	"time"
)

// arrivedLate reports whether evidence comes before what the state has
// weighed already, in the ladder's order: before the state's time, or at
// the instant of the last evidence weighed but before it
// (CompareEvidence). Evidence at the instant of a fading move, after the
// last evidence, comes after the move. The state keeps where its last
// evidence stands (LastAt, LastArrival, LastEvidence), so only backdated
// evidence of the very instant of backdated evidence weighed last reads
// it, to compare what the two say; a state that names no last evidence
// is taken to be after.
func (w *writeTx) arrivedLate(st LadderState, ev Evidence) (bool, error) {
	if st.Evidence == 0 || ev.At.After(st.UpdatedAt) {
		return false, nil
	}
	if ev.At.Before(st.UpdatedAt) || st.LastEvidence.IsZero() {
		return true, nil
	}
	if !st.LastAt.IsZero() {
		if st.LastAt.Before(ev.At) {
			return false, nil
		}
		last := Evidence{At: st.LastAt, Arrival: st.LastArrival}
		if c := cmp.Or(st.LastAt.Compare(ev.At), compareArrival(last, ev)); c != 0 || ev.Arrival > 0 {
			return c > 0, nil
		}
	}
	last, err := w.tx.Ladder().EvidenceByID(w.ctx, st.LastEvidence)
	if err != nil {
		return false, err
	}
	return !last.At.Before(ev.At) && CompareEvidence(ev, last) < 0, nil
}

// replayLate weighs evidence that arrived late, in the order it happened:
// it replays the customer's evidence with it from the start and fades the
// result to now. The stored moves from the evidence's time on that the
// replay gives again are kept; from the first that differs, the stored
// ones are replaced by the replayed ones, which are the moves the
// evidence caused. It costs the customer's evidence and moves, not the
// store's; evidence that arrives in order never takes this path.
func (w *writeTx) replayLate(st LadderState, ev Evidence) (LadderState, []LadderMove, error) {
	cu, err := w.customer(ev.Customer)
	if err != nil {
		return st, nil, err
	}
	evidence, err := w.tx.Ladder().Evidence(w.ctx, ev.Customer)
	if err != nil {
		return st, nil, err
	}
	stored, err := w.tx.Ladder().Moves(w.ctx, ev.Customer)
	if err != nil {
		return st, nil, err
	}
	next, replayed, err := w.crm.rules.Replay(cu.CreatedAt, append(evidence, ev))
	if err != nil {
		return st, nil, err
	}
	next, faded := w.crm.rules.Fade(next, w.now)
	replayed = append(replayed, faded...)
	old, fresh := movesFrom(stored, ev.At), movesFrom(replayed, ev.At)
	k := 0
	for k < len(old) && k < len(fresh) && sameMove(old[k], fresh[k]) {
		k++
	}
	if k == len(old) {
		return next, fresh[k:], nil // nothing stored changes: the evidence only adds
	}
	ids := make([]ID, 0, len(old)-k)
	for _, m := range old[k:] {
		ids = append(ids, m.ID)
	}
	if err := w.tx.Ladder().ReplaceMoves(w.ctx, ids); err != nil {
		return st, nil, err
	}
	data := ladderReplayData{From: old[k].At, Evidence: len(evidence) + 1, Replaced: len(ids), Moves: len(fresh) - k}
	if err := w.record(LadderReplayed, KindLadderState, ev.Customer, st.Version+1, data); err != nil {
		return st, nil, err
	}
	return next, fresh[k:], nil
}

// movesFrom returns the moves at or after from, in the order given.
func movesFrom(moves []LadderMove, from time.Time) []LadderMove {
	for i, m := range moves {
		if !m.At.Before(from) {
			return moves[i:]
		}
	}
	return nil
}

// sameMove reports whether a replayed move is the stored one: the same
// move at the same time on the same evidence, for the same reason.
func sameMove(stored, replayed LadderMove) bool {
	return stored.At.Equal(replayed.At) && stored.From == replayed.From && stored.To == replayed.To &&
		stored.Event == replayed.Event && stored.Evidence.ID == replayed.Evidence.ID &&
		stored.Evidence.Kind == replayed.Evidence.Kind && stored.Reason == replayed.Reason
}

// ladderReplayData is the payload of a LadderReplayed event.
type ladderReplayData struct {
	From     time.Time `json:"from"`     // the first move the replay changed
	Evidence int       `json:"evidence"` // the evidence replayed
	Replaced int       `json:"replaced"` // the stored moves replaced
	Moves    int       `json:"moves"`    // the moves that replace them
}
