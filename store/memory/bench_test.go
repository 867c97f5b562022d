package memory_test

import (
	"testing"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/memory"
	"github.com/crmkit/crm/store/storetest"
)

func BenchmarkCRM(b *testing.B) {
	storetest.Bench(b, func(*testing.B) crm.Store { return memory.New() })
}

func BenchmarkExperience(b *testing.B) {
	storetest.BenchExperience(b, func(*testing.B) crm.Store { return memory.New() }, 1_000_000)
}

func BenchmarkSales(b *testing.B) {
	storetest.BenchSales(b, func(*testing.B) crm.Store { return memory.New() }, 1_000_000)
}

// BenchmarkVerify measures the ledger's verification at 1k to 1M
// entries; -bench 'Verify/(1000|10000|100000)/' leaves out the million,
// whose loading takes minutes.
func BenchmarkVerify(b *testing.B) {
	storetest.BenchVerify(b, func(*testing.B) crm.Store { return memory.New() }, 1_000, 10_000, 100_000, 1_000_000)
}
