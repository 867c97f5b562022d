package crm_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/memory"
	"github.com/stretchr/testify/require"
)

// TestTxViewAnswersAsTheStore appends entries through the view a write
// works through and, after each, asks the view and the store under it
// the same questions: what is open on some items as of some dates, the
// balances, the period lock. The view answers from what it kept and what
// was appended since; the answers must be the store's, due dates
// included (entries post to items with the item's due date, another one,
// or none).
func TestTxViewAnswersAsTheStore(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(3, 5))
	customers := []crm.ID{{0xc1}, {0xc2}}
	invoices := []crm.ID{{0x11}, {0x12}, {0x13}}
	credits := []crm.ID{{0x21}, {0x22}}
	dates := []crm.Date{{}, {Year: 2026, Month: 3, Day: 1}, {Year: 2026, Month: 3, Day: 5}, {Year: 2026, Month: 3, Day: 9}}
	dues := []crm.Date{{}, {Year: 2026, Month: 4, Day: 1}, {Year: 2026, Month: 5, Day: 1}}
	eur, usd := crm.EUR, crm.USD
	invoiceCurrency := []crm.Currency{eur, eur, usd}
	n := 0
	newEntry := func() crm.Entry {
		n++
		c := customers[rng.IntN(len(customers))]
		// An invoice's postings are in its currency, as the CRM's are
		// (which is what the view's OldestOpen relies on); a credit's
		// may be in any.
		inv := rng.IntN(len(invoices))
		cur := invoiceCurrency[inv]
		if rng.IntN(3) == 0 {
			cur = []crm.Currency{eur, usd}[rng.IntN(2)]
		}
		amount := crm.MoneyFromMinor(int64(rng.IntN(3)+1)*1_000, invoiceCurrency[inv])
		recv := crm.Posting{Account: crm.AccountReceivable, Customer: c, Amount: amount, Item: invoices[inv],
			Due: dues[rng.IntN(len(dues))]}
		credit := crm.Posting{Account: crm.AccountCredit, Customer: c, Amount: crm.MoneyFromMinor(-int64(rng.IntN(3)+1)*1_000, cur),
			Item: credits[rng.IntN(len(credits))]}
		e := crm.Entry{ID: crm.ID{0xe, byte(n >> 8), byte(n)}, Kind: crm.EntryAllocation, Customer: c, Effective: dates[1+rng.IntN(3)]}
		switch rng.IntN(3) {
		case 0:
			e.Postings = []crm.Posting{recv, {Account: crm.AccountRevenue, Amount: amount.Neg()}}
		case 1:
			e.Postings = []crm.Posting{credit, {Account: crm.AccountRevenue, Amount: credit.Amount.Neg()}}
		default:
			recv.Amount, credit.Amount = amount.Neg(), amount
			e.Postings = []crm.Posting{credit, recv}
		}
		return e
	}
	s := memory.New()
	require.NoError(t, s.Update(ctx, func(tx crm.Tx) error {
		for range 20 {
			require.NoError(t, tx.Ledger().Append(ctx, newEntry()))
		}
		return nil
	}))
	items := func(its []crm.OpenItem) string {
		var b strings.Builder
		for _, it := range its {
			fmt.Fprintf(&b, "%s %s %s %s %s\n", it.Customer, it.Account, it.Item, it.Due, it.Open)
		}
		return b.String()
	}
	balances := func(bs []crm.Balance) string {
		var b strings.Builder
		for _, x := range bs {
			fmt.Fprintf(&b, "%s %s %s\n", x.Customer, x.Account, x.Amount)
		}
		return b.String()
	}
	require.NoError(t, s.Update(ctx, func(tx crm.Tx) error {
		view := crm.NewTxView(tx)
		for _, c := range customers { // as a posting does first: then the view keeps what it reads
			_, err := view.Ledger().Book(ctx, c)
			require.ErrorIs(t, err, crm.ErrNotFound)
		}
		all := slices.Concat(invoices, credits)
		for step := range 300 {
			if rng.IntN(3) == 0 {
				require.NoError(t, view.Ledger().Append(ctx, newEntry()))
			}
			c := customers[rng.IntN(len(customers))]
			asOf := dates[rng.IntN(len(dates))]
			ids := []crm.ID{all[rng.IntN(len(all))], all[rng.IntN(len(all))]}
			if rng.IntN(10) == 0 {
				ids = all
			}
			if rng.IntN(20) == 0 {
				got, err := view.Ledger().OpenItems(ctx, c, crm.Date{})
				require.NoError(t, err)
				want, err := tx.Ledger().OpenItems(ctx, c, crm.Date{})
				require.NoError(t, err)
				require.Equal(t, items(want), items(got), "step %d: open items", step)
			}
			if rng.IntN(4) == 0 { // a payment applied oldest first reads pages of these
				cur := []crm.Currency{eur, usd}[rng.IntN(2)]
				limit := 1 + rng.IntN(3)
				got, err := view.Ledger().OldestOpen(ctx, c, cur, crm.OpenItem{}, limit)
				require.NoError(t, err)
				want, err := tx.Ledger().OldestOpen(ctx, c, cur, crm.OpenItem{}, limit)
				require.NoError(t, err)
				require.Equal(t, items(want), items(got), "step %d: oldest open in %s", step, cur)
			}
			got, err := view.Ledger().OpenItemsOf(ctx, c, ids, asOf)
			require.NoError(t, err)
			want, err := tx.Ledger().OpenItemsOf(ctx, c, ids, asOf)
			require.NoError(t, err)
			require.Equal(t, items(want), items(got), "step %d: open items of %v as of %s", step, ids, asOf)
			gotB, err := view.Ledger().BalancesOf(ctx, c)
			require.NoError(t, err)
			wantB, err := tx.Ledger().BalancesOf(ctx, c)
			require.NoError(t, err)
			require.Equal(t, balances(wantB), balances(gotB), "step %d: balances", step)
		}
		lock, err := view.Accounting().PeriodLock(ctx)
		require.NoError(t, err)
		next := crm.PeriodLock{LockedThrough: dates[1], Version: lock.Version + 1}
		require.NoError(t, view.Accounting().SavePeriodLock(ctx, next))
		got, err := view.Accounting().PeriodLock(ctx)
		require.NoError(t, err)
		require.Equal(t, next.LockedThrough, got.LockedThrough, "the lock saved, not the one read before")
		return nil
	}))
}

// TestTxViewKeepsOnlyWhatIsReadHoldingTheBook: what the view reads of a
// customer's ledger before the write has read their book is not kept (on
// a store whose writers run concurrently it may change until the book is
// held), so a change under the view shows; once the book is read, it is.
func TestTxViewKeepsOnlyWhatIsReadHoldingTheBook(t *testing.T) {
	ctx := context.Background()
	c, inv := crm.ID{0xc1}, crm.ID{0x11}
	invoice := func(n byte, minor int64) crm.Entry {
		amount := crm.MoneyFromMinor(minor, crm.EUR)
		return crm.Entry{ID: crm.ID{0xe, n}, Kind: crm.EntryInvoice, Customer: c, Effective: crm.Date{Year: 2026, Month: 3, Day: 1},
			Postings: []crm.Posting{{Account: crm.AccountReceivable, Customer: c, Amount: amount, Item: inv},
				{Account: crm.AccountRevenue, Amount: amount.Neg()}}}
	}
	open := func(l crm.LedgerReader) string {
		its, err := l.OpenItemsOf(ctx, c, []crm.ID{inv}, crm.Date{})
		require.NoError(t, err)
		bs, err := l.BalancesOf(ctx, c)
		require.NoError(t, err)
		return fmt.Sprint(its, bs)
	}
	s := memory.New()
	require.NoError(t, s.Update(ctx, func(tx crm.Tx) error {
		view := crm.NewTxView(tx)
		before := open(view.Ledger())
		require.NoError(t, tx.Ledger().Append(ctx, invoice(1, 1_000))) // under the view
		require.NotEqual(t, before, open(view.Ledger()))
		require.Equal(t, open(tx.Ledger()), open(view.Ledger()), "read again, not kept")
		_, err := view.Ledger().Book(ctx, c)
		require.ErrorIs(t, err, crm.ErrNotFound)
		require.NoError(t, view.Ledger().Append(ctx, invoice(2, 500)))
		held := open(view.Ledger())
		require.Equal(t, open(tx.Ledger()), held, "with what the view appended")
		// A change under the view once the book is held, which a store
		// rules out, does not show: the view answers from what it kept.
		require.NoError(t, tx.Ledger().Append(ctx, invoice(3, 250)))
		require.Equal(t, held, open(view.Ledger()), "kept")
		return nil
	}))
}
