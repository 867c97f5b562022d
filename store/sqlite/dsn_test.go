package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/crmkit/crm"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDataSourceName(t *testing.T) {
	dsn, err := dataSourceName("/data/crm.db", PowerLossDurable)
	require.NoError(t, err)
	assert.Equal(t, "file:/data/crm.db?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)"+
		"&_pragma=foreign_keys(1)&_pragma=secure_delete(1)&_pragma=synchronous(FULL)", dsn)
	dsn, err = dataSourceName("/data/crm.db", CrashDurable)
	require.NoError(t, err)
	assert.Contains(t, dsn, "&_pragma=synchronous(NORMAL)")

	dsn, err = dataSourceName("/data/a?b#c%d.db", PowerLossDurable)
	require.NoError(t, err)
	assert.Contains(t, dsn, "file:/data/a%3Fb%23c%25d.db?_pragma=")
}

// TestPragmasOnEveryConnection checks the settings on several pooled
// connections at once, not only the first.
func TestPragmasOnEveryConnection(t *testing.T) {
	ctx := context.Background()
	dsn, err := dataSourceName(filepath.Join(t.TempDir(), "crm.db"), PowerLossDurable)
	require.NoError(t, err)
	db, err := sql.Open("sqlite", dsn)
	require.NoError(t, err)
	defer db.Close()

	conns := make([]*sql.Conn, 3)
	for i := range conns {
		conns[i], err = db.Conn(ctx)
		require.NoError(t, err)
		defer conns[i].Close()
	}
	for _, c := range conns {
		var mode string
		var timeout, fk, sync, secure int
		require.NoError(t, c.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode))
		require.NoError(t, c.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&timeout))
		require.NoError(t, c.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk))
		require.NoError(t, c.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync))
		require.NoError(t, c.QueryRowContext(ctx, "PRAGMA secure_delete").Scan(&secure))
		assert.Equal(t, "wal", mode)
		assert.Equal(t, 5000, timeout)
		assert.Equal(t, 1, fk)
		assert.Equal(t, 2, sync, "FULL: a commit survives a power loss")
		assert.Equal(t, 1, secure, "what an erasure frees is overwritten")
	}
}

// TestCacheSize checks that WithCacheSize sets the page cache of every
// pooled connection, and that without it SQLite keeps its default.
func TestCacheSize(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		opts []Option
		want int
	}{
		{nil, -2000},
		{[]Option{WithCacheSize(65536)}, -65536},
	} {
		var cfg config
		for _, o := range tc.opts {
			o(&cfg)
		}
		dsn, err := dataSourceName(filepath.Join(t.TempDir(), "crm.db"), PowerLossDurable, cfg.pragmas()...)
		require.NoError(t, err)
		db, err := sql.Open("sqlite", dsn)
		require.NoError(t, err)
		conns := make([]*sql.Conn, 2)
		for i := range conns {
			conns[i], err = db.Conn(ctx)
			require.NoError(t, err)
		}
		for _, c := range conns {
			var size int
			require.NoError(t, c.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&size))
			assert.Equal(t, tc.want, size)
			require.NoError(t, c.Close())
		}
		require.NoError(t, db.Close())
	}
}

// TestOpenWithCacheSize opens a store with a page cache of its own, and
// refuses a size below 1.
func TestOpenWithCacheSize(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "crm.db"), WithCacheSize(1024))
	require.NoError(t, err)
	require.NoError(t, s.Close())
	for _, kib := range []int{0, -5} {
		_, err := Open(ctx, filepath.Join(t.TempDir(), "crm.db"), WithCacheSize(kib))
		var ve *crm.ValidationError
		require.ErrorAs(t, err, &ve)
		assert.Equal(t, "cache_size", ve.Field)
	}
}
