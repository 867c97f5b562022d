package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hostile is text that breaks naive SQL, JSON or placeholder handling.
const hostile = `Robert'); DROP TABLE crm_interactions; -- "Bobby" ? $1 :x @p1 \ ü 名字 ` + "\t\n"

// hostileShort is hostile text short enough for a department or a
// touchpoint name.
const hostileShort = `O'Brien"; -- ? $1 ü`

func intp(v int) *int { return &v }

func write(ctx context.Context, t *testing.T, s crm.Store, fn func(tx crm.Tx) error) {
	t.Helper()
	require.NoError(t, s.Update(ctx, fn))
}

// read returns what fn reads in a View.
func read[T any](ctx context.Context, t *testing.T, s crm.Store, fn func(tx crm.ReadTx) (T, error)) T {
	t.Helper()
	var out T
	require.NoError(t, s.View(ctx, func(tx crm.ReadTx) error {
		var err error
		out, err = fn(tx)
		return err
	}))
	return out
}

// sampleMap is a map of a main touchpoint with two levels below it, every
// field set, and hostile text where text is free.
func sampleMap(id crm.ID) crm.TouchpointMap {
	return crm.TouchpointMap{ID: id, Name: "Retail " + hostile, CreatedAt: at(1), UpdatedAt: at(2), Version: 1,
		Touchpoints: []crm.Touchpoint{
			{Key: "call", Name: "Call center " + hostileShort, Channel: crm.ChannelContactCenter, Medium: crm.MediumPhone,
				Phase: crm.PhaseSupport, Department: "Care " + hostileShort, Weight: 150,
				Standards: crm.ServiceStandards{AnswerWithin: 90 * time.Second, ResolveWithin: 48 * time.Hour, MinCSAT: 4}},
			{Key: "call.billing", Name: "Billing line", Parent: "call", Phase: crm.PhaseBilling,
				Standards: crm.ServiceStandards{AnswerWithin: 1500 * time.Microsecond}},
			{Key: "call.billing.disputes", Name: "Disputes", Parent: "call.billing", Department: "Legal", Weight: 7},
			{Key: "web", Name: "Web", Channel: crm.ChannelWeb, Medium: crm.MediumWeb},
		}}
}

func sampleInteraction(id, customer, mapID crm.ID, when time.Time) crm.Interaction {
	return crm.Interaction{ID: id, Customer: customer, Map: mapID, Touchpoint: "call.billing", At: when,
		Direction: crm.Inbound, HandledBy: crm.ID{1}, Department: "Billing " + hostile, Channel: crm.ChannelContactCenter,
		Medium: crm.MediumPhone, Phase: crm.PhaseBilling, Wait: 95*time.Second + 7*time.Microsecond, Handle: 4 * time.Minute,
		Transfers: []crm.Transfer{{From: "Care", To: hostile}, {From: hostile, To: "Legal"}}, Resolved: true,
		Sentiment: crm.VeryNegative, Survey: crm.Survey{NPS: intp(0), CES: intp(7)}, Case: crm.ID{2}, Note: hostile,
		AnswerBreached: true, IdempotencyKey: "key " + hostile, RequestHash: crm.Hash{3, 4, 5, 31: 6},
		RecordedAt: when.Add(time.Second), RecordedBy: crm.ID{7}}
}

func sampleCase(id, customer, mapID crm.ID) crm.Case {
	return crm.Case{ID: id, Customer: customer, Kind: crm.Complaint, Subject: "Double charge " + hostile,
		Status: crm.CaseResolved, Map: mapID, Touchpoint: "call.billing", Channel: crm.ChannelContactCenter,
		Phase: crm.PhaseBilling, Department: "Billing", Assignee: crm.ID{9}, OpenedAt: at(1), ResolvedAt: at(30),
		PromisedBy: at(20), ResolveWithin: 48 * time.Hour, Handoffs: 2, Reopens: 1, Contacts: 3,
		Resolution: "Refunded " + hostile, ResolveBreached: true, PromiseBroken: true, CreatedAt: at(1), UpdatedAt: at(30),
		Version: 1}
}

func sampleEvidence(id, customer crm.ID) crm.Evidence {
	return crm.Evidence{ID: id, Customer: customer, Kind: crm.EvidenceResolution, At: at(3), Source: crm.KindCase,
		SourceID: crm.ID{4}, Map: crm.ID{5}, Touchpoint: "call", Weight: 150, Sentiment: crm.Positive,
		Survey: crm.Survey{CSAT: intp(5), NPS: intp(10)}, Transfers: 3, Breached: true, Resolved: true,
		Resolution: 36 * time.Hour, WithinStandard: true, Handoffs: 2, Reopens: 1, Note: hostile}
}

func sampleMove(id, customer crm.ID, when time.Time, ev crm.Evidence) crm.LadderMove {
	return crm.LadderMove{ID: id, Customer: customer, At: when, From: crm.Satisfied, To: crm.Loyal, Event: crm.Rise,
		ScoreBefore: -12345, ScoreAfter: 41000, Evidence: ev.Ref(), Reason: "because " + hostile}
}

func sampleTemplate(id, mapID crm.ID) crm.JourneyTemplate {
	return crm.JourneyTemplate{ID: id, Name: "Dispute a bill " + hostile, Map: mapID,
		Steps: []string{"call", "call.billing", "call.billing.disputes"}, RepeatWindow: 72 * time.Hour,
		CreatedAt: at(1), UpdatedAt: at(1), Version: 1}
}

// versionRules checks the version rules of CustomerRepository on one kind
// of record: a new record has version 1 and a new ID, an update replaces
// the version before it, a stale update is a conflict that names both
// versions, and updating a missing record is not found.
type versionRules[T any] struct {
	kind        crm.Kind
	id          func(T) crm.ID
	withVersion func(T, int64) T
	writer      func(tx crm.Tx) writer[T]
	reader      func(tx crm.ReadTx) reader[T]
	// save says insert and update are one method (LadderRepository's
	// SaveState), which takes a version other than 1 for an update.
	save bool
}

type writer[T any] interface {
	Insert(ctx context.Context, v T) error
	Update(ctx context.Context, v T) error
}

type reader[T any] interface {
	Get(ctx context.Context, id crm.ID) (T, error)
}

// check runs the rules with v, a new record of version 1, and changed, v
// with another value in some field.
func (r versionRules[T]) check(t *testing.T, s crm.Store, v, changed T, other func() T) {
	ctx := context.Background()
	id := r.id(v)
	insert := func(v T) error {
		return s.Update(ctx, func(tx crm.Tx) error { return r.writer(tx).Insert(ctx, v) })
	}
	update := func(v T) error {
		return s.Update(ctx, func(tx crm.Tx) error { return r.writer(tx).Update(ctx, v) })
	}
	get := func(id crm.ID) (T, error) {
		var got T
		err := s.View(ctx, func(tx crm.ReadTx) error {
			var err error
			got, err = r.reader(tx).Get(ctx, id)
			return err
		})
		return got, err
	}
	require.NoError(t, insert(v))
	got, err := get(id)
	require.NoError(t, err)
	assert.Equal(t, v, got)

	var ce *crm.ConflictError
	require.ErrorAs(t, insert(v), &ce, "inserting an existing ID")
	assert.Equal(t, r.kind, ce.Kind)
	var nf *crm.NotFoundError
	if r.save {
		require.ErrorAs(t, insert(r.withVersion(other(), 3)), &nf, "an update of nothing")
	} else {
		require.ErrorAs(t, insert(r.withVersion(other(), 3)), &ce, "a new record has version 1")
	}

	v2 := r.withVersion(changed, 2)
	require.NoError(t, update(v2))
	got, err = get(id)
	require.NoError(t, err)
	assert.Equal(t, v2, got)

	require.ErrorAs(t, update(v2), &ce, "a stale update")
	assert.ErrorIs(t, ce, crm.ErrConflict)
	assert.Equal(t, []any{r.kind, id.String(), int64(1), int64(2)}, []any{ce.Kind, ce.ID, ce.Expected, ce.Actual})

	missing := r.withVersion(other(), 2)
	require.ErrorAs(t, update(missing), &nf)
	assert.Equal(t, r.kind, nf.Kind)
	_, err = get(r.id(missing))
	require.ErrorAs(t, err, &nf)
	assert.Equal(t, r.id(missing).String(), nf.ID)
}
