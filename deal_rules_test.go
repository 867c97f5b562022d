package crm_test

import (
	"errors"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dealStep is one step of a deal rule's case.
type dealStep func(f *crm.DealFlow, d *crm.Deal) error

func setProb(p *int) dealStep {
	return func(f *crm.DealFlow, d *crm.Deal) error { return f.SetProbability(d, p) }
}
func moveTo(stage string, days int) dealStep {
	return func(f *crm.DealFlow, d *crm.Deal) error { return f.Move(d, stage, start.Add(time.Duration(days)*day)) }
}
func lose(days int) dealStep {
	return func(f *crm.DealFlow, d *crm.Deal) error {
		return f.Lose(d, crm.LostBudget, "", start.Add(time.Duration(days)*day))
	}
}
func win(days int) dealStep {
	return func(f *crm.DealFlow, d *crm.Deal) error {
		return f.Win(d, d.Amount, start.Add(time.Duration(days)*day))
	}
}
func reopen(days int) dealStep {
	return func(f *crm.DealFlow, d *crm.Deal) error { return f.Reopen(d, start.Add(time.Duration(days)*day)) }
}

// TestDealProbabilityRules: a stage change resets a hand-set probability,
// reopening resets it and the close date, and a closed deal refuses a
// probability with a *TransitionError and stays as it was.
func TestDealProbabilityRules(t *testing.T) {
	ready := crm.NewDeal{Amount: money(t, "25000.00", "USD"), CloseDate: date(t, "2026-05-31")}
	for _, tc := range []struct {
		name    string
		prep    []dealStep // each must succeed
		last    dealStep   // the step the case is about
		refused bool       // last fails with a *crm.TransitionError and changes nothing
		prob    int
		manual  bool
		stage   string
		closeOn string
	}{
		{"a hand-set probability holds in its stage", nil, setProb(ptr(35)), false, 35, true, "prospecting", "2026-05-31"},
		{"moving on resets it to the stage's", []dealStep{setProb(ptr(35))}, moveTo("qualification", 1), false, 20, false, "qualification", "2026-05-31"},
		{"moving back resets it too", []dealStep{moveTo("qualification", 1), moveTo("proposal", 2), setProb(ptr(90))},
			moveTo("qualification", 3), false, 20, false, "qualification", "2026-05-31"},
		{"a move to the same stage keeps it", []dealStep{setProb(ptr(35))}, moveTo("prospecting", 1), false, 35, true, "prospecting", "2026-05-31"},
		{"a lost deal refuses a probability", []dealStep{lose(1)}, setProb(ptr(90)), true, 0, false, "lost", "2026-05-31"},
		{"and clearing one", []dealStep{lose(1)}, setProb(nil), true, 0, false, "lost", "2026-05-31"},
		{"a won deal refuses one too", []dealStep{win(1)}, setProb(ptr(50)), true, 100, false, "won", "2026-03-03"},
		{"a probability out of range is invalid", nil, setProb(ptr(101)), false, 10, false, "prospecting", "2026-05-31"},
		{"reopening resets the probability and the close date", []dealStep{moveTo("qualification", 1), setProb(ptr(90)), lose(2)},
			reopen(92), false, 20, false, "qualification", ""},
		{"after a win too", []dealStep{setProb(ptr(90)), win(2)}, reopen(3), false, 10, false, "prospecting", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := flow(t, false, true)
			d := openDeal(t, f, ready)
			for _, s := range tc.prep {
				require.NoError(t, s(f, &d))
			}
			before := d.Clone()
			err := tc.last(f, &d)
			switch {
			case tc.refused:
				var te *crm.TransitionError
				require.True(t, errors.As(err, &te), "want a *TransitionError, got %v", err)
				assert.Equal(t, before, d, "a refused change changes nothing")
			case tc.name == "a probability out of range is invalid":
				require.ErrorIs(t, err, crm.ErrInvalid)
				assert.Equal(t, before, d)
			default:
				require.NoError(t, err)
			}
			assert.Equal(t, tc.prob, d.Probability)
			assert.Equal(t, tc.manual, d.ManualProbability != nil)
			assert.Equal(t, tc.stage, d.Stage)
			assert.Equal(t, tc.closeOn, d.CloseDate.String())
		})
	}
}
