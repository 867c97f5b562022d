package crm

import (
	"fmt"
	"maps"
	"slices"

	"github.com/shopspring/decimal"
)

// A backdated entry counts on every day from its effective date on, so
// what it takes must be open on each of them, not only on its day and
// today: an invoice written off on the 10th and the write-off reversed on
// the 20th has nothing open from the 10th to the 19th, and an allocation
// dated the 8th would show it paid beyond its amount on those days. The
// checks below read only the postings to the entry's items dated after
// its day, which a backdated entry has few of; an entry dated today or
// later reads none.

// extremeAfter returns the lowest balance (or the highest, when highest
// is set) an item reaches from day on, starting at its balance as of day,
// then at the end of every later day on which something posts to it, and
// the day it is reached on.
func (w *writeTx) extremeAfter(customer, item ID, day Date, start decimal.Decimal, highest bool) (decimal.Decimal, Date, error) {
	later, err := allEntries(w.ctx, w.tx.Ledger(), EntryFilter{Customer: customer, Item: item, From: day.AddDays(1)})
	if err != nil {
		return decimal.Decimal{}, Date{}, err
	}
	byDay := map[Date]decimal.Decimal{}
	for _, e := range later {
		for _, p := range e.Postings {
			if p.Item == item && p.Account.PerCustomer() {
				byDay[e.Effective] = byDay[e.Effective].Add(p.Amount.Amount())
			}
		}
	}
	extreme, when, balance := start, day, start
	for _, d := range slices.SortedFunc(maps.Keys(byDay), Date.Compare) {
		balance = balance.Add(byDay[d])
		if (highest && balance.GreaterThan(extreme)) || (!highest && balance.LessThan(extreme)) {
			extreme, when = balance, d
		}
	}
	return extreme, when, nil
}

// checkLaterDays refuses a backdated entry that would leave an invoice
// overpaid or a credit overdrawn on a day between its effective date and
// today; open is what was open on its items as of its effective date,
// before it.
func (w *writeTx) checkLaterDays(e Entry, items []ID, open []OpenItem) error {
	if !e.Effective.Before(w.today()) {
		return nil
	}
	for _, item := range items {
		var account AccountType
		start := decimal.Zero
		for _, p := range e.Postings {
			if p.Item == item && p.Account.PerCustomer() {
				account, start = p.Account, start.Add(p.Amount.Amount())
			}
		}
		if it, ok := findItem(open, account, item); ok {
			start = start.Add(it.Open.Amount())
		}
		credit := account == AccountCredit
		extreme, when, err := w.extremeAfter(e.Customer, item, e.Effective, start, credit)
		if err != nil {
			return err
		}
		if credit {
			extreme = extreme.Neg() // what is left of a credit
		}
		if extreme.IsNegative() {
			return invalid("effective", "items_open", fmt.Sprintf("as of %s, after the entry's effective date %s, %s %s would have %s open: "+
				"what it takes was taken on a later day; date it on or after that day", when, e.Effective, account, item, extreme))
		}
	}
	return nil
}
