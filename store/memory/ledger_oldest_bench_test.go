package memory_test

import (
	"testing"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/memory"
	"github.com/crmkit/crm/store/storetest"
)

// BenchmarkOldestFirst measures a payment applied oldest first to 10,
// 100 and 1,000 open invoices (see storetest.BenchOldestFirst):
//
//	go test -run '^$' -bench OldestFirst -benchtime 5x ./store/memory
func BenchmarkOldestFirst(b *testing.B) {
	storetest.BenchOldestFirst(b, func(*testing.B) crm.Store { return memory.New() }, 10, 100, 1000)
}

// BenchmarkPaymentAmongOpen measures a payment applied oldest first that
// settles the oldest of 10, 100 and 1,000 open invoices (see
// storetest.BenchPaymentAmongOpen):
//
//	go test -run '^$' -bench PaymentAmongOpen -benchtime 20x ./store/memory
func BenchmarkPaymentAmongOpen(b *testing.B) {
	storetest.BenchPaymentAmongOpen(b, func(*testing.B) crm.Store { return memory.New() }, 10, 100, 1000)
}
