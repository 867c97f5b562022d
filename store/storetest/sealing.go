package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runSealing checks a store that seals the log after commit
// (crm.LogSealer): unsealed events wait, readable by their subject, until
// a seal chains them once each, in the order they were appended; a
// redaction reaches them before and after; concurrent writers and sealers
// lose and repeat nothing. Stores that chain in the write skip it.
func runSealing(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	sealer := func(t *testing.T) (crm.Store, crm.LogSealer) {
		s := newStore(t)
		ls, ok := s.(crm.LogSealer)
		if !ok || !ls.SealsLog() {
			t.Skip("the store chains the log in the write")
		}
		return s, ls
	}
	unsealed := func(g *ids, subject crm.ID, data ...string) []crm.Event {
		out := make([]crm.Event, len(data))
		for i, d := range data {
			out[i] = event(crm.LogHead{Seq: -1}, g.next(), subject, d) // Seq 0, hashes to be set by the seal
			out[i].PrevHash, out[i].Hash = crm.Hash{}, crm.Hash{}
		}
		return out
	}
	chain := func(head crm.LogHead, events []crm.Event) {
		for i := range events {
			e := &events[i]
			e.Seq, e.PrevHash = head.Seq+1, head.Hash
			e.Hash = e.ComputeHash()
			head = crm.LogHead{Seq: e.Seq, Hash: e.Hash}
		}
	}

	t.Run("WaitForTheirPlace", func(t *testing.T) {
		s, ls := sealer(t)
		g := &ids{}
		subject := g.next()
		first, second := unsealed(g, subject, `{"n":1}`, `{"n":2}`), unsealed(g, subject, `{"n":3}`)
		update(t, s, func(tx crm.Tx) error { return tx.Events().Append(ctx, first) })
		update(t, s, func(tx crm.Tx) error { return tx.Events().Append(ctx, second) })
		assert.Empty(t, readEvents(t, s, 0, 10), "nothing has a place before a seal")
		var waiting []crm.Event
		view(t, s, func(tx crm.ReadTx) error {
			var err error
			waiting, err = tx.Events().Subject(ctx, crm.KindCustomer, subject)
			return err
		})
		require.Len(t, waiting, 3, "a subject's unsealed events are read with it")
		for i, e := range waiting {
			assert.Zero(t, e.Seq)
			assert.Equal(t, append(first, second...)[i].ID, e.ID, "in the order they were appended")
		}

		head, sealed, err := ls.Seal(ctx, true, 2, chain)
		require.NoError(t, err)
		assert.Equal(t, 2, sealed, "no more than the limit")
		assert.Equal(t, int64(2), head.Seq)
		head, sealed, err = ls.Seal(ctx, true, 10, chain)
		require.NoError(t, err)
		assert.Equal(t, 1, sealed)
		got := readEvents(t, s, 0, 10)
		require.Len(t, got, 3)
		assert.Equal(t, crm.LogHead{Seq: 3, Hash: got[2].Hash}, head)
		require.NoError(t, crm.VerifyChain(crm.LogHead{}, got))
		for i, e := range got {
			assert.Equal(t, append(first, second...)[i].ID, e.ID)
		}
		_, sealed, err = ls.Seal(ctx, false, 10, chain)
		require.NoError(t, err)
		assert.Zero(t, sealed, "each event is sealed once")
	})

	t.Run("RedactBeforeAndAfter", func(t *testing.T) {
		s, ls := sealer(t)
		g := &ids{}
		evs := unsealed(g, g.next(), `{"name":"Jane"}`, `{"name":"John"}`)
		update(t, s, func(tx crm.Tx) error { return tx.Events().Append(ctx, evs) })
		update(t, s, func(tx crm.Tx) error { return tx.Events().Redact(ctx, evs[0].ID, []byte(`{"name":"[erased]"}`)) })
		_, _, err := ls.Seal(ctx, true, 10, chain)
		require.NoError(t, err)
		update(t, s, func(tx crm.Tx) error { return tx.Events().Redact(ctx, evs[1].ID, []byte(`{"name":"[erased]"}`)) })
		got := readEvents(t, s, 0, 10)
		require.Len(t, got, 2)
		for i, e := range got {
			assert.True(t, e.Redacted, "event %d", i)
			assert.JSONEq(t, `{"name":"[erased]"}`, string(e.Data))
			assert.Equal(t, evs[i].DataHash, e.DataHash, "the digest of the original stays")
		}
	})

	t.Run("ConcurrentWritersAndSealers", func(t *testing.T) {
		s, ls := sealer(t)
		const writers, each = 8, 12
		var wg sync.WaitGroup
		appended := make([][]crm.ID, writers)
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				g := &ids{n: uint64(w+1) << 32}
				for i := range each {
					evs := unsealed(g, g.next(), fmt.Sprintf(`{"w":%d,"i":%d}`, w, i))
					if !assert.NoError(t, s.Update(ctx, func(tx crm.Tx) error { return tx.Events().Append(ctx, evs) })) {
						return
					}
					appended[w] = append(appended[w], evs[0].ID)
					_, _, err := ls.Seal(ctx, i%3 == 0, 5, chain)
					assert.NoError(t, err)
				}
			}()
		}
		wg.Wait()
		for {
			_, sealed, err := ls.Seal(ctx, true, 1000, chain)
			require.NoError(t, err)
			if sealed == 0 {
				break
			}
		}
		got := readEvents(t, s, 0, writers*each+10)
		require.Len(t, got, writers*each, "every event sealed once")
		require.NoError(t, crm.VerifyChain(crm.LogHead{}, got))
		place := map[crm.ID]int64{}
		for _, e := range got {
			place[e.ID] = e.Seq
		}
		for w, ids := range appended {
			for i := 1; i < len(ids); i++ {
				assert.Less(t, place[ids[i-1]], place[ids[i]], "writer %d's events keep their order", w)
			}
		}
	})
}
