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

// books is a Team with a finance user, who bills, and a second CRM on
// the same store, standing for a second app server.
type books struct {
	*Team
	fin   crm.User
	other *crm.CRM
}

func newBooks(t testing.TB, s crm.Store, opts ...crm.Option) *books {
	t.Helper()
	tm := NewTeam(t, s, opts...)
	fin, err := tm.Users.Create(context.Background(), tm.Admin.ID, crm.NewUser{Name: "Fay Finance", Role: crm.RoleFinance})
	require.NoError(t, err)
	other, err := crm.New(s, append([]crm.Option{crm.WithClock(tm.Clock), crm.WithRetries(64, time.Millisecond)}, opts...)...)
	require.NoError(t, err)
	return &books{Team: tm, fin: fin, other: other}
}

// crm returns the CRM that goroutine w uses: the two app servers in turn.
func (b *books) crm(w int) *crm.CRM { return []*crm.CRM{b.CRM, b.other}[w%2] }

// customer creates a customer of Ann's.
func (b *books) customer(t testing.TB, name string) crm.ID {
	t.Helper()
	c, err := b.Customers.Create(context.Background(), b.Ann.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: name})
	require.NoError(t, err)
	return c.ID
}

// newInvoice is an invoice of one line at amount, without tax.
func newInvoice(customer crm.ID, amount crm.Money, number string) crm.NewInvoice {
	return crm.NewInvoice{Customer: customer, Currency: amount.Currency(), Number: number,
		Lines: []crm.InvoiceLine{{Description: "Services", Quantity: dec("1"), UnitPrice: amount}}}
}

// entries returns a customer's entries (everyone's when zero), in ID
// order, from the store.
func (b *books) entries(t testing.TB, customer crm.ID) []crm.Entry {
	t.Helper()
	var out []crm.Entry
	page := crm.PageRequest{Limit: crm.MaxPageSize}
	for {
		es, err := tryRead(b.Store, func(tx crm.ReadTx) ([]crm.Entry, error) {
			return tx.Ledger().Entries(context.Background(), crm.EntryFilter{Customer: customer}, page)
		})
		require.NoError(t, err)
		out = append(out, es...)
		if len(es) < page.Limit {
			return out
		}
		page.After = es[len(es)-1].ID
	}
}

// open returns what is open on an item of the customer.
func (b *books) open(t testing.TB, customer, item crm.ID) int64 {
	t.Helper()
	items, err := b.Receivables.OpenItems(context.Background(), b.fin.ID, crm.ReceivableQuery{Customer: customer})
	require.NoError(t, err)
	for _, it := range items {
		if it.Item == item {
			return minor(it.Open)
		}
	}
	return 0
}

// verify requires the ledger to verify and each customer's book to be at
// the version of the number of their entries: one version per entry
// posted, none lost; no book before the first entry.
func (b *books) verify(t testing.TB, customers ...crm.ID) {
	t.Helper()
	require.NoError(t, b.Ledger.Verify(context.Background(), b.fin.ID))
	for _, c := range customers {
		book, err := tryRead(b.Store, getBook(c))
		if n := len(b.entries(t, c)); n > 0 {
			require.NoError(t, err)
			assert.Equal(t, int64(n), book.Version, "one version of the book per entry")
		} else {
			require.ErrorIs(t, err, crm.ErrNotFound, "no book before the first entry")
		}
	}
}

// race runs fn(i) for i below n, each in its own goroutine, released at
// once, and returns their errors.
func race(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = fn(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// allocated adds up what allocation entries took off an invoice.
func allocated(es []crm.Entry, invoice crm.ID) int64 {
	var n int64
	for _, e := range es {
		for _, p := range e.Postings {
			if e.Kind == crm.EntryAllocation && p.Account == crm.AccountReceivable && p.Item == invoice {
				n -= minor(p.Amount)
			}
		}
	}
	return n
}

// unapplied adds up the customer's credit not applied, as a positive
// amount.
func (b *books) unapplied(t testing.TB, customer crm.ID) int64 {
	t.Helper()
	items, err := b.Receivables.OpenItems(context.Background(), b.fin.ID, crm.ReceivableQuery{Customer: customer})
	require.NoError(t, err)
	var n int64
	for _, it := range items {
		if it.Account == crm.AccountCredit {
			n -= minor(it.Open)
		}
	}
	return n
}

// The goroutines of the concurrency tests.
const ledgerWorkers = 8

func runLedgerConcurrency(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	eur30 := crm.MoneyFromMinor(3_000, eur)

	t.Run("PaymentsOldestFirstOnOneInvoice", func(t *testing.T) {
		b := newBooks(t, newStore(t))
		c := b.customer(t, "Contended")
		inv, err := b.Ledger.IssueInvoice(ctx, b.fin.ID, newInvoice(c, crm.MoneyFromMinor(10_000, eur), "1"))
		require.NoError(t, err)
		receipts := make([]crm.PaymentReceipt, ledgerWorkers)
		for _, err := range race(ledgerWorkers, func(i int) error {
			var err error
			receipts[i], err = b.crm(i).Ledger.ReceivePayment(ctx, b.fin.ID, crm.NewPayment{Allocation: crm.AllocateOldestFirst, Customer: c, Amount: eur30})
			return err
		}) {
			require.NoError(t, err)
		}
		var applied int64
		for _, r := range receipts {
			require.LessOrEqual(t, len(r.Allocations), 1)
			applied += allocated(r.Allocations, inv.ID)
		}
		assert.Equal(t, int64(10_000), applied, "the invoice is paid once, in full")
		assert.Zero(t, b.open(t, c, inv.ID))
		assert.Equal(t, int64(ledgerWorkers*3_000-10_000), b.unapplied(t, c), "the rest stays the customer's credit")
		assert.Equal(t, applied, allocated(b.entries(t, c), inv.ID))
		b.verify(t, c)
	})

	for _, tc := range []struct {
		name   string
		amount crm.Money // zero: as much as both allow
		refuse error
	}{
		{"ExplicitAllocationsOnOneInvoice", eur30, crm.ErrOverAllocation},
		{"AllocationsOfWhatIsOpenOnOneInvoice", crm.Money{}, crm.ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newBooks(t, newStore(t))
			c := b.customer(t, "Contended")
			inv, err := b.Ledger.IssueInvoice(ctx, b.fin.ID, newInvoice(c, crm.MoneyFromMinor(10_000, eur), "1"))
			require.NoError(t, err)
			var credits []crm.ID
			for range ledgerWorkers {
				r, err := b.Ledger.ReceivePayment(ctx, b.fin.ID, crm.NewPayment{Customer: c, Amount: eur30})
				require.NoError(t, err)
				credits = append(credits, r.Payment.ID)
			}
			entries := make([]crm.Entry, ledgerWorkers)
			errs := race(ledgerWorkers, func(i int) error {
				var err error
				entries[i], err = b.crm(i).Ledger.Allocate(ctx, b.fin.ID, crm.AllocationRequest{Customer: c, Credit: credits[i], Invoice: inv.ID,
					Amount: tc.amount})
				return err
			})
			var applied int64
			var refused int
			for i, err := range errs {
				if err != nil {
					require.ErrorIs(t, err, tc.refuse)
					refused++
					continue
				}
				applied += allocated(entries[i:i+1], inv.ID)
			}
			open := b.open(t, c, inv.ID)
			assert.Equal(t, int64(10_000), applied+open, "what was applied and what is open make the invoice")
			assert.Equal(t, applied, allocated(b.entries(t, c), inv.ID))
			assert.Less(t, open, int64(3_000), "the refused allocations did not fit")
			assert.Positive(t, refused)
			assert.Equal(t, int64(ledgerWorkers*3_000)-applied, b.unapplied(t, c))
			b.verify(t, c)
		})
	}

	t.Run("FirstInvoiceRacesThePayments", func(t *testing.T) {
		b := newBooks(t, newStore(t))
		const rounds = 4
		for round := range rounds {
			c := b.customer(t, fmt.Sprintf("New %d", round))
			var inv crm.Invoice
			for _, err := range race(ledgerWorkers, func(i int) error {
				var err error
				if i == round%ledgerWorkers {
					inv, err = b.crm(i).Ledger.IssueInvoice(ctx, b.fin.ID, newInvoice(c, crm.MoneyFromMinor(10_000, eur), ""))
				} else {
					_, err = b.crm(i).Ledger.ReceivePayment(ctx, b.fin.ID, crm.NewPayment{Allocation: crm.AllocateOldestFirst, Customer: c, Amount: eur30})
				}
				return err
			}) {
				require.NoError(t, err, "round %d", round)
			}
			es := b.entries(t, c)
			applied, open := allocated(es, inv.ID), b.open(t, c, inv.ID)
			assert.Equal(t, int64(10_000), applied+open, "round %d", round)
			assert.GreaterOrEqual(t, open, int64(0), "round %d", round)
			assert.Equal(t, int64((ledgerWorkers-1)*3_000)-applied, b.unapplied(t, c), "round %d", round)
			b.verify(t, c)
		}
	})

	t.Run("ConcurrentReversals", func(t *testing.T) {
		b := newBooks(t, newStore(t))
		c := b.customer(t, "Mistaken")
		inv, err := b.Ledger.IssueInvoice(ctx, b.fin.ID, newInvoice(c, crm.MoneyFromMinor(10_000, eur), "1"))
		require.NoError(t, err)
		pay, err := b.Ledger.ReceivePayment(ctx, b.fin.ID, crm.NewPayment{Customer: c, Amount: eur30})
		require.NoError(t, err)
		for _, entry := range []crm.ID{inv.Entry, pay.Entry.ID} {
			reversals := make([]crm.ReverseResult, ledgerWorkers)
			errs := race(ledgerWorkers, func(i int) error {
				var err error
				reversals[i], err = b.crm(i).Ledger.Reverse(ctx, b.fin.ID, crm.ReverseRequest{Entry: entry, Reason: fmt.Sprintf("mistake %d", i)})
				return err
			})
			winner := -1
			for i, err := range errs {
				if err == nil {
					require.Equal(t, -1, winner, "one reversal succeeds")
					winner = i
					continue
				}
				require.ErrorIs(t, err, crm.ErrReversed)
			}
			require.NotEqual(t, -1, winner, "one reversal succeeds")
			assertSame(t, reversals[winner].Reversal, read(t, b.Store, reversalOf(entry)))
		}
		assert.Len(t, b.entries(t, c), 4)
		assert.Zero(t, b.open(t, c, inv.ID))
		assert.Zero(t, b.unapplied(t, c))
		b.verify(t, c)
	})

	t.Run("SameKeySameRequest", func(t *testing.T) {
		b := newBooks(t, newStore(t))
		c := b.customer(t, "Retrying")
		invoices := make([]crm.Invoice, ledgerWorkers)
		for _, err := range race(ledgerWorkers, func(i int) error {
			var err error
			n := newInvoice(c, crm.MoneyFromMinor(10_000, eur), "42")
			n.IdempotencyKey = "invoice 42"
			invoices[i], err = b.crm(i).Ledger.IssueInvoice(ctx, b.fin.ID, n)
			return err
		}) {
			require.NoError(t, err)
		}
		for _, inv := range invoices {
			assertSame(t, invoices[0], inv, "every caller gets the one invoice")
		}
		receipts := make([]crm.PaymentReceipt, ledgerWorkers)
		for _, err := range race(ledgerWorkers, func(i int) error {
			var err error
			receipts[i], err = b.crm(i).Ledger.ReceivePayment(ctx, b.fin.ID, crm.NewPayment{Allocation: crm.AllocateOldestFirst, IdempotencyKey: "bank line 7", Customer: c, Amount: eur30})
			return err
		}) {
			require.NoError(t, err)
		}
		first := 0
		for _, r := range receipts {
			assert.Equal(t, receipts[0].Entry.ID, r.Entry.ID, "every caller gets the one payment")
			assert.Equal(t, receipts[0].Payment.ID, r.Payment.ID)
			if !r.Duplicate {
				first++
			}
		}
		assert.Equal(t, 1, first, "one receipt is the first")
		es := b.entries(t, c)
		assert.Len(t, es, 3, "an invoice, a payment and its allocation")
		assert.Equal(t, int64(7_000), b.open(t, c, invoices[0].ID))
		b.verify(t, c)
	})

	t.Run("SameKeyOtherRequests", func(t *testing.T) {
		b := newBooks(t, newStore(t))
		one := b.customer(t, "One")
		var customers []crm.ID
		for i := range ledgerWorkers {
			customers = append(customers, b.customer(t, fmt.Sprintf("Customer %d", i)))
		}
		for _, tc := range []struct {
			name     string
			customer func(i int) crm.ID
		}{
			{"one customer", func(int) crm.ID { return one }},
			{"a customer each", func(i int) crm.ID { return customers[i] }},
		} {
			t.Run(tc.name, func(t *testing.T) {
				key := "shared " + tc.name
				stored := len(allPages(t, b.Store, 100, invoiceID, listInvoices(crm.InvoiceFilter{})))
				invoices := make([]crm.Invoice, ledgerWorkers)
				errs := race(ledgerWorkers, func(i int) error {
					var err error
					n := newInvoice(tc.customer(i), crm.MoneyFromMinor(int64(1_000+i), eur), fmt.Sprintf("%s %d", tc.name, i))
					n.IdempotencyKey = key
					invoices[i], err = b.crm(i).Ledger.IssueInvoice(ctx, b.fin.ID, n)
					return err
				})
				winner := -1
				for i, err := range errs {
					if err == nil {
						require.Equal(t, -1, winner, "one request succeeds")
						winner = i
					}
				}
				require.NotEqual(t, -1, winner, "one request succeeds")
				for i, err := range errs {
					if i == winner {
						continue
					}
					var ie *crm.IdempotencyError
					require.ErrorAs(t, err, &ie)
					assert.Equal(t, key, ie.Key)
					assert.Equal(t, invoices[winner].Entry, ie.Existing)
				}
				got := read(t, b.Store, entryByKey(key))
				assert.Equal(t, invoices[winner].Entry, got.ID)
				var keyed int
				for _, e := range b.entries(t, crm.ID{}) {
					if e.IdempotencyKey == key {
						keyed++
					}
				}
				assert.Equal(t, 1, keyed)
				assert.Len(t, allPages(t, b.Store, 100, invoiceID, listInvoices(crm.InvoiceFilter{})), stored+1,
					"the refused requests left no invoice behind")
				b.verify(t, append(customers, one)...)
			})
		}
	})
}
