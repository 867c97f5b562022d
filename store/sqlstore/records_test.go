package sqlstore_test

import (
	"context"
	"testing"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/sqlstore"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHostileTextIsStoredVerbatim(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s, db := b.newStore(t)
		c := sampleCustomer(newID(t), newID(t))
		c.Name = `Robert'); DROP TABLE crm_customers; -- "Bobby" ? $1 :x @p1`
		c.Segment = `' OR '1'='1`
		c.Tags = []string{`"; DELETE FROM crm_users; --`, "a'b", "vip"}
		c.Attributes = map[string]string{
			"note":  `1; DELETE FROM crm_users WHERE 1=1; --`,
			"quote": `it's "quoted" \ back\slash`,
			"json":  `{"not":"an object"}`,
		}
		c.Contacts = []crm.Contact{{ID: newID(t), Name: "O'Brien", Title: `"CFO"`, Email: "ob@example.com"}}
		c.ArchivedAt = at(3)
		require.NoError(t, insertCustomer(ctx, s, c))

		got, err := getCustomer(ctx, s, c.ID)
		require.NoError(t, err)
		assert.Equal(t, c, got)

		byTag := listCustomers(ctx, t, s, crm.CustomerFilter{Tag: `"; DELETE FROM crm_users; --`})
		require.Len(t, byTag, 1)
		assert.Equal(t, c.ID, byTag[0].ID)
		assert.Empty(t, listCustomers(ctx, t, s, crm.CustomerFilter{Segment: `' OR '1'='1' --`}))

		var n int
		require.NoError(t, db.QueryRowContext(ctx, "SELECT count(*) FROM "+db.table("crm_", "customers")).Scan(&n))
		assert.Equal(t, 1, n, "the table is still there")
	})
}

func TestTimesRoundTripInUTC(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s, _ := b.newStore(t)
		u := sampleUser(newID(t))
		u.CreatedAt = at(0).Add(999999 * 1000) // the last microsecond of the second
		u.DeactivatedAt = at(5)
		require.NoError(t, s.Update(ctx, func(tx crm.Tx) error { return tx.Users().Insert(ctx, u) }))
		var got crm.User
		require.NoError(t, s.View(ctx, func(tx crm.ReadTx) error {
			var err error
			got, err = tx.Users().Get(ctx, u.ID)
			return err
		}))
		assert.True(t, u.CreatedAt.Equal(got.CreatedAt))
		assert.Equal(t, "UTC", got.CreatedAt.Location().String())
		assert.Equal(t, u, got)

		u2 := sampleUser(newID(t)) // no DeactivatedAt: NULL, read back as the zero time
		require.NoError(t, s.Update(ctx, func(tx crm.Tx) error { return tx.Users().Insert(ctx, u2) }))
		require.NoError(t, s.View(ctx, func(tx crm.ReadTx) error {
			var err error
			got, err = tx.Users().Get(ctx, u2.ID)
			return err
		}))
		assert.True(t, got.DeactivatedAt.IsZero())
	})
}

func TestStaleUpdateIsConflict(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s, _ := b.newStore(t)
		c := sampleCustomer(newID(t), newID(t))
		require.NoError(t, insertCustomer(ctx, s, c))

		v2 := c
		v2.Name, v2.Version = "Acme 2", 2
		require.NoError(t, s.Update(ctx, func(tx crm.Tx) error { return tx.Customers().Update(ctx, v2) }))

		stale := c
		stale.Name, stale.Version = "Stale", 2 // based on version 1, which is gone
		err := s.Update(ctx, func(tx crm.Tx) error { return tx.Customers().Update(ctx, stale) })
		var ce *crm.ConflictError
		require.ErrorAs(t, err, &ce)
		assert.ErrorIs(t, err, crm.ErrConflict)
		assert.Equal(t, crm.KindCustomer, ce.Kind)
		assert.Equal(t, c.ID.String(), ce.ID)
		assert.Equal(t, int64(1), ce.Expected)
		assert.Equal(t, int64(2), ce.Actual)

		got, err := getCustomer(ctx, s, c.ID)
		require.NoError(t, err)
		assert.Equal(t, "Acme 2", got.Name)

		missing := sampleCustomer(newID(t), newID(t))
		missing.Version = 2
		err = s.Update(ctx, func(tx crm.Tx) error { return tx.Customers().Update(ctx, missing) })
		var nf *crm.NotFoundError
		require.ErrorAs(t, err, &nf)
		assert.Equal(t, missing.ID.String(), nf.ID)

		err = insertCustomer(ctx, s, c)
		require.ErrorAs(t, err, &ce, "inserting an existing ID")
		bad := sampleCustomer(newID(t), newID(t))
		bad.Version = 3
		require.ErrorAs(t, insertCustomer(ctx, s, bad), &ce, "a new record has version 1")
	})
}

// TestConflictKeepsTransactionUsable checks that a duplicate insert does
// not poison the transaction (PostgreSQL aborts a transaction on a
// unique violation unless it is avoided).
func TestConflictKeepsTransactionUsable(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s, _ := b.newStore(t)
		c := sampleCustomer(newID(t), newID(t))
		require.NoError(t, insertCustomer(ctx, s, c))
		other := sampleCustomer(newID(t), newID(t))
		require.NoError(t, s.Update(ctx, func(tx crm.Tx) error {
			require.ErrorIs(t, tx.Customers().Insert(ctx, c), crm.ErrConflict)
			return tx.Customers().Insert(ctx, other)
		}))
		_, err := getCustomer(ctx, s, other.ID)
		assert.NoError(t, err)
	})
}

func TestTagsFollowUpdates(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s, _ := b.newStore(t)
		c := sampleCustomer(newID(t), newID(t))
		c.Tags = []string{"old", "stays"}
		require.NoError(t, insertCustomer(ctx, s, c))
		c.Tags, c.Version = []string{"new", "stays"}, 2
		require.NoError(t, s.Update(ctx, func(tx crm.Tx) error { return tx.Customers().Update(ctx, c) }))
		assert.Empty(t, listCustomers(ctx, t, s, crm.CustomerFilter{Tag: "old"}))
		assert.Len(t, listCustomers(ctx, t, s, crm.CustomerFilter{Tag: "new"}), 1)
		assert.Len(t, listCustomers(ctx, t, s, crm.CustomerFilter{Tag: "stays"}), 1)
	})
}

func TestTwoPrefixesSideBySide(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		a, db := b.newStore(t, sqlstore.WithTablePrefix("a_"))
		other, err := sqlstore.New(db.DB, b.dialect, append(db.opts, sqlstore.WithTablePrefix("b_"))...)
		require.NoError(t, err)
		require.NoError(t, other.Migrate(ctx))

		c := sampleCustomer(newID(t), newID(t))
		require.NoError(t, insertCustomer(ctx, a, c))
		appendEvents(ctx, t, a, c.ID, `{"in":"a"}`)

		_, err = getCustomer(ctx, other, c.ID)
		assert.ErrorIs(t, err, crm.ErrNotFound, "b does not see a's customer")
		assert.Empty(t, listCustomers(ctx, t, other, crm.CustomerFilter{}))
		assert.Empty(t, readEvents(ctx, t, other))

		require.NoError(t, insertCustomer(ctx, other, c), "the same ID is free in b")
		appendEvents(ctx, t, other, c.ID, `{"in":"b"}`)
		assert.Len(t, readEvents(ctx, t, a), 1)
		assert.Len(t, readEvents(ctx, t, other), 1)
	})
}
