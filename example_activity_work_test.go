package crm_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/crmkit/crm"
)

// Activities are work with a life: a follow-up has a time and is
// rescheduled, completed with its outcome, or cancelled for a reason;
// completing it twice is refused. The work report lists what a manager
// acts on: the key accounts nobody touched for N days and the open deals
// with no next activity planned.
func ExampleActivityService_Reschedule() {
	ctx, t := context.Background(), newExampleSales()
	c, clock, ann, pipeline := t.c, t.clock, t.ann, t.pipeline
	globex, _ := c.Customers.Create(ctx, ann.ID, crm.NewCustomer{Kind: crm.Distributor, Name: "Globex", KeyAccount: true})
	initech, _ := c.Customers.Create(ctx, ann.ID, crm.NewCustomer{Kind: crm.Distributor, Name: "Initech", KeyAccount: true})
	fleet, _ := c.Deals.Open(ctx, ann.ID, crm.NewDeal{Pipeline: pipeline.ID, Customer: globex.ID, Title: "Globex fleet"})
	_, _ = c.Deals.Open(ctx, ann.ID, crm.NewDeal{Pipeline: pipeline.ID, Customer: initech.ID, Title: "Initech depot"})

	call, err := c.Activities.Log(ctx, ann.ID, crm.NewActivity{Type: crm.ActivityCall, Customer: globex.ID, Deal: fleet.ID,
		Subject: "pricing call", FollowUpAt: time.Date(2026, 3, 4, 15, 0, 0, 0, time.UTC)})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(call.Status, call.FollowUp, call.FollowUpAt.Format("15:04"))

	call, _ = c.Activities.Reschedule(ctx, ann.ID, crm.RescheduleActivityRequest{Activity: call.ID,
		FollowUpAt: time.Date(2026, 3, 6, 10, 30, 0, 0, time.UTC)})
	fmt.Println(call.Status, call.FollowUp, call.FollowUpAt.Format("15:04"))

	call, _ = c.Activities.Complete(ctx, ann.ID, crm.CompleteActivityRequest{Activity: call.ID, Outcome: "price agreed"})
	fmt.Println(call.Status, call.Outcome)
	_, err = c.Activities.Complete(ctx, ann.ID, crm.CompleteActivityRequest{Activity: call.ID})
	fmt.Println(errors.Is(err, crm.ErrInvalidTransition))

	task, _ := c.Activities.Log(ctx, ann.ID, crm.NewActivity{Type: crm.ActivityTask, Customer: globex.ID, Deal: fleet.ID,
		Subject: "send contract", FollowUp: crm.DateOf(clock.Now()).AddDays(2)})
	task, _ = c.Activities.Cancel(ctx, ann.ID, crm.CancelActivityRequest{Activity: task.ID, Reason: "they sign on paper"})
	fmt.Println(task.Status, "|", task.CancelReason, "| overdue later:", task.Overdue(task.FollowUp.AddDays(9)))

	clock.Advance(40 * 24 * time.Hour) // 11 April
	r, err := c.Activities.WorkReport(ctx, t.max.ID, crm.WorkQuery{Owner: ann.ID, UntouchedDays: 30})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("key accounts untouched for 30 days:", r.Counts.UntouchedKeyAccounts)
	for _, u := range r.Counts.Untouched {
		last := "never"
		if !u.LastTouched.IsZero() {
			last = u.LastTouched.Format("2006-01-02")
		}
		fmt.Printf("  %s, last touched %s\n", u.Name, last)
	}
	fmt.Println("deals with no next activity:", r.Counts.DealsWithoutNext)
	for _, d := range r.Counts.WithoutNext {
		fmt.Printf("  %s (%s)\n", d.Title, d.Stage)
	}
	// Output:
	// pending 2026-03-04 15:00
	// pending 2026-03-06 10:30
	// done price agreed
	// true
	// cancelled | they sign on paper | overdue later: false
	// key accounts untouched for 30 days: 2
	//   Initech, last touched never
	//   Globex, last touched 2026-03-02
	// deals with no next activity: 2
	//   Initech depot (prospecting)
	//   Globex fleet (prospecting)
}
