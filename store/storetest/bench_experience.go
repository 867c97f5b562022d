package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/crmkit/crm"
)

// BenchExperience measures recording an interaction through the CRM (with
// its ladder evidence and events), and the experience analytics over n
// interactions of 10,000 customers at 20 touchpoints over a year, loaded
// through the port in batches.
//
//	go test -run '^$' -bench Experience ./store/...
func BenchExperience(b *testing.B, newStore func(b *testing.B) crm.Store, n int) {
	ctx := context.Background()
	b.Run("RecordInteraction", func(b *testing.B) {
		tm := NewTeam(b, newStore(b))
		m, err := tm.Experience.CreateTouchpointMap(ctx, tm.Admin.ID, benchMap())
		if err != nil {
			b.Fatal(err)
		}
		cu, err := tm.Customers.Create(ctx, tm.Ann.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: "Bench"})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			// A second apart: a customer's contacts happen one after
			// another. (Contacts of one instant that arrive out of the
			// ladder's order replay the customer: BenchmarkLateEvidence.)
			tm.Clock.Advance(time.Second)
			_, err := tm.Experience.RecordInteraction(ctx, tm.Ann.ID, crm.NewInteraction{Customer: cu.ID, Map: m.ID,
				Touchpoint: fmt.Sprintf("tp%02d", i%20), At: tm.Clock.Now(), Direction: crm.Inbound, Sentiment: crm.Sentiment(i%5 - 2)})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run(fmt.Sprintf("Analytics/%d", n), func(b *testing.B) {
		tm := NewTeam(b, newStore(b))
		m, err := tm.Experience.CreateTouchpointMap(ctx, tm.Admin.ID, benchMap())
		if err != nil {
			b.Fatal(err)
		}
		loadInteractions(b, tm, m, n)
		for _, q := range []struct {
			name string
			q    crm.ExperienceQuery
		}{
			{"ByTouchpoint", crm.ExperienceQuery{GroupBy: crm.ByTouchpoint}},
			{"ByPhaseAndMonth", crm.ExperienceQuery{GroupBy: crm.ByPhase, Period: crm.PeriodMonth}},
			{"ByChannelOneQuarter", crm.ExperienceQuery{GroupBy: crm.ByChannel, From: epoch, To: epoch.AddDate(0, 3, 0)}},
		} {
			b.Run(q.name, func(b *testing.B) {
				for range b.N {
					if _, err := tm.Experience.Stats(ctx, tm.Manager.ID, q.q); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
		b.Run("PainPoints", func(b *testing.B) {
			for range b.N {
				if _, err := tm.Experience.PainPoints(ctx, tm.Manager.ID, crm.PainQuery{Map: m.ID}); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}

func benchMap() crm.NewTouchpointMap {
	m := crm.NewTouchpointMap{Name: "Bench"}
	phases := crm.Phases()
	channels := []crm.Channel{crm.ChannelWeb, crm.ChannelContactCenter, crm.ChannelBranch, crm.ChannelMobileApp}
	for i := range 20 {
		m.Touchpoints = append(m.Touchpoints, crm.Touchpoint{Key: fmt.Sprintf("tp%02d", i), Name: fmt.Sprint("Touchpoint ", i),
			Channel: channels[i%len(channels)], Phase: phases[i%len(phases)], Department: fmt.Sprint("dept ", i%5),
			Standards: crm.ServiceStandards{AnswerWithin: time.Minute, MinCSAT: 3}})
	}
	return m
}

// loadInteractions writes n generated interactions of 10,000 customers
// through the port, 5,000 per transaction.
func loadInteractions(b *testing.B, tm *Team, m crm.TouchpointMap, n int) {
	b.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 1))
	tps, err := m.Resolve()
	if err != nil {
		b.Fatal(err)
	}
	const customers, batch = 10_000, 5_000
	g := &ids{n: 1 << 40}
	custIDs := make([]crm.ID, customers)
	err = tm.Store.Update(ctx, func(tx crm.Tx) error {
		for i := range custIDs {
			c := sampleCustomer(g.next(), tm.Ann.ID)
			custIDs[i] = c.ID
			if err := tx.Customers().Insert(ctx, c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	for done := 0; done < n; done += batch {
		err := tm.Store.Update(ctx, func(tx crm.Tx) error {
			for range min(batch, n-done) {
				tp := tps[rng.IntN(len(tps))]
				in := crm.Interaction{ID: g.next(), Customer: custIDs[rng.IntN(customers)], Map: m.ID, Touchpoint: tp.Key,
					At:        epoch.Add(time.Duration(rng.Int64N(int64(365 * 24 * time.Hour)))).Truncate(time.Microsecond),
					Direction: crm.Inbound, Department: tp.Department, Channel: tp.Channel, Medium: tp.Medium, Phase: tp.Phase,
					Wait: time.Duration(rng.IntN(120)) * time.Second, Handle: time.Duration(rng.IntN(900)) * time.Second,
					Resolved: rng.IntN(3) > 0, Sentiment: crm.Sentiment(rng.IntN(5) - 2), RecordedAt: epoch, RecordedBy: tm.Ann.ID}
				if rng.IntN(4) == 0 {
					nps := rng.IntN(11)
					in.Survey.NPS = &nps
				}
				if rng.IntN(3) == 0 {
					csat := 1 + rng.IntN(5)
					in.Survey.CSAT = &csat
					in.CSATBreached = csat < 3
				}
				in.AnswerBreached = in.Wait > time.Minute
				if err := tx.Interactions().Insert(ctx, in); err != nil {
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
