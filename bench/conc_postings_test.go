package bench

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/sqlstore"
	"github.com/crmkit/crm/store/storetest"
	"github.com/shopspring/decimal"
)

// BenchmarkConcPostings compares concurrent postings on PostgreSQL through
// crmkit with the same postings written by hand (handLedger), side by side
// at 1, 4, 16 and 64 goroutines. Each goroutine has a customer of its own;
// an iteration is an invoice, a payment and the payment's allocation to
// the invoice: three transactions, each committed with the server's
// durability (synchronous_commit as configured). It reports postings/s
// (iterations per second), rt/op, the round trips per iteration, and the
// CPU time an iteration costs in the benchmark (client-ms/op) and in the
// server processes serving it (server-ms/op, when the server runs on this
// machine; see cpuMeter):
//
//	CRMKIT_POSTGRES_URL=postgres://... go test -run '^$' -bench ConcPostings -benchtime 300x -count 3 ./bench
//
// crmkit-pipe is crmkit pipelined on pgx (store/pgxstore).
//
// CRMKIT_BENCH_WAITS=1 also prints what the server's backends wait on,
// CRMKIT_BENCH_TRACE=1 the statements of each run's last iteration.
func BenchmarkConcPostings(b *testing.B) {
	for _, writers := range []int{1, 4, 16, 64} {
		b.Run(fmt.Sprintf("writers=%d/crmkit", writers), func(b *testing.B) { benchCRMPostings(b, writers, sqlstoreOn) })
		b.Run(fmt.Sprintf("writers=%d/crmkit-pipe", writers), func(b *testing.B) { benchCRMPostings(b, writers, pgxstoreOn) })
		b.Run(fmt.Sprintf("writers=%d/hand", writers), func(b *testing.B) { benchHandPostings(b, writers) })
	}
}

// benchCRMPostings runs the postings through a CRM on the store open
// returns (sqlstoreOn, or pgxstoreOn: pipelined), two CRMs (app servers)
// on one store as storetest.BenchPostings does, the acting user one
// finance user for every goroutine.
func benchCRMPostings(b *testing.B, writers int, open func(*sql.DB, string) (*sqlstore.Store, error)) {
	db, schema, rt := countedDB(b)
	s, err := open(db, schema)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if err := s.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	tm := storetest.NewTeam(b, s)
	fin, err := tm.Users.Create(ctx, tm.Admin.ID, crm.NewUser{Name: "Fay Finance", Role: crm.RoleFinance})
	if err != nil {
		b.Fatal(err)
	}
	other, err := crm.New(s, crm.WithClock(tm.Clock), crm.WithRetries(64, time.Millisecond))
	if err != nil {
		b.Fatal(err)
	}
	crms := []*crm.CRM{tm.CRM, other}
	customers := make([]crm.ID, writers)
	for w := range customers {
		c, err := tm.Customers.Create(ctx, tm.Ann.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: fmt.Sprint("Writer ", w)})
		if err != nil {
			b.Fatal(err)
		}
		customers[w] = c.ID
	}
	amount := crm.MoneyFromMinor(10_000, mustCurrency(b, "EUR"))
	runPostings(b, writers, schema, rt, func(w, i int) error {
		c := crms[w%2]
		inv, err := c.Ledger.IssueInvoice(ctx, fin.ID, crm.NewInvoice{Customer: customers[w], Currency: amount.Currency(),
			Number: fmt.Sprint("B-", i), Lines: []crm.InvoiceLine{{Description: "Services", Quantity: decimal.NewFromInt(1), UnitPrice: amount}}})
		if err != nil {
			return err
		}
		rc, err := c.Ledger.ReceivePayment(ctx, fin.ID, crm.NewPayment{Customer: customers[w], Amount: amount})
		if err != nil {
			return err
		}
		_, err = c.Ledger.Allocate(ctx, fin.ID, crm.AllocationRequest{Customer: customers[w], Credit: rc.Payment.ID, Invoice: inv.ID, Amount: amount})
		return err
	})
}

// benchHandPostings runs the same postings through handLedger.
func benchHandPostings(b *testing.B, writers int) {
	db, schema, rt := countedDB(b)
	h := newHandLedger(b, db)
	accounts := make([]handAccounts, writers)
	for w := range accounts {
		accounts[w] = h.customer(b, w)
	}
	ctx := context.Background()
	runPostings(b, writers, schema, rt, func(w, _ int) error { return h.postOnce(ctx, accounts[w], "100.00") })
	h.check(b, 6*b.N)
}

// runPostings runs iteration b.N times over writers goroutines, goroutine
// w running iterations w, w+writers, ..., and reports postings/s and the
// round trips per iteration.
func runPostings(b *testing.B, writers int, schema string, rt *roundTrips, iteration func(w, i int) error) {
	stop := waits(b)
	meter, err := sql.Open("pgx", postgresURL(b))
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = meter.Close() }()
	cpu := startCPU(meter, schema)
	b.ReportAllocs()
	b.ResetTimer()
	rt.n.Store(0)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		fail error
	)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < b.N; i += writers {
				traceIteration(i, b.N)
				if err := iteration(w, i); err != nil {
					mu.Lock()
					fail = err
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	stop()
	if fail != nil {
		b.Fatal(fail)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "postings/s")
	b.ReportMetric(float64(rt.n.Load())/float64(b.N), "rt/op")
	cpu.report(b)
}

func mustCurrency(b *testing.B, code string) crm.Currency {
	c, err := crm.ParseCurrency(code)
	if err != nil {
		b.Fatal(err)
	}
	return c
}
