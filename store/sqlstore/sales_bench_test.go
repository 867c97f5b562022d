package sqlstore_test

import (
	"testing"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/storetest"
)

// BenchmarkSales measures the funnel (now and as of a past day), the
// forecast, the cohort and the KPIs over CRMKIT_BENCH_ITEMS deals
// (1,000,000 unless set) on PostgreSQL (SQLite's is in store/sqlite):
//
//	CRMKIT_POSTGRES_URL=postgres://... go test -run '^$' -bench Sales -timeout 90m ./store/sqlstore
func BenchmarkSales(b *testing.B) {
	postgresURL(b)
	storetest.BenchSales(b, func(b *testing.B) crm.Store {
		s, _ := postgresBackend.newStore(b)
		return s
	}, benchItems(b))
}
