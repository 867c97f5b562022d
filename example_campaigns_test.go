package crm_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/crmkit/crm"
)

// A deal opened without naming a campaign is attributed to the one that
// brought its customer, so the trade show gets the credit for its lead's
// win. A mistyped cost line is corrected by a reversing line with a
// reason, then the right amount is added; a line is reversed once. A
// ratio with nothing to divide by is no value, not zero.
func ExampleCampaignService_CorrectCost() {
	ctx, t := context.Background(), newExampleSales()
	c, admin, max, ann, usd := t.c, t.admin, t.max, t.ann, t.usd

	booth, _ := crm.ParseMoney("5000.00", "USD")
	show, _ := c.Campaigns.Create(ctx, admin.ID, crm.NewCampaign{Name: "Trade show", Channel: "trade_show", Currency: usd,
		Costs: []crm.CostLine{{Description: "booth", Amount: booth}}})
	r, _ := c.Campaigns.Report(ctx, max.ID, show.ID)
	fmt.Println("before any lead: cost per lead", r.CostPerLead, "- CAC", r.CAC)

	// A lead met at the show signs 20,000 USD; the deal names no campaign.
	lead, _ := c.Customers.Create(ctx, ann.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: "Initech", Campaign: show.ID})
	amount, _ := crm.ParseMoney("20000.00", "USD")
	d, _ := c.Deals.Open(ctx, ann.ID, crm.NewDeal{Pipeline: t.pipeline.ID, Customer: lead.ID, Title: "Fleet", Amount: amount})
	fmt.Println("the deal's campaign is the show's:", d.Campaign == show.ID)
	_, _ = c.Deals.Win(ctx, ann.ID, crm.WinDealRequest{Deal: d.ID})

	// The agency's 1,200.00 was typed as 12,000.00.
	typo, _ := crm.ParseMoney("12000.00", "USD")
	show, _ = c.Campaigns.AddCost(ctx, admin.ID, crm.AddCostRequest{Campaign: show.ID, Line: crm.CostLine{Description: "agency", Amount: typo}})
	show, err := c.Campaigns.CorrectCost(ctx, admin.ID, crm.CorrectCostRequest{Campaign: show.ID, Line: 2,
		Reason: "typed 12,000.00 for 1,200.00", IfVersion: show.Version})
	if err != nil {
		fmt.Println(err)
		return
	}
	fixed := show.Costs[2]
	fmt.Println("line 3 reverses line", fixed.Reverses, "by", fixed.Amount, "-", fixed.Reason)
	right, _ := crm.ParseMoney("1200.00", "USD")
	_, _ = c.Campaigns.AddCost(ctx, admin.ID, crm.AddCostRequest{Campaign: show.ID, Line: crm.CostLine{Description: "agency", Amount: right}})
	_, err = c.Campaigns.CorrectCost(ctx, admin.ID, crm.CorrectCostRequest{Campaign: show.ID, Line: 2, Reason: "again"})
	fmt.Println("reversed twice:", errors.Is(err, crm.ErrReversed))

	r, _ = c.Campaigns.Report(ctx, max.ID, show.ID)
	fmt.Println("cost", r.Cost, "- won", r.Counts.Wins, "deal for", r.WonRevenue)
	fmt.Println("ROI", r.ROI, "- CAC", r.CAC, "- cost per lead", r.CostPerLead)
	// Output:
	// before any lead: cost per lead <nil> - CAC <nil>
	// the deal's campaign is the show's: true
	// line 3 reverses line 2 by -12000.00 USD - typed 12,000.00 for 1,200.00
	// reversed twice: true
	// cost 6200.00 USD - won 1 deal for 20000.00 USD
	// ROI 2.2258 - CAC 6200.00 USD - cost per lead 6200.00 USD
}
