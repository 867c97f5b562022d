package bench

import (
	"context"
	"testing"
	"time"

	"github.com/crmkit/crm"
)

// BenchmarkSQLWReceivePayment receives a payment applied at once, oldest
// invoice first, to an invoice issued for it ("crmkit"), or kept as
// credit ("crmkit-credit"), and counts its statements and round trips
// (the invoice's are not counted). There is no hand-written contender:
// the figure that matters is the round trips.
func BenchmarkSQLWReceivePayment(b *testing.B) {
	ctx := context.Background()
	for _, s := range sqlwDialects(b) {
		for _, strategy := range []crm.AllocationStrategy{crm.AllocateOldestFirst, crm.KeepAsCredit} {
			name := s.name + "/crmkit"
			if strategy == crm.KeepAsCredit {
				name += "-credit"
			}
			b.Run(name, func(b *testing.B) { receivePayments(ctx, b, s, strategy) })
		}
	}
}

func receivePayments(ctx context.Context, b *testing.B, s *sqlwDB, strategy crm.AllocationStrategy) {
	var stmts, trips int64
	var cpu time.Duration
	for range b.N {
		b.StopTimer()
		if _, err := s.crm.Ledger.IssueInvoice(ctx, s.actor, s.invoice()); err != nil {
			b.Fatal(err)
		}
		st0, tr0, cpu0 := s.count.stmts.Load(), s.count.trips(), cpuTime()
		b.StartTimer()
		if _, err := s.crm.Ledger.ReceivePayment(ctx, s.actor, crm.NewPayment{Customer: s.customer, Amount: crm.MoneyFromMinor(10000, s.usd),
			Allocation: strategy}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		stmts += s.count.stmts.Load() - st0
		trips += s.count.trips() - tr0
		cpu += cpuTime() - cpu0
		b.StartTimer()
	}
	b.ReportMetric(float64(stmts)/float64(b.N), "stmts/op")
	b.ReportMetric(float64(trips)/float64(b.N), "trips/op")
	b.ReportMetric(float64(cpu)/float64(b.N), "cpu-ns/op")
}
