package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runPeriods checks period close and invoice numbering through the CRM:
// a closed period refuses every posting dated in it and changes nothing,
// only finance closes, reopening is recorded, a close racing postings
// never lets one commit into the period it closes, and numbering series
// are gapless, per fiscal year and unique under concurrency.
func runPeriods(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	t.Run("ClosedPeriodRefusesPostings", func(t *testing.T) {
		b := newBooks(t, newStore(t))
		c := b.customer(t, "Initech")
		today := crm.DateOf(epoch) // 2026-03-02
		inv, err := b.Ledger.IssueInvoice(ctx, b.fin.ID, crm.NewInvoice{Customer: c, Currency: eur, Issued: day(2026, 2, 10),
			Lines: []crm.InvoiceLine{{Description: "Setup", Quantity: dec("1"), UnitPrice: crm.MoneyFromMinor(100_000, eur)}}})
		require.NoError(t, err)
		receipt, err := b.Ledger.ReceivePayment(ctx, b.fin.ID, crm.NewPayment{Customer: c, Amount: crm.MoneyFromMinor(40_000, eur), Received: day(2026, 2, 20)})
		require.NoError(t, err)

		for _, u := range []crm.User{b.Ann, b.Manager} {
			_, err := b.Ledger.ClosePeriod(ctx, u.ID, crm.ClosePeriodRequest{Through: day(2026, 2, 28), Reason: "February filed"})
			require.ErrorIs(t, err, crm.ErrForbidden, "%s may not close the books", u.Name)
		}
		for _, bad := range []crm.ClosePeriodRequest{
			{Through: today, Reason: "today is not over"},
			{Through: day(2026, 2, 28)},
			{Reason: "no day"},
		} {
			_, err := b.Ledger.ClosePeriod(ctx, b.fin.ID, bad)
			require.ErrorIs(t, err, crm.ErrInvalid, "%+v", bad)
		}
		lock, err := b.Ledger.ClosePeriod(ctx, b.fin.ID, crm.ClosePeriodRequest{Through: day(2026, 2, 28), Reason: "February filed"})
		require.NoError(t, err)
		assert.Equal(t, crm.PeriodLock{LockedThrough: day(2026, 2, 28), Reason: "February filed", UpdatedBy: b.fin.ID, UpdatedAt: epoch, Version: 1}, lock)
		got, err := b.Ledger.PeriodLock(ctx, b.Ann.ID)
		require.NoError(t, err)
		assert.Equal(t, lock, got, "anyone may read the lock date")
		_, err = b.Ledger.ClosePeriod(ctx, b.fin.ID, crm.ClosePeriodRequest{Through: day(2026, 2, 28), Reason: "again"})
		require.ErrorIs(t, err, crm.ErrInvalid, "closing through the same day is no change, and says so")
		_, err = b.Ledger.ClosePeriod(ctx, b.fin.ID, crm.ClosePeriodRequest{Through: day(2026, 2, 27), Reason: "stale", IfVersion: 7})
		require.ErrorIs(t, err, crm.ErrConflict, "a stale version")

		before := b.entries(t, c)
		payment := receipt.Payment.ID
		attempts := []struct {
			name string
			do   func() error
		}{
			{"an invoice", func() error {
				_, err := b.Ledger.IssueInvoice(ctx, b.fin.ID, crm.NewInvoice{Customer: c, Currency: eur, Issued: day(2026, 2, 28),
					Lines: []crm.InvoiceLine{{Description: "Late", Quantity: dec("1"), UnitPrice: crm.MoneyFromMinor(500, eur)}}})
				return err
			}},
			{"a payment", func() error {
				_, err := b.Ledger.ReceivePayment(ctx, b.fin.ID, crm.NewPayment{Customer: c, Amount: crm.MoneyFromMinor(500, eur), Received: day(2026, 1, 5)})
				return err
			}},
			{"a credit note", func() error {
				_, err := b.Ledger.IssueCreditNote(ctx, b.fin.ID, crm.NewCreditNote{Customer: c, Invoice: inv.ID, Net: crm.MoneyFromMinor(500, eur), Reason: "goodwill", Issued: day(2026, 2, 11)})
				return err
			}},
			{"an allocation", func() error {
				_, err := b.Ledger.Allocate(ctx, b.fin.ID, crm.AllocationRequest{Customer: c, Credit: payment, Invoice: inv.ID, Effective: day(2026, 2, 25)})
				return err
			}},
			{"a write-off", func() error {
				_, err := b.Ledger.WriteOff(ctx, b.fin.ID, crm.WriteOffRequest{Customer: c, Invoice: inv.ID, Reason: "gone", Effective: day(2026, 2, 28)})
				return err
			}},
			{"a refund", func() error {
				_, err := b.Ledger.Refund(ctx, b.fin.ID, crm.RefundRequest{Customer: c, Credit: payment, Amount: crm.MoneyFromMinor(100, eur), Effective: day(2026, 2, 21)})
				return err
			}},
		}
		for _, a := range attempts {
			err := a.do()
			var closed *crm.PeriodClosedError
			require.ErrorAs(t, err, &closed, "%s dated in the closed period", a.name)
			assert.ErrorIs(t, err, crm.ErrPeriodClosed)
			assert.Equal(t, day(2026, 2, 28), closed.LockedThrough)
		}
		assert.Equal(t, before, b.entries(t, c), "the refused postings wrote nothing")

		// A correction of a closed period counts in the open one.
		rev, err := b.Ledger.Reverse(ctx, b.fin.ID, crm.ReverseRequest{Entry: receipt.Entry.ID, Reason: "bounced"})
		require.NoError(t, err)
		assert.Equal(t, today, rev.Reversal.Effective)
		_, err = b.Ledger.Allocate(ctx, b.fin.ID, crm.AllocationRequest{Customer: c, Credit: payment, Invoice: inv.ID})
		require.Error(t, err, "the reversed payment has nothing left to allocate")

		// A mistyped year is refused, closed period or not.
		_, err = b.Ledger.IssueInvoice(ctx, b.fin.ID, crm.NewInvoice{Customer: c, Currency: eur, Issued: day(2031, 3, 2),
			Lines: []crm.InvoiceLine{{Description: "Typo", Quantity: dec("1"), UnitPrice: crm.MoneyFromMinor(500, eur)}}})
		require.ErrorIs(t, err, crm.ErrInvalid, "an invoice dated five years ahead")

		reopened, err := b.Ledger.ClosePeriod(ctx, b.fin.ID, crm.ClosePeriodRequest{Through: day(2026, 1, 31), Reason: "February's audit adjustments"})
		require.NoError(t, err)
		assert.Equal(t, int64(2), reopened.Version)
		_, err = b.Ledger.WriteOff(ctx, b.fin.ID, crm.WriteOffRequest{Customer: c, Invoice: inv.ID, Reason: "settled in court",
			Amount: new(crm.MoneyFromMinor(100, eur)), Effective: day(2026, 2, 28)})
		require.NoError(t, err, "February is open again")

		var moves []crm.Event
		for e, err := range b.Events.Feed(ctx, 0) {
			require.NoError(t, err)
			if e.Kind == crm.KindPeriodLock {
				moves = append(moves, e)
			}
		}
		require.Len(t, moves, 2)
		assert.Equal(t, []crm.EventType{crm.PeriodClosed, crm.PeriodReopened}, []crm.EventType{moves[0].Type, moves[1].Type})
		assert.JSONEq(t, `{"from":"2026-02-28","through":"2026-01-31","reason":"February's audit adjustments"}`, string(moves[1].Data))
		assert.Equal(t, b.fin.ID, moves[1].Actor)
	})

	t.Run("CloseWaitsForPostingsInFlight", func(t *testing.T) {
		// A posting has read the lock date and is about to commit when
		// finance closes its day: the close must wait for it (or the
		// posting fail), never let it commit into the closed period after
		// the close. The posting holds on for a moment after its read, so
		// that a store without the guarantee lets the close through.
		s := newStore(t)
		b := newBooks(t, s)
		c := b.customer(t, "Initech")
		yesterday := crm.DateOf(epoch).AddDays(-1)
		read, closed := make(chan struct{}), make(chan struct{})
		var once sync.Once
		hooked := hookPeriodLock(s, func() {
			once.Do(func() {
				close(read)
				select {
				case <-closed:
				case <-time.After(300 * time.Millisecond):
				}
			})
		})
		poster, err := crm.New(hooked, crm.WithClock(b.Clock))
		require.NoError(t, err)
		posted := make(chan error, 1)
		go func() {
			_, err := poster.Ledger.IssueInvoice(ctx, b.fin.ID, crm.NewInvoice{Customer: c, Currency: eur, Issued: yesterday,
				Lines: []crm.InvoiceLine{{Description: "In flight", Quantity: dec("1"), UnitPrice: crm.MoneyFromMinor(100, eur)}}})
			posted <- err
		}()
		<-read
		_, err = b.Ledger.ClosePeriod(ctx, b.fin.ID, crm.ClosePeriodRequest{Through: yesterday, Reason: "month end"})
		close(closed)
		require.NoError(t, err)
		postErr := <-posted
		var order []crm.EventType
		for e, err := range b.Events.Feed(ctx, 0) {
			require.NoError(t, err)
			if e.Type == crm.PeriodClosed || e.Type == crm.LedgerPosted {
				order = append(order, e.Type)
			}
		}
		if postErr != nil {
			require.ErrorIs(t, postErr, crm.ErrPeriodClosed)
			assert.Equal(t, []crm.EventType{crm.PeriodClosed}, order)
			return
		}
		assert.Equal(t, []crm.EventType{crm.LedgerPosted, crm.PeriodClosed}, order,
			"the posting committed before the close, never into the closed period after it")
	})

	t.Run("NumberingSeries", func(t *testing.T) {
		s := newStore(t)
		tm := NewTeam(t, s, crm.WithCalendar(crm.Calendar{FiscalYearStart: time.April}))
		fin, err := tm.Users.Create(ctx, tm.Admin.ID, crm.NewUser{Name: "Fay Finance", Role: crm.RoleFinance})
		require.NoError(t, err)
		c, err := tm.Customers.Create(ctx, tm.Ann.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: "Initech"})
		require.NoError(t, err)
		issue := func(issued crm.Date, number string, price int64) (crm.Invoice, error) {
			return tm.Ledger.IssueInvoice(ctx, fin.ID, crm.NewInvoice{Customer: c.ID, Currency: eur, Issued: issued, Number: number,
				Lines: []crm.InvoiceLine{{Description: "Work", Quantity: dec("1"), UnitPrice: crm.MoneyFromMinor(price, eur)}}})
		}
		var numbers []string
		for _, d := range []crm.Date{day(2026, 3, 1), day(2026, 3, 2)} {
			inv, err := issue(d, "", 100)
			require.NoError(t, err)
			numbers = append(numbers, inv.Number)
		}
		_, err = issue(day(2026, 3, 2), "", 0)
		require.ErrorIs(t, err, crm.ErrInvalid, "an invoice asking for nothing")
		inv, err := issue(day(2026, 3, 2), "", 100)
		require.NoError(t, err)
		numbers = append(numbers, inv.Number)
		assert.Equal(t, []string{"INV-2026-00001", "INV-2026-00002", "INV-2026-00003"}, numbers,
			"gapless: the refused invoice gave its number back")

		tm.Clock.Set(time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC))
		inv, err = issue(crm.Date{}, "", 100)
		require.NoError(t, err)
		assert.Equal(t, "INV-2027-00001", inv.Number, "fiscal 2027 starts on 1 April 2026 and numbers from 1")
		inv, err = issue(day(2026, 3, 31), "", 100)
		require.NoError(t, err)
		assert.Equal(t, "INV-2026-00004", inv.Number, "an invoice dated in fiscal 2026 takes its series")

		_, err = issue(crm.Date{}, "INV-2027-00002", 100)
		require.ErrorIs(t, err, crm.ErrInvalid, "a number in the series' form is the series' to give")
		_, err = issue(crm.Date{}, "LEGACY-17", 100)
		require.NoError(t, err, "a number of one's own")
		before := len(teamEntries(t, tm, c.ID))
		_, err = issue(crm.Date{}, "LEGACY-17", 100)
		var conflict *crm.ConflictError
		require.ErrorAs(t, err, &conflict, "a number used twice")
		assert.Equal(t, crm.KindInvoice, conflict.Kind)
		assert.Len(t, teamEntries(t, tm, c.ID), before, "the refused invoice posted nothing")

		// Credit notes are a series of their own, by the fiscal year of
		// their date; a refused one gives its number back.
		credit := func(issued crm.Date, net int64) (crm.Credit, error) {
			return tm.Ledger.IssueCreditNote(ctx, fin.ID, crm.NewCreditNote{Customer: c.ID, Invoice: inv.ID, Issued: issued,
				Net: crm.MoneyFromMinor(net, eur), Reason: "Returned"})
		}
		var notes []string
		for _, tc := range []struct {
			issued crm.Date
			net    int64
		}{{day(2026, 3, 31), 10}, {crm.Date{}, 1_000}, {crm.Date{}, 10}, {day(2026, 3, 31), 10}, {crm.Date{}, 10}} {
			cr, err := credit(tc.issued, tc.net)
			if tc.net > 100 {
				require.ErrorIs(t, err, crm.ErrOverAllocation, "more than the invoice charged")
				continue
			}
			require.NoError(t, err)
			notes = append(notes, cr.Number)
			got, err := tryRead(tm.Store, func(tx crm.ReadTx) (crm.Credit, error) { return tx.Credits().Get(ctx, cr.ID) })
			require.NoError(t, err)
			assert.Equal(t, cr.Number, got.Number, "the store keeps the number")
		}
		assert.Equal(t, []string{"CN-2026-00001", "CN-2027-00001", "CN-2026-00002", "CN-2027-00002"}, notes)
	})

	t.Run("NumbersUnderConcurrency", func(t *testing.T) {
		b := newBooks(t, newStore(t))
		const workers, each = 6, 5
		customers := make([]crm.ID, workers)
		for w := range customers {
			customers[w] = b.customer(t, fmt.Sprint("Buyer ", w))
		}
		var (
			wg  sync.WaitGroup
			mu  sync.Mutex
			got = map[string]bool{}
		)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range each {
					inv, err := b.crm(w).Ledger.IssueInvoice(ctx, b.fin.ID, newInvoice(customers[w], crm.MoneyFromMinor(100, eur), ""))
					if !assert.NoError(t, err) {
						return
					}
					mu.Lock()
					got[inv.Number] = true
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		want := map[string]bool{}
		for i := range workers * each {
			want[fmt.Sprintf("INV-2026-%05d", i+1)] = true
		}
		assert.Equal(t, want, got, "every number once, none skipped")
	})
}

// teamEntries returns a customer's entries through the store of a Team.
func teamEntries(t testing.TB, tm *Team, customer crm.ID) []crm.Entry {
	t.Helper()
	return (&books{Team: tm}).entries(t, customer)
}

// hookPeriodLock wraps a store so that every read of the lock date in a
// write transaction calls hook after it.
func hookPeriodLock(s crm.Store, hook func()) crm.Store {
	h := hookedStore{Store: s, hook: hook}
	if sealer, ok := s.(crm.LogSealer); ok {
		return hookedSealer{h, sealer}
	}
	return h
}

type hookedStore struct {
	crm.Store
	hook func()
}

func (h hookedStore) Update(ctx context.Context, fn func(tx crm.Tx) error) error {
	return h.Store.Update(ctx, func(tx crm.Tx) error { return fn(hookedTx{tx, h.hook}) })
}

// hookedSealer keeps the store's sealing, which the CRM looks for.
type hookedSealer struct {
	hookedStore
	crm.LogSealer
}

type hookedTx struct {
	crm.Tx
	hook func()
}

func (h hookedTx) Accounting() crm.AccountingRepository {
	return hookedAccounting{h.Tx.Accounting(), h.hook}
}

type hookedAccounting struct {
	crm.AccountingRepository
	hook func()
}

func (h hookedAccounting) PeriodLock(ctx context.Context) (crm.PeriodLock, error) {
	l, err := h.AccountingRepository.PeriodLock(ctx)
	h.hook()
	return l, err
}
