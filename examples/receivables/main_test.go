package main

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/crmkit/crm/examples/internal/capture"
)

// A contract approved and signed, its installments invoiced, an
// overpayment kept as credit, a late payer in the aging of two dates, and
// the ledger verified.
func TestReceivables(t *testing.T) {
	capture.Tells(t, func() error { return run(context.Background(), filepath.Join(t.TempDir(), "ledger.db")) },
		"signing before approval is refused: crm: contract: cannot sign from draft",
		"Fay Finance approves (finance step)          -> approved",
		"the bank feed sends the same payment again: recognised by its key, nothing posted twice",
		"Northwind Logistics    16800.00      0.00   3200.00      0.00      0.00      0.00 20000.00 USD",
		"Globex Freight       owes     0.00 USD   unapplied credit  56.00 USD",
		"Ledger verified")
}
