package crm

import (
	"context"
	"fmt"
	"iter"
)

// NewCampaign is a campaign to create: its name, channel (such as
// "trade_show" or "search_ads"), currency, budget, first cost lines and
// the dates it runs. Every amount is in its currency.
type NewCampaign struct {
	Name     string     `json:"name,omitempty"`
	Channel  string     `json:"channel,omitempty"`
	Currency Currency   `json:"currency,omitzero"`
	Budget   Money      `json:"budget"`
	Costs    []CostLine `json:"costs,omitempty"`
	Start    Date       `json:"start,omitzero"`
	End      Date       `json:"end,omitzero"`
}

// Create saves a campaign; by default admins configure campaigns.
// Every amount must be in the campaign's currency.
func (c *CampaignService) Create(ctx context.Context, actor ID, n NewCampaign) (Campaign, error) {
	var out Campaign
	err := c.write(ctx, actor, func(w *writeTx) error {
		if err := w.authorize(ActionConfigure, Target{Kind: KindCampaign}); err != nil {
			return err
		}
		id, err := w.newID()
		if err != nil {
			return err
		}
		cp := Campaign{ID: id, Name: n.Name, Channel: n.Channel, Currency: n.Currency, Budget: n.Budget, Costs: n.Costs,
			Start: n.Start, End: n.End, CreatedAt: w.now, UpdatedAt: w.now, Version: 1}.Clone()
		for i, l := range cp.Costs {
			if err := plainCost(fmt.Sprintf("costs[%d]", i), l); err != nil {
				return err
			}
		}
		if out, err = cp.normalized(); err != nil {
			return err
		}
		if err := w.tx.Campaigns().Insert(ctx, out); err != nil {
			return err
		}
		return w.record(CampaignCreated, KindCampaign, id, 1, ChangeSet{Changes: diffCampaign(Campaign{}, out)})
	})
	return out, err
}

// AddCostRequest adds Line to the costs of Campaign.
type AddCostRequest struct {
	Campaign ID       `json:"campaign,omitzero"`
	Line     CostLine `json:"line,omitzero"`
}

// AddCost adds a cost line to a campaign; a cost in another currency is
// a *CurrencyMismatchError and writes nothing. A cost is not negative: a
// wrong line is corrected with CorrectCost.
func (c *CampaignService) AddCost(ctx context.Context, actor ID, r AddCostRequest) (Campaign, error) {
	id, line := r.Campaign, r.Line
	var out Campaign
	err := c.write(ctx, actor, func(w *writeTx) error {
		if err := w.authorize(ActionConfigure, Target{Kind: KindCampaign, ID: id}); err != nil {
			return err
		}
		if err := plainCost("line", line); err != nil {
			return err
		}
		before, err := w.tx.Campaigns().Get(ctx, id)
		if err != nil {
			return err
		}
		out, err = w.appendCost(before, line, CampaignUpdated, nil, "")
		return err
	})
	return out, err
}

// plainCost refuses a line given as a reversal: only CorrectCost
// reverses a line.
func plainCost(field string, l CostLine) error {
	if l.Reverses != 0 || l.Reason != "" {
		return invalid(field+".reverses", "correct_cost", "a line is reversed with CorrectCost")
	}
	return nil
}

// CorrectCostRequest reverses cost line number Line (counted from 1) of
// Campaign for Reason, if the campaign is still at IfVersion (0: any).
type CorrectCostRequest struct {
	Campaign  ID     `json:"campaign,omitzero"`
	Line      int    `json:"line"`
	Reason    string `json:"reason,omitempty"`
	IfVersion int64  `json:"if_version"`
}

// CorrectCost corrects a mistyped cost line: it appends a line that
// negates it, on its date, referencing it and carrying the reason, and
// records a CampaignCostCorrected event; the right amount is then added
// with AddCost. A line is reversed once (a second time is a
// *CostReversedError), a reversing line is not itself reversed, and the
// reason is required; every refusal writes nothing.
func (c *CampaignService) CorrectCost(ctx context.Context, actor ID, r CorrectCostRequest) (Campaign, error) {
	var out Campaign
	err := c.write(ctx, actor, func(w *writeTx) error {
		if err := w.authorize(ActionConfigure, Target{Kind: KindCampaign, ID: r.Campaign}); err != nil {
			return err
		}
		reason, err := cleanText("reason", r.Reason, maxLongTextLen, true)
		if err != nil {
			return err
		}
		before, err := w.tx.Campaigns().Get(ctx, r.Campaign)
		if err != nil {
			return err
		}
		if err := checkVersion(KindCampaign, r.Campaign, r.IfVersion, before.Version); err != nil {
			return err
		}
		line, err := before.reversal(r.Line, reason)
		if err != nil {
			return err
		}
		out, err = w.appendCost(before, line, CampaignCostCorrected, []Change{{Field: "reversed_line", To: r.Line}}, reason)
		return err
	})
	return out, err
}

func diffCampaign(before, after Campaign) []Change {
	var cs changes
	cs.add("name", before.Name, after.Name)
	cs.add("channel", before.Channel, after.Channel)
	cs.add("currency", before.Currency.Code(), after.Currency.Code())
	cs.add("budget", moneyText(before.Budget), moneyText(after.Budget))
	cs.add("cost", moneyText(before.Cost()), moneyText(after.Cost()))
	cs.add("start", before.Start.String(), after.Start.String())
	cs.add("end", before.End.String(), after.End.String())
	return cs
}

func moneyText(m Money) string {
	if m.Currency().IsZero() {
		return ""
	}
	return m.String()
}

// Get returns a campaign.
func (c *CampaignService) Get(ctx context.Context, actor, id ID) (Campaign, error) {
	var out Campaign
	err := c.read(ctx, actor, func(tx ReadTx, _ User) error {
		var err error
		out, err = tx.Campaigns().Get(ctx, id)
		return err
	})
	return out, err
}

// List lists the campaigns in ID order.
func (c *CampaignService) List(ctx context.Context, actor ID) iter.Seq2[Campaign, error] {
	list := func(tx ReadTx, _ User, p PageRequest) ([]Campaign, error) { return tx.Campaigns().List(ctx, p) }
	return iterate(readPages(c.engine, ctx, actor, list, func(cp Campaign) ID { return cp.ID }, func(User, Campaign) bool { return true }))
}

// Report says what a campaign returned for what it cost: leads, cost per
// lead, won revenue, ROI with the cost counted once, and the customer
// acquisition cost.
func (c *CampaignService) Report(ctx context.Context, actor, id ID) (CampaignReport, error) {
	var out CampaignReport
	err := c.analyze(ctx, actor, func(tx ReadTx) error {
		cp, err := tx.Campaigns().Get(ctx, id)
		if err != nil {
			return err
		}
		n, err := tx.Sales().Campaign(ctx, cp)
		out = cp.Report(n)
		return err
	})
	return out, err
}

// appendCost saves before with line added to its costs as its next
// version, recording typ with the changes, then extra, and the reason.
func (w *writeTx) appendCost(before Campaign, line CostLine, typ EventType, extra []Change, reason string) (Campaign, error) {
	after := before.Clone()
	after.Costs = append(after.Costs, line)
	after, err := after.normalized()
	if err != nil {
		return Campaign{}, err
	}
	after.UpdatedAt, after.Version = w.now, before.Version+1
	if err := w.tx.Campaigns().Update(w.ctx, after); err != nil {
		return Campaign{}, err
	}
	cs := append(diffCampaign(before, after), extra...)
	return after, w.record(typ, KindCampaign, after.ID, after.Version, ChangeSet{Changes: cs, Reason: reason})
}
