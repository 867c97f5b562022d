package sqlstore

import (
	"context"

	"github.com/crmkit/crm"
)

// OldestOpen implements crm.LedgerReader: a page of open_items by its
// index of what is owed, oldest due first (migration 0036), after the
// cursor's due date and item (NULL due dates first, as OpenItems orders
// them). In a PostgreSQL write transaction, read under the lock of the
// customer's book.
func (l ledgerRepo) OldestOpen(ctx context.Context, customer crm.ID, currency crm.Currency, after crm.OpenItem, limit int) ([]crm.OpenItem, error) {
	if customer.IsZero() || limit <= 0 {
		return []crm.OpenItem{}, nil
	}
	if err := l.lockBook(ctx, customer); err != nil {
		return nil, err
	}
	var w where
	w.add("customer_id = ?", idArg(customer))
	w.add("account = ?", string(crm.AccountReceivable))
	w.add("currency = ?", currency.Code())
	w.add("(open_high > 0 OR (open_high = 0 AND open_low > 0))")
	switch {
	case after.Item.IsZero():
	case after.Due.IsZero():
		w.add("((due IS NULL AND item_id > ?) OR due IS NOT NULL)", idArg(after.Item))
	default:
		due, err := dateArg("after", after.Due)
		if err != nil {
			return nil, err
		}
		w.add("(due > ? OR (due = ? AND item_id > ?))", due, due, idArg(after.Item))
	}
	query := "SELECT customer_id, account, item_id, due, open_high, open_low, currency FROM " + l.t.s.names.openItemsTable() + w.sql() +
		" ORDER BY due NULLS FIRST, item_id LIMIT ?"
	return aggregate(ctx, l.t, "reading open invoices", query, append(w.args, limit), func(it *crm.OpenItem) []any {
		high, low, currency := exactMoney(&it.Open)
		return []any{&it.Customer, &it.Account, &it.Item, &it.Due, high, low, currency}
	})
}
