package sqlite_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/sqlite"
	"github.com/crmkit/crm/store/sqlstore"
	"github.com/crmkit/crm/store/storetest"
	"github.com/stretchr/testify/require"
)

// BenchmarkScale measures each CRM write on a SQLite file holding 1k,
// 100k and 1M records of its history (see storetest.BenchScale). The
// history is loaded into the file opened for loading (scaleLoadStore),
// then the file is reopened with the defaults the writes are measured on:
//
//	go test -run '^$' -bench Scale -benchtime 100x -timeout 120m ./store/sqlite
func BenchmarkScale(b *testing.B) {
	storetest.BenchScaleWith(b, scaleStores, 1_000, 100_000, 1_000_000)
}

// scaleStores loads a history into a file opened for loading and
// measures on the file reopened with the defaults.
var scaleStores = storetest.ScaleStores{Load: scaleLoadStore, Measure: reopenDefault}

// TestScaleHistory checks the histories BenchmarkScale loads, on a few
// hundred records: the writes run on the reopened file, and its log and
// ledger verify.
func TestScaleHistory(t *testing.T) { storetest.CheckScale(t, scaleStores, 300) }

// scaleLoadStore opens a new SQLite file, migrated (a copy of the file
// Open migrated, see migratedCopy), set up for loading a history: no sync at
// commit or checkpoint and a page cache of 1 GiB, so that the indexes of
// a million rows stay in memory while they are written.
func scaleLoadStore(tb testing.TB) crm.Store {
	path := migratedCopy(tb)
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)"+
		"&_pragma=synchronous(OFF)&_pragma=cache_size(-1048576)")
	require.NoError(tb, err)
	s, err := sqlstore.New(db, sqlstore.SQLite, sqlstore.WithOwnedDB())
	require.NoError(tb, err)
	require.NoError(tb, s.Migrate(context.Background()))
	scaleFiles[s] = path
	return s
}

// scaleFiles is the file of each store scaleLoadStore opened.
var scaleFiles = map[crm.Store]string{}

// reopenDefault closes the loaded store and opens its file as an
// application would, with sqlite.Open's defaults.
func reopenDefault(tb testing.TB, loaded crm.Store) crm.Store {
	path := scaleFiles[loaded]
	delete(scaleFiles, loaded)
	require.NoError(tb, loaded.(*sqlstore.Store).Close())
	s, err := sqlite.Open(context.Background(), path)
	require.NoError(tb, err)
	tb.Cleanup(func() { require.NoError(tb, s.Close()) })
	return s
}
