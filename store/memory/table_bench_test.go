package memory_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/memory"
)

// BenchmarkCreateAmid inserts one customer per transaction into a store
// already holding 1k, 100k and 1M customers, each with an ID that lands
// among the committed ones rather than after them, as the writes of two
// CRMs sharing one store do: the committed IDs are the even numbers, the
// new ones odd numbers drawn at random below the largest.
//
//	go test -run '^$' -bench CreateAmid -benchtime 200x ./store/memory
func BenchmarkCreateAmid(b *testing.B) {
	ctx := context.Background()
	for _, rows := range []int{1_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprint("rows=", rows), func(b *testing.B) {
			s := memory.New()
			const batch = 50_000
			for done := 0; done < rows; done += batch {
				err := s.Update(ctx, func(tx crm.Tx) error {
					for i := done; i < min(done+batch, rows); i++ {
						if err := tx.Customers().Insert(ctx, benchCustomer(uint64(2*i))); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			r := rand.New(rand.NewPCG(1, 2))
			taken := map[uint64]bool{}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				n := 2*r.Uint64N(uint64(rows)) + 1
				for taken[n] {
					n += 2 // past the largest committed ID once in a while: still a valid create
				}
				taken[n] = true
				c := benchCustomer(n)
				if err := s.Update(ctx, func(tx crm.Tx) error { return tx.Customers().Insert(ctx, c) }); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func benchCustomer(n uint64) crm.Customer {
	return crm.Customer{ID: benchID(n), Kind: crm.EndCustomer, Name: "Ada", Version: 1}
}
