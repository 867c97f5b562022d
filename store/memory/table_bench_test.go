package memory_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/memory"
	"github.com/crmkit/crm/store/storetest"
)

// BenchmarkCreateAmid inserts one customer per transaction into a store
// already holding 1k, 100k and 1M customers, each with an ID that lands
// among the committed ones rather than after them, as the writes of two
// CRMs sharing one store do: the new IDs are drawn at random between the
// committed ones.
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
						if err := tx.Customers().Insert(ctx, benchCustomer(uint64(i)<<20)); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			runtime.GC() // the setup's garbage, not the creates'
			r := rand.New(rand.NewPCG(1, 2))
			taken := map[uint64]bool{}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				n := r.Uint64N(uint64(rows) << 20)
				for n%(1<<20) == 0 || taken[n] {
					n = r.Uint64N(uint64(rows) << 20)
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

// BenchmarkTwoCRMs creates customers through two CRMs sharing one store that
// holds 1k, 100k and 1M customers whose IDs span the two hours before now:
// one CRM's clock reads now, the other's an hour behind, so the second's
// IDs land amid the committed ones. An op is one create by each.
//
//	go test -run '^$' -bench TwoCRMs -benchtime 200x ./store/memory
func BenchmarkTwoCRMs(b *testing.B) {
	ctx := context.Background()
	for _, rows := range []int{1_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprint("rows=", rows), func(b *testing.B) {
			s := memory.New()
			tm := storetest.NewTeam(b, s)
			now := tm.Clock.Now()
			const batch = 50_000
			for done := 0; done < rows; done += batch {
				err := s.Update(ctx, func(tx crm.Tx) error {
					for i := done; i < min(done+batch, rows); i++ {
						at := now.Add(-2 * time.Hour).Add(time.Duration(i) * 2 * time.Hour / time.Duration(rows))
						c := benchCustomer(uint64(i))
						binary.BigEndian.PutUint64(c.ID[:8], uint64(at.UnixMilli())<<16|0x7000)
						if err := tx.Customers().Insert(ctx, c); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			behind, err := crm.New(s, crm.WithClock(crm.NewManualClock(now.Add(-time.Hour))), crm.WithRandom(rand.NewChaCha8([32]byte{2})))
			if err != nil {
				b.Fatal(err)
			}
			runtime.GC()
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				for _, c := range []*crm.CRM{tm.CRM, behind} {
					if _, err := c.Customers.Create(ctx, tm.Ann.ID, crm.NewCustomer{Kind: crm.Partner, Name: "Bench"}); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
