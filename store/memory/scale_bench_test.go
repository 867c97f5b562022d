package memory_test

import (
	"testing"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/memory"
	"github.com/crmkit/crm/store/storetest"
)

// BenchmarkScale measures each CRM write on a store holding 1k, 100k and
// 1M records of its history (see storetest.BenchScale):
//
//	go test -run '^$' -bench Scale -benchtime 200x -timeout 60m ./store/memory
func BenchmarkScale(b *testing.B) {
	storetest.BenchScale(b, func(*testing.B) crm.Store { return memory.New() }, 1_000, 100_000, 1_000_000)
}

// TestScaleHistory checks the histories BenchmarkScale loads, on a few
// hundred records: the writes run, and the log and the ledger verify.
func TestScaleHistory(t *testing.T) {
	storetest.CheckScale(t, storetest.ScaleStores{Load: func(testing.TB) crm.Store { return memory.New() }}, 300)
}
