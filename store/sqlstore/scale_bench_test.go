package sqlstore_test

import (
	"context"
	"testing"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/sqlstore"
	"github.com/crmkit/crm/store/storetest"
	"github.com/stretchr/testify/require"
)

// BenchmarkScale measures each CRM write on PostgreSQL holding 1k, 100k
// and 1M records of its history (see storetest.BenchScale), loaded into
// SQLite and copied over (see copyToPostgres):
//
//	CRMKIT_POSTGRES_URL=postgres://... go test -run '^$' -bench Scale -benchtime 100x -timeout 180m ./store/sqlstore
func BenchmarkScale(b *testing.B) {
	storetest.BenchScaleWith(b, postgresScaleStores, 1_000, 100_000, 1_000_000)
}

// postgresScaleStores loads a history into SQLite and measures on its
// copy in a PostgreSQL schema of the test's own.
var postgresScaleStores = storetest.ScaleStores{
	Load: func(tb testing.TB) crm.Store { return openLoadSQLite(tb) },
	Measure: func(tb testing.TB, loaded crm.Store) crm.Store {
		ctx := context.Background()
		src := loaded.(*sqlstore.Store)
		s, db := postgresBackend.newStore(tb)
		require.NoError(tb, copyToPostgres(ctx, loadDBs[src], db.DB, db.schema))
		require.NoError(tb, src.Close())
		return s
	},
}

// TestScaleHistoryPostgres checks the histories BenchmarkScale copies to
// PostgreSQL, on a few hundred records: the writes run on the copy, and
// its log and ledger verify.
func TestScaleHistoryPostgres(t *testing.T) {
	postgresURL(t)
	storetest.CheckScale(t, postgresScaleStores, 300)
}
