package storetest

import (
	"context"
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func readEvents(t *testing.T, s crm.Store, after int64, limit int) []crm.Event {
	t.Helper()
	var out []crm.Event
	view(t, s, func(tx crm.ReadTx) error {
		var err error
		out, err = tx.Events().After(context.Background(), after, limit)
		return err
	})
	return out
}

func head(t *testing.T, s crm.Store) crm.LogHead {
	t.Helper()
	var h crm.LogHead
	view(t, s, func(tx crm.ReadTx) error {
		var err error
		h, err = tx.Events().Head(context.Background())
		return err
	})
	return h
}

func runEvents(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()

	t.Run("EmptyLog", func(t *testing.T) {
		s := newStore(t)
		assert.Equal(t, crm.LogHead{}, head(t, s))
		assert.Empty(t, readEvents(t, s, 0, 10))
	})

	t.Run("AppendReadBack", func(t *testing.T) {
		s, g := newStore(t), &ids{}
		subj, other := g.next(), g.next()
		first := appendEvents(t, s, g, subj, `{"changes":[{"field":"name","to":"A"}]}`, `{"x":"it's \"quoted\""}`)
		second := appendEvents(t, s, g, other, `{}`)
		third := appendEvents(t, s, g, subj, `{"reason":"ünïcødé"}`)
		want := append(append(append([]crm.Event(nil), first...), second...), third...)

		got := readEvents(t, s, 0, 100)
		require.Len(t, got, 4)
		for i := range want {
			assertSameEvent(t, want[i], got[i])
		}
		require.NoError(t, crm.VerifyChain(crm.LogHead{}, got))
		assert.Equal(t, crm.LogHead{Seq: 4, Hash: third[0].Hash}, head(t, s))

		assert.Equal(t, []int64{3, 4}, seqs(readEvents(t, s, 2, 100)))
		assert.Equal(t, []int64{2}, seqs(readEvents(t, s, 1, 1)))
		assert.Empty(t, readEvents(t, s, 4, 100))

		var bySubject []crm.Event
		view(t, s, func(tx crm.ReadTx) error {
			var err error
			bySubject, err = tx.Events().Subject(ctx, crm.KindCustomer, subj)
			return err
		})
		assert.Equal(t, []int64{1, 2, 4}, seqs(bySubject))
	})

	t.Run("AppendMustContinueHead", func(t *testing.T) {
		s, g := newStore(t), &ids{}
		appendEvents(t, s, g, g.next(), `{}`)
		gap := event(crm.LogHead{Seq: 5}, g.next(), g.next(), `{}`)
		err := s.Update(ctx, func(tx crm.Tx) error { return tx.Events().Append(ctx, []crm.Event{gap}) })
		assert.ErrorIs(t, err, crm.ErrConflict)
		again := event(crm.LogHead{}, g.next(), g.next(), `{}`) // seq 1 again
		err = s.Update(ctx, func(tx crm.Tx) error { return tx.Events().Append(ctx, []crm.Event{again}) })
		assert.ErrorIs(t, err, crm.ErrConflict)
		assert.Equal(t, int64(1), head(t, s).Seq)
	})

	t.Run("Redact", func(t *testing.T) {
		s, g := newStore(t), &ids{}
		evs := appendEvents(t, s, g, g.next(), `{"name":"Jane"}`, `{"name":"John"}`)
		update(t, s, func(tx crm.Tx) error { return tx.Events().Redact(ctx, evs[0].ID, []byte(`{"name":"[erased]"}`)) })
		got := readEvents(t, s, 0, 10)
		require.Len(t, got, 2)
		assert.True(t, got[0].Redacted)
		assert.JSONEq(t, `{"name":"[erased]"}`, string(got[0].Data))
		assert.Equal(t, evs[0].DataHash, got[0].DataHash, "the digest of the original stays")
		assert.Equal(t, evs[0].Hash, got[0].Hash)
		assert.False(t, got[1].Redacted)
		var ce *crm.ChainError
		require.ErrorAs(t, crm.VerifyChain(crm.LogHead{}, got), &ce, "a redaction no erasure recorded does not verify")
		assert.Equal(t, int64(1), ce.Seq)

		err := s.Update(ctx, func(tx crm.Tx) error { return tx.Events().Redact(ctx, g.next(), []byte(`{}`)) })
		assert.ErrorIs(t, err, crm.ErrNotFound)
	})
}

func seqs(es []crm.Event) []int64 {
	out := make([]int64, len(es))
	for i, e := range es {
		out[i] = e.Seq
	}
	return out
}

func assertSameEvent(t *testing.T, want, got crm.Event) {
	t.Helper()
	assert.True(t, want.Time.Equal(got.Time), "time %v != %v", want.Time, got.Time)
	assert.Equal(t, "UTC", got.Time.Location().String())
	want.Time = got.Time
	assert.Equal(t, string(want.Data), string(got.Data), "data bytes are kept exactly")
	want.Data = got.Data
	assert.Equal(t, want, got)
}
