package sqlstore_test

import (
	"context"
	"strings"
	"testing"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/sqlstore"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var badIdentifiers = []string{
	`x"; DROP TABLE users; --`,
	`Robert'); `,
	"",
	"UPPER",
	strings.Repeat("a", 40),
	"has space",
	"9starts_with_digit",
	"semi;colon",
	"dash-ed",
	"ünï",
}

// requireInvalid checks that err is a *crm.ValidationError matching
// crm.ErrInvalid.
func requireInvalid(t *testing.T, err error, field string) {
	t.Helper()
	require.Error(t, err)
	assert.ErrorIs(t, err, crm.ErrInvalid)
	var ve *crm.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, field, ve.Field)
}

// TestReservedSchemas: PostgreSQL's own schemas are not crmkit's to
// create tables in.
func TestReservedSchemas(t *testing.T) {
	for _, s := range []string{"information_schema", "pg_catalog", "pg_temp"} {
		_, err := sqlstore.Migrations(sqlstore.PostgreSQL, sqlstore.WithSchema(s))
		var ve *crm.ValidationError
		require.ErrorAs(t, err, &ve, s)
		assert.Equal(t, "not_reserved", ve.Rule, s)
	}
	_, err := sqlstore.Migrations(sqlstore.PostgreSQL, sqlstore.WithSchema("crm_prod"))
	require.NoError(t, err)
}

func TestBadIdentifiersCreateNothing(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		db := b.open(t)
		before := objectCount(ctx, t, b, db)
		for _, bad := range badIdentifiers {
			_, err := sqlstore.New(db.DB, b.dialect, append(db.opts, sqlstore.WithTablePrefix(bad))...)
			requireInvalid(t, err, "table_prefix")
			_, err = sqlstore.Migrations(b.dialect, sqlstore.WithTablePrefix(bad))
			requireInvalid(t, err, "table_prefix")

			_, err = sqlstore.New(db.DB, sqlstore.PostgreSQL, sqlstore.WithSchema(bad))
			requireInvalid(t, err, "schema")
			_, err = sqlstore.Migrations(sqlstore.PostgreSQL, sqlstore.WithSchema(bad))
			requireInvalid(t, err, "schema")
			if b.dialect == sqlstore.PostgreSQL {
				var n int
				require.NoError(t, db.QueryRowContext(ctx, "SELECT count(*) FROM pg_namespace WHERE nspname = $1", bad).Scan(&n))
				assert.Zero(t, n, "no schema %q", bad)
			}
		}
		assert.Equal(t, before, objectCount(ctx, t, b, db), "no table, index or schema was created")
	})
}

func TestOtherBadOptions(t *testing.T) {
	db := openSQLite(t)
	_, err := sqlstore.New(db.DB, sqlstore.SQLite, sqlstore.WithSchema("crm"))
	requireInvalid(t, err, "schema")
	_, err = sqlstore.Migrations(sqlstore.SQLite, sqlstore.WithSchema("crm"))
	requireInvalid(t, err, "schema")
	_, err = sqlstore.New(db.DB, sqlstore.SQLite, sqlstore.WithMaxRetries(-1))
	requireInvalid(t, err, "max_retries")
	_, err = sqlstore.New(db.DB, sqlstore.Dialect(0))
	requireInvalid(t, err, "dialect")
	_, err = sqlstore.Migrations(sqlstore.Dialect(7))
	requireInvalid(t, err, "dialect")
	_, err = sqlstore.New(nil, sqlstore.SQLite)
	requireInvalid(t, err, "db")
	assert.Equal(t, "Dialect(7)", sqlstore.Dialect(7).String())
	assert.Equal(t, "sqlite", sqlstore.SQLite.String())
	assert.Equal(t, "postgres", sqlstore.PostgreSQL.String())
}

func TestGoodIdentifiersAccepted(t *testing.T) {
	for _, good := range []string{"a", "_", "crm_", "app2_", strings.Repeat("z", 30)} {
		_, err := sqlstore.Migrations(sqlstore.PostgreSQL, sqlstore.WithTablePrefix(good), sqlstore.WithSchema(good))
		assert.NoError(t, err, good)
	}
}

// objectCount counts the tables and indexes in the test's database (on
// PostgreSQL, in the test's schema, which other tests running alongside
// cannot touch, and the schema itself).
func objectCount(ctx context.Context, t *testing.T, b backend, db testDB) int {
	t.Helper()
	var n int
	if b.dialect == sqlstore.PostgreSQL {
		require.NoError(t, db.QueryRowContext(ctx, `SELECT
			(SELECT count(*) FROM pg_namespace WHERE nspname = $1) +
			(SELECT count(*) FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = $1)`,
			db.schema).Scan(&n))
		return n
	}
	require.NoError(t, db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master").Scan(&n))
	return n
}
