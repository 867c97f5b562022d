package crm_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/memory"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDefaultDunningRules(t *testing.T) {
	r := crm.DefaultDunningRules()
	require.NoError(t, r.Check())
	require.Len(t, r.Levels, 3)
	assert.Equal(t, []int{7, 21, 45}, []int{r.Levels[0].AfterDays, r.Levels[1].AfterDays, r.Levels[2].AfterDays})
	_, ok := r.Levels[0].Fee(crm.EUR)
	assert.False(t, ok, "the reminder is free")
	fee, ok := r.Levels[1].Fee(crm.EUR)
	require.True(t, ok)
	assert.True(t, fee.Equal(crm.MoneyFromMinor(500, crm.EUR)))
	_, ok = r.Levels[1].Fee(crm.JPY)
	assert.False(t, ok, "no fee in a currency the level does not name")
	assert.True(t, r.Levels[2].InterestRate.Equal(decimal.RequireFromString("0.08")))
}

// TestDunningRulesCheck is the table of rules that cannot work.
func TestDunningRulesCheck(t *testing.T) {
	level := func(name string, days int) crm.DunningLevel { return crm.DunningLevel{Name: name, AfterDays: days} }
	good := func() crm.DunningRules {
		return crm.DunningRules{Levels: []crm.DunningLevel{level("reminder", 7), level("notice", 21)}, MinGapDays: 7, FeeDueDays: 14}
	}
	for _, tc := range []struct {
		name  string
		edit  func(r *crm.DunningRules)
		field string
		rule  string
	}{
		{"no levels", func(r *crm.DunningRules) { r.Levels = nil }, "levels", "range"},
		{"ten levels", func(r *crm.DunningRules) {
			r.Levels = nil
			for i := range 10 {
				r.Levels = append(r.Levels, level(fmt.Sprintf("l%d", i), i+1))
			}
		}, "levels", "range"},
		{"no name", func(r *crm.DunningRules) { r.Levels[0].Name = "" }, "levels[0].name", "required"},
		{"a name with a space", func(r *crm.DunningRules) { r.Levels[0].Name = "first notice" }, "levels[0].name", "identifier"},
		{"an upper-case name", func(r *crm.DunningRules) { r.Levels[0].Name = "Reminder" }, "levels[0].name", "identifier"},
		{"a name starting with a digit", func(r *crm.DunningRules) { r.Levels[0].Name = "1st" }, "levels[0].name", "identifier"},
		{"a name too long", func(r *crm.DunningRules) { r.Levels[0].Name = strings.Repeat("a", 41) }, "levels[0].name", "max_length"},
		{"a state's name", func(r *crm.DunningRules) { r.Levels[1].Name = "settled" }, "levels[1].name", "reserved"},
		{"a paused state's name", func(r *crm.DunningRules) { r.Levels[1].Name = "reminder_paused" }, "levels[1].name", "reserved"},
		{"two levels of a name", func(r *crm.DunningRules) { r.Levels[1].Name = "reminder" }, "levels[1].name", "unique"},
		{"due on the due date", func(r *crm.DunningRules) { r.Levels[0].AfterDays = 0 }, "levels[0].after_days", "range"},
		{"days not ascending", func(r *crm.DunningRules) { r.Levels[1].AfterDays = 7 }, "levels[1].after_days", "ascending"},
		{"a negative rate", func(r *crm.DunningRules) { r.Levels[1].InterestRate = decimal.RequireFromString("-0.01") }, "levels[1].interest_rate", "range"},
		{"a rate above 100%", func(r *crm.DunningRules) { r.Levels[1].InterestRate = decimal.RequireFromString("1.01") }, "levels[1].interest_rate", "range"},
		{"a fee of nothing", func(r *crm.DunningRules) { r.Levels[1].Fees = []crm.Money{crm.Zero(crm.EUR)} }, "levels[1].fees[0]", "positive"},
		{"a fee without a currency", func(r *crm.DunningRules) { r.Levels[1].Fees = []crm.Money{{}} }, "levels[1].fees[0]", "positive"},
		{"two fees in a currency", func(r *crm.DunningRules) {
			r.Levels[1].Fees = []crm.Money{crm.MoneyFromMinor(500, crm.EUR), crm.MoneyFromMinor(700, crm.EUR)}
		}, "levels[1].fees[1]", "one_per_currency"},
		{"no gap", func(r *crm.DunningRules) { r.MinGapDays = 0 }, "min_gap_days", "range"},
		{"fees due before they are charged", func(r *crm.DunningRules) { r.FeeDueDays = -1 }, "fee_due_days", "range"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := good()
			tc.edit(&r)
			err := r.Check()
			var ve *crm.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.ErrorIs(t, err, crm.ErrInvalid)
			assert.Equal(t, tc.field, ve.Field)
			assert.Equal(t, tc.rule, ve.Rule)
			_, err = crm.New(memory.New(), crm.WithDunningRules(r))
			assert.ErrorIs(t, err, crm.ErrInvalid, "New refuses the rules")
		})
	}
	t.Run("a fee in fractions of a cent", func(t *testing.T) {
		r := good()
		fee, err := crm.ParseMoney("1.00", "EUR")
		require.NoError(t, err)
		r.Levels[1].Fees = []crm.Money{fee.Mul(decimal.RequireFromString("1.005"))}
		assert.ErrorIs(t, r.Check(), crm.ErrPrecision, "fees are whole minor units")
	})
	require.NoError(t, good().Check())
}

func TestDunningMachine(t *testing.T) {
	m, err := crm.DefaultDunningRules().Machine()
	require.NoError(t, err)
	assert.Equal(t, crm.DunningNone, m.Initial())
	checkMoves(t, m, []move[crm.DunningState, crm.DunningEvent]{
		{crm.DunningNone, crm.DunningEscalate, "reminder"},
		{"reminder", crm.DunningEscalate, "first_notice"},
		{"first_notice", crm.DunningEscalate, "final_notice"},
		{"final_notice", crm.DunningEscalate, ""},
		{"reminder", crm.DunningPause, "reminder_paused"},
		{crm.DunningNone, crm.DunningPause, "none_paused"},
		{"reminder_paused", crm.DunningEscalate, ""},
		{"reminder_paused", crm.DunningPause, ""},
		{"reminder_paused", crm.DunningResume, "reminder"},
		{"reminder", crm.DunningResume, ""},
		{"first_notice", crm.DunningSettle, crm.DunningSettled},
		{"final_notice_paused", crm.DunningSettle, crm.DunningSettled},
		{crm.DunningSettled, crm.DunningEscalate, ""},
		{crm.DunningSettled, crm.DunningPause, ""},
		{crm.DunningSettled, crm.DunningReopen, crm.DunningNone},
		{crm.DunningNone, crm.DunningMarkExempt, crm.DunningExempt},
		{crm.DunningExempt, crm.DunningEscalate, ""},
		{crm.DunningExempt, crm.DunningPause, ""},
		{crm.DunningExempt, crm.DunningSettle, ""},
	}, func(t *testing.T, to crm.DunningState) {
		assert.Equal(t, to.Paused(), strings.HasSuffix(string(to), "_paused"))
	})
	row, ok := m.Lookup("first_notice", crm.DunningEscalate)
	require.True(t, ok)
	assert.Contains(t, row.Why, "10.00 EUR")
	assert.Contains(t, row.Why, "8% a year")
	assert.Contains(t, row.When, "45 days overdue")
	assert.True(t, strings.HasPrefix(m.DOT(), `digraph "dunning" {`))

	_, err = crm.DunningRules{}.Machine()
	assert.ErrorIs(t, err, crm.ErrInvalid, "no machine of rules that cannot work")
}

func TestDunningRulesAreTheCRMsOwn(t *testing.T) {
	r := crm.DefaultDunningRules()
	c, err := crm.New(memory.New(), crm.WithDunningRules(r))
	require.NoError(t, err)
	r.Levels[0].Name = "changed"
	r.Levels[1].Fees[0] = crm.MoneyFromMinor(1, crm.USD)
	_, ok := c.Receivables.DunningMachine().Lookup(crm.DunningNone, crm.DunningEscalate)
	require.True(t, ok)
	to, err := c.Receivables.DunningMachine().Next(crm.DunningNone, crm.DunningEscalate)
	require.NoError(t, err)
	assert.Equal(t, crm.DunningState("reminder"), to, "changing the caller's rules later changes nothing")
}

func TestDunnedEvidenceOnTheLadder(t *testing.T) {
	r := crm.DefaultLadderRules()
	satisfied := []crm.Evidence{experience(at(0), crm.VeryPositive)} // 20 points
	st, _ := replay(t, r, satisfied...)
	require.Equal(t, crm.Satisfied, st.Stage)
	after, moves := replay(t, r, append(satisfied, crm.Evidence{Kind: crm.EvidenceDunned, At: at(0), Note: "final_notice on INV-7"})...)
	assert.Equal(t, st.Score+r.Dunned*1000, after.Score, "the final notice costs its weight")
	require.NotEmpty(t, moves)
	last := moves[len(moves)-1]
	assert.Equal(t, crm.Slide, last.Event, "a satisfied customer near the threshold slides a rung")
	assert.Equal(t, "dunned: final dunning notice -15 - final_notice on INV-7", last.Reason)
}

func TestDunRefusesWithoutAStore(t *testing.T) {
	c, err := crm.New(memory.New())
	require.NoError(t, err)
	_, err = c.Receivables.Dun(context.Background(), crm.ID{}, crm.DunningRun{})
	assert.ErrorIs(t, err, crm.ErrForbidden, "an unknown actor runs nothing")
	_, err = c.Receivables.PauseDunning(context.Background(), crm.ID{}, crm.DunningHoldRequest{Invoice: crm.ID{1}})
	assert.ErrorIs(t, err, crm.ErrInvalid, "a hold says why, before anything is read")
}

func ExampleDunningRules_Machine() {
	m, err := crm.DefaultDunningRules().Machine()
	if err != nil {
		panic(err)
	}
	for _, s := range m.States() {
		fmt.Println(s, m.Events(s))
	}
	// Output:
	// none [escalate pause settle mark_exempt]
	// reminder [escalate pause settle]
	// first_notice [escalate pause settle]
	// final_notice [pause settle]
	// none_paused [resume settle]
	// reminder_paused [resume settle]
	// first_notice_paused [resume settle]
	// final_notice_paused [resume settle]
	// settled [reopen]
	// exempt []
}
