// Receivables walks a contract from draft to paid on crmkit's
// double-entry ledger: submitted, approved by a manager and finance,
// signed; its payment plan invoiced; one customer paying late, another
// paying too much; aging as of two dates; and the ledger verified.
//
//	go run ./examples/receivables [-db file.db]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/examples/internal/tempdb"
	"github.com/crmkit/crm/store/sqlite"
	"github.com/shopspring/decimal"
)

func main() {
	dbPath := flag.String("db", "", "SQLite file (default: a new file in a temporary directory)")
	flag.Parse()
	if err := run(context.Background(), *dbPath); err != nil {
		fmt.Fprintln(os.Stderr, "receivables:", err)
		os.Exit(1)
	}
}

func usd(s string) crm.Money {
	m, err := crm.ParseMoney(s, "USD")
	if err != nil {
		panic(err) // the amounts below are constants
	}
	return m
}

func run(ctx context.Context, path string) error {
	path, remove, err := tempdb.Path(path, "ledger.db")
	if err != nil {
		return err
	}
	defer remove()
	store, err := sqlite.Open(ctx, path)
	if err != nil {
		return err
	}
	defer store.Close()
	clock := crm.NewManualClock(time.Date(2026, 1, 12, 9, 0, 0, 0, time.UTC))
	c, err := crm.New(store, crm.WithClock(clock))
	if err != nil {
		return err
	}
	fmt.Printf("Receivables on crmkit (SQLite: %s)\n\n", path)

	admin, err := c.Users.Bootstrap(ctx, crm.NewUser{Name: "Ada Admin"})
	if err != nil {
		return err
	}
	mk := func(name string, role crm.Role) crm.User {
		u, e := c.Users.Create(ctx, admin.ID, crm.NewUser{Name: name, Role: role, Team: "north"})
		if e != nil && err == nil {
			err = e
		}
		return u
	}
	max, ann, fay := mk("Max Manager", crm.RoleManager), mk("Ann Rep", crm.RoleRep), mk("Fay Finance", crm.RoleFinance)
	if err != nil {
		return err
	}
	northwind, err := c.Customers.Create(ctx, ann.ID, crm.NewCustomer{Kind: crm.Distributor, Name: "Northwind Logistics"})
	if err != nil {
		return err
	}
	globex, err := c.Customers.Create(ctx, ann.ID, crm.NewCustomer{Kind: crm.Distributor, Name: "Globex Freight"})
	if err != nil {
		return err
	}
	names := map[crm.ID]string{northwind.ID: northwind.Name, globex.ID: globex.Name}

	fmt.Println("The contract:")
	ct, err := c.Contracts.Draft(ctx, ann.ID, crm.NewContract{Customer: northwind.ID, Title: "Fleet telematics, year 1",
		Amount: usd("24000.00"), Start: crm.Date{Year: 2026, Month: 2, Day: 1}, Template: crm.PlanSplit})
	if err != nil {
		return err
	}
	if _, err := c.Contracts.Sign(ctx, ann.ID, crm.SignContractRequest{Contract: ct.ID}); err != nil {
		fmt.Println("  signing before approval is refused:", err)
	}
	steps := []struct {
		who  crm.User
		what string
		do   func() (crm.Contract, error)
	}{
		{ann, "submits", func() (crm.Contract, error) {
			return c.Contracts.Submit(ctx, ann.ID, crm.SubmitContractRequest{Contract: ct.ID})
		}},
		{max, "approves (manager step)", func() (crm.Contract, error) {
			return c.Contracts.Approve(ctx, max.ID, crm.ApproveContractRequest{Contract: ct.ID, Comment: "terms as agreed"})
		}},
		{fay, "approves (finance step)", func() (crm.Contract, error) {
			return c.Contracts.Approve(ctx, fay.ID, crm.ApproveContractRequest{Contract: ct.ID, Comment: "credit check ok"})
		}},
		{ann, "records the customer's signature", func() (crm.Contract, error) {
			return c.Contracts.Sign(ctx, ann.ID, crm.SignContractRequest{Contract: ct.ID})
		}},
	}
	for _, s := range steps {
		clock.Advance(4 * time.Hour)
		if ct, err = s.do(); err != nil {
			return err
		}
		fmt.Printf("  %-11s %-32s -> %s\n", s.who.Name, s.what, ct.Status)
	}
	fmt.Printf("  payment plan %s:\n", ct.Plan.Template)
	for _, in := range ct.Plan.Installments {
		fmt.Printf("    #%d due %s  %s\n", in.Number, in.Due, in.Amount)
	}

	fmt.Println("\nInvoices, payments and allocations:")
	clock.Set(time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC))
	first, err := c.Contracts.InvoiceInstallment(ctx, fay.ID, crm.InvoiceInstallmentRequest{Contract: ct.ID, Installment: 1, IdempotencyKey: "inv:1001", Number: "INV-1001"})
	if err != nil {
		return err
	}
	fmt.Printf("  INV-1001 to Northwind, installment 1: %s due %s\n", first.Total, first.Due)
	gx, err := c.Ledger.IssueInvoice(ctx, fay.ID, crm.NewInvoice{IdempotencyKey: "inv:1002", Customer: globex.ID, Number: "INV-1002", Currency: first.Currency,
		Lines: []crm.InvoiceLine{{Description: "route planning licence", Quantity: decimal.NewFromInt(12), UnitPrice: usd("150.00"), TaxRate: decimal.RequireFromString("0.08")}}})
	if err != nil {
		return err
	}
	fmt.Printf("  INV-1002 to Globex: %s (net %s + tax %s) due %s\n", gx.Total, gx.Net, gx.Tax, gx.Due)

	clock.Set(time.Date(2026, 2, 20, 9, 0, 0, 0, time.UTC))
	over, err := c.Ledger.ReceivePayment(ctx, fay.ID, crm.NewPayment{Allocation: crm.AllocateOldestFirst, IdempotencyKey: "bank:GX-77", Customer: globex.ID, Amount: usd("2000.00"), Reference: "wire GX-77"})
	if err != nil {
		return err
	}
	fmt.Printf("  Globex pays %s: %d allocation(s); the overpayment stays their credit\n", over.Payment.Amount, len(over.Allocations))
	if _, err := c.Ledger.ReceivePayment(ctx, fay.ID, crm.NewPayment{Allocation: crm.AllocateOldestFirst, IdempotencyKey: "bank:GX-77", Customer: globex.ID, Amount: usd("2000.00"), Reference: "wire GX-77"}); err == nil {
		fmt.Println("  the bank feed sends the same payment again: recognised by its key, nothing posted twice")
	}

	clock.Set(time.Date(2026, 3, 25, 9, 0, 0, 0, time.UTC))
	second, err := c.Contracts.InvoiceInstallment(ctx, fay.ID, crm.InvoiceInstallmentRequest{Contract: ct.ID, Installment: 2, IdempotencyKey: "inv:1003", Number: "INV-1003"})
	if err != nil {
		return err
	}
	fmt.Printf("  INV-1003 to Northwind, installment 2: %s due %s\n", second.Total, second.Due)
	late, err := c.Ledger.ReceivePayment(ctx, fay.ID, crm.NewPayment{Allocation: crm.AllocateOldestFirst, IdempotencyKey: "bank:NW-1", Customer: northwind.ID, Amount: usd("4000.00"), Reference: "partial"})
	if err != nil {
		return err
	}
	fmt.Printf("  Northwind, late, pays %s of installment 1 (%d allocation)\n", late.Payment.Amount, len(late.Allocations))

	for _, asOf := range []crm.Date{{Year: 2026, Month: 3, Day: 1}, crm.DateOf(clock.Now())} {
		aging, err := c.Receivables.Aging(ctx, fay.ID, crm.AgingQuery{AsOf: asOf})
		if err != nil {
			return err
		}
		fmt.Printf("\nAging as of %s:\n  %-20s %s %12s\n", asOf, "", row(aging.Buckets), "total")
		for _, r := range aging.Rows {
			var cells []string
			for _, m := range r.Buckets {
				cells = append(cells, m.Amount().StringFixed(2))
			}
			fmt.Printf("  %-20s %s %12s\n", names[r.Customer], row(cells), r.Total)
		}
	}

	debts, err := c.Receivables.Debts(ctx, fay.ID, crm.ReceivableQuery{})
	if err != nil {
		return err
	}
	fmt.Println("\nWho owes and who has credit:")
	for _, d := range debts {
		fmt.Printf("  %-20s owes %12s   unapplied credit %10s\n", names[d.Customer], d.Owed, d.Credit)
	}
	statement, err := c.Receivables.Statement(ctx, fay.ID, crm.StatementQuery{Customer: northwind.ID, Currency: first.Currency})
	if err != nil {
		return err
	}
	fmt.Println("\nNorthwind's statement:")
	for _, l := range statement.Lines {
		fmt.Printf("  %s  %-12s %-34s %10s %10s %12s\n", l.Effective, l.Kind, clip(l.Description, 34), l.Debit.Amount().StringFixed(2), l.Credit.Amount().StringFixed(2), l.Balance)
	}
	if err := c.Ledger.Verify(ctx, fay.ID); err != nil {
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
