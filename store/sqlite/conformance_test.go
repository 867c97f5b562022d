package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/sqlite"
	"github.com/crmkit/crm/store/storetest"
	"github.com/stretchr/testify/require"
)

// TestConformance runs the store conformance suite on a SQLite file per
// subtest.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) crm.Store {
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "crm.db"))
		require.NoError(t, err)
		t.Cleanup(func() { require.NoError(t, s.Close()) })
		return s
	})
}

// BenchmarkCRM measures the CRM's writes on a SQLite file.
func BenchmarkCRM(b *testing.B) {
	storetest.Bench(b, func(b *testing.B) crm.Store {
		s, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "crm.db"))
		require.NoError(b, err)
		b.Cleanup(func() { require.NoError(b, s.Close()) })
		return s
	})
}
