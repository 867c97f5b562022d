package crm

import (
	"cmp"
	"context"
	"slices"
)

// DunningRow is where an invoice stands in its dunning on a day: its
// state and level, since when, how many days it is overdue and what is
// open on it.
type DunningRow struct {
	Customer    ID           `json:"customer,omitzero"`
	Invoice     ID           `json:"invoice,omitzero"`
	State       DunningState `json:"state,omitempty"`
	Level       int          `json:"level"`
	LevelName   string       `json:"level_name,omitempty"`
	Since       Date         `json:"since,omitzero"`
	Due         Date         `json:"due,omitzero"`
	DaysOverdue int          `json:"days_overdue"`
	Open        Money        `json:"open"`
}

// DunningLevels says who is at which dunning level: a row per invoice in
// dunning (at a level, on hold, or reopened) of q.Customer, or of every
// customer the actor may read when it is zero, with what is open on it as
// of q.AsOf (today when zero). Invoices with nothing open that day are
// left out: the next run settles them. Rows come highest level first,
// then longest overdue. Who may ask is as for the other receivables
// reports: a reader of the customer, or, across customers, an actor who
// may analyze, who sees the rows of the customers they may read.
func (c *ReceivableService) DunningLevels(ctx context.Context, actor ID, q ReceivableQuery) ([]DunningRow, error) {
	asOf := c.asOf(q.AsOf)
	var out []DunningRow
	err := c.receivables(ctx, actor, q.Customer, func(tx ReadTx, see visibility) error {
		items, err := tx.Ledger().OpenItems(ctx, q.Customer, asOf)
		if err != nil {
			return err
		}
		open := map[ID]Money{}
		for _, it := range items {
			if it.Account == AccountReceivable && it.Open.IsPositive() {
				open[it.Item] = it.Open
			}
		}
		page := PageRequest{Limit: MaxPageSize}
		for {
			recs, err := tx.Dunning().List(ctx, DunningFilter{Customer: q.Customer, Active: true}, page)
			if err != nil {
				return err
			}
			seen, err := keepSeen(see, recs, func(r DunningRecord) ID { return r.Customer })
			if err != nil {
				return err
			}
			for _, r := range seen {
				if m, ok := open[r.Invoice]; ok {
					out = append(out, DunningRow{Customer: r.Customer, Invoice: r.Invoice, State: r.State, Level: r.Level, LevelName: r.LevelName,
						Since: r.Since, Due: r.Due, DaysOverdue: max(asOf.DaysSince(r.Due), 0), Open: m})
				}
			}
			if len(recs) < page.Limit {
				break
			}
			page.After = recs[len(recs)-1].Invoice
		}
		slices.SortFunc(out, func(a, b DunningRow) int {
			return cmp.Or(cmp.Compare(b.Level, a.Level), cmp.Compare(b.DaysOverdue, a.DaysOverdue), a.Invoice.Compare(b.Invoice))
		})
		return nil
	})
	return out, err
}
