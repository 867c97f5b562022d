package main

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/crmkit/crm/examples/internal/capture"
)

// A contract approved and signed, its installments invoiced from the
// series, an overpayment kept as credit, a late payer in the aging of two
// dates; credit notes on invoices; payments in euros settled within the
// exchange tolerance and refused beyond it; dunning; April closed; the
// contract amended; and the ledger verified.
func TestReceivables(t *testing.T) {
	capture.Tells(t, func() error { return run(context.Background(), filepath.Join(t.TempDir(), "ledger.db")) },
		"signing before approval is refused: crm: contract: cannot sign from draft",
		"Fay Finance approves (finance step)          -> approved",
		"INV-2026-00001 to Northwind, installment 1: 7200.00 USD due 2026-02-01",
		"the bank feed sends the same payment again: recognised by its key, nothing posted twice",
		"Northwind Logistics    16800.00      0.00   3200.00      0.00      0.00      0.00 20000.00 USD",
		"Globex Freight       owes     0.00 USD   unapplied credit  56.00 USD",

		// Credit notes: a net applied to the invoice, lines taxed at the invoice's 8% kept as credit.
		"credit note on INV-2026-00001 (telematics outage, 10-23 February): net 400.00 + tax 0.00 = 400.00 USD, applied to it",
		"INV-2026-00001 partly_paid_overdue: total 7200.00 = open 2800.00 + paid 4000.00 + credited 400.00 + written off 0.00 USD",
		"credit note on INV-2026-00002 (2 licences returned): net 300.00 + tax 24.00 = 324.00 USD, kept as Globex's credit to refund",
		"INV-2026-00001 credited: total 7200.00 = open 0.00 + paid 6800.00 + credited 400.00 + written off 0.00 USD",

		// Exchange differences: within the tolerance booked, beyond it refused.
		"Rotterdam pays 4975.00 EUR for INV-2026-00004 (5400.00 USD): worth 5397.88 USD, settled with a realized exchange loss of 2.12 USD",
		"INV-2026-00004 paid: total 5400.00 = open 0.00 + paid 5400.00",
		"*crm.FXToleranceError: a loss of 103.50 USD is beyond the tolerance of 10.80 USD",
		"INV-2026-00005 partly_paid: total 1080.00 = open 103.50 + paid 976.50",

		// Dunning: one level a run, the fee invoiced, the levels, settled once paid.
		"2026-04-09: INV-2026-00003 (Northwind Logistics) to reminder, 7 days overdue, 16800.00 USD open",
		"2026-04-23: INV-2026-00003 (Northwind Logistics) to first_notice, 21 days overdue, 16800.00 USD open",
		"charged 5.00 USD on INV-2026-00006 due 2026-05-07: dunning fee, first_notice, invoice INV-2026-00003",
		"INV-2026-00003  Northwind Logistics  level 2 first_notice  since 2026-04-23, 35 days overdue, 16800.00 USD open",
		"INV-2026-00005  Rotterdam Cargo      level 1 reminder      since 2026-05-07, 12 days overdue, 103.50 USD open",
		"2026-05-14: INV-2026-00003 (Northwind Logistics) to settled, paid, no more notices",

		// The period close.
		"Fay closes the books through 2026-04-30 (April reconciled, sales tax filed)",
		"crm: 2026-04-30 is in a closed period (the books are closed through 2026-04-30)",
		"issued today instead: INV-2026-00007, 285.00 USD",

		// The amendment: invoiced installments carried, the rest planned monthly.
		"#2 due 2026-04-02  16800.00 USD  invoiced as INV-2026-00003",
		"#3 due 2026-06-01  1200.00 USD",
		"#8 due 2026-11-01  1200.00 USD",
		"the original is now superseded, by revision 1; invoicing it is refused",
		"INV-2026-00008 to Northwind, installment 3 of the amendment: 1200.00 USD due 2026-06-01",

		"Northwind Logistics  owes  1200.00 USD   unapplied credit   0.00 USD",
		"Globex Freight       owes     0.00 USD   unapplied credit 380.00 USD",
		"Rotterdam Cargo      owes   388.50 USD   unapplied credit   0.00 USD",
		"Ledger verified")
}
