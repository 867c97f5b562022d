package crm

import (
	"fmt"
	"slices"
	"time"

	"github.com/shopspring/decimal"
)

// CostLine is one cost of a campaign: an ad spend, a booth, an agency
// invoice. Lines are numbered from 1 in the order they were added, and
// never removed: a mistyped line is corrected by a reversing line
// (CampaignService.CorrectCost), which negates it, names it in Reverses
// and says why in Reason, and the right amount is then added as a line of
// its own. Only a reversing line is negative.
type CostLine struct {
	Description string `json:"description" privacy:"none"`
	Amount      Money  `json:"amount"`
	Date        Date   `json:"date"`
	Reverses    int    `json:"reverses"`                        // the number of the line this one reverses; 0 for a cost
	Reason      string `json:"reason,omitempty" privacy:"none"` // why the reversed line was wrong; set on a reversing line only
}

// Campaign is a marketing action whose return the CRM measures: what it cost, the leads and deals it brought, and the
// revenue of the deals won.
type Campaign struct {
	ID        ID         `json:"id,omitzero"`
	Name      string     `json:"name,omitempty" privacy:"none"`
	Channel   string     `json:"channel,omitempty" privacy:"none"` // e.g. "trade_show", "search_ads"
	Currency  Currency   `json:"currency,omitzero"`
	Budget    Money      `json:"budget"`
	Costs     []CostLine `json:"costs,omitempty" privacy:"none"`
	Start     Date       `json:"start,omitzero"`
	End       Date       `json:"end,omitzero"`
	CreatedAt time.Time  `json:"created_at,omitzero"`
	UpdatedAt time.Time  `json:"updated_at,omitzero"`
	Version   int64      `json:"version"`
}

// Clone returns a deep copy.
func (c Campaign) Clone() Campaign {
	c.Costs = slices.Clone(c.Costs)
	return c
}

// Cost is the sum of the cost lines.
func (c Campaign) Cost() Money {
	total := Zero(c.Currency)
	for _, l := range c.Costs {
		total, _ = total.Add(l.Amount) // every line is in the campaign's currency
	}
	return total
}

func (c Campaign) normalized() (Campaign, error) {
	var err error
	if c.Name, err = cleanText("name", c.Name, maxNameLen, true); err != nil {
		return Campaign{}, err
	}
	if c.Channel != "" && !validKey(c.Channel) {
		return Campaign{}, invalid("channel", "key", fmt.Sprintf("%q must be 1-64 of A-Z a-z 0-9 _ . -", truncate(c.Channel, 70)))
	}
	if c.Currency.IsZero() {
		return Campaign{}, invalid("currency", "required", "")
	}
	if err := c.checkMoney("budget", c.Budget); err != nil {
		return Campaign{}, err
	}
	if len(c.Costs) > 1000 {
		return Campaign{}, invalid("costs", "max_count", "at most 1000 lines")
	}
	for i := range c.Costs {
		l := &c.Costs[i]
		field := fmt.Sprintf("costs[%d]", i)
		if l.Description, err = cleanText(field+".description", l.Description, maxNameLen, true); err != nil {
			return Campaign{}, err
		}
		if err := c.checkMoney(field+".amount", l.Amount.Abs()); err != nil {
			return Campaign{}, err
		}
		l.Amount = cmpOrMoney(l.Amount, c.Currency) // a bare zero is zero in the campaign's currency
		if err := c.checkReversal(i); err != nil {
			return Campaign{}, err
		}
	}
	if _, err := minorWithin("costs", c.Cost()); err != nil {
		return Campaign{}, err // what the campaign cost in all is kept in 64 bits, as every amount is
	}
	if c.Cost().IsNegative() {
		return Campaign{}, invalid("costs", "non_negative", "the costs add up to less than zero")
	}
	c.Budget = cmpOrMoney(c.Budget, c.Currency)
	for _, d := range append([]Date{c.Start, c.End}, costDates(c.Costs)...) {
		if !d.IsZero() && !d.IsValid() {
			return Campaign{}, invalid("date", "calendar", fmt.Sprintf("%04d-%02d-%02d does not exist", d.Year, int(d.Month), d.Day))
		}
	}
	if !c.Start.IsZero() && !c.End.IsZero() && c.End.Before(c.Start) {
		return Campaign{}, invalid("end", "after_start", "")
	}
	return c, nil
}

func costDates(ls []CostLine) []Date {
	out := make([]Date, len(ls))
	for i, l := range ls {
		out[i] = l.Date
	}
	return out
}

// checkMoney requires an exact, non-negative amount in the campaign's
// currency (zero with no currency counts as zero).
func (c Campaign) checkMoney(field string, m Money) error {
	if m.Currency().IsZero() && m.IsZero() {
		return nil
	}
	if m.Currency() != c.Currency {
		return &CurrencyMismatchError{Op: "campaign " + field, Left: c.Currency, Right: m.Currency()}
	}
	if m.IsNegative() {
		return invalid(field, "non_negative", "")
	}
	_, err := minorWithin(field, m)
	return err
}

// CampaignCounts are the sums behind a campaign report: what the campaign
// sourced. A deal is attributed to the campaign it names, and a deal
// opened without naming one to the campaign that brought its customer
// (the lead's source). Adapters add them up (in SQL where they can);
// CampaignReport turns them into money and ratios.
type CampaignCounts struct {
	Leads         int64 `json:"leads"`          // customers the campaign brought
	Opportunities int64 `json:"opportunities"`  // deals attributed to it, open or closed
	Wins          int64 `json:"wins"`           // of those, won, in the campaign's currency
	WonMinor      int64 `json:"won_minor"`      // their amounts, in minor units
	Acquired      int64 `json:"acquired"`       // customers it brought who have won a deal, whichever campaign the deal is attributed to
	OtherCurrency int64 `json:"other_currency"` // won deals in another currency, left out of the wins and the revenue
}

// CampaignReport is what a campaign returned for what it cost. A ratio
// with nothing to divide by is no value (nil, and left out of the JSON),
// never zero, which would read as "free" or "broke even".
type CampaignReport struct {
	Campaign    ID               `json:"campaign,omitzero"`
	Name        string           `json:"name,omitempty"`
	Cost        Money            `json:"cost"` // the cost lines' sum, reversals included
	Budget      Money            `json:"budget"`
	Counts      CampaignCounts   `json:"counts,omitzero"`
	WonRevenue  Money            `json:"won_revenue"`
	CostPerLead *Money           `json:"cost_per_lead,omitempty"` // cost / leads, to the minor unit; nil when the campaign brought no lead
	CAC         *Money           `json:"cac,omitempty"`           // customer acquisition cost: cost / acquired, to the minor unit; nil when it acquired nobody
	ROI         *decimal.Decimal `json:"roi,omitempty"`           // (won revenue - cost) / cost, to four decimals; nil when the campaign cost nothing
}

// Report turns counts into the campaign's report. The cost is counted
// once, however many deals were won (a bug of SuiteCRM's ROI). Cost per
// lead and CAC round half to even to the currency's minor unit; ROI
// rounds half away from zero to four decimals.
func (c Campaign) Report(n CampaignCounts) CampaignReport {
	r := CampaignReport{Campaign: c.ID, Name: c.Name, Cost: c.Cost(), Budget: cmpOrMoney(c.Budget, c.Currency), Counts: n,
		WonRevenue: MoneyFromMinor(n.WonMinor, c.Currency)}
	if n.Leads > 0 {
		per := r.Cost.per(n.Leads)
		r.CostPerLead = &per
	}
	if n.Acquired > 0 {
		cac := r.Cost.per(n.Acquired)
		r.CAC = &cac
	}
	if r.Cost.IsPositive() {
		gain, _ := r.WonRevenue.Sub(r.Cost)
		roi := gain.Amount().DivRound(r.Cost.Amount(), 4)
		r.ROI = &roi
	}
	return r
}

func cmpOrMoney(m Money, c Currency) Money {
	if m.Currency().IsZero() {
		return Zero(c)
	}
	return m
}

func minorOf(m Money) int64 {
	v, _ := m.Minor()
	return v
}

// per divides m by n, rounding half to even to the minor unit, exactly
// whatever the size of m.
func (m Money) per(n int64) Money {
	q := m.amount.Shift(m.currency.MinorUnits()).Div(decimal.NewFromInt(n)).RoundBank(0)
	return MoneyFromBigMinor(q.BigInt(), m.currency)
}
