package crm

import (
	"context"
	"slices"
	"time"
)

// batchView is the Tx a batch of recordings works through
// (RecordInteractions): the write's, except that what the recordings
// read of their customers, their ladder states, the idempotency keys they
// carry and the customers' recent interactions is read once for the whole
// batch, before the first recording; and what they write of
// interactions, evidence, ladder states and moves is kept and written in
// a few statements of many rows (flush), at the end or before any read
// the view cannot answer itself. Each recording runs the code of a single
// one, so a batch records exactly what recording one by one would.
//
// A write that weighs many facts of its own records (the invoices a
// payment settles) weighs them through the same view (readFactsAhead),
// which also knows which of those records were weighed already.
//
// Every method of the interaction and ladder repositories goes through
// the view: those it does not answer write what is kept first, then ask
// the store.
type batchView struct {
	Tx
	ctx       context.Context
	customers map[ID]Customer
	states    map[ID]*batchState // the customers read ahead
	keys      map[string]Interaction
	keysRead  map[string]bool
	// recent holds the interactions in [from, to) of the customers read
	// ahead, ordered by At then ID, the batch's own included.
	recent   map[ID][]Interaction
	from, to time.Time
	windowed bool

	touchpoints map[[2]string]ResolvedTouchpoint // by map and key

	ins      []Interaction
	evidence []Evidence
	kept     map[ID]int // evidence kept, by ID: its index in evidence
	moves    []LadderMove
	failed   error // of a flush that could not return it

	// sources holds the evidence drawn from the records read ahead
	// (readFactsAhead), the batch's own included: EvidenceFrom of one of
	// them is answered here. A record not read ahead has no key.
	sources map[evidenceSource][]Evidence
}

// evidenceSource is a record of a customer's that evidence is drawn from.
type evidenceSource struct {
	customer, id ID
	source       Kind
}

// batchState is a customer's ladder state as the batch knows it.
type batchState struct {
	st     LadderState
	has    bool  // a state is stored or saved
	stored int64 // the version stored
}

// readAhead reads what the batch's recordings will read: their customers,
// ladder states and idempotency keys, and, when the rules count repeats,
// the customers' interactions over the window before the batch's
// contacts.
func readAhead(ctx context.Context, tx Tx, rules LadderRules, batch []NewInteraction) (*batchView, error) {
	v := &batchView{Tx: tx, ctx: ctx, customers: map[ID]Customer{}, states: map[ID]*batchState{},
		keys: map[string]Interaction{}, keysRead: map[string]bool{}, recent: map[ID][]Interaction{},
		touchpoints: map[[2]string]ResolvedTouchpoint{}}
	ids := make([]ID, 0, len(batch))
	var keys []string
	var first, last time.Time
	for _, n := range batch {
		ids = append(ids, n.Customer)
		if key, err := cleanText("idempotency_key", n.IdempotencyKey, maxNameLen, false); err == nil && key != "" {
			keys = append(keys, key)
		}
		if at := n.At.UTC().Truncate(time.Microsecond); !n.At.IsZero() {
			if first.IsZero() || at.Before(first) {
				first = at
			}
			if at.After(last) {
				last = at
			}
		}
	}
	if err := v.readCustomers(ids); err != nil {
		return nil, err
	}
	if len(keys) > 0 {
		found, err := tx.Interactions().ByIdempotencyKeys(ctx, keys)
		if err != nil {
			return nil, err
		}
		for _, in := range found {
			v.keys[in.IdempotencyKey] = in
		}
		for _, k := range keys {
			v.keysRead[k] = true
		}
	}
	if window := rules.RepeatWindow; window > 0 && rules.Repeat != 0 && !first.IsZero() {
		v.from, v.to, v.windowed = first.Add(-window), last, true
		ins, err := tx.Interactions().ForCustomersBetween(ctx, ids, v.from, v.to)
		if err != nil {
			return nil, err
		}
		for _, in := range ins {
			v.recent[in.Customer] = append(v.recent[in.Customer], in)
		}
	}
	return v, nil
}

// readFactsAhead returns the view through which a write weighs many facts
// of its own records (weighPaid): their customers and ladder states are
// read once, and which of the records were weighed already in one
// statement per customer and kind of record; the evidence, states and
// moves the facts make are kept and written in a few statements of many
// rows (flush). Each fact is weighed by the code that weighs one, so the
// batch weighs exactly what weighing them one by one would.
func readFactsAhead(ctx context.Context, tx Tx, facts []Evidence) (*batchView, error) {
	v := &batchView{Tx: tx, ctx: ctx, customers: map[ID]Customer{}, states: map[ID]*batchState{},
		keys: map[string]Interaction{}, keysRead: map[string]bool{}, recent: map[ID][]Interaction{},
		touchpoints: map[[2]string]ResolvedTouchpoint{}, sources: map[evidenceSource][]Evidence{}}
	type records struct {
		customer ID
		source   Kind
	}
	var ids []ID
	seen := map[ID]bool{}
	byRecords := map[records][]ID{}
	var order []records
	for _, ev := range facts {
		if !seen[ev.Customer] {
			seen[ev.Customer] = true
			ids = append(ids, ev.Customer)
		}
		if ev.SourceID.IsZero() {
			continue
		}
		k := records{ev.Customer, ev.Source}
		if _, ok := byRecords[k]; !ok {
			order = append(order, k)
		}
		byRecords[k] = append(byRecords[k], ev.SourceID)
		v.sources[evidenceSource{ev.Customer, ev.SourceID, ev.Source}] = nil
	}
	if err := v.readCustomers(ids); err != nil {
		return nil, err
	}
	for _, k := range order {
		evs, err := tx.Ladder().EvidenceFromMany(ctx, k.customer, k.source, byRecords[k])
		if err != nil {
			return nil, err
		}
		for _, ev := range evs {
			key := evidenceSource{ev.Customer, ev.SourceID, ev.Source}
			v.sources[key] = append(v.sources[key], ev)
		}
	}
	return v, nil
}

// readCustomers reads ahead the customers ids and their ladder states.
func (v *batchView) readCustomers(ids []ID) error {
	cus, err := v.Tx.Customers().GetMany(v.ctx, ids)
	if err != nil {
		return err
	}
	for _, c := range cus {
		v.customers[c.ID] = c
		v.states[c.ID] = &batchState{}
	}
	sts, err := v.Tx.Ladder().States(v.ctx, ids)
	if err != nil {
		return err
	}
	for _, st := range sts {
		if s := v.states[st.Customer]; s != nil {
			*s = batchState{st: st, has: true, stored: st.Version}
		}
	}
	return nil
}

// keepEvidence keeps evidence to write, and adds it to what is known to
// be drawn from its record.
func (v *batchView) keepEvidence(ev Evidence) {
	if v.kept == nil {
		v.kept = map[ID]int{}
	}
	v.kept[ev.ID] = len(v.evidence)
	v.evidence = append(v.evidence, ev)
	v.drawn(ev)
}

// drawn adds evidence written to what is known to be drawn from its
// record.
func (v *batchView) drawn(ev Evidence) {
	key := evidenceSource{ev.Customer, ev.SourceID, ev.Source}
	if evs, ok := v.sources[key]; ok {
		v.sources[key] = append(evs, ev)
	}
}

// flush writes what the batch keeps: interactions, evidence, the states
// saved, then moves.
func (v *batchView) flush() error {
	ctx := v.ctx
	if len(v.ins) > 0 {
		if err := v.Tx.Interactions().InsertAll(ctx, v.ins); err != nil {
			return err
		}
	}
	if len(v.evidence) > 0 {
		if err := v.Tx.Ladder().AppendAllEvidence(ctx, v.evidence); err != nil {
			return err
		}
	}
	var saves []StateSave
	for _, s := range v.states {
		if s.has && s.st.Version != s.stored {
			saves = append(saves, StateSave{State: s.st, Replaces: s.stored})
			s.stored = s.st.Version
		}
	}
	slices.SortFunc(saves, func(a, b StateSave) int { return a.State.Customer.Compare(b.State.Customer) })
	if len(saves) > 0 {
		if err := v.Tx.Ladder().SaveStates(ctx, saves); err != nil {
			return err
		}
	}
	if len(v.moves) > 0 {
		if err := v.Tx.Ladder().AppendMoves(ctx, v.moves); err != nil {
			return err
		}
	}
	v.ins, v.evidence, v.moves = nil, nil, nil
	clear(v.kept)
	return nil
}

// Customers implements Tx.
func (v *batchView) Customers() CustomerRepository {
	return batchCustomers{customersReadAhead{v.Tx.Customers(), v.customers}, v}
}

// Interactions implements Tx.
func (v *batchView) Interactions() InteractionRepository {
	return batchInteractions{v.Tx.Interactions(), v}
}

// TouchpointMaps implements Tx: a touchpoint is looked up once a batch.
func (v *batchView) TouchpointMaps() TouchpointMapRepository {
	return batchTouchpoints{v.Tx.TouchpointMaps(), v}
}

// batchTouchpoints keeps the touchpoints looked up; a map saved forgets
// them.
type batchTouchpoints struct {
	TouchpointMapRepository
	v *batchView
}

func (r batchTouchpoints) Touchpoint(ctx context.Context, mapID ID, key string) (ResolvedTouchpoint, error) {
	k := [2]string{mapID.String(), key}
	if tp, ok := r.v.touchpoints[k]; ok {
		tp.Path = slices.Clone(tp.Path)
		return tp, nil
	}
	tp, err := r.TouchpointMapRepository.Touchpoint(ctx, mapID, key)
	if err == nil {
		r.v.touchpoints[k] = tp
		tp.Path = slices.Clone(tp.Path)
	}
	return tp, err
}

func (r batchTouchpoints) Insert(ctx context.Context, m TouchpointMap) error {
	clear(r.v.touchpoints)
	return r.TouchpointMapRepository.Insert(ctx, m)
}

func (r batchTouchpoints) Update(ctx context.Context, m TouchpointMap) error {
	clear(r.v.touchpoints)
	return r.TouchpointMapRepository.Update(ctx, m)
}

// Ladder implements Tx.
func (v *batchView) Ladder() LadderRepository { return batchLadder{v.Tx.Ladder(), v} }

// Analytics implements Tx: what is kept is written first. A failure to
// write it fails the batch (failed).
func (v *batchView) Analytics() AnalyticsReader {
	if err := v.flush(); err != nil && v.failed == nil {
		v.failed = err
	}
	return v.Tx.Analytics()
}

// customersReadAhead answers Get from the customers a batch read ahead;
// a change to a customer forgets them.
type customersReadAhead struct {
	CustomerRepository
	known map[ID]Customer
}

func (r customersReadAhead) Get(ctx context.Context, id ID) (Customer, error) {
	if c, ok := r.known[id]; ok {
		return c, nil
	}
	return r.CustomerRepository.Get(ctx, id)
}

func (r customersReadAhead) Hold(ctx context.Context, id ID) (Customer, error) {
	delete(r.known, id)
	return r.CustomerRepository.Hold(ctx, id)
}

func (r customersReadAhead) Update(ctx context.Context, c Customer) error {
	delete(r.known, c.ID)
	return r.CustomerRepository.Update(ctx, c)
}

// batchCustomers are the customers read ahead; the lists across
// customers write what the batch keeps first.
type batchCustomers struct {
	customersReadAhead
	v *batchView
}

func (r batchCustomers) List(ctx context.Context, f CustomerFilter, page PageRequest) ([]Customer, error) {
	if err := r.v.flush(); err != nil {
		return nil, err
	}
	return r.CustomerRepository.List(ctx, f, page)
}

func (r batchCustomers) StaleLeads(ctx context.Context, before time.Time, page PageRequest) ([]Customer, error) {
	if err := r.v.flush(); err != nil {
		return nil, err
	}
	return r.CustomerRepository.StaleLeads(ctx, before, page)
}

// batchInteractions answers the idempotency keys and the recent
// interactions read ahead, and keeps what is inserted.
type batchInteractions struct {
	InteractionRepository
	v *batchView
}

func (r batchInteractions) ByIdempotencyKey(ctx context.Context, key string) (Interaction, error) {
	if in, ok := r.v.keys[key]; ok {
		return in, nil
	}
	if r.v.keysRead[key] {
		return Interaction{}, &NotFoundError{Kind: KindInteraction, ID: "idempotency key " + key}
	}
	if err := r.v.flush(); err != nil {
		return Interaction{}, err
	}
	return r.InteractionRepository.ByIdempotencyKey(ctx, key)
}

func (r batchInteractions) ForCustomerBetween(ctx context.Context, customer ID, from, to time.Time) ([]Interaction, error) {
	if _, read := r.v.states[customer]; read && r.v.windowed && !from.IsZero() && !to.IsZero() &&
		!from.Before(r.v.from) && !to.After(r.v.to) {
		recent := r.v.recent[customer] // ordered by At
		lo, _ := slices.BinarySearchFunc(recent, from, func(in Interaction, t time.Time) int { return in.At.Compare(t) })
		hi, _ := slices.BinarySearchFunc(recent, to, func(in Interaction, t time.Time) int { return in.At.Compare(t) })
		return slices.Clone(recent[lo:hi]), nil
	}
	if err := r.v.flush(); err != nil {
		return nil, err
	}
	return r.InteractionRepository.ForCustomerBetween(ctx, customer, from, to)
}

// Repeats counts the customer's inbound contacts about the same matter
// (see InteractionReader) from the recent interactions read ahead when the
// window lies within what was read; otherwise it writes what is kept and
// asks the store.
func (r batchInteractions) Repeats(ctx context.Context, customer, c ID, touchpoint string, from, to time.Time) (int, error) {
	if _, read := r.v.states[customer]; read && r.v.windowed && !from.IsZero() && !to.IsZero() &&
		!from.Before(r.v.from) && !to.After(r.v.to) {
		recent := r.v.recent[customer] // ordered by At
		lo, _ := slices.BinarySearchFunc(recent, from, func(in Interaction, t time.Time) int { return in.At.Compare(t) })
		hi, _ := slices.BinarySearchFunc(recent, to, func(in Interaction, t time.Time) int { return in.At.Compare(t) })
		n := 0
		for _, in := range recent[lo:hi] {
			if in.Direction == Inbound && in.Case == c && (!c.IsZero() || in.Touchpoint == touchpoint) {
				n++
			}
		}
		return n, nil
	}
	if err := r.v.flush(); err != nil {
		return 0, err
	}
	return r.InteractionRepository.Repeats(ctx, customer, c, touchpoint, from, to)
}

func (r batchInteractions) Insert(ctx context.Context, in Interaction) error {
	key := in.IdempotencyKey
	if key != "" && !r.v.keysRead[key] {
		if err := r.v.flush(); err != nil {
			return err
		}
		return r.InteractionRepository.Insert(ctx, in)
	}
	if _, used := r.v.keys[key]; key != "" && used {
		return &ConflictError{Kind: KindInteraction, ID: in.ID.String(), Detail: "idempotency key already used"}
	}
	r.v.ins = append(r.v.ins, in)
	if key != "" {
		r.v.keys[key] = in
	}
	if _, read := r.v.states[in.Customer]; read && r.v.windowed {
		recent := r.v.recent[in.Customer]
		i, _ := slices.BinarySearchFunc(recent, in, compareAtID)
		r.v.recent[in.Customer] = slices.Insert(recent, i, in)
	}
	return nil
}

func (r batchInteractions) Get(ctx context.Context, id ID) (Interaction, error) {
	if err := r.v.flush(); err != nil {
		return Interaction{}, err
	}
	return r.InteractionRepository.Get(ctx, id)
}

func (r batchInteractions) ForCustomer(ctx context.Context, customer ID) ([]Interaction, error) {
	if err := r.v.flush(); err != nil {
		return nil, err
	}
	return r.InteractionRepository.ForCustomer(ctx, customer)
}

func (r batchInteractions) ByIdempotencyKeys(ctx context.Context, keys []string) ([]Interaction, error) {
	if err := r.v.flush(); err != nil {
		return nil, err
	}
	return r.InteractionRepository.ByIdempotencyKeys(ctx, keys)
}

func (r batchInteractions) ForCustomersBetween(ctx context.Context, customers []ID, from, to time.Time) ([]Interaction, error) {
	if err := r.v.flush(); err != nil {
		return nil, err
	}
	return r.InteractionRepository.ForCustomersBetween(ctx, customers, from, to)
}

func (r batchInteractions) InsertAll(ctx context.Context, ins []Interaction) error {
	if err := r.v.flush(); err != nil {
		return err
	}
	return r.InteractionRepository.InsertAll(ctx, ins)
}

func (r batchInteractions) ErasePersonal(ctx context.Context, in Interaction) error {
	if err := r.v.flush(); err != nil {
		return err
	}
	return r.InteractionRepository.ErasePersonal(ctx, in)
}

// batchLadder answers the states read ahead, and keeps the states saved
// and the evidence and moves appended.
type batchLadder struct {
	LadderRepository
	v *batchView
}

func (r batchLadder) State(ctx context.Context, customer ID) (LadderState, error) {
	if s, ok := r.v.states[customer]; ok {
		if !s.has {
			return LadderState{}, &NotFoundError{Kind: KindLadderState, ID: customer.String()}
		}
		return s.st, nil
	}
	if err := r.v.flush(); err != nil {
		return LadderState{}, err
	}
	return r.LadderRepository.State(ctx, customer)
}

func (r batchLadder) SaveState(ctx context.Context, st LadderState) error {
	s, ok := r.v.states[st.Customer]
	if !ok {
		if err := r.v.flush(); err != nil {
			return err
		}
		return r.LadderRepository.SaveState(ctx, st)
	}
	var have int64
	if s.has {
		have = s.st.Version
	}
	if st.Version != have+1 {
		return &ConflictError{Kind: KindLadderState, ID: st.Customer.String(), Expected: st.Version - 1, Actual: have}
	}
	s.st, s.has = st, true
	return nil
}

func (r batchLadder) AppendEvidence(_ context.Context, ev Evidence) error {
	r.v.keepEvidence(ev)
	return nil
}

func (r batchLadder) AppendMoves(_ context.Context, moves []LadderMove) error {
	r.v.moves = append(r.v.moves, moves...)
	return nil
}

// flushed writes what is kept, then runs fn.
func flushed[T any](v *batchView, fn func() (T, error)) (T, error) {
	if err := v.flush(); err != nil {
		var zero T
		return zero, err
	}
	return fn()
}

func (r batchLadder) States(ctx context.Context, customers []ID) ([]LadderState, error) {
	return flushed(r.v, func() ([]LadderState, error) { return r.LadderRepository.States(ctx, customers) })
}

func (r batchLadder) Evidence(ctx context.Context, customer ID) ([]Evidence, error) {
	return flushed(r.v, func() ([]Evidence, error) { return r.LadderRepository.Evidence(ctx, customer) })
}

func (r batchLadder) EvidenceByID(ctx context.Context, id ID) (Evidence, error) {
	if i, ok := r.v.kept[id]; ok {
		return r.v.evidence[i], nil
	}
	return flushed(r.v, func() (Evidence, error) { return r.LadderRepository.EvidenceByID(ctx, id) })
}

func (r batchLadder) EvidenceFrom(ctx context.Context, customer ID, source Kind, sourceID ID) ([]Evidence, error) {
	if evs, ok := r.v.sources[evidenceSource{customer, sourceID, source}]; ok {
		return slices.Clone(evs), nil
	}
	return flushed(r.v, func() ([]Evidence, error) { return r.LadderRepository.EvidenceFrom(ctx, customer, source, sourceID) })
}

func (r batchLadder) Moves(ctx context.Context, customer ID) ([]LadderMove, error) {
	return flushed(r.v, func() ([]LadderMove, error) { return r.LadderRepository.Moves(ctx, customer) })
}

func (r batchLadder) ReplacedMoves(ctx context.Context, customer ID) ([]LadderMove, error) {
	return flushed(r.v, func() ([]LadderMove, error) { return r.LadderRepository.ReplacedMoves(ctx, customer) })
}

func (r batchLadder) MovesBetween(ctx context.Context, from, to time.Time, page PageRequest) ([]LadderMove, error) {
	return flushed(r.v, func() ([]LadderMove, error) { return r.LadderRepository.MovesBetween(ctx, from, to, page) })
}

func (r batchLadder) Fading(ctx context.Context, by time.Time, page PageRequest) ([]LadderState, error) {
	return flushed(r.v, func() ([]LadderState, error) { return r.LadderRepository.Fading(ctx, by, page) })
}

func (r batchLadder) AppendAllEvidence(ctx context.Context, evidence []Evidence) error {
	_, err := flushed(r.v, func() (struct{}, error) { return struct{}{}, r.LadderRepository.AppendAllEvidence(ctx, evidence) })
	if err == nil {
		for _, ev := range evidence {
			r.v.drawn(ev)
		}
	}
	return err
}

func (r batchLadder) SaveStates(ctx context.Context, states []StateSave) error {
	_, err := flushed(r.v, func() (struct{}, error) { return struct{}{}, r.LadderRepository.SaveStates(ctx, states) })
	return err
}

func (r batchLadder) ReplaceMoves(ctx context.Context, moves []ID) error {
	_, err := flushed(r.v, func() (struct{}, error) { return struct{}{}, r.LadderRepository.ReplaceMoves(ctx, moves) })
	return err
}

func (r batchLadder) ErasePersonalEvidence(ctx context.Context, ev Evidence) error {
	clear(r.v.sources) // what was drawn is read again
	_, err := flushed(r.v, func() (struct{}, error) { return struct{}{}, r.LadderRepository.ErasePersonalEvidence(ctx, ev) })
	return err
}

func (r batchLadder) ErasePersonalMove(ctx context.Context, m LadderMove) error {
	_, err := flushed(r.v, func() (struct{}, error) { return struct{}{}, r.LadderRepository.ErasePersonalMove(ctx, m) })
	return err
}

// compareAtID orders interactions by At, then ID.
func compareAtID(a, b Interaction) int {
	if c := a.At.Compare(b.At); c != 0 {
		return c
	}
	return a.ID.Compare(b.ID)
}
