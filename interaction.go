package crm

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// Direction says who started a contact.
type Direction string

// The directions.
const (
	Inbound  Direction = "inbound"  // the customer reached out
	Outbound Direction = "outbound" // the company reached out
)

// Sentiment is how the customer felt in a contact, from -2 (very negative)
// to 2 (very positive); 0 is neutral.
type Sentiment int

// The sentiment scale.
const (
	VeryNegative Sentiment = -2
	Negative     Sentiment = -1
	Neutral      Sentiment = 0
	Positive     Sentiment = 1
	VeryPositive Sentiment = 2
)

// Survey holds the customer's answers to the standard questions, each
// optional (nil when not asked or not answered):
//
//   - NPS, 0-10: how likely to recommend; 9-10 promoters, 7-8 passives,
//     0-6 detractors.
//   - CSAT, 1-5: how satisfied; 4-5 count as satisfied.
//   - CES: how easy it was to handle the matter, on the CRM's CESScale:
//     by default CES 2.0, 1-7, higher is easier.
type Survey struct {
	NPS  *int `json:"nps,omitempty"`
	CSAT *int `json:"csat,omitempty"`
	CES  *int `json:"ces,omitempty"`
}

func (s Survey) check(field string, ces CESScale) error {
	ces = ces.orDefault()
	for _, q := range []struct {
		name   string
		v      *int
		lo, hi int
	}{{"nps", s.NPS, 0, 10}, {"csat", s.CSAT, 1, 5}, {"ces", s.CES, ces.Min, ces.Max}} {
		if q.v != nil && (*q.v < q.lo || *q.v > q.hi) {
			return invalid(field+"."+q.name, "range", fmt.Sprintf("%d is outside %d-%d", *q.v, q.lo, q.hi))
		}
	}
	return nil
}

// Transfer is one hand-off of a contact between departments (a customer
// transferred four times is a customer lost).
type Transfer struct {
	From string `json:"from" privacy:"none"`
	To   string `json:"to" privacy:"none"`
}

// NewInteraction is a contact to record. Customer, Map and Touchpoint (a
// key of the map), At and Direction are required, with no default: At is
// when it happened, which may be earlier than when it is recorded but not
// later than now; Department defaults to the touchpoint's.
// IdempotencyKey, when set, makes the recording safe to
// retry: the same key with the same request returns the first recording,
// the same key with another request is an *IdempotencyError.
type NewInteraction struct {
	Customer       ID            `json:"customer,omitzero"`
	Map            ID            `json:"map,omitzero"`
	Touchpoint     string        `json:"touchpoint,omitempty"`
	At             time.Time     `json:"at,omitzero"`
	Direction      Direction     `json:"direction,omitempty"`
	HandledBy      ID            `json:"handled_by,omitzero"` // the employee, if any
	Department     string        `json:"department,omitempty"`
	Wait           time.Duration `json:"wait_ns"`   // from the customer's first try to an answer
	Handle         time.Duration `json:"handle_ns"` // the contact itself
	Transfers      []Transfer    `json:"transfers,omitempty"`
	Resolved       bool          `json:"resolved,omitempty"` // the customer's matter was settled in this contact
	Sentiment      Sentiment     `json:"sentiment"`
	Survey         Survey        `json:"survey,omitzero"`
	SurveyKind     SurveyKind    `json:"survey_kind,omitempty"` // why the survey was asked: transactional (the default when answered) or relationship
	Case           ID            `json:"case,omitzero"`         // the case the contact belongs to, if any
	Note           string        `json:"note,omitempty"`
	IdempotencyKey string        `json:"idempotency_key,omitempty"`
}

// Interaction is a recorded contact of a customer at a touchpoint. The
// touchpoint's channel, medium, phase and standards are copied in when it
// is recorded, so that analytics need no joins and a later redesign of the
// map does not rewrite history.
type Interaction struct {
	ID             ID            `json:"id,omitzero"`
	Customer       ID            `json:"customer,omitzero"`
	Map            ID            `json:"map,omitzero"`
	Touchpoint     string        `json:"touchpoint,omitempty" privacy:"none"`
	At             time.Time     `json:"at,omitzero"`
	Day            Date          `json:"day,omitzero"` // the business day of At, by the CRM's calendar (BusinessDay)
	Direction      Direction     `json:"direction,omitempty"`
	HandledBy      ID            `json:"handled_by,omitzero"`
	Department     string        `json:"department,omitempty" privacy:"none"`
	Channel        Channel       `json:"channel,omitempty"`
	Medium         Medium        `json:"medium,omitempty"`
	Phase          Phase         `json:"phase,omitempty"`
	Wait           time.Duration `json:"wait_ns"`
	Handle         time.Duration `json:"handle_ns"`
	Transfers      []Transfer    `json:"transfers,omitempty" privacy:"none"`
	Resolved       bool          `json:"resolved,omitempty"`
	Sentiment      Sentiment     `json:"sentiment"`
	Survey         Survey        `json:"survey,omitzero"`
	SurveyKind     SurveyKind    `json:"survey_kind,omitempty"` // transactional or relationship when Survey has an answer, else ""
	Case           ID            `json:"case,omitzero"`
	Note           string        `json:"note,omitempty" privacy:"personal"`
	AnswerBreached bool          `json:"answer_breached,omitempty"` // Wait exceeded the touchpoint's AnswerWithin
	CSATBreached   bool          `json:"csat_breached,omitempty"`   // the CSAT answer was below the touchpoint's MinCSAT
	IdempotencyKey string        `json:"idempotency_key,omitempty" privacy:"none"`
	RequestHash    Hash          `json:"request_hash,omitzero" privacy:"personal"` // of the NewInteraction it was recorded from, when it had an IdempotencyKey
	RecordedAt     time.Time     `json:"recorded_at,omitzero"`
	RecordedBy     ID            `json:"recorded_by,omitzero"`
}

// BusinessDay is the day the experience statistics count the
// interaction on: Day, the business day the CRM's calendar gave At when
// it was recorded, or At's day in UTC for an interaction without one.
func (in Interaction) BusinessDay() Date { return cmpOr(in.Day, DateOf(in.At.UTC())) }

// Clone returns a deep copy.
func (in Interaction) Clone() Interaction {
	in.Transfers = slices.Clone(in.Transfers)
	in.Survey = in.Survey.clone()
	return in
}

func (s Survey) clone() Survey {
	cp := func(p *int) *int {
		if p == nil {
			return nil
		}
		v := *p
		return &v
	}
	return Survey{NPS: cp(s.NPS), CSAT: cp(s.CSAT), CES: cp(s.CES)}
}

// Satisfaction is the contact's score on a 1-5 scale, as journey maps
// show it: the CSAT answer when there is one, else the sentiment moved to
// 1-5.
func (in Interaction) Satisfaction() int {
	if in.Survey.CSAT != nil {
		return *in.Survey.CSAT
	}
	return int(in.Sentiment) + 3
}

// FirstContactResolution reports whether an inbound contact settled the
// matter at once, without a transfer.
func (in Interaction) FirstContactResolution() bool {
	return in.Direction == Inbound && in.Resolved && len(in.Transfers) == 0
}

// maxTransfers bounds the hand-offs of one contact.
const maxTransfers = 100

// build checks the input and makes the interaction at the resolved
// touchpoint.
func (n NewInteraction) build(id ID, tp ResolvedTouchpoint, actor ID, now time.Time, ces CESScale) (Interaction, error) {
	var err error
	if n.Customer.IsZero() {
		return Interaction{}, invalid("customer", "required", "")
	}
	if n.At.IsZero() {
		return Interaction{}, invalid("at", "required", "when the contact happened; time.Now() for one that just did")
	}
	if n.At.After(now) {
		return Interaction{}, invalid("at", "not_future", fmt.Sprintf("%s is after now (%s)", n.At.UTC().Format(time.RFC3339), now.Format(time.RFC3339)))
	}
	if n.Direction != Inbound && n.Direction != Outbound {
		return Interaction{}, invalid("direction", "one_of", fmt.Sprintf("%q is not inbound or outbound", n.Direction))
	}
	if n.Wait < 0 || n.Handle < 0 {
		return Interaction{}, invalid("wait", "non_negative", "wait and handle times cannot be negative")
	}
	if n.Sentiment < VeryNegative || n.Sentiment > VeryPositive {
		return Interaction{}, invalid("sentiment", "range", fmt.Sprintf("%d is outside -2..2", n.Sentiment))
	}
	if err := n.Survey.check("survey", ces); err != nil {
		return Interaction{}, err
	}
	kind := n.SurveyKind // the request keeps its own, for its hash
	switch {
	case kind != "" && !kind.valid():
		return Interaction{}, invalid("survey_kind", "one_of", fmt.Sprintf("%q is not relationship or transactional", n.SurveyKind))
	case kind != "" && !n.Survey.answered():
		return Interaction{}, invalid("survey_kind", "answered", "a survey kind needs an answer")
	case kind == "" && n.Survey.answered():
		kind = TransactionalSurvey
	}
	if len(n.Transfers) > maxTransfers {
		return Interaction{}, invalid("transfers", "max_count", fmt.Sprintf("at most %d", maxTransfers))
	}
	transfers := slices.Clone(n.Transfers)
	for i := range transfers {
		f, t := fmt.Sprintf("transfers[%d]", i), &transfers[i]
		if t.From, err = cleanText(f+".from", t.From, maxShortTextLen, true); err != nil {
			return Interaction{}, err
		}
		if t.To, err = cleanText(f+".to", t.To, maxShortTextLen, true); err != nil {
			return Interaction{}, err
		}
	}
	n.Transfers = transfers
	if n.Department, err = cleanText("department", n.Department, maxShortTextLen, false); err != nil {
		return Interaction{}, err
	}
	if n.Note, err = cleanText("note", n.Note, maxLongTextLen, false); err != nil {
		return Interaction{}, err
	}
	in := Interaction{
		ID: id, Customer: n.Customer, Map: tp.Map, Touchpoint: tp.Key, At: n.At.UTC().Truncate(time.Microsecond),
		Direction: n.Direction, HandledBy: n.HandledBy, Department: cmpOr(n.Department, tp.Department),
		Channel: tp.Channel, Medium: tp.Medium, Phase: tp.Phase, Wait: n.Wait.Truncate(time.Microsecond), Handle: n.Handle.Truncate(time.Microsecond),
		Transfers: slices.Clone(n.Transfers), Resolved: n.Resolved, Sentiment: n.Sentiment, Survey: n.Survey.clone(),
		SurveyKind: kind, Case: n.Case, Note: n.Note, IdempotencyKey: n.IdempotencyKey,
		RecordedAt: now, RecordedBy: actor,
	}
	if n.IdempotencyKey != "" {
		in.RequestHash = n.hash() // what a retry with the key is told apart by; without one, nothing is
	}
	if len(in.Transfers) == 0 {
		in.Transfers = nil
	}
	in.AnswerBreached = tp.Standards.AnswerWithin > 0 && n.Wait > tp.Standards.AnswerWithin
	in.CSATBreached = tp.Standards.MinCSAT > 0 && n.Survey.CSAT != nil && *n.Survey.CSAT < tp.Standards.MinCSAT
	return in, nil
}

// hash digests the request, so that a retry with the same idempotency key
// can be told apart from a different request that reuses the key.
// Only a request with a key is digested: one without has no retry to
// tell apart, and its interaction keeps the zero RequestHash.
func (n NewInteraction) hash() Hash {
	b, _ := json.Marshal(n) // every field encodes
	return sha256.Sum256(b)
}

// IdempotencyError says an idempotency key was used before for a different
// request. It matches ErrConflict with errors.Is.
type IdempotencyError struct {
	Key      string `json:"key,omitempty"`
	Existing ID     `json:"existing,omitzero"` // what the key was first used for
}

// Error implements error.
func (e *IdempotencyError) Error() string {
	return fmt.Sprintf("crm: idempotency key %q was used for a different request (%s)", e.Key, e.Existing)
}

// Unwrap returns ErrConflict.
func (e *IdempotencyError) Unwrap() error { return ErrConflict }
