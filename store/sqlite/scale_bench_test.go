package sqlite_test

import (
	"testing"

	"github.com/crmkit/crm/store/storetest"
)

// BenchmarkScale measures each CRM write on a SQLite file holding 1k,
// 100k and 1M records of its history (see storetest.BenchScale):
//
//	go test -run '^$' -bench Scale -benchtime 100x -timeout 120m ./store/sqlite
func BenchmarkScale(b *testing.B) { storetest.BenchScale(b, newBenchStore, 1_000, 100_000, 1_000_000) }
