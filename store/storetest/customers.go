package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func runCustomers(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()

	t.Run("RoundTripsEveryField", func(t *testing.T) {
		s, g := newStore(t), &ids{}
		c := sampleCustomer(g.next(), g.next())
		c.Kind = crm.EndCustomer
		c.Name = `Robert'); DROP TABLE customers; -- "Bobby" Ünïcødé 名字`
		c.Contacts = []crm.Contact{{ID: g.next(), Name: "O'Brien", Title: "CFO", Email: "ob@example.com", Phone: "+1 (555) 010-0000"}}
		c.Tags = []string{"a'b", "vip"}
		c.Attributes = map[string]string{"note": `1; DELETE FROM users WHERE 1=1; --`, "tier": "gold"}
		c.KeyAccount = true
		c.Status = crm.StatusArchived
		c.ArchivedAt = ts(5).Add(987654 * 1000)
		c.ErasedAt = ts(6)
		insertCustomers(t, s, c)

		got, err := getCustomer(t, s, c.ID)
		require.NoError(t, err)
		assertSameCustomer(t, c, got)
	})

	t.Run("ReturnedValuesAreCopies", func(t *testing.T) {
		s, g := newStore(t), &ids{}
		c := sampleCustomer(g.next(), g.next())
		c.Tags = []string{"a"}
		c.Attributes = map[string]string{"k": "v"}
		insertCustomers(t, s, c)
		c.Tags[0], c.Attributes["k"] = "changed", "changed"
		got, err := getCustomer(t, s, c.ID)
		require.NoError(t, err)
		got.Tags[0], got.Attributes["k"] = "changed again", "changed again"
		again, err := getCustomer(t, s, c.ID)
		require.NoError(t, err)
		assert.Equal(t, []string{"a"}, again.Tags)
		assert.Equal(t, map[string]string{"k": "v"}, again.Attributes)
	})

	t.Run("GetUnknownIsNotFound", func(t *testing.T) {
		s, g := newStore(t), &ids{}
		id := g.next()
		_, err := getCustomer(t, s, id)
		var nf *crm.NotFoundError
		require.ErrorAs(t, err, &nf)
		assert.ErrorIs(t, err, crm.ErrNotFound)
		assert.Equal(t, crm.KindCustomer, nf.Kind)
		assert.Equal(t, id.String(), nf.ID)
	})

	t.Run("InsertExistingIsConflict", func(t *testing.T) {
		s, g := newStore(t), &ids{}
		c := sampleCustomer(g.next(), g.next())
		insertCustomers(t, s, c)
		dup := c
		dup.Name = "Other"
		err := s.Update(ctx, func(tx crm.Tx) error { return tx.Customers().Insert(ctx, dup) })
		var ce *crm.ConflictError
		require.ErrorAs(t, err, &ce)
		assert.ErrorIs(t, err, crm.ErrConflict)
		got, err := getCustomer(t, s, c.ID)
		require.NoError(t, err)
		assert.Equal(t, "Acme", got.Name, "the failed insert changed nothing")
	})

	t.Run("InsertNeedsVersionOne", func(t *testing.T) {
		s, g := newStore(t), &ids{}
		c := sampleCustomer(g.next(), g.next())
		c.Version = 3
		err := s.Update(ctx, func(tx crm.Tx) error { return tx.Customers().Insert(ctx, c) })
		assert.ErrorIs(t, err, crm.ErrConflict)
		_, err = getCustomer(t, s, c.ID)
		assert.ErrorIs(t, err, crm.ErrNotFound)
	})

	t.Run("UpdateNextVersion", func(t *testing.T) {
		s, g := newStore(t), &ids{}
		c := sampleCustomer(g.next(), g.next())
		insertCustomers(t, s, c)
		c2 := c.Clone()
		c2.Name, c2.Version, c2.UpdatedAt = "Acme Corp", 2, ts(9)
		c2.Tags = []string{"new"}
		update(t, s, func(tx crm.Tx) error { return tx.Customers().Update(ctx, c2) })
		got, err := getCustomer(t, s, c.ID)
		require.NoError(t, err)
		assertSameCustomer(t, c2, got)
	})

	t.Run("StaleUpdateIsConflict", func(t *testing.T) {
		s, g := newStore(t), &ids{}
		c := sampleCustomer(g.next(), g.next())
		insertCustomers(t, s, c)
		next := c.Clone()
		next.Version = 2
		update(t, s, func(tx crm.Tx) error { return tx.Customers().Update(ctx, next) })

		stale := c.Clone()
		stale.Name, stale.Version = "Stale", 2 // based on version 1, which is gone
		err := s.Update(ctx, func(tx crm.Tx) error { return tx.Customers().Update(ctx, stale) })
		var ce *crm.ConflictError
		require.ErrorAs(t, err, &ce)
		assert.Equal(t, int64(1), ce.Expected)
		assert.Equal(t, int64(2), ce.Actual)
		got, err := getCustomer(t, s, c.ID)
		require.NoError(t, err)
		assert.Equal(t, "Acme", got.Name)
		assert.Equal(t, int64(2), got.Version)
	})

	t.Run("UpdateUnknownIsNotFound", func(t *testing.T) {
		s, g := newStore(t), &ids{}
		c := sampleCustomer(g.next(), g.next())
		c.Version = 2
		err := s.Update(ctx, func(tx crm.Tx) error { return tx.Customers().Update(ctx, c) })
		assert.ErrorIs(t, err, crm.ErrNotFound)
	})
}

func assertSameCustomer(t *testing.T, want, got crm.Customer) {
	t.Helper()
	for _, p := range []struct {
		name string
		w, g any
	}{
		{"CreatedAt", want.CreatedAt, got.CreatedAt}, {"UpdatedAt", want.UpdatedAt, got.UpdatedAt},
		{"ArchivedAt", want.ArchivedAt, got.ArchivedAt}, {"ErasedAt", want.ErasedAt, got.ErasedAt},
	} {
		w, g := p.w.(interface{ UnixMicro() int64 }), p.g.(interface{ UnixMicro() int64 })
		assert.Equal(t, w.UnixMicro(), g.UnixMicro(), p.name)
	}
	want.CreatedAt, want.UpdatedAt, want.ArchivedAt, want.ErasedAt = got.CreatedAt, got.UpdatedAt, got.ArchivedAt, got.ErasedAt
	assert.Equal(t, want, got)
	assert.Equal(t, got.CreatedAt.Location().String(), "UTC", "times come back in UTC")
}

// isConflict reports whether err is a version conflict.
func isConflict(err error) bool {
	var ce *crm.ConflictError
	return errors.As(err, &ce)
}
