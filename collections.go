package crm

import (
	"cmp"
	"fmt"

	"github.com/crmkit/crm/internal/rows"
	"github.com/shopspring/decimal"
)

// CollectionsQuery asks what Months months from From are expected to
// bring. From is the day the forecast is made as of (zero: today): what
// is open that day, from the entries effective by then. Overdue invoices
// are expected in the first month, weighted by the probability of
// collecting an amount of their age: Probabilities holds one per aging
// bucket of Bounds (as in AgingQuery: current first, then each overdue
// bucket, then beyond the last bound), each from 0 to 1. With no Bounds
// and no Probabilities, DefaultCollectionProbabilities over
// DefaultAgingBounds apply; other bounds need their probabilities.
type CollectionsQuery struct {
	From          Date              `json:"from,omitzero"`
	Months        int               `json:"months"`
	Bounds        []int             `json:"bounds,omitempty"`
	Probabilities []decimal.Decimal `json:"probabilities,omitempty"`
}

// DefaultCollectionProbabilities are the probabilities of collecting an
// amount by its aging bucket, for DefaultAgingBounds: current 100%, 1-30
// days overdue 95%, 31-60 85%, 61-90 70%, 91-120 50%, over 120 10%.
//
// They follow the practice of the provision matrix (IFRS 9 paragraph
// B5.5.35 and its Illustrative Example 12, the simplified approach to
// expected credit losses on trade receivables; the aging schedule of the
// allowance method under US GAAP works alike): a rate per days-past-due
// band that rises with age, because the older a debt, the less of it is
// ever collected. The figures are illustrative defaults, not anyone's
// history: calibrate them from your own (the share of each bucket that
// was collected, or rolled into the next bucket, in past periods) and
// pass them in Probabilities.
func DefaultCollectionProbabilities() []decimal.Decimal {
	return []decimal.Decimal{decimal.NewFromInt(1), decimal.RequireFromString("0.95"), decimal.RequireFromString("0.85"),
		decimal.RequireFromString("0.7"), decimal.RequireFromString("0.5"), decimal.RequireFromString("0.1")}
}

// Normalized checks the query and fills in the default bounds and
// probabilities.
func (q CollectionsQuery) Normalized() (CollectionsQuery, error) {
	if !q.From.IsValid() {
		return CollectionsQuery{}, invalid("from", "required", "the day the forecast is made as of")
	}
	if q.Months < 1 || q.Months > 120 {
		return CollectionsQuery{}, invalid("months", "range", fmt.Sprintf("%d is not 1-120: how many months to forecast", q.Months))
	}
	if len(q.Bounds) > 0 && len(q.Probabilities) == 0 {
		return CollectionsQuery{}, invalid("probabilities", "required", "bounds of your own need a probability per bucket")
	}
	aging, err := q.aging().Normalized()
	if err != nil {
		return CollectionsQuery{}, err
	}
	q.Bounds = aging.Bounds
	if len(q.Probabilities) == 0 {
		q.Probabilities = DefaultCollectionProbabilities()
	}
	if len(q.Probabilities) != len(q.Bounds)+2 {
		return CollectionsQuery{}, invalid("probabilities", "count", fmt.Sprintf("one per bucket: %d", len(q.Bounds)+2))
	}
	one := decimal.NewFromInt(1)
	for i, p := range q.Probabilities {
		if p.Sign() < 0 || p.GreaterThan(one) {
			return CollectionsQuery{}, invalid(fmt.Sprintf("probabilities[%d]", i), "range", "0-1")
		}
	}
	q.Probabilities = append([]decimal.Decimal(nil), q.Probabilities...)
	return q, nil
}

// aging is the aging the probabilities are by: as of From, in Bounds.
func (q CollectionsQuery) aging() AgingQuery { return AgingQuery{AsOf: q.From, Bounds: q.Bounds} }

// CollectionLine is what a month is expected to bring in a currency, and
// what of the open invoices due that month (overdue ones in the first
// month) it is not: Invoiced + Credit + Doubtful is what is open on them.
// Planned is the installments of active contracts due that month and not
// yet invoiced, in full.
type CollectionLine struct {
	Month    string   `json:"month,omitempty"`
	Currency Currency `json:"currency,omitzero"`
	// Invoiced is the cash expected from open invoices: what the
	// customers' unapplied credit does not settle, times the collection
	// probability of the invoice's aging bucket, rounded half-even.
	Invoiced Money `json:"invoiced"`
	// Credit is what the customers' unapplied credit settles instead of
	// cash, applied to their invoices in the currency oldest due first,
	// as AllocateOldestFirst would.
	Credit Money `json:"credit"`
	// Doubtful is what is not expected to be collected: the rest.
	Doubtful Money `json:"doubtful"`
	Planned  Money `json:"planned"`
}

// expected is what the query's months are expected to bring, from the
// open items as of From and the payment plans; months after the last are
// left out. q is normalized.
func (q CollectionsQuery) expected(contracts []Contract, items []OpenItem) []CollectionLine {
	type key struct {
		month    string
		currency Currency
	}
	from := q.From
	last := from.AddMonths(q.Months)
	acc := map[key]*CollectionLine{}
	line := func(d Date, currency Currency) *CollectionLine {
		if d.Before(from) {
			d = from
		}
		if !d.Before(Date{Year: last.Year, Month: last.Month, Day: 1}) {
			return nil
		}
		month := fmt.Sprintf("%04d-%02d", d.Year, int(d.Month))
		z := Zero(currency)
		return rows.Get(acc, key{month, currency}, func() *CollectionLine {
			return &CollectionLine{Month: month, Currency: currency, Invoiced: z, Credit: z, Doubtful: z, Planned: z}
		})
	}
	credited := creditPlan(items)
	aging := q.aging()
	for _, it := range items {
		if it.Account != AccountReceivable || !it.Open.IsPositive() {
			continue
		}
		l := line(it.Due, it.Open.Currency())
		if l == nil {
			continue
		}
		byCredit := cmpOrMoney(credited[it.Item], it.Open.Currency())
		rest, _ := it.Open.Sub(byCredit)
		cash := rest.Mul(q.Probabilities[aging.Bucket(it.Due)]).Round(RoundHalfEven)
		doubtful, _ := rest.Sub(cash)
		l.Invoiced, _ = l.Invoiced.Add(cash)
		l.Credit, _ = l.Credit.Add(byCredit)
		l.Doubtful, _ = l.Doubtful.Add(doubtful)
	}
	for _, ct := range contracts {
		if ct.Status != ContractActive {
			continue
		}
		for _, in := range ct.Plan.Installments {
			if !in.Invoice.IsZero() {
				continue // invoiced: what is open on it is counted above
			}
			if l := line(in.Due, in.Amount.Currency()); l != nil {
				l.Planned, _ = l.Planned.Add(in.Amount)
			}
		}
	}
	return rows.Sorted(acc, func(a, b CollectionLine) int {
		return cmp.Or(cmp.Compare(a.Month, b.Month), cmp.Compare(a.Currency, b.Currency))
	})
}

// creditPlan returns, per invoice, how much of it each customer's
// unapplied credit would settle, applied oldest due first (OldestFirst).
func creditPlan(items []OpenItem) map[ID]Money {
	byCustomer := map[ID][]OpenItem{}
	var customers []ID
	for _, it := range items {
		if it.Account == AccountCredit && it.Open.IsNegative() && byCustomer[it.Customer] == nil {
			customers = append(customers, it.Customer)
			byCustomer[it.Customer] = []OpenItem{}
		}
	}
	for _, it := range items {
		if byCustomer[it.Customer] != nil {
			byCustomer[it.Customer] = append(byCustomer[it.Customer], it)
		}
	}
	out := map[ID]Money{}
	for _, c := range customers {
		for _, r := range OldestFirst(c, byCustomer[c]) {
			out[r.Invoice], _ = cmpOrMoney(out[r.Invoice], r.Amount.Currency()).Add(r.Amount)
		}
	}
	return out
}
