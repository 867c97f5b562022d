package sqlstore

import (
	"context"

	"github.com/crmkit/crm"
)

// UnappliedCredit implements crm.LedgerReader as storekit.AggregateCredit
// does over the open items as of asOf, in one query: the postings to the
// customer credit account effective by the day, added up per item, the
// items with something open added up per customer and currency:
//
//	SELECT customer_id, currency, <sum of the items> FROM (
//	    SELECT customer_id, currency, <sum of amount_minor> FROM postings p
//	    WHERE <credit account, customer, effective by the day>
//	    GROUP BY customer_id, currency, item_id HAVING <the sum is not zero>) items
//	GROUP BY customer_id, currency ORDER BY customer_id, currency
//
// postings_items_idx (account, customer_id, currency, item_id, with the
// day and amount) covers it, in the order it groups by: it reads the
// credit account's postings alone, not the receivable ones.
func (l ledgerRepo) UnappliedCredit(ctx context.Context, customer crm.ID, asOf crm.Date) ([]crm.CreditAmount, error) {
	var w where
	w.add("account = ?", string(crm.AccountCredit))
	w.addIf(!customer.IsZero(), "customer_id = ?", idArg(customer))
	addAsOf(&w, "effective_day", asOf)
	postings := l.t.s.names.postings + " p" + w.sql()
	d := l.t.s.dialect
	query := func(s sums) string {
		high, low := s.halves("amount_minor")
		items := "SELECT customer_id, currency, " + high + " AS high, " + low + " AS low FROM " + postings +
			" GROUP BY customer_id, currency, item_id HAVING " + s.nonZero(high, low)
		high, low = s.merge("high", "low")
		return "SELECT customer_id, currency, " + high + ", " + low + " FROM (" + items +
			") items GROUP BY customer_id, currency ORDER BY customer_id, " + d.bytewise("currency")
	}
	return aggregateSums(ctx, l.t, "adding up the unapplied credit", query, w.args, func(c *crm.CreditAmount) []any {
		high, low := exactTotal(&c.Minor, "credit")
		return []any{&c.Customer, &c.Currency, high, low}
	})
}
