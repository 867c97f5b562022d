package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/sqlitetest"
	"github.com/crmkit/crm/store/sqlite"
	"github.com/crmkit/crm/store/storetest"
	"github.com/stretchr/testify/require"
)

// templates holds the file Open migrated, copied for each conformance
// subtest.
var templates sqlitetest.Templates

// TestMain removes the templates after the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if err := templates.Remove(); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	os.Exit(code)
}

// migratedCopy returns the path of a new file for one test: a copy of one
// file Open made and migrated (see sqlitetest), which Open then finds up
// to date.
func migratedCopy(tb testing.TB) string {
	tb.Helper()
	return templates.Copy(tb, "Open", func(path string) error {
		s, err := sqlite.Open(context.Background(), path)
		if err != nil {
			return err
		}
		return s.Close()
	})
}

// TestConformance runs the store conformance suite on a SQLite file per
// subtest, opened with Open, each a migrated copy (see migratedCopy).
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) crm.Store {
		s, err := sqlite.Open(context.Background(), migratedCopy(t))
		require.NoError(t, err)
		t.Cleanup(func() { require.NoError(t, s.Close()) })
		return s
	})
}

// newBenchStore opens a fresh SQLite file for a benchmark.
func newBenchStore(b *testing.B) crm.Store {
	s, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "crm.db"))
	require.NoError(b, err)
	b.Cleanup(func() { require.NoError(b, s.Close()) })
	return s
}

// BenchmarkCRM measures the CRM's writes on a SQLite file.
func BenchmarkCRM(b *testing.B) { storetest.Bench(b, newBenchStore) }

// BenchmarkDurability measures the same writes at both durabilities, side
// by side: what an fsync per commit costs.
//
//	go test -run '^$' -bench Durability -benchtime 2000x -count 3 ./store/sqlite
func BenchmarkDurability(b *testing.B) {
	for _, d := range []sqlite.Durability{sqlite.PowerLossDurable, sqlite.CrashDurable} {
		b.Run(string(d), func(b *testing.B) {
			storetest.Bench(b, func(b *testing.B) crm.Store {
				s, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "crm.db"), sqlite.WithDurability(d))
				require.NoError(b, err)
				b.Cleanup(func() { require.NoError(b, s.Close()) })
				return s
			})
		})
	}
}

// benchRows is the size of the analytics benchmarks: 1,000,000 unless
// CRMKIT_BENCH_ITEMS says otherwise.
func benchRows() int {
	if n, err := strconv.Atoi(os.Getenv("CRMKIT_BENCH_ITEMS")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

// BenchmarkExperience measures recording an interaction and the
// experience analytics over a million interactions on a SQLite file.
func BenchmarkExperience(b *testing.B) { storetest.BenchExperience(b, newBenchStore, benchRows()) }

// BenchmarkSales measures the funnel and the forecast over a million deals
// on a SQLite file.
func BenchmarkSales(b *testing.B) { storetest.BenchSales(b, newBenchStore, benchRows()) }
