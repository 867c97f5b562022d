package crm

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/crmkit/crm/internal/wide"
)

// ledgerTotals is the ledger added up by Verify as it reads the entries,
// on its own, so that it checks the store's sums rather than repeating
// them: what is open on every item, and every account's balance, exact
// whatever their size.
type ledgerTotals struct {
	items    map[itemKey]tallyItem
	balances map[balanceKey]tallyBalance
	// pendingBalances and pendingEntries are the entries whose events
	// await their place in the log: in the store's sums, not yet in a
	// checkpoint.
	pendingBalances map[balanceKey]wide.Int
	pendingEntries  int64
}

// tallyItem is an item's open amount and its due date; seen marks it
// matched with the store's.
type tallyItem struct {
	due  Date
	open wide.Int
	seen bool
}

// tallyBalance is an account's balance; seen marks it matched with the
// store's.
type tallyBalance struct {
	sum  wide.Int
	seen bool
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

func newLedgerTotals() *ledgerTotals {
	return &ledgerTotals{items: map[itemKey]tallyItem{}, balances: map[balanceKey]tallyBalance{}, pendingBalances: map[balanceKey]wide.Int{}}
}

// add adds up an entry's postings.
func (t *ledgerTotals) add(e *Entry) {
	for _, p := range e.Postings {
		cur, minor := p.Amount.Currency(), minorOf(p.Amount)
		bk := balanceKey{p.Account, p.Customer, cur}
		b := t.balances[bk]
		b.sum.Add(minor)
		t.balances[bk] = b
		if !p.Account.PerCustomer() || t.items == nil {
			continue
		}
		k := itemKey{p.Customer, p.Account, p.Item, cur}
		it := t.items[k]
		it.open.Add(minor)
		if !p.Due.IsZero() {
			it.due = p.Due
		}
		t.items[k] = it
	}
}

// pending notes an entry whose event awaits its place in the log.
func (t *ledgerTotals) pending(e *Entry) {
	for _, p := range e.Postings {
		k := balanceKey{p.Account, p.Customer, p.Amount.Currency()}
		v := t.pendingBalances[k]
		v.Add(minorOf(p.Amount))
		t.pendingBalances[k] = v
	}
	t.pendingEntries++
}

// checkpoint is where a verification that read up to head and verified
// entries leaves the ledger: the balances of the entries whose events it
// read.
func (t *ledgerTotals) checkpoint(head LogHead, entries int64) LedgerCheckpoint {
	cp := LedgerCheckpoint{Seq: head.Seq, Hash: head.Hash, Entries: entries - t.pendingEntries, Balances: []Balance{}}
	for k, b := range t.balances {
		v := b.sum
		v.AddInt(t.pendingBalances[k].Neg())
		if !v.IsZero() {
			cp.Balances = append(cp.Balances, Balance{Account: k.account, Customer: k.customer, Amount: moneyOf(v, k.currency)})
		}
	}
	slices.SortFunc(cp.Balances, compareBalances)
	return cp
}

// compareBalances orders balances as the store lists them.
func compareBalances(a, b Balance) int {
	return cmp.Or(cmp.Compare(a.Account, b.Account), a.Customer.Compare(b.Customer), cmp.Compare(a.Amount.Currency(), b.Amount.Currency()))
}

// sameAmount reports whether m is exactly x minor units.
func sameAmount(x wide.Int, m Money) bool {
	if v, err := m.Minor(); err == nil {
		return x == wide.Of(v)
	}
	return moneyOf(x, m.Currency()).Equal(m)
}

// reconcile compares the store's open items and balances with the
// totals, checks that no item is overdrawn, that the open items of each
// customer add up to their account balances, and that every currency's
// balances add up to zero.
func (t *ledgerTotals) reconcile(ctx context.Context, l LedgerReader) error {
	stored, err := l.OpenItems(ctx, ID{}, Date{})
	if err != nil {
		return err
	}
	for _, s := range stored {
		k := itemKey{s.Customer, s.Account, s.Item, s.Open.Currency()}
		it, ok := t.items[k]
		if !ok || it.seen || it.open.IsZero() || it.due != s.Due || !sameAmount(it.open, s.Open) {
			return &LedgerError{Problem: "the store's open items differ from those of the entries"}
		}
		it.seen = true
		t.items[k] = it
	}
	sums := map[balanceKey]wide.Int{}
	for k, it := range t.items {
		if !it.open.IsZero() && !it.seen {
			return &LedgerError{Problem: "the store's open items differ from those of the entries"}
		}
		if (k.account == AccountReceivable && it.open.Sign() < 0) || (k.account == AccountCredit && it.open.Sign() > 0) {
			return &LedgerError{Problem: fmt.Sprintf("item %s of customer %s is overdrawn: %s", k.item, k.customer, moneyOf(it.open, k.currency))}
		}
		bk := balanceKey{k.account, k.customer, k.currency}
		v := sums[bk]
		v.AddInt(it.open)
		sums[bk] = v
	}
	balances, err := l.Balances(ctx, Date{})
	if err != nil {
		return err
	}
	for _, s := range balances {
		k := balanceKey{s.Account, s.Customer, s.Amount.Currency()}
		b, ok := t.balances[k]
		if !ok || b.seen || b.sum.IsZero() || !sameAmount(b.sum, s.Amount) {
			return &LedgerError{Problem: "the store's balances differ from those of the entries"}
		}
		b.seen = true
		t.balances[k] = b
	}
	for _, b := range t.balances {
		if !b.sum.IsZero() && !b.seen {
			return &LedgerError{Problem: "the store's balances differ from those of the entries"}
		}
	}
	return t.balanced(sums)
}

// balanced checks that the open items of each customer (sums, per
// account and currency) add up to their account balances, and that every
// currency's balances add up to zero.
func (t *ledgerTotals) balanced(sums map[balanceKey]wide.Int) error {
	zero := map[Currency]wide.Int{}
	for k, b := range t.balances {
		v := zero[k.currency]
		v.AddInt(b.sum)
		zero[k.currency] = v
		if k.account.PerCustomer() && sums != nil && sums[k] != b.sum {
			return &LedgerError{Problem: fmt.Sprintf("the open items of customer %s do not add up to their %s balance %s", k.customer, k.account, moneyOf(b.sum, k.currency))}
		}
	}
	for cur, v := range zero {
		if !v.IsZero() {
			return &LedgerError{Problem: fmt.Sprintf("the balances in %s add up to %s, not zero", cur, moneyOf(v, cur))}
		}
	}
	return nil
}
