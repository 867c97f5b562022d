package memory

import (
	"context"
	"slices"

	"github.com/crmkit/crm"
)

// OldestOpen implements crm.LedgerReader from what the store keeps open
// on each item: it walks the customer's items with something open once,
// without copying them, and makes open items of the page only.
func (l ledger) OldestOpen(_ context.Context, customer crm.ID, currency crm.Currency, after crm.OpenItem, limit int) ([]crm.OpenItem, error) {
	if customer.IsZero() || limit <= 0 {
		return []crm.OpenItem{}, nil
	}
	return l.t.open.oldestOpen(customer, currency, after, limit), nil
}

// oldestOpen is OldestOpen over the transaction's view.
func (o *openOverlay) oldestOpen(customer crm.ID, currency crm.Currency, after crm.OpenItem, limit int) []crm.OpenItem {
	type owed struct {
		k itemKey
		r *itemRow
	}
	var page []owed // the first limit found so far, in order
	less := func(a, b owed) int {
		if c := a.r.due.Compare(b.r.due); c != 0 {
			return c
		}
		return a.k.item.Compare(b.k.item)
	}
	cursor := owed{k: itemKey{item: after.Item}, r: &itemRow{due: after.Due}}
	consider := func(k itemKey, r *itemRow) {
		if k.customer != customer || k.account != crm.AccountReceivable || k.currency != currency || r.open.Sign() <= 0 {
			return
		}
		x := owed{k, r}
		if !after.Item.IsZero() && less(x, cursor) <= 0 {
			return
		}
		if len(page) == limit && less(x, page[limit-1]) >= 0 {
			return
		}
		i, _ := slices.BinarySearchFunc(page, x, less)
		page = slices.Insert(page, i, x)
		if len(page) > limit {
			page = page[:limit]
		}
	}
	for k := range o.base.nonZero[customer] {
		if _, mine := o.rows[k]; !mine {
			consider(k, o.base.rows[k])
		}
	}
	for k, r := range o.rows {
		consider(k, r)
	}
	out := make([]crm.OpenItem, 0, len(page))
	for _, x := range page {
		it, _ := x.r.asOf(x.k, crm.Date{})
		out = append(out, it)
	}
	return out
}
