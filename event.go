package crm

import (
	"cmp"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"
)

// EventType names what happened, as "<kind>.<verb>".
type EventType string

// The events of customers and users.
const (
	CustomerCreated    EventType = "customer.created"
	CustomerUpdated    EventType = "customer.updated"
	CustomerArchived   EventType = "customer.archived"
	CustomerRestored   EventType = "customer.restored"
	CustomerReassigned EventType = "customer.reassigned"
	CustomerErased     EventType = "customer.erased"
	CustomerExported   EventType = "customer.exported" // everything held about the customer was handed out (Export): the format and counts, no personal data
	UserCreated        EventType = "user.created"
	UserUpdated        EventType = "user.updated"
	UserDeactivated    EventType = "user.deactivated"
	UserReactivated    EventType = "user.reactivated"

	TouchpointMapCreated   EventType = "touchpoint_map.created"
	TouchpointMapUpdated   EventType = "touchpoint_map.updated"
	JourneyTemplateCreated EventType = "journey_template.created"
	JourneyTemplateUpdated EventType = "journey_template.updated"
	InteractionRecorded    EventType = "interaction.recorded"
	CaseOpenedEvent        EventType = "case.opened"
	CaseMoved              EventType = "case.moved" // started, handed off, resolved, reopened or closed; the data says which
	CasePromiseBroken      EventType = "case.promise_broken"
	CaseOverdue            EventType = "case.overdue"      // an open case past its service standard was weighed (CheckOverdue)
	EvidenceRecorded       EventType = "evidence.recorded" // evidence from an outside system: a purchase, a referral, churn
	LadderMoved            EventType = "ladder.moved"
	LadderReplayed         EventType = "ladder.replayed" // evidence arrived late: the customer's moves from its time were replayed in the order things happened

	PipelineCreated EventType = "pipeline.created"
	PipelineUpdated EventType = "pipeline.updated"
	DealOpened      EventType = "deal.opened"
	DealUpdated     EventType = "deal.updated"
	DealStageMoved  EventType = "deal.moved"
	DealWonEvent    EventType = "deal.won"
	DealLostEvent   EventType = "deal.lost"
	DealReopened    EventType = "deal.reopened"
	ActivityLogged  EventType = "activity.logged"
	ActivityUpdated EventType = "activity.updated"
	CampaignCreated EventType = "campaign.created"
	CampaignUpdated EventType = "campaign.updated"

	// Sales reports: quotas.
	QuotaSet EventType = "quota.set" // a rep's or a team's quota for a fiscal period was set or changed: a ChangeSet of the amount, with the reason

	LifecycleMoved EventType = "customer.lifecycle_moved"

	// Campaign attribution: a cost line reversed by a line of its own, for
	// a reason (a ChangeSet with the cost before and after and the
	// reversed line's number).
	CampaignCostCorrected EventType = "campaign.cost_corrected"

	ContractDrafted EventType = "contract.drafted"
	ContractMoved   EventType = "contract.moved"   // submitted, approved, rejected, signed, completed, terminated, expired, superseded or invoiced
	ContractRevised EventType = "contract.revised" // a draft's terms changed: a ChangeSet
	LedgerPosted    EventType = "ledger.posted"

	CorrectionApproved     EventType = "correction.approved"
	CorrectionApprovalUsed EventType = "correction.approval_used"

	PeriodClosed        EventType = "period.closed"     // the ledger's lock date moved forward
	PeriodReopened      EventType = "period.reopened"   // the ledger's lock date moved back
	DunningEscalated    EventType = "dunning.escalated" // an invoice reached a level: send its notice
	DunningPaused       EventType = "dunning.paused"
	DunningResumed      EventType = "dunning.resumed"
	DunningSettledEvent EventType = "dunning.settled"
	DunningReopened     EventType = "dunning.reopened"
	DunningExempted     EventType = "dunning.exempted" // an invoice of dunning fees and interest, never dunned itself

	// Activities as work: an activity's follow-up moved, done or called off.
	ActivityRescheduled    EventType = "activity.rescheduled"
	ActivityCompleted      EventType = "activity.completed"
	ActivityCancelledEvent EventType = "activity.cancelled"
	// Pipeline history kept honest (issue 13).
	DealCloseCorrected EventType = "deal.close_corrected" // a closed deal's close date or amount corrected; the note says why
	// Handover: what moves with a customer to its new owner, the team
	// that follows its owner, and the public pool.
	DealReassigned     EventType = "deal.reassigned"     // an open deal moved with its customer to the new owner
	ContractReassigned EventType = "contract.reassigned" // a contract in progress moved with its customer
	CaseReassigned     EventType = "case.reassigned"     // an open case moved from the old owner to the new one
	ActivityReassigned EventType = "activity.reassigned" // a pending follow-up moved to the new owner
	UserRecordsMoved   EventType = "user.records_moved"  // the records a user owns followed them to their new team
	CustomerPooled     EventType = "customer.pooled"     // returned to the team's public pool: nobody followed them up
	CustomerClaimed    EventType = "customer.claimed"    // a rep took a customer from the public pool

	// Consent: a person gave or withdrew consent for a purpose. The data
	// names the consent record, the contact person if any, the purpose and
	// the times, never the source or the proof (see consentEvent).
	ConsentGivenEvent     EventType = "consent.given"
	ConsentWithdrawnEvent EventType = "consent.withdrawn"
	// Privacy: restriction of processing and retention.
	CustomerRestricted        EventType = "customer.restricted"         // processing of the customer's data restricted, with the reason
	CustomerRestrictionLifted EventType = "customer.restriction_lifted" // the restriction lifted, with the reason
)

// Hash is a SHA-256 digest.
type Hash [32]byte

// String returns the lower-case hex form.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// IsZero reports whether h is all zeros (the hash before the first event).
func (h Hash) IsZero() bool { return h == Hash{} }

// MarshalText encodes as hex.
func (h Hash) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

// UnmarshalText decodes hex.
func (h *Hash) UnmarshalText(b []byte) error {
	if len(b) != 64 {
		return invalid("hash", "format", "need 64 hex digits")
	}
	_, err := hex.Decode(h[:], b)
	if err != nil {
		return invalid("hash", "format", err.Error())
	}
	return nil
}

// Event is one entry of the append-only log: who did what to which record,
// when. The log is the audit trail and the feed for other systems.
//
// Events are hash-chained: Hash covers every field but Data itself, and
// PrevHash, so that changing, dropping or reordering any event breaks the
// chain. Data is covered through DataHash, so that erasing personal data
// from Data (Redacted) keeps the chain intact while the erasure stays
// visible.
type Event struct {
	Seq      int64           `json:"seq"`            // position in the log, from 1, without gaps
	ID       ID              `json:"id,omitzero"`    // unique ID of the event
	Time     time.Time       `json:"time,omitzero"`  // when it was recorded, UTC, microseconds
	Actor    ID              `json:"actor,omitzero"` // the user who did it
	Type     EventType       `json:"type,omitempty"`
	Kind     Kind            `json:"kind,omitempty"`   // the kind of record it happened to
	Subject  ID              `json:"subject,omitzero"` // the record it happened to
	Version  int64           `json:"version"`          // the record's version after the event
	Data     json.RawMessage `json:"data,omitempty" privacy:"personal"`
	DataSalt []byte          `json:"data_salt,omitempty" privacy:"none"` // the random key DataHash is keyed with; an erasure destroys it
	DataHash Hash            `json:"data_hash,omitzero"`                 // HMAC-SHA-256 of Data keyed with DataSalt (SHA-256 without one)
	PrevHash Hash            `json:"prev_hash,omitzero"`
	Hash     Hash            `json:"hash,omitzero"`
	Redacted bool            `json:"redacted,omitempty"` // Data was rewritten by an erasure; DataHash is the original's
}

// LogHead is the last event's position and hash; the zero LogHead is an
// empty log.
type LogHead struct {
	Seq  int64 `json:"seq"`
	Hash Hash  `json:"hash,omitzero"`
}

// ComputeHash returns the chain hash of e: SHA-256 over a length-prefixed
// encoding of every field except Data, Hash and Redacted.
func (e Event) ComputeHash() Hash {
	h := sha256.New()
	var buf [binary.MaxVarintLen64]byte
	field := func(b []byte) {
		n := binary.PutUvarint(buf[:], uint64(len(b)))
		h.Write(buf[:n])
		h.Write(b)
	}
	field([]byte("crmkit.event.v1"))
	field(binary.BigEndian.AppendUint64(nil, uint64(e.Seq)))
	field(e.ID[:])
	field([]byte(e.Time.UTC().Format(time.RFC3339Nano)))
	field(e.Actor[:])
	field([]byte(e.Type))
	field([]byte(e.Kind))
	field(e.Subject[:])
	field(binary.BigEndian.AppendUint64(nil, uint64(e.Version)))
	field(e.DataHash[:])
	field(e.PrevHash[:])
	var out Hash
	h.Sum(out[:0])
	return out
}

// dataDigest returns an event's DataHash: the HMAC-SHA-256 of its data
// keyed with its salt, or, without a salt, the plain SHA-256 (events
// recorded before salts, and the digest an erasure records of what it
// left).
//
// The salt is what makes an erasure final. The chain covers DataHash, so
// an erasure cannot change it; were it a plain digest of the data, anyone
// holding the log could recover the erased values by hashing guesses (a
// name and a birth date fall to a dictionary in under a second). Keyed
// with 32 random bytes that the erasure destroys along with the data, the
// digest no longer confirms any guess, even the right one.
func dataDigest(salt, data []byte) Hash {
	if len(salt) == 0 {
		return sha256.Sum256(data)
	}
	m := hmac.New(sha256.New, salt)
	m.Write(data)
	var out Hash
	m.Sum(out[:0])
	return out
}

// dataSaltSize is the size of an event's salt: as long as the digest, so
// that guessing the salt is no easier than guessing the digest.
const dataSaltSize = 32

// chainVerifier checks events one at a time, in order, from a known head,
// so that a log read page by page is verified as it is read. A redacted
// event's data is not what its DataHash covers; it is valid only as an
// erasure event later in the chain recorded it, so the verifier keeps the
// redacted events it has met until their erasure vouches for them.
type chainVerifier struct {
	head     LogHead
	redacted map[ID]redactedEvent // each redacted event not yet vouched for
}

// next checks that e follows the events verified so far. It returns a
// *ChainError naming the first problem.
func (v *chainVerifier) next(e Event) error {
	switch {
	case e.Seq != v.head.Seq+1:
		return &ChainError{Seq: e.Seq, Problem: fmt.Sprintf("expected seq %d", v.head.Seq+1)}
	case e.PrevHash != v.head.Hash:
		return &ChainError{Seq: e.Seq, Problem: "previous hash does not match"}
	case !e.Redacted && dataDigest(e.DataSalt, e.Data) != e.DataHash:
		return &ChainError{Seq: e.Seq, Problem: "data does not match its hash"}
	case e.ComputeHash() != e.Hash:
		return &ChainError{Seq: e.Seq, Problem: "hash does not match the event"}
	}
	if e.Redacted {
		if v.redacted == nil {
			v.redacted = map[ID]redactedEvent{}
		}
		v.redacted[e.ID] = redactedEvent{seq: e.Seq, digest: dataDigest(nil, e.Data)}
	}
	if e.Type == CustomerErased || e.Type == UserErased {
		if err := v.vouch(e); err != nil {
			return err
		}
	}
	v.head = LogHead{Seq: e.Seq, Hash: e.Hash}
	return nil
}

// vouch takes the redactions an erasure recorded off the list of those
// waiting for it, checking that each left the data the erasure wrote.
func (v *chainVerifier) vouch(e Event) error {
	var d erasureData
	if err := json.Unmarshal(e.Data, &d); err != nil {
		return &ChainError{Seq: e.Seq, Problem: "an erasure whose data cannot be read"}
	}
	for _, r := range d.Redactions {
		met, ok := v.redacted[r.Event]
		if !ok {
			continue // redacted before where this verification started
		}
		if met.digest != r.DataHash {
			return &ChainError{Seq: met.seq, Problem: "redacted data is not what the erasure wrote"}
		}
		delete(v.redacted, r.Event)
	}
	return nil
}

// redactedEvent is a redacted event the verifier met: where, and the
// digest of the data it holds.
type redactedEvent struct {
	seq    int64
	digest Hash
}

// done checks that every redaction met was vouched for.
func (v *chainVerifier) done() error {
	if len(v.redacted) == 0 {
		return nil
	}
	seq := slices.MinFunc(slices.Collect(maps.Values(v.redacted)), func(a, b redactedEvent) int { return cmp.Compare(a.seq, b.seq) }).seq
	return &ChainError{Seq: seq, Problem: "marked redacted, but no erasure recorded the redaction"}
}

// VerifyChain checks that events form an unbroken chain after head.
func VerifyChain(head LogHead, events []Event) error {
	v := &chainVerifier{head: head}
	for _, e := range events {
		if err := v.next(e); err != nil {
			return err
		}
	}
	return v.done()
}
