package bench

import (
	"cmp"
	"context"
	"encoding/binary"
	"math/rand/v2"
	"os"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/memory"
	"github.com/crmkit/crm/store/storetest"
)

// The memory store's reports against one loop over flat columns of the
// same rows: the aging of the open items, and the funnel, forecast and
// KPIs of a pipeline's deals. Both sides are checked to agree before they
// are timed, in the same run.
//
//	go test -run '^$' -bench MemReports -benchmem -count 3 .
//
// CRMKIT_BENCH_ITEMS sets the open items (200,000 by default); the deals
// are half as many.

// memrepItems is the number of open items the benchmark ages.
func memrepItems() int {
	if v, err := strconv.Atoi(os.Getenv("CRMKIT_BENCH_ITEMS")); err == nil && v > 0 {
		return v
	}
	return 200_000
}

func memrepID(n uint64) crm.ID {
	var id crm.ID
	binary.BigEndian.PutUint64(id[:8], 0x0190_0000_0000_7000|n>>62)
	binary.BigEndian.PutUint64(id[8:], 0x8000_0000_0000_0000|n)
	return id
}

var memrepDay = crm.Date{Year: 2026, Month: 1, Day: 1}

const memrepCustomers = 10_000

// agingColumns are the open items as a hand-written columnar store keeps
// them: due day, open minor units, currency and customer (its rank among
// the customers' IDs) of each.
type agingColumns struct {
	due       []int32
	open      []int64
	currency  []uint8
	customer  []int32
	customers []crm.ID       // by rank
	money     []crm.Currency // by index
}

// age is the aging as one loop over the columns and one over the sums.
func (c *agingColumns) age(q crm.AgingQuery) []crm.AgingAmount {
	asOf := int32(q.AsOf.DaysSince(crm.Date{Year: 1970, Month: 1, Day: 1}))
	nb := len(q.Bounds) + 2
	nc := len(c.money)
	sums := make([]int64, len(c.customers)*nc*nb)
	for i, due := range c.due {
		overdue := int(asOf - due)
		b := 0
		if overdue > 0 {
			b = len(q.Bounds) + 1
			for j, bound := range q.Bounds {
				if overdue <= bound {
					b = j + 1
					break
				}
			}
		}
		sums[(int(c.customer[i])*nc+int(c.currency[i]))*nb+b] += c.open[i]
	}
	var out []crm.AgingAmount
	for k, v := range sums {
		if v != 0 {
			out = append(out, crm.AgingAmount{Customer: c.customers[k/(nc*nb)], Currency: c.money[k/nb%nc], Bucket: k % nb, Minor: v})
		}
	}
	return out
}

// loadAging writes n invoices of 10,000 customers through the port and
// returns the same items as columns.
func loadAging(b *testing.B, s crm.Store, n int) *agingColumns {
	ctx := context.Background()
	usd, _ := crm.ParseCurrency("USD")
	c := &agingColumns{money: []crm.Currency{usd}}
	for i := range memrepCustomers {
		c.customers = append(c.customers, memrepID(uint64(i)+1<<45))
	}
	const batch = 50_000
	for done := 0; done < n; done += batch {
		err := s.Update(ctx, func(tx crm.Tx) error {
			for i := done; i < min(done+batch, n); i++ {
				cust, due, minor := i%memrepCustomers, memrepDay.AddDays(i%365), int64(1000+i%9000)
				amount := crm.MoneyFromMinor(minor, usd)
				item := memrepID(uint64(i+1) + 1<<40)
				e := crm.Entry{ID: memrepID(uint64(i + 1)), Kind: crm.EntryInvoice, Customer: c.customers[cust], Document: item, Effective: due.AddDays(-30),
					Postings: []crm.Posting{
						{Account: crm.AccountReceivable, Customer: c.customers[cust], Amount: amount, Item: item, Due: due},
						{Account: crm.AccountRevenue, Amount: amount.Neg()},
					}}
				if err := tx.Ledger().Append(ctx, e); err != nil {
					return err
				}
				c.due = append(c.due, int32(due.DaysSince(crm.Date{Year: 1970, Month: 1, Day: 1})))
				c.open = append(c.open, minor)
				c.currency = append(c.currency, 0)
				c.customer = append(c.customer, int32(cust))
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	// Unapplied credit, which the aging report shows beside the buckets:
	// a payment kept as credit by one customer in ten.
	err := s.Update(ctx, func(tx crm.Tx) error {
		for i := 0; i < memrepCustomers; i += memrepCreditEvery {
			item := memrepID(uint64(i+1) + 1<<42)
			amount := crm.MoneyFromMinor(500, usd)
			e := crm.Entry{ID: memrepID(uint64(n + i + 1)), Kind: crm.EntryPayment, Customer: c.customers[i], Document: item, Effective: memrepDay,
				Postings: []crm.Posting{
					{Account: crm.AccountCash, Amount: amount},
					{Account: crm.AccountCredit, Customer: c.customers[i], Amount: amount.Neg(), Item: item},
				}}
			if err := tx.Ledger().Append(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// memrepCreditEvery is how many customers there are for one with
// unapplied credit.
const memrepCreditEvery = 10

// dealColumns are a pipeline's deals as a hand-written columnar store
// keeps them: per deal its owner, status, amount, the group it adds to in
// each report (kept as the deal changes), the forecast day and closing
// time its ranges test; and the stage visits that ended, flat.
type dealColumns struct {
	status      []crm.DealStatus
	amount      []int64
	stageGroup  []int32 // open deals: index into stageKeys, else -1
	fcGroup     []int32 // open and won deals: index into fcKeys, else -1
	fcDay       []int64 // unix seconds of the forecast day
	outGroup    []int32 // closed deals: index into outKeys, else -1
	closing     []int64 // unix microseconds
	cycle       []int64 // microseconds from creation to close
	visitStage  []int32
	visitLeft   []int64 // unix microseconds
	visitMicros []int64
	stageKeys   []crm.StageAmount
	fcKeys      []crm.ForecastAmount
	outKeys     []crm.OutcomeCount
	stages      []string
}

// group returns the index of k in keys, adding it.
func group[K comparable](keys *[]K, k K) int32 {
	if i := slices.Index(*keys, k); i >= 0 {
		return int32(i)
	}
	*keys = append(*keys, k)
	return int32(len(*keys) - 1)
}

func (c *dealColumns) add(d *crm.Deal) {
	minor, _ := d.Amount.Minor()
	c.status = append(c.status, d.Status)
	c.amount = append(c.amount, minor)
	sg, fg, og := int32(-1), int32(-1), int32(-1)
	if d.Status == crm.DealOpen {
		sg = group(&c.stageKeys, crm.StageAmount{Stage: d.Stage, Probability: d.Probability})
	}
	var fday int64
	if day, ok := d.ForecastDate(); ok {
		m := ""
		if !day.IsZero() {
			m = day.In(time.UTC).Format("2006-01")
			fday = day.In(time.UTC).Unix()
		}
		fg = group(&c.fcKeys, crm.ForecastAmount{Month: m, Stage: d.Stage, Probability: d.Probability, Status: d.Status, Category: d.ForecastCategory})
	}
	var closing, cycle int64
	if d.Status != crm.DealOpen {
		og = group(&c.outKeys, crm.OutcomeCount{Status: d.Status, LostReason: d.LostReason})
		closing, cycle = d.ClosingAt().UnixMicro(), d.ClosingAt().Sub(d.CreatedAt).Microseconds()
	}
	c.stageGroup, c.fcGroup, c.outGroup = append(c.stageGroup, sg), append(c.fcGroup, fg), append(c.outGroup, og)
	c.fcDay, c.closing, c.cycle = append(c.fcDay, fday), append(c.closing, closing), append(c.cycle, cycle)
	for _, v := range d.History {
		if !v.Left.IsZero() {
			c.visitStage = append(c.visitStage, group(&c.stages, v.Stage))
			c.visitLeft = append(c.visitLeft, v.Left.UnixMicro())
			c.visitMicros = append(c.visitMicros, v.Left.Sub(v.Entered).Microseconds())
		}
	}
}

func (c *dealColumns) stageAmounts() []crm.StageAmount {
	n, sums := make([]int64, len(c.stageKeys)), make([]int64, len(c.stageKeys))
	for i, g := range c.stageGroup {
		if g >= 0 {
			n[g]++
			sums[g] += c.amount[i]
		}
	}
	out := slices.Clone(c.stageKeys)
	for g := range out {
		out[g].Deals, out[g].AmountMinor = n[g], sums[g]
	}
	slices.SortFunc(out, func(x, y crm.StageAmount) int {
		return cmp.Or(cmp.Compare(x.Stage, y.Stage), cmp.Compare(x.Probability, y.Probability))
	})
	return out
}

func (c *dealColumns) forecast(from, to time.Time) []crm.ForecastAmount {
	n, sums := make([]int64, len(c.fcKeys)), make([]int64, len(c.fcKeys))
	lo, hi := from.Unix(), to.Unix()
	for i, g := range c.fcGroup {
		if g < 0 || (!from.IsZero() && c.fcDay[i] < lo) || (!to.IsZero() && c.fcDay[i] >= hi) {
			continue
		}
		n[g]++
		sums[g] += c.amount[i]
	}
	var out []crm.ForecastAmount
	for g, k := range c.fcKeys {
		if n[g] > 0 {
			k.Deals, k.AmountMinor = n[g], sums[g]
			out = append(out, k)
		}
	}
	slices.SortFunc(out, func(x, y crm.ForecastAmount) int {
		return cmp.Or(cmp.Compare(x.Month, y.Month), cmp.Compare(x.Stage, y.Stage),
			cmp.Compare(x.Probability, y.Probability), cmp.Compare(x.Status, y.Status), cmp.Compare(x.Category, y.Category))
	})
	return out
}

func (c *dealColumns) kpiRows(from, to time.Time) ([]crm.OutcomeCount, []crm.StageTime) {
	n, sums, cycles := make([]int64, len(c.outKeys)), make([]int64, len(c.outKeys)), make([]int64, len(c.outKeys))
	lo, hi := from.UnixMicro(), to.UnixMicro()
	for i, g := range c.outGroup {
		if g < 0 || (!from.IsZero() && c.closing[i] < lo) || (!to.IsZero() && c.closing[i] >= hi) {
			continue
		}
		n[g]++
		sums[g] += c.amount[i]
		cycles[g] += c.cycle[i]
	}
	var outcomes []crm.OutcomeCount
	for g, k := range c.outKeys {
		if n[g] > 0 {
			k.Deals, k.AmountMinor, k.CycleMicros = n[g], sums[g], cycles[g]
			outcomes = append(outcomes, k)
		}
	}
	slices.SortFunc(outcomes, func(x, y crm.OutcomeCount) int {
		return cmp.Or(cmp.Compare(x.Status, y.Status), cmp.Compare(x.LostReason, y.LostReason))
	})
	visits, micros := make([]int64, len(c.stages)), make([]int64, len(c.stages))
	for i, s := range c.visitStage {
		if (!from.IsZero() && c.visitLeft[i] < lo) || (!to.IsZero() && c.visitLeft[i] >= hi) {
			continue
		}
		visits[s]++
		micros[s] += c.visitMicros[i]
	}
	var times []crm.StageTime
	for s, name := range c.stages {
		if visits[s] > 0 {
			times = append(times, crm.StageTime{Stage: name, Visits: visits[s], Micros: micros[s]})
		}
	}
	slices.SortFunc(times, func(x, y crm.StageTime) int { return cmp.Compare(x.Stage, y.Stage) })
	return outcomes, times
}

// loadDealColumns writes n deals, opened, moved and mostly closed by a
// DealFlow over a year, through the port, and returns them as columns.
func loadDealColumns(b *testing.B, tm *storetest.Team, p crm.Pipeline, n int) *dealColumns {
	ctx := context.Background()
	f, err := p.Flow()
	if err != nil {
		b.Fatal(err)
	}
	epoch := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	rng := rand.New(rand.NewPCG(2, 2))
	owners := []crm.User{tm.Ann, tm.Ben, tm.Sue}
	c := &dealColumns{}
	const batch = 5_000
	for done := 0; done < n; done += batch {
		err := tm.Store.Update(ctx, func(tx crm.Tx) error {
			for i := done; i < min(done+batch, n); i++ {
				d, err := storetest.SampleDeal(f, rng, memrepID(uint64(i)+1<<50),
					func() crm.ID { return memrepID(uint64(rng.IntN(memrepCustomers)) + 1<<45) }, owners, epoch)
				if err != nil {
					return err
				}
				if err := tx.Deals().Insert(ctx, d); err != nil {
					return err
				}
				c.add(&d)
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return c
}

// agree fails the benchmark unless the store's rows are the columns'.
func agree[R any](b *testing.B, what string, store func(tx crm.ReadTx) ([]R, error), flat []R, s crm.Store) {
	b.Helper()
	var got []R
	err := s.View(context.Background(), func(tx crm.ReadTx) error {
		var err error
		got, err = store(tx)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	if len(got) == 0 || !reflect.DeepEqual(got, flat) {
		b.Fatalf("%s: the store and the flat columns disagree:\n%v\n%v", what, got, flat)
	}
}

func BenchmarkMemReports(b *testing.B) {
	ctx := context.Background()
	items := memrepItems()
	s := memory.New()
	tm := storetest.NewTeam(b, s)
	aging := loadAging(b, s, items)
	usd, _ := crm.ParseCurrency("USD")
	p, err := tm.Deals.CreatePipeline(ctx, tm.Admin.ID, crm.NewPipeline{Name: "Bench", Currency: usd, AllowSkip: true, AllowBack: true})
	if err != nil {
		b.Fatal(err)
	}
	deals := loadDealColumns(b, tm, p, items/2)
	tm.Clock.Set(time.Date(2027, 6, 2, 9, 0, 0, 0, time.UTC))
	q, _ := crm.AgingQuery{AsOf: memrepDay.AddDays(400)}.Normalized()
	sq := crm.SalesQuery{Pipeline: p.ID}

	agree(b, "aging", func(tx crm.ReadTx) ([]crm.AgingAmount, error) { return tx.Ledger().Aging(ctx, q) }, aging.age(q), s)
	agree(b, "stage amounts", func(tx crm.ReadTx) ([]crm.StageAmount, error) { return tx.Sales().StageAmounts(ctx, sq) }, deals.stageAmounts(), s)
	agree(b, "forecast", func(tx crm.ReadTx) ([]crm.ForecastAmount, error) { return tx.Sales().Forecast(ctx, sq) }, deals.forecast(sq.From, sq.To), s)
	outcomes, times := deals.kpiRows(sq.From, sq.To)
	agree(b, "outcomes", func(tx crm.ReadTx) ([]crm.OutcomeCount, error) { return tx.Sales().Outcomes(ctx, sq) }, outcomes, s)
	agree(b, "stage times", func(tx crm.ReadTx) ([]crm.StageTime, error) { return tx.Sales().StageTimes(ctx, sq) }, times, s)

	run := func(name string, fn func() error) {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				if err := fn(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	view := func(fn func(tx crm.ReadTx) error) func() error {
		return func() error { return s.View(ctx, fn) }
	}
	report, err := tm.Receivables.Aging(ctx, tm.Admin.ID, crm.AgingQuery{AsOf: q.AsOf})
	if err != nil {
		b.Fatal(err)
	}
	credited := 0
	for _, r := range report.Rows {
		if !r.Credit.IsZero() {
			credited++
		}
	}
	if credited != memrepCustomers/memrepCreditEvery {
		b.Fatalf("the aging report shows the credit of %d customers, not %d", credited, memrepCustomers/memrepCreditEvery)
	}
	run("Aging/crmkit", view(func(tx crm.ReadTx) error { _, err := tx.Ledger().Aging(ctx, q); return err }))
	run("Aging/crmkit-report", func() error {
		_, err := tm.Receivables.Aging(ctx, tm.Admin.ID, crm.AgingQuery{AsOf: q.AsOf})
		return err
	})
	run("Aging/flat", func() error { aging.age(q); return nil })

	run("FunnelNow/crmkit", func() error { _, err := tm.Deals.Funnel(ctx, tm.Manager.ID, sq); return err })
	run("FunnelNow/flat", func() error { p.FunnelNow(deals.stageAmounts()); return nil })
	run("Forecast/crmkit", func() error { _, err := tm.Deals.Forecast(ctx, tm.Manager.ID, sq); return err })
	run("Forecast/flat", func() error { p.Forecast(deals.forecast(sq.From, sq.To)); return nil })
	run("KPIs/crmkit", func() error { _, err := tm.Deals.KPIs(ctx, tm.Manager.ID, sq); return err })
	run("KPIs/flat", func() error { p.KPIs(deals.kpiRows(sq.From, sq.To)); return nil })
}
