package sqlstore

import (
	"context"

	"github.com/crmkit/crm"
)

// campaignTable stores campaigns: the budget in minor units beside its
// currency, the cost lines as JSON text.
var campaignTable = &recordTable[crm.Campaign]{
	kind:  crm.KindCampaign,
	table: func(n names) string { return n.campaigns },
	columns: []string{"id", "name", "channel", "currency", "budget_minor", "budget_currency", "costs", "start_date",
		"end_date", "created_at", "updated_at", "version"},
	id:      func(c crm.Campaign) crm.ID { return c.ID },
	version: func(c crm.Campaign) int64 { return c.Version },
	values: func(s *Store, c crm.Campaign) ([]any, error) {
		minor, currency, err := moneyArgs("budget", c.Budget)
		if err != nil {
			return nil, err
		}
		costs, err := docsArg("costs", c.Costs, toCostDoc)
		if err != nil {
			return nil, err
		}
		start, err := dateArg("start", c.Start)
		if err != nil {
			return nil, err
		}
		end, err := dateArg("end", c.End)
		if err != nil {
			return nil, err
		}
		return []any{idArg(c.ID), c.Name, c.Channel, c.Currency.Code(), minor, currency, costs, start, end,
			s.timeArg(c.CreatedAt), s.timeArg(c.UpdatedAt), c.Version}, nil
	},
	dest: func(c *crm.Campaign) []any {
		minor, currency := money(&c.Budget)
		return []any{&c.ID, &c.Name, &c.Channel, &c.Currency, minor, currency, checkedDocsCol[costDoc, crm.CostLine]{&c.Costs, costDoc.line}, &c.Start, &c.End,
			timeCol{&c.CreatedAt}, timeCol{&c.UpdatedAt}, &c.Version}
	},
}

// costDoc is how a cost line is kept in the campaign's costs column: with
// keys of its own, the amount in minor units beside its currency ("" for
// the zero Money), the date as "2006-01-02" or "", and on a reversing
// line the number of the line it reverses and the reason (absent from
// lines kept before 0022, which reversed nothing).
type costDoc struct {
	Description string   `json:"description"`
	AmountMinor int64    `json:"amount_minor"`
	Currency    string   `json:"currency"`
	Date        crm.Date `json:"date"`
	Reverses    int      `json:"reverses,omitempty"`
	Reason      string   `json:"reason,omitempty"`
}

// toCostDoc returns the document of a cost line.
func toCostDoc(field string, l crm.CostLine) (costDoc, error) {
	minor, currency, err := moneyArgs(field+".amount", l.Amount)
	if err != nil {
		return costDoc{}, err
	}
	if err := checkDate(field+".date", l.Date); err != nil {
		return costDoc{}, err
	}
	return costDoc{Description: l.Description, AmountMinor: minor, Currency: currency, Date: l.Date, Reverses: l.Reverses, Reason: l.Reason}, nil
}

// line is the inverse of toCostDoc.
func (d costDoc) line() (crm.CostLine, error) {
	amount, err := moneyFrom(d.AmountMinor, d.Currency)
	return crm.CostLine{Description: d.Description, Amount: amount, Date: d.Date, Reverses: d.Reverses, Reason: d.Reason}, err
}

// campaignRepo implements crm.CampaignRepository in one transaction.
type campaignRepo struct{ repo[crm.Campaign] }

// List implements crm.CampaignReader.
func (r campaignRepo) List(ctx context.Context, page crm.PageRequest) ([]crm.Campaign, error) {
	return r.list(ctx, where{}, page)
}
