package crm

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCostLineReversals is the table of the cost lines a campaign keeps:
// only a reversing line is negative; it reverses an earlier line that is
// a cost, once, negating it exactly, for a reason; and the costs never
// add up to less than zero.
func TestCostLineReversals(t *testing.T) {
	usd := func(minor int64) Money { return MoneyFromMinor(minor, USD) }
	cost := func(minor int64) CostLine { return CostLine{Description: "booth", Amount: usd(minor)} }
	rev := func(line int, minor int64) CostLine {
		return CostLine{Description: "booth", Amount: usd(minor), Reverses: line, Reason: "typo"}
	}
	for _, tc := range []struct {
		name  string
		lines []CostLine
		field string // the field refused, "" when accepted
		rule  string
		twice bool // refused as a line reversed twice
	}{
		{name: "costs", lines: []CostLine{cost(100), cost(0)}},
		{name: "a reversal", lines: []CostLine{cost(100), rev(1, -100), cost(10)}},
		{name: "reversing a zero line", lines: []CostLine{cost(0), rev(1, 0)}},
		{name: "two lines each reversed once", lines: []CostLine{cost(100), cost(200), rev(2, -200), rev(1, -100)}},
		{name: "a negative cost", lines: []CostLine{cost(-100)}, field: "costs[0].amount", rule: "non_negative"},
		{name: "a reason on a cost", lines: []CostLine{{Description: "x", Amount: usd(1), Reason: "why"}}, field: "costs[0].reason", rule: "reversal_only"},
		{name: "reversing itself", lines: []CostLine{cost(100), rev(2, -100)}, field: "costs[1].reverses", rule: "earlier_line"},
		{name: "reversing a later line", lines: []CostLine{rev(2, -100), cost(100)}, field: "costs[0].reverses", rule: "earlier_line"},
		{name: "reversing line -1", lines: []CostLine{cost(100), rev(-1, -100)}, field: "costs[1].reverses", rule: "earlier_line"},
		{name: "reversing a reversal", lines: []CostLine{cost(100), rev(1, -100), rev(2, 100)}, field: "costs[2].reverses", rule: "not_a_reversal"},
		{name: "reversing twice", lines: []CostLine{cost(100), rev(1, -100), rev(1, -100)}, twice: true},
		{name: "not the negation", lines: []CostLine{cost(100), rev(1, -90)}, field: "costs[1].amount", rule: "negates"},
		{name: "the same sign", lines: []CostLine{cost(100), rev(1, 100)}, field: "costs[1].amount", rule: "negates"},
		{name: "no reason", lines: []CostLine{cost(100), {Description: "booth", Amount: usd(-100), Reverses: 1}}, field: "costs[1].reason", rule: "required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cp := Campaign{ID: ID{7}, Name: "Show", Currency: USD, Costs: tc.lines}
			got, err := cp.normalized()
			var ve *ValidationError
			var twice *CostReversedError
			switch {
			case tc.twice:
				require.ErrorAs(t, err, &twice)
				assert.Equal(t, CostReversedError{Campaign: ID{7}, Line: 1, Reversal: 2}, *twice)
				assert.True(t, errors.Is(err, ErrReversed) && errors.Is(err, ErrConflict))
			case tc.field != "":
				require.ErrorAs(t, err, &ve)
				assert.Equal(t, tc.field, ve.Field)
				assert.Equal(t, tc.rule, ve.Rule)
			default:
				require.NoError(t, err)
				assert.False(t, got.Cost().IsNegative())
			}
		})
	}
}

// TestCostLineReversal is the line CorrectCost appends: the named line
// negated, on its date, under its description, with the reason; lines
// count from 1.
func TestCostLineReversal(t *testing.T) {
	booth := CostLine{Description: "booth", Amount: MoneyFromMinor(1_200_000, USD), Date: Date{Year: 2026, Month: 3, Day: 2}}
	cp := Campaign{Currency: USD, Costs: []CostLine{{Description: "bare zero"}, booth}}
	got, err := cp.reversal(2, "typo")
	require.NoError(t, err)
	assert.Equal(t, CostLine{Description: "booth", Amount: MoneyFromMinor(-1_200_000, USD), Date: booth.Date, Reverses: 2, Reason: "typo"}, got)
	got, err = cp.reversal(1, "typo")
	require.NoError(t, err)
	assert.True(t, got.Amount.Equal(Zero(USD)), "a bare zero reverses to zero in the campaign's currency: %s", got.Amount)
	for _, n := range []int{0, 3, -1} {
		_, err := cp.reversal(n, "typo")
		assert.ErrorIs(t, err, ErrInvalid, "line %d", n)
	}
}
