package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"maps"
	"slices"
	"strings"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/wide"
)

// The store keeps what is open on every item and every customer's
// balances current (migration 0008: open_items and customer_balances),
// upserted by Append in the transaction that writes the postings, so that
// a posting reads what it touches rather than adding up the customer's
// history. An amount there is two columns, high·2^32 + low with
// 0 <= low < 2^32, exact beyond 64 bits; adding a delta carries the low
// half's overflow into the high one, which neither column can overflow
// doing.

// openItemsTable and balancesTable are the tables' names.
func (n names) openItemsTable() string { return n.cfg.table("open_items") }
func (n names) balancesTable() string  { return n.cfg.table("customer_balances") }

// split returns x as high·2^32 + low with 0 <= low < 2^32; x is a sum of
// a transaction's postings, well within 2^95.
func split(x wide.Int) (high, low int64) {
	low = int64(x.Lo & 0xFFFFFFFF)
	return int64(uint64(x.Hi)<<32 | x.Lo>>32), low
}

// carried are the SET clauses adding excluded's two columns high and low
// to the stored row o's.
func carried(high, low string) string {
	return high + " = o." + high + " + excluded." + high + " + ((o." + low + " + excluded." + low + ") >> 32), " +
		low + " = (o." + low + " + excluded." + low + ") & 4294967295"
}

// itemKey is a row of open_items: an item of a customer's account in a
// currency.
type itemKey struct {
	customer, item crm.ID
	account        crm.AccountType
	currency       crm.Currency
}

// accountKey is a row of customer_balances.
type accountKey struct {
	customer crm.ID
	account  crm.AccountType
	currency crm.Currency
}

// openDelta is what entries add to one item: the sum of their postings to
// it and, of those with a due date, the latest (by entry, then seq; seq
// -1 for none), which is the due date open_items keeps unless it has a
// later one.
type openDelta struct {
	sum      wide.Int
	due      crm.Date
	dueEntry crm.ID
	dueSeq   int
	dueDay   int64 // the effective day of dueEntry
}

// openDeltas is what entries add to open_items and customer_balances, per
// row.
type openDeltas struct {
	items    map[itemKey]*openDelta
	balances map[accountKey]*wide.Int
	touched  map[crm.ID]map[crm.ID]bool // customer, item
}

// add adds what e posts to the customers' accounts.
func (o *openDeltas) add(e crm.Entry) {
	for seq, p := range e.Postings {
		if !p.Account.PerCustomer() {
			continue
		}
		if o.items == nil {
			o.items, o.balances, o.touched = map[itemKey]*openDelta{}, map[accountKey]*wide.Int{}, map[crm.ID]map[crm.ID]bool{}
		}
		if o.touched[p.Customer] == nil {
			o.touched[p.Customer] = map[crm.ID]bool{}
		}
		o.touched[p.Customer][p.Item] = true
		minor, _ := p.Amount.Minor() // postingRows made sure it fits
		k := itemKey{p.Customer, p.Item, p.Account, p.Amount.Currency()}
		d := o.items[k]
		if d == nil {
			d = &openDelta{dueSeq: -1}
			o.items[k] = d
		}
		d.sum.Add(minor)
		if !p.Due.IsZero() && (d.dueSeq < 0 || cmp.Or(e.ID.Compare(d.dueEntry), cmp.Compare(seq, d.dueSeq)) > 0) {
			d.due, d.dueEntry, d.dueSeq, d.dueDay = p.Due, e.ID, seq, dayNumber(e.Effective)
		}
		a := accountKey{p.Customer, p.Account, p.Amount.Currency()}
		b := o.balances[a]
		if b == nil {
			b = new(wide.Int)
			o.balances[a] = b
		}
		b.Add(minor)
	}
}

// empty reports whether there is nothing to add.
func (o *openDeltas) empty() bool { return len(o.items) == 0 }

// touches reports whether anything is added to the customer's accounts,
// or, with items, to one of those items of the customer.
func (o *openDeltas) touches(customer crm.ID, items ...crm.ID) bool {
	touched := o.touched[customer]
	if len(items) == 0 {
		return len(touched) > 0
	}
	return slices.ContainsFunc(items, func(id crm.ID) bool { return touched[id] })
}

// write adds the deltas to open_items and customer_balances, in a fixed
// order of keys (so that two transactions never wait on each other's rows
// crosswise), many rows to a statement, and both tables in one statement
// on PostgreSQL when they fit.
func (o *openDeltas) write(ctx context.Context, t *txn) error {
	if o.empty() {
		return nil
	}
	var itemRows, balanceRows [][]any
	for _, k := range slices.SortedFunc(maps.Keys(o.items), func(a, b itemKey) int {
		return cmp.Or(a.customer.Compare(b.customer), a.item.Compare(b.item), cmp.Compare(a.account, b.account), cmp.Compare(a.currency, b.currency))
	}) {
		d := o.items[k]
		high, low := split(d.sum)
		due, dueEntry, dueDay := any(nil), crm.ID{}, dayNumber(crm.Date{})
		seq := 0
		if d.dueSeq >= 0 {
			var err error
			if due, err = dateArg("due", d.due); err != nil {
				return err
			}
			dueEntry, seq, dueDay = d.dueEntry, d.dueSeq, d.dueDay
		}
		itemRows = append(itemRows, []any{idArg(k.customer), idArg(k.item), string(k.account), k.currency.Code(), high, low,
			due, idArg(dueEntry), seq, dueDay})
	}
	for _, k := range slices.SortedFunc(maps.Keys(o.balances), func(a, b accountKey) int {
		return cmp.Or(a.customer.Compare(b.customer), cmp.Compare(a.account, b.account), cmp.Compare(a.currency, b.currency))
	}) {
		high, low := split(*o.balances[k])
		balanceRows = append(balanceRows, []any{idArg(k.customer), string(k.account), k.currency.Code(), high, low})
	}
	later := "excluded.due_entry_id > o.due_entry_id OR (excluded.due_entry_id = o.due_entry_id AND excluded.due_seq > o.due_seq)"
	pick := func(col string) string {
		return col + " = CASE WHEN " + later + " THEN excluded." + col + " ELSE o." + col + " END"
	}
	n := t.s.names
	open := upsert{n.openItemsTable(), "customer_id, item_id, account, currency, open_high, open_low, due, due_entry_id, " +
		"due_seq, due_effective_day", "customer_id, item_id, account, currency", carried("open_high", "open_low") + ", " +
		pick("due") + ", " + pick("due_effective_day") + ", " + pick("due_seq") + ", " + pick("due_entry_id")}
	sums := upsert{n.balancesTable(), "customer_id, account, currency, total_high, total_low", "customer_id, account, currency",
		carried("total_high", "total_low")}
	if t.s.dialect == PostgreSQL && (len(itemRows)*10+len(balanceRows)*5) <= maxBatchParams { // one round trip
		q1, args1 := open.query(itemRows)
		q2, args2 := sums.query(balanceRows)
		_, err := t.execLater(ctx, -1, "", "WITH items AS ("+q1+") "+q2, slices.Concat(args1, args2)...)
		return t.s.dbErr("keeping what is open", err)
	}
	if err := open.run(ctx, t, itemRows); err != nil {
		return err
	}
	return sums.run(ctx, t, balanceRows)
}

// upsert inserts rows into table, or updates the row with their key as
// set says. The SET clauses are evaluated against the row as stored, so
// the columns they compare are not yet changed when a later clause reads
// them.
type upsert struct{ table, columns, key, set string }

// query returns the statement upserting rows, and its arguments.
func (u upsert) query(rows [][]any) (string, []any) {
	row := "(" + placeholders(len(rows[0])) + ")"
	var args []any
	for _, r := range rows {
		args = append(args, r...)
	}
	return "INSERT INTO " + u.table + " AS o (" + u.columns + ") VALUES " + strings.TrimSuffix(strings.Repeat(row+", ", len(rows)), ", ") +
		" ON CONFLICT (" + u.key + ") DO UPDATE SET " + u.set, args
}

// run upserts rows, many to a statement.
func (u upsert) run(ctx context.Context, t *txn, rows [][]any) error {
	batch := max(1, maxBatchParams/len(rows[0]))
	for start := 0; start < len(rows); start += batch {
		query, args := u.query(rows[start:min(start+batch, len(rows))])
		if _, err := t.execLater(ctx, -1, "", query, args...); err != nil {
			return t.s.dbErr("keeping what is open", err)
		}
	}
	return nil
}

// customerItems is OpenItems of one customer over the whole ledger: the
// items open_items has something open on, in OpenItems's order.
func (l ledgerRepo) customerItems(ctx context.Context, customer crm.ID) ([]crm.OpenItem, error) {
	d := l.t.s.dialect
	query := "SELECT customer_id, account, item_id, due, open_high, open_low, currency FROM " + l.t.s.names.openItemsTable() +
		" WHERE customer_id = ? AND (open_high <> 0 OR open_low <> 0)" +
		" ORDER BY customer_id, " + d.bytewise("account") + ", due NULLS FIRST, item_id, " + d.bytewise("currency")
	return aggregate(ctx, l.t, "reading open items", query, []any{idArg(customer)}, func(it *crm.OpenItem) []any {
		high, low, currency := exactMoney(&it.Open)
		return []any{&it.Customer, &it.Account, &it.Item, &it.Due, high, low, currency}
	})
}

// openRow is a row of open_items being read as of a date.
type openRow struct {
	crm.OpenItem
	high   int64 // open_high, which openLow puts together with open_low
	open   wide.Int
	dueDay int64 // the effective day of the posting due comes from
	// What was posted to the item after the date asked, in two halves.
	laterHigh, laterLow int64
}

// OpenItemsOf implements crm.LedgerReader: the rows of open_items for the
// customer's items, and for a past date their postings effective after
// it, taken off (postings_item_day_idx), in one query; when the item's due date comes
// from a posting after that date, the latest posting on or before it
// with one gives it (postings_item_entry_idx), as storekit.OpenItems
// would. In a PostgreSQL write transaction, read under the lock of the
// customer's book (see lockBook).
func (l ledgerRepo) OpenItemsOf(ctx context.Context, customer crm.ID, items []crm.ID, asOf crm.Date) ([]crm.OpenItem, error) {
	if customer.IsZero() {
		return []crm.OpenItem{}, nil
	}
	if err := l.lockBook(ctx, customer); err != nil {
		return nil, err
	}
	if len(items) == 0 || l.t.pendingTouches(customer, items...) {
		return l.openItemsOf(ctx, customer, items, asOf)
	}
	var out []crm.OpenItem
	err := l.t.withoutSettling(func() (err error) { // nothing pending concerns the items
		out, err = l.openItemsOf(ctx, customer, items, asOf)
		return err
	})
	return out, err
}

// openItemsOf is OpenItemsOf of a customer, after its book's lock.
func (l ledgerRepo) openItemsOf(ctx context.Context, customer crm.ID, items []crm.ID, asOf crm.Date) ([]crm.OpenItem, error) {
	ids := make([]any, 0, len(items))
	seen := make(map[crm.ID]bool, len(items))
	for _, id := range items {
		if !seen[id] {
			seen[id] = true
			ids = append(ids, idArg(id))
		}
	}
	names := l.t.s.names
	// What was posted to the item after asOf, in two exact halves as
	// open_high and open_low are, for a past date; nothing for now.
	later, args := "0, 0", []any{}
	if !asOf.IsZero() {
		half := func(expr string) string {
			return "(SELECT COALESCE(CAST(SUM(" + expr + ") AS BIGINT), 0) FROM " + names.postings + " p WHERE p.item_id = o.item_id" +
				" AND p.customer_id = o.customer_id AND p.account = o.account AND p.currency = o.currency AND p.effective_day > ?)"
		}
		later = half("p.amount_minor >> 32") + ", " + half("p.amount_minor & 4294967295")
		args = []any{dayNumber(asOf), dayNumber(asOf)}
	}
	var rows []*openRow
	for start := 0; start < len(ids); start += maxBatchParams {
		chunk := ids[start:min(start+maxBatchParams, len(ids))]
		got, err := aggregate(ctx, l.t, "reading open items", "SELECT account, item_id, due, due_effective_day, open_high, open_low, currency, "+
			later+" FROM "+names.openItemsTable()+" o WHERE customer_id = ? AND item_id IN ("+placeholders(len(chunk))+")",
			slices.Concat(args, []any{idArg(customer)}, chunk), func(r *openRow) []any {
				return []any{&r.Account, &r.Item, &r.Due, &r.dueDay, &r.high, &openLow{dst: r}, &currencyOf{dst: &r.OpenItem},
					&r.laterHigh, &r.laterLow}
			})
		if err != nil {
			return nil, err
		}
		for i := range got {
			r := &got[i]
			r.Customer = customer
			r.open.AddInt(wide.Halves(r.laterHigh, r.laterLow).Neg())
			rows = append(rows, r)
		}
	}
	out := []crm.OpenItem{}
	for _, r := range rows {
		if r.open.IsZero() {
			continue
		}
		if !asOf.IsZero() && !r.Due.IsZero() && r.dueDay > dayNumber(asOf) {
			due, err := l.dueAsOf(ctx, customer, r, asOf)
			if err != nil {
				return nil, err
			}
			r.Due = due
		}
		cur := r.Open.Currency()
		r.Open = moneyOfWide(r.open, cur)
		out = append(out, r.OpenItem)
	}
	slices.SortFunc(out, crm.OpenItem.Compare)
	return out, nil
}

// dueAsOf returns the due date of r's latest posting, by entry and seq,
// effective on or before asOf that has one.
func (l ledgerRepo) dueAsOf(ctx context.Context, customer crm.ID, r *openRow, asOf crm.Date) (crm.Date, error) {
	var due crm.Date
	err := l.t.queryRow(ctx, "SELECT due FROM "+l.t.s.names.postings+" WHERE item_id = ? AND customer_id = ? AND account = ? AND currency = ?"+
		" AND due IS NOT NULL AND effective_day <= ? ORDER BY entry_id DESC, seq DESC LIMIT 1",
		idArg(r.Item), idArg(customer), string(r.Account), r.Open.Currency().Code(), dayNumber(asOf)).Scan(&due)
	if errors.Is(err, sql.ErrNoRows) {
		return crm.Date{}, nil
	}
	return due, l.t.s.dbErr("reading an item's due date", err)
}

// BalancesOf implements crm.LedgerReader from customer_balances, leaving
// out zero balances, in Balances's order. In a PostgreSQL write
// transaction, read under the lock of the customer's book.
func (l ledgerRepo) BalancesOf(ctx context.Context, customer crm.ID) ([]crm.Balance, error) {
	if customer.IsZero() {
		return []crm.Balance{}, nil
	}
	if err := l.lockBook(ctx, customer); err != nil {
		return nil, err
	}
	d := l.t.s.dialect
	query := "SELECT account, customer_id, total_high, total_low, currency FROM " + l.t.s.names.balancesTable() +
		" WHERE customer_id = ? AND (total_high <> 0 OR total_low <> 0) ORDER BY " + d.bytewise("account") + ", " + d.bytewise("currency")
	var out []crm.Balance
	read := func() (err error) {
		out, err = aggregate(ctx, l.t, "reading balances", query, []any{idArg(customer)}, func(b *crm.Balance) []any {
			high, low, currency := exactMoney(&b.Amount)
			return []any{&b.Account, &b.Customer, high, low, currency}
		})
		return err
	}
	var err error
	if l.t.pendingTouches(customer) {
		err = read()
	} else {
		err = l.t.withoutSettling(read) // nothing pending concerns the customer
	}
	return out, err
}

// openLow scans open_low into the row's total, the high half having been
// scanned before it: the two make high·2^32 + low.
type openLow struct{ dst *openRow }

func (c *openLow) Scan(src any) error {
	var low sql.NullInt64
	if err := low.Scan(src); err != nil {
		return err
	}
	c.dst.open = wide.Halves(c.dst.high, low.Int64)
	return nil
}

// currencyOf scans a currency code into an open item's amount, zero in
// that currency until the total is known.
type currencyOf struct{ dst *crm.OpenItem }

func (c *currencyOf) Scan(src any) error {
	code, err := currencyCode(src)
	if err != nil {
		return err
	}
	cur, err := crm.ParseCurrency(code)
	if err != nil {
		return err
	}
	c.dst.Open = crm.Zero(cur)
	return nil
}

// moneyOfWide is the exact total x of minor units of currency.
func moneyOfWide(x wide.Int, currency crm.Currency) crm.Money {
	if v, ok := x.Int64(); ok {
		return crm.MoneyFromMinor(v, currency)
	}
	return crm.MoneyFromBigMinor(x.Big(), currency)
}
