package storekit

import (
	"slices"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/rows"
	"github.com/crmkit/crm/internal/wide"
)

// OpenItems adds up the customer-account postings of entries effective on
// or before asOf (zero for all) per item, exactly whatever their size,
// leaving out settled items; of one customer when customer is not zero.
// Sorted by customer, account, due date, item.
func OpenItems(entries []crm.Entry, customer crm.ID, asOf crm.Date) []crm.OpenItem {
	type key struct {
		customer crm.ID
		account  crm.AccountType
		item     crm.ID
		currency crm.Currency
	}
	sums := map[key]*wide.Int{}
	due := map[key]crm.Date{}
	for _, e := range entries {
		if !asOf.IsZero() && e.Effective.After(asOf) {
			continue
		}
		for _, p := range e.Postings {
			if !p.Account.PerCustomer() || (!customer.IsZero() && p.Customer != customer) {
				continue
			}
			k := key{p.Customer, p.Account, p.Item, p.Amount.Currency()}
			rows.Get(sums, k, newSum).Add(minorOf(p.Amount))
			if !p.Due.IsZero() {
				due[k] = p.Due
			}
		}
	}
	var out []crm.OpenItem
	for k, v := range sums {
		if !v.IsZero() {
			out = append(out, crm.OpenItem{Customer: k.customer, Account: k.account, Item: k.item, Due: due[k], Open: moneyOf(*v, k.currency)})
		}
	}
	slices.SortFunc(out, crm.OpenItem.Compare)
	return out
}
