package crm

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/crmkit/crm/internal/wide"
)

// AgingQuery asks how long what customers owe has been overdue, as of a
// date, past or present (zero: today), from the entries effective by
// then. Bounds are the upper ends, in days overdue, of the overdue buckets
// (default 30, 60, 90, 120); amounts not yet due are in the first bucket,
// "current", and amounts overdue beyond the last bound in the last.
type AgingQuery struct {
	AsOf     Date  `json:"as_of,omitzero"`
	Bounds   []int `json:"bounds,omitempty"`
	Customer ID    `json:"customer,omitzero"` // zero for every customer
}

// DefaultAgingBounds are the buckets current, 1-30, 31-60, 61-90, 91-120
// and over 120 days.
func DefaultAgingBounds() []int { return []int{30, 60, 90, 120} }

// Normalized checks the query and fills in the default bounds.
func (q AgingQuery) Normalized() (AgingQuery, error) {
	if !q.AsOf.IsValid() {
		return AgingQuery{}, invalid("as_of", "required", "the date the aging is as of")
	}
	if len(q.Bounds) == 0 {
		q.Bounds = DefaultAgingBounds()
	}
	if len(q.Bounds) > 20 {
		return AgingQuery{}, invalid("bounds", "max_count", "at most 20")
	}
	for i, b := range q.Bounds {
		if b <= 0 || (i > 0 && b <= q.Bounds[i-1]) {
			return AgingQuery{}, invalid(fmt.Sprintf("bounds[%d]", i), "ascending", "positive and increasing day counts")
		}
	}
	q.Bounds = slices.Clone(q.Bounds)
	return q, nil
}

// Labels names the buckets: "current", "1-30", ..., "over 120".
func (q AgingQuery) Labels() []string {
	out := []string{"current"}
	lo := 1
	for _, b := range q.Bounds {
		out = append(out, fmt.Sprintf("%d-%d", lo, b))
		lo = b + 1
	}
	return append(out, fmt.Sprintf("over %d", q.Bounds[len(q.Bounds)-1]))
}

// Bucket returns the bucket of an item due on due, as of the query's date.
func (q AgingQuery) Bucket(due Date) int {
	overdue := q.AsOf.DaysSince(due)
	if overdue <= 0 {
		return 0
	}
	for i, b := range q.Bounds {
		if overdue <= b {
			return i + 1
		}
	}
	return len(q.Bounds) + 1
}

// AgingAmount is the open amount of a customer's invoices in one currency
// and bucket: the rows adapters aggregate in the database.
type AgingAmount struct {
	Customer ID       `json:"customer,omitzero"`
	Currency Currency `json:"currency,omitzero"`
	Bucket   int      `json:"bucket"`
	Minor    int64    `json:"minor"`
}

// CreditAmount is a customer's unapplied credit in one currency: what is
// open on their credit items added up, in minor units, negative as the
// items' open amounts are. A customer with no credit item open has none.
type CreditAmount struct {
	Customer ID       `json:"customer,omitzero"`
	Currency Currency `json:"currency,omitzero"`
	Minor    int64    `json:"minor"`
}

// AgingRow is one customer's aging in one currency: the amount open on
// their invoices in each bucket, which always add up to Total, what is
// owed on invoices; their unapplied credit (payments and credit notes not
// yet applied to an invoice, as a positive amount); and Net, Total minus
// Credit, what they owe net: the Net of their Debt, always.
//
// Unapplied credit is a column of its own, not a negative amount in the
// bucket of the day it was received. ERPNext's Accounts Receivable report
// does either (unallocated payments as negative outstanding by posting
// date, or an "advance" column in its summary) and Odoo's aged receivable
// puts unreconciled payments in the bucket of their date. We keep the
// buckets the age of what is open on invoices, which is what dunning and a
// provision matrix read (a payment received last week does not make a
// four-month-old invoice any younger until it is applied to it), keep the
// buckets adding up to Total, and show the credit beside them so that the
// row still ends at what the customer owes net. A customer with credit
// and nothing open has a row of empty buckets and a negative Net.
type AgingRow struct {
	Customer ID       `json:"customer,omitzero"`
	Currency Currency `json:"currency,omitzero"`
	Buckets  []Money  `json:"buckets,omitempty"`
	Total    Money    `json:"total"`
	Credit   Money    `json:"credit"`
	Net      Money    `json:"net"`
}

// Rows assembles the aging rows, one per customer and currency, from the
// amounts a store adds up; their Credit is zero and their Net their Total
// (withCredit adds the credit).
func (q AgingQuery) Rows(amounts []AgingAmount) []AgingRow {
	var out []AgingRow
	for _, a := range amounts {
		if n := len(out); n == 0 || out[n-1].Customer != a.Customer || out[n-1].Currency != a.Currency {
			out = append(out, q.emptyRow(a.Customer, a.Currency))
		}
		row := &out[len(out)-1]
		m := MoneyFromMinor(a.Minor, a.Currency)
		if row.Buckets[a.Bucket].IsZero() {
			row.Buckets[a.Bucket] = m // a store adds up each bucket once
		} else {
			row.Buckets[a.Bucket], _ = row.Buckets[a.Bucket].Add(m)
		}
		row.Total, _ = row.Total.Add(m)
		row.Net = row.Total
	}
	return out
}

// emptyRow is a customer's row with nothing in it: one zero in every
// place (a Money is a value that no operation changes, so they can share
// it).
func (q AgingQuery) emptyRow(customer ID, currency Currency) AgingRow {
	zero := Zero(currency)
	row := AgingRow{Customer: customer, Currency: currency, Buckets: make([]Money, len(q.Bounds)+2), Total: zero, Credit: zero, Net: zero}
	for i := range row.Buckets {
		row.Buckets[i] = zero
	}
	return row
}

// withCredit adds to the rows the customers' unapplied credit, with a row
// for a customer who has credit and nothing open; sorted by customer and
// currency.
func (q AgingQuery) withCredit(rowsIn []AgingRow, credits []CreditAmount) []AgingRow {
	type key struct {
		customer ID
		currency Currency
	}
	out := slices.Clone(rowsIn)
	at := map[key]int{}
	for i, r := range out {
		at[key{r.Customer, r.Currency}] = i
	}
	for _, c := range credits {
		k := key{c.Customer, c.Currency}
		i, ok := at[k]
		if !ok {
			i = len(out)
			at[k] = i
			out = append(out, q.emptyRow(k.customer, k.currency))
		}
		r := &out[i]
		open := MoneyFromMinor(c.Minor, c.Currency)
		r.Credit, _ = r.Credit.Sub(open) // a credit's open amount is negative
		r.Net, _ = r.Net.Add(open)
	}
	slices.SortStableFunc(out, func(a, b AgingRow) int {
		return cmp.Or(a.Customer.Compare(b.Customer), cmp.Compare(a.Currency, b.Currency))
	})
	return out
}

// StatementLine is one line of a customer's statement: an entry's effect
// on what the customer owes, and the running balance after it (positive:
// the customer owes; negative: the company owes the customer).
type StatementLine struct {
	Effective   Date      `json:"effective,omitzero"`
	Entry       ID        `json:"entry,omitzero"`
	Kind        EntryKind `json:"kind,omitempty"`
	Description string    `json:"description,omitempty"`
	Debit       Money     `json:"debit"`  // raises what the customer owes
	Credit      Money     `json:"credit"` // lowers it
	Balance     Money     `json:"balance"`
}

// statementOf lists the entries that change what a customer owes in one
// currency, in effective-date order (recording order within a day), with
// the running balance of their receivable and credit accounts together:
// opening is the balance carried into from (what the entries before it
// add up to; zero when from is zero, the beginning), each line's balance
// follows from it, and closing is the balance at the end of to (zero: no
// end), the last line's or, with no lines, the opening.
func statementOf(entries []Entry, customer ID, currency Currency, from, to Date) (opening Money, lines []StatementLine, closing Money) {
	es := slices.Clone(entries)
	slices.SortStableFunc(es, func(a, b Entry) int { return cmp.Or(a.Effective.Compare(b.Effective), a.ID.Compare(b.ID)) })
	balance := Zero(currency)
	opening = balance
	for _, e := range es {
		if !to.IsZero() && e.Effective.After(to) {
			break
		}
		var sum wide.Int
		for _, p := range e.Postings {
			if p.Account.PerCustomer() && p.Customer == customer && p.Amount.Currency() == currency {
				sum.Add(minorOf(p.Amount))
			}
		}
		if sum.IsZero() {
			continue // entries that move money between the customer's own accounts, such as allocations
		}
		delta := moneyOf(sum, currency) // exact, as the running balance is, whatever their size
		balance, _ = balance.Add(delta)
		if !from.IsZero() && e.Effective.Before(from) {
			opening = balance
			continue
		}
		line := StatementLine{Effective: e.Effective, Entry: e.ID, Kind: e.Kind, Description: e.Description,
			Debit: Zero(currency), Credit: Zero(currency), Balance: balance}
		if delta.IsPositive() {
			line.Debit = delta
		} else {
			line.Credit = delta.Neg()
		}
		lines = append(lines, line)
	}
	return opening, lines, balance
}

// Debt is what a customer owes in a currency (the receivable open items)
// and what they have to their name (unapplied credit), as of a date.
type Debt struct {
	Customer ID    `json:"customer,omitzero"`
	Owed     Money `json:"owed"`   // open on invoices
	Credit   Money `json:"credit"` // paid or credited, not yet applied (positive)
	Net      Money `json:"net"`    // Owed minus Credit
}

// debtsOf sums open items per customer and currency: who has paid and
// who owes how much. Sorted by customer and currency.
func debtsOf(items []OpenItem) []Debt {
	type key struct {
		customer ID
		currency Currency
	}
	acc := map[key]*Debt{}
	var keys []key
	for _, it := range items {
		k := key{it.Customer, it.Open.Currency()}
		d := acc[k]
		if d == nil {
			d = &Debt{Customer: it.Customer, Owed: Zero(k.currency), Credit: Zero(k.currency), Net: Zero(k.currency)}
			acc[k] = d
			keys = append(keys, k)
		}
		if it.Account == AccountReceivable {
			d.Owed, _ = d.Owed.Add(it.Open)
		} else {
			d.Credit, _ = d.Credit.Sub(it.Open)
		}
		d.Net, _ = d.Net.Add(it.Open)
	}
	slices.SortFunc(keys, func(a, b key) int {
		return cmp.Or(a.customer.Compare(b.customer), cmp.Compare(a.currency, b.currency))
	})
	out := make([]Debt, 0, len(keys))
	for _, k := range keys {
		out = append(out, *acc[k])
	}
	return out
}
