package bench

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/crmkit/crm"
)

// bareStore is the floor a CRM write on the memory store is measured
// against: one mutex and plain maps, doing the work every write must do
// and nothing more. It keeps crmkit's records (crm.Customer,
// crm.Interaction, crm.Evidence, crm.LadderState), asks crmkit's policy,
// validates the input as the CRM does, weighs the evidence with crmkit's
// ladder rules, and records each change as a JSON event with its random
// salt, its keyed digest and its SHA-256 chain link (crm.Event.ComputeHash).
// It has no transactions: a write that fails halfway leaves what it did,
// which is what copy-on-write isolation costs the CRM.
type bareStore struct {
	mu           sync.Mutex
	random       *rand.ChaCha8
	lastMS       int64
	now          func() time.Time
	policy       crm.RolePolicy
	rules        crm.LadderRules
	users        map[crm.ID]crm.User
	customers    map[crm.ID]crm.Customer
	touchpoints  map[string]crm.ResolvedTouchpoint // of the one map
	mapID        crm.ID
	interactions map[crm.ID]crm.Interaction
	contacts     map[crm.ID][]crm.ID // a customer's interactions by time
	evidence     map[crm.ID]crm.Evidence
	states       map[crm.ID]crm.LadderState
	moves        []crm.LadderMove
	events       []crm.Event
	head         crm.LogHead
}

func newBareStore(now func() time.Time, m crm.TouchpointMap, users ...crm.User) (*bareStore, error) {
	tps, err := m.Resolve()
	if err != nil {
		return nil, err
	}
	s := &bareStore{random: rand.NewChaCha8([32]byte{1}), now: now, policy: crm.DefaultPolicy(),
		rules: crm.DefaultLadderRules(), users: map[crm.ID]crm.User{}, customers: map[crm.ID]crm.Customer{},
		touchpoints: map[string]crm.ResolvedTouchpoint{}, mapID: m.ID, interactions: map[crm.ID]crm.Interaction{},
		contacts: map[crm.ID][]crm.ID{}, evidence: map[crm.ID]crm.Evidence{}, states: map[crm.ID]crm.LadderState{}}
	for _, u := range users {
		s.users[u.ID] = u
	}
	for _, tp := range tps {
		s.touchpoints[tp.Key] = tp
	}
	return s, nil
}

// id makes a time-ordered random ID, as the CRM's generator does.
func (s *bareStore) id() crm.ID {
	var id crm.ID
	_, _ = s.random.Read(id[6:])
	ms := max(s.now().UnixMilli(), s.lastMS)
	s.lastMS = ms
	binary.BigEndian.PutUint16(id[4:], uint16(ms))
	binary.BigEndian.PutUint32(id[:4], uint32(ms>>16))
	id[6] = id[6]&0x0f | 0x70
	id[8] = id[8]&0x3f | 0x80
	return id
}

// actor loads the acting user, who must be active.
func (s *bareStore) actor(id crm.ID) (crm.User, error) {
	u, ok := s.users[id]
	if !ok || !u.Active {
		return crm.User{}, crm.ErrForbidden
	}
	return u, nil
}

// record appends a change to the log: the data as JSON, a random salt,
// the digest keyed with it, and the chain link.
func (s *bareStore) record(actor crm.ID, typ crm.EventType, kind crm.Kind, subject crm.ID, version int64, now time.Time, data any) error {
	raw, err := json.Marshal(data)
	if err != nil {
		return err
	}
	salt := make([]byte, 32)
	_, _ = s.random.Read(salt)
	m := hmac.New(sha256.New, salt)
	m.Write(raw)
	e := crm.Event{Seq: s.head.Seq + 1, ID: s.id(), Time: now, Actor: actor, Type: typ, Kind: kind, Subject: subject,
		Version: version, Data: raw, DataSalt: salt, PrevHash: s.head.Hash}
	m.Sum(e.DataHash[:0])
	e.Hash = e.ComputeHash()
	s.events = append(s.events, e)
	s.head = crm.LogHead{Seq: e.Seq, Hash: e.Hash}
	return nil
}

func cleanText(field, v string, maxLen int, required bool) (string, error) {
	v = strings.TrimSpace(v)
	if !utf8.ValidString(v) || (required && v == "") || utf8.RuneCountInString(v) > maxLen ||
		strings.IndexFunc(v, unicode.IsControl) >= 0 {
		return "", fmt.Errorf("%w: %s", crm.ErrInvalid, field)
	}
	return v, nil
}

func idText(id crm.ID) string {
	if id.IsZero() {
		return ""
	}
	return id.String()
}

// createCustomer makes a customer owned by the actor.
func (s *bareStore) createCustomer(actorID crm.ID, in crm.NewCustomer) (crm.Customer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	actor, err := s.actor(actorID)
	if err != nil {
		return crm.Customer{}, err
	}
	name, err := cleanText("name", in.Name, 200, true)
	if err != nil {
		return crm.Customer{}, err
	}
	party := crm.PartyOrganization
	if in.Kind == crm.EndCustomer {
		party = crm.PartyPerson
	}
	now := s.now()
	c := crm.Customer{ID: s.id(), Kind: in.Kind, Party: party, Name: name, Owner: actor.ID, Team: actor.Team,
		Status: crm.StatusActive, Lifecycle: crm.LifecycleLead, CreatedAt: now, UpdatedAt: now, Version: 1}
	if err := s.policy.Authorize(actor, crm.ActionCreate, crm.Target{Kind: crm.KindCustomer, ID: c.ID, Owner: c.Owner, Team: c.Team}); err != nil {
		return crm.Customer{}, err
	}
	s.customers[c.ID] = c
	return c, s.record(actor.ID, crm.CustomerCreated, crm.KindCustomer, c.ID, 1, now, crm.ChangeSet{Changes: []crm.Change{
		{Field: "kind", To: string(c.Kind)}, {Field: "party", To: string(c.Party)}, {Field: "name", To: c.Name},
		{Field: "owner", To: idText(c.Owner)}, {Field: "team", To: c.Team}, {Field: "status", To: string(c.Status)},
		{Field: "lifecycle", To: string(c.Lifecycle)}}})
}

// setSegment changes a customer's segment.
func (s *bareStore) setSegment(actorID, id crm.ID, segment string) (crm.Customer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	actor, err := s.actor(actorID)
	if err != nil {
		return crm.Customer{}, err
	}
	before, ok := s.customers[id]
	if !ok {
		return crm.Customer{}, errors.New("no such customer")
	}
	if err := s.policy.Authorize(actor, crm.ActionUpdate, crm.Target{Kind: crm.KindCustomer, ID: id, Owner: before.Owner, Team: before.Team}); err != nil {
		return crm.Customer{}, err
	}
	if segment, err = cleanText("segment", segment, 100, false); err != nil || segment == before.Segment {
		return before, err
	}
	after := before.Clone()
	after.Segment, after.UpdatedAt, after.Version = segment, s.now(), before.Version+1
	s.customers[id] = after
	var from any
	if before.Segment != "" {
		from = before.Segment
	}
	return after, s.record(actor.ID, crm.CustomerUpdated, crm.KindCustomer, id, after.Version, after.UpdatedAt,
		crm.ChangeSet{Changes: []crm.Change{{Field: "segment", From: from, To: segment}}})
}

// interactionEvent is the payload the CRM records for an interaction.
type interactionEvent struct {
	Customer   crm.ID        `json:"customer"`
	Touchpoint string        `json:"touchpoint"`
	At         time.Time     `json:"at"`
	Direction  crm.Direction `json:"direction"`
	Resolved   bool          `json:"resolved"`
	Transfers  int           `json:"transfers,omitempty"`
	Sentiment  crm.Sentiment `json:"sentiment"`
	Survey     crm.Survey    `json:"survey"`
	Case       string        `json:"case,omitempty"`
}

// moveEvent is the payload the CRM records for a ladder move.
type moveEvent struct {
	From     crm.LoyaltyStage `json:"from"`
	To       crm.LoyaltyStage `json:"to"`
	Move     crm.LadderEvent  `json:"move"`
	Score    int64            `json:"score"`
	Evidence crm.EvidenceKind `json:"evidence"`
	Source   string           `json:"source,omitempty"`
	Reason   string           `json:"reason"`
}

// recordInteraction records a contact at a touchpoint of the one map and
// weighs it on the customer's ladder: the repeats within the rules'
// window counted from the customer's contacts by time, the evidence
// applied by the ladder rules, the state, the evidence and the moves
// kept, an event for the contact and one for each move.
func (s *bareStore) recordInteraction(actorID crm.ID, n crm.NewInteraction) (crm.Interaction, []crm.LadderMove, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	actor, err := s.actor(actorID)
	if err != nil {
		return crm.Interaction{}, nil, err
	}
	cu, ok := s.customers[n.Customer]
	if !ok {
		return crm.Interaction{}, nil, errors.New("no such customer")
	}
	if err := s.policy.Authorize(actor, crm.ActionRecord, crm.Target{Kind: crm.KindCustomer, ID: cu.ID, Owner: cu.Owner, Team: cu.Team}); err != nil {
		return crm.Interaction{}, nil, err
	}
	tp, ok := s.touchpoints[n.Touchpoint]
	now := s.now()
	switch {
	case !ok || n.Map != s.mapID:
		return crm.Interaction{}, nil, errors.New("no such touchpoint")
	case n.At.IsZero() || n.At.After(now) || (n.Direction != crm.Inbound && n.Direction != crm.Outbound) ||
		n.Sentiment < crm.VeryNegative || n.Sentiment > crm.VeryPositive || n.Wait < 0 || n.Handle < 0:
		return crm.Interaction{}, nil, crm.ErrInvalid
	}
	note, err := cleanText("note", n.Note, 4000, false)
	if err != nil {
		return crm.Interaction{}, nil, err
	}
	at := n.At.UTC().Truncate(time.Microsecond)
	in := crm.Interaction{ID: s.id(), Customer: cu.ID, Map: s.mapID, Touchpoint: tp.Key, At: at, Day: crm.DateOf(at),
		Direction: n.Direction, HandledBy: n.HandledBy, Department: tp.Department, Channel: tp.Channel, Medium: tp.Medium,
		Phase: tp.Phase, Wait: n.Wait, Handle: n.Handle, Resolved: n.Resolved, Sentiment: n.Sentiment, Note: note,
		RecordedAt: now, RecordedBy: actor.ID}
	in.AnswerBreached = tp.Standards.AnswerWithin > 0 && n.Wait > tp.Standards.AnswerWithin
	s.interactions[in.ID] = in
	ids := s.contacts[cu.ID]
	i, _ := slices.BinarySearchFunc(ids, at, func(id crm.ID, t time.Time) int { return s.interactions[id].At.Compare(t) })
	repeats := 0
	if in.Direction == crm.Inbound {
		from := at.Add(-s.rules.RepeatWindow)
		for j := i - 1; j >= 0; j-- {
			e := s.interactions[ids[j]]
			if e.At.Before(from) {
				break
			}
			if e.Direction == crm.Inbound && e.Case.IsZero() && e.Touchpoint == in.Touchpoint {
				repeats++
			}
		}
	}
	s.contacts[cu.ID] = slices.Insert(ids, i, in.ID)
	if err := s.record(actor.ID, crm.InteractionRecorded, crm.KindInteraction, in.ID, 1, now, interactionEvent{Customer: in.Customer,
		Touchpoint: in.Touchpoint, At: in.At, Direction: in.Direction, Resolved: in.Resolved, Sentiment: in.Sentiment}); err != nil {
		return crm.Interaction{}, nil, err
	}
	ev := crm.Evidence{ID: s.id(), Customer: cu.ID, Kind: crm.EvidenceExperience, At: in.At, Source: crm.KindInteraction,
		SourceID: in.ID, Map: in.Map, Touchpoint: in.Touchpoint, Weight: tp.Weight, Sentiment: in.Sentiment,
		Breached: in.AnswerBreached, Resolved: in.Resolved, Direction: in.Direction, Repeats: repeats}
	st, ok := s.states[cu.ID]
	if !ok {
		st = crm.LadderState{Customer: cu.ID, Stage: crm.Indifferent, Since: cu.CreatedAt, UpdatedAt: cu.CreatedAt}
	}
	next, moves, err := s.rules.Apply(st, ev)
	if err != nil {
		return crm.Interaction{}, nil, err
	}
	next.Customer, next.Version = cu.ID, st.Version+1
	s.states[cu.ID] = next
	s.evidence[ev.ID] = ev
	for i := range moves {
		m := &moves[i]
		m.ID, m.Customer = s.id(), cu.ID
		if err := s.record(actor.ID, crm.LadderMoved, crm.KindLadderState, cu.ID, next.Version, now, moveEvent{From: m.From,
			To: m.To, Move: m.Event, Score: m.ScoreAfter / 1000, Evidence: ev.Kind,
			Source: string(ev.Source) + "/" + ev.SourceID.String(), Reason: m.Reason}); err != nil {
			return crm.Interaction{}, nil, err
		}
	}
	s.moves = append(s.moves, moves...)
	return in, moves, nil
}
