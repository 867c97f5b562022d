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
