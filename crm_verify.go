package crm

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/crmkit/crm/internal/rows"
	"github.com/crmkit/crm/internal/wide"
)

// LedgerError names an entry that breaks an invariant of the ledger. It
// matches ErrLedgerBroken with errors.Is.
type LedgerError struct {
	Entry   ID     `json:"entry,omitzero"`
	Problem string `json:"problem,omitempty"`
}

// Error implements error.
func (e *LedgerError) Error() string {
	if e.Entry.IsZero() {
		return "crm: ledger does not verify: " + e.Problem
	}
	return fmt.Sprintf("crm: ledger does not verify at entry %s: %s", e.Entry, e.Problem)
}

// Unwrap returns ErrLedgerBroken.
func (e *LedgerError) Unwrap() error { return ErrLedgerBroken }

// Verify checks every invariant of the receivables ledger: each
// entry balances per currency; a reversal mirrors the entry it reverses,
// which is not itself a reversal and is reversed once; idempotency keys
// are unique; every receivable item is an invoice of that customer and
// currency and every credit item a payment or credit note; no invoice is
// overpaid and no credit overdrawn; the store's open items and balances
// equal those recomputed from the entries; the open items of each
// customer add up to their account balances; and every currency's
// balances add up to zero; and every entry is what the ledger.posted event
// that recorded it says, and every such event has its entry.
func (c *LedgerService) Verify(ctx context.Context, actor ID) error {
	if err := c.sealAll(ctx); err != nil { // every ledger.posted event sealed, to be read
		return err
	}
	return c.ledgerWide(ctx, actor, func(tx ReadTx) error {
		entries, err := allEntries(ctx, tx.Ledger(), EntryFilter{})
		if err != nil {
			return err
		}
		if err := verifyEntries(ctx, tx, entries); err != nil {
			return err
		}
		if err := matchEvents(ctx, tx, entries); err != nil {
			return err
		}
		return reconcile(ctx, tx.Ledger(), entries)
	})
}

func verifyEntries(ctx context.Context, tx ReadTx, entries []Entry) error {
	byID := make(map[ID]Entry, len(entries))
	keys := map[string]ID{}
	reversed := map[ID]ID{}
	for _, e := range entries {
		byID[e.ID] = e
	}
	invoices, credits, err := documents(ctx, tx)
	if err != nil {
		return err
	}
	for _, e := range entries {
		broken := func(format string, args ...any) error {
			return &LedgerError{Entry: e.ID, Problem: fmt.Sprintf(format, args...)}
		}
		if err := e.Check(); err != nil {
			return broken("%v", err)
		}
		if e.IdempotencyKey != "" {
			if prev, dup := keys[e.IdempotencyKey]; dup {
				return broken("idempotency key %q is also on entry %s", e.IdempotencyKey, prev)
			}
			keys[e.IdempotencyKey] = e.ID
		}
		if !e.Reverses.IsZero() {
			orig, ok := byID[e.Reverses]
			switch {
			case !ok:
				return broken("reverses entry %s, which does not exist", e.Reverses)
			case orig.Kind == EntryReversal:
				return broken("reverses a reversal")
			case reversed[e.Reverses] != ID{}:
				return broken("reverses entry %s, reversed already by %s", e.Reverses, reversed[e.Reverses])
			case !mirrors(e, orig):
				return broken("does not mirror the entry it reverses")
			}
			reversed[e.Reverses] = e.ID
		}
		for _, p := range e.Postings {
			if err := checkDocument(invoices, credits, p); err != nil {
				return broken("%v", err)
			}
		}
	}
	return nil
}

// mirrors reports whether r's postings are exactly o's negated.
func mirrors(r, o Entry) bool {
	if len(r.Postings) != len(o.Postings) {
		return false
	}
	for i, p := range o.Postings {
		q := r.Postings[i]
		if q.Account != p.Account || q.Customer != p.Customer || q.Item != p.Item || !q.Amount.Equal(p.Amount.Neg()) {
			return false
		}
	}
	return true
}

// document is what a customer posting's item must match: its customer
// and currency.
type document struct {
	customer ID
	currency Currency
}

// documents reads every invoice and credit, a page at a time.
func documents(ctx context.Context, tx ReadTx) (invoices, credits map[ID]document, err error) {
	invoices, credits = map[ID]document{}, map[ID]document{}
	page := PageRequest{Limit: MaxPageSize}
	for {
		is, err := tx.Invoices().List(ctx, InvoiceFilter{}, page)
		if err != nil {
			return nil, nil, err
		}
		for _, i := range is {
			invoices[i.ID] = document{i.Customer, i.Currency}
		}
		if len(is) < page.Limit {
			break
		}
		page.After = is[len(is)-1].ID
	}
	page = PageRequest{Limit: MaxPageSize}
	for {
		cs, err := tx.Credits().List(ctx, ID{}, page)
		if err != nil {
			return nil, nil, err
		}
		for _, c := range cs {
			credits[c.ID] = document{c.Customer, c.Amount.Currency()}
		}
		if len(cs) < page.Limit {
			return invoices, credits, nil
		}
		page.After = cs[len(cs)-1].ID
	}
}

// checkDocument checks that a customer posting's item is a document of
// that customer and currency: an invoice for the receivable, a payment or
// credit note for the credit.
func checkDocument(invoices, credits map[ID]document, p Posting) error {
	docs, what := credits, "credit"
	switch {
	case !p.Account.PerCustomer():
		return nil
	case p.Account == AccountReceivable:
		docs, what = invoices, "invoice"
	}
	d, ok := docs[p.Item]
	switch {
	case !ok:
		return fmt.Errorf("%s item %s is not a known %s", p.Account, p.Item, what)
	case d.customer != p.Customer || d.currency != p.Amount.Currency():
		return fmt.Errorf("%s item %s is a %s of another customer or currency", p.Account, p.Item, what)
	}
	return nil
}

// tally is the ledger added up by Verify in one pass over its entries,
// on its own, so that it checks the store's sums rather than repeating
// them: what is open on every item, and every account's balance.
type tally struct {
	items    map[itemKey]*tallyItem
	balances map[balanceKey]*wide.Int
}

// tallyItem is an item's open amount, exact whatever its size, and its
// due date.
type tallyItem struct {
	due  Date
	open wide.Int
}

type itemKey struct {
	customer ID
	account  AccountType
	item     ID
	currency Currency
}

type balanceKey struct {
	account  AccountType
	customer ID
	currency Currency
}

func tallyOf(entries []Entry) tally {
	t := tally{items: map[itemKey]*tallyItem{}, balances: map[balanceKey]*wide.Int{}}
	for _, e := range entries {
		for _, p := range e.Postings {
			cur, minor := p.Amount.Currency(), minorOf(p.Amount)
			rows.Get(t.balances, balanceKey{p.Account, p.Customer, cur}, func() *wide.Int { return new(wide.Int) }).Add(minor)
			if !p.Account.PerCustomer() {
				continue
			}
			it := rows.Get(t.items, itemKey{p.Customer, p.Account, p.Item, cur}, func() *tallyItem { return new(tallyItem) })
			it.open.Add(minor)
			if !p.Due.IsZero() {
				it.due = p.Due
			}
		}
	}
	return t
}

// openItems are the items with something open, in the store's order.
func (t tally) openItems() []OpenItem {
	var out []OpenItem
	for k, it := range t.items {
		if !it.open.IsZero() {
			out = append(out, OpenItem{Customer: k.customer, Account: k.account, Item: k.item, Due: it.due, Open: moneyOf(it.open, k.currency)})
		}
	}
	slices.SortFunc(out, OpenItem.Compare)
	return out
}

// balanceList is the balances that are not zero, in the store's order.
func (t tally) balanceList() []Balance {
	var out []Balance
	for k, v := range t.balances {
		if !v.IsZero() {
			out = append(out, Balance{Account: k.account, Customer: k.customer, Amount: moneyOf(*v, k.currency)})
		}
	}
	slices.SortFunc(out, func(a, b Balance) int {
		return cmp.Or(cmp.Compare(a.Account, b.Account), a.Customer.Compare(b.Customer), cmp.Compare(a.Amount.Currency(), b.Amount.Currency()))
	})
	return out
}

// reconcile compares the store's sums with the entries' and the open items
// with the balances.
func reconcile(ctx context.Context, l LedgerReader, entries []Entry) error {
	t := tallyOf(entries)
	items := t.openItems()
	stored, err := l.OpenItems(ctx, ID{}, Date{})
	if err != nil {
		return err
	}
	if !slices.EqualFunc(items, stored, openItemEqual) {
		return &LedgerError{Problem: "the store's open items differ from those of the entries"}
	}
	balances := t.balanceList()
	storedBalances, err := l.Balances(ctx, Date{})
	if err != nil {
		return err
	}
	if !slices.EqualFunc(balances, storedBalances, func(a, b Balance) bool {
		return a.Account == b.Account && a.Customer == b.Customer && a.Amount.Equal(b.Amount)
	}) {
		return &LedgerError{Problem: "the store's balances differ from those of the entries"}
	}
	type key struct {
		account  AccountType
		customer ID
		currency Currency
	}
	sums := map[key]Money{} // exact, as Money adds up
	for _, it := range items {
		if (it.Account == AccountReceivable && it.Open.IsNegative()) || (it.Account == AccountCredit && it.Open.IsPositive()) {
			return &LedgerError{Problem: fmt.Sprintf("item %s of customer %s is overdrawn: %s", it.Item, it.Customer, it.Open)}
		}
		k := key{it.Account, it.Customer, it.Open.Currency()}
		sums[k], _ = cmpOrMoney(sums[k], it.Open.Currency()).Add(it.Open)
	}
	zero := map[Currency]Money{}
	for _, b := range balances {
		cur := b.Amount.Currency()
		zero[cur], _ = cmpOrMoney(zero[cur], cur).Add(b.Amount)
		if b.Account.PerCustomer() && !cmpOrMoney(sums[key{b.Account, b.Customer, cur}], cur).Equal(b.Amount) {
			return &LedgerError{Problem: fmt.Sprintf("the open items of customer %s do not add up to their %s balance %s", b.Customer, b.Account, b.Amount)}
		}
	}
	for cur, v := range zero {
		if !v.IsZero() {
			return &LedgerError{Problem: fmt.Sprintf("the balances in %s add up to %s, not zero", cur, v)}
		}
	}
	return nil
}

func openItemEqual(a, b OpenItem) bool {
	return a.Customer == b.Customer && a.Account == b.Account && a.Item == b.Item && a.Due == b.Due && a.Open.Equal(b.Open)
}
