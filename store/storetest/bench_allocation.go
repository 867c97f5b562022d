package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/crmkit/crm"
)

// BenchOldestFirst measures a payment applied oldest first
// (ReceivePayment with AllocateOldestFirst) that settles every one of a
// customer's open invoices, for each count in invoices: an iteration is
// one payment, made for a customer billed that many invoices beforehand,
// outside the timer, on a store that keeps the customers of earlier
// iterations. It reports the payment's milliseconds and the microseconds
// per invoice it settles, which stay flat when applying costs what each
// allocation touches, and, where it can be read, the process's CPU time
// per payment (the database's included for SQLite and memory, not for
// PostgreSQL's server), which load from other processes does not inflate
// as it does the wall time. newStore must return an empty store.
//
//	CRMKIT_POSTGRES_URL=postgres://... go test -run '^$' -bench OldestFirst -benchtime 5x ./store/memory ./store/sqlstore
func BenchOldestFirst(b *testing.B, newStore func(b *testing.B) crm.Store, invoices ...int) {
	benchOldestFirst(b, newStore, invoices, func(open int) int { return open })
}

// BenchPaymentAmongOpen is BenchOldestFirst with a payment that
// settles only the oldest of the customer's open invoices: what it costs
// stays flat however many invoices are open, as it reads and writes only
// what it settles.
//
//	CRMKIT_POSTGRES_URL=postgres://... go test -run '^$' -bench PaymentAmongOpen -benchtime 20x ./store/memory ./store/sqlstore
func BenchPaymentAmongOpen(b *testing.B, newStore func(b *testing.B) crm.Store, invoices ...int) {
	benchOldestFirst(b, newStore, invoices, func(int) int { return 1 })
}

// benchOldestFirst runs the benchmarks of a payment applied oldest first
// against each count of open invoices, the payment settling settles(open)
// of them.
func benchOldestFirst(b *testing.B, newStore func(b *testing.B) crm.Store, invoices []int, settles func(open int) int) {
	ctx := context.Background()
	for _, n := range invoices {
		b.Run(fmt.Sprint("invoices=", n), func(b *testing.B) {
			bk := newBooks(b, newStore(b))
			amount := crm.MoneyFromMinor(10_000, eur)
			want := settles(n)
			total := crm.MoneyFromMinor(10_000*int64(want), eur)
			b.ReportAllocs()
			var cpu time.Duration // of the process while the timer runs
			b.ResetTimer()
			for i := range b.N {
				b.StopTimer()
				customer := bk.customer(b, fmt.Sprint("Payer ", i))
				for j := range n {
					if _, err := bk.Ledger.IssueInvoice(ctx, bk.fin.ID, newInvoice(customer, amount, fmt.Sprintf("P-%d-%d", i, j))); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
				start := processCPU()
				r, err := bk.Ledger.ReceivePayment(ctx, bk.fin.ID, crm.NewPayment{Customer: customer, Amount: total,
					Allocation: crm.AllocateOldestFirst})
				cpu += processCPU() - start
				if err != nil {
					b.Fatal(err)
				}
				settled := 0
				for _, a := range r.Allocations {
					settled += len(a.Invoices())
				}
				if settled != want {
					b.Fatalf("the payment settled %d invoices of %d open, not %d", settled, n, want)
				}
			}
			perPayment := float64(b.Elapsed().Microseconds()) / float64(b.N)
			b.ReportMetric(perPayment/1000, "ms/payment")
			b.ReportMetric(perPayment/float64(want), "µs/invoice")
			if cpu > 0 {
				b.ReportMetric(float64(cpu.Microseconds())/float64(b.N)/1000, "cpu-ms/payment")
			}
		})
	}
}
