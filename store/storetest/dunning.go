package storetest

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dunningBooks is a Team with finance, whose clock is set by days from
// the suite's epoch, for the dunning checks.
type dunningBooks struct{ *books }

func newDunningBooks(t *testing.T, newStore NewStoreFunc) dunningBooks {
	return dunningBooks{newBooks(t, newStore(t))}
}

// day sets the clock to n days after the epoch.
func (b dunningBooks) day(n int) { b.Clock.Set(epoch.Add(time.Duration(n) * 24 * time.Hour)) }

// date is the day n days after the epoch.
func (b dunningBooks) date(n int) crm.Date { return crm.DateOf(epoch).AddDays(n) }

// invoiceDue issues an invoice of 100.00 EUR to a customer, due today.
func (b dunningBooks) invoiceDue(t *testing.T, customer crm.ID, number string) crm.Invoice {
	t.Helper()
	n := newInvoice(customer, crm.MoneyFromMinor(10_000, eur), number)
	n.Due = crm.DateOf(b.Clock.Now())
	inv, err := b.Ledger.IssueInvoice(context.Background(), b.fin.ID, n)
	require.NoError(t, err)
	return inv
}

// dun runs the dunning as finance and returns what it did.
func (b dunningBooks) dun(t *testing.T, run crm.DunningRun) crm.DunningResult {
	t.Helper()
	res, err := b.Receivables.Dun(context.Background(), b.fin.ID, run)
	require.NoError(t, err)
	return res
}

// record reads an invoice's dunning record from the store.
func (b dunningBooks) record(t *testing.T, invoice crm.ID) crm.DunningRecord {
	t.Helper()
	rec, err := tryRead(b.Store, func(tx crm.ReadTx) (crm.DunningRecord, error) { return tx.Dunning().Get(context.Background(), invoice) })
	require.NoError(t, err)
	return rec
}

// eventTypes lists the types of the events of an invoice's dunning.
func (b dunningBooks) eventTypes(t *testing.T, invoice crm.ID) []crm.EventType {
	t.Helper()
	events, err := tryRead(b.Store, func(tx crm.ReadTx) ([]crm.Event, error) {
		return tx.Events().Subject(context.Background(), crm.KindDunning, invoice)
	})
	require.NoError(t, err)
	var out []crm.EventType
	for _, e := range events {
		out = append(out, e.Type)
	}
	return out
}

// moved lists the events and target states of a run's moves.
func moved(res crm.DunningResult) []string {
	var out []string
	for _, m := range res.Moves {
		out = append(out, string(m.Event)+":"+string(m.To))
	}
	return out
}

// runDunning checks the dunning machine through the CRM: escalation by
// days overdue, one level a run with the gap between notices; an
// idempotent rerun; settlement of invoices paid, cancelled or written
// off, and a reopened one dunned again without being charged twice;
// holds; the invoices of fees and interest; the report; the limit of a
// run; and who may do what.
func runDunning(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()

	t.Run("EscalatesByDaysOverdue", func(t *testing.T) {
		b := newDunningBooks(t, newStore)
		c := b.customer(t, "Initech")
		inv := b.invoiceDue(t, c, "INV-1")

		b.day(6)
		assert.Empty(t, b.dun(t, crm.DunningRun{}).Moves, "6 days overdue: too early for the reminder")
		b.day(7)
		res := b.dun(t, crm.DunningRun{})
		assert.Equal(t, []string{"escalate:reminder"}, moved(res))
		assert.Empty(t, res.Charges, "the reminder is free")
		assert.Equal(t, 7, res.Moves[0].DaysOverdue)
		assert.True(t, res.Moves[0].Open.Equal(crm.MoneyFromMinor(10_000, eur)))
		rec := b.record(t, inv.ID)
		assert.Equal(t, crm.DunningState("reminder"), rec.State)
		assert.Equal(t, 1, rec.Level)
		assert.Equal(t, b.date(7), rec.Since)

		b.day(20)
		assert.Empty(t, b.dun(t, crm.DunningRun{}).Moves, "20 days overdue: the first notice is due at 21")
		b.day(21)
		res = b.dun(t, crm.DunningRun{})
		assert.Equal(t, []string{"escalate:first_notice"}, moved(res))
		require.Len(t, res.Charges, 1, "the first notice charges its fee")
		fee := res.Charges[0]
		assert.True(t, fee.Total.Equal(crm.MoneyFromMinor(500, eur)), "5.00 EUR, got %s", fee.Total)
		assert.Equal(t, b.date(21), fee.Issued)
		assert.Equal(t, b.date(35), fee.Due, "due FeeDueDays after it is charged")
		require.Len(t, fee.Lines, 1)
		assert.Contains(t, fee.Lines[0].Description, "INV-1", "the fee names the invoice it is for")
		assert.Equal(t, res.Moves[0].Charges, fee.ID)
		assert.Equal(t, crm.DunningExempt, b.record(t, fee.ID).State, "a fee is never dunned")
		assert.Equal(t, inv.ID, b.record(t, fee.ID).ChargesFor)

		b.day(45)
		res = b.dun(t, crm.DunningRun{})
		assert.Equal(t, []string{"escalate:final_notice"}, moved(res))
		require.Len(t, res.Charges, 1)
		final := res.Charges[0]
		require.Len(t, final.Lines, 2, "a fee and interest")
		// 100.00 x 8% x 45 / 365 = 0.98630..., half-even to 0.99.
		assert.True(t, final.Lines[1].UnitPrice.Equal(crm.MoneyFromMinor(99, eur)), "interest, got %s", final.Lines[1].UnitPrice)
		assert.True(t, final.Total.Equal(crm.MoneyFromMinor(1099, eur)), "10.00 and 0.99, got %s", final.Total)
		assert.Contains(t, final.Lines[1].Description, "45 days")
		assert.Equal(t, b.date(45), b.record(t, inv.ID).InterestThrough)

		st, err := b.Ladder.State(ctx, b.Admin.ID, c)
		require.NoError(t, err)
		assert.Equal(t, 3, st.Evidence, "each level reached is evidence on the ladder")
		assert.Negative(t, st.Score)

		b.day(70)
		assert.Empty(t, b.dun(t, crm.DunningRun{}).Moves, "nothing after the last level, and fees are never dunned though overdue")
		assert.Equal(t, []crm.EventType{crm.DunningEscalated, crm.DunningEscalated, crm.DunningEscalated}, b.eventTypes(t, inv.ID))

		rows, err := b.Receivables.DunningLevels(ctx, b.fin.ID, crm.ReceivableQuery{})
		require.NoError(t, err)
		require.Len(t, rows, 1, "the fees' invoices are not in dunning")
		assert.Equal(t, crm.DunningRow{Customer: c, Invoice: inv.ID, State: "final_notice", Level: 3, LevelName: "final_notice",
			Since: b.date(45), Due: b.date(0), DaysOverdue: 70, Open: crm.MoneyFromMinor(10_000, eur)}, rows[0])
		require.NoError(t, b.Ledger.Verify(ctx, b.Admin.ID), "fees posted as invoices are, each with its event")
	})

	t.Run("OneLevelARunWithTheGap", func(t *testing.T) {
		b := newDunningBooks(t, newStore)
		inv := b.invoiceDue(t, b.customer(t, "Initech"), "INV-1")
		b.day(60) // found long overdue: the notices still come in order
		assert.Equal(t, []string{"escalate:reminder"}, moved(b.dun(t, crm.DunningRun{})))
		b.day(66)
		assert.Empty(t, b.dun(t, crm.DunningRun{}).Moves, "6 days after the reminder: the customer has a week")
		b.day(67)
		assert.Equal(t, []string{"escalate:first_notice"}, moved(b.dun(t, crm.DunningRun{})))
		b.day(74)
		res := b.dun(t, crm.DunningRun{})
		assert.Equal(t, []string{"escalate:final_notice"}, moved(res))
		require.Len(t, res.Charges, 1)
		// Interest for all 74 days: 100.00 x 8% x 74 / 365 = 1.6219... -> 1.62.
		assert.True(t, res.Charges[0].Lines[1].UnitPrice.Equal(crm.MoneyFromMinor(162, eur)), "got %s", res.Charges[0].Lines[1].UnitPrice)
		assert.Equal(t, 3, b.record(t, inv.ID).Charged)
	})

	t.Run("IdempotentRerun", func(t *testing.T) {
		b := newDunningBooks(t, newStore)
		c := b.customer(t, "Initech")
		b.invoiceDue(t, c, "INV-1")
		b.day(21)
		b.invoiceDue(t, c, "INV-2") // not overdue yet
		b.day(45)
		first := b.dun(t, crm.DunningRun{})
		require.Len(t, first.Moves, 2, "INV-1 to the next level and INV-2 to the reminder")
		head, err := tryRead(b.Store, func(tx crm.ReadTx) ([]crm.Event, error) { return tx.Events().After(ctx, 0, crm.MaxPageSize) })
		require.NoError(t, err)
		entries := len(b.entries(t, c))
		again := b.dun(t, crm.DunningRun{})
		assert.Empty(t, again.Moves, "the same day again changes nothing")
		assert.Empty(t, again.Charges)
		assert.False(t, again.More)
		after, err := tryRead(b.Store, func(tx crm.ReadTx) ([]crm.Event, error) { return tx.Events().After(ctx, 0, crm.MaxPageSize) })
		require.NoError(t, err)
		assert.Len(t, after, len(head), "no event")
		assert.Len(t, b.entries(t, c), entries, "no posting")
	})

	t.Run("SettledInvoicesStop", func(t *testing.T) {
		b := newDunningBooks(t, newStore)
		c := b.customer(t, "Initech")
		paid := b.invoiceDue(t, c, "PAID")
		cancelled := b.invoiceDue(t, c, "CANCELLED")
		written := b.invoiceDue(t, c, "WRITTEN-OFF")
		b.day(7)
		require.Len(t, b.dun(t, crm.DunningRun{}).Moves, 3)

		b.day(10)
		receipt, err := b.Ledger.ReceivePayment(ctx, b.fin.ID, crm.NewPayment{Customer: c, Amount: crm.MoneyFromMinor(10_000, eur),
			Allocation: crm.AllocateOldestFirst})
		require.NoError(t, err)
		require.Len(t, receipt.Allocations, 1)
		_, err = b.Ledger.Reverse(ctx, b.fin.ID, crm.ReverseRequest{Entry: cancelled.Entry, Reason: "issued in error"})
		require.NoError(t, err)
		_, err = b.Ledger.WriteOff(ctx, b.fin.ID, crm.WriteOffRequest{Customer: c, Invoice: written.ID, Reason: "bankrupt"})
		require.NoError(t, err)
		res := b.dun(t, crm.DunningRun{})
		assert.ElementsMatch(t, []string{"settle:settled", "settle:settled", "settle:settled"}, moved(res))
		for _, inv := range []crm.Invoice{paid, cancelled, written} {
			assert.Equal(t, crm.DunningSettled, b.record(t, inv.ID).State, inv.Number)
		}
		rows, err := b.Receivables.DunningLevels(ctx, b.fin.ID, crm.ReceivableQuery{Customer: c})
		require.NoError(t, err)
		assert.Empty(t, rows)
		b.day(21)
		assert.Empty(t, b.dun(t, crm.DunningRun{}).Moves, "no first notice for settled invoices")

		// The payment's allocation undone, the invoice is owed again: it is
		// dunned again from the first level.
		_, err = b.Ledger.Reverse(ctx, b.fin.ID, crm.ReverseRequest{Entry: receipt.Allocations[0].ID, Reason: "bounced"})
		require.NoError(t, err)
		res = b.dun(t, crm.DunningRun{})
		assert.Equal(t, []string{"reopen:none", "escalate:reminder"}, moved(res))
		assert.Empty(t, res.Charges)
		assert.Equal(t, []crm.EventType{crm.DunningEscalated, crm.DunningSettledEvent, crm.DunningReopened, crm.DunningEscalated},
			b.eventTypes(t, paid.ID))
	})

	t.Run("PauseAndResume", func(t *testing.T) {
		b := newDunningBooks(t, newStore)
		c := b.customer(t, "Initech")
		inv := b.invoiceDue(t, c, "INV-1")
		b.day(7)
		b.dun(t, crm.DunningRun{})

		hold := crm.DunningHoldRequest{Invoice: inv.ID, Reason: "the customer disputes the delivery"}
		_, err := b.Receivables.PauseDunning(ctx, b.Ann.ID, hold)
		assert.ErrorIs(t, err, crm.ErrForbidden, "a rep does not hold dunning")
		_, err = b.Receivables.PauseDunning(ctx, b.Sue.ID, hold)
		assert.ErrorIs(t, err, crm.ErrNotFound, "nor learns of another team's invoice")
		_, err = b.Receivables.PauseDunning(ctx, b.Manager.ID, crm.DunningHoldRequest{Invoice: inv.ID})
		assert.ErrorIs(t, err, crm.ErrInvalid, "a hold says why")
		rec, err := b.Receivables.PauseDunning(ctx, b.Manager.ID, hold)
		require.NoError(t, err, "a manager of the customer's team holds it")
		assert.Equal(t, crm.DunningState("reminder_paused"), rec.State)
		assert.Equal(t, 1, rec.Level)
		assert.Equal(t, hold.Reason, rec.Note)
		_, err = b.Receivables.PauseDunning(ctx, b.fin.ID, hold)
		assert.ErrorIs(t, err, crm.ErrInvalidTransition, "on hold already")

		b.day(30)
		assert.Empty(t, b.dun(t, crm.DunningRun{}).Moves, "no notice while on hold")
		rows, err := b.Receivables.DunningLevels(ctx, b.fin.ID, crm.ReceivableQuery{})
		require.NoError(t, err)
		require.Len(t, rows, 1)
		assert.Equal(t, crm.DunningState("reminder_paused"), rows[0].State)

		rec, err = b.Receivables.ResumeDunning(ctx, b.fin.ID, crm.DunningHoldRequest{Invoice: inv.ID, Reason: "delivery confirmed"})
		require.NoError(t, err)
		assert.Equal(t, crm.DunningState("reminder"), rec.State)
		assert.Equal(t, b.date(30), rec.Since)
		assert.Empty(t, b.dun(t, crm.DunningRun{}).Moves, "the customer has a week from the end of the dispute")
		b.day(37)
		assert.Equal(t, []string{"escalate:first_notice"}, moved(b.dun(t, crm.DunningRun{})))
		assert.Equal(t, []crm.EventType{crm.DunningEscalated, crm.DunningPaused, crm.DunningResumed, crm.DunningEscalated}, b.eventTypes(t, inv.ID))

		// A hold before the first notice, and on an invoice settled since.
		other := b.invoiceDue(t, c, "INV-2")
		_, err = b.Receivables.PauseDunning(ctx, b.fin.ID, crm.DunningHoldRequest{Invoice: other.ID, Reason: "payment plan agreed"})
		require.NoError(t, err)
		b.day(60)
		for _, m := range b.dun(t, crm.DunningRun{}).Moves {
			assert.NotEqual(t, other.ID, m.Invoice, "held from the start")
		}
		assert.Equal(t, crm.DunningState("none_paused"), b.record(t, other.ID).State)
		_, err = b.Ledger.WriteOff(ctx, b.fin.ID, crm.WriteOffRequest{Customer: c, Invoice: other.ID, Reason: "settled out of court"})
		require.NoError(t, err)
		b.dun(t, crm.DunningRun{})
		assert.Equal(t, crm.DunningSettled, b.record(t, other.ID).State, "a held invoice settles too")
		_, err = b.Receivables.ResumeDunning(ctx, b.fin.ID, crm.DunningHoldRequest{Invoice: other.ID, Reason: "resume"})
		assert.ErrorIs(t, err, crm.ErrInvalidTransition, "a settled invoice has no hold to lift")
	})

	t.Run("BoundedRuns", func(t *testing.T) {
		b := newDunningBooks(t, newStore)
		for _, name := range []string{"A", "B", "C"} {
			b.invoiceDue(t, b.customer(t, name), "INV-"+name)
		}
		b.day(7)
		res := b.dun(t, crm.DunningRun{Limit: 2})
		assert.Len(t, res.Moves, 2)
		assert.True(t, res.More, "one invoice waits")
		res = b.dun(t, crm.DunningRun{Limit: 2})
		assert.Len(t, res.Moves, 1)
		assert.False(t, res.More)
		assert.Empty(t, b.dun(t, crm.DunningRun{Limit: 2}).Moves)

		_, err := b.Receivables.Dun(ctx, b.fin.ID, crm.DunningRun{Limit: -1})
		assert.ErrorIs(t, err, crm.ErrInvalid)
		_, err = b.Receivables.Dun(ctx, b.fin.ID, crm.DunningRun{AsOf: b.date(8)})
		assert.ErrorIs(t, err, crm.ErrInvalid, "not a day to come")
	})

	t.Run("Policy", func(t *testing.T) {
		b := newDunningBooks(t, newStore)
		north := b.customer(t, "Northwind") // Ann's, team north
		south, err := b.Customers.Create(ctx, b.Sue.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: "Southwind"})
		require.NoError(t, err)
		nInv := b.invoiceDue(t, north, "N-1")
		sInv := b.invoiceDue(t, south.ID, "S-1")
		b.day(7)
		for _, u := range []crm.User{b.Ann, b.Manager} {
			_, err := b.Receivables.Dun(ctx, u.ID, crm.DunningRun{})
			assert.ErrorIs(t, err, crm.ErrForbidden, "%s may not bill", u.Name)
		}

		// A policy that lets managers bill their team's customers: their run
		// duns those alone.
		p := crm.DefaultPolicy()
		p.Grants[crm.RoleManager][crm.ActionBill] = crm.ScopeTeam
		team, err := crm.New(b.Store, crm.WithClock(b.Clock), crm.WithPolicy(p), crm.WithRetries(64, time.Millisecond))
		require.NoError(t, err)
		res, err := team.Receivables.Dun(ctx, b.Manager.ID, crm.DunningRun{})
		require.NoError(t, err)
		require.Len(t, res.Moves, 1)
		assert.Equal(t, nInv.ID, res.Moves[0].Invoice)
		res = b.dun(t, crm.DunningRun{})
		require.Len(t, res.Moves, 1, "finance duns the rest")
		assert.Equal(t, sInv.ID, res.Moves[0].Invoice)

		rows, err := b.Receivables.DunningLevels(ctx, b.Manager.ID, crm.ReceivableQuery{})
		require.NoError(t, err)
		require.Len(t, rows, 1, "a manager sees their team's customers")
		assert.Equal(t, north, rows[0].Customer)
		_, err = b.Receivables.DunningLevels(ctx, b.Ann.ID, crm.ReceivableQuery{})
		assert.ErrorIs(t, err, crm.ErrForbidden, "a rep does not analyze across customers")
		rows, err = b.Receivables.DunningLevels(ctx, b.Ann.ID, crm.ReceivableQuery{Customer: north})
		require.NoError(t, err)
		assert.Len(t, rows, 1, "but reads her own customer's")
		_, err = b.Receivables.DunningLevels(ctx, b.Sue.ID, crm.ReceivableQuery{Customer: north})
		assert.ErrorIs(t, err, crm.ErrNotFound)
		all, err := b.Receivables.DunningLevels(ctx, b.fin.ID, crm.ReceivableQuery{})
		require.NoError(t, err)
		assert.Len(t, all, 2)
	})

	t.Run("ConcurrentRuns", func(t *testing.T) {
		b := newDunningBooks(t, newStore)
		var customers []crm.ID
		for _, name := range []string{"A", "B", "C"} {
			customers = append(customers, b.customer(t, name))
			b.invoiceDue(t, customers[len(customers)-1], "INV-"+name)
		}
		b.day(7)
		require.Len(t, b.dun(t, crm.DunningRun{}).Moves, 3)
		b.day(21)
		const workers = 6
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			moves   int
			charges int
		)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := b.crm(w).Receivables.Dun(ctx, b.fin.ID, crm.DunningRun{})
				if !assert.NoError(t, err) {
					return
				}
				mu.Lock()
				moves, charges = moves+len(res.Moves), charges+len(res.Charges)
				mu.Unlock()
			}()
		}
		wg.Wait()
		assert.Equal(t, 3, moves, "each invoice reaches the first notice once, whichever run moved it")
		assert.Equal(t, 3, charges, "and is charged its fee once")
		invoices := 0
		for _, c := range customers {
			for _, e := range b.entries(t, c) {
				if e.Kind == crm.EntryInvoice {
					invoices++
				}
			}
		}
		assert.Equal(t, 6, invoices, "three dunned, three fees")
		require.NoError(t, b.Ledger.Verify(ctx, b.Admin.ID))
	})

	t.Run("ABackdatedRunUndoesNothing", func(t *testing.T) {
		b := newDunningBooks(t, newStore)
		c := b.customer(t, "Initech")
		inv := b.invoiceDue(t, c, "INV-1")
		b.day(7)
		b.dun(t, crm.DunningRun{})
		b.day(9)
		_, err := b.Ledger.ReceivePayment(ctx, b.fin.ID, crm.NewPayment{Customer: c, Amount: crm.MoneyFromMinor(10_000, eur),
			Allocation: crm.AllocateOldestFirst})
		require.NoError(t, err)
		assert.Equal(t, []string{"settle:settled"}, moved(b.dun(t, crm.DunningRun{})))
		res := b.dun(t, crm.DunningRun{AsOf: b.date(8)})
		assert.Empty(t, res.Moves, "as of the day before the payment the invoice was open, but it was settled since")
		assert.Equal(t, crm.DunningSettled, b.record(t, inv.ID).State)
	})

	t.Run("RulesOfTheirOwn", func(t *testing.T) {
		s := newStore(t)
		rules := crm.DunningRules{Levels: []crm.DunningLevel{
			{Name: "nudge", AfterDays: 1},
			{Name: "demand", AfterDays: 10, InterestRate: dec("0.12")},
		}, MinGapDays: 1, FeeDueDays: 0}
		b := dunningBooks{newBooks(t, s)}
		own, err := crm.New(s, crm.WithClock(b.Clock), crm.WithDunningRules(rules))
		require.NoError(t, err)
		assert.True(t, strings.Contains(own.Receivables.DunningMachine().Mermaid(), "nudge --> demand"), own.Receivables.DunningMachine().Mermaid())
		inv := b.invoiceDue(t, b.customer(t, "Initech"), "INV-1")
		b.day(10)
		res, err := own.Receivables.Dun(ctx, b.fin.ID, crm.DunningRun{})
		require.NoError(t, err)
		assert.Equal(t, []string{"escalate:nudge"}, moved(res))
		b.day(11)
		res, err = own.Receivables.Dun(ctx, b.fin.ID, crm.DunningRun{})
		require.NoError(t, err)
		assert.Equal(t, []string{"escalate:demand"}, moved(res))
		require.Len(t, res.Charges, 1, "interest alone")
		// 100.00 x 12% x 11 / 365 = 0.36164... -> 0.36.
		assert.True(t, res.Charges[0].Total.Equal(crm.MoneyFromMinor(36, eur)), "got %s", res.Charges[0].Total)
		assert.Equal(t, b.date(11), res.Charges[0].Due)
		assert.Equal(t, crm.DunningState("demand"), b.record(t, inv.ID).State)
	})
}
