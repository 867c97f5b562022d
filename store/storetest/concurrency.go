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

// parallel runs op(w, i) for each of workers goroutines w and each i below
// each, and fails the test on any error.
func parallel(t *testing.T, workers, each int, op func(w, i int) error) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				errs <- op(w, i)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}

func runConcurrency(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()

	t.Run("NoLostUpdateOnOneCustomer", func(t *testing.T) {
		s := newStore(t)
		tm := NewTeam(t, s)
		// A second CRM on the same store stands for a second app server.
		other, err := crm.New(s, crm.WithClock(tm.Clock), crm.WithRetries(64, 0))
		require.NoError(t, err)
		cu, err := tm.Customers.Create(ctx, tm.Ann.ID, crm.NewCustomer{Kind: crm.Distributor, Name: "Contended"})
		require.NoError(t, err)

		const workers, each = 8, 4
		parallel(t, workers, each, func(w, i int) error {
			c := []*crm.CRM{tm.CRM, other}[w%2]
			_, err := c.Customers.Update(ctx, tm.Ann.ID, crm.CustomerPatch{Customer: cu.ID, AddTags: []string{fmt.Sprintf("w%d-%d", w, i)}})
			return err
		})
		got, err := tm.Customers.Get(ctx, tm.Ann.ID, cu.ID)
		require.NoError(t, err)
		assert.Len(t, got.Tags, workers*each, "every goroutine's tag is there")
		assert.Equal(t, int64(1+workers*each), got.Version)

		hist, err := tm.Customers.History(ctx, tm.Ann.ID, cu.ID)
		require.NoError(t, err)
		assert.Len(t, hist, 1+workers*each)
		for i, e := range hist {
			assert.Equal(t, int64(i+1), e.Version, "one event per version, in order")
		}
		_, err = tm.Events.Verify(ctx)
		require.NoError(t, err)
	})

	t.Run("ConcurrentWritersKeepTheChain", func(t *testing.T) {
		tm := NewTeam(t, newStore(t))
		const workers, each = 6, 5
		parallel(t, workers, each, func(w, i int) error {
			owner := []crm.User{tm.Ann, tm.Ben, tm.Sue}[w%3]
			_, err := tm.Customers.Create(ctx, owner.ID, crm.NewCustomer{Kind: crm.Partner, Name: fmt.Sprintf("C%d-%d", w, i)})
			return err
		})
		h, err := tm.Events.Verify(ctx)
		require.NoError(t, err)
		assert.Equal(t, int64(5+workers*each), h.Seq, "one event per write, no gaps")
		n := 0
		for _, err := range tm.Customers.List(ctx, tm.Admin.ID, crm.CustomerFilter{}) {
			require.NoError(t, err)
			n++
		}
		assert.Equal(t, workers*each, n)
	})
}
