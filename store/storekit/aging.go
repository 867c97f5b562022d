package storekit

import (
	"cmp"
	"slices"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/rows"
	"github.com/crmkit/crm/internal/wide"
)

// AggregateAging is the reference implementation of the aging rows: the
// receivable open items as of the date, bucketed; sorted by customer,
// currency, bucket; buckets with nothing open left out. A bucket whose
// total does not fit in 64 bits of minor units is a *crm.OverflowError.
func AggregateAging(entries []crm.Entry, q crm.AgingQuery) ([]crm.AgingAmount, error) {
	return feed(NewAgingAggregator(q), entries).Result()
}

// AgingAggregator ages receivables one entry at a time, for adapters that
// stream their entries instead of collecting them.
type AgingAggregator struct {
	q     crm.AgingQuery
	items map[agingItem]*agingOpen
}

type agingItem struct {
	item     crm.ID
	currency crm.Currency
}

type agingOpen struct {
	customer crm.ID
	due      crm.Date
	open     wide.Int
}

// NewAgingAggregator starts an empty aging for a normalized query.
func NewAgingAggregator(q crm.AgingQuery) *AgingAggregator {
	return &AgingAggregator{q: q, items: map[agingItem]*agingOpen{}}
}

// Add counts the entry's receivable postings if it is effective by the
// query's date.
func (a *AgingAggregator) Add(e *crm.Entry) {
	if e.Effective.After(a.q.AsOf) {
		return
	}
	for i := range e.Postings {
		p := &e.Postings[i]
		if p.Account != crm.AccountReceivable || (!a.q.Customer.IsZero() && p.Customer != a.q.Customer) {
			continue
		}
		k := agingItem{p.Item, p.Amount.Currency()}
		o := a.items[k]
		if o == nil {
			o = &agingOpen{customer: p.Customer}
			a.items[k] = o
		}
		if !p.Due.IsZero() {
			o.due = p.Due
		}
		o.open.Add(minorOf(p.Amount))
	}
}

// Result returns the aging amounts, or a *crm.OverflowError naming a
// bucket whose total does not fit in 64 bits.
func (a *AgingAggregator) Result() ([]crm.AgingAmount, error) {
	type key struct {
		customer crm.ID
		currency crm.Currency
		bucket   int
	}
	acc := map[key]*wide.Int{}
	for k, o := range a.items {
		if !o.open.IsZero() {
			rows.Get(acc, key{o.customer, k.currency, a.q.Bucket(o.due)}, newSum).AddInt(o.open)
		}
	}
	out := make([]crm.AgingAmount, 0, len(acc))
	for k, v := range acc {
		if v.IsZero() {
			continue
		}
		minor, err := fit(*v, crm.OverflowError{Field: "aging", Customer: k.customer, Account: crm.AccountReceivable, Currency: k.currency, AsOf: a.q.AsOf})
		if err != nil {
			return nil, err
		}
		out = append(out, crm.AgingAmount{Customer: k.customer, Currency: k.currency, Bucket: k.bucket, Minor: minor})
	}
	slices.SortFunc(out, func(a, b crm.AgingAmount) int {
		return cmp.Or(a.Customer.Compare(b.Customer), cmp.Compare(a.Currency, b.Currency), cmp.Compare(a.Bucket, b.Bucket))
	})
	return out, nil
}
