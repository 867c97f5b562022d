package crm_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/memory"
)

// A person asks for their data: an admin exports everything crmkit holds
// about them as one JSON document, and the export is recorded on the
// customer, without the data.
func ExampleCustomerService_Export() {
	ctx := context.Background()
	clock := crm.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	c, _ := crm.New(memory.New(), crm.WithClock(clock))
	admin, _ := c.Users.Bootstrap(ctx, crm.NewUser{Name: "Ada", Email: "ada@example.com"})
	ann, _ := c.Users.Create(ctx, admin.ID, crm.NewUser{Name: "Ann", Role: crm.RoleRep, Team: "north"})
	jane, _ := c.Customers.Create(ctx, ann.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: "Jane Roe"})
	_, _ = c.Activities.Log(ctx, ann.ID, crm.NewActivity{Type: crm.ActivityCall, Customer: jane.ID, Subject: "Asked about her data"})

	_, err := c.Customers.Export(ctx, ann.ID, jane.ID)
	fmt.Println("Ann may export:", err == nil)
	x, _ := c.Customers.Export(ctx, admin.ID, jane.ID)
	doc, _ := json.Marshal(x)
	var keys map[string]json.RawMessage
	_ = json.Unmarshal(doc, &keys)
	fmt.Println("keys:", slices.Sorted(maps.Keys(keys)))
	fmt.Println("format:", x.Format, "at", x.GeneratedAt.Format(time.RFC3339))
	fmt.Println("customer:", x.Customer.Name, "- activity:", x.Activities[0].Subject)
	for _, e := range x.History {
		fmt.Println("history:", e.Type)
	}
	h, _ := c.Customers.History(ctx, admin.ID, jane.ID)
	last := h[len(h)-1]
	fmt.Println("recorded:", last.Type, "by Ada:", last.Actor == admin.ID, string(last.Data))
	// Output:
	// Ann may export: false
	// keys: [activities customer format generated_at generated_by history]
	// format: crmkit.personal_data.v1 at 2026-03-02T09:00:00Z
	// customer: Jane Roe - activity: Asked about her data
	// history: customer.created
	// history: activity.logged
	// recorded: customer.exported by Ada: true {"format":"crmkit.personal_data.v1","records":{"activity":1,"customer":1,"event":2}}
}
