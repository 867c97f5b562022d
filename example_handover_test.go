package crm_test

import (
	"context"
	"fmt"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/memory"
)

// A rep leaves: her manager hands over her accounts with their work in
// progress, and the report says what moved and what stayed with her.
func ExampleCustomerService_HandOver_workInProgress() {
	ctx := context.Background()
	clock := crm.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	c, _ := crm.New(memory.New(), crm.WithClock(clock))
	admin, _ := c.Users.Bootstrap(ctx, crm.NewUser{Name: "Ada", Email: "ada@example.com"})
	max, _ := c.Users.Create(ctx, admin.ID, crm.NewUser{Name: "Max", Role: crm.RoleManager, Team: "north"})
	ann, _ := c.Users.Create(ctx, admin.ID, crm.NewUser{Name: "Ann", Role: crm.RoleRep, Team: "north"})
	ben, _ := c.Users.Create(ctx, admin.ID, crm.NewUser{Name: "Ben", Role: crm.RoleRep, Team: "north"})

	acme, _ := c.Customers.Create(ctx, ann.ID, crm.NewCustomer{Kind: crm.Distributor, Name: "Acme"})
	p, _ := c.Deals.CreatePipeline(ctx, admin.ID, crm.NewPipeline{Name: "New business", Currency: crm.USD})
	usd := func(n int64) crm.Money { return crm.MoneyFromMinor(n*100, crm.USD) }
	fleet, _ := c.Deals.Open(ctx, ann.ID, crm.NewDeal{Pipeline: p.ID, Customer: acme.ID, Title: "Fleet", Amount: usd(20_000)})
	parts, _ := c.Deals.Open(ctx, ann.ID, crm.NewDeal{Pipeline: p.ID, Customer: acme.ID, Title: "Parts", Amount: usd(3_000)})
	_, _ = c.Deals.Win(ctx, ann.ID, crm.WinDealRequest{Deal: parts.ID})
	_, _ = c.Activities.Log(ctx, ann.ID, crm.NewActivity{Type: crm.ActivityCall, Customer: acme.ID, Deal: fleet.ID,
		Subject: "Pricing", FollowUp: crm.Date{Year: 2026, Month: time.March, Day: 9}})

	_, _ = c.Users.Deactivate(ctx, admin.ID, crm.DeactivateUserRequest{User: ann.ID, Reason: "left the company"})
	r, _ := c.Customers.HandOver(ctx, max.ID, crm.HandOverRequest{From: ann.ID, To: ben.ID, Reason: "Ann left"})
	fmt.Printf("moved: %d customer, %d deal, %d follow-up\n", r.Moved.Customers, r.Moved.Deals, r.Moved.FollowUps)
	for _, it := range r.StayedItems {
		fmt.Println("stayed:", it.Kind, it.Title, "-", it.Reason)
	}
	d, _ := c.Deals.Get(ctx, ben.ID, fleet.ID)
	fmt.Println("Fleet is Ben's:", d.Owner == ben.ID)
	// Output:
	// moved: 1 customer, 1 deal, 1 follow-up
	// stayed: deal Parts - closed_deal
	// Fleet is Ben's: true
}

// The public pool: a customer nobody followed up for 30 days goes back to
// the team's pool, and another rep of the team claims them.
func ExampleCustomerService_ReturnIdle() {
	ctx := context.Background()
	clock := crm.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	c, _ := crm.New(memory.New(), crm.WithClock(clock), crm.WithPublicPool(crm.PoolRule{IdleDays: 30}))
	admin, _ := c.Users.Bootstrap(ctx, crm.NewUser{Name: "Ada", Email: "ada@example.com"})
	ann, _ := c.Users.Create(ctx, admin.ID, crm.NewUser{Name: "Ann", Role: crm.RoleRep, Team: "north"})
	ben, _ := c.Users.Create(ctx, admin.ID, crm.NewUser{Name: "Ben", Role: crm.RoleRep, Team: "north"})
	acme, _ := c.Customers.Create(ctx, ann.ID, crm.NewCustomer{Kind: crm.Distributor, Name: "Acme"})

	clock.Advance(31 * 24 * time.Hour)
	r, _ := c.Customers.ReturnIdle(ctx, admin.ID)
	fmt.Println("returned to the pool:", r.Returned, "since before", crm.DateOf(r.Cutoff))
	for cu := range c.Customers.Pool(ctx, ben.ID) {
		fmt.Println("in north's pool:", cu.Name, cu.Status)
	}
	got, _ := c.Customers.Claim(ctx, ben.ID, crm.ClaimCustomerRequest{Customer: acme.ID, Reason: "I know them"})
	fmt.Println("claimed by Ben:", got.Owner == ben.ID, got.Status)
	// Output:
	// returned to the pool: 1 since before 2026-03-03
	// in north's pool: Acme pooled
	// claimed by Ben: true active
}
