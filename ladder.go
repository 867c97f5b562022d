package crm

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// EvidenceKind is what a piece of ladder evidence is.
type EvidenceKind string

// The kinds of evidence.
const (
	EvidenceExperience    EvidenceKind = "experience"     // a contact at a touchpoint, with its sentiment and survey answers
	EvidencePurchase      EvidenceKind = "purchase"       // the customer bought
	EvidenceReferral      EvidenceKind = "referral"       // the customer brought someone
	EvidenceComplaint     EvidenceKind = "complaint"      // the customer complained
	EvidenceResolution    EvidenceKind = "resolution"     // a complaint was resolved
	EvidenceBrokenPromise EvidenceKind = "broken_promise" // the company did not do what it said by when it said
	EvidenceChurn         EvidenceKind = "churn"          // the customer left
	EvidenceDunned        EvidenceKind = "dunned"         // an invoice of the customer's reached the last dunning level (the final notice)
	EvidenceHandoff       EvidenceKind = "handoff"        // a case was handed to another department
	EvidenceOverdue       EvidenceKind = "overdue"        // a case is still open past its service standard (CheckOverdue)
	EvidencePaidOnTime    EvidenceKind = "paid_on_time"   // an invoice was settled by payment by its due day
	EvidencePaidLate      EvidenceKind = "paid_late"      // an invoice was settled by payment after its due day; Resolution is how late
	EvidenceReminded      EvidenceKind = "reminded"       // an invoice of the customer's reached a dunning level before the last
)

func (k EvidenceKind) valid() bool {
	// A switch, not a search of evidenceKinds: a ladder move asks it.
	switch k {
	case EvidenceExperience, EvidencePurchase, EvidenceReferral, EvidenceComplaint, EvidenceResolution, EvidenceBrokenPromise, EvidenceChurn,
		EvidenceDunned, EvidenceHandoff, EvidenceOverdue, EvidencePaidOnTime, EvidencePaidLate, EvidenceReminded:
		return true
	}
	return false
}

// evidenceKinds are the kinds of evidence, as valid accepts them, for the
// error that names them.
var evidenceKinds = []EvidenceKind{EvidenceExperience, EvidencePurchase, EvidenceReferral, EvidenceComplaint, EvidenceResolution,
	EvidenceBrokenPromise, EvidenceChurn, EvidenceDunned, EvidenceHandoff, EvidenceOverdue, EvidencePaidOnTime, EvidencePaidLate,
	EvidenceReminded}

// unknownEvidenceKind is the error for evidence of a kind valid refuses.
func unknownEvidenceKind(k EvidenceKind) error {
	names := make([]string, len(evidenceKinds))
	for i, kind := range evidenceKinds {
		names[i] = string(kind)
	}
	return invalid("kind", "one_of", fmt.Sprintf("%q is not a kind of evidence: one of %s", k, strings.Join(names, ", ")))
}

// Evidence is one fact about a customer's experience that the ladder
// rules weigh. Interactions and cases produce it on their own; purchases,
// referrals and churn come from the systems that know of them.
type Evidence struct {
	ID       ID           `json:"id,omitzero"`
	Customer ID           `json:"customer,omitzero"`
	Kind     EvidenceKind `json:"kind,omitempty"`
	At       time.Time    `json:"at,omitzero"`
	// Arrival is set by the CRM when it weighs evidence dated the instant
	// it is weighed (At is the write's time): evidence that happened as it
	// arrived. It numbers the customer's evidence in the order it arrived
	// (LadderState.Evidence, counting this piece), and among the evidence
	// of its instant the piece goes after the evidence dated there from
	// later (backdated, Arrival 0), in that order; see CompareEvidence.
	Arrival    int    `json:"arrival"`
	Source     Kind   `json:"source,omitempty"`                    // the record it comes from: an interaction, a case, a deal, an invoice, a dunning record, a contract, a referral's referred customer, a consent (WithConsentEvidence), or "" for an outside system
	SourceID   ID     `json:"source_id,omitzero"`                  // that record
	Map        ID     `json:"map,omitzero"`                        // the touchpoint map, for evidence at a touchpoint
	Touchpoint string `json:"touchpoint,omitempty" privacy:"none"` // the touchpoint, if any
	Weight     int    `json:"weight"`                              // the touchpoint's weight in percent; 0 means 100

	// Experience.
	Sentiment Sentiment `json:"sentiment"`
	Survey    Survey    `json:"survey,omitzero"`
	Transfers int       `json:"transfers"`
	Breached  bool      `json:"breached,omitempty"` // a service standard was missed
	Resolved  bool      `json:"resolved,omitempty"` // the matter was settled in the contact
	// Direction is who started the contact; "" counts as inbound. Only an
	// inbound contact is resolved or not: an outbound call (a survey, a
	// reminder) is never "unresolved".
	Direction Direction `json:"direction,omitempty"`
	// Repeats is how many contacts about the same matter (the same case,
	// or the same touchpoint within LadderRules.RepeatWindow) came before
	// this one: a repeat contact means the matter was not settled.
	Repeats int `json:"repeats"`

	// Resolution and overdue.
	Resolution     time.Duration `json:"resolution_ns"`             // how long the complaint took
	WithinStandard bool          `json:"within_standard,omitempty"` // resolved within the touchpoint's ResolveWithin, or the rules' recovery window
	PromiseBroken  bool          `json:"promise_broken,omitempty"`  // the case was not settled by the time promised
	Handoffs       int           `json:"handoffs"`                  // for the record: transfers weigh on the contacts they happened in
	Reopens        int           `json:"reopens"`

	Note string `json:"note,omitempty" privacy:"personal"` // what the outside system says, e.g. an order number

}

// NewEvidence is evidence from outside the CRM: a purchase, a referral,
// the customer leaving (churn), or an experience recorded elsewhere, at a
// touchpoint of Map when Touchpoint is set. At defaults to now; Note says
// what the outside system knows, such as an order number. A referral
// names the customer it brought in Referred, and credits Customer, the
// referrer.
type NewEvidence struct {
	Customer   ID           `json:"customer,omitzero"`
	Kind       EvidenceKind `json:"kind,omitempty"`
	At         time.Time    `json:"at,omitzero"`
	Map        ID           `json:"map,omitzero"`
	Touchpoint string       `json:"touchpoint,omitempty"`
	Sentiment  Sentiment    `json:"sentiment"`
	Survey     Survey       `json:"survey,omitzero"`
	Transfers  int          `json:"transfers"`
	Breached   bool         `json:"breached,omitempty"`  // a service standard was missed
	Resolved   bool         `json:"resolved,omitempty"`  // the matter was settled in the contact
	Direction  Direction    `json:"direction,omitempty"` // "" counts as inbound
	Note       string       `json:"note,omitempty"`
	Referred   ID           `json:"referred,omitzero"` // for a referral, required: the customer referred
}

func (n NewEvidence) evidence() Evidence {
	return Evidence{Customer: n.Customer, Kind: n.Kind, At: n.At, Map: n.Map, Touchpoint: n.Touchpoint, Sentiment: n.Sentiment,
		Survey: n.Survey, Transfers: n.Transfers, Breached: n.Breached, Resolved: n.Resolved, Direction: n.Direction, Note: n.Note}
}

// referral checks a referral's referred customer and makes it the
// evidence's source, the record it comes from; other kinds name none.
func (n NewEvidence) referral(ev *Evidence) error {
	switch {
	case n.Kind != EvidenceReferral && !n.Referred.IsZero():
		return invalid("referred", "referral_only", "only a referral names a referred customer")
	case n.Kind != EvidenceReferral:
		return nil
	case n.Referred.IsZero():
		return invalid("referred", "required", "a referral names the customer it brought")
	case n.Referred == n.Customer:
		return invalid("referred", "not_self", "a customer does not refer themselves")
	}
	ev.Source, ev.SourceID = KindCustomer, n.Referred
	return nil
}

// LadderRules turn evidence into a score and the score into a rung. The
// score is in points, kept to a thousandth; every rule below is in whole
// points. DefaultLadderRules documents the defaults, why they are what
// they are, and where they come from.
type LadderRules struct {
	// HalfLife is how fast experiences fade: the score halves toward zero
	// every HalfLife, counted in business days crossed (midnights in the
	// CRM's calendar, see WithCalendar).
	HalfLife time.Duration `json:"half_life_ns"`

	// The score thresholds of the rungs above annoyed: a customer is at
	// least indifferent from IndifferentAt, satisfied from SatisfiedAt,
	// and so on. Going down takes the score Hysteresis points below the
	// threshold, so a customer does not flap between two rungs.
	IndifferentAt int64 `json:"indifferent_at"`
	SatisfiedAt   int64 `json:"satisfied_at"`
	LoyalAt       int64 `json:"loyal_at"`
	AdvocateAt    int64 `json:"advocate_at"`
	Hysteresis    int64 `json:"hysteresis"`

	// Requirements beyond the score: loyal needs LoyalPurchases purchases;
	// advocate also needs a referral or an NPS answer of 9-10 within
	// AdvocateRecency, and no detractor answer (NPS 0-6) since.
	LoyalPurchases  int           `json:"loyal_purchases"`
	AdvocateRecency time.Duration `json:"advocate_recency_ns"`

	// Points of an experience: Sentiment per step of sentiment; NPS by
	// group; CSAT per step away from 3; CES per step away from the middle
	// of the CRM's CESScale, good toward the easy end; Resolved or Unresolved for the outcome of an
	// inbound contact (an outbound one has none); Repeat for an inbound
	// contact about a matter already brought within RepeatWindow (the same
	// case, or the same touchpoint), instead of Resolved; Transfer per
	// hand-off after the first, in a contact or of a case; Breach when a
	// service standard was missed. All but the case's hand-offs are scaled
	// by the touchpoint's weight.
	Sentiment    int64         `json:"sentiment"`
	Promoter     int64         `json:"promoter"`
	Passive      int64         `json:"passive"`
	Detractor    int64         `json:"detractor"`
	CSAT         int64         `json:"csat"`
	CES          int64         `json:"ces"`
	Resolved     int64         `json:"resolved"`
	Unresolved   int64         `json:"unresolved"`
	Repeat       int64         `json:"repeat"`
	RepeatWindow time.Duration `json:"repeat_window_ns"`
	Transfer     int64         `json:"transfer"`
	Breach       int64         `json:"breach"`

	// Points of the other evidence.
	Purchase  int64 `json:"purchase"`
	Referral  int64 `json:"referral"`
	Complaint int64 `json:"complaint"`
	// Recovery rewards a complaint resolved well: within the standard (or
	// RecoveryWithin when the touchpoint has none), its promise kept, never
	// reopened, and no unhappy answer since the complaint (an unanswered
	// survey is no answer either way). It is for the first failure in
	// FailureWindow; each further failure within FailureWindow of the one
	// before earns RecoveryRepeat percent of the one before. The first
	// recovery lifts the score at most RecoveryParadox points above where
	// it stood before the complaint (the service-recovery paradox); a
	// later one never above it. LateResolution is the resolution of any
	// other complaint.
	Recovery        int64         `json:"recovery"`
	RecoveryParadox int64         `json:"recovery_paradox"`
	RecoveryRepeat  int64         `json:"recovery_repeat"`
	FailureWindow   time.Duration `json:"failure_window_ns"`
	LateResolution  int64         `json:"late_resolution"`
	RecoveryWithin  time.Duration `json:"recovery_within_ns"`
	// BrokenPromise is taken off the score, and the customer falls to
	// annoyed whatever the score says.
	BrokenPromise int64 `json:"broken_promise"`
	// Overdue is taken off when an open case passes its service standard
	// (CaseService.CheckOverdue), and again every OverdueEvery it stays
	// open, at most OverdueSteps times in all (0: never).
	Overdue      int64         `json:"overdue"`
	OverdueEvery time.Duration `json:"overdue_every_ns"`
	OverdueSteps int           `json:"overdue_steps"`
	// Dunned is the weight of an invoice reaching the last dunning level:
	// the customer ignored every notice before it.
	Dunned int64 `json:"dunned"`
	// Payments and the dunning levels before the last (FactEvidence):
	// PaidOnTime for an invoice settled by payment by its due day,
	// PaidLate for one settled after it, Reminded per level reached
	// before the last.
	PaidOnTime int64 `json:"paid_on_time"`
	PaidLate   int64 `json:"paid_late"`
	Reminded   int64 `json:"reminded"`

	// dayFactor caches the daily decay factor for the half-life it was
	// computed for, so copies of the rules carry it and a changed HalfLife
	// does not use a stale one.
	dayFactor      uint64
	dayFactorHalfL time.Duration
	// cesScale is how CES answers are read (WithCESScale); zero is
	// DefaultCESScale.
	cesScale CESScale
	// calendar gives the days scores fade over (WithCalendar); its zero
	// value counts UTC days.
	calendar Calendar
}

// DefaultLadderRules returns the defaults. Each follows a source, and
// each is held by a table test of the scenario it encodes
// (TestLadderDefaults in ladder_defaults_test.go):
//
//   - Experiences fade with a half-life of 90 days: a customer's feeling
//     follows the last quarter more than last year.
//   - Thresholds: annoyed below -20, indifferent from -20, satisfied from
//     15, loyal from 40, advocate from 60, with a hysteresis of 5. Bad
//     experiences weigh more than good ones (a detractor answer costs 12,
//     a promoter answer earns 10), as complaints spread further than
//     praise.
//   - Loyal needs 2 purchases: loyalty is measured in coming back, not in
//     good words alone (seeds 000 and 002: retention is the value).
//     Advocate needs a referral or a promoter answer in the last 180
//     days, and a detractor answer since ends advocacy: an advocate who
//     would not recommend the company is no advocate (NPS groups as in
//     DESIGN.md).
//   - A contact settled at once earns 4, an inbound contact left
//     unsettled costs 4. An outbound contact (a survey call, a reminder)
//     is neither: the customer brought no matter to settle. A contact
//     about a matter already brought in the last 7 days (the same case,
//     or the same touchpoint, the repeat window of journey templates)
//     costs 4 instead of earning it: the matter was not settled, and
//     every repeat is effort the customer did not want (seed 004: what
//     customers want is their problem solved, simply).
//   - A hand-off after the first costs 6, in a contact or of a case, as
//     it happens: seed 004's customer "transferred four times" pays 18.
//   - A case still open past its service standard costs 8 when it passes
//     it and every 7 days after, at most 4 times: seed 004's "more than a
//     month without an answer" costs 32 (less the fading), so four
//     transfers and a month without an answer end annoyed whatever the
//     customer was before. A resolution after the standard costs 10 more.
//   - A complaint costs 10; resolving it well earns 25 and lifts the
//     customer at most 15 above where they stood before it: a problem
//     solved well once leaves the customer a little better off (seed 004:
//     "a problem solved well creates loyalty"), but the service-recovery
//     paradox is weak and vanishes on a second failure (Maxham and
//     Netemeyer, Journal of Marketing 66(4), 2002). So each further
//     complaint within 90 days of the one before earns half the recovery
//     of the one before and never lifts above where the customer stood
//     before it: the same failure six times ends annoyed. A complaint
//     whose promise was broken or whose standard was missed earns no
//     recovery at all.
//   - A broken promise costs 30 and drops the customer to annoyed at once
//     (seed 004: customers resent empty promises; consistency beats
//     surprises; DESIGN.md: a broken promise is worse than no promise).
//   - An invoice reaching the final dunning notice costs 15: the customer
//     let a reminder and a notice pass, which says the relationship is
//     strained (or the billing experience was poor: a disputed invoice is
//     paused, not dunned). More than a complaint, as it comes after weeks
//     and two ignored letters; less than a broken promise, and no forced
//     fall: it is the company's letter, not a wrong done to the customer.
//     It costs a rung to a customer near a threshold. Each level before the
//     last costs 2: a first reminder often follows an invoice forgotten,
//     not a relationship gone sour, so the letters weigh little until the
//     last; the default levels cost 2, 2 and 15 in all.
//   - An invoice settled by payment by its due day earns 2, after it
//     costs 4 (seed 004, function 5: who has paid is a fact the CRM
//     keeps, and retention is the value, seeds 000 and 002). Paying on
//     time is an obligation met more than a choice made, a quarter of a
//     purchase: a year of monthly invoices paid on time holds about 10
//     points under the fading: a customer's standing, but not enough to
//     make them satisfied on its own. Paying late weighs like an inbound contact
//     left unsettled, once, whatever the days: the dunning levels that a
//     long delay brings weigh on their own.
func DefaultLadderRules() LadderRules {
	return withDayFactor(LadderRules{
		HalfLife:      90 * 24 * time.Hour,
		IndifferentAt: -20, SatisfiedAt: 15, LoyalAt: 40, AdvocateAt: 60, Hysteresis: 5,
		LoyalPurchases: 2, AdvocateRecency: 180 * 24 * time.Hour,
		Sentiment: 8, Promoter: 10, Passive: 2, Detractor: -12, CSAT: 5, CES: 3,
		Resolved: 4, Unresolved: -4, Repeat: -4, RepeatWindow: 7 * 24 * time.Hour, Transfer: -6, Breach: -5,
		Purchase: 8, Referral: 15, Complaint: -10,
		Recovery: 25, RecoveryParadox: 15, RecoveryRepeat: 50, FailureWindow: 90 * 24 * time.Hour,
		LateResolution: -10, RecoveryWithin: 48 * time.Hour,
		BrokenPromise: -30, Overdue: -8, OverdueEvery: 7 * 24 * time.Hour, OverdueSteps: 4, Dunned: -15,
		PaidOnTime: 2, PaidLate: -4, Reminded: -2,
	})
}

// withDayFactor returns the rules with the daily decay factor computed.
func withDayFactor(r LadderRules) LadderRules {
	r.dayFactor, r.dayFactorHalfL = dailyFactor(halfLifeDays(r.HalfLife)), r.HalfLife
	return r
}

// scoreLimit bounds the score, in thousandths.
const scoreLimit = 1_000_000

// Check reports rules that cannot work: thresholds out of order, a
// negative hysteresis, a half-life under a day, negative windows, a
// recovery share outside 0-100.
func (r LadderRules) Check() error {
	switch {
	case r.HalfLife < 24*time.Hour:
		return invalid("half_life", "min", "at least one day")
	case !(r.IndifferentAt < r.SatisfiedAt && r.SatisfiedAt < r.LoyalAt && r.LoyalAt <= r.AdvocateAt):
		return invalid("thresholds", "order", "indifferent < satisfied < loyal <= advocate")
	case r.Hysteresis < 0:
		return invalid("hysteresis", "non_negative", "")
	case r.LoyalPurchases < 0:
		return invalid("loyal_purchases", "non_negative", "")
	case r.AdvocateAt*1000 >= scoreLimit || r.IndifferentAt*1000 <= -scoreLimit:
		return invalid("thresholds", "range", "within -1000..1000 points")
	case r.RepeatWindow < 0 || r.FailureWindow < 0 || r.OverdueEvery < 0 || r.RecoveryWithin < 0:
		return invalid("windows", "non_negative", "repeat, failure, overdue and recovery windows")
	case r.RecoveryRepeat < 0 || r.RecoveryRepeat > 100:
		return invalid("recovery_repeat", "range", "a percentage, 0-100")
	case r.RecoveryParadox < 0:
		return invalid("recovery_paradox", "non_negative", "")
	case r.OverdueSteps < 0 || r.OverdueSteps > 100:
		return invalid("overdue_steps", "range", "0-100")
	}
	return nil
}

// EvidenceRef is how a ladder move references the evidence that caused
// it: the evidence's ID, with what says where it came from without
// reading it (its kind, the record it was drawn from and its touchpoint).
// None of it is personal data. The evidence itself, with its sentiment,
// survey answers and note, is read by its ID (LadderService.Evidence,
// LadderReader.EvidenceByID); a move that fading caused references none:
// its Kind is EvidenceFading and its ID is zero.
type EvidenceRef struct {
	ID         ID           `json:"id,omitzero"`
	Kind       EvidenceKind `json:"kind,omitempty"`
	Source     Kind         `json:"source,omitempty"`                    // the record the evidence comes from (Evidence.Source)
	SourceID   ID           `json:"source_id,omitzero"`                  // that record
	Touchpoint string       `json:"touchpoint,omitempty" privacy:"none"` // the touchpoint, if any
}

// Ref returns the reference a ladder move keeps to the evidence.
func (ev *Evidence) Ref() EvidenceRef {
	return EvidenceRef{ID: ev.ID, Kind: ev.Kind, Source: ev.Source, SourceID: ev.SourceID, Touchpoint: ev.Touchpoint}
}

// LadderMove is a customer's move on the ladder, with a reference to the
// evidence that caused it and the reason in words.
type LadderMove struct {
	ID          ID           `json:"id,omitzero"`
	Customer    ID           `json:"customer,omitzero"`
	At          time.Time    `json:"at,omitzero"`
	From        LoyaltyStage `json:"from,omitempty"`
	To          LoyaltyStage `json:"to,omitempty"`
	Event       LadderEvent  `json:"event,omitempty"`
	ScoreBefore int64        `json:"score_before"` // the score before the evidence, decayed to At, in thousandths
	ScoreAfter  int64        `json:"score_after"`
	// Evidence references the evidence that caused the move, by its ID:
	// the move keeps no copy of it, so erasing the evidence's note leaves
	// nothing of it in the move.
	Evidence EvidenceRef `json:"evidence,omitzero" privacy:"nested"`
	// Reason is the reason in words. A move AppendApply made leaves it
	// empty and keeps the reason structured (Why): ReasonText and
	// encoding write it.
	Reason string `json:"reason,omitempty" privacy:"personal"`

	why reasonCore // the reason structured, from AppendApply; its kind and touchpoint are Evidence's
}

// Up reports whether the move is up the ladder (a rise or a win-back).
func (m LadderMove) Up() bool { return m.Event == Rise || m.Event == WinBack }

// Why returns the move's reason as the terms that decided it, for a move
// LadderRules.AppendApply made; the zero LadderReason for a move whose
// reason is text only (Reason): from Apply, Fade, Replay or a store.
func (m LadderMove) Why() LadderReason {
	if m.why.cause == causeNone {
		return LadderReason{}
	}
	return LadderReason{kind: m.Evidence.Kind, touchpoint: m.Evidence.Touchpoint, reasonCore: m.why}
}

// ReasonText returns the reason in words: Reason, or the structured
// reason written out when Reason is empty.
func (m LadderMove) ReasonText() string {
	if m.Reason == "" {
		return m.Why().String()
	}
	return m.Reason
}

// ladderMoveJSON is a LadderMove encoded field by field.
type ladderMoveJSON LadderMove

// MarshalJSON encodes the move as its fields, the reason in words
// (ReasonText): the same JSON whether the reason was kept structured or
// written when the move was made.
func (m LadderMove) MarshalJSON() ([]byte, error) {
	if m.Reason == "" && m.why.cause != causeNone {
		m.Reason = m.Why().String()
	}
	return json.Marshal(ladderMoveJSON(m))
}

// withReasonText writes the structured reasons of moves as text, the
// shape stores keep and Apply returns.
func withReasonText(moves []LadderMove) []LadderMove {
	for i := range moves {
		if moves[i].Reason == "" {
			moves[i].Reason = moves[i].Why().String()
		}
		moves[i].why = reasonCore{}
	}
	return moves
}

// Apply weighs one piece of evidence: it first moves the customer as
// fading alone moved them up to the evidence's time (Fade), then adds the
// evidence's points to the score faded to that time, and moves the
// customer as far as the rules say, one rung at a time. It returns the
// new state and the moves, without IDs, their reasons in words.
//
// Apply takes evidence as it comes: evidence older than the state is
// applied as of the state's time. Replay, and the CRM when evidence
// arrives late, apply evidence in the order it happened instead
// (CompareEvidence), so the ladder does not depend on the order it
// arrived in.
func (r LadderRules) Apply(st LadderState, ev Evidence) (LadderState, []LadderMove, error) {
	moves, err := r.apply(nil, &st, &ev)
	return st, withReasonText(moves), err
}

// AppendApply is Apply appending the moves to moves, which it returns
// with the new state; each move keeps its reason structured (Why) and
// leaves Reason empty, to be written when asked for (ReasonText) or
// encoded. With a slice the caller reuses, weighing evidence allocates
// nothing; the rules are taken by pointer, so that weighing does not
// copy them either.
func (r *LadderRules) AppendApply(moves []LadderMove, st LadderState, ev Evidence) (LadderState, []LadderMove, error) {
	moves, err := r.apply(moves, &st, &ev)
	return st, moves, err
}

// apply is Apply on the state st points to, which it leaves as it was on
// an error.
func (r *LadderRules) apply(moves []LadderMove, st *LadderState, ev *Evidence) ([]LadderMove, error) {
	if !ev.Kind.valid() {
		return moves, unknownEvidenceKind(ev.Kind)
	}
	if ev.Survey.NPS != nil || ev.Survey.CSAT != nil || ev.Survey.CES != nil {
		if err := ev.Survey.check("survey", r.CESScale()); err != nil {
			return moves, err
		}
	}
	at := ev.At.UTC()
	if at.Before(st.UpdatedAt) {
		at = st.UpdatedAt
	}
	if st.Stage == "" {
		st.Stage, st.Since = ladderMachine.Initial(), at
	}
	moves = r.fade(moves, st, at)
	moves = r.weigh(moves, st, ev, at)
	st.FadesAt, st.LastEvidence, st.LastAt, st.LastArrival = r.fadesAt(st), ev.ID, ev.At.UTC(), ev.Arrival
	return moves, nil
}

// weigh applies evidence at its time to a state faded up to it, appending
// the moves it makes.
func (r *LadderRules) weigh(moves []LadderMove, st *LadderState, ev *Evidence, at time.Time) []LadderMove {
	before := r.decay(st.Score, st.UpdatedAt, at)
	st.Score = before
	st.UpdatedAt = at
	st.Evidence++

	if st.Stage == Lost {
		if ev.Kind != EvidencePurchase {
			return moves // a lost customer's experiences wait for their return
		}
		st.Score, st.Purchases = 0, 1
		return r.move(moves, st, WinBack, ev, before, &reasonCore{cause: causeWinBack})
	}

	// The points and their reason, weighed against the state the
	// evidence meets. The reason is written where the first move it
	// causes will land, in moves' spare room when it has some, so that a
	// move does not copy it; a piece of evidence that moves no one leaves
	// that room as append would find it, unused.
	var spare reasonCore
	why := &spare
	if n := len(moves); n < cap(moves) {
		why = &moves[:n+1][n].why
	}
	*why = reasonCore{cause: causeEvidence, note: ev.Note, weight: 100}
	if ev.Kind == EvidenceExperience {
		why.weight = int64(cmpOr(ev.Weight, 100))
	}
	st.Score = clampScore(st.Score + r.points(st, ev, why))
	switch ev.Kind {
	case EvidencePurchase:
		st.Purchases++
	case EvidenceReferral:
		st.LastReferral = at
	case EvidenceComplaint:
		if st.LastFailure.IsZero() || at.Sub(st.LastFailure) > r.FailureWindow {
			st.Failures = 0
		}
		st.Failures++
		st.LastFailure, st.BeforeFailure = at, before
	case EvidenceChurn:
		why.cause = causeLeft
		return r.move(moves, st, Churn, ev, before, why)
	}
	if n := ev.Survey.NPS; n != nil && ev.Kind == EvidenceExperience {
		if *n >= 9 {
			st.LastPromoter = at
		} else if *n <= 6 {
			st.LastDetractor = at
		}
	}

	if ev.Kind == EvidenceBrokenPromise && st.Stage != Annoyed {
		return r.move(moves, st, Fall, ev, before, why)
	}
	for {
		event, ok := r.next(st)
		if !ok {
			return moves
		}
		moves = r.move(moves, st, event, ev, before, why)
	}
}

// move appends the move the event makes from the state, and makes it.
func (r *LadderRules) move(moves []LadderMove, st *LadderState, event LadderEvent, ev *Evidence, before int64, why *reasonCore) []LadderMove {
	to := ladderTo(st.Stage, event) // next only asks for moves the table has
	// The move is written where it lands in moves, field by field, rather
	// than built and copied there.
	moves = slices.Grow(moves, 1)[:len(moves)+1]
	m := &moves[len(moves)-1]
	m.ID, m.Customer, m.At, m.From, m.To, m.Event = ID{}, ev.Customer, st.UpdatedAt, st.Stage, to, event
	m.ScoreBefore, m.ScoreAfter, m.Evidence, m.Reason = before, st.Score, ev.Ref(), ""
	if &m.why != why { // weigh wrote the reason of its first move in place
		m.why = *why
	}
	st.Stage, st.Since = to, st.UpdatedAt
	return moves
}

// next says whether the state calls for a rise or a slide.
func (r *LadderRules) next(st *LadderState) (LadderEvent, bool) {
	return r.nextAt(st, st.Score, st.UpdatedAt)
}

// nextAt says whether the state, with the score at the time given, calls
// for a rise or a slide.
func (r *LadderRules) nextAt(st *LadderState, score int64, at time.Time) (LadderEvent, bool) {
	rank := rungOf(st.Stage)
	if rank+1 < len(ladderRungs) && r.qualifiesRung(st, rank+1, 0, score, at) {
		return Rise, true
	}
	if rank > 0 && !r.qualifiesRung(st, rank, r.Hysteresis*1000, score, at) {
		return Slide, true
	}
	return "", false
}

// qualifies reports whether the state meets the stage's threshold (less
// slack) and requirements.
func (r *LadderRules) qualifies(st *LadderState, s LoyaltyStage, slack int64) bool {
	return r.qualifiesRung(st, rungOf(s), slack, st.Score, st.UpdatedAt)
}

// qualifiesRung is qualifies for the rung numbered rank (rungOf), with
// the state's score and time given.
func (r *LadderRules) qualifiesRung(st *LadderState, rank int, slack, score int64, at time.Time) bool {
	if score < r.rungThreshold(rank)*1000-slack {
		return false
	}
	if rank >= rungLoyal && st.Purchases < r.LoyalPurchases {
		return false
	}
	if rank == rungAdvocate {
		last := st.LastReferral
		if st.LastPromoter.After(last) {
			last = st.LastPromoter
		}
		return !last.IsZero() && at.Sub(last) <= r.AdvocateRecency && !st.LastDetractor.After(last)
	}
	return true
}

// ladderRungs are the rungs in order (LoyaltyStages), without a slice to
// allocate.
var ladderRungs = [...]LoyaltyStage{Annoyed, Indifferent, Satisfied, Loyal, Advocate}

// The rungs by number.
const (
	rungLoyal    = 3
	rungAdvocate = 4
)

// rungOf numbers a rung from 0 (annoyed) to 4 (advocate); -1 for lost or
// no stage.
func rungOf(s LoyaltyStage) int {
	switch s {
	case Annoyed:
		return 0
	case Indifferent:
		return 1
	case Satisfied:
		return 2
	case Loyal:
		return rungLoyal
	case Advocate:
		return rungAdvocate
	}
	return -1
}

// ladderTo is where the event takes a customer from the stage, as the
// ladder machine says, read from ladderMoves without hashing.
func ladderTo(from LoyaltyStage, event LadderEvent) LoyaltyStage {
	i := rungOf(from) + 1
	j := eventIndex(event)
	if (i == 0 && from != Lost) || j < 0 {
		to, _ := ladderMachine.Next(from, event)
		return to
	}
	return ladderMoves[i][j]
}

// ladderEvents are the ladder's events, as ladderMoves numbers them.
var ladderEvents = [...]LadderEvent{Rise, Slide, Fall, Churn, WinBack}

func eventIndex(e LadderEvent) int {
	switch e {
	case Rise:
		return 0
	case Slide:
		return 1
	case Fall:
		return 2
	case Churn:
		return 3
	case WinBack:
		return 4
	}
	return -1
}

// ladderMoves is the ladder machine's table by stage (lost, then the
// rungs from annoyed up) and event (ladderEvents): the stage the event
// leads to, or the stage itself where the machine has no such move.
var ladderMoves = func() (t [len(ladderRungs) + 1][len(ladderEvents)]LoyaltyStage) {
	for i := range t {
		from := Lost
		if i > 0 {
			from = ladderRungs[i-1]
		}
		for j, e := range ladderEvents {
			t[i][j], _ = ladderMachine.Next(from, e)
		}
	}
	return t
}()

// threshold is the score a stage starts at, in points.
func (r *LadderRules) threshold(s LoyaltyStage) int64 { return r.rungThreshold(rungOf(s)) }

// rungThreshold is the score the rung numbered rank (rungOf) starts at,
// in points.
func (r *LadderRules) rungThreshold(rank int) int64 {
	switch rank {
	case 1:
		return r.IndifferentAt
	case 2:
		return r.SatisfiedAt
	case rungLoyal:
		return r.LoyalAt
	case rungAdvocate:
		return r.AdvocateAt
	}
	return -scoreLimit / 1000
}

// points weighs a piece of evidence against the state it meets (its
// score faded to the evidence's time), in thousandths, and adds the
// terms that weighed to why.
func (r *LadderRules) points(st *LadderState, ev *Evidence, why *reasonCore) int64 {
	var pts int64
	add := func(what termKind, value, p int64) {
		pts += p
		why.add(what, value, p)
	}
	switch ev.Kind {
	case EvidenceExperience:
		add(termSentiment, int64(ev.Sentiment), int64(ev.Sentiment)*r.Sentiment)
		if n := ev.Survey.NPS; n != nil {
			switch {
			case *n >= 9:
				add(termPromoter, int64(*n), r.Promoter)
			case *n >= 7:
				add(termPassive, int64(*n), r.Passive)
			default:
				add(termDetractor, int64(*n), r.Detractor)
			}
		}
		if c := ev.Survey.CSAT; c != nil {
			add(termCSAT, int64(*c), int64(*c-3)*r.CSAT)
		}
		if c := ev.Survey.CES; c != nil {
			add(termCES, int64(*c), int64(r.CESScale().Ease(*c))*r.CES)
		}
		if ev.Direction != Outbound {
			switch {
			case ev.Repeats > 0:
				add(termRepeat, int64(ev.Repeats+1), r.Repeat)
			case ev.Resolved:
				add(termResolved, 0, r.Resolved)
			case ev.Source == KindInteraction:
				add(termUnresolved, 0, r.Unresolved)
			}
		}
		if ev.Transfers > 1 {
			add(termTransfers, int64(ev.Transfers), int64(ev.Transfers-1)*r.Transfer)
		}
		if ev.Breached {
			add(termBreach, 0, r.Breach)
		}
		return pts * 10 * int64(cmpOr(ev.Weight, 100))
	case EvidencePurchase:
		add(termPurchase, 0, r.Purchase)
	case EvidenceReferral:
		add(termReferral, 0, r.Referral)
	case EvidenceComplaint:
		add(termComplaint, 0, r.Complaint)
	case EvidenceResolution:
		ok := r.recovered(st, ev, why)
		if ok {
			p := r.recovery(st)
			why.addExact(termRecovered, int64(ev.Resolution), p)
			return p
		}
		add(termLateResolution, int64(ev.Resolution), r.LateResolution)
	case EvidenceHandoff:
		if ev.Handoffs > 1 {
			add(termHandoff, int64(ev.Handoffs), r.Transfer)
		}
	case EvidenceOverdue:
		add(termOverdue, int64(ev.Resolution), r.Overdue)
	case EvidenceBrokenPromise:
		add(termBrokenPromise, 0, r.BrokenPromise)
	case EvidenceDunned:
		add(termDunned, 0, r.Dunned)
	case EvidenceReminded:
		add(termReminded, 0, r.Reminded)
	case EvidencePaidOnTime:
		add(termPaidOnTime, 0, r.PaidOnTime)
	case EvidencePaidLate:
		if n := int64(ev.Resolution / (24 * time.Hour)); n > 0 {
			add(termPaidLateDays, n, r.PaidLate)
		} else {
			add(termPaidLate, 0, r.PaidLate)
		}
	case EvidenceChurn:
		why.addExact(termChurn, 0, 0)
	}
	return pts * 1000
}

// recovery is what resolving the latest complaint well earns, in
// thousandths: Recovery for the first failure of a run, RecoveryRepeat
// percent of the one before for each further one, and never more than
// lifts the score to where it stood before the complaint (faded), plus
// RecoveryParadox for the first.
func (r *LadderRules) recovery(st *LadderState) int64 {
	pts := r.Recovery * 1000
	for i := 1; i < st.Failures && pts != 0; i++ {
		pts = pts * r.RecoveryRepeat / 100
	}
	ceiling := r.decay(st.BeforeFailure, st.LastFailure, st.UpdatedAt)
	if st.Failures <= 1 {
		ceiling += r.RecoveryParadox * 1000
	}
	return max(0, min(pts, ceiling-st.Score))
}

// recovered reports whether the evidence is a complaint resolved well:
// within the standard, its promise kept, never reopened, no unhappy
// answer (a CSAT of 1-3 on the resolution, or a detractor answer since
// the complaint; no answer is no evidence either way). It says in why
// why it is not, or which failure of a run it recovers.
func (r *LadderRules) recovered(st *LadderState, ev *Evidence, why *reasonCore) bool {
	if ev.Kind != EvidenceResolution {
		return false
	}
	switch {
	case ev.PromiseBroken:
		why.more = morePromiseBroken
		return false
	case ev.Breached:
		why.more = moreStandardMissed
		return false
	case !ev.WithinStandard && !(r.RecoveryWithin > 0 && ev.Resolution <= r.RecoveryWithin):
		return false
	case ev.Reopens > 0:
		why.more, why.moreArg = moreReopens, int64(ev.Reopens)
		return false
	case ev.Survey.CSAT != nil && *ev.Survey.CSAT < 4:
		why.more, why.moreArg = moreCSAT, int64(*ev.Survey.CSAT)
		return false
	case !st.LastFailure.IsZero() && !st.LastDetractor.IsZero() && !st.LastDetractor.Before(st.LastFailure):
		why.more = moreDetractor
		return false
	}
	if st.Failures > 1 {
		why.more, why.moreArg = moreFailures, int64(st.Failures)
	}
	return true
}

// shortDuration writes a duration to the minute without zero units:
// "20h", "1h30m", "45m".
func shortDuration(d time.Duration) string {
	var buf [24]byte
	return string(appendShortDuration(buf[:0], d))
}

func clampScore(s int64) int64 { return min(max(s, -scoreLimit), scoreLimit) }

// Replay applies evidence in the order it happened (CompareEvidence),
// whatever order it is given in, from a new customer's state at start (or
// at the first evidence, if that is earlier: evidence imported from before
// the customer was created), and returns the final state and every move,
// those fading caused between the evidence included. The same evidence
// always gives the same result, in any order.
func (r LadderRules) Replay(start time.Time, evidence []Evidence) (LadderState, []LadderMove, error) {
	evidence = inOrder(evidence)
	if len(evidence) > 0 {
		start = minTime(start, evidence[0].At.UTC())
	}
	st := LadderState{Stage: ladderMachine.Initial(), Since: start, UpdatedAt: start}
	var all []LadderMove
	for i, ev := range evidence {
		var moves []LadderMove
		var err error
		if st, moves, err = r.Apply(st, ev); err != nil {
			return st, all, fmt.Errorf("evidence %d: %w", i, err)
		}
		all = append(all, moves...)
	}
	return st, all, nil
}
