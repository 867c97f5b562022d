package crm_test

import (
	"context"
	"fmt"
	"time"

	"github.com/crmkit/crm"
)

// The funnel as of a past date reads the deals' stage history: as of the
// end of last month, the deal moved this month is back in the stage it
// was in then, the deal won this month is still open, and the deal opened
// this month is not there yet.
func ExampleDealService_FunnelAsOf() {
	ctx, t := context.Background(), newExampleSales()
	c, max, ann, pipeline := t.c, t.max, t.ann, t.pipeline
	acme, _ := c.Customers.Create(ctx, ann.ID, crm.NewCustomer{Kind: crm.Distributor, Name: "Acme"})
	open := func(title, amount string) crm.Deal {
		m, _ := crm.ParseMoney(amount, "USD")
		d, err := c.Deals.Open(ctx, ann.ID, crm.NewDeal{Pipeline: pipeline.ID, Customer: acme.ID, Title: title, Amount: m})
		if err != nil {
			fmt.Println(err)
		}
		return d
	}
	// 2 March: three deals opened, one qualified a week later.
	depot, vans := open("Depot", "10000.00"), open("Vans", "20000.00")
	parts := open("Parts", "5000.00")
	t.clock.Advance(7 * 24 * time.Hour)
	_, _ = c.Deals.Move(ctx, ann.ID, crm.MoveDealRequest{Deal: depot.ID, Stage: "qualification"})
	// April: the depot moves on, the parts are won, a new deal comes in.
	t.clock.Set(time.Date(2026, 4, 14, 10, 0, 0, 0, time.UTC))
	_, _ = c.Deals.Move(ctx, ann.ID, crm.MoveDealRequest{Deal: depot.ID, Stage: "proposal"})
	_, _ = c.Deals.Win(ctx, ann.ID, crm.WinDealRequest{Deal: parts.ID})
	open("Trucks", "90000.00")
	_ = vans

	q := crm.SalesQuery{Pipeline: pipeline.ID}
	endOfMarch, _ := crm.ParseDate("2026-03-31")
	for _, day := range []crm.Date{endOfMarch, {}} {
		var f crm.Funnel
		if day.IsZero() {
			f, _ = c.Deals.Funnel(ctx, max.ID, q)
		} else {
			f, _ = c.Deals.FunnelAsOf(ctx, max.ID, q, day)
		}
		fmt.Println(f.Title)
		for _, s := range append(f.Stages, f.Closed...) {
			fmt.Printf("  %-13s %d deal(s) %12s, weighted %11s\n", s.Name, s.Deals, s.Value, s.Weighted)
		}
	}
	// Output:
	// New business: open deals by stage at the end of 2026-03-31
	//   Prospecting   2 deal(s) 25000.00 USD, weighted 2500.00 USD
	//   Qualification 1 deal(s) 10000.00 USD, weighted 2000.00 USD
	//   Proposal      0 deal(s)     0.00 USD, weighted    0.00 USD
	//   Negotiation   0 deal(s)     0.00 USD, weighted    0.00 USD
	//   Won           0 deal(s)     0.00 USD, weighted    0.00 USD
	//   Lost          0 deal(s)     0.00 USD, weighted    0.00 USD
	// New business: open deals by stage
	//   Prospecting   2 deal(s) 110000.00 USD, weighted 11000.00 USD
	//   Qualification 0 deal(s)     0.00 USD, weighted    0.00 USD
	//   Proposal      1 deal(s) 10000.00 USD, weighted 5000.00 USD
	//   Negotiation   0 deal(s)     0.00 USD, weighted    0.00 USD
}
