package crm_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/crmkit/crm"
	"github.com/shopspring/decimal"
)

// A month's billing run posts its invoices in one transaction, each with
// its own idempotency key: when the run is retried after a timeout, the
// batch returns the invoices it issued the first time and issues nothing
// more. One bad item refuses the whole batch and names it.
func ExampleLedgerService_IssueInvoices() {
	ctx := context.Background()
	d := newReceivablesDesk()
	d.today(3, 31)
	line := func(amount string) []crm.InvoiceLine {
		return []crm.InvoiceLine{{Description: "consulting", Quantity: decimal.NewFromInt(1), UnitPrice: dollars(amount)}}
	}
	run := []crm.NewInvoice{
		{Customer: d.cust.ID, Currency: dollars("0").Currency(), Lines: line("1200.00"), IdempotencyKey: "march/contoso/1"},
		{Customer: d.cust.ID, Currency: dollars("0").Currency(), Lines: line("300.00"), IdempotencyKey: "march/contoso/2"},
	}
	first, err := d.c.Ledger.IssueInvoices(ctx, d.fay.ID, run)
	if err != nil {
		fmt.Println(err)
		return
	}
	again, _ := d.c.Ledger.IssueInvoices(ctx, d.fay.ID, run)
	for i, inv := range first {
		fmt.Println(inv.Number, inv.Total, "retried:", again[i].ID == inv.ID)
	}

	bad := append(run, crm.NewInvoice{Customer: d.cust.ID, Currency: dollars("0").Currency()})
	_, err = d.c.Ledger.IssueInvoices(ctx, d.fay.ID, bad)
	var be *crm.BatchError
	fmt.Println(errors.As(err, &be), be.Index, errors.Is(err, crm.ErrInvalid))
	// Output:
	// INV-2026-00001 1200.00 USD retried: true
	// INV-2026-00002 300.00 USD retried: true
	// true 2 true
}
