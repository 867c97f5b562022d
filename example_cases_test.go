package crm_test

import (
	"context"
	"fmt"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/memory"
)

// A bank's contact center: an agent records a good visit at the branch,
// then a complaint at the card hotline with a promise to settle it in two
// days. Nobody does; the supervisor's periodic check finds the promise
// broken and drops the customer to annoyed on the day it fell due, not the
// day the check ran. The late resolution is recorded on the case, and the
// ladder's history says why each move happened.
func ExampleCaseService_CheckPromises() {
	ctx := context.Background()
	clock := crm.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	c, err := crm.New(memory.New(), crm.WithClock(clock))
	if err != nil {
		fmt.Println(err)
		return
	}
	admin, _ := c.Users.Bootstrap(ctx, crm.NewUser{Name: "Ada", Email: "ada@example.com"})
	agent, _ := c.Users.Create(ctx, admin.ID, crm.NewUser{Name: "Aga", Role: crm.RoleRep, Team: "cards"})
	supervisor, _ := c.Users.Create(ctx, admin.ID, crm.NewUser{Name: "Sue", Role: crm.RoleManager, Team: "cards"})
	bank, err := c.Experience.CreateTouchpointMap(ctx, admin.ID, crm.NewTouchpointMap{Name: "Retail bank", Touchpoints: []crm.Touchpoint{
		{Key: "branch", Name: "Branch", Medium: crm.MediumInPerson, Phase: crm.PhaseOrdering, Department: "retail"},
		{Key: "hotline", Name: "Card hotline", Channel: crm.ChannelContactCenter, Medium: crm.MediumPhone, Phase: crm.PhaseSupport, Department: "cards"},
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	jane, _ := c.Customers.Create(ctx, agent.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: "Jane Doe"})
	five := 5

	// Interactions need their map, touchpoint, time and direction.
	visit, err := c.Experience.RecordInteraction(ctx, agent.ID, crm.NewInteraction{Customer: jane.ID, Map: bank.ID, Touchpoint: "branch",
		At: clock.Now(), Direction: crm.Inbound, Resolved: true, Sentiment: crm.Positive, Survey: crm.Survey{CSAT: &five}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("after the visit:", visit.Moves[0].To)

	clock.Advance(24 * time.Hour)
	opened, err := c.Cases.Open(ctx, agent.ID, crm.NewCase{Customer: jane.ID, Kind: crm.Complaint, Subject: "card blocked abroad",
		Map: bank.ID, Touchpoint: "hotline", PromisedBy: clock.Now().Add(48 * time.Hour)})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("case:", opened.Case.Status, "promised by", opened.Case.PromisedBy.Format(time.DateOnly))

	clock.Advance(72 * time.Hour) // run CheckPromises periodically: here, a day after the promise fell due
	report, err := c.Cases.CheckPromises(ctx, supervisor.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("promises broken:", report.Broken)

	if _, err := c.Cases.Start(ctx, agent.ID, crm.StartCaseRequest{Case: opened.Case.ID}); err != nil {
		fmt.Println(err)
		return
	}
	resolved, err := c.Cases.Resolve(ctx, agent.ID, crm.ResolveCaseRequest{Case: opened.Case.ID, Note: "card unblocked, fee refunded"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("case:", resolved.Case.Status, "promise broken:", resolved.Case.PromiseBroken)

	history, err := c.Ladder.History(ctx, agent.ID, jane.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range history {
		fmt.Printf("%s  %-11s -> %-11s %s\n", m.At.Format(time.DateOnly), m.From, m.To, m.ReasonText())
	}
	// Output:
	// after the visit: satisfied
	// case: opened promised by 2026-03-05
	// promises broken: 1
	// case: resolved promise broken: true
	// 2026-03-02  indifferent -> satisfied   experience at branch: sentiment 1 +8, CSAT 5 +10, resolved +4
	// 2026-03-05  satisfied   -> annoyed     broken_promise at hotline: broken promise -30 - promised by 2026-03-05T09:00:00Z
}
