package crm

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func day(y int, m time.Month, d int) Date { return Date{Year: y, Month: m, Day: d} }

// TestRenewalEnd: a renewal is as long as the term it continues, in whole
// months when the term was whole months (so a year stays a year across a
// leap day), else in days.
func TestRenewalEnd(t *testing.T) {
	for _, tc := range []struct {
		name             string
		start, end, next Date
		want             Date
	}{
		{"a year", day(2026, 4, 1), day(2027, 3, 31), day(2027, 4, 1), day(2028, 3, 31)},
		{"a year over a leap day", day(2027, 3, 1), day(2028, 2, 29), day(2028, 3, 1), day(2029, 2, 28)},
		{"a month from the 31st", day(2026, 1, 31), day(2026, 2, 27), day(2026, 2, 28), day(2026, 3, 27)},
		{"a quarter", day(2026, 1, 1), day(2026, 3, 31), day(2026, 4, 1), day(2026, 6, 30)},
		{"ten days", day(2026, 1, 1), day(2026, 1, 10), day(2026, 1, 11), day(2026, 1, 20)},
		{"one day", day(2026, 1, 1), day(2026, 1, 1), day(2026, 1, 2), day(2026, 1, 2)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, renewalEnd(tc.start, tc.end, tc.next))
		})
	}
}

// TestPlanRest: the invoiced installments stay as they are; what they
// leave of the amount is planned from the start and numbered after them;
// nothing left plans nothing; less than invoiced, or another currency, is
// refused.
func TestPlanRest(t *testing.T) {
	eur := EUR
	inv := ID{1}
	carried := []Installment{{Number: 1, Due: day(2026, 4, 1), Amount: MoneyFromMinor(100_00, eur), Invoice: inv}}
	p, err := planRest(carried, PlanMonthly, MoneyFromMinor(400_00, eur), day(2026, 6, 1), PlanOptions{Months: 3})
	require.NoError(t, err)
	require.Len(t, p.Installments, 4)
	assert.Equal(t, inv, p.Installments[0].Invoice)
	for i, in := range p.Installments[1:] {
		assert.Equal(t, i+2, in.Number)
		assert.Equal(t, "100.00 EUR", in.Amount.String())
		assert.Equal(t, day(2026, 6, 1).AddMonths(i), in.Due)
	}
	p, err = planRest(carried, PlanMonthly, MoneyFromMinor(100_00, eur), day(2026, 6, 1), PlanOptions{Months: 3})
	require.NoError(t, err)
	assert.Len(t, p.Installments, 1, "all of it invoiced: nothing more to plan")
	_, err = planRest(carried, PlanMonthly, MoneyFromMinor(99_99, eur), day(2026, 6, 1), PlanOptions{Months: 3})
	assert.ErrorIs(t, err, ErrInvalid)
	_, err = planRest(carried, PlanMonthly, MoneyFromMinor(400_00, USD), day(2026, 6, 1), PlanOptions{Months: 3})
	assert.ErrorIs(t, err, ErrInvalid)
	_, err = planRest(carried, PlanMonthly, MoneyFromMinor(100_00, eur), day(2026, 6, 1), PlanOptions{})
	assert.ErrorIs(t, err, ErrInvalid, "the options are checked though nothing is planned")
}

// TestOptionsOf: the options recovered from installments plan them again
// alike, from the base they were planned from.
func TestOptionsOf(t *testing.T) {
	eur := EUR
	start := day(2026, 4, 1)
	orig, err := NewPaymentPlan(PlanCustom, MoneyFromMinor(900_00, eur), start, PlanOptions{Shares: []int64{1, 2}, OffsetDays: []int{10, 40}})
	require.NoError(t, err)
	o := optionsOf(orig.Installments, start)
	assert.Equal(t, []int{10, 40}, o.OffsetDays)
	again, err := NewPaymentPlan(PlanCustom, MoneyFromMinor(900_00, eur), start, o)
	require.NoError(t, err)
	assert.True(t, samePlan(orig, again))
	assert.Equal(t, PlanOptions{Months: 1, Shares: []int64{1}, OffsetDays: []int{0}}, optionsOf(nil, start))
}
