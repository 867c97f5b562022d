package storetest

import (
	"context"
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func getUser(t *testing.T, s crm.Store, id crm.ID) (crm.User, error) {
	t.Helper()
	var u crm.User
	err := s.View(context.Background(), func(tx crm.ReadTx) error {
		var err error
		u, err = tx.Users().Get(context.Background(), id)
		return err
	})
	return u, err
}

func runUsers(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()

	t.Run("RoundTrip", func(t *testing.T) {
		s, g := newStore(t), &ids{}
		u := sampleUser(g.next(), crm.RoleManager, "north")
		u.Name = `Zoë "Z" O'Neil`
		insertUsers(t, s, u)
		got, err := getUser(t, s, u.ID)
		require.NoError(t, err)
		assert.True(t, u.CreatedAt.Equal(got.CreatedAt))
		u.CreatedAt, u.UpdatedAt = got.CreatedAt, got.UpdatedAt
		assert.Equal(t, u, got)
	})

	t.Run("DeactivateAndStale", func(t *testing.T) {
		s, g := newStore(t), &ids{}
		u := sampleUser(g.next(), crm.RoleRep, "north")
		insertUsers(t, s, u)
		off := u
		off.Active, off.DeactivatedAt, off.Version = false, ts(30), 2
		update(t, s, func(tx crm.Tx) error { return tx.Users().Update(ctx, off) })
		got, err := getUser(t, s, u.ID)
		require.NoError(t, err)
		assert.False(t, got.Active)
		assert.True(t, got.DeactivatedAt.Equal(ts(30)))

		err = s.Update(ctx, func(tx crm.Tx) error { return tx.Users().Update(ctx, off) })
		assert.True(t, isConflict(err), "writing version 2 again is stale: %v", err)
	})

	t.Run("UnknownAndDuplicate", func(t *testing.T) {
		s, g := newStore(t), &ids{}
		u := sampleUser(g.next(), crm.RoleRep, "")
		_, err := getUser(t, s, u.ID)
		assert.ErrorIs(t, err, crm.ErrNotFound)
		insertUsers(t, s, u)
		err = s.Update(ctx, func(tx crm.Tx) error { return tx.Users().Insert(ctx, u) })
		assert.ErrorIs(t, err, crm.ErrConflict)
	})

	t.Run("ListFilters", func(t *testing.T) {
		s, g := newStore(t), &ids{}
		a := sampleUser(g.next(), crm.RoleAdmin, "")
		m := sampleUser(g.next(), crm.RoleManager, "north")
		r1 := sampleUser(g.next(), crm.RoleRep, "north")
		r2 := sampleUser(g.next(), crm.RoleRep, "south")
		r2.Active = false
		insertUsers(t, s, a, m, r1, r2)
		inactive, active := false, true
		for _, tc := range []struct {
			name string
			f    crm.UserFilter
			want []crm.ID
		}{
			{"all", crm.UserFilter{}, []crm.ID{a.ID, m.ID, r1.ID, r2.ID}},
			{"reps", crm.UserFilter{Role: crm.RoleRep}, []crm.ID{r1.ID, r2.ID}},
			{"north", crm.UserFilter{Team: "north"}, []crm.ID{m.ID, r1.ID}},
			{"inactive", crm.UserFilter{Active: &inactive}, []crm.ID{r2.ID}},
			{"active reps", crm.UserFilter{Role: crm.RoleRep, Active: &active}, []crm.ID{r1.ID}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var got []crm.ID
				view(t, s, func(tx crm.ReadTx) error {
					us, err := tx.Users().List(ctx, tc.f, crm.PageRequest{})
					for _, u := range us {
						got = append(got, u.ID)
					}
					return err
				})
				assert.Equal(t, tc.want, got)
			})
		}
	})
}
