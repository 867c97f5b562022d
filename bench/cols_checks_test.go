package bench

import (
	"context"
	"testing"

	"github.com/crmkit/crm"
)

// BenchmarkColsChecks reads what a posting checks first, on SQLite and
// (with CRMKIT_POSTGRES_URL) PostgreSQL, in a write transaction of the
// store: "three-reads" the way a write read them before crm.CheckReader
// (the actor, the whole customer record, the period lock: three
// statements), "checks" in the one statement of ReadChecks, which reads
// only the customer's head. "plain" is the benchmark's customer without
// contacts, tags or attributes, "rich" one with three contacts, three
// tags and five attributes, whose JSON columns a whole-record read
// decodes. The transaction's own cost is in both.
func BenchmarkColsChecks(b *testing.B) {
	ctx := context.Background()
	for _, s := range sqlwDialects(b) {
		rich, err := s.crm.Customers.Create(ctx, s.actor, crm.NewCustomer{Kind: crm.EndCustomer, Name: "Globex",
			Contacts: []crm.Contact{{Name: "Hank Scorpio", Email: "hank@globex.example"}, {Name: "Frank Grimes", Phone: "+1 555 0100"},
				{Name: "Lenny Leonard", Title: "Safety", Email: "lenny@globex.example"}},
			Tags:       []string{"enterprise", "renewal", "west"},
			Attributes: map[string]string{"industry": "energy", "tier": "gold", "region": "springfield", "erp": "SAP", "seats": "240"}})
		if err != nil {
			b.Fatal(err)
		}
		for _, cu := range []struct {
			name string
			id   crm.ID
		}{{"plain", s.customer}, {"rich", rich.ID}} {
			b.Run(s.name+"/"+cu.name+"/three-reads", func(b *testing.B) {
				colsChecks(b, s, func(tx crm.Tx) error {
					if _, err := tx.Users().Get(ctx, s.actor); err != nil {
						return err
					}
					if _, err := tx.Customers().Get(ctx, cu.id); err != nil {
						return err
					}
					_, err := tx.Accounting().PeriodLock(ctx)
					return err
				})
			})
			b.Run(s.name+"/"+cu.name+"/checks", func(b *testing.B) {
				colsChecks(b, s, func(tx crm.Tx) error {
					_, found, err := tx.(crm.CheckReader).ReadChecks(ctx, crm.CheckRequest{Actor: s.actor, Customer: cu.id, PeriodLock: true})
					if err == nil && !found {
						b.Fatal("not found")
					}
					return err
				})
			})
		}
	}
}

func colsChecks(b *testing.B, s *sqlwDB, fn func(tx crm.Tx) error) {
	ctx := context.Background()
	b.ReportAllocs()
	st0, tr0, cpu0 := s.count.stmts.Load(), s.count.trips(), cpuTime()
	for range b.N {
		if err := s.store.Update(ctx, fn); err != nil {
			b.Fatal(err)
		}
	}
	perOp(b, s.count, st0, tr0, cpu0)
}
