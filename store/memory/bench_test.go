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

func BenchmarkVerify(b *testing.B) {
	storetest.BenchVerify(b, func(*testing.B) crm.Store { return memory.New() }, 1_000, 10_000, 100_000)
}
