package sqlstore

import (
	"context"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/crmkit/crm"
)

// The ledger's sums are GROUP BY queries over postings, which keep the
// entry's effective day and their due day beside the amount; each returns
// exactly what its reference implementation in package crm returns, in
// the same order, and an empty slice rather than nil. Amounts are added up
// in two halves (exactSum), so that totals wrap around in 64 bits as the
// references' do, and "leaving out zero" is exactNonZero on the halves.

// OpenItems implements crm.LedgerReader as crm.OpenItems does:
//
//	SELECT customer_id, account, item_id, MAX(due), <sum of amount_minor>, currency
//	FROM postings
//	WHERE account IN ('customer_credit', 'receivable') [AND customer_id = ?] [AND effective_day <= <asOf>]
//	GROUP BY customer_id, account, item_id, currency HAVING <the sum is not zero>
//	ORDER BY customer_id, account, MAX(due) NULLS FIRST, item_id, currency
//
// An item's due date is that of its postings that have one (the receivable
// postings of an invoice all carry the invoice's); were they to differ, the
// latest is taken.
func (l ledgerRepo) OpenItems(ctx context.Context, customer crm.ID, asOf crm.Date) ([]crm.OpenItem, error) {
	var w where
	w.add("account IN (?, ?)", string(crm.AccountCredit), string(crm.AccountReceivable))
	w.addIf(!customer.IsZero(), "customer_id = ?", idArg(customer))
	addAsOf(&w, "effective_day", asOf)
	high, low := sumHalves("amount_minor")
	d := l.t.s.dialect
	query := "SELECT customer_id, account, item_id, MAX(due) AS due_max, " + high + ", " + low + ", currency FROM " +
		l.t.s.names.postings + w.sql() + " GROUP BY customer_id, account, item_id, currency HAVING " +
		exactNonZero(high, low) + " ORDER BY customer_id, " + d.bytewise("account") + ", due_max NULLS FIRST, item_id, " +
		d.bytewise("currency")
	return aggregate(ctx, l.t, "adding up open items", query, w.args, func(it *crm.OpenItem) []any {
		minor, currency := money(&it.Open)
		high, low := exactTotal(minor)
		return []any{&it.Customer, &it.Account, &it.Item, &it.Due, high, low, currency}
	})
}

// Balances implements crm.LedgerReader as crm.Balances does:
//
//	SELECT account, customer_id, <sum of amount_minor>, currency FROM postings
//	[WHERE effective_day <= <asOf>]
//	GROUP BY account, customer_id, currency HAVING <the sum is not zero>
//	ORDER BY account, customer_id, currency
func (l ledgerRepo) Balances(ctx context.Context, asOf crm.Date) ([]crm.Balance, error) {
	var w where
	addAsOf(&w, "effective_day", asOf)
	high, low := sumHalves("amount_minor")
	d := l.t.s.dialect
	query := "SELECT account, customer_id, " + high + ", " + low + ", currency FROM " + l.t.s.names.postings + w.sql() +
		" GROUP BY account, customer_id, currency HAVING " + exactNonZero(high, low) +
		" ORDER BY " + d.bytewise("account") + ", customer_id, " + d.bytewise("currency")
	return aggregate(ctx, l.t, "adding up balances", query, w.args, func(b *crm.Balance) []any {
		minor, currency := money(&b.Amount)
		high, low := exactTotal(minor)
		return []any{&b.Account, &b.Customer, high, low, currency}
	})
}

// Aging implements crm.LedgerReader as crm.AggregateAging does, with q
// normalized: the receivable items open as of q.AsOf, each in the bucket
// of its due day, added up per customer, currency and bucket:
//
//	SELECT customer_id, currency, bucket, <sum of the items' halves> FROM (
//	    SELECT customer_id, currency, <bucket of MAX(due_day)> AS bucket, <sum of amount_minor>
//	    FROM postings
//	    WHERE account = 'receivable' [AND customer_id = ?] AND effective_day <= <asOf>
//	    GROUP BY customer_id, currency, item_id) items
//	GROUP BY customer_id, currency, bucket HAVING <the sum is not zero>
//	ORDER BY customer_id, currency, bucket
//
// Items that are settled add zero to their bucket, so only the buckets
// are tested for zero.
func (l ledgerRepo) Aging(ctx context.Context, q crm.AgingQuery) ([]crm.AgingAmount, error) {
	q, err := q.Normalized()
	if err != nil {
		return nil, err
	}
	bucket, args := bucketCase("MAX(due_day)", q)
	var w where
	w.add("account = ?", string(crm.AccountReceivable))
	w.addIf(!q.Customer.IsZero(), "customer_id = ?", idArg(q.Customer))
	addAsOf(&w, "effective_day", q.AsOf)
	itemHigh, itemLow := sumHalves("amount_minor")
	high, low := total("high"), total("low")
	query := "SELECT customer_id, currency, bucket, " + high + ", " + low + " FROM (SELECT customer_id, currency, " +
		bucket + " AS bucket, " + itemHigh + " AS high, " + itemLow + " AS low FROM " +
		l.t.s.names.postings + w.sql() + " GROUP BY customer_id, currency, item_id) items" +
		" GROUP BY customer_id, currency, bucket HAVING " + exactNonZero(high, low) +
		" ORDER BY customer_id, " + l.t.s.dialect.bytewise("currency") + ", bucket"
	return aggregate(ctx, l.t, "adding up the aging", query, append(args, w.args...), func(a *crm.AgingAmount) []any {
		high, low := exactTotal(&a.Minor)
		return []any{&a.Customer, &a.Currency, &a.Bucket, high, low}
	})
}

// maxOverdueDays is where crm.Date.DaysSince saturates: it measures with
// a time.Duration, which holds 106,751 days and some hours, so an item
// due longer ago than that counts as overdue by that many days.
var maxOverdueDays = int64(time.Duration(math.MaxInt64).Hours() / 24)

// bucketCase returns the CASE expression giving the bucket of the due day
// col as q.Bucket does, with its parameters: bucket 0 while not overdue
// (due on or after the as-of day), then the first bound the days overdue
// do not exceed, else the last bucket. "overdue <= bound" is
// "due >= asOf - bound", and always true for a bound the saturated days
// overdue cannot pass.
func bucketCase(col string, q crm.AgingQuery) (string, []any) {
	asOf := dayNumber(q.AsOf)
	var b strings.Builder
	args := []any{asOf}
	b.WriteString("CASE WHEN " + col + " >= ? THEN 0")
	for i, bound := range q.Bounds {
		threshold := int64(math.MinInt64)
		if int64(bound) < maxOverdueDays {
			threshold = asOf - int64(bound)
		}
		b.WriteString(" WHEN " + col + " >= ? THEN " + strconv.Itoa(i+1))
		args = append(args, threshold)
	}
	b.WriteString(" ELSE " + strconv.Itoa(len(q.Bounds)+1) + " END")
	return b.String(), args
}

// Revenue implements crm.LedgerReader as crm.AggregateRevenue does, over
// the postings joined to their entries:
//
//	SELECT e.customer_id, p.currency,
//	       <sum of receivable amounts>, <sum of revenue amounts>
//	FROM postings p JOIN entries e ON e.id = p.entry_id
//	WHERE (p.account = 'revenue' OR (p.account = 'receivable' AND 'invoice' IN (e.kind, e.reversed_kind)))
//	      [AND e.customer_id = ?] [AND p.effective_day >= <from>] [AND p.effective_day <= <to>]
//	GROUP BY e.customer_id, p.currency ORDER BY e.customer_id, p.currency
//
// Net revenue is the revenue sum negated, revenue being a credit; no row
// is left out for adding up to zero, as the reference leaves none out.
func (l ledgerRepo) Revenue(ctx context.Context, customer crm.ID, from, to crm.Date) ([]crm.RevenueAmount, error) {
	receivable, revenue, invoice := string(crm.AccountReceivable), string(crm.AccountRevenue), string(crm.EntryInvoice)
	var w where
	w.add("(p.account = ? OR (p.account = ? AND (e.kind = ? OR e.reversed_kind = ?)))", revenue, receivable, invoice, invoice)
	w.addIf(!customer.IsZero(), "e.customer_id = ?", idArg(customer))
	w.addIf(!from.IsZero(), "p.effective_day >= ?", dayNumber(from))
	addAsOf(&w, "p.effective_day", to)
	query := "SELECT e.customer_id, p.currency, " + exactSum("CASE WHEN p.account = ? THEN p.amount_minor ELSE 0 END") +
		", " + exactSum("CASE WHEN p.account = ? THEN p.amount_minor ELSE 0 END") + " FROM " + l.t.s.names.postings +
		" p JOIN " + l.t.s.names.entries + " e ON e.id = p.entry_id" + w.sql() +
		" GROUP BY e.customer_id, p.currency ORDER BY e.customer_id, " + l.t.s.dialect.bytewise("p.currency")
	// exactSum repeats its expression in both halves.
	args := append([]any{receivable, receivable, revenue, revenue}, w.args...)
	rows, err := aggregate(ctx, l.t, "adding up revenue", query, args, func(r *crm.RevenueAmount) []any {
		invoicedHigh, invoicedLow := exactTotal(&r.InvoicedMinor)
		revenueHigh, revenueLow := exactTotal(&r.NetRevenueMinor)
		return []any{&r.Customer, &r.Currency, invoicedHigh, invoicedLow, revenueHigh, revenueLow}
	})
	for i := range rows {
		rows[i].NetRevenueMinor = -rows[i].NetRevenueMinor
	}
	return rows, err
}

// addAsOf keeps the rows whose day col is on or before asOf; the zero
// date keeps every row.
func addAsOf(w *where, col string, asOf crm.Date) {
	w.addIf(!asOf.IsZero(), col+" <= ?", dayNumber(asOf))
}
