package crm_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/memory"
	"github.com/shopspring/decimal"
)

func ExampleParseMoney() {
	price, _ := crm.ParseMoney("19.99", "USD")
	tax := price.Mul(decimal.RequireFromString("0.0825")).Round(crm.RoundHalfUp)
	total, _ := price.Add(tax)
	fmt.Println(price, "+", tax, "=", total)

	_, err := crm.ParseMoney("19.999", "USD")
	fmt.Println(errors.Is(err, crm.ErrPrecision))

	eur, _ := crm.ParseMoney("5.00", "EUR")
	_, err = price.Add(eur)
	var mismatch *crm.CurrencyMismatchError
	fmt.Println(errors.As(err, &mismatch), mismatch.Left, mismatch.Right)
	// Output:
	// 19.99 USD + 1.65 USD = 21.64 USD
	// true
	// true USD EUR
}

func ExampleMoney_Allocate() {
	contract, _ := crm.ParseMoney("1000.00", "USD")
	// 30% now, the balance later.
	parts, _ := contract.Allocate(30, 70)
	fmt.Println(parts[0], parts[1])

	// Three installments that add up exactly.
	installments, _ := contract.Split(3)
	sum, _ := crm.Sum(contract.Currency(), installments...)
	fmt.Println(installments, sum)
	// Output:
	// 300.00 USD 700.00 USD
	// [333.34 USD 333.33 USD 333.33 USD] 1000.00 USD
}

func ExampleNew() {
	ctx := context.Background()
	clock := crm.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	c, _ := crm.New(memory.New(), crm.WithClock(clock))

	admin, _ := c.Users.Bootstrap(ctx, crm.NewUser{Name: "Ada", Email: "ada@example.com"})
	ann, _ := c.Users.Create(ctx, admin.ID, crm.NewUser{Name: "Ann", Role: crm.RoleRep, Team: "north"})

	cust, _ := c.Customers.Create(ctx, ann.ID, crm.NewCustomer{
		Kind: crm.Distributor, Name: "Northwind Traders", Segment: "wholesale", Tags: []string{"eu", "key"},
	})
	fmt.Println(cust.Name, cust.Kind, cust.Tags, "owned by", cust.Owner == ann.ID, "in", cust.Team, "version", cust.Version)

	clock.Advance(time.Hour)
	cust, _ = c.Customers.Update(ctx, ann.ID, crm.CustomerPatch{Customer: cust.ID, KeyAccount: ptr(true)})
	fmt.Println("key account:", cust.KeyAccount, "version", cust.Version, "at", cust.UpdatedAt.Format(time.Kitchen))

	for e, err := range c.Events.Feed(ctx, 0) {
		if err != nil {
			panic(err)
		}
		fmt.Println(e.Seq, e.Time.Format(time.Kitchen), e.Type)
	}
	head, err := c.Events.Verify(ctx)
	fmt.Println("chain verified up to", head.Seq, err)
	// Output:
	// Northwind Traders distributor [eu key] owned by true in north version 1
	// key account: true version 2 at 10:00AM
	// 1 9:00AM user.created
	// 2 9:00AM user.created
	// 3 9:00AM customer.created
	// 4 10:00AM customer.updated
	// chain verified up to 4 <nil>
}

func ExampleCustomerService_HandOver() {
	ctx := context.Background()
	c, _ := crm.New(memory.New(), crm.WithClock(crm.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))))
	admin, _ := c.Users.Bootstrap(ctx, crm.NewUser{Name: "Ada"})
	max, _ := c.Users.Create(ctx, admin.ID, crm.NewUser{Name: "Max", Role: crm.RoleManager, Team: "north"})
	ann, _ := c.Users.Create(ctx, admin.ID, crm.NewUser{Name: "Ann", Role: crm.RoleRep, Team: "north"})
	ben, _ := c.Users.Create(ctx, admin.ID, crm.NewUser{Name: "Ben", Role: crm.RoleRep, Team: "north"})
	acme, _ := c.Customers.Create(ctx, ann.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: "Acme"})
	_, _ = c.Customers.Create(ctx, ann.ID, crm.NewCustomer{Kind: crm.Partner, Name: "Globex"})

	// Ann leaves the company; she can no longer change, archive or read anything.
	_, _ = c.Users.Deactivate(ctx, admin.ID, crm.DeactivateUserRequest{User: ann.ID, Reason: "left the company"})
	_, err := c.Customers.Archive(ctx, ann.ID, crm.ArchiveCustomerRequest{Customer: acme.ID, Reason: "taking it with me"})
	var forbidden *crm.ForbiddenError
	fmt.Println(errors.As(err, &forbidden), forbidden.Reason)

	// Her manager hands all her customers to Ben in one transaction.
	n, _ := c.Customers.HandOver(ctx, max.ID, crm.HandOverRequest{From: ann.ID, To: ben.ID, Reason: "Ann left"})
	fmt.Println("reassigned:", n.Moved.Customers)
	for cu, _ := range c.Customers.List(ctx, ben.ID, crm.CustomerFilter{}) {
		fmt.Println(cu.Name, "version", cu.Version)
	}
	// Output:
	// true user is deactivated
	// reassigned: 2
	// Acme version 2
	// Globex version 2
}

func ExampleCustomerService_Erase() {
	ctx := context.Background()
	c, _ := crm.New(memory.New(), crm.WithClock(crm.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))))
	admin, _ := c.Users.Bootstrap(ctx, crm.NewUser{Name: "Ada"})
	jane, _ := c.Customers.Create(ctx, admin.ID, crm.NewCustomer{
		Kind: crm.EndCustomer, Name: "Jane Roe",
		Attributes: map[string]string{"birthday": "1990-04-01"},
	})

	report, _ := c.Customers.Erase(ctx, admin.ID, crm.ErasureRequest{Customer: jane.ID, Reason: "GDPR art. 17 request #118"})
	hist, _ := c.Customers.History(ctx, admin.ID, jane.ID)
	fmt.Println("erased:", report.Fields, "redacted events:", len(report.RedactedEvents), "the creation's:", report.RedactedEvents[0] == hist[0].ID)

	created, _ := crm.DecodeChangeSet(hist[0].Data)
	fmt.Println(hist[0].Type, "redacted:", hist[0].Redacted)
	for _, ch := range created.Changes {
		if ch.Field != "owner" {
			fmt.Printf("  %s: %v\n", ch.Field, ch.To)
		}
	}
	var erased struct {
		Fields     []string
		Redactions []struct{ Event crm.ID } // each with the digest of what the erasure left there
		Reason     string
	}
	_ = json.Unmarshal(hist[1].Data, &erased)
	fmt.Println(hist[1].Type, erased.Fields, "vouches for the redaction of event", hist[0].Seq, erased.Redactions[0].Event == hist[0].ID, "-", erased.Reason)
	_, err := c.Events.Verify(ctx)
	fmt.Println("log verifies:", err == nil)
	// Output:
	// erased: [name attributes.birthday] redacted events: 1 the creation's: true
	// customer.created redacted: true
	//   kind: end_customer
	//   party: person
	//   name: [erased]
	//   status: active
	//   lifecycle: lead
	//   attributes.birthday: [erased]
	// customer.erased [name attributes.birthday] vouches for the redaction of event 2 true - GDPR art. 17 request #118
	// log verifies: true
}
