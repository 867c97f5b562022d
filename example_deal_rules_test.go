package crm_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/crmkit/crm"
)

// A deal signed on 31 March but entered on 1 April is won on the day it
// was signed (WonOn), so the forecast, the KPIs and the funnel as of a
// past day count it in March (Deal.ClosingAt), while ClosedAt keeps when
// it was entered. A win entered without WonOn counts today; a manager
// corrects its close date with a reason (CorrectClose), which the rep who
// owns it may not.
func ExampleDealService_Win_backDated() {
	ctx, t := context.Background(), newExampleSales()
	c, max, ann := t.c, t.max, t.ann
	acme, _ := c.Customers.Create(ctx, ann.ID, crm.NewCustomer{Kind: crm.Distributor, Name: "Acme"})
	open := func(title string) crm.Deal {
		amount, _ := crm.ParseMoney("12000.00", "USD")
		d, err := c.Deals.Open(ctx, ann.ID, crm.NewDeal{Pipeline: t.pipeline.ID, Customer: acme.ID, Title: title, Amount: amount})
		if err != nil {
			fmt.Println(err)
		}
		return d
	}
	depot, vans := open("Depot"), open("Vans")

	t.clock.Set(time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC))
	signed, _ := crm.ParseDate("2026-03-31")
	depot, _ = c.Deals.Win(ctx, ann.ID, crm.WinDealRequest{Deal: depot.ID, WonOn: signed})
	fmt.Println(depot.Title, depot.Status, depot.CloseDate, "entered", crm.DateOf(depot.ClosedAt), "closing", crm.DateOf(depot.ClosingAt()))
	tomorrow, _ := crm.ParseDate("2026-04-02")
	_, err := c.Deals.Win(ctx, ann.ID, crm.WinDealRequest{Deal: vans.ID, WonOn: tomorrow})
	fmt.Println(errors.Is(err, crm.ErrInvalid))
	vans, _ = c.Deals.Win(ctx, ann.ID, crm.WinDealRequest{Deal: vans.ID})
	fmt.Println(vans.Title, vans.Status, vans.CloseDate)

	fix := crm.CorrectCloseRequest{Deal: vans.ID, CloseDate: signed, Reason: "signed with the depot, entered late"}
	_, err = c.Deals.CorrectClose(ctx, ann.ID, fix)
	fmt.Println(errors.Is(err, crm.ErrForbidden))
	vans, _ = c.Deals.CorrectClose(ctx, max.ID, fix)
	fmt.Println(vans.Title, vans.Status, vans.CloseDate)

	lines, _ := c.Deals.Forecast(ctx, max.ID, crm.SalesQuery{Pipeline: t.pipeline.ID})
	for _, l := range lines {
		fmt.Println(l.Month, l.Category, l.Deals, l.Amount)
	}
	march, _ := crm.ParseDate("2026-03-01")
	k, _ := c.Deals.KPIs(ctx, max.ID, crm.SalesQuery{Pipeline: t.pipeline.ID,
		From: march.In(time.UTC), To: march.AddMonths(1).In(time.UTC)})
	fmt.Println("won in March:", k.Won, k.AverageDealSize)
	for _, day := range []crm.Date{signed.AddDays(-1), signed} {
		f, _ := c.Deals.FunnelAsOf(ctx, max.ID, crm.SalesQuery{Pipeline: t.pipeline.ID}, day)
		fmt.Println("end of", day, "open:", f.Stages[0].Deals, "won:", f.Closed[0].Deals)
	}
	// Output:
	// Depot won 2026-03-31 entered 2026-04-01 closing 2026-03-31
	// true
	// Vans won 2026-04-01
	// true
	// Vans won 2026-03-31
	// 2026-03 closed 2 24000.00 USD
	// won in March: 2 12000.00 USD
	// end of 2026-03-30 open: 2 won: 0
	// end of 2026-03-31 open: 0 won: 2
}

// A stage that still holds open deals is not removed: the change is
// refused with a *StageInUseError, unless it says where the deals go
// (MoveDeals); each moved deal gets a stage visit and an event. A
// pipeline may also offer lost reasons of its own.
func ExampleDealService_UpdatePipeline() {
	ctx, t := context.Background(), newExampleSales()
	c, admin, ann := t.c, t.admin, t.ann
	acme, _ := c.Customers.Create(ctx, ann.ID, crm.NewCustomer{Kind: crm.Distributor, Name: "Acme"})
	deal, _ := c.Deals.Open(ctx, ann.ID, crm.NewDeal{Pipeline: t.pipeline.ID, Customer: acme.ID, Title: "Depot"})
	deal, _ = c.Deals.Move(ctx, ann.ID, crm.MoveDealRequest{Deal: deal.ID, Stage: "qualification"})

	var stages []crm.Stage
	for _, s := range t.pipeline.Stages {
		if s.Key != "qualification" {
			stages = append(stages, s)
		}
	}
	_, err := c.Deals.UpdatePipeline(ctx, admin.ID, crm.PipelinePatch{Pipeline: t.pipeline.ID, Stages: stages})
	var inUse *crm.StageInUseError
	fmt.Println(errors.As(err, &inUse), errors.Is(err, crm.ErrInvalid), inUse.Stage, inUse.OpenDeals)

	p, _ := c.Deals.UpdatePipeline(ctx, admin.ID, crm.PipelinePatch{Pipeline: t.pipeline.ID, Stages: stages,
		MoveDeals:   map[string]string{"qualification": "prospecting"},
		LostReasons: []crm.LostReasonOption{{Key: "price", Label: "Price too high"}, {Key: "timing", Label: "Bad timing"}}})
	deal, _ = c.Deals.Get(ctx, ann.ID, deal.ID)
	fmt.Println(len(p.Stages), deal.Stage, deal.Probability, len(deal.History))

	_, err = c.Deals.Lose(ctx, ann.ID, crm.LoseDealRequest{Deal: deal.ID, Reason: crm.LostPricing})
	fmt.Println(errors.Is(err, crm.ErrInvalid))
	deal, _ = c.Deals.Lose(ctx, ann.ID, crm.LoseDealRequest{Deal: deal.ID, Reason: "timing"})
	fmt.Println(deal.Status, deal.LostReason)
	// Output:
	// true true qualification 1
	// 5 prospecting 10 3
	// true
	// lost timing
}
