package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/crmkit/crm"
)

// Bench measures the CRM's writes on a store: creating a customer, and
// updating one customer over and over (each update reads, checks the
// policy, writes the new version and appends a chained event). newStore
// must return an empty store.
//
//	go test -run '^$' -bench . ./store/...
func Bench(b *testing.B, newStore func(b *testing.B) crm.Store) {
	ctx := context.Background()
	b.Run("CreateCustomer", func(b *testing.B) {
		tm := NewTeam(b, newStore(b))
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			if _, err := tm.Customers.Create(ctx, tm.Ann.ID, crm.NewCustomer{Kind: crm.Partner, Name: fmt.Sprint("Bench ", i)}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("UpdateCustomer", func(b *testing.B) {
		tm := NewTeam(b, newStore(b))
		cu, err := tm.Customers.Create(ctx, tm.Ann.ID, crm.NewCustomer{Kind: crm.Partner, Name: "Bench"})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			seg := fmt.Sprint("segment ", i)
			if _, err := tm.Customers.Update(ctx, tm.Ann.ID, crm.CustomerPatch{Customer: cu.ID, Segment: &seg}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
