package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/crmkit/crm"
)

// BenchSales measures the funnel (now, and as of a day half way through
// the deals' year, from their stage history) and the forecast of a
// pipeline over n deals of 10,000 customers, driven through a DealFlow
// over a year and loaded through the port in batches.
//
//	go test -run '^$' -bench Sales ./store/...
func BenchSales(b *testing.B, newStore func(b *testing.B) crm.Store, n int) {
	ctx := context.Background()
	b.Run(fmt.Sprintf("%d", n), func(b *testing.B) {
		tm := NewTeam(b, newStore(b))
		usd, _ := crm.ParseCurrency("USD")
		p, err := tm.Deals.CreatePipeline(ctx, tm.Admin.ID, crm.NewPipeline{Name: "Bench", Currency: usd, AllowSkip: true, AllowBack: true})
		if err != nil {
			b.Fatal(err)
		}
		loadDeals(b, tm, p, n)
		tm.Clock.Set(epoch.AddDate(1, 3, 0)) // after every move, so that any day of the data may be asked about
		q := crm.SalesQuery{Pipeline: p.ID}
		midYear := crm.DateOf(epoch.AddDate(0, 6, 0))
		for _, bc := range []struct {
			name string
			run  func() error
		}{
			{"FunnelNow", func() error { _, err := tm.Deals.Funnel(ctx, tm.Manager.ID, q); return err }},
			{"FunnelAsOfMidYear", func() error { _, err := tm.Deals.FunnelAsOf(ctx, tm.Manager.ID, q, midYear); return err }},
			{"Forecast", func() error { _, err := tm.Deals.Forecast(ctx, tm.Manager.ID, q); return err }},
			{"CohortQuarter", func() error {
				_, err := tm.Deals.CohortFunnel(ctx, tm.Manager.ID, crm.SalesQuery{Pipeline: p.ID, From: epoch, To: epoch.AddDate(0, 3, 0)})
				return err
			}},
			{"KPIs", func() error { _, err := tm.Deals.KPIs(ctx, tm.Manager.ID, q); return err }},
		} {
			b.Run(bc.name, func(b *testing.B) {
				for range b.N {
					if err := bc.run(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	})
}

// loadDeals writes n deals, each opened, moved and mostly closed by a
// DealFlow, 5,000 per transaction.
func loadDeals(b *testing.B, tm *Team, p crm.Pipeline, n int) {
	b.Helper()
	ctx := context.Background()
	f, err := p.Flow()
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(2, 2))
	g := &ids{n: 1 << 41}
	customers := make([]crm.ID, 10_000)
	err = tm.Store.Update(ctx, func(tx crm.Tx) error {
		for i := range customers {
			c := sampleCustomer(g.next(), tm.Ann.ID)
			customers[i] = c.ID
			if err := tx.Customers().Insert(ctx, c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	owners := []crm.User{tm.Ann, tm.Ben, tm.Sue}
	const batch = 5_000
	for done := 0; done < n; done += batch {
		err := tm.Store.Update(ctx, func(tx crm.Tx) error {
			for range min(batch, n-done) {
				d, err := SampleDeal(f, rng, g.next(), func() crm.ID { return customers[rng.IntN(len(customers))] }, owners, epoch)
				if err != nil {
					return err
				}
				if err := tx.Deals().Insert(ctx, d); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// SampleDeal makes one deal of the sales benchmarks with the flow f: for
// a customer and by one of owners, opened at a random time in the year
// from epoch, moved through some of the open stages, then won, lost or
// left open, as rng decides. bench/ builds the same deals for its
// flat-column baseline.
func SampleDeal(f *crm.DealFlow, rng *rand.Rand, id crm.ID, customer func() crm.ID, owners []crm.User, epoch time.Time) (crm.Deal, error) {
	open := f.Pipeline().OpenStages()
	created := epoch.Add(time.Duration(rng.Int64N(int64(365 * 24 * time.Hour)))).Truncate(time.Microsecond)
	amount := crm.MoneyFromMinor(100_000+rng.Int64N(10_000_000), f.Pipeline().Currency)
	d, err := f.Open(id, crm.NewDeal{Customer: customer(), Title: "Bench deal",
		Amount: amount, CloseDate: crm.DateOf(created.Add(time.Duration(30+rng.IntN(90)) * 24 * time.Hour))},
		owners[rng.IntN(len(owners))], created)
	if err != nil {
		return d, err
	}
	at := created
	for range rng.IntN(len(open)) {
		at = at.Add(time.Duration(1+rng.IntN(20)) * 24 * time.Hour)
		if err := f.Move(&d, open[rng.IntN(len(open))].Key, at); err != nil {
			return d, err
		}
	}
	at = at.Add(time.Duration(1+rng.IntN(20)) * 24 * time.Hour)
	switch rng.IntN(3) {
	case 0:
		err = f.Win(&d, d.Amount, at)
	case 1:
		err = f.Lose(&d, crm.LostReasons()[rng.IntN(len(crm.LostReasons()))], "", at)
	}
	return d, err
}
