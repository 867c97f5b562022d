package storekit

import (
	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/wide"
)

// AggregateCampaign is the reference implementation of a campaign's
// counts over every customer and deal: the customers it brought (leads),
// the deals attributed to it (opportunities), those won in its currency
// (wins, and their amounts) or in another, and the customers it brought
// who have won any deal (acquired). Won amounts that add up beyond 64
// bits of minor units are a *crm.OverflowError.
func AggregateCampaign(c crm.Campaign, customers []crm.Customer, deals []crm.Deal) (crm.CampaignCounts, error) {
	var n crm.CampaignCounts
	var won wide.Int
	brought := map[crm.ID]bool{}
	for _, cu := range customers {
		if cu.Campaign == c.ID {
			n.Leads++
			brought[cu.ID] = true
		}
	}
	acquired := map[crm.ID]bool{}
	for _, d := range deals {
		if d.Status == crm.DealWon && brought[d.Customer] {
			acquired[d.Customer] = true
		}
		if d.Campaign != c.ID {
			continue
		}
		n.Opportunities++
		if d.Status != crm.DealWon {
			continue
		}
		if d.Amount.Currency() != c.Currency {
			n.OtherCurrency++
			continue
		}
		n.Wins++
		won.Add(minorOf(d.Amount))
	}
	n.Acquired = int64(len(acquired))
	var err error
	if n.WonMinor, err = fit(won, crm.OverflowError{Field: "won_minor", Currency: c.Currency}); err != nil {
		return crm.CampaignCounts{}, err
	}
	return n, nil
}
