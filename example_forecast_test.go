package crm_test

import (
	"context"
	"fmt"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/memory"
)

// A forecast by fiscal quarter of a company whose year starts in April:
// the deal expected in February, a quarter that is over, is in the
// overdue line rather than in the quarter it missed; the owner's
// judgement puts one deal in commit whatever its stage says.
func ExampleDealService_ForecastBy() {
	ctx := context.Background()
	clock := crm.NewManualClock(time.Date(2026, 4, 14, 9, 0, 0, 0, time.UTC))
	c, _ := crm.New(memory.New(), crm.WithClock(clock), crm.WithCalendar(crm.Calendar{FiscalYearStart: time.April}))
	admin, _ := c.Users.Bootstrap(ctx, crm.NewUser{Name: "Ada"})
	usd, _ := crm.ParseCurrency("USD")
	pipeline, _ := c.Deals.CreatePipeline(ctx, admin.ID, crm.NewPipeline{Name: "New business", Currency: usd})
	acme, _ := c.Customers.Create(ctx, admin.ID, crm.NewCustomer{Kind: crm.Distributor, Name: "Acme"})
	open := func(amount, closes string) crm.Deal {
		m, _ := crm.ParseMoney(amount, "USD")
		day, _ := crm.ParseDate(closes)
		d, err := c.Deals.Open(ctx, admin.ID, crm.NewDeal{Pipeline: pipeline.ID, Customer: acme.ID, Title: "Deal", Amount: m, CloseDate: day})
		if err != nil {
			fmt.Println(err)
		}
		return d
	}
	open("10000.00", "2026-02-20") // missed
	open("20000.00", "2026-05-15")
	sure := open("30000.00", "2026-06-30")
	open("40000.00", "2026-08-01")
	if _, err := c.Deals.SetForecastCategory(ctx, admin.ID, crm.SetForecastCategoryRequest{Deal: sure.ID, Category: crm.ForecastCommit}); err != nil {
		fmt.Println(err)
	}

	lines, _ := c.Deals.ForecastBy(ctx, admin.ID, crm.SalesQuery{Pipeline: pipeline.ID}, crm.ForecastByFiscalQuarter)
	for _, l := range lines {
		period := l.Period
		if l.Overdue {
			period = "overdue"
		}
		fmt.Printf("%-9s %-8s %d deal(s) %12s, weighted %11s\n", period, l.Category, l.Deals, l.Amount, l.Weighted)
	}
	// Output:
	// overdue   pipeline 1 deal(s) 10000.00 USD, weighted 1000.00 USD
	// FY2027-Q1 pipeline 1 deal(s) 20000.00 USD, weighted 2000.00 USD
	// FY2027-Q1 commit   1 deal(s) 30000.00 USD, weighted 3000.00 USD
	// FY2027-Q2 pipeline 1 deal(s) 40000.00 USD, weighted 4000.00 USD
}
