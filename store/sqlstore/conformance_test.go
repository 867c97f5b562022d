package sqlstore_test

import (
	"testing"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/storetest"
)

// TestConformance runs the store conformance suite on each backend, with
// an empty database (a SQLite file, or a PostgreSQL schema) per subtest.
func TestConformance(t *testing.T) { forEachBackend(t, runConformance) }

// runConformance runs the store conformance suite on b.
func runConformance(t *testing.T, b backend) {
	if b.dialect == postgresBackend.dialect {
		postgresURL(t) // skip, or fail in CI, before the suite starts
	}
	storetest.Run(t, func(t *testing.T) crm.Store {
		s, _ := b.newStore(t)
		return s
	})
}

// BenchmarkCRM measures the CRM's writes on each backend:
//
//	CRMKIT_POSTGRES_URL=postgres://... go test -run '^$' -bench . ./store/sqlstore
func BenchmarkCRM(b *testing.B) {
	for _, be := range []backend{sqliteBackend, postgresBackend} {
		b.Run(be.name, func(b *testing.B) {
			storetest.Bench(b, func(b *testing.B) crm.Store {
				s, _ := be.newStore(b)
				return s
			})
		})
	}
}
