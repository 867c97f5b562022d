package crm_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/memory"
)

// BenchmarkLadderFade measures LadderRules.Fade: an advocate after two
// silent years (three slides, each dated on its day), and a state that
// fading does not move yet (the search for when it will).
func BenchmarkLadderFade(b *testing.B) {
	r := crm.DefaultLadderRules()
	adv := crm.LadderState{Stage: crm.Advocate, Score: 70_000, Since: start, UpdatedAt: start, Purchases: 2, LastPromoter: start}
	for _, bc := range []struct {
		name  string
		to    time.Time
		moves int
	}{
		{"ThreeSlides", start.Add(2 * 365 * day), 3},
		{"NoMoveYet", start.Add(10 * day), 0},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				if _, moves := r.Fade(adv, bc.to); len(moves) != bc.moves {
					b.Fatal(len(moves))
				}
			}
		})
	}
}

// BenchmarkLateEvidence measures a contact that arrives late (dated among
// the customer's earlier contacts) through the CRM on the memory store,
// for a customer with 10, 100 and 1,000 contacts already weighed: the customer is replayed from the start
// in the order things happened, so the cost follows the customer's own
// history (and nothing else in the store).
func BenchmarkLateEvidence(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("history=%d", n), func(b *testing.B) {
			co := newCompanyOn(b, memory.New())
			m, err := co.Experience.CreateTouchpointMap(ctx, co.Admin.ID, retailBank())
			if err != nil {
				b.Fatal(err)
			}
			cu, err := co.Customers.Create(ctx, co.Ann.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: "Jane"})
			if err != nil {
				b.Fatal(err)
			}
			contact := func(at time.Time, s crm.Sentiment) crm.NewInteraction {
				return crm.NewInteraction{Customer: cu.ID, Map: m.ID, Touchpoint: "branch", At: at, Direction: crm.Inbound,
					Sentiment: s, Resolved: true}
			}
			first := co.Clock.Now()
			for i := range n {
				co.Clock.Advance(2 * time.Hour)
				if _, err := co.Experience.RecordInteraction(ctx, co.Ann.ID, contact(co.Clock.Now(), crm.Sentiment(i%3-1))); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				late := contact(first.Add(time.Duration(i%n)*2*time.Hour+time.Hour), crm.Neutral)
				if _, err := co.Experience.RecordInteraction(ctx, co.Ann.ID, late); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
