package sqlstore_test

import (
	"testing"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/storetest"
)

// BenchmarkOldestFirst measures a payment applied oldest first to 10,
// 100 and 1,000 open invoices on each backend (see
// storetest.BenchOldestFirst):
//
//	CRMKIT_POSTGRES_URL=postgres://... go test -run '^$' -bench OldestFirst -benchtime 5x ./store/sqlstore
func BenchmarkOldestFirst(b *testing.B) { benchAgainstOpen(b, storetest.BenchOldestFirst) }

// BenchmarkPaymentAmongOpen measures a payment applied oldest first that
// settles the oldest of 10, 100 and 1,000 open invoices on each backend
// (see storetest.BenchPaymentAmongOpen):
//
//	CRMKIT_POSTGRES_URL=postgres://... go test -run '^$' -bench PaymentAmongOpen -benchtime 20x ./store/sqlstore
func BenchmarkPaymentAmongOpen(b *testing.B) { benchAgainstOpen(b, storetest.BenchPaymentAmongOpen) }

// benchAgainstOpen runs a benchmark of payments against 10, 100 and
// 1,000 open invoices on each backend.
func benchAgainstOpen(b *testing.B, bench func(*testing.B, func(*testing.B) crm.Store, ...int)) {
	for _, be := range []backend{sqliteBackend, postgresBackend} {
		b.Run(be.name, func(b *testing.B) {
			bench(b, func(b *testing.B) crm.Store {
				s, _ := be.newStore(b)
				return s
			}, 10, 100, 1000)
		})
	}
}
