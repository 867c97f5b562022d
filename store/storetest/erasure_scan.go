package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// StoreText returns every text a store holds, each with where it is
// held (a table and a column, or a path into the memory store), so that a
// test can look for a value anywhere in it, not only where the CRM reads.
type StoreText func(t *testing.T, s crm.Store) []HeldText

// HeldText is one text a store holds, and where.
type HeldText struct {
	Where string
	Text  string
}

// RunErasureScan is issue 14's proof that an erasure leaves nothing
// behind: it plants two persons with distinctive values in a record of
// every kind, checks that the scan finds them (so that it can fail),
// erases one, and scans every text the store holds (every table of a SQL
// store, every value of the memory store, the log included): none of the
// erased person's values is left, all of the other's are, and the log
// still verifies.
func RunErasureScan(t *testing.T, newStore func(t *testing.T) crm.Store, scan StoreText) {
	ctx := context.Background()
	s := newStore(t)
	tm := NewTeam(t, s)
	erased := tm.PlantPerson(t, tm.Ann, "Zyxwvut")
	kept := tm.PlantPerson(t, tm.Ann, "Qopqrst")

	find := func(held []HeldText, value string) []string {
		var where []string
		for _, h := range held {
			if strings.Contains(h.Text, value) {
				where = append(where, h.Where)
			}
		}
		return where
	}
	before := scan(t, s)
	for _, v := range exportTexts(erased.Mark) {
		require.NotEmpty(t, find(before, v), "the scan sees %q before the erasure", v)
	}

	rep, err := tm.Customers.Erase(ctx, tm.Admin.ID, crm.ErasureRequest{Customer: erased.Customer.ID, Reason: "Art. 17 request"})
	require.NoError(t, err)
	assert.NotEmpty(t, rep.Records, "the report names the records reached")

	after := scan(t, s)
	for _, v := range exportTexts(erased.Mark) {
		assert.Empty(t, find(after, v), "%q is still held after the erasure", v)
	}
	for _, v := range exportTexts(kept.Mark) {
		assert.NotEmpty(t, find(after, v), "%q of another person is kept", v)
	}
	require.NoError(t, s.View(ctx, func(tx crm.ReadTx) error {
		ins, err := tx.Interactions().ForCustomer(ctx, erased.Customer.ID)
		for _, in := range ins {
			assert.True(t, in.RequestHash.IsZero(), "the digest of a request that held the note is erased too")
		}
		return err
	}))
	_, err = tm.Events.Verify(ctx)
	assert.NoError(t, err, "the log verifies after the erasure")
}
