package sqlstore_test

import (
	"context"
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEventRoundTrip(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s, _ := b.newStore(t)
		subject := newID(t)
		// Data is kept byte for byte: spacing, key order, escapes and all.
		data := []string{
			"{ \"b\":1,\n  \"a\" : \"x\\u0027y\" }",
			`{"name":"Robert'); DROP TABLE crm_events; --","ü":"名字"}`,
			`[]`,
		}
		want := appendEvents(ctx, t, s, subject, data...)
		got := readEvents(ctx, t, s)
		require.Len(t, got, len(want))
		for i := range want {
			assert.Equal(t, data[i], string(got[i].Data))
			assert.True(t, want[i].Time.Equal(got[i].Time))
			assert.Equal(t, "UTC", got[i].Time.Location().String())
			assert.Equal(t, want[i], got[i])
		}
		require.NoError(t, crm.VerifyChain(crm.LogHead{}, got))

		var head crm.LogHead
		var bySubject []crm.Event
		require.NoError(t, s.View(ctx, func(tx crm.ReadTx) error {
			var err error
			if head, err = tx.Events().Head(ctx); err != nil {
				return err
			}
			bySubject, err = tx.Events().Subject(ctx, crm.KindCustomer, subject)
			return err
		}))
		assert.Equal(t, crm.LogHead{Seq: 3, Hash: want[2].Hash}, head)
		assert.Equal(t, want, bySubject)

		require.NoError(t, s.Update(ctx, func(tx crm.Tx) error {
			return tx.Events().Redact(ctx, want[1].ID, []byte(`{"name":"[erased]"}`))
		}))
		got = readEvents(ctx, t, s)
		assert.True(t, got[1].Redacted)
		assert.Equal(t, `{"name":"[erased]"}`, string(got[1].Data))
		redacted := want[1]
		redacted.Data, redacted.Redacted = got[1].Data, true
		assert.Equal(t, redacted, got[1], "redaction changes the data and the flag only")
		var ce *crm.ChainError
		assert.ErrorAs(t, crm.VerifyChain(crm.LogHead{}, got), &ce, "a redaction no erasure recorded does not verify")

		err := s.Update(ctx, func(tx crm.Tx) error { return tx.Events().Redact(ctx, newID(t), []byte(`{}`)) })
		assert.ErrorIs(t, err, crm.ErrNotFound)
	})
}

func TestAppendChecksTheHead(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s, _ := b.newStore(t)
		first := appendEvents(ctx, t, s, newID(t), `{}`)

		again := chain(t, crm.LogHead{}, newID(t), `{}`) // seq 1 again
		err := s.Update(ctx, func(tx crm.Tx) error { return tx.Events().Append(ctx, again) })
		var ce *crm.ConflictError
		require.ErrorAs(t, err, &ce)
		assert.Equal(t, int64(2), ce.Expected)
		assert.Equal(t, int64(1), ce.Actual)

		dup := chain(t, crm.LogHead{Seq: 1, Hash: first[0].Hash}, newID(t), `{}`)
		dup[0].ID = first[0].ID
		err = s.Update(ctx, func(tx crm.Tx) error { return tx.Events().Append(ctx, dup) })
		assert.ErrorIs(t, err, crm.ErrConflict, "an event ID is unique")

		// Events go in many to a statement: the conflict names the one
		// whose ID is taken, on SQLite.
		three := chain(t, crm.LogHead{Seq: 1, Hash: first[0].Hash}, newID(t), `{}`, `{}`, `{}`)
		three[1].ID = first[0].ID
		err = s.Update(ctx, func(tx crm.Tx) error { return tx.Events().Append(ctx, three) })
		require.ErrorAs(t, err, &ce)
		if b.dialect == sqliteBackend.dialect {
			assert.Equal(t, first[0].ID.String(), ce.ID)
		}

		assert.Len(t, readEvents(ctx, t, s), 1)
	})
}

func TestEventsAppendedInTheTransactionAreVisibleInIt(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s, _ := b.newStore(t)
		require.NoError(t, s.Update(ctx, func(tx crm.Tx) error {
			evs := chain(t, crm.LogHead{}, newID(t), `{"a":1}`, `{"a":2}`)
			if err := tx.Events().Append(ctx, evs); err != nil {
				return err
			}
			head, err := tx.Events().Head(ctx)
			require.NoError(t, err)
			assert.Equal(t, crm.LogHead{Seq: 2, Hash: evs[1].Hash}, head)
			require.NoError(t, tx.Events().Redact(ctx, evs[0].ID, []byte(`{}`)))
			after, err := tx.Events().After(ctx, 0, 10)
			require.NoError(t, err)
			require.Len(t, after, 2)
			assert.True(t, after[0].Redacted)
			return nil
		}))
	})
}
