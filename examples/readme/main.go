// Command readme is the code of the README's "A taste of the API", kept
// here so that it compiles and runs: its test checks that the README
// shows exactly the lines between the TASTE markers.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/sqlite"
	"github.com/shopspring/decimal"
)

func main() {
	ctx := context.Background()
	// TASTE START
	check := func(err error) {
		if err != nil {
			log.Fatal(err)
		}
	}
	store, err := sqlite.Open(ctx, "crm.db") // creates and migrates the file
	check(err)
	defer store.Close()
	c, err := crm.New(store)
	check(err)

	admin, err := c.Users.Bootstrap(ctx, crm.NewUser{Name: "Ada", Email: "ada@example.com"})
	check(err) // the first admin, once: a second run on the same file is a conflict
	manager, _ := c.Users.Create(ctx, admin.ID, crm.NewUser{Name: "Max", Role: crm.RoleManager, Team: "north"})
	ann, _ := c.Users.Create(ctx, admin.ID, crm.NewUser{Name: "Ann", Role: crm.RoleRep, Team: "north"})
	ben, _ := c.Users.Create(ctx, admin.ID, crm.NewUser{Name: "Ben", Role: crm.RoleRep, Team: "north"})
	fay, _ := c.Users.Create(ctx, admin.ID, crm.NewUser{Name: "Fay", Role: crm.RoleFinance})

	acme, err := c.Customers.Create(ctx, ann.ID, crm.NewCustomer{Kind: crm.Distributor, Name: "Acme", Tags: []string{"eu"}})
	check(err)
	acme, err = c.Customers.Update(ctx, ann.ID, crm.CustomerPatch{
		Customer: acme.ID, AddTags: []string{"key"},
		IfVersion: acme.Version, // optimistic: a stale version is ErrConflict
	})
	check(err)

	// Ann leaves: she can no longer act, and her manager hands her accounts over.
	_, _ = c.Users.Deactivate(ctx, admin.ID, crm.DeactivateUserRequest{User: ann.ID, Reason: "left the company"})
	moved, err := c.Customers.HandOver(ctx, manager.ID, crm.HandOverRequest{From: ann.ID, To: ben.ID, Reason: "Ann left"})
	check(err)
	fmt.Println(moved.Moved.Customers, "customers now Ben's")

	// Errors are typed: errors.Is for the kind, errors.As for the details.
	_, err = c.Customers.Get(ctx, ann.ID, acme.ID)
	var forbidden *crm.ForbiddenError
	if errors.As(err, &forbidden) {
		fmt.Println(forbidden.Reason) // user is deactivated
	}

	// Sales: a pipeline with the default stages, a deal won at its amount.
	pipeline, _ := c.Deals.CreatePipeline(ctx, admin.ID, crm.NewPipeline{Name: "New business", Currency: crm.USD})
	deal, _ := c.Deals.Open(ctx, ben.ID, crm.NewDeal{Pipeline: pipeline.ID, Customer: acme.ID, Title: "Fleet",
		Amount: crm.MoneyFromMinor(12_000_00, crm.USD)})
	deal, _ = c.Deals.Win(ctx, ben.ID, crm.WinDealRequest{Deal: deal.ID}) // nil Amount: the deal's own

	// Receivables: an invoice, a payment applied oldest due first, the aging.
	price, _ := crm.ParseMoney("1000.00", "USD")
	_, _ = c.Ledger.IssueInvoice(ctx, fay.ID, crm.NewInvoice{Customer: acme.ID, Currency: crm.USD,
		Lines: []crm.InvoiceLine{{Description: "Fleet licence", Quantity: decimal.NewFromInt(1), UnitPrice: price}}})
	receipt, err := c.Ledger.ReceivePayment(ctx, fay.ID, crm.NewPayment{Customer: acme.ID, Amount: price,
		Reference: "wire 8812", Allocation: crm.AllocateOldestFirst, IdempotencyKey: "bank:8812"})
	check(err)
	aging, err := c.Receivables.Aging(ctx, fay.ID, crm.AgingQuery{}) // as of today, default buckets
	check(err)
	fmt.Println(len(receipt.Allocations), aging.Buckets)

	// The audit trail: people read it as themselves (an admin may, a rep may not);
	// a system that follows it reads c.Events.Feed from the last Seq it saw.
	for e, err := range c.Events.List(ctx, admin.ID, 0) {
		check(err)
		fmt.Println(e.Seq, e.Type)
	}
	head, err := c.Events.Verify(ctx)
	check(err)
	fmt.Println("hash chain verified up to", head.Seq)
	// TASTE END
}
