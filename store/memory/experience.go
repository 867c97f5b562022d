package memory

import (
	"context"
	"slices"
	"sort"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/storekit"
)

// storedMap is a touchpoint map with its touchpoints resolved when saved.
type storedMap struct {
	m        crm.TouchpointMap
	resolved map[string]crm.ResolvedTouchpoint
}

func (s storedMap) clone() storedMap {
	s.m = s.m.Clone()
	return s // resolved touchpoints are never changed after saving
}

func storeMap(m crm.TouchpointMap) (storedMap, error) {
	rs, err := m.Resolve()
	if err != nil {
		return storedMap{}, err
	}
	s := storedMap{m: m, resolved: make(map[string]crm.ResolvedTouchpoint, len(rs))}
	for _, r := range rs {
		s.resolved[r.Key] = r
	}
	return s, nil
}

type mapRepo struct{ t *txState }

func (r mapRepo) repo() repo[storedMap] {
	return repo[storedMap]{kind: crm.KindTouchpointMap, rows: r.t.maps,
		id: func(s storedMap) crm.ID { return s.m.ID }, version: func(s storedMap) int64 { return s.m.Version }}
}

func (r mapRepo) Get(_ context.Context, id crm.ID) (crm.TouchpointMap, error) {
	s, err := r.repo().get(id)
	return s.m, err
}

func (r mapRepo) List(_ context.Context, p crm.PageRequest) ([]crm.TouchpointMap, error) {
	var out []crm.TouchpointMap
	for _, s := range r.repo().list(p, func(storedMap) bool { return true }) {
		out = append(out, s.m)
	}
	return out, nil
}

// Touchpoint implements crm.TouchpointMapReader: it reads the one
// touchpoint, without a copy of the map.
func (r mapRepo) Touchpoint(_ context.Context, mapID crm.ID, key string) (crm.ResolvedTouchpoint, error) {
	s, ok := r.t.maps.peek(mapID)
	if !ok {
		return crm.ResolvedTouchpoint{}, &crm.NotFoundError{Kind: crm.KindTouchpointMap, ID: mapID.String()}
	}
	tp, ok := s.resolved[key]
	if !ok {
		return crm.ResolvedTouchpoint{}, &crm.NotFoundError{Kind: crm.KindTouchpointMap, ID: mapID.String() + "/" + key}
	}
	tp.Path = slices.Clone(tp.Path)
	return tp, nil
}

func (r mapRepo) Insert(_ context.Context, m crm.TouchpointMap) error {
	s, err := storeMap(m)
	if err != nil {
		return err
	}
	return r.repo().insert(s)
}

func (r mapRepo) Update(_ context.Context, m crm.TouchpointMap) error {
	s, err := storeMap(m)
	if err != nil {
		return err
	}
	return r.repo().update(s)
}

type interactionRepo struct{ t *txState }

func (r interactionRepo) Get(_ context.Context, id crm.ID) (crm.Interaction, error) {
	in, ok := r.t.interactions.get(id)
	if !ok {
		return crm.Interaction{}, &crm.NotFoundError{Kind: crm.KindInteraction, ID: id.String()}
	}
	return in, nil
}

func (r interactionRepo) ByIdempotencyKey(ctx context.Context, key string) (crm.Interaction, error) {
	if key != "" {
		if id, ok := r.t.s.idempotency[key]; ok {
			return r.Get(ctx, id)
		}
		if mine := r.t.interactions.mine(func(in crm.Interaction) bool { return in.IdempotencyKey == key }); len(mine) > 0 {
			return mine[0], nil
		}
	}
	return crm.Interaction{}, &crm.NotFoundError{Kind: crm.KindInteraction, ID: "idempotency key " + key}
}

func (r interactionRepo) ForCustomer(_ context.Context, customer crm.ID) ([]crm.Interaction, error) {
	return r.between(customer, time.Time{}, time.Time{}), nil
}

// ForCustomerBetween implements crm.InteractionReader: it reads only the
// customer's contacts in the window, found in their index by time.
func (r interactionRepo) ForCustomerBetween(_ context.Context, customer crm.ID, from, to time.Time) ([]crm.Interaction, error) {
	return r.between(customer, from, to), nil
}

// between returns the customer's interactions at or after from and
// before to (a zero time bounds nothing), by time, then ID.
func (r interactionRepo) between(customer crm.ID, from, to time.Time) []crm.Interaction {
	in := func(at time.Time) bool { return (from.IsZero() || !at.Before(from)) && (to.IsZero() || at.Before(to)) }
	committed := r.t.s.byCustomer[customer].interactions
	lo, hi := contactWindow(committed, from, to)
	out := make([]crm.Interaction, 0, hi-lo)
	for _, c := range committed[lo:hi] {
		v, _ := r.t.interactions.get(c.id)
		out = append(out, v)
	}
	mine := r.t.interactions.mine(func(v crm.Interaction) bool { return v.Customer == customer && in(v.At) })
	if len(mine) == 0 {
		return out
	}
	out = append(out, mine...)
	slices.SortFunc(out, func(a, b crm.Interaction) int { return contact{a.At, a.ID}.compare(contact{b.At, b.ID}) })
	return out
}

// contact is an interaction in its customer's index, which keeps them by
// time, then ID.
type contact struct {
	at time.Time
	id crm.ID
}

func (c contact) compare(o contact) int {
	if n := c.at.Compare(o.at); n != 0 {
		return n
	}
	return c.id.Compare(o.id)
}

// addContact adds a committed interaction to its customer's index.
func (s *Store) addContact(in crm.Interaction) {
	rows := s.byCustomer[in.Customer]
	c := contact{in.At, in.ID}
	i, _ := slices.BinarySearchFunc(rows.interactions, c, contact.compare)
	rows.interactions = slices.Insert(rows.interactions, i, c)
	s.byCustomer[in.Customer] = rows
}

// Repeats implements crm.InteractionReader from the customer's index by
// time, reading the committed rows of the window in place.
func (r interactionRepo) Repeats(_ context.Context, customer, c crm.ID, touchpoint string, from, to time.Time) (int, error) {
	same := func(in *crm.Interaction) bool {
		return in.Direction == crm.Inbound && in.Case == c && (!c.IsZero() || in.Touchpoint == touchpoint)
	}
	inWindow := func(at time.Time) bool { return (from.IsZero() || !at.Before(from)) && (to.IsZero() || at.Before(to)) }
	o, n := r.t.interactions, 0
	committed := r.t.s.byCustomer[customer].interactions
	lo, hi := contactWindow(committed, from, to)
	for _, k := range committed[lo:hi] {
		if _, mine := o.written(k.id); !mine && same(o.base.rows.at(o.base.pos[k.id])) {
			n++
		}
	}
	for i := range o.dirty { // the transaction's rows, new or changed
		if in := &o.dirty[i].v; in.Customer == customer && inWindow(in.At) && same(in) {
			n++
		}
	}
	return n, nil
}

// contactWindow returns the bounds of the contacts at from or later and
// before to; a zero time bounds nothing.
func contactWindow(committed []contact, from, to time.Time) (lo, hi int) {
	lo, hi = 0, len(committed)
	if !from.IsZero() {
		lo = sort.Search(len(committed), func(i int) bool { return !committed[i].at.Before(from) })
	}
	if !to.IsZero() {
		hi = max(lo, sort.Search(len(committed), func(i int) bool { return !committed[i].at.Before(to) }))
	}
	return lo, hi
}

func (r interactionRepo) Insert(ctx context.Context, in crm.Interaction) error {
	if _, ok := r.t.interactions.peek(in.ID); ok {
		return &crm.ConflictError{Kind: crm.KindInteraction, ID: in.ID.String(), Detail: "already exists"}
	}
	if in.IdempotencyKey != "" {
		if _, err := r.ByIdempotencyKey(ctx, in.IdempotencyKey); err == nil {
			return &crm.ConflictError{Kind: crm.KindInteraction, ID: in.ID.String(), Detail: "idempotency key already used"}
		}
	}
	r.t.interactions.put(in.ID, in, true)
	return nil
}

// rowsOf returns a customer's committed rows, by their index, followed by
// the matching rows the transaction added.
func rowsOf[T any](o *overlay[T], committed []crm.ID, match func(T) bool) []T {
	out := make([]T, 0, len(committed))
	for _, id := range committed {
		v, _ := o.get(id)
		out = append(out, v)
	}
	return append(out, o.mine(match)...)
}

type caseRepo struct{ t *txState }

func (r caseRepo) repo() repo[crm.Case] {
	return repo[crm.Case]{kind: crm.KindCase, rows: r.t.cases,
		id: func(c crm.Case) crm.ID { return c.ID }, version: func(c crm.Case) int64 { return c.Version }}
}

func (r caseRepo) Get(_ context.Context, id crm.ID) (crm.Case, error) { return r.repo().get(id) }
func (r caseRepo) Insert(_ context.Context, c crm.Case) error         { return r.repo().insert(c) }
func (r caseRepo) Update(_ context.Context, c crm.Case) error         { return r.repo().update(c) }
func (r caseRepo) List(_ context.Context, f crm.CaseFilter, p crm.PageRequest) ([]crm.Case, error) {
	return r.repo().list(p, f.Match), nil
}

type templateRepo struct{ t *txState }

func (r templateRepo) repo() repo[crm.JourneyTemplate] {
	return repo[crm.JourneyTemplate]{kind: crm.KindJourneyTemplate, rows: r.t.templates,
		id: func(t crm.JourneyTemplate) crm.ID { return t.ID }, version: func(t crm.JourneyTemplate) int64 { return t.Version }}
}

func (r templateRepo) Get(_ context.Context, id crm.ID) (crm.JourneyTemplate, error) {
	return r.repo().get(id)
}
func (r templateRepo) Insert(_ context.Context, t crm.JourneyTemplate) error {
	return r.repo().insert(t)
}
func (r templateRepo) Update(_ context.Context, t crm.JourneyTemplate) error {
	return r.repo().update(t)
}
func (r templateRepo) List(_ context.Context, mapID crm.ID, p crm.PageRequest) ([]crm.JourneyTemplate, error) {
	return r.repo().list(p, func(t crm.JourneyTemplate) bool { return mapID.IsZero() || t.Map == mapID }), nil
}

type ladderRepo struct{ t *txState }

func cloneEvidence(ev crm.Evidence) crm.Evidence {
	ev.Survey = cloneSurvey(ev.Survey)
	return ev
}

func cloneSurvey(s crm.Survey) crm.Survey {
	return crm.Interaction{Survey: s}.Clone().Survey
}

func (r ladderRepo) states() repo[crm.LadderState] {
	return repo[crm.LadderState]{kind: crm.KindLadderState, rows: r.t.states,
		id: func(s crm.LadderState) crm.ID { return s.Customer }, version: func(s crm.LadderState) int64 { return s.Version }}
}

func (r ladderRepo) State(_ context.Context, customer crm.ID) (crm.LadderState, error) {
	return r.states().get(customer)
}

func (r ladderRepo) SaveState(_ context.Context, st crm.LadderState) error {
	if st.Version == 1 {
		return r.states().insert(st)
	}
	return r.states().update(st)
}

// stage is a customer's rung now.
func (t *txState) stage(customer crm.ID) crm.LoyaltyStage {
	if st, ok := t.states.peek(customer); ok {
		return st.Stage
	}
	return crm.Indifferent
}

func (r ladderRepo) Evidence(_ context.Context, customer crm.ID) ([]crm.Evidence, error) {
	out := rowsOf(r.t.evidence, r.t.s.byCustomer[customer].evidence, func(ev crm.Evidence) bool { return ev.Customer == customer })
	slices.SortFunc(out, func(a, b crm.Evidence) int { return a.ID.Compare(b.ID) })
	return out, nil
}

func (r ladderRepo) EvidenceFrom(ctx context.Context, customer crm.ID, source crm.Kind, sourceID crm.ID) ([]crm.Evidence, error) {
	all, err := r.Evidence(ctx, customer)
	return slices.DeleteFunc(all, func(ev crm.Evidence) bool { return ev.Source != source || ev.SourceID != sourceID }), err
}

func (r ladderRepo) EvidenceFromMany(ctx context.Context, customer crm.ID, source crm.Kind, sourceIDs []crm.ID) ([]crm.Evidence, error) {
	want := make(map[crm.ID]bool, len(sourceIDs))
	for _, id := range sourceIDs {
		want[id] = true
	}
	all, err := r.Evidence(ctx, customer)
	return slices.DeleteFunc(all, func(ev crm.Evidence) bool { return ev.Source != source || !want[ev.SourceID] }), err
}

func (r ladderRepo) EvidenceByID(_ context.Context, id crm.ID) (crm.Evidence, error) {
	ev, ok := r.t.evidence.get(id)
	if !ok {
		return crm.Evidence{}, &crm.NotFoundError{Kind: crm.KindEvidence, ID: id.String()}
	}
	return ev, nil
}

func (r ladderRepo) Moves(_ context.Context, customer crm.ID) ([]crm.LadderMove, error) {
	out := rowsOf(r.t.moves, r.t.s.byCustomer[customer].moves, func(m crm.LadderMove) bool { return m.Customer == customer })
	out = slices.DeleteFunc(out, func(m crm.LadderMove) bool { return !r.t.inForce(m) })
	slices.SortFunc(out, func(a, b crm.LadderMove) int { return a.ID.Compare(b.ID) })
	return out, nil
}

func (r ladderRepo) ReplacedMoves(_ context.Context, customer crm.ID) ([]crm.LadderMove, error) {
	out := rowsOf(r.t.moves, r.t.s.byCustomer[customer].moves, func(m crm.LadderMove) bool { return m.Customer == customer })
	out = slices.DeleteFunc(out, r.t.inForce)
	slices.SortFunc(out, func(a, b crm.LadderMove) int { return a.ID.Compare(b.ID) })
	return out, nil
}

func (r ladderRepo) MovesBetween(_ context.Context, from, to time.Time, p crm.PageRequest) ([]crm.LadderMove, error) {
	p = p.Normalized()
	in := func(m crm.LadderMove) bool {
		return (from.IsZero() || !m.At.Before(from)) && (to.IsZero() || m.At.Before(to)) && r.t.inForce(m) && !r.t.restricted(m.Customer)
	}
	return r.t.moves.list(p.After, p.Limit, in), nil
}

func (r ladderRepo) Fading(_ context.Context, by time.Time, p crm.PageRequest) ([]crm.LadderState, error) {
	p = p.Normalized()
	return r.t.states.list(p.After, p.Limit, func(st crm.LadderState) bool {
		if st.FadesAt.IsZero() || st.FadesAt.After(by) {
			return false
		}
		return !r.t.restricted(st.Customer)
	}), nil
}

func (r ladderRepo) ReplaceMoves(_ context.Context, moves []crm.ID) error {
	for _, id := range moves {
		if _, ok := r.t.moves.get(id); ok && r.t.inForce(crm.LadderMove{ID: id}) {
			r.t.replaced.put(id, id, true)
		}
	}
	return nil
}

// inForce reports whether no replay replaced the move.
func (t *txState) inForce(m crm.LadderMove) bool {
	_, gone := t.replaced.peek(m.ID)
	return !gone
}

// movesInForce returns every move in force, in no particular order.
func (t *txState) movesInForce() []crm.LadderMove {
	return slices.DeleteFunc(t.moves.all(), func(m crm.LadderMove) bool { return !t.inForce(m) })
}

func (r ladderRepo) AppendEvidence(_ context.Context, ev crm.Evidence) error {
	return appendNew(r.t.evidence, crm.KindEvidence, ev.ID, ev)
}

func (r ladderRepo) AppendMoves(_ context.Context, moves []crm.LadderMove) error {
	for _, m := range moves {
		if err := appendNew(r.t.moves, crm.KindLadderMove, m.ID, m); err != nil {
			return err
		}
	}
	return nil
}

func appendNew[T any](o *overlay[T], kind crm.Kind, id crm.ID, v T) error {
	if _, ok := o.peek(id); ok {
		return &crm.ConflictError{Kind: kind, ID: id.String(), Detail: "already exists"}
	}
	o.put(id, v, true)
	return nil
}

// analytics answers with the reference implementations over every row
// the transaction sees.
type analytics struct{ t *txState }

func (a analytics) Experience(_ context.Context, q crm.ExperienceQuery) ([]crm.ExperienceCounts, error) {
	if err := q.Check(); err != nil {
		return nil, err
	}
	agg := storekit.NewExperienceAggregator(q)
	a.t.interactions.each(func(in *crm.Interaction) {
		if !a.t.restricted(in.Customer) {
			agg.Add(in)
		}
	})
	return agg.Result(), nil
}

func (a analytics) Cases(_ context.Context, q crm.CaseQuery) ([]crm.CaseCounts, error) {
	if err := q.Check(); err != nil {
		return nil, err
	}
	return storekit.AggregateCases(unrestricted(a.t, a.t.cases.all(), func(c crm.Case) crm.ID { return c.Customer }), q), nil
}

func (a analytics) MomentsOfTruth(_ context.Context, q crm.MomentsQuery) ([]crm.MomentCount, error) {
	if err := q.Check(); err != nil {
		return nil, err
	}
	moves := unrestricted(a.t, a.t.movesInForce(), func(m crm.LadderMove) crm.ID { return m.Customer })
	contacts := unrestricted(a.t, a.t.interactions.all(), func(in crm.Interaction) crm.ID { return in.Customer })
	return storekit.MomentsOfTruth(moves, contacts, q), nil
}

func (a analytics) LadderDistribution(_ context.Context, at time.Time) ([]crm.StageCount, error) {
	return storekit.LadderDistribution(a.t.customers.all(), a.t.movesInForce(), at), nil
}
