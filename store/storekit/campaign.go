package storekit

import "github.com/crmkit/crm"

// AggregateCampaign is the reference implementation of a campaign's
// counts over every customer and deal.
func AggregateCampaign(c crm.Campaign, customers []crm.Customer, deals []crm.Deal) crm.CampaignCounts {
	var n crm.CampaignCounts
	brought := map[crm.ID]bool{}
	for _, cu := range customers {
		if cu.Campaign == c.ID {
			n.Leads++
			brought[cu.ID] = true
		}
	}
	acquired := map[crm.ID]bool{}
	for _, d := range deals {
		if d.Campaign != c.ID {
			continue
		}
		n.Deals++
		if d.Status != crm.DealWon {
			continue
		}
		if d.Amount.Currency() != c.Currency {
			n.OtherCurrency++
			continue
		}
		minor, _ := d.Amount.Minor()
		n.WonDeals++
		n.WonMinor += minor
		if brought[d.Customer] {
			acquired[d.Customer] = true
		}
	}
	n.Acquired = int64(len(acquired))
	return n
}
