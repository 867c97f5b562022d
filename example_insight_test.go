package crm_test

import (
	"context"
	"fmt"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/memory"
)

// Every customer passes the website, so it comes before most moves on the
// ladder; that is traffic. Per contact, against the base rate of all
// touchpoints, the hotline is where customers fall, and the website where
// they rise. The branch had too few contacts to judge.
func ExampleExperienceService_MomentsOfTruth() {
	ctx := context.Background()
	clock := crm.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	c, _ := crm.New(memory.New(), crm.WithClock(clock))
	admin, _ := c.Users.Bootstrap(ctx, crm.NewUser{Name: "Ada"})
	m, _ := c.Experience.CreateTouchpointMap(ctx, admin.ID, crm.NewTouchpointMap{Name: "Bank", Touchpoints: []crm.Touchpoint{
		{Key: "web", Name: "Website", Channel: crm.ChannelWeb},
		{Key: "hotline", Name: "Hotline", Channel: crm.ChannelContactCenter},
		{Key: "branch", Name: "Branch", Channel: crm.ChannelBranch},
	}})
	contact := func(cu crm.Customer, key string, s crm.Sentiment, resolved bool) {
		_, err := c.Experience.RecordInteraction(ctx, admin.ID, crm.NewInteraction{Customer: cu.ID, Map: m.ID, Touchpoint: key,
			At: clock.Now(), Direction: crm.Inbound, Sentiment: s, Resolved: resolved})
		if err != nil {
			fmt.Println(err)
		}
		clock.Advance(time.Hour)
	}
	for i := range 30 {
		cu, _ := c.Customers.Create(ctx, admin.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: fmt.Sprint("Customer ", i)})
		contact(cu, "web", crm.VeryPositive, true)
		if i%2 == 0 && i < 6 {
			contact(cu, "branch", crm.VeryNegative, false)
		}
		if i%2 == 0 {
			contact(cu, "hotline", crm.VeryNegative, false)
		}
	}

	r, _ := c.Experience.MomentsOfTruth(ctx, admin.ID, crm.MomentsQuery{MinContacts: 10})
	fmt.Printf("base: %d moves up, %d down after %d contacts\n", r.Base.Up, r.Base.Down, r.Base.Contacts)
	for _, mo := range r.Up {
		fmt.Printf("up   %-7s %2d after %2d contacts, %.2fx the base rate\n", mo.Touchpoint, mo.Up, mo.Contacts, mo.UpLift)
	}
	for _, mo := range r.Down {
		fmt.Printf("down %-7s %2d after %2d contacts, %.2fx the base rate\n", mo.Touchpoint, mo.Down, mo.Contacts, mo.DownLift)
	}
	for _, mo := range r.TooFew {
		fmt.Printf("too few contacts: %s (%d)\n", mo.Touchpoint, mo.Contacts)
	}
	// Output:
	// base: 30 moves up, 30 down after 48 contacts
	// up   web     30 after 30 contacts, 1.60x the base rate
	// down hotline 12 after 15 contacts, 1.28x the base rate
	// down web     15 after 30 contacts, 0.80x the base rate
	// too few contacts: branch (3)
}

// The journey map scores each step by the mean satisfaction of its
// contacts, on Mermaid's 1-5 scale, and gives no score to a step nobody
// reached.
func ExampleJourneyTemplate_Mermaid() {
	m := crm.TouchpointMap{Name: "Bank", Touchpoints: []crm.Touchpoint{
		{Key: "web", Name: "Card application", Channel: crm.ChannelWeb, Phase: crm.PhaseOrdering},
		{Key: "hotline", Name: "Card hotline", Channel: crm.ChannelContactCenter, Phase: crm.PhaseSupport},
		{Key: "app", Name: "Card activation", Channel: crm.ChannelMobileApp, Phase: crm.PhaseSupport},
	}}
	resolved, _ := m.Resolve()
	byKey := map[string]crm.ResolvedTouchpoint{}
	for _, r := range resolved {
		byKey[r.Key] = r
	}
	stats := []crm.ExperienceCounts{
		{Group: "web", Interactions: 40, SatisfactionSum: 174}, // 4.35
		{Group: "hotline", Interactions: 12, SatisfactionSum: 22},
	}
	tmpl := crm.JourneyTemplate{Name: "Get a credit card", Steps: []string{"web", "hotline", "app"}}
	fmt.Print(tmpl.Mermaid(byKey, stats))
	// Output:
	// journey
	//     title Get a credit card
	//     section ordering
	//       Card application: 4.4: Customer
	//     section support
	//       Card hotline: 1.8: Customer
	//       %% Card activation: no contacts, no score
}
