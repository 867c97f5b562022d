package sqlstore

import (
	"context"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/crmkit/crm"
)

// Aging implements crm.LedgerReader as storekit.AggregateAging does, with q
// normalized: the receivable items open as of q.AsOf, each in the bucket
// of its due day, added up per customer, currency and bucket. An item
// whose postings all have the same due day (every invoice the CRM posts)
// is in the bucket of each of its postings, so those are bucketed one by
// one in a single pass; the rare items whose postings disagree
// (mixed_due) are added up item by item first, due when their latest
// dated posting says (lastDue):
//
//	SELECT customer_id, currency, bucket, <sum of the parts> FROM (
//	    SELECT customer_id, currency, <bucket of due_day> AS bucket, <sum of amount_minor>
//	    FROM postings p WHERE <receivable, effective by the day> AND mixed_due = 0
//	    GROUP BY customer_id, currency, bucket
//	    UNION ALL
//	    SELECT customer_id, currency, <bucket of due>, high, low FROM (
//	        SELECT customer_id, currency, <lastDue> AS due, <sum of amount_minor>
//	        FROM postings p WHERE <receivable, effective by the day> AND mixed_due = 1
//	        GROUP BY customer_id, account, currency, item_id) items) parts
//	GROUP BY customer_id, currency, bucket HAVING <the sum is not zero>
//	ORDER BY customer_id, currency, bucket
//
// Settled items add zero to their bucket, so only buckets are tested for
// zero.
func (l ledgerRepo) Aging(ctx context.Context, q crm.AgingQuery) ([]crm.AgingAmount, error) {
	q, err := q.Normalized()
	if err != nil {
		return nil, err
	}
	var w where
	w.add("account = ?", string(crm.AccountReceivable))
	w.addIf(!q.Customer.IsZero(), "customer_id = ?", idArg(q.Customer))
	addAsOf(&w, "effective_day", q.AsOf)
	postings := l.t.s.names.postings + " p" + w.sql()
	d := l.t.s.dialect
	byDueDay, args := bucketCase("due_day", q)
	args = append(args, w.args...)
	byDue, bucketArgs := bucketCase("due", q)
	last, lastArgs := l.lastDue("due_day", q.AsOf)
	args = append(append(append(append(args, bucketArgs...), lastArgs...), dayNumber(crm.Date{})), w.args...)
	query := func(s sums) string {
		high, low := s.halves("amount_minor")
		sums := high + " AS high, " + low + " AS low"
		byPosting := "SELECT customer_id, currency, " + byDueDay + " AS bucket, " + sums + " FROM " + postings +
			" AND mixed_due = 0 GROUP BY customer_id, currency, bucket"
		byItem := "SELECT customer_id, currency, " + byDue + " AS bucket, high, low FROM (SELECT customer_id, currency, " +
			"COALESCE(" + last + ", ?) AS due, " + sums + " FROM " + postings +
			" AND mixed_due = 1 GROUP BY customer_id, account, currency, item_id) items"
		high, low = s.merge("high", "low")
		return "SELECT customer_id, currency, bucket, " + high + ", " + low + " FROM (" + byPosting + " UNION ALL " + byItem +
			") parts GROUP BY customer_id, currency, bucket HAVING " + s.nonZero(high, low) +
			" ORDER BY customer_id, " + d.bytewise("currency") + ", bucket"
	}
	return aggregateSums(ctx, l.t, "adding up the aging", query, args, func(a *crm.AgingAmount) []any {
		high, low := exactTotal(&a.Minor, "aging")
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
