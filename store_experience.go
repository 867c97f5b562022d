package crm

import (
	"context"
	"time"
)

// TouchpointMapReader reads touchpoint maps.
type TouchpointMapReader interface {
	// Get returns the map or a *NotFoundError.
	Get(ctx context.Context, id ID) (TouchpointMap, error)
	// List returns a page of maps in ID order.
	List(ctx context.Context, page PageRequest) ([]TouchpointMap, error)
	// Touchpoint returns one touchpoint of a map with its inherited fields
	// filled in, or a *NotFoundError for an unknown map or key. Adapters
	// keep the resolved touchpoints when a map is saved, so this is one
	// lookup however large the map.
	Touchpoint(ctx context.Context, mapID ID, key string) (ResolvedTouchpoint, error)
}

// TouchpointMapRepository reads and writes touchpoint maps, with the
// version rules of CustomerRepository. The maps it is given have been
// checked with Resolve.
type TouchpointMapRepository interface {
	TouchpointMapReader
	Insert(ctx context.Context, m TouchpointMap) error
	Update(ctx context.Context, m TouchpointMap) error
}

// InteractionReader reads interactions.
type InteractionReader interface {
	// Get returns the interaction or a *NotFoundError.
	Get(ctx context.Context, id ID) (Interaction, error)
	// ByIdempotencyKey returns the interaction recorded with the key, or a
	// *NotFoundError.
	ByIdempotencyKey(ctx context.Context, key string) (Interaction, error)
	// ForCustomer returns a customer's interactions ordered by At, then ID.
	ForCustomer(ctx context.Context, customer ID) ([]Interaction, error)
	// ForCustomerBetween returns a customer's interactions at From or
	// later and before To (a zero bound is open), ordered by At, then ID:
	// what a write that looks back over a window reads, whatever the
	// customer's history.
	ForCustomerBetween(ctx context.Context, customer ID, from, to time.Time) ([]Interaction, error)
	// Repeats counts a customer's inbound interactions at from or later
	// and before to about one matter: those of case c, or, when c is zero,
	// those at touchpoint without a case. It is what a new contact's check
	// for repeats asks, without reading the contacts of the window.
	Repeats(ctx context.Context, customer, c ID, touchpoint string, from, to time.Time) (int, error)
	// ByIdempotencyKeys returns the interactions recorded with any of the
	// keys, in ID order; the empty key finds nothing.
	ByIdempotencyKeys(ctx context.Context, keys []string) ([]Interaction, error)
	// ForCustomersBetween is ForCustomerBetween for many customers at
	// once: their interactions in [from, to), ordered by customer, At,
	// then ID.
	ForCustomersBetween(ctx context.Context, customers []ID, from, to time.Time) ([]Interaction, error)
}

// InteractionRepository records interactions. They are facts: never
// updated, never deleted, but for the erasure of what they say about a
// person. Insert fails with a *ConflictError for an existing ID or a
// non-empty idempotency key already used.
type InteractionRepository interface {
	InteractionReader
	Insert(ctx context.Context, in Interaction) error
	// InsertAll inserts many interactions, with Insert's rules: all or,
	// with an error, none.
	InsertAll(ctx context.Context, ins []Interaction) error
	// ErasePersonal overwrites the personal data of the stored interaction
	// with in.ID, its Note, with in's, and nothing else: in's other fields
	// are ignored. An unknown ID is a *NotFoundError.
	ErasePersonal(ctx context.Context, in Interaction) error
}

// CaseFilter selects cases; zero fields match everything.
type CaseFilter struct {
	Customer   ID         `json:"customer,omitzero"`
	Status     CaseStatus `json:"status,omitempty"`
	Kind       CaseKind   `json:"kind,omitempty"`
	Department string     `json:"department,omitempty"`
	Assignee   ID         `json:"assignee,omitzero"`
	// PromiseDueBefore, when set, selects the cases not yet resolved whose
	// promise fell due before it and is not yet marked broken.
	PromiseDueBefore time.Time `json:"promise_due_before,omitzero"`
	// OverdueBefore, when set, selects the cases not yet resolved whose
	// next overdue step (NextOverdue) fell due before it.
	OverdueBefore time.Time `json:"overdue_before,omitzero"`
}

// Match reports whether c passes the filter.
func (f CaseFilter) Match(c Case) bool {
	return (f.Customer.IsZero() || c.Customer == f.Customer) &&
		(f.Status == "" || c.Status == f.Status) &&
		(f.Kind == "" || c.Kind == f.Kind) &&
		(f.Department == "" || c.Department == f.Department) &&
		(f.Assignee.IsZero() || c.Assignee == f.Assignee) &&
		(f.PromiseDueBefore.IsZero() || (!c.PromisedBy.IsZero() && c.PromisedBy.Before(f.PromiseDueBefore) &&
			!c.PromiseBroken && c.ResolvedAt.IsZero())) &&
		(f.OverdueBefore.IsZero() || (!c.NextOverdue.IsZero() && c.NextOverdue.Before(f.OverdueBefore) && c.ResolvedAt.IsZero()))
}

// CaseReader reads cases.
type CaseReader interface {
	Get(ctx context.Context, id ID) (Case, error)
	List(ctx context.Context, f CaseFilter, page PageRequest) ([]Case, error)
}

// CaseRepository reads and writes cases, with the version rules of
// CustomerRepository.
type CaseRepository interface {
	CaseReader
	Insert(ctx context.Context, c Case) error
	Update(ctx context.Context, c Case) error
}

// LadderReader reads the loyalty ladder's states, evidence and moves.
type LadderReader interface {
	// State returns a customer's ladder state, or a *NotFoundError when no
	// evidence was applied yet (the customer is then indifferent).
	State(ctx context.Context, customer ID) (LadderState, error)
	// States returns the stored states of the customers, in customer ID
	// order; a customer without one is left out.
	States(ctx context.Context, customers []ID) ([]LadderState, error)
	// Evidence returns a customer's evidence in the order it was applied
	// (ID order).
	Evidence(ctx context.Context, customer ID) ([]Evidence, error)
	// EvidenceByID returns one piece of evidence, or a *NotFoundError.
	EvidenceByID(ctx context.Context, id ID) (Evidence, error)
	// EvidenceFrom returns a customer's evidence drawn from one record
	// (Evidence.Source and SourceID), in ID order: the CRM asks it to
	// weigh a fact once.
	EvidenceFrom(ctx context.Context, customer ID, source Kind, sourceID ID) ([]Evidence, error)
	// EvidenceFromMany returns a customer's evidence drawn from any of
	// the records sourceIDs of one kind, in ID order: EvidenceFrom for
	// many records in one read, which the CRM asks when a payment settles
	// many invoices.
	EvidenceFromMany(ctx context.Context, customer ID, source Kind, sourceIDs []ID) ([]Evidence, error)
	// Moves returns a customer's moves in force in the order they were
	// made (ID order): not those ReplaceMoves replaced. Each references
	// its evidence (LadderMove.Evidence, read by EvidenceByID).
	Moves(ctx context.Context, customer ID) ([]LadderMove, error)
	// ReplacedMoves returns the customer's moves that ReplaceMoves
	// replaced, in ID order: kept for the record, and reached by an
	// erasure like the others.
	ReplacedMoves(ctx context.Context, customer ID) ([]LadderMove, error)
	// MovesBetween returns a page of the moves in force of every customer
	// not restricted (Customer.RestrictedAt), with At in [from, to), in ID
	// order; zero bounds are open.
	MovesBetween(ctx context.Context, from, to time.Time, page PageRequest) ([]LadderMove, error)
	// Fading returns a page of the states whose FadesAt is set and not
	// after by, in customer ID order, but those of restricted customers:
	// the customers fading will have moved by then.
	Fading(ctx context.Context, by time.Time, page PageRequest) ([]LadderState, error)
}

// LadderRepository saves ladder states, with the version rules of
// CustomerRepository keyed by the state's Customer, and appends evidence
// and moves. Evidence and moves are append-only; an existing ID is a
// *ConflictError. ReplaceMoves marks moves replaced, when evidence that
// arrived late was replayed in the order it happened: no reader (Moves,
// MovesBetween, the analytics) returns them any more, and the store keeps
// them for the record; the caller appends the moves that replace them.
// Marking a move twice, or an ID no move has, changes nothing.
//
// The erasure of what evidence and moves say about a person is the one
// change they take: ErasePersonalEvidence and ErasePersonalMove overwrite
// their free text and nothing else.
type LadderRepository interface {
	LadderReader
	SaveState(ctx context.Context, st LadderState) error
	AppendEvidence(ctx context.Context, ev Evidence) error
	// AppendAllEvidence is AppendEvidence of many: all or none.
	AppendAllEvidence(ctx context.Context, evidence []Evidence) error
	// SaveStates saves many states at once: each replaces the customer's
	// stored state of version Replaces (0: the customer has none yet), and
	// may be several versions on. Any other stored version is a
	// *ConflictError.
	SaveStates(ctx context.Context, states []StateSave) error
	AppendMoves(ctx context.Context, moves []LadderMove) error
	ReplaceMoves(ctx context.Context, moves []ID) error
	// ErasePersonalEvidence overwrites the Note of the stored evidence
	// with ev.ID with ev's, and nothing else: ev's other fields are
	// ignored. An unknown ID is a *NotFoundError.
	ErasePersonalEvidence(ctx context.Context, ev Evidence) error
	// ErasePersonalMove overwrites the Reason of the stored move with
	// m.ID with m's, and nothing else: m's other fields are ignored. A
	// move keeps no copy of its evidence, only a reference
	// (EvidenceRef), so the evidence's note is erased where it is stored
	// (ErasePersonalEvidence). A move ReplaceMoves replaced is erased too.
	// An unknown ID is a *NotFoundError.
	ErasePersonalMove(ctx context.Context, m LadderMove) error
}

// StateSave is a ladder state to save and the version of the stored
// state it replaces (LadderRepository.SaveStates).
type StateSave struct {
	State    LadderState `json:"state"`
	Replaces int64       `json:"replaces"`
}

// JourneyTemplateReader reads journey templates.
type JourneyTemplateReader interface {
	Get(ctx context.Context, id ID) (JourneyTemplate, error)
	// List returns a page of the templates of a map (every map when mapID
	// is zero), in ID order.
	List(ctx context.Context, mapID ID, page PageRequest) ([]JourneyTemplate, error)
}

// JourneyTemplateRepository reads and writes journey templates, with the
// version rules of CustomerRepository.
type JourneyTemplateRepository interface {
	JourneyTemplateReader
	Insert(ctx context.Context, t JourneyTemplate) error
	Update(ctx context.Context, t JourneyTemplate) error
}

// AnalyticsReader answers the aggregate questions. SQL adapters aggregate
// in the database; every adapter must give exactly the answer of the
// reference implementations (AggregateExperience, AggregateCases,
// MomentsOfTruth, LadderDistribution), in the same order, and an empty
// (not nil) slice when nothing matches. Each leaves out the records of
// the customers whose processing is restricted (Customer.RestrictedAt):
// the reference implementations of the first three are given only the
// other customers' records; LadderDistribution's leaves them out itself.
type AnalyticsReader interface {
	Experience(ctx context.Context, q ExperienceQuery) ([]ExperienceCounts, error)
	Cases(ctx context.Context, q CaseQuery) ([]CaseCounts, error)
	MomentsOfTruth(ctx context.Context, q MomentsQuery) ([]MomentCount, error)
	LadderDistribution(ctx context.Context, at time.Time) ([]StageCount, error)
}
