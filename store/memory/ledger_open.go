package memory

import (
	"cmp"
	"slices"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/wide"
)

// The store keeps what is open on every item (an invoice, a credit) and
// every customer's balances current as entries are appended, so that a
// posting reads what it touches rather than adding up the customer's
// history: openItems holds the committed state, updated as a commit adds
// entries (in the order the table keeps them, the reference's order), and
// openOverlay a transaction's own appends over it, which it never touches
// until commit, as the tables' overlays do.

// itemKey names an item's amount in one currency, as storekit.OpenItems
// groups them.
type itemKey struct {
	customer crm.ID
	account  crm.AccountType
	item     crm.ID
	currency crm.Currency
}

// accountKey names a customer's balance on one of their accounts in one
// currency.
type accountKey struct {
	account  crm.AccountType
	currency crm.Currency
}

// itemPosting is one posting to an item: what an as-of read takes off.
// day is its entry's effective date as a day number, order its place
// among the item's postings as they were added.
type itemPosting struct {
	day   int64
	order int
	minor int64
	due   crm.Date
}

// dayOf numbers the day d counts as (a date that does not exist counts
// as the one it runs over to, as crm.Date.After compares them): midnight
// UTC is a whole number of days from 1970, before it too.
func dayOf(d crm.Date) int64 { return d.In(time.UTC).Unix() / 86400 }

// itemRow is what is open on an item: the total of its postings, the due
// date of the latest one that has one (the date storekit.OpenItems
// takes) with that posting's effective day, and its postings by effective
// day (in the order they were added within a day), so that a read as of
// a day takes off only those after it.
type itemRow struct {
	open     wide.Int
	due      crm.Date
	dueDay   int64
	postings []itemPosting
	added    int // postings added so far
}

// keyedRow is a committed row with its key.
type keyedRow struct {
	k itemKey
	r *itemRow
}

// openItems is the committed state.
type openItems struct {
	rows     map[itemKey]*itemRow
	byItem   map[crm.ID][]itemKey                // every key of an item ID
	nonZero  map[crm.ID]map[itemKey]bool         // per customer, the keys with something open
	balances map[crm.ID]map[accountKey]*wide.Int // per customer
	keysOf   map[crm.ID][]keyedRow               // every row of a customer
	ordered  []crm.ID                            // the customers of keysOf, in ID order
	recv     *agingColumns                       // the receivable items, for the aging
	credits  []keyedRow                          // the customer credit items, for the unapplied credit
	owed     owedIndex                           // what is owed, oldest due first (ledger_oldest.go)
}

func newOpenItems() *openItems {
	return &openItems{rows: map[itemKey]*itemRow{}, byItem: map[crm.ID][]itemKey{}, nonZero: map[crm.ID]map[itemKey]bool{},
		balances: map[crm.ID]map[accountKey]*wide.Int{}, keysOf: map[crm.ID][]keyedRow{}, recv: newAgingColumns(),
		owed: owedIndex{}}
}

// openOverlay is a transaction's view: the rows and balances its appends
// changed (each a copy it owns) over the committed state.
type openOverlay struct {
	base     *openItems
	rows     map[itemKey]*itemRow
	newKeys  map[crm.ID][]itemKey // keys of item IDs that the committed state does not have
	balances map[crm.ID]map[accountKey]*wide.Int
}

// beginIn makes o an overlay with nothing appended, and returns it; its
// maps are made by the first append.
func (x *openItems) beginIn(o *openOverlay) *openOverlay {
	*o = openOverlay{base: x}
	return o
}

// add applies a committed entry.
func (x *openItems) add(e crm.Entry) {
	owed := x.owed.before(e, x.rows)
	defer x.owed.after(owed, x.rows)
	addEntry(e, func(k itemKey) *itemRow {
		r := x.rows[k]
		if r == nil {
			r = &itemRow{}
			x.rows[k] = r
			x.byItem[k.item] = append(x.byItem[k.item], k)
			if len(x.keysOf[k.customer]) == 0 {
				x.ordered = insertID(x.ordered, k.customer)
			}
			x.keysOf[k.customer] = append(x.keysOf[k.customer], keyedRow{k, r})
			if k.account == crm.AccountCredit {
				x.credits = append(x.credits, keyedRow{k, r})
			}
		}
		return r
	}, func(customer crm.ID, k accountKey) *wide.Int {
		return sumOf(x.balances, customer, k, nil)
	})
	for _, p := range e.Postings {
		if !p.Account.PerCustomer() {
			continue
		}
		k := itemKey{p.Customer, p.Account, p.Item, p.Amount.Currency()}
		set := x.nonZero[k.customer]
		if set == nil {
			set = map[itemKey]bool{}
			x.nonZero[k.customer] = set
		}
		if x.rows[k].open.IsZero() {
			delete(set, k)
		} else {
			set[k] = true
		}
		if k.account == crm.AccountReceivable {
			x.recv.put(k, x.rows[k], x.byItem[k.item])
		}
	}
}

// add applies an entry the transaction appends.
func (o *openOverlay) add(e crm.Entry) {
	if o.rows == nil {
		o.rows, o.newKeys, o.balances = map[itemKey]*itemRow{}, map[crm.ID][]itemKey{}, map[crm.ID]map[accountKey]*wide.Int{}
	}
	addEntry(e, func(k itemKey) *itemRow {
		if r := o.rows[k]; r != nil {
			return r
		}
		r := &itemRow{}
		if b := o.base.rows[k]; b != nil {
			*r = *b
			r.postings = slices.Clip(r.postings) // an append copies them: the committed rows stay as they are
		} else {
			o.newKeys[k.item] = append(o.newKeys[k.item], k)
		}
		o.rows[k] = r
		return r
	}, func(customer crm.ID, k accountKey) *wide.Int {
		return sumOf(o.balances, customer, k, o.base.balances)
	})
}

// sumOf returns the customer's balance k in sums, made (from the one in
// base, if any) when missing.
func sumOf(sums map[crm.ID]map[accountKey]*wide.Int, customer crm.ID, k accountKey, base map[crm.ID]map[accountKey]*wide.Int) *wide.Int {
	m := sums[customer]
	if m == nil {
		m = map[accountKey]*wide.Int{}
		sums[customer] = m
	}
	if m[k] == nil {
		m[k] = new(wide.Int)
		if b := base[customer][k]; b != nil {
			*m[k] = *b
		}
	}
	return m[k]
}

// addEntry adds an entry's postings to the customer's accounts to the rows
// and balances row and sum return.
func addEntry(e crm.Entry, row func(itemKey) *itemRow, sum func(crm.ID, accountKey) *wide.Int) {
	for _, p := range e.Postings {
		if !p.Account.PerCustomer() {
			continue
		}
		minor, day := minorOf(p.Amount), dayOf(e.Effective)
		r := row(itemKey{p.Customer, p.Account, p.Item, p.Amount.Currency()})
		r.open.Add(minor)
		if !p.Due.IsZero() {
			r.due, r.dueDay = p.Due, day
		}
		// After every posting of the same day or earlier: at the end, but
		// for a backdated entry.
		i := len(r.postings)
		for i > 0 && r.postings[i-1].day > day {
			i--
		}
		r.postings = slices.Insert(r.postings, i, itemPosting{day: day, order: r.added, minor: minor, due: p.Due})
		r.added++
		sum(p.Customer, accountKey{p.Account, p.Amount.Currency()}).Add(minor)
	}
}

// minorOf is m in minor units; the amounts the port hands over fit.
func minorOf(m crm.Money) int64 {
	v, _ := m.Minor()
	return v
}

// row returns the row of k the transaction sees, nil for none.
func (o *openOverlay) row(k itemKey) *itemRow {
	if r := o.rows[k]; r != nil {
		return r
	}
	return o.base.rows[k]
}

// itemsOf returns what is open on the customer's items as of asOf (zero
// for now), as storekit.OpenItems would over the items' entries: a past
// date takes off the items' postings effective after it, and takes the
// due date of the latest posting on or before it that has one.
func (o *openOverlay) itemsOf(customer crm.ID, items []crm.ID, asOf crm.Date) []crm.OpenItem {
	out := []crm.OpenItem{}
	seen := map[crm.ID]bool{}
	for _, id := range items {
		if seen[id] {
			continue
		}
		seen[id] = true
		for _, k := range slices.Concat(o.base.byItem[id], o.newKeys[id]) {
			if k.customer != customer {
				continue
			}
			if it, ok := o.row(k).asOf(k, asOf); ok {
				out = append(out, it)
			}
		}
	}
	slices.SortFunc(out, crm.OpenItem.Compare)
	return out
}

// asOf returns the row as an open item as of asOf, or false when nothing
// is open on it then.
func (r *itemRow) asOf(k itemKey, asOf crm.Date) (crm.OpenItem, bool) {
	open, due := r.openAsOf(asOf)
	if open.IsZero() {
		return crm.OpenItem{}, false
	}
	return crm.OpenItem{Customer: k.customer, Account: k.account, Item: k.item, Due: due, Open: moneyOf(open, k.currency)}, true
}

// openAsOf returns what is open on the row as of asOf (zero for now), and
// its due date then.
func (r *itemRow) openAsOf(asOf crm.Date) (wide.Int, crm.Date) {
	open, due := r.open, r.due
	if !asOf.IsZero() {
		day := dayOf(asOf)
		i := len(r.postings)
		for i > 0 && r.postings[i-1].day > day {
			i--
			open.AddInt(wide.Of(r.postings[i].minor).Neg())
		}
		if !due.IsZero() && r.dueDay > day {
			// The due date of the latest posting added that counts then.
			latest := -1
			due = crm.Date{}
			for _, p := range r.postings[:i] {
				if !p.due.IsZero() && p.order > latest {
					due, latest = p.due, p.order
				}
			}
		}
	}
	return open, due
}

// itemsAsOf returns what was open on every item of the customer (of
// every customer for the zero ID) as of asOf, as storekit.OpenItems would
// over the entries, sorted as it sorts.
func (o *openOverlay) itemsAsOf(customer crm.ID, asOf crm.Date) []crm.OpenItem {
	out := []crm.OpenItem{}
	add := func(k itemKey, r *itemRow) {
		if it, ok := r.asOf(k, asOf); ok {
			out = append(out, it)
		}
	}
	switch {
	case customer.IsZero() && len(o.rows) == 0:
		// Customer by customer, in order: only each one's items to sort.
		for _, c := range o.base.ordered {
			n := len(out)
			for _, kr := range o.base.keysOf[c] {
				add(kr.k, kr.r)
			}
			slices.SortFunc(out[n:], crm.OpenItem.Compare)
		}
		return out
	case customer.IsZero():
		for k, r := range o.base.rows {
			if _, mine := o.rows[k]; !mine {
				add(k, r)
			}
		}
	default:
		for _, kr := range o.base.keysOf[customer] {
			if _, mine := o.rows[kr.k]; !mine {
				add(kr.k, kr.r)
			}
		}
	}
	for k, r := range o.rows {
		if customer.IsZero() || k.customer == customer {
			add(k, r)
		}
	}
	slices.SortFunc(out, crm.OpenItem.Compare)
	return out
}

// customerItems returns what is open on every item of the customer now,
// sorted as OpenItems sorts.
func (o *openOverlay) customerItems(customer crm.ID) []crm.OpenItem {
	out := []crm.OpenItem{}
	for k := range o.base.nonZero[customer] {
		if _, mine := o.rows[k]; !mine {
			it, _ := o.base.rows[k].asOf(k, crm.Date{})
			out = append(out, it)
		}
	}
	for k, r := range o.rows {
		if it, ok := r.asOf(k, crm.Date{}); ok && k.customer == customer {
			out = append(out, it)
		}
	}
	slices.SortFunc(out, crm.OpenItem.Compare)
	return out
}

// allItems returns what is open on every item of every customer now,
// sorted as OpenItems sorts: customer by customer, from what the store
// keeps rather than from the entries.
func (o *openOverlay) allItems() []crm.OpenItem {
	customers := make([]crm.ID, 0, len(o.base.nonZero))
	for c, keys := range o.base.nonZero {
		if len(keys) > 0 {
			customers = append(customers, c)
		}
	}
	for k := range o.rows {
		customers = append(customers, k.customer)
	}
	slices.SortFunc(customers, crm.ID.Compare)
	out := []crm.OpenItem{}
	for i, c := range customers {
		if i == 0 || customers[i-1] != c {
			out = append(out, o.customerItems(c)...)
		}
	}
	return out
}

// balancesOf returns the customer's balances now, leaving out zero ones,
// sorted by account and currency as Balances sorts them.
func (o *openOverlay) balancesOf(customer crm.ID) []crm.Balance {
	out := []crm.Balance{}
	add := func(k accountKey, v *wide.Int) {
		if !v.IsZero() {
			out = append(out, crm.Balance{Account: k.account, Customer: customer, Amount: moneyOf(*v, k.currency)})
		}
	}
	mine := o.balances[customer]
	for k, v := range o.base.balances[customer] {
		if mine[k] == nil {
			add(k, v)
		}
	}
	for k, v := range mine {
		add(k, v)
	}
	slices.SortFunc(out, func(a, b crm.Balance) int {
		return cmp.Or(cmp.Compare(a.Account, b.Account), cmp.Compare(a.Amount.Currency(), b.Amount.Currency()))
	})
	return out
}

// moneyOf is the exact total x of minor units of currency.
func moneyOf(x wide.Int, currency crm.Currency) crm.Money {
	if v, ok := x.Int64(); ok {
		return crm.MoneyFromMinor(v, currency)
	}
	return crm.MoneyFromBigMinor(x.Big(), currency)
}

// insertID inserts id into ids, kept in order: at the end, in O(1), when
// it goes last, as the IDs of one clock do.
func insertID(ids []crm.ID, id crm.ID) []crm.ID {
	if n := len(ids); n == 0 || ids[n-1].Compare(id) < 0 {
		return append(ids, id)
	}
	i, _ := slices.BinarySearchFunc(ids, id, crm.ID.Compare)
	return slices.Insert(ids, i, id)
}
