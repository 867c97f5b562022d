package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/crmkit/crm"
	"github.com/shopspring/decimal"
)

// bill invoices the contract's installments (the first by the daily
// sweep, the second by hand ahead of its date) and Globex's licences from
// the invoice series, and receives an overpayment (sent twice by the bank
// feed) and a late partial payment.
func (s *story) bill() error {
	fmt.Println("\nInvoices, payments and allocations:")
	s.on(time.February, 1)
	// The daily sweep invoices every installment whose due date has come:
	// today, Northwind's first.
	due, err := s.c.Contracts.InvoiceDue(s.ctx, s.fay.ID, crm.InvoiceDueRequest{})
	if err != nil {
		return err
	}
	if len(due.Invoiced) != 1 || len(due.Refused) > 0 {
		return fmt.Errorf("the sweep invoiced %d installments and was refused %d, want Northwind's first", len(due.Invoiced), len(due.Refused))
	}
	first := due.Invoiced[0]
	s.first = s.issued(first)
	fmt.Printf("  %s to Northwind, installment 1: %s due %s (the daily sweep, InvoiceDue)\n", first.Number, first.Total, first.Due)
	gx, err := s.c.Ledger.IssueInvoice(s.ctx, s.fay.ID, crm.NewInvoice{IdempotencyKey: "inv:GX-1", Customer: s.globex.ID, Currency: first.Currency,
		Lines: []crm.InvoiceLine{{Description: "route planning licence", Quantity: decimal.NewFromInt(12), UnitPrice: usd("150.00"), TaxRate: decimal.RequireFromString("0.08")}}})
	if err != nil {
		return err
	}
	s.gx = s.issued(gx)
	fmt.Printf("  %s to Globex: %s (net %s + tax %s at 8%%) due %s\n", gx.Number, gx.Total, gx.Net, gx.Tax, gx.Due)

	s.on(time.February, 20)
	wire := crm.NewPayment{Allocation: crm.AllocateOldestFirst, IdempotencyKey: "bank:GX-77", Customer: s.globex.ID, Amount: usd("2000.00"), Reference: "wire GX-77"}
	over, err := s.c.Ledger.ReceivePayment(s.ctx, s.fay.ID, wire)
	if err != nil {
		return err
	}
	fmt.Printf("  Globex pays %s: %d allocation(s); the overpayment stays their credit\n", over.Payment.Amount, len(over.Allocations))
	if again, err := s.c.Ledger.ReceivePayment(s.ctx, s.fay.ID, wire); err == nil && again.Duplicate {
		fmt.Println("  the bank feed sends the same payment again: recognised by its key, nothing posted twice")
	}

	s.on(time.March, 25)
	// Ahead of its due date (2 April), at the customer's request: by hand.
	second, err := s.c.Contracts.InvoiceInstallment(s.ctx, s.fay.ID, crm.InvoiceInstallmentRequest{Contract: s.contract.ID, Installment: 2, IdempotencyKey: "inv:NW-2"})
	if err != nil {
		return err
	}
	s.issued(second)
	fmt.Printf("  %s to Northwind, installment 2: %s due %s (ahead of its date, by hand)\n", second.Number, second.Total, second.Due)
	late, err := s.c.Ledger.ReceivePayment(s.ctx, s.fay.ID, crm.NewPayment{Allocation: crm.AllocateOldestFirst, IdempotencyKey: "bank:NW-1", Customer: s.northwind.ID, Amount: usd("4000.00"), Reference: "partial"})
	if err != nil {
		return err
	}
	fmt.Printf("  Northwind, late, pays %s of installment 1 (%d allocation)\n", late.Payment.Amount, len(late.Allocations))
	return nil
}

// agingAndStatement prints the aging as of two dates, who owes what, and
// Northwind's statement.
func (s *story) agingAndStatement() error {
	for _, asOf := range []crm.Date{{Year: 2026, Month: 3, Day: 1}, crm.DateOf(s.clock.Now())} {
		aging, err := s.c.Receivables.Aging(s.ctx, s.fay.ID, crm.AgingQuery{AsOf: asOf})
		if err != nil {
			return err
		}
		fmt.Printf("\nAging as of %s:\n  %-20s %s %12s\n", asOf, "", row(aging.Buckets), "total")
		for _, r := range aging.Rows {
			var cells []string
			for _, m := range r.Buckets {
				cells = append(cells, fixed(m))
			}
			fmt.Printf("  %-20s %s %12s\n", s.names[r.Customer], row(cells), r.Total)
		}
	}
	if err := s.debts(); err != nil {
		return err
	}
	statement, err := s.c.Receivables.Statement(s.ctx, s.fay.ID, crm.StatementQuery{Customer: s.northwind.ID, Currency: crm.USD})
	if err != nil {
		return err
	}
	fmt.Println("\nNorthwind's statement:")
	for _, l := range statement.Lines {
		fmt.Printf("  %s  %-12s %-34s %10s %10s %12s\n", l.Effective, l.Kind, clip(l.Description, 34), fixed(l.Debit), fixed(l.Credit), l.Balance)
	}
	return nil
}

// debts prints what each customer owes and the credit they have, today.
func (s *story) debts() error {
	debts, err := s.c.Receivables.Debts(s.ctx, s.fay.ID, crm.ReceivableQuery{})
	if err != nil {
		return err
	}
	fmt.Printf("\nWho owes and who has credit on %s:\n", crm.DateOf(s.clock.Now()))
	for _, d := range debts {
		fmt.Printf("  %-20s owes %12s   unapplied credit %10s\n", s.names[d.Customer], d.Owed, d.Credit)
	}
	return nil
}

// finalBalances closes the story: who owes what, and the ledger verified.
func (s *story) finalBalances() error {
	if err := s.debts(); err != nil {
		return err
	}
	if err := s.c.Ledger.Verify(s.ctx, s.fay.ID); err != nil {
		return err
	}
	fmt.Println("\nLedger verified: every entry balances, open items reconcile with the account balances.")
	return nil
}

func row(cells []string) string {
	var b strings.Builder
	for _, c := range cells {
		fmt.Fprintf(&b, "%10s", c)
	}
	return b.String()
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}
