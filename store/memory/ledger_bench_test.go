package memory_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/memory"
)

func benchID(n uint64) crm.ID {
	var id crm.ID
	binary.BigEndian.PutUint64(id[:8], 0x0190_0000_0000_7000|n>>62)
	binary.BigEndian.PutUint64(id[8:], 0x8000_0000_0000_0000|n)
	return id
}

var benchDay = crm.Date{Year: 2026, Month: 1, Day: 1}

// invoiceEntry is an invoice of customer c for item i: a receivable and a
// revenue posting.
func invoiceEntry(n uint64, customer crm.ID, due crm.Date, minor int64) crm.Entry {
	usd, _ := crm.ParseCurrency("USD")
	amount := crm.MoneyFromMinor(minor, usd)
	return crm.Entry{ID: benchID(n), Kind: crm.EntryInvoice, Customer: customer, Document: benchID(n + 1<<40), Effective: due.AddDays(-30),
		Postings: []crm.Posting{
			{Account: crm.AccountReceivable, Customer: customer, Amount: amount, Item: benchID(n + 1<<40), Due: due},
			{Account: crm.AccountRevenue, Amount: amount.Neg()},
		}}
}

// BenchmarkPostings appends invoice entries through the port, locking the
// customer's book as the CRM does: one entry per transaction, and 1,000.
//
//	go test -run '^$' -bench Postings ./store/memory
func BenchmarkPostings(b *testing.B) {
	ctx := context.Background()
	for _, batch := range []int{1, 1000} {
		b.Run(fmt.Sprint("batch=", batch), func(b *testing.B) {
			s := memory.New()
			customer := benchID(1 << 50)
			var n uint64
			b.ReportAllocs()
			b.ResetTimer()
			for done := 0; done < b.N; done += batch {
				err := s.Update(ctx, func(tx crm.Tx) error {
					book, _ := tx.Ledger().Book(ctx, customer)
					if err := tx.Ledger().SaveBook(ctx, crm.Book{Customer: customer, Version: book.Version + 1}); err != nil {
						return err
					}
					for range min(batch, b.N-done) {
						n++
						if err := tx.Ledger().Append(ctx, invoiceEntry(n, customer, benchDay, 10_000)); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "entries/s")
		})
	}
}

// BenchmarkAging ages 1,000,000 open invoices of 10,000 customers
// (CRMKIT_BENCH_ITEMS overrides the count): "crmkit" through the port,
// "handwritten" as one loop over the same entries.
//
//	go test -run '^$' -bench Aging ./store/memory
func BenchmarkAging(b *testing.B) {
	ctx := context.Background()
	items := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("CRMKIT_BENCH_ITEMS")); err == nil && v > 0 {
		items = v
	}
	s := memory.New()
	var entries []crm.Entry
	const batch = 50_000
	for done := 0; done < items; done += batch {
		err := s.Update(ctx, func(tx crm.Tx) error {
			for i := done; i < min(done+batch, items); i++ {
				e := invoiceEntry(uint64(i+1), benchID(uint64(i%10_000)+1<<45), benchDay.AddDays(i%365), int64(1000+i%9000))
				entries = append(entries, e)
				if err := tx.Ledger().Append(ctx, e); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	q, _ := crm.AgingQuery{AsOf: benchDay.AddDays(400)}.Normalized()
	b.Run("crmkit", func(b *testing.B) {
		for range b.N {
			err := s.View(ctx, func(tx crm.ReadTx) error {
				_, err := tx.Ledger().Aging(ctx, q)
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("handwritten", func(b *testing.B) {
		for range b.N {
			type key struct {
				customer crm.ID
				bucket   int
			}
			open := map[crm.ID]int64{}
			due := map[crm.ID]crm.Date{}
			owner := map[crm.ID]crm.ID{}
			for _, e := range entries {
				for _, p := range e.Postings {
					if p.Account == crm.AccountReceivable {
						v, _ := p.Amount.Minor()
						open[p.Item] += v
						due[p.Item], owner[p.Item] = p.Due, p.Customer
					}
				}
			}
			sums := map[key]int64{}
			for item, v := range open {
				if v != 0 {
					sums[key{owner[item], q.Bucket(due[item])}] += v
				}
			}
			if len(sums) == 0 {
				b.Fatal("nothing aged")
			}
		}
	})
}
