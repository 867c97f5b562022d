package main

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/crmkit/crm/examples/internal/capture"
)

// The quickstart on a SQLite file: users, customers, a rep who leaves and
// a manager who hands her customers on, and the audit trail verified.
func TestQuickstart(t *testing.T) {
	capture.Tells(t, func() error { return run(context.Background(), filepath.Join(t.TempDir(), "crm.db")) },
		"to him, hers do not exist):\n  refused: crm: customer ",
		"Ada Admin   user.deactivated     Ann Rep",
		"Max Manager customer.reassigned  Northwind Traders      owner Ann Rep→Ben Rep, (Ann left; Ben takes over)",
		"Hash chain verified: 11 events")
}
