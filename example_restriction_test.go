package crm_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/memory"
)

// A customer contests the accuracy of their data: the privacy officer
// restricts its processing. The record is kept and still read, the rep's
// call is refused, the working list leaves the customer out, the privacy
// officer's list names them; once lifted, work goes on.
func ExampleCustomerService_Restrict() {
	ctx := context.Background()
	clock := crm.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	c, _ := crm.New(memory.New(), crm.WithClock(clock))
	admin, _ := c.Users.Bootstrap(ctx, crm.NewUser{Name: "Ada", Email: "ada@example.com"})
	ann, _ := c.Users.Create(ctx, admin.ID, crm.NewUser{Name: "Ann", Role: crm.RoleRep, Team: "north"})
	jane, _ := c.Customers.Create(ctx, ann.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: "Jane Roe"})

	jane, _ = c.Customers.Restrict(ctx, admin.ID, crm.RestrictionRequest{Customer: jane.ID, Reason: "accuracy contested"})
	fmt.Println("restricted since:", jane.RestrictedAt.Format(time.DateOnly))

	_, err := c.Activities.Log(ctx, ann.ID, crm.NewActivity{Type: crm.ActivityCall, Customer: jane.ID, Subject: "Offer"})
	var re *crm.RestrictedError
	fmt.Println("call refused:", errors.As(err, &re), errors.Is(err, crm.ErrRestricted), "-", re.Write)

	count := func(actor crm.ID, f crm.CustomerFilter) int {
		n := 0
		for _, err := range c.Customers.List(ctx, actor, f) {
			if err == nil {
				n++
			}
		}
		return n
	}
	fmt.Println("in Ann's list:", count(ann.ID, crm.CustomerFilter{}))
	fmt.Println("in the privacy officer's list:", count(admin.ID, crm.CustomerFilter{Restricted: crm.RestrictedOnly}))

	_, _ = c.Customers.LiftRestriction(ctx, admin.ID, crm.RestrictionRequest{Customer: jane.ID, Reason: "data verified, Jane told"})
	_, err = c.Activities.Log(ctx, ann.ID, crm.NewActivity{Type: crm.ActivityCall, Customer: jane.ID, Subject: "Offer"})
	fmt.Println("call after lifting:", err)
	// Output:
	// restricted since: 2026-03-02
	// call refused: true true - log an activity
	// in Ann's list: 0
	// in the privacy officer's list: 1
	// call after lifting: <nil>
}

// Leads never converted are kept 12 months: the retention sweep erases
// those nobody changed or contacted since, each erasure an event naming
// the rule; a lead that became an opportunity stays.
func ExampleCustomerService_ApplyRetention() {
	ctx := context.Background()
	clock := crm.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	c, _ := crm.New(memory.New(), crm.WithClock(clock),
		crm.WithRetention(crm.RetentionRule{Kind: crm.RetainLeads, Months: 12}))
	admin, _ := c.Users.Bootstrap(ctx, crm.NewUser{Name: "Ada", Email: "ada@example.com"})
	lead, _ := c.Customers.Create(ctx, admin.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: "Jane Roe",
		Contacts: []crm.Contact{{Name: "Jane Roe", Email: "jane@example.com"}}})
	_, _ = c.Customers.Create(ctx, admin.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: "John Doe", Lifecycle: crm.LifecycleOpportunity})

	clock.Advance(400 * 24 * time.Hour)
	r, _ := c.Customers.ApplyRetention(ctx, admin.ID, crm.RetentionQuery{})
	for _, e := range r.Erased {
		fmt.Println("erased by rule", e.Rule.Kind, "as of", crm.DateOf(e.Cutoff), "- the lead:", e.Erasure.Customer == lead.ID)
	}
	got, _ := c.Customers.Get(ctx, admin.ID, lead.ID)
	fmt.Println("name now:", got.Name, "contacts:", len(got.Contacts))
	again, _ := c.Customers.ApplyRetention(ctx, admin.ID, crm.RetentionQuery{})
	fmt.Println("erased again:", len(again.Erased))
	// Output:
	// erased by rule leads as of 2026-04-06 - the lead: true
	// name now: [erased] contacts: 0
	// erased again: 0
}
