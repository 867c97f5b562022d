package storetest

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Team is a small company on a fresh store, for tests of code built on
// the CRM: an admin, a manager and two reps of team north, and a rep of
// team south. Its clock is a ManualClock at a fixed date and its IDs come
// from a seeded source, so a test that uses it is deterministic.
type Team struct {
	*crm.CRM
	Store                    crm.Store
	Clock                    *crm.ManualClock
	Admin, Manager, Ann, Ben crm.User
	Sue                      crm.User
}

// NewTeam bootstraps a Team on an empty store; opts are passed to
// crm.New after the Team's own (clock, random source, generous retries),
// so they can override them.
func NewTeam(t testing.TB, s crm.Store, opts ...crm.Option) *Team {
	t.Helper()
	ctx := context.Background()
	clock := crm.NewManualClock(epoch)
	opts = append([]crm.Option{crm.WithClock(clock), crm.WithRandom(rand.NewChaCha8([32]byte{1})), crm.WithRetries(64, time.Millisecond)}, opts...)
	c, err := crm.New(s, opts...)
	require.NoError(t, err)
	tm := &Team{CRM: c, Store: s, Clock: clock}
	tm.Admin, err = c.Users.Bootstrap(ctx, crm.NewUser{Name: "Ada Admin", Email: "ada@example.com"})
	require.NoError(t, err)
	mk := func(name string, role crm.Role, team string) crm.User {
		u, err := c.Users.Create(ctx, tm.Admin.ID, crm.NewUser{Name: name, Role: role, Team: team})
		require.NoError(t, err)
		return u
	}
	tm.Manager = mk("Max Manager", crm.RoleManager, "north")
	tm.Ann = mk("Ann Rep", crm.RoleRep, "north")
	tm.Ben = mk("Ben Rep", crm.RoleRep, "north")
	tm.Sue = mk("Sue Rep", crm.RoleRep, "south")
	return tm
}

func runCRM(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()

	t.Run("DepartedRepAndReassignment", func(t *testing.T) {
		tm := NewTeam(t, newStore(t))
		c := tm
		a1, err := c.Customers.Create(ctx, tm.Ann.ID, crm.NewCustomer{Kind: crm.Distributor, Name: "Northwind"})
		require.NoError(t, err)
		a2, err := c.Customers.Create(ctx, tm.Ann.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: "Jane Roe", Tags: []string{"vip"}})
		require.NoError(t, err)
		_, err = c.Customers.Archive(ctx, tm.Ann.ID, crm.ArchiveCustomerRequest{Customer: a2.ID, Reason: "moved abroad"})
		require.NoError(t, err)

		_, err = c.Customers.Update(ctx, tm.Ben.ID, crm.CustomerPatch{Customer: a1.ID, Segment: ptr("smb")})
		assert.ErrorIs(t, err, crm.ErrNotFound, "a rep may not touch another rep's customer, nor learn it is there")

		_, err = c.Users.Deactivate(ctx, tm.Admin.ID, crm.DeactivateUserRequest{User: tm.Ann.ID, Reason: "left the company"})
		require.NoError(t, err)
		_, err = c.Customers.Update(ctx, tm.Ann.ID, crm.CustomerPatch{Customer: a1.ID, Name: ptr("Mine now")})
		var fe *crm.ForbiddenError
		require.ErrorAs(t, err, &fe)
		assert.Equal(t, "user is deactivated", fe.Reason)
		_, err = c.Customers.Archive(ctx, tm.Ann.ID, crm.ArchiveCustomerRequest{Customer: a1.ID, Reason: "taking it with me"})
		assert.ErrorIs(t, err, crm.ErrForbidden)
		_, err = c.Customers.Get(ctx, tm.Ann.ID, a1.ID)
		assert.ErrorIs(t, err, crm.ErrForbidden, "a departed rep cannot read either")

		_, err = c.Customers.HandOver(ctx, tm.Manager.ID, crm.HandOverRequest{From: tm.Ann.ID, To: tm.Sue.ID, Reason: "handover"})
		assert.ErrorIs(t, err, crm.ErrForbidden, "a manager may not move customers out of the team")
		_, err = c.Customers.Reassign(ctx, tm.Manager.ID, crm.ReassignCustomerRequest{Customer: a1.ID, To: tm.Ann.ID})
		assert.ErrorIs(t, err, crm.ErrInvalid, "nobody can be given to a departed rep")

		n, err := c.Customers.HandOver(ctx, tm.Manager.ID, crm.HandOverRequest{From: tm.Ann.ID, To: tm.Ben.ID, Reason: "Ann left"})
		require.NoError(t, err)
		assert.Equal(t, 2, n.Moved.Customers, "archived customers move too")
		for _, id := range []crm.ID{a1.ID, a2.ID} {
			got, err := c.Customers.Get(ctx, tm.Ben.ID, id)
			require.NoError(t, err)
			assert.Equal(t, tm.Ben.ID, got.Owner)
		}

		hist, err := c.Customers.History(ctx, tm.Manager.ID, a2.ID)
		require.NoError(t, err)
		assert.Equal(t, []crm.EventType{crm.CustomerCreated, crm.CustomerArchived, crm.CustomerReassigned}, types(hist))
		assert.Equal(t, tm.Manager.ID, hist[2].Actor)

		_, err = c.Events.Verify(ctx)
		require.NoError(t, err)
	})

	t.Run("StaleVersionIsNotRetried", func(t *testing.T) {
		tm := NewTeam(t, newStore(t))
		cu, err := tm.Customers.Create(ctx, tm.Ann.ID, crm.NewCustomer{Kind: crm.Partner, Name: "Initech"})
		require.NoError(t, err)
		_, err = tm.Customers.Update(ctx, tm.Ann.ID, crm.CustomerPatch{Customer: cu.ID, Segment: ptr("a"), IfVersion: 1})
		require.NoError(t, err)
		_, err = tm.Customers.Update(ctx, tm.Ann.ID, crm.CustomerPatch{Customer: cu.ID, Segment: ptr("b"), IfVersion: 1})
		var ce *crm.ConflictError
		require.ErrorAs(t, err, &ce)
		assert.Equal(t, int64(1), ce.Expected)
		assert.Equal(t, int64(2), ce.Actual)
		got, err := tm.Customers.Get(ctx, tm.Ann.ID, cu.ID)
		require.NoError(t, err)
		assert.Equal(t, "a", got.Segment)
	})

	t.Run("ErasureKeepsTheChain", func(t *testing.T) {
		tm := NewTeam(t, newStore(t))
		c := tm
		cu, err := c.Customers.Create(ctx, tm.Ann.ID, crm.NewCustomer{
			Kind: crm.EndCustomer, Name: "Jane Roe",
			Contacts:   []crm.Contact{{Name: "Jane Roe", Email: "jane@example.com"}},
			Attributes: map[string]string{"birthday": "1990-01-01"},
		})
		require.NoError(t, err)
		_, err = c.Customers.Update(ctx, tm.Ann.ID, crm.CustomerPatch{Customer: cu.ID, Name: ptr("Jane Doe")})
		require.NoError(t, err)

		_, err = c.Customers.Erase(ctx, tm.Manager.ID, crm.ErasureRequest{Customer: cu.ID, Reason: "GDPR art. 17"})
		assert.ErrorIs(t, err, crm.ErrForbidden)

		rep, err := c.Customers.Erase(ctx, tm.Admin.ID, crm.ErasureRequest{Customer: cu.ID, Reason: "GDPR art. 17 request"})
		require.NoError(t, err)
		assert.Equal(t, []string{"name", "contacts." + cu.Contacts[0].ID.String(), "attributes.birthday"}, rep.Fields)
		assert.Len(t, rep.RedactedEvents, 2)

		got, err := c.Customers.Get(ctx, tm.Admin.ID, cu.ID)
		require.NoError(t, err)
		assert.Equal(t, crm.ErasedValue, got.Name)
		assert.Empty(t, got.Contacts)
		assert.Empty(t, got.Attributes)

		all, err := c.Events.FeedPage(ctx, 0, 1000)
		require.NoError(t, err)
		for _, e := range all {
			for _, secret := range []string{"Jane", "jane@example.com", "1990-01-01"} {
				assert.NotContains(t, string(e.Data), secret, "event %d keeps erased data", e.Seq)
			}
		}
		_, err = c.Events.Verify(ctx)
		require.NoError(t, err, "redacted events still verify")
	})

	t.Run("LogCursor", func(t *testing.T) {
		tm := NewTeam(t, newStore(t))
		for i := range 7 {
			_, err := tm.Customers.Create(ctx, tm.Ann.ID, crm.NewCustomer{Kind: crm.Partner, Name: "P" + string(rune('A'+i))})
			require.NoError(t, err)
		}
		var cursor int64
		var seen []int64
		for {
			page, err := tm.Events.FeedPage(ctx, cursor, 3)
			require.NoError(t, err)
			if len(page) == 0 {
				break
			}
			for _, e := range page {
				seen = append(seen, e.Seq)
			}
			cursor = page[len(page)-1].Seq
		}
		// 5 users and 7 customers.
		require.Len(t, seen, 12)
		for i, s := range seen {
			assert.Equal(t, int64(i+1), s)
		}
		h, err := tm.Events.Verify(ctx)
		require.NoError(t, err)
		assert.Equal(t, int64(12), h.Seq)
	})
}

func types(es []crm.Event) []crm.EventType {
	out := make([]crm.EventType, len(es))
	for i, e := range es {
		out[i] = e.Type
	}
	return out
}

func ptr[T any](v T) *T { return &v }
