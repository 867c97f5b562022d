package memory_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/memory"
	"github.com/crmkit/crm/store/storetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(*testing.T) crm.Store { return memory.New() })
}

// TestErasureLeavesNothing scans every value the memory store holds after
// an erasure (storetest.RunErasureScan).
func TestErasureLeavesNothing(t *testing.T) {
	storetest.RunErasureScan(t, func(*testing.T) crm.Store { return memory.New() },
		func(_ *testing.T, s crm.Store) []storetest.HeldText { return storetest.TextsOf(s) })
}

// TestTransactionsStartEmpty: a transaction reuses the room of the one
// before, which must leave nothing of itself in it, committed or not.
func TestTransactionsStartEmpty(t *testing.T) {
	ctx := context.Background()
	s := memory.New()
	at := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	customer := func(id byte) crm.Customer {
		return crm.Customer{ID: crm.ID{id}, Kind: crm.Partner, Name: "Northwind", Owner: crm.ID{9}, Status: crm.StatusActive,
			Lifecycle: crm.LifecycleLead, CreatedAt: at, UpdatedAt: at, Version: 1}
	}
	failed := errors.New("refused")
	err := s.Update(ctx, func(tx crm.Tx) error {
		require.NoError(t, tx.Customers().Insert(ctx, customer(1)))
		return failed
	})
	require.ErrorIs(t, err, failed)
	require.NoError(t, s.Update(ctx, func(tx crm.Tx) error {
		_, err := tx.Customers().Get(ctx, crm.ID{1})
		require.ErrorIs(t, err, crm.ErrNotFound, "the failed transaction's write is gone")
		return tx.Customers().Insert(ctx, customer(2))
	}))
	err = s.Update(ctx, func(tx crm.Tx) error {
		c, err := tx.Customers().Get(ctx, crm.ID{2})
		require.NoError(t, err)
		c.Name, c.Version = "Southwind", 2
		require.NoError(t, tx.Customers().Update(ctx, c))
		return failed
	})
	require.ErrorIs(t, err, failed)
	for range 2 {
		require.NoError(t, s.View(ctx, func(tx crm.ReadTx) error {
			_, err := tx.Customers().Get(ctx, crm.ID{1})
			require.ErrorIs(t, err, crm.ErrNotFound)
			c, err := tx.Customers().Get(ctx, crm.ID{2})
			require.NoError(t, err)
			assert.Equal(t, "Northwind", c.Name, "the failed update is gone")
			assert.Equal(t, int64(1), c.Version)
			return nil
		}))
	}
}
