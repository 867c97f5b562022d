package sqlstore_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/crmkit/crm/store/sqlstore"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// remigrate takes db back to before migration version: it runs undo, the
// statements that take out what the migration added, and forgets that the
// migration was applied. It then migrates a new store on db, checks that
// every migration is applied again, in order, and returns the store.
func remigrate(ctx context.Context, t *testing.T, b backend, db testDB, version int, undo ...string) *sqlstore.Store {
	t.Helper()
	forget := fmt.Sprintf("DELETE FROM %s WHERE version = %d", db.table("crm_", "schema_migrations"), version)
	for _, stmt := range append(undo, forget) {
		_, err := db.ExecContext(ctx, stmt)
		require.NoError(t, err, stmt)
	}
	s, err := sqlstore.New(db.DB, b.dialect, db.opts...)
	require.NoError(t, err)
	require.NoError(t, s.Migrate(ctx))
	assert.Equal(t, allMigrations, migrationNames(ctx, t, db))
	return s
}
