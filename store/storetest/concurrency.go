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

func runConcurrency(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()

	t.Run("NoLostUpdateOnOneCustomer", func(t *testing.T) {
		s := newStore(t)
		tm := newTeam(t, s)
		// A second CRM on the same store stands for a second app server.
		other, err := crm.New(s, crm.WithClock(tm.clock), crm.WithRetries(64, 0))
		require.NoError(t, err)
		cu, err := tm.c.CreateCustomer(ctx, tm.ann.ID, crm.NewCustomer{Kind: crm.Distributor, Name: "Contended"})
		require.NoError(t, err)

		const workers, each = 8, 4
		var wg sync.WaitGroup
		errs := make(chan error, workers*each)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := tm.c
				if w%2 == 1 {
					c = other
				}
				for i := range each {
					tag := fmt.Sprintf("w%d-%d", w, i)
					_, err := c.UpdateCustomer(ctx, tm.ann.ID, cu.ID, crm.CustomerPatch{AddTags: []string{tag}})
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		got, err := tm.c.Customer(ctx, tm.ann.ID, cu.ID)
		require.NoError(t, err)
		assert.Len(t, got.Tags, workers*each, "every goroutine's tag is there")
		assert.Equal(t, int64(1+workers*each), got.Version)

		hist, err := tm.c.History(ctx, tm.ann.ID, cu.ID)
		require.NoError(t, err)
		assert.Len(t, hist, 1+workers*each)
		for i, e := range hist {
			assert.Equal(t, int64(i+1), e.Version, "one event per version, in order")
		}
		_, err = tm.c.VerifyLog(ctx)
		require.NoError(t, err)
	})

	t.Run("ConcurrentWritersKeepTheChain", func(t *testing.T) {
		s := newStore(t)
		tm := newTeam(t, s)
		const workers, each = 6, 5
		var wg sync.WaitGroup
		errs := make(chan error, workers*each)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				owner := []crm.User{tm.ann, tm.ben, tm.sue}[w%3]
				for i := range each {
					_, err := tm.c.CreateCustomer(ctx, owner.ID, crm.NewCustomer{Kind: crm.Partner, Name: fmt.Sprintf("C%d-%d", w, i)})
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		h, err := tm.c.VerifyLog(ctx)
		require.NoError(t, err)
		assert.Equal(t, int64(5+workers*each), h.Seq, "one event per write, no gaps")
		n := 0
		for _, err := range tm.c.Customers(ctx, tm.admin.ID, crm.CustomerFilter{}) {
			require.NoError(t, err)
			n++
		}
		assert.Equal(t, workers*each, n)
	})
}
