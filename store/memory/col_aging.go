package memory

import (
	"cmp"
	"math"
	"slices"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/rows"
	"github.com/crmkit/crm/internal/wide"
	"github.com/shopspring/decimal"
)

// agingColumns keeps the receivable items as columns, current as entries
// are committed, so that the aging walks flat slices of what it reads: an
// item's customer and currency (as indexes into the dictionaries below),
// its due day, what is open on it now in minor units and the day of its
// latest posting. An item is a slot for good: one paid in full stays,
// with nothing open.
type agingColumns struct {
	cust []int32
	cur  []int32
	due  []int64 // the day number (dayOf) of the item's due date, noDue for none
	open []int64 // what is open now, 0 for an item in wide
	last []int64 // the day of the item's latest posting
	keys []itemKey
	rows []*itemRow
	wide map[int32]bool // items whose open total does not fit in 64 bits
	slot map[itemKey]int32

	customers  []crm.ID // by index
	custIndex  map[crm.ID]int32
	custOrder  []int32   // customer indexes in ID order
	byCust     [][]int32 // the slots of each customer
	currencies []crm.Currency
	curIndex   map[crm.Currency]int32
	curOrder   []int32 // currency indexes in currency order

	// mixed is set once an item has receivable postings of two
	// customers in one currency: the aging counts such an item under
	// its first customer, which the columns do not keep, and asks the
	// reference instead.
	mixed bool
}

// noDue is the due day of an item without a due date: far enough off to
// take the exact path (crm.AgingQuery.Bucket) in every aging.
const noDue = math.MinInt64 / 2

// farDays is how many days overdue (or ahead) an item may be for the
// aging to count them as a difference of day numbers; beyond, it asks
// crm.AgingQuery.Bucket, whose durations saturate.
const farDays = 100_000

func newAgingColumns() *agingColumns {
	return &agingColumns{wide: map[int32]bool{}, slot: map[itemKey]int32{}, custIndex: map[crm.ID]int32{}, curIndex: map[crm.Currency]int32{}}
}

// put records the committed row of the receivable item k.
func (c *agingColumns) put(k itemKey, r *itemRow, others []itemKey) {
	i, ok := c.slot[k]
	if !ok {
		for _, o := range others {
			if o.account == crm.AccountReceivable && o.currency == k.currency && o.customer != k.customer {
				c.mixed = true
			}
		}
		i = int32(len(c.keys))
		c.slot[k] = i
		cu := c.customer(k.customer)
		c.cust, c.cur = append(c.cust, cu), append(c.cur, c.currency(k.currency))
		c.byCust[cu] = append(c.byCust[cu], i)
		c.due, c.open, c.last = append(c.due, 0), append(c.open, 0), append(c.last, 0)
		c.keys, c.rows = append(c.keys, k), append(c.rows, r)
	}
	c.rows[i] = r
	c.due[i] = noDue
	if !r.due.IsZero() {
		c.due[i] = dayOf(r.due)
	}
	c.last[i] = r.postings[len(r.postings)-1].day
	v, fits := r.open.Int64()
	if fits {
		c.open[i] = v
		delete(c.wide, i)
	} else {
		c.open[i] = 0
		c.wide[i] = true
	}
}

// customer returns the index of a customer, adding it in ID order.
func (c *agingColumns) customer(id crm.ID) int32 {
	if i, ok := c.custIndex[id]; ok {
		return i
	}
	i := int32(len(c.customers))
	c.custIndex[id] = i
	c.customers = append(c.customers, id)
	c.byCust = append(c.byCust, nil)
	c.custOrder = insertOrdered(c.custOrder, i, func(j int32) int { return c.customers[j].Compare(id) })
	return i
}

// currency returns the index of a currency, adding it in order.
func (c *agingColumns) currency(cur crm.Currency) int32 {
	if i, ok := c.curIndex[cur]; ok {
		return i
	}
	i := int32(len(c.currencies))
	c.curIndex[cur] = i
	c.currencies = append(c.currencies, cur)
	c.curOrder = insertOrdered(c.curOrder, i, func(j int32) int {
		if c.currencies[j] < cur {
			return -1
		}
		return 1
	})
	return i
}

// insertOrdered inserts i into order, kept sorted by cmp (which compares
// an element with i's value): at the end when it goes last, as the IDs
// of one clock do, in O(1).
func insertOrdered(order []int32, i int32, cmp func(int32) int) []int32 {
	if n := len(order); n == 0 || cmp(order[n-1]) < 0 {
		return append(order, i)
	}
	at, _ := slices.BinarySearchFunc(order, i, func(j, _ int32) int { return cmp(j) })
	return slices.Insert(order, at, i)
}

// aging returns the aging amounts of the committed items, as
// storekit.AgingAggregator would over the committed entries, or false
// when the columns cannot answer: a transaction that appended entries, an
// item of two customers, or far more customers than items.
func (o *openOverlay) aging(q crm.AgingQuery) ([]crm.AgingAmount, bool, error) {
	c := o.base.recv
	switch {
	case c.mixed || o.mixed():
		return nil, false, nil
	case len(o.rows) > 0:
		out, err := o.agingByRows(q)
		return out, true, err
	}
	nb, nc := len(q.Bounds)+2, len(c.currencies)
	var slots []int32
	custs := c.custOrder
	base := func(i int32) int { return (int(c.cust[i])*nc + int(c.cur[i])) * nb }
	if !q.Customer.IsZero() {
		cu, ok := c.custIndex[q.Customer]
		if !ok {
			return []crm.AgingAmount{}, true, nil
		}
		slots, custs = c.byCust[cu], []int32{cu}
		base = func(i int32) int { return int(c.cur[i]) * nb }
	} else if len(c.customers)*nc*nb > 4*len(c.keys)+1024 {
		out, err := o.agingByRows(q)
		return out, true, err
	}
	cells := make([]wide.Int, len(custs)*nc*nb)
	asOf := dayOf(q.AsOf)
	add := func(i int32) {
		if open, due := c.rows[i].openAsOf(q.AsOf); !open.IsZero() {
			cells[base(i)+q.Bucket(due)].AddInt(open)
		}
	}
	if q.Customer.IsZero() {
		for i, last := range c.last {
			switch {
			case last > asOf || c.wide[int32(i)]:
				add(int32(i))
			case c.open[i] == 0:
			default:
				overdue := asOf - c.due[i]
				if overdue > farDays || overdue < -farDays {
					add(int32(i))
					continue
				}
				cells[(int(c.cust[i])*nc+int(c.cur[i]))*nb+bucketOf(q.Bounds, overdue)].Add(c.open[i])
			}
		}
	} else {
		for _, i := range slots {
			switch {
			case c.last[i] > asOf || c.wide[i]:
				add(i)
			case c.open[i] == 0:
			default:
				overdue := asOf - c.due[i]
				if overdue > farDays || overdue < -farDays {
					add(i)
					continue
				}
				cells[base(i)+bucketOf(q.Bounds, overdue)].Add(c.open[i])
			}
		}
	}
	out := []crm.AgingAmount{}
	for _, cu := range custs {
		at := int(cu) // the customer's cells
		if !q.Customer.IsZero() {
			at = 0
		}
		for _, cur := range c.curOrder {
			for b := range nb {
				v := cells[(at*nc+int(cur))*nb+b]
				if v.IsZero() {
					continue
				}
				minor, ok := v.Int64()
				if !ok {
					return nil, true, &crm.OverflowError{Field: "aging", Customer: c.customers[cu], Account: crm.AccountReceivable, Currency: c.currencies[cur], AsOf: q.AsOf,
						Minor: decimal.NewFromBigInt(v.Big(), 0)}
				}
				out = append(out, crm.AgingAmount{Customer: c.customers[cu], Currency: c.currencies[cur], Bucket: b, Minor: minor})
			}
		}
	}
	return out, true, nil
}

// bucketOf is crm.AgingQuery.Bucket for an item overdue by that many days.
func bucketOf(bounds []int, overdue int64) int {
	if overdue <= 0 {
		return 0
	}
	for i, b := range bounds {
		if overdue <= int64(b) {
			return i + 1
		}
	}
	return len(bounds) + 1
}

// mixed reports whether the transaction posted to the receivable of an
// item another customer has in the same currency.
func (o *openOverlay) mixed() bool {
	for item, keys := range o.newKeys {
		for _, k := range keys {
			if k.account != crm.AccountReceivable {
				continue
			}
			for _, other := range slices.Concat(o.base.byItem[item], keys) {
				if other.account == crm.AccountReceivable && other.currency == k.currency && other.customer != k.customer {
					return true
				}
			}
		}
	}
	return false
}

// agingByRows is the aging from the items' rows, for a transaction that
// appended entries: what it changed over the committed columns, and
// grouped by map rather than by the columns' dictionaries, which do not
// know its new customers and currencies.
func (o *openOverlay) agingByRows(q crm.AgingQuery) ([]crm.AgingAmount, error) {
	type cell struct {
		customer crm.ID
		currency crm.Currency
		bucket   int
	}
	acc := map[cell]*wide.Int{}
	add := func(k itemKey, r *itemRow) {
		if !q.Customer.IsZero() && k.customer != q.Customer {
			return
		}
		if open, due := r.openAsOf(q.AsOf); !open.IsZero() {
			rows.Get(acc, cell{k.customer, k.currency, q.Bucket(due)}, func() *wide.Int { return new(wide.Int) }).AddInt(open)
		}
	}
	c := o.base.recv
	for i, k := range c.keys {
		if _, mine := o.rows[k]; !mine {
			add(k, c.rows[i])
		}
	}
	for k, r := range o.rows {
		if k.account == crm.AccountReceivable {
			add(k, r)
		}
	}
	out := make([]crm.AgingAmount, 0, len(acc))
	for k, v := range acc {
		if v.IsZero() {
			continue
		}
		minor, ok := v.Int64()
		if !ok {
			return nil, &crm.OverflowError{Field: "aging", Customer: k.customer, Account: crm.AccountReceivable, Currency: k.currency, AsOf: q.AsOf,
				Minor: decimal.NewFromBigInt(v.Big(), 0)}
		}
		out = append(out, crm.AgingAmount{Customer: k.customer, Currency: k.currency, Bucket: k.bucket, Minor: minor})
	}
	slices.SortFunc(out, func(a, b crm.AgingAmount) int {
		return cmp.Or(a.Customer.Compare(b.Customer), cmp.Compare(a.Currency, b.Currency), cmp.Compare(a.Bucket, b.Bucket))
	})
	return out, nil
}
