package crm_test

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/memory"
	"github.com/stretchr/testify/require"
)

var ctx = context.Background()

var start = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// company is a CRM on a memory store with a deterministic clock and IDs,
// an admin, a manager and two reps in team north, and a rep in south.
type company struct {
	*crm.CRM
	store                     *memory.Store
	clock                     *crm.ManualClock
	admin, max, ann, ben, sue crm.User
}

func newCompany(t testing.TB, opts ...crm.Option) *company {
	t.Helper()
	return newCompanyOn(t, memory.New(), opts...)
}

func newCompanyOn(t testing.TB, s crm.Store, opts ...crm.Option) *company {
	t.Helper()
	clock := crm.NewManualClock(start)
	opts = append([]crm.Option{crm.WithClock(clock), crm.WithRandom(rand.NewChaCha8([32]byte{42}))}, opts...)
	c, err := crm.New(s, opts...)
	require.NoError(t, err)
	co := &company{CRM: c, clock: clock}
	co.store, _ = s.(*memory.Store)
	co.admin, err = c.Bootstrap(ctx, crm.NewUser{Name: "Ada Admin", Email: "ada@example.com"})
	require.NoError(t, err)
	mk := func(name string, role crm.Role, team string) crm.User {
		u, err := c.CreateUser(ctx, co.admin.ID, crm.NewUser{Name: name, Role: role, Team: team})
		require.NoError(t, err)
		return u
	}
	co.max = mk("Max Manager", crm.RoleManager, "north")
	co.ann = mk("Ann Rep", crm.RoleRep, "north")
	co.ben = mk("Ben Rep", crm.RoleRep, "north")
	co.sue = mk("Sue Rep", crm.RoleRep, "south")
	return co
}

func (co *company) head(t testing.TB) crm.LogHead {
	t.Helper()
	h, err := co.VerifyLog(ctx)
	require.NoError(t, err)
	return h
}

func (co *company) customer(t testing.TB, owner crm.User, name string) crm.Customer {
	t.Helper()
	c, err := co.CreateCustomer(ctx, owner.ID, crm.NewCustomer{Kind: crm.Distributor, Name: name})
	require.NoError(t, err)
	return c
}

func ptr[T any](v T) *T { return &v }
