package memory

import (
	"context"
	"encoding/binary"
	"math/rand/v2"
	"testing"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/storekit"
	"github.com/stretchr/testify/require"
)

// TestAgingColumnsAgreeWithReference ages random ledgers (invoices,
// payments, backdated and future entries, items without a due date, two
// currencies, an item of two customers) through the columns and through
// the reference over the same entries, as of many days (and their open
// items as of those days), for everyone and
// for one customer, committed and inside a write (for items of one customer).
func TestAgingColumnsAgreeWithReference(t *testing.T) {
	ctx := context.Background()
	usd, _ := crm.ParseCurrency("USD")
	eur, _ := crm.ParseCurrency("EUR")
	id := func(n uint64) crm.ID {
		var v crm.ID
		binary.BigEndian.PutUint64(v[:8], 0x0190_0000_0000_7000)
		binary.BigEndian.PutUint64(v[8:], 0x8000_0000_0000_0000|n)
		return v
	}
	day0 := crm.Date{Year: 2026, Month: 1, Day: 1}
	for _, mixed := range []bool{false, true} {
		rng := rand.New(rand.NewPCG(7, 7))
		s := New()
		var entries []crm.Entry
		customers := []crm.ID{id(1 << 30), id(3 << 30), id(2 << 30)}
		var n uint64
		post := func(tx crm.Tx, e crm.Entry) {
			n++
			e.ID = id(n)
			require.NoError(t, tx.Ledger().Append(ctx, e))
			entries = append(entries, e)
		}
		type item struct {
			id       crm.ID
			customer crm.ID
			currency crm.Currency
		}
		var items []item
		for range 6 {
			if mixed {
				continue // in a write, the reference takes the due dates of the entries in no set order
			}
			require.NoError(t, s.Update(ctx, func(tx crm.Tx) error {
				for range 40 {
					c := customers[rng.IntN(len(customers))]
					cur := []crm.Currency{usd, eur}[rng.IntN(2)]
					eff := day0.AddDays(rng.IntN(200))
					if len(items) == 0 || rng.IntN(2) == 0 {
						it := item{id(1<<20 + n), c, cur}
						items = append(items, it)
						due := eff.AddDays(rng.IntN(60))
						if rng.IntN(10) == 0 {
							due = crm.Date{}
						}
						amount := crm.MoneyFromMinor(1+rng.Int64N(100_000), cur)
						post(tx, crm.Entry{Kind: crm.EntryInvoice, Customer: c, Effective: eff, Postings: []crm.Posting{
							{Account: crm.AccountReceivable, Customer: c, Amount: amount, Item: it.id, Due: due},
							{Account: crm.AccountRevenue, Amount: amount.Neg()}}})
						continue
					}
					it := items[rng.IntN(len(items))]
					if mixed && rng.IntN(20) == 0 {
						it.customer = customers[(slicesIndex(customers, it.customer)+1)%len(customers)]
					}
					amount := crm.MoneyFromMinor(1+rng.Int64N(50_000), it.currency)
					var due crm.Date
					if rng.IntN(4) == 0 {
						due = eff.AddDays(rng.IntN(90))
					}
					post(tx, crm.Entry{Kind: crm.EntryPayment, Customer: it.customer, Effective: eff, Postings: []crm.Posting{
						{Account: crm.AccountReceivable, Customer: it.customer, Amount: amount.Neg(), Item: it.id, Due: due},
						{Account: crm.AccountCash, Amount: amount}}})
				}
				return nil
			}))
		}
		check := func(l crm.LedgerReader, entries []crm.Entry) {
			for d := 0; d < 320; d += 7 {
				for _, c := range append([]crm.ID{{}, id(9)}, customers...) {
					q, err := crm.AgingQuery{AsOf: day0.AddDays(d), Customer: c, Bounds: []int{15, 45}}.Normalized()
					require.NoError(t, err)
					want, err := storekit.AggregateAging(entries, q)
					require.NoError(t, err)
					got, err := l.Aging(ctx, q)
					require.NoError(t, err)
					require.Equal(t, want, got, "as of %s, customer %s", q.AsOf, c)
					items, err := l.OpenItems(ctx, c, q.AsOf)
					require.NoError(t, err)
					require.Equal(t, nonNil(storekit.OpenItems(entries, c, q.AsOf)), items, "open items as of %s, customer %s", q.AsOf, c)
				}
			}
		}
		require.NoError(t, s.View(ctx, func(tx crm.ReadTx) error { check(tx.Ledger(), entries); return nil }))
		if mixed {
			continue // in a write, the reference takes the due dates of the entries in no set order
		}
		require.NoError(t, s.Update(ctx, func(tx crm.Tx) error {
			before := len(entries)
			c := customers[0]
			amount := crm.MoneyFromMinor(777, usd)
			post(tx, crm.Entry{Kind: crm.EntryInvoice, Customer: c, Effective: day0, Postings: []crm.Posting{
				{Account: crm.AccountReceivable, Customer: c, Amount: amount, Item: id(1 << 25), Due: day0},
				{Account: crm.AccountRevenue, Amount: amount.Neg()}}})
			check(tx.Ledger(), entries)
			entries = entries[:before]
			return nil
		}))
	}
}

func slicesIndex(ids []crm.ID, id crm.ID) int {
	for i, v := range ids {
		if v == id {
			return i
		}
	}
	return -1
}
