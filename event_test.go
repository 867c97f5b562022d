package crm_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestVerifyChainFindsTampering(t *testing.T) {
	co := newCompany(t)
	c := co.customer(t, co.Ann, "Hooli")
	_, err := co.Customers.Update(ctx, co.Ann.ID, crm.CustomerPatch{Customer: c.ID, Segment: ptr("enterprise")})
	require.NoError(t, err)
	events, err := co.Events.FeedPage(ctx, 0, 100)
	require.NoError(t, err)
	require.Len(t, events, 7)
	require.NoError(t, crm.VerifyChain(crm.LogHead{}, events))

	for _, tc := range []struct {
		name   string
		tamper func([]crm.Event) []crm.Event
		seq    int64
	}{
		{"data changed", func(es []crm.Event) []crm.Event { es[6].Data = json.RawMessage(`{"changes":[]}`); return es }, 7},
		{"actor changed", func(es []crm.Event) []crm.Event { es[5].Actor = co.Admin.ID; return es }, 6},
		{"time changed", func(es []crm.Event) []crm.Event { es[2].Time = es[2].Time.Add(1); return es }, 3},
		{"event dropped", func(es []crm.Event) []crm.Event { return append(es[:3], es[4:]...) }, 5},
		{"events swapped", func(es []crm.Event) []crm.Event { es[3], es[4] = es[4], es[3]; return es }, 5},
		{"redaction without data hash", func(es []crm.Event) []crm.Event {
			es[6].Redacted, es[6].DataHash = true, crm.Hash{}
			return es
		}, 7},
	} {
		t.Run(tc.name, func(t *testing.T) {
			es := tc.tamper(append([]crm.Event(nil), events...))
			err := crm.VerifyChain(crm.LogHead{}, es)
			var ce *crm.ChainError
			require.ErrorAs(t, err, &ce)
			assert.ErrorIs(t, err, crm.ErrChainBroken)
			assert.Equal(t, tc.seq, ce.Seq)
		})
	}
}

func TestEventsRecordWhoWhenWhat(t *testing.T) {
	co := newCompany(t)
	c := co.customer(t, co.Ann, "Hooli")
	co.Clock.Advance(90 * 60e9)
	_, err := co.Customers.Archive(ctx, co.Manager.ID, crm.ArchiveCustomerRequest{Customer: c.ID, Reason: "duplicate of Hooli XYZ"})
	require.NoError(t, err)
	hist, err := co.Customers.History(ctx, co.Manager.ID, c.ID)
	require.NoError(t, err)
	require.Len(t, hist, 2)
	e := hist[1]
	assert.Equal(t, crm.CustomerArchived, e.Type)
	assert.Equal(t, co.Manager.ID, e.Actor)
	assert.Equal(t, start.Add(90*60e9), e.Time)
	assert.Equal(t, int64(2), e.Version)
	cs, err := crm.DecodeChangeSet(e.Data)
	require.NoError(t, err)
	assert.Equal(t, "duplicate of Hooli XYZ", cs.Reason)
	assert.Equal(t, []crm.Change{{Field: "status", From: "active", To: "archived"}}, cs.Changes)
}

func TestDeterministicReplay(t *testing.T) {
	run := func() crm.LogHead {
		co := newCompany(t)
		c := co.customer(t, co.Ann, "Replay")
		_, err := co.Customers.Update(ctx, co.Ann.ID, crm.CustomerPatch{Customer: c.ID, AddTags: []string{"x"}})
		require.NoError(t, err)
		return co.head(t)
	}
	assert.Equal(t, run(), run(), "the same clock, seed and commands give the same log, hash for hash")
}

func TestSubscribers(t *testing.T) {
	co := newCompany(t)
	var got []crm.EventType
	stop := co.Events.Subscribe(func(_ context.Context, es []crm.Event) {
		for _, e := range es {
			got = append(got, e.Type)
		}
	})
	co.Events.Subscribe(func(context.Context, []crm.Event) { panic("a broken subscriber") })
	c := co.customer(t, co.Ann, "Pied Piper")
	_, err := co.Customers.Update(ctx, co.Ben.ID, crm.CustomerPatch{Customer: c.ID, Name: ptr("x")})
	require.ErrorIs(t, err, crm.ErrNotFound, "Ben may not read Ann's customer")
	_, err = co.Customers.Archive(ctx, co.Ann.ID, crm.ArchiveCustomerRequest{Customer: c.ID})
	require.NoError(t, err, "a panicking subscriber does not fail a committed write")
	stop()
	_, err = co.Customers.Restore(ctx, co.Manager.ID, crm.RestoreCustomerRequest{Customer: c.ID})
	require.NoError(t, err)
	assert.Equal(t, []crm.EventType{crm.CustomerCreated, crm.CustomerArchived}, got,
		"only committed writes are told, and not after unsubscribing")
}

// flakyStore fails the first failures updates with err, then delegates.
type flakyStore struct {
	crm.Store
	failures int32
	err      error
	calls    atomic.Int32
}

func (f *flakyStore) Update(ctx context.Context, fn func(crm.Tx) error) error {
	if f.calls.Add(1) <= f.failures {
		return f.err
	}
	return f.Store.Update(ctx, fn)
}

func TestRetries(t *testing.T) {
	transient := errors.Join(crm.ErrTransient, errors.New("database is locked"))
	for _, tc := range []struct {
		name     string
		failures int32
		err      error
		ok       bool
		calls    int32
	}{
		{"conflict then success", 3, &crm.ConflictError{Kind: crm.KindCustomer}, true, 4},
		{"gives up after the bound", 100, &crm.ConflictError{Kind: crm.KindCustomer}, false, 5},
		{"transient failures are the store's to retry", 1, transient, false, 1},
		{"other errors are not retried", 1, errors.New("disk full"), false, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := &flakyStore{Store: memory.New()}
			co := newCompanyOn(t, fs, crm.WithRetries(4, 0))
			fs.failures, fs.err = tc.failures, tc.err
			fs.calls.Store(0)
			_, err := co.Customers.Create(ctx, co.Ann.ID, crm.NewCustomer{Kind: crm.Partner, Name: "Retry"})
			assert.Equal(t, tc.ok, err == nil, "err = %v", err)
			assert.Equal(t, tc.calls, fs.calls.Load())
		})
	}
	t.Run("a stale caller version is not retried", func(t *testing.T) {
		fs := &flakyStore{Store: memory.New()}
		co := newCompanyOn(t, fs, crm.WithRetries(4, 0))
		c := co.customer(t, co.Ann, "Stale")
		fs.calls.Store(0)
		_, err := co.Customers.Update(ctx, co.Ann.ID, crm.CustomerPatch{Customer: c.ID, Name: ptr("x"), IfVersion: 7})
		var ce *crm.ConflictError
		require.ErrorAs(t, err, &ce)
		assert.Equal(t, int64(7), ce.Expected)
		assert.Equal(t, int32(1), fs.calls.Load())
	})
}

func TestNewRejects(t *testing.T) {
	_, err := crm.New(nil)
	assert.ErrorIs(t, err, crm.ErrInvalid)
	_, err = crm.New(memory.New(), crm.WithRetries(-1, 0))
	assert.ErrorIs(t, err, crm.ErrInvalid)
}
