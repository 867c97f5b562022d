package memory

import (
	"context"
	"slices"

	"github.com/crmkit/crm"
)

// OldestOpen implements crm.LedgerReader from the committed index of what
// is owed (owedIndex) and the transaction's own rows: it reads the page,
// not the customer's open items.
func (l ledger) OldestOpen(_ context.Context, customer crm.ID, currency crm.Currency, after crm.OpenItem, limit int) ([]crm.OpenItem, error) {
	if customer.IsZero() || limit <= 0 {
		return []crm.OpenItem{}, nil
	}
	return l.t.open.oldestOpen(customer, currency, after, limit), nil
}

// owedScope is a customer's receivables in one currency.
type owedScope struct {
	customer crm.ID
	currency crm.Currency
}

// owedIndex keeps, per customer and currency, the invoices with something
// owed on them (a positive receivable), by due date and then item, as
// OpenItems orders them: a commit moves the items its entries post to, so
// that a payment applied oldest first finds the oldest without looking at
// the others. Due dates are few next to invoices, so each step is a
// binary search among a customer's due dates and among the invoices due
// on one of them.
type owedIndex map[owedScope]*owedDays

// owedDays are a scope's due dates in order, and the items owed on each,
// in order.
type owedDays struct {
	days  []crm.Date
	items map[crm.Date][]crm.ID
}

// owedBefore is what an item's row was before an entry posted to it.
type owedBefore struct {
	k    itemKey
	owed bool
	due  crm.Date
}

// before returns what the receivables e posts to were before it.
func (x owedIndex) before(e crm.Entry, rows map[itemKey]*itemRow) []owedBefore {
	var out []owedBefore
	for _, p := range e.Postings {
		if p.Account != crm.AccountReceivable {
			continue
		}
		k := itemKey{p.Customer, p.Account, p.Item, p.Amount.Currency()}
		if slices.ContainsFunc(out, func(b owedBefore) bool { return b.k == k }) {
			continue
		}
		b := owedBefore{k: k}
		if r := rows[k]; r != nil {
			b.owed, b.due = r.open.Sign() > 0, r.due
		}
		out = append(out, b)
	}
	return out
}

// after moves the items of before as their rows now say.
func (x owedIndex) after(before []owedBefore, rows map[itemKey]*itemRow) {
	for _, b := range before {
		r := rows[b.k]
		owed := r != nil && r.open.Sign() > 0
		if b.owed && owed && r.due == b.due {
			continue
		}
		scope := owedScope{b.k.customer, b.k.currency}
		if b.owed {
			x[scope].remove(b.due, b.k.item)
		}
		if owed {
			d := x[scope]
			if d == nil {
				d = &owedDays{items: map[crm.Date][]crm.ID{}}
				x[scope] = d
			}
			d.insert(r.due, b.k.item)
		}
	}
}

func (d *owedDays) insert(due crm.Date, item crm.ID) {
	items, ok := d.items[due]
	if !ok {
		i, _ := slices.BinarySearchFunc(d.days, due, crm.Date.Compare)
		d.days = slices.Insert(d.days, i, due)
	}
	i, _ := slices.BinarySearchFunc(items, item, crm.ID.Compare)
	d.items[due] = slices.Insert(items, i, item)
}

func (d *owedDays) remove(due crm.Date, item crm.ID) {
	items := d.items[due]
	if i, ok := slices.BinarySearchFunc(items, item, crm.ID.Compare); ok {
		items = slices.Delete(items, i, i+1)
	}
	if len(items) > 0 {
		d.items[due] = items
		return
	}
	delete(d.items, due)
	if i, ok := slices.BinarySearchFunc(d.days, due, crm.Date.Compare); ok {
		d.days = slices.Delete(d.days, i, i+1)
	}
}

// oldestOpen is OldestOpen over the transaction's view: the first limit
// committed items after the cursor that the transaction left alone,
// merged with the rows it changed.
func (o *openOverlay) oldestOpen(customer crm.ID, currency crm.Currency, after crm.OpenItem, limit int) []crm.OpenItem {
	type owed struct {
		k itemKey
		r *itemRow
	}
	less := func(a, b owed) int {
		if c := a.r.due.Compare(b.r.due); c != 0 {
			return c
		}
		return a.k.item.Compare(b.k.item)
	}
	cursor := owed{k: itemKey{item: after.Item}, r: &itemRow{due: after.Due}}
	var page []owed // in order
	if d := o.base.owed[owedScope{customer, currency}]; d != nil {
		day := 0
		if !after.Item.IsZero() {
			day, _ = slices.BinarySearchFunc(d.days, after.Due, crm.Date.Compare)
		}
	walk:
		for _, due := range d.days[day:] {
			for _, item := range d.items[due] {
				k := itemKey{customer, crm.AccountReceivable, item, currency}
				x := owed{k, o.base.rows[k]}
				if _, mine := o.rows[k]; mine || (!after.Item.IsZero() && less(x, cursor) <= 0) {
					continue
				}
				if page = append(page, x); len(page) == limit {
					break walk
				}
			}
		}
	}
	for k, r := range o.rows {
		x := owed{k, r}
		if k.customer != customer || k.account != crm.AccountReceivable || k.currency != currency || r.open.Sign() <= 0 ||
			(!after.Item.IsZero() && less(x, cursor) <= 0) {
			continue
		}
		i, _ := slices.BinarySearchFunc(page, x, less)
		page = slices.Insert(page, i, x)
	}
	out := make([]crm.OpenItem, 0, min(len(page), limit))
	for _, x := range page[:min(len(page), limit)] {
		it, _ := x.r.asOf(x.k, crm.Date{})
		out = append(out, it)
	}
	return out
}
