package crm_test

import (
	"context"
	"fmt"
	"slices"

	"github.com/crmkit/crm"
)

// A manager sets quotas for the fiscal quarter, for the team and for a
// rep, and reads how far they are attained: the deals won on a day of the
// quarter against each quota. A quota of zero has no percent.
func ExampleDealService_Attainment() {
	ctx, t := context.Background(), newExampleSales()
	c, max, ann, pipeline := t.c, t.max, t.ann, t.pipeline
	usd := func(s string) crm.Money { m, _ := crm.ParseMoney(s, "USD"); return m }
	q1, _ := crm.ParseFiscalPeriod("FY2026-Q1")
	for _, r := range []crm.SetQuotaRequest{
		{Team: "north", Amount: usd("100000.00"), Reason: "the plan"},
		{Owner: ann.ID, Amount: usd("40000.00"), Reason: "the plan"},
		{Owner: max.ID, Amount: usd("0.00"), Reason: "managing, not selling"},
	} {
		r.Pipeline, r.Period = pipeline.ID, q1
		if _, err := c.Deals.SetQuota(ctx, max.ID, r); err != nil {
			fmt.Println(err)
		}
	}
	acme, _ := c.Customers.Create(ctx, ann.ID, crm.NewCustomer{Kind: crm.Distributor, Name: "Acme"})
	for _, amount := range []string{"25000.00", "5000.00"} {
		d, _ := c.Deals.Open(ctx, ann.ID, crm.NewDeal{Pipeline: pipeline.ID, Customer: acme.ID, Title: "Deal", Amount: usd(amount)})
		if _, err := c.Deals.Win(ctx, ann.ID, crm.WinDealRequest{Deal: d.ID}); err != nil {
			fmt.Println(err)
		}
	}

	report, _ := c.Deals.Attainment(ctx, max.ID, crm.AttainmentQuery{Pipeline: pipeline.ID, Period: q1, Team: "north"})
	fmt.Println(report.Query.Period, "from", report.From, "to", report.To)
	var out []string // the team's line first, then the reps' by name
	for _, l := range report.Lines {
		who := l.Quota.Team
		if who == "" {
			who = map[crm.ID]string{ann.ID: "Ann", max.ID: "Max"}[l.Quota.Owner]
		}
		percent := "no value"
		if l.Percent != nil {
			percent = fmt.Sprintf("%.2f%%", *l.Percent)
		}
		out = append(out, fmt.Sprintf("%-5s won %12s of %12s: %s", who, l.Won, l.Quota.Amount, percent))
	}
	slices.Sort(out[1:])
	for _, l := range out {
		fmt.Println(l)
	}
	// Output:
	// FY2026-Q1 from 2026-01-01 to 2026-04-01
	// north won 30000.00 USD of 100000.00 USD: 30.00%
	// Ann   won 30000.00 USD of 40000.00 USD: 75.00%
	// Max   won     0.00 USD of     0.00 USD: no value
}
