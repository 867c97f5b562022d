package sqlstore

import (
	"context"
	"time"

	"github.com/crmkit/crm"
)

// ladderStateTable stores ladder states, keyed and versioned by customer.
var ladderStateTable = &recordTable[crm.LadderState]{
	kind:  crm.KindLadderState,
	table: func(n names) string { return n.ladderStates },
	columns: []string{"customer_id", "stage", "score", "since", "updated_at", "purchases", "last_referral",
		"last_promoter", "evidence", "version", "last_detractor", "failures", "last_failure", "before_failure", "fades_at",
		"last_evidence", "last_at", "last_arrival"},
	id:      func(st crm.LadderState) crm.ID { return st.Customer },
	version: func(st crm.LadderState) int64 { return st.Version },
	values: func(s *Store, st crm.LadderState) ([]any, error) {
		return []any{idArg(st.Customer), string(st.Stage), st.Score, s.optionalTimeArg(st.Since),
			s.optionalTimeArg(st.UpdatedAt), st.Purchases, s.optionalTimeArg(st.LastReferral),
			s.optionalTimeArg(st.LastPromoter), st.Evidence, st.Version, s.optionalTimeArg(st.LastDetractor), st.Failures,
			s.optionalTimeArg(st.LastFailure), st.BeforeFailure, s.optionalTimeArg(st.FadesAt), idArg(st.LastEvidence),
			s.optionalTimeArg(st.LastAt), st.LastArrival}, nil
	},
	dest: func(st *crm.LadderState) []any {
		return []any{&st.Customer, &st.Stage, &st.Score, timeCol{&st.Since}, timeCol{&st.UpdatedAt}, &st.Purchases,
			timeCol{&st.LastReferral}, timeCol{&st.LastPromoter}, &st.Evidence, &st.Version, timeCol{&st.LastDetractor},
			&st.Failures, timeCol{&st.LastFailure}, &st.BeforeFailure, timeCol{&st.FadesAt}, &st.LastEvidence,
			timeCol{&st.LastAt}, &st.LastArrival}
	},
}

// evidenceTable stores the ladder's evidence, append-only.
var evidenceTable = &recordTable[crm.Evidence]{
	kind:  crm.KindEvidence,
	table: func(n names) string { return n.evidence },
	columns: []string{"id", "customer_id", "kind", "at", "source", "source_id", "map_id", "touchpoint", "weight",
		"sentiment", "nps", "csat", "ces", "transfers", "breached", "resolved", "resolution_us", "within_standard",
		"handoffs", "reopens", "note", "direction", "promise_broken", "repeats", "arrival"},
	id: func(ev crm.Evidence) crm.ID { return ev.ID },
	values: func(s *Store, ev crm.Evidence) ([]any, error) {
		return []any{idArg(ev.ID), idArg(ev.Customer), string(ev.Kind), s.timeArg(ev.At), string(ev.Source),
			idArg(ev.SourceID), idArg(ev.Map), ev.Touchpoint, ev.Weight, int(ev.Sentiment),
			optionalIntArg(ev.Survey.NPS), optionalIntArg(ev.Survey.CSAT), optionalIntArg(ev.Survey.CES), ev.Transfers,
			ev.Breached, ev.Resolved, micros(ev.Resolution), ev.WithinStandard, ev.Handoffs, ev.Reopens, ev.Note,
			string(ev.Direction), ev.PromiseBroken, ev.Repeats, ev.Arrival}, nil
	},
	dest: func(ev *crm.Evidence) []any {
		return []any{&ev.ID, &ev.Customer, &ev.Kind, timeCol{&ev.At}, &ev.Source, &ev.SourceID, &ev.Map,
			&ev.Touchpoint, &ev.Weight, &ev.Sentiment, optionalIntCol{&ev.Survey.NPS}, optionalIntCol{&ev.Survey.CSAT},
			optionalIntCol{&ev.Survey.CES}, &ev.Transfers, &ev.Breached, &ev.Resolved, durationCol{&ev.Resolution},
			&ev.WithinStandard, &ev.Handoffs, &ev.Reopens, &ev.Note, &ev.Direction, &ev.PromiseBroken, &ev.Repeats, &ev.Arrival}
	},
}

// moveTable stores the ladder's moves, append-only, each with the
// reference to the evidence that caused it (its ID, kind, source and
// touchpoint; migration 0037), and its time as at_us for the analytics. A
// move late evidence replaced stays, marked replaced, and no reader
// returns it.
var moveTable = &recordTable[crm.LadderMove]{
	kind:  crm.KindLadderMove,
	table: func(n names) string { return n.ladderMoves },
	columns: []string{"id", "customer_id", "at", "from_stage", "to_stage", "event", "score_before", "score_after",
		"evidence_id", "evidence_kind", "evidence_source", "evidence_source_id", "evidence_touchpoint", "reason"},
	derived: []string{"at_us"},
	id:      func(m crm.LadderMove) crm.ID { return m.ID },
	values: func(s *Store, m crm.LadderMove) ([]any, error) {
		ev := m.Evidence
		return []any{idArg(m.ID), idArg(m.Customer), s.timeArg(m.At), string(m.From), string(m.To), string(m.Event),
			m.ScoreBefore, m.ScoreAfter, idArg(ev.ID), string(ev.Kind), string(ev.Source), idArg(ev.SourceID), ev.Touchpoint,
			m.Reason, unixMicros(m.At)}, nil
	},
	dest: func(m *crm.LadderMove) []any {
		ev := &m.Evidence
		return []any{&m.ID, &m.Customer, timeCol{&m.At}, &m.From, &m.To, &m.Event, &m.ScoreBefore, &m.ScoreAfter,
			&ev.ID, &ev.Kind, &ev.Source, &ev.SourceID, &ev.Touchpoint, &m.Reason}
	},
}

// ladderRepo implements crm.LadderRepository in one transaction.
type ladderRepo struct{ t *txn }

func (r ladderRepo) states() records[crm.LadderState] {
	return records[crm.LadderState]{ladderStateTable, r.t}
}

func (r ladderRepo) evidence() records[crm.Evidence] {
	return records[crm.Evidence]{evidenceTable, r.t}
}

func (r ladderRepo) moves() records[crm.LadderMove] { return records[crm.LadderMove]{moveTable, r.t} }

// State implements crm.LadderReader.
func (r ladderRepo) State(ctx context.Context, customer crm.ID) (crm.LadderState, error) {
	return r.states().get(ctx, customer)
}

// SaveState implements crm.LadderRepository: version 1 inserts the
// customer's first state, any other version replaces the state stored
// with the version before it.
func (r ladderRepo) SaveState(ctx context.Context, st crm.LadderState) error {
	if st.Version == 1 {
		return r.states().insert(ctx, st)
	}
	return r.states().update(ctx, st)
}

// Evidence implements crm.LadderReader.
func (r ladderRepo) Evidence(ctx context.Context, customer crm.ID) ([]crm.Evidence, error) {
	return r.evidence().query(ctx, " WHERE customer_id = ? ORDER BY id", idArg(customer))
}

// EvidenceFrom implements crm.LadderReader.
func (r ladderRepo) EvidenceFrom(ctx context.Context, customer crm.ID, source crm.Kind, sourceID crm.ID) ([]crm.Evidence, error) {
	return r.evidence().query(ctx, " WHERE customer_id = ? AND source = ? AND source_id = ? ORDER BY id", idArg(customer),
		string(source), idArg(sourceID))
}

// EvidenceByID implements crm.LadderReader.
func (r ladderRepo) EvidenceByID(ctx context.Context, id crm.ID) (crm.Evidence, error) {
	return r.evidence().get(ctx, id)
}

// Moves implements crm.LadderReader.
func (r ladderRepo) Moves(ctx context.Context, customer crm.ID) ([]crm.LadderMove, error) {
	return r.moves().query(ctx, " WHERE customer_id = ? AND NOT replaced ORDER BY id", idArg(customer))
}

// ReplacedMoves implements crm.LadderReader.
func (r ladderRepo) ReplacedMoves(ctx context.Context, customer crm.ID) ([]crm.LadderMove, error) {
	return r.moves().query(ctx, " WHERE customer_id = ? AND replaced ORDER BY id", idArg(customer))
}

// MovesBetween implements crm.LadderReader.
func (r ladderRepo) MovesBetween(ctx context.Context, from, to time.Time, page crm.PageRequest) ([]crm.LadderMove, error) {
	var w where
	addRange(&w, "at_us", from, to)
	w.add("NOT replaced")
	w.add(r.t.s.names.unrestricted("customer_id"))
	return r.moves().list(ctx, w, page)
}

// Fading implements crm.LadderReader: the states due, but those of the
// restricted customers, found by their index of 0028.
func (r ladderRepo) Fading(ctx context.Context, by time.Time, page crm.PageRequest) ([]crm.LadderState, error) {
	var w where
	w.add("fades_at IS NOT NULL AND fades_at <= ?", r.t.s.timeArg(by))
	w.add(r.t.s.names.unrestricted("customer_id"))
	return r.states().list(ctx, w, page)
}

// ReplaceMoves implements crm.LadderRepository.
func (r ladderRepo) ReplaceMoves(ctx context.Context, moves []crm.ID) error {
	for _, id := range moves {
		if _, err := r.t.exec(ctx, "UPDATE "+r.t.s.names.ladderMoves+" SET replaced = ? WHERE id = ? AND NOT replaced",
			true, idArg(id)); err != nil {
			return r.t.s.dbErr("replacing ladder moves", err)
		}
	}
	return nil
}

// addRange selects the rows whose time, kept in whole unix microseconds
// in col, is in [from, to); zero bounds are open.
func addRange(w *where, col string, from, to time.Time) {
	w.addIf(!from.IsZero(), col+" >= ?", unixMicros(ceilMicro(from)))
	w.addIf(!to.IsZero(), col+" < ?", unixMicros(ceilMicro(to)))
}

// AppendEvidence implements crm.LadderRepository.
func (r ladderRepo) AppendEvidence(ctx context.Context, ev crm.Evidence) error {
	return r.evidence().insert(ctx, ev)
}

// AppendMoves implements crm.LadderRepository.
func (r ladderRepo) AppendMoves(ctx context.Context, moves []crm.LadderMove) error {
	for _, m := range moves {
		if err := r.moves().insert(ctx, m); err != nil {
			return err
		}
	}
	return nil
}
