package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/crmkit/crm"
)

// BenchPostings measures concurrent postings through the CRM: each of
// writers goroutines bills a customer of its own, receives a payment and
// allocates it to the invoice, over and over. An iteration is those three
// writes (three ledger entries); postings/s counts iterations. newStore
// must return an empty store.
//
//	CRMKIT_POSTGRES_URL=postgres://... go test -run '^$' -bench ConcurrentPostings ./store/sqlstore
func BenchPostings(b *testing.B, newStore func(b *testing.B) crm.Store, writers int) {
	ctx := context.Background()
	bk := newBooks(b, newStore(b))
	customers := make([]crm.ID, writers)
	for w := range customers {
		customers[w] = bk.customer(b, fmt.Sprint("Writer ", w))
	}
	amount := crm.MoneyFromMinor(10_000, eur)
	b.ReportAllocs()
	b.ResetTimer()
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		fail error
	)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := bk.crm(w)
			for i := w; i < b.N; i += writers {
				if err := postOnce(ctx, c, bk.fin.ID, customers[w], amount, i); err != nil {
					mu.Lock()
					fail = err
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	if fail != nil {
		b.Fatal(fail)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "postings/s")
}

// postOnce bills customer, receives a payment as credit and allocates it
// to the invoice.
func postOnce(ctx context.Context, c *crm.CRM, actor, customer crm.ID, amount crm.Money, i int) error {
	inv, err := c.Ledger.IssueInvoice(ctx, actor, newInvoice(customer, amount, fmt.Sprint("B-", i)))
	if err != nil {
		return err
	}
	rc, err := c.Ledger.ReceivePayment(ctx, actor, crm.NewPayment{Customer: customer, Amount: amount})
	if err != nil {
		return err
	}
	_, err = c.Ledger.Allocate(ctx, actor, crm.AllocationRequest{Customer: customer, Credit: rc.Payment.ID, Invoice: inv.ID, Amount: amount})
	return err
}
