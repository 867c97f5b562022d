package sqlstore_test

import (
	"testing"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/storetest"
)

// BenchmarkScale measures each CRM write on PostgreSQL holding 1k and
// 100k records of its history (see storetest.BenchScale):
//
//	CRMKIT_POSTGRES_URL=postgres://... go test -run '^$' -bench Scale -benchtime 100x -timeout 120m ./store/sqlstore
func BenchmarkScale(b *testing.B) {
	storetest.BenchScale(b, func(b *testing.B) crm.Store {
		s, _ := postgresBackend.newStore(b)
		return s
	}, 1_000, 100_000)
}
