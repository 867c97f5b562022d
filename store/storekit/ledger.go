package storekit

import (
	"cmp"
	"slices"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/rows"
	"github.com/crmkit/crm/internal/wide"
)

// newSum starts a sum, for rows.Get.
func newSum() *wide.Int { return new(wide.Int) }

// Balances adds up the postings of entries effective on or before asOf
// (a zero asOf counts every entry), per account, customer and currency,
// exactly whatever their size, leaving out zero balances; sorted by
// account, customer, currency.
func Balances(entries []crm.Entry, asOf crm.Date) []crm.Balance {
	type key struct {
		account  crm.AccountType
		customer crm.ID
		currency crm.Currency
	}
	acc := map[key]*wide.Int{}
	for _, e := range entries {
		if !asOf.IsZero() && e.Effective.After(asOf) {
			continue
		}
		for _, p := range e.Postings {
			rows.Get(acc, key{p.Account, p.Customer, p.Amount.Currency()}, newSum).Add(minorOf(p.Amount))
		}
	}
	var out []crm.Balance
	for k, v := range acc {
		if !v.IsZero() {
			out = append(out, crm.Balance{Account: k.account, Customer: k.customer, Amount: moneyOf(*v, k.currency)})
		}
	}
	slices.SortFunc(out, func(a, b crm.Balance) int {
		return cmp.Or(cmp.Compare(a.Account, b.Account), a.Customer.Compare(b.Customer), cmp.Compare(a.Amount.Currency(), b.Amount.Currency()))
	})
	return out
}

// OpenItemsOf is the reference of crm.LedgerReader.OpenItemsOf: the rows
// of OpenItems(entries, customer, asOf) on the items given. A customer's
// items are theirs only: the zero customer has none.
func OpenItemsOf(entries []crm.Entry, customer crm.ID, items []crm.ID, asOf crm.Date) []crm.OpenItem {
	out := []crm.OpenItem{}
	if customer.IsZero() {
		return out
	}
	for _, it := range OpenItems(entries, customer, asOf) {
		if slices.Contains(items, it.Item) {
			out = append(out, it)
		}
	}
	return out
}

// BalancesOf is the reference of crm.LedgerReader.BalancesOf: the rows of
// Balances(entries, crm.Date{}) on the customer's own accounts.
func BalancesOf(entries []crm.Entry, customer crm.ID) []crm.Balance {
	out := []crm.Balance{}
	if customer.IsZero() {
		return out
	}
	for _, b := range Balances(entries, crm.Date{}) {
		if b.Customer == customer && b.Account.PerCustomer() {
			out = append(out, b)
		}
	}
	return out
}
