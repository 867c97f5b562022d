package bench

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/looplab/fsm"
	"github.com/qmuntal/stateless"
)

// The moves every contender makes, over and over: a deal in
// qualification goes to proposal, to negotiation, then back to
// qualification (the pipeline allows going back), and round again.
var cycle = []string{"proposal", "negotiation", "qualification"}

func pipeline(b *testing.B) *crm.DealFlow {
	usd, _ := crm.ParseCurrency("USD")
	f, err := crm.Pipeline{Name: "New business", Currency: usd, Stages: crm.DefaultStages(), AllowBack: true}.Flow()
	if err != nil {
		b.Fatal(err)
	}
	return f
}

func deal(b *testing.B, f *crm.DealFlow) crm.Deal {
	usd, _ := crm.ParseCurrency("USD")
	amount, _ := crm.ParseMoney("25000.00", "USD")
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	owner := crm.User{ID: crm.ID{1}, Team: "north"}
	d, err := f.Open(crm.ID{2}, crm.NewDeal{Customer: crm.ID{3}, Title: "Fleet renewal", Amount: amount,
		CloseDate: crm.DateOf(now.AddDate(0, 2, 0))}, owner, now)
	if err != nil || d.Amount.Currency() != usd {
		b.Fatal(err)
	}
	if err := f.Move(&d, "qualification", now); err != nil {
		b.Fatal(err)
	}
	return d
}

// BenchmarkStageMove/crmkit: a full deal move: the deal machine, the
// pipeline's stage machine, the exit requirements of the stage left, the
// probability, and the stage history (kept to 1024 visits, so the
// benchmark measures moves, not an ever-growing slice).
func BenchmarkStageMove(b *testing.B) {
	at := time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC)
	b.Run("crmkit", func(b *testing.B) {
		f := pipeline(b)
		d := deal(b, f)
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			if err := f.Move(&d, cycle[i%len(cycle)], at); err != nil {
				b.Fatal(err)
			}
			if len(d.History) == 1024 {
				d.History = d.History[:0]
			}
		}
	})
	b.Run("crmkit-machine-only", func(b *testing.B) {
		f := pipeline(b)
		m, err := f.Pipeline().StageMachine()
		if err != nil {
			b.Fatal(err)
		}
		state := "qualification"
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			if state, err = m.Next(state, cycle[i%len(cycle)]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("hand-written-switch", func(b *testing.B) {
		d := handDeal{stage: "qualification", amount: 2500000, probability: 20}
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			if err := d.move(cycle[i%len(cycle)], at); err != nil {
				b.Fatal(err)
			}
			if len(d.history) == 1024 {
				d.history = d.history[:0]
			}
		}
	})
	b.Run("looplab-fsm", func(b *testing.B) {
		events := fsm.Events{
			{Name: "qualification", Src: []string{"prospecting", "negotiation", "proposal"}, Dst: "qualification"},
			{Name: "proposal", Src: []string{"qualification", "negotiation"}, Dst: "proposal"},
			{Name: "negotiation", Src: []string{"proposal"}, Dst: "negotiation"},
		}
		m := fsm.NewFSM("qualification", events, fsm.Callbacks{})
		ctx := context.Background()
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			if err := m.Event(ctx, cycle[i%len(cycle)]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("qmuntal-stateless", func(b *testing.B) {
		m := stateless.NewStateMachine("qualification")
		m.Configure("prospecting").Permit("qualification", "qualification")
		m.Configure("qualification").Permit("proposal", "proposal")
		m.Configure("proposal").Permit("negotiation", "negotiation").Permit("qualification", "qualification")
		m.Configure("negotiation").Permit("qualification", "qualification").Permit("proposal", "proposal")
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			if err := m.Fire(cycle[i%len(cycle)]); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestSameMoves checks that the cycle is a loop crmkit's pipeline
// accepts, and that it refuses a skip, so the benchmark moves are real.
func TestSameMoves(t *testing.T) {
	usd, _ := crm.ParseCurrency("USD")
	f, err := crm.Pipeline{Name: "New business", Currency: usd, Stages: crm.DefaultStages(), AllowBack: true}.Flow()
	if err != nil {
		t.Fatal(err)
	}
	m, _ := f.Pipeline().StageMachine()
	state := "qualification"
	for _, to := range cycle {
		if state, err = m.Next(state, to); err != nil {
			t.Fatal(err)
		}
	}
	if state != "qualification" {
		t.Fatalf("crmkit ends in %s", state)
	}
	if _, err := m.Next("prospecting", "negotiation"); err == nil {
		t.Fatal("a skip must be refused: the pipeline does not allow it")
	}
}

// handDeal is a deal moved by a hand-written switch: the moves of the
// default pipeline with going back allowed and no skipping, the exit
// requirements, the probability and the stage history, as crmkit's move
// keeps them.
type handDeal struct {
	stage       string
	amount      int64 // in cents
	probability int
	history     []crm.StageVisit
}

var errHandMove = errors.New("the pipeline does not allow that move")

func (d *handDeal) move(to string, at time.Time) error {
	if to == d.stage {
		return nil
	}
	switch d.stage + ">" + to {
	case "prospecting>qualification", "qualification>proposal", "proposal>negotiation":
		if d.amount <= 0 {
			return errHandMove // the stage left requires an amount
		}
	case "proposal>qualification", "negotiation>qualification", "negotiation>proposal", "qualification>prospecting",
		"proposal>prospecting", "negotiation>prospecting":
	default:
		return errHandMove
	}
	switch to {
	case "prospecting":
		d.probability = 10
	case "qualification":
		d.probability = 20
	case "proposal":
		d.probability = 50
	case "negotiation":
		d.probability = 80
	}
	if n := len(d.history); n > 0 {
		d.history[n-1].Left = at
	}
	d.history = append(d.history, crm.StageVisit{Stage: to, Entered: at})
	d.stage = to
	return nil
}
