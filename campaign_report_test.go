package crm_test

import (
	"encoding/json"
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCampaignReportArithmetic is the table of a campaign report's
// ratios: cost per lead and CAC are the cost over leads and over
// customers acquired, rounded half to even to the currency's minor unit;
// ROI is (won revenue - cost) / cost to four decimals, half away from
// zero. Each is nil ("" here) when there is nothing to divide by, and a
// reversed cost line counts as nothing.
func TestCampaignReportArithmetic(t *testing.T) {
	line := func(minor int64, c crm.Currency) crm.CostLine {
		return crm.CostLine{Description: "cost", Amount: crm.MoneyFromMinor(minor, c)}
	}
	for _, tc := range []struct {
		name          string
		currency      crm.Currency
		costs         []crm.CostLine
		counts        crm.CampaignCounts
		perLead, cac  string
		roi           string
		cost, revenue string
	}{
		{name: "nothing at all", currency: crm.USD,
			cost: "0.00 USD", revenue: "0.00 USD"},
		{name: "a cost, no lead, no win", currency: crm.USD, costs: []crm.CostLine{line(500_000, crm.USD)},
			cost: "5000.00 USD", revenue: "0.00 USD", roi: "-1"},
		{name: "free leads: a cost per lead of zero, no ROI", currency: crm.USD, counts: crm.CampaignCounts{Leads: 4},
			perLead: "0.00 USD", cost: "0.00 USD", revenue: "0.00 USD"},
		{name: "free acquisitions", currency: crm.USD, counts: crm.CampaignCounts{Leads: 2, Acquired: 1, Opportunities: 1, Wins: 1, WonMinor: 100},
			perLead: "0.00 USD", cac: "0.00 USD", cost: "0.00 USD", revenue: "1.00 USD"},
		{name: "leads, nobody acquired", currency: crm.USD, costs: []crm.CostLine{line(100_000, crm.USD)}, counts: crm.CampaignCounts{Leads: 3, Opportunities: 2},
			perLead: "333.33 USD", cost: "1000.00 USD", revenue: "0.00 USD", roi: "-1"},
		{name: "the issue's case: 20,000 won on 5,000", currency: crm.USD, costs: []crm.CostLine{line(500_000, crm.USD)},
			counts:  crm.CampaignCounts{Leads: 1, Opportunities: 1, Wins: 1, WonMinor: 2_000_000, Acquired: 1},
			perLead: "5000.00 USD", cac: "5000.00 USD", roi: "3", cost: "5000.00 USD", revenue: "20000.00 USD"},
		{name: "cost counted once however many wins", currency: crm.USD, costs: []crm.CostLine{line(300_000, crm.USD), line(100_000, crm.USD)},
			counts:  crm.CampaignCounts{Leads: 3, Opportunities: 2, Wins: 2, WonMinor: 1_200_000, Acquired: 2},
			perLead: "1333.33 USD", cac: "2000.00 USD", roi: "2", cost: "4000.00 USD", revenue: "12000.00 USD"},
		{name: "half a cent rounds to even, down", currency: crm.USD, costs: []crm.CostLine{line(1, crm.USD)}, counts: crm.CampaignCounts{Leads: 2, Acquired: 2},
			perLead: "0.00 USD", cac: "0.00 USD", roi: "-1", cost: "0.01 USD", revenue: "0.00 USD"},
		{name: "half a cent rounds to even, up", currency: crm.USD, costs: []crm.CostLine{line(3, crm.USD)}, counts: crm.CampaignCounts{Leads: 2, Acquired: 2},
			perLead: "0.02 USD", cac: "0.02 USD", roi: "-1", cost: "0.03 USD", revenue: "0.00 USD"},
		{name: "yen have no minor unit", currency: crm.JPY, costs: []crm.CostLine{line(1_000, crm.JPY)},
			counts:  crm.CampaignCounts{Leads: 3, Acquired: 6, Wins: 1, WonMinor: 1_001},
			perLead: "333 JPY", cac: "167 JPY", roi: "0.001", cost: "1000 JPY", revenue: "1001 JPY"},
		{name: "dinars have three decimals", currency: crm.KWD, costs: []crm.CostLine{line(10_000, crm.KWD)},
			counts:  crm.CampaignCounts{Leads: 3, Acquired: 3, Wins: 1, WonMinor: 30_000},
			perLead: "3.333 KWD", cac: "3.333 KWD", roi: "2", cost: "10.000 KWD", revenue: "30.000 KWD"},
		{name: "ROI to four decimals, half away from zero", currency: crm.USD, costs: []crm.CostLine{line(30_000, crm.USD)},
			counts: crm.CampaignCounts{Wins: 1, WonMinor: 10_000},
			roi:    "-0.6667", cost: "300.00 USD", revenue: "100.00 USD"},
		{name: "a reversed line costs nothing", currency: crm.USD,
			costs: []crm.CostLine{line(500_000, crm.USD), line(1_200_000, crm.USD),
				{Description: "cost", Amount: crm.MoneyFromMinor(-1_200_000, crm.USD), Reverses: 2, Reason: "typo"}, line(120_000, crm.USD)},
			counts:  crm.CampaignCounts{Leads: 2, Acquired: 1, Wins: 1, WonMinor: 1_240_000},
			perLead: "3100.00 USD", cac: "6200.00 USD", roi: "1", cost: "6200.00 USD", revenue: "12400.00 USD"},
		{name: "everything reversed: nothing spent, no ROI", currency: crm.USD,
			costs:   []crm.CostLine{line(500_000, crm.USD), {Description: "cost", Amount: crm.MoneyFromMinor(-500_000, crm.USD), Reverses: 1, Reason: "not ours"}},
			counts:  crm.CampaignCounts{Leads: 1},
			perLead: "0.00 USD", cost: "0.00 USD", revenue: "0.00 USD"},
		{name: "wins in another currency are left out", currency: crm.USD, costs: []crm.CostLine{line(100_000, crm.USD)},
			counts:  crm.CampaignCounts{Leads: 1, Opportunities: 1, Acquired: 1, OtherCurrency: 1},
			perLead: "1000.00 USD", cac: "1000.00 USD", roi: "-1", cost: "1000.00 USD", revenue: "0.00 USD"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cp := crm.Campaign{Name: "Show", Currency: tc.currency, Costs: tc.costs}
			r := cp.Report(tc.counts)
			assert.Equal(t, tc.cost, r.Cost.String())
			assert.Equal(t, tc.revenue, r.WonRevenue.String())
			assert.Equal(t, tc.counts, r.Counts)
			assert.Equal(t, tc.perLead, optional(r.CostPerLead), "cost per lead")
			assert.Equal(t, tc.cac, optional(r.CAC), "CAC")
			assert.Equal(t, tc.roi, optional(r.ROI), "ROI")

			raw, err := json.Marshal(r)
			require.NoError(t, err)
			var keys map[string]json.RawMessage
			require.NoError(t, json.Unmarshal(raw, &keys))
			for key, want := range map[string]string{"cost_per_lead": tc.perLead, "cac": tc.cac, "roi": tc.roi} {
				_, there := keys[key]
				assert.Equal(t, want != "", there, "%s is in the JSON when it has a value", key)
			}
		})
	}
}

// optional is v's text, or "" for nil.
func optional[T interface{ String() string }](v *T) string {
	if v == nil {
		return ""
	}
	return (*v).String()
}
