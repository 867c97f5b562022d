package sqlstore

import (
	"context"

	"github.com/crmkit/crm"
)

// The ledger's sums are GROUP BY queries over postings, which keep the
// entry's effective day and their due day beside the amount; each returns
// exactly what its reference implementation in package crm returns, in
// the same order, and an empty slice rather than nil. Amounts are added up
// with exact sums (see sums), never wrapped around in 64 bits: open items
// and balances come back exact whatever their size, as the references'
// do, revenue as an int64 or a *crm.OverflowError; "leaving out zero" is
// sums.nonZero on its two sums.

// OpenItems implements crm.LedgerReader as storekit.OpenItems does:
//
//	SELECT customer_id, account, item_id, <due>, <sum of amount_minor>, currency
//	FROM postings p
//	WHERE account IN ('customer_credit', 'receivable') [AND customer_id = ?] [AND effective_day <= <asOf>]
//	GROUP BY customer_id, account, item_id, currency HAVING <the sum is not zero>
//	ORDER BY customer_id, account, <due> NULLS FIRST, item_id, currency
//
// where <due> is the due date the item's postings share (MAX(due)), or,
// for the rare item whose postings disagree, the latest one's (lastDue).
// A customer's open items over the whole ledger are the ones open_items
// keeps (customerItems), without adding up their history. A customer's
// open items, in a PostgreSQL write transaction, are read under the lock
// of their book (see lockBook).
func (l ledgerRepo) OpenItems(ctx context.Context, customer crm.ID, asOf crm.Date) ([]crm.OpenItem, error) {
	if err := l.lockBook(ctx, customer); err != nil {
		return nil, err
	}
	if !customer.IsZero() && asOf.IsZero() {
		return l.customerItems(ctx, customer)
	}
	var w where
	w.add("account IN (?, ?)", string(crm.AccountCredit), string(crm.AccountReceivable))
	w.addIf(!customer.IsZero(), "customer_id = ?", idArg(customer))
	addAsOf(&w, "effective_day", asOf)
	last, args := l.lastDue("due", asOf)
	d := l.t.s.dialect
	query := func(s sums) string {
		high, low := s.halves("amount_minor")
		return "SELECT customer_id, account, item_id, CASE WHEN MAX(mixed_due) = 1 THEN " + last +
			" ELSE MAX(due) END AS item_due, " + high + ", " + low + ", currency FROM " + l.t.s.names.postings + " p" + w.sql() +
			" GROUP BY customer_id, account, item_id, currency HAVING " + s.nonZero(high, low) +
			" ORDER BY customer_id, " + d.bytewise("account") + ", item_due NULLS FIRST, item_id, " + d.bytewise("currency")
	}
	return aggregateSums(ctx, l.t, "adding up open items", query, append(args, w.args...), func(it *crm.OpenItem) []any {
		high, low, currency := exactMoney(&it.Open)
		return []any{&it.Customer, &it.Account, &it.Item, &it.Due, high, low, currency}
	})
}

// lastDue is, for the item of the grouped row p (its account, customer,
// currency and item), the column col (due or due_day) of its latest
// posting, in recording order, that has a due date and counts as of asOf:
// the due date storekit.OpenItems takes for an item, from entries in the order
// they were recorded. Only items with mixed_due ask for it.
func (l ledgerRepo) lastDue(col string, asOf crm.Date) (string, []any) {
	var w where
	w.add("d.account = p.account AND d.customer_id = p.customer_id AND d.currency = p.currency AND " +
		"d.item_id = p.item_id AND d.due IS NOT NULL")
	addAsOf(&w, "d.effective_day", asOf)
	return "(SELECT d." + col + " FROM " + l.t.s.names.postings + " d" + w.sql() +
		" ORDER BY d.entry_id DESC, d.seq DESC LIMIT 1)", w.args
}

// Balances implements crm.LedgerReader as storekit.Balances does:
//
//	SELECT account, customer_id, <sum of amount_minor>, currency FROM postings
//	[WHERE effective_day <= <asOf>]
//	GROUP BY account, customer_id, currency HAVING <the sum is not zero>
//	ORDER BY account, customer_id, currency
func (l ledgerRepo) Balances(ctx context.Context, asOf crm.Date) ([]crm.Balance, error) {
	var w where
	addAsOf(&w, "effective_day", asOf)
	d := l.t.s.dialect
	query := func(s sums) string {
		high, low := s.halves("amount_minor")
		return "SELECT account, customer_id, " + high + ", " + low + ", currency FROM " + l.t.s.names.postings + w.sql() +
			" GROUP BY account, customer_id, currency HAVING " + s.nonZero(high, low) +
			" ORDER BY " + d.bytewise("account") + ", customer_id, " + d.bytewise("currency")
	}
	return aggregateSums(ctx, l.t, "adding up balances", query, w.args, func(b *crm.Balance) []any {
		high, low, currency := exactMoney(&b.Amount)
		return []any{&b.Account, &b.Customer, high, low, currency}
	})
}

// Revenue implements crm.LedgerReader as storekit.AggregateRevenue does, over
// the postings joined to their entries:
//
//	SELECT customer_id, currency, <sum of invoiced>, <sum of revenue> FROM (
//	    SELECT e.customer_id, p.currency,
//	           CASE WHEN p.account = 'receivable' THEN p.amount_minor ELSE 0 END AS invoiced,
//	           CASE WHEN p.account = 'revenue' THEN p.amount_minor ELSE 0 END AS revenue
//	    FROM postings p JOIN entries e ON e.id = p.entry_id
//	    WHERE (p.account = 'revenue' OR (p.account = 'receivable' AND 'invoice' IN (e.kind, e.reversed_kind)))
//	          [AND e.customer_id = ?] [AND p.effective_day >= <from>] [AND p.effective_day <= <to>]) r
//	GROUP BY customer_id, currency ORDER BY customer_id, currency
//
// Net revenue is the revenue sum negated, exactly, revenue being a
// credit; no row is left out for adding up to zero, as the reference
// leaves none out.
func (l ledgerRepo) Revenue(ctx context.Context, customer crm.ID, from, to crm.Date) ([]crm.RevenueAmount, error) {
	receivable, revenue, invoice := string(crm.AccountReceivable), string(crm.AccountRevenue), string(crm.EntryInvoice)
	var w where
	w.add("(p.account = ? OR (p.account = ? AND (e.kind = ? OR e.reversed_kind = ?)))", revenue, receivable, invoice, invoice)
	w.addIf(!customer.IsZero(), "e.customer_id = ?", idArg(customer))
	w.addIf(!from.IsZero(), "p.effective_day >= ?", dayNumber(from))
	addAsOf(&w, "p.effective_day", to)
	d := l.t.s.dialect
	query := func(s sums) string {
		return "SELECT customer_id, currency, " + s.exact("invoiced") + ", " + s.exact("revenue") +
			" FROM (SELECT e.customer_id, p.currency, CASE WHEN p.account = ? THEN p.amount_minor ELSE 0 END AS invoiced, " +
			"CASE WHEN p.account = ? THEN p.amount_minor ELSE 0 END AS revenue FROM " + l.t.s.names.postings + " p JOIN " +
			l.t.s.names.entries + " e ON e.id = p.entry_id" + w.sql() + ") r GROUP BY customer_id, currency" +
			" ORDER BY customer_id, " + d.bytewise("currency")
	}
	args := append([]any{receivable, revenue}, w.args...)
	return aggregateSums(ctx, l.t, "adding up revenue", query, args, func(r *crm.RevenueAmount) []any {
		invoicedHigh, invoicedLow := exactTotal(&r.InvoicedMinor, "invoiced")
		revenueHigh, revenueLow := negatedTotal(&r.NetRevenueMinor, "net_revenue")
		return []any{&r.Customer, &r.Currency, invoicedHigh, invoicedLow, revenueHigh, revenueLow}
	})
}

// addAsOf keeps the rows whose day col is on or before asOf; the zero
// date keeps every row.
func addAsOf(w *where, col string, asOf crm.Date) {
	w.addIf(!asOf.IsZero(), col+" <= ?", dayNumber(asOf))
}
