package sqlstore_test

import (
	"context"
	"io/fs"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/crmkit/crm/store/sqlstore"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMigrateIsIdempotent(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		db := b.open(t)
		s, err := sqlstore.New(db.DB, b.dialect, db.opts...)
		require.NoError(t, err)
		require.NoError(t, s.Migrate(ctx))
		require.NoError(t, s.Migrate(ctx), "a second run changes nothing")

		files, err := sqlstore.Migrations(b.dialect, db.opts...)
		require.NoError(t, err)
		entries, err := fs.ReadDir(files, ".")
		require.NoError(t, err)

		rows, err := db.QueryContext(ctx, "SELECT version, name FROM "+db.table("crm_", "schema_migrations")+" ORDER BY version")
		require.NoError(t, err)
		defer rows.Close()
		var got []string
		for rows.Next() {
			var v int
			var name string
			require.NoError(t, rows.Scan(&v, &name))
			got = append(got, name)
		}
		require.NoError(t, rows.Err())
		require.Len(t, got, len(entries), "one row per migration, however often Migrate runs")
		assert.Equal(t, "foundation", got[0])
	})
}

func TestMigrateConcurrently(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		db := b.open(t)
		const servers = 4
		var wg sync.WaitGroup
		errs := make([]error, servers)
		for i := range servers {
			wg.Go(func() {
				s, err := sqlstore.New(db.DB, b.dialect, db.opts...)
				if err == nil {
					err = s.Migrate(context.Background())
				}
				errs[i] = err
			})
		}
		wg.Wait()
		for _, err := range errs {
			assert.NoError(t, err, "app servers starting at once all migrate")
		}
	})
}

func TestMigrationsFS(t *testing.T) {
	t.Run("SQLite", func(t *testing.T) {
		files, err := sqlstore.Migrations(sqlstore.SQLite, sqlstore.WithTablePrefix("app_"))
		require.NoError(t, err)
		require.NoError(t, fstest.TestFS(files, "0001_foundation.sql"))
		text := readFile(t, files, "0001_foundation.sql")
		assert.Contains(t, text, `CREATE TABLE "app_customers"`)
		assert.Contains(t, text, `CREATE INDEX "app_customers_owner_idx" ON "app_customers" (owner_id, id)`)
		assert.NotContains(t, text, "{{")
		assert.NotContains(t, text, "crm_", "the default prefix is replaced")
	})
	t.Run("PostgreSQL", func(t *testing.T) {
		files, err := sqlstore.Migrations(sqlstore.PostgreSQL, sqlstore.WithSchema("sales"), sqlstore.WithTablePrefix("app_"))
		require.NoError(t, err)
		require.NoError(t, fstest.TestFS(files, "0001_foundation.sql"))
		text := readFile(t, files, "0001_foundation.sql")
		assert.Contains(t, text, `CREATE SCHEMA IF NOT EXISTS "sales";`)
		assert.Contains(t, text, `CREATE TABLE "sales"."app_events"`)
		assert.Contains(t, text, `CREATE INDEX "app_events_subject_idx" ON "sales"."app_events" (kind, subject, seq)`)
		assert.Regexp(t, `\n\s+data\s+text,\n`, text, "event data is text, keeping its exact bytes")
		assert.NotContains(t, text, "{{")
	})
	t.Run("PostgreSQLWithoutSchema", func(t *testing.T) {
		files, err := sqlstore.Migrations(sqlstore.PostgreSQL)
		require.NoError(t, err)
		text := readFile(t, files, "0001_foundation.sql")
		assert.NotContains(t, text, "CREATE SCHEMA")
		assert.Contains(t, text, `CREATE TABLE "crm_users"`)
	})
}

// TestMigrationsAppliedByHand applies the files of Migrations as a
// migration tool would, and uses the store without Migrate.
func TestMigrationsAppliedByHand(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		db := b.open(t)
		files, err := sqlstore.Migrations(b.dialect, db.opts...)
		require.NoError(t, err)
		entries, err := fs.ReadDir(files, ".")
		require.NoError(t, err)
		for _, e := range entries {
			_, err := db.ExecContext(ctx, readFile(t, files, e.Name()))
			require.NoError(t, err, e.Name())
		}
		s, err := sqlstore.New(db.DB, b.dialect, db.opts...)
		require.NoError(t, err)
		c := sampleCustomer(newID(t), newID(t))
		require.NoError(t, insertCustomer(ctx, s, c))
		got, err := getCustomer(ctx, s, c.ID)
		require.NoError(t, err)
		assert.Equal(t, c.Name, got.Name)
	})
}

func readFile(t *testing.T, files fs.FS, name string) string {
	t.Helper()
	b, err := fs.ReadFile(files, name)
	require.NoError(t, err)
	return string(b)
}
