package bench

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/memory"
	"github.com/crmkit/crm/store/storetest"
)

// memwCustomers is how many customers the interactions go to, round
// robin, a minute apart: each customer's contacts are about 17 hours
// apart, so the ladder's repeat window (7 days) holds about ten of them,
// whatever the run's length.
const memwCustomers = 1000

// memwMap is the touchpoint map both contenders record at: 20
// touchpoints, as storetest's experience benchmark has.
func memwMap() crm.NewTouchpointMap {
	m := crm.NewTouchpointMap{Name: "Bench"}
	phases := crm.Phases()
	for i := range 20 {
		m.Touchpoints = append(m.Touchpoints, crm.Touchpoint{Key: fmt.Sprintf("tp%02d", i), Name: fmt.Sprint("Touchpoint ", i),
			Channel: crm.ChannelContactCenter, Phase: phases[i%len(phases)], Department: fmt.Sprint("dept ", i%5),
			Standards: crm.ServiceStandards{AnswerWithin: time.Minute, MinCSAT: 3}})
	}
	return m
}

// memwContact is the i-th contact of the run: customer i mod 1000, each
// customer going round the touchpoints and the sentiments.
func memwContact(i int, customers []crm.ID, mapID crm.ID, at time.Time) crm.NewInteraction {
	k := i / len(customers)
	return crm.NewInteraction{Customer: customers[i%len(customers)], Map: mapID, Touchpoint: fmt.Sprintf("tp%02d", (i+k)%20),
		At: at, Direction: crm.Inbound, Sentiment: crm.Sentiment(k%5 - 2)}
}

// BenchmarkMemoryWrite compares a CRM write on the memory store
// (crmkit) with the same write on a bare map-and-mutex store (bare, see
// bareStore): creating a customer, changing one customer's segment over
// and over, and recording an interaction of one of 1,000 customers with
// its ladder evidence.
//
//	cd bench && go test -run '^$' -bench MemoryWrite -benchmem
func BenchmarkMemoryWrite(b *testing.B) {
	ctx := context.Background()
	b.Run("CreateCustomer", func(b *testing.B) {
		b.Run("crmkit", func(b *testing.B) {
			tm := storetest.NewTeam(b, memory.New())
			b.ReportAllocs()
			b.ResetTimer()
			defer reportCPU(b)()
			for i := range b.N {
				if _, err := tm.Customers.Create(ctx, tm.Ann.ID, crm.NewCustomer{Kind: crm.Partner, Name: fmt.Sprint("Bench ", i)}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("bare", func(b *testing.B) {
			s, ann := bareTeam(b)
			b.ReportAllocs()
			b.ResetTimer()
			defer reportCPU(b)()
			for i := range b.N {
				if _, err := s.createCustomer(ann.ID, crm.NewCustomer{Kind: crm.Partner, Name: fmt.Sprint("Bench ", i)}); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
	b.Run("UpdateCustomer", func(b *testing.B) {
		b.Run("crmkit", func(b *testing.B) {
			tm := storetest.NewTeam(b, memory.New())
			cu, err := tm.Customers.Create(ctx, tm.Ann.ID, crm.NewCustomer{Kind: crm.Partner, Name: "Bench"})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			defer reportCPU(b)()
			for i := range b.N {
				seg := fmt.Sprint("segment ", i)
				if _, err := tm.Customers.Update(ctx, tm.Ann.ID, crm.CustomerPatch{Customer: cu.ID, Segment: &seg}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("bare", func(b *testing.B) {
			s, ann := bareTeam(b)
			cu, err := s.createCustomer(ann.ID, crm.NewCustomer{Kind: crm.Partner, Name: "Bench"})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			defer reportCPU(b)()
			for i := range b.N {
				if _, err := s.setSegment(ann.ID, cu.ID, fmt.Sprint("segment ", i)); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
	b.Run("RecordInteraction", func(b *testing.B) {
		b.Run("crmkit", func(b *testing.B) {
			tm := storetest.NewTeam(b, memory.New())
			m, err := tm.Experience.CreateTouchpointMap(ctx, tm.Admin.ID, memwMap())
			if err != nil {
				b.Fatal(err)
			}
			customers := make([]crm.ID, memwCustomers)
			for i := range customers {
				cu, err := tm.Customers.Create(ctx, tm.Ann.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: fmt.Sprint("Bench ", i)})
				if err != nil {
					b.Fatal(err)
				}
				customers[i] = cu.ID
			}
			b.ReportAllocs()
			b.ResetTimer()
			defer reportCPU(b)()
			for i := range b.N {
				tm.Clock.Advance(time.Minute)
				if _, err := tm.Experience.RecordInteraction(ctx, tm.Ann.ID, memwContact(i, customers, m.ID, tm.Clock.Now())); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("bare", func(b *testing.B) {
			s, ann := bareTeam(b)
			customers := make([]crm.ID, memwCustomers)
			for i := range customers {
				cu, err := s.createCustomer(ann.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: fmt.Sprint("Bench ", i)})
				if err != nil {
					b.Fatal(err)
				}
				customers[i] = cu.ID
			}
			clock := s.now()
			s.now = func() time.Time { return clock }
			b.ReportAllocs()
			b.ResetTimer()
			defer reportCPU(b)()
			for i := range b.N {
				clock = clock.Add(time.Minute)
				if _, _, err := s.recordInteraction(ann.ID, memwContact(i, customers, s.mapID, clock)); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}

// bareTeam returns a bare store with a rep, at storetest's epoch, with
// the touchpoint map.
func bareTeam(b *testing.B) (*bareStore, crm.User) {
	ann := crm.User{ID: crm.ID{1}, Name: "Ann Rep", Role: crm.RoleRep, Team: "north", Active: true, Version: 1}
	m := crm.TouchpointMap{ID: crm.ID{2}, Name: "Bench", Touchpoints: memwMap().Touchpoints, Version: 1}
	at := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	s, err := newBareStore(func() time.Time { return at }, m, ann)
	if err != nil {
		b.Fatal(err)
	}
	return s, ann
}

// reportCPU starts measuring the process's CPU time; the function it
// returns reports it per operation as cpu-ns/op.
func reportCPU(b *testing.B) func() {
	start := cpuTime()
	return func() { b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op") }
}
