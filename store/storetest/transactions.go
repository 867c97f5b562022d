package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func runTransactions(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	errBoom := errors.New("boom")

	// writeAll writes one of everything: a user, a customer, an update of
	// an existing customer and an event.
	writeAll := func(tx crm.Tx, g *ids, existing crm.Customer) error {
		if err := tx.Users().Insert(ctx, sampleUser(g.next(), crm.RoleRep, "")); err != nil {
			return err
		}
		if err := tx.Customers().Insert(ctx, sampleCustomer(g.next(), g.next())); err != nil {
			return err
		}
		existing.Name, existing.Version = "Changed", existing.Version+1
		if err := tx.Customers().Update(ctx, existing); err != nil {
			return err
		}
		h, err := tx.Events().Head(ctx)
		if err != nil {
			return err
		}
		return tx.Events().Append(ctx, []crm.Event{event(h, g.next(), existing.ID, `{}`)})
	}

	assertUntouched := func(t *testing.T, s crm.Store, existing crm.Customer) {
		t.Helper()
		got, err := getCustomer(t, s, existing.ID)
		require.NoError(t, err)
		assert.Equal(t, "Acme", got.Name)
		assert.Equal(t, int64(1), got.Version)
		assert.Len(t, listCustomers(t, s, crm.CustomerFilter{}, crm.PageRequest{}), 1)
		var users []crm.User
		view(t, s, func(tx crm.ReadTx) error {
			var err error
			users, err = tx.Users().List(ctx, crm.UserFilter{}, crm.PageRequest{})
			return err
		})
		assert.Empty(t, users)
		assert.Equal(t, crm.LogHead{}, head(t, s))
	}

	setup := func(t *testing.T) (crm.Store, *ids, crm.Customer) {
		s, g := newStore(t), &ids{}
		c := sampleCustomer(g.next(), g.next())
		insertCustomers(t, s, c)
		return s, g, c
	}

	t.Run("ErrorRollsBack", func(t *testing.T) {
		s, g, c := setup(t)
		err := s.Update(ctx, func(tx crm.Tx) error {
			if err := writeAll(tx, g, c); err != nil {
				return err
			}
			return errBoom
		})
		assert.ErrorIs(t, err, errBoom, "the closure's error comes back")
		assertUntouched(t, s, c)
	})

	t.Run("PanicRollsBack", func(t *testing.T) {
		s, g, c := setup(t)
		func() {
			defer func() { assert.Equal(t, "boom", recover(), "the panic goes on to the caller") }()
			_ = s.Update(ctx, func(tx crm.Tx) error {
				if err := writeAll(tx, g, c); err != nil {
					return err
				}
				panic("boom")
			})
		}()
		assertUntouched(t, s, c)
		// The store still works after a panic.
		update(t, s, func(tx crm.Tx) error { return writeAll(tx, g, c) })
	})

	t.Run("CancelledContextWritesNothing", func(t *testing.T) {
		s, g, c := setup(t)
		cctx, cancel := context.WithCancel(ctx)
		err := s.Update(cctx, func(tx crm.Tx) error {
			if err := writeAll(tx, g, c); err != nil {
				return err
			}
			cancel()
			return nil
		})
		assert.Error(t, err)
		assertUntouched(t, s, c)
	})

	t.Run("ReadsOwnWrites", func(t *testing.T) {
		s, g, c := setup(t)
		update(t, s, func(tx crm.Tx) error {
			n := sampleCustomer(g.next(), g.next())
			require.NoError(t, tx.Customers().Insert(ctx, n))
			got, err := tx.Customers().Get(ctx, n.ID)
			require.NoError(t, err)
			assert.Equal(t, n.ID, got.ID)
			list, err := tx.Customers().List(ctx, crm.CustomerFilter{}, crm.PageRequest{})
			require.NoError(t, err)
			assert.Equal(t, []crm.ID{c.ID, n.ID}, customerIDs(list))
			h, err := tx.Events().Head(ctx)
			require.NoError(t, err)
			e := event(h, g.next(), n.ID, `{}`)
			require.NoError(t, tx.Events().Append(ctx, []crm.Event{e}))
			h2, err := tx.Events().Head(ctx)
			require.NoError(t, err)
			assert.Equal(t, crm.LogHead{Seq: 1, Hash: e.Hash}, h2)
			return nil
		})
	})

	t.Run("ViewErrorComesBack", func(t *testing.T) {
		s := newStore(t)
		err := s.View(ctx, func(crm.ReadTx) error { return errBoom })
		assert.ErrorIs(t, err, errBoom)
	})
}
