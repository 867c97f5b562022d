package sqlstore_test

import (
	"context"
	"testing"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/sqlstore"
	"github.com/stretchr/testify/require"
)

// TestStatementsOnAPoolOfOne writes and reads through an SQLite store
// whose pool has one connection: the statements the store prepares on the
// pool after a write wait for no connection the write still holds. After
// Close, writes prepare their statements themselves.
func TestStatementsOnAPoolOfOne(t *testing.T) {
	ctx := context.Background()
	db := openSQLite(t)
	db.SetMaxOpenConns(1)
	s, err := sqlstore.New(db.DB, sqlstore.SQLite)
	require.NoError(t, err)
	require.NoError(t, s.Migrate(ctx))
	customer := newID(t)
	for v := int64(1); v <= 3; v++ {
		require.NoError(t, s.Update(ctx, func(tx crm.Tx) error {
			return tx.Ledger().SaveBook(ctx, crm.Book{Customer: customer, Version: v})
		}))
		require.NoError(t, s.View(ctx, func(tx crm.ReadTx) error {
			book, err := tx.Ledger().Book(ctx, customer)
			require.Equal(t, v, book.Version)
			return err
		}))
		if v == 2 {
			require.NoError(t, s.Close())
		}
	}
}
