package crm_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/memory"
)

// Consent for a purpose, given with proof, withdrawn by a phone call to
// the contact center, and given again: MayContact says, for any time,
// whether the person may be contacted and which record decides, and tells
// "never asked" from "withdrawn". The loyalty programme's news counts on
// the ladder: each new consent is a good experience, and the two lift
// Jane to satisfied; the withdrawal weighs nothing.
func ExampleCustomerService_MayContact() {
	ctx := context.Background()
	clock := crm.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	c, _ := crm.New(memory.New(), crm.WithClock(clock), crm.WithConsentEvidence("loyalty_news", crm.Positive))
	admin, _ := c.Users.Bootstrap(ctx, crm.NewUser{Name: "Ada", Email: "ada@example.com"})
	ann, _ := c.Users.Create(ctx, admin.ID, crm.NewUser{Name: "Ann", Role: crm.RoleRep, Team: "north"})
	agent, _ := c.Users.Create(ctx, admin.ID, crm.NewUser{Name: "Sue", Role: crm.RoleRep, Team: "service"})
	jane, _ := c.Customers.Create(ctx, ann.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: "Jane Roe"})
	day := func(d int) time.Time { return time.Date(2026, 3, d, 12, 0, 0, 0, time.UTC) }

	clock.Set(day(20))
	_, _ = c.Customers.GiveConsent(ctx, ann.ID, crm.GiveConsentRequest{Customer: jane.ID, Purpose: "loyalty_news", At: day(3),
		Source: "web_form", Proof: "sign-up form 1001, box 'Send me the club news' ticked"})
	_, err := c.Customers.WithdrawConsent(ctx, agent.ID, crm.WithdrawConsentRequest{Customer: jane.ID, Purpose: "loyalty_news",
		At: day(10), Source: "phone"})
	fmt.Println("the contact center records a withdrawal:", err == nil)
	_, _ = c.Customers.GiveConsent(ctx, ann.ID, crm.GiveConsentRequest{Customer: jane.ID, Purpose: "loyalty_news", At: day(15),
		Source: "paper_form", Proof: "club card application, scan 77"})

	for _, at := range []time.Time{day(2), day(5), day(12), day(16)} {
		d, _ := c.Customers.MayContact(ctx, ann.ID, crm.MayContactQuery{Customer: jane.ID, Purpose: "loyalty_news", At: at})
		fmt.Println(strings.TrimSpace(fmt.Sprintf("%s: allowed %-5v %-9s %s", at.Format("Jan 2"), d.Allowed, d.Status, d.Record.Proof)))
	}
	d, _ := c.Customers.MayContact(ctx, ann.ID, crm.MayContactQuery{Customer: jane.ID, Purpose: "sms_offers"})
	fmt.Println("sms_offers now:", d.Status)

	moves, _ := c.Ladder.History(ctx, ann.ID, jane.ID)
	for _, m := range moves {
		fmt.Println("ladder:", m.From, "->", m.To, "by", m.Evidence.Kind, "from", m.Evidence.Source)
	}
	// Output:
	// the contact center records a withdrawal: true
	// Mar 2: allowed false none
	// Mar 5: allowed true  given     sign-up form 1001, box 'Send me the club news' ticked
	// Mar 12: allowed false withdrawn
	// Mar 16: allowed true  given     club card application, scan 77
	// sms_offers now: none
	// ladder: indifferent -> satisfied by experience from consent
}
