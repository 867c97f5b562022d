package crm_test

import (
	"strings"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func usd(t testing.TB) crm.Currency {
	t.Helper()
	c, err := crm.ParseCurrency("USD")
	require.NoError(t, err)
	return c
}

func flow(t testing.TB, skip, back bool) *crm.DealFlow {
	t.Helper()
	f, err := crm.Pipeline{Name: "New business", Currency: usd(t), Stages: crm.DefaultStages(), AllowSkip: skip, AllowBack: back}.Flow()
	require.NoError(t, err)
	return f
}

var rep = crm.User{ID: crm.ID{9}, Role: crm.RoleRep, Team: "north", Active: true}

func openDeal(t *testing.T, f *crm.DealFlow, n crm.NewDeal) crm.Deal {
	t.Helper()
	if n.Title == "" {
		n.Title = "Fleet renewal"
	}
	n.Customer = crm.ID{7}
	d, err := f.Open(crm.ID{1}, n, rep, start)
	require.NoError(t, err)
	return d
}

func TestDealMoves(t *testing.T) {
	amount := money(t, "25000.00", "USD")
	ready := crm.NewDeal{Amount: amount, CloseDate: date(t, "2026-05-31")}
	for _, tc := range []struct {
		name       string
		skip, back bool
		in         crm.NewDeal
		moves      []string
		stage      string
		err        error
		reason     string
	}{
		{"one step at a time", false, false, ready, []string{"qualification", "proposal", "negotiation"}, "negotiation", nil, ""},
		{"skipping is refused by default", false, false, ready, []string{"proposal"}, "prospecting", crm.ErrInvalidTransition, ""},
		{"skipping when allowed", true, false, ready, []string{"negotiation"}, "negotiation", nil, ""},
		{"going back is refused by default", false, false, ready, []string{"qualification", "prospecting"}, "qualification", crm.ErrInvalidTransition, ""},
		{"going back when allowed", false, true, ready, []string{"qualification", "proposal", "qualification"}, "qualification", nil, ""},
		{"a proposal needs an amount to move on", false, false, crm.NewDeal{CloseDate: date(t, "2026-05-31")},
			[]string{"qualification", "proposal", "negotiation"}, "proposal", crm.ErrInvalidTransition, "needs amount"},
		{"and a close date", false, false, crm.NewDeal{Amount: amount}, []string{"qualification", "proposal", "negotiation"}, "proposal",
			crm.ErrInvalidTransition, "needs close_date"},
		{"going back needs nothing", false, true, crm.NewDeal{}, []string{"qualification", "proposal", "qualification"}, "qualification", nil, ""},
		{"moving to the same stage is no move", false, false, ready, []string{"prospecting"}, "prospecting", nil, ""},
		{"an unknown stage", false, false, ready, []string{"demo"}, "prospecting", crm.ErrInvalid, ""},
		{"won is not a move", false, false, ready, []string{"won"}, "prospecting", crm.ErrInvalidTransition, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := flow(t, tc.skip, tc.back)
			d := openDeal(t, f, tc.in)
			var err error
			for i, to := range tc.moves {
				before := d.Clone()
				if err = f.Move(&d, to, start.Add(time.Duration(i+1)*day)); err != nil {
					assert.Equal(t, before, d, "a refused move changes nothing")
					break
				}
			}
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
				assert.Contains(t, err.Error(), tc.reason)
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tc.stage, d.Stage)
			st, _ := f.Pipeline().Stage(d.Stage)
			assert.Equal(t, st.Probability, d.Probability)
			assert.Equal(t, d.Stage, d.History[len(d.History)-1].Stage)
		})
	}
}

func TestManualProbabilityResetByStageChange(t *testing.T) {
	f := flow(t, true, true)
	d := openDeal(t, f, crm.NewDeal{Amount: money(t, "1000.00", "USD"), CloseDate: date(t, "2026-04-30"), ManualProbability: ptr(35)})
	assert.Equal(t, 35, d.Probability)
	require.NoError(t, f.SetProbability(&d, nil))
	assert.Equal(t, 10, d.Probability, "cleared: the stage's again")
	require.NoError(t, f.SetProbability(&d, ptr(35)))
	require.NoError(t, f.Move(&d, "negotiation", at(1)))
	assert.Equal(t, 80, d.Probability, "a stage change resets a hand-set probability, as Salesforce does")
	assert.Nil(t, d.ManualProbability)
	require.NoError(t, f.SetProbability(&d, ptr(90)))
	require.NoError(t, f.Win(&d, d.Amount, at(2)))
	assert.Equal(t, 100, d.Probability, "won is always 100")
	assert.ErrorIs(t, f.SetProbability(&d, ptr(50)), crm.ErrInvalidTransition, "a won deal takes no probability")
	assert.Equal(t, 100, d.Probability)
}

func TestWinLoseReopen(t *testing.T) {
	f := flow(t, false, false)
	d := openDeal(t, f, crm.NewDeal{})
	require.NoError(t, f.Move(&d, "qualification", at(1)))

	assert.ErrorIs(t, f.Win(&d, d.Amount, at(2)), crm.ErrInvalid, "a won deal has an amount")
	eur := money(t, "10.00", "EUR")
	var mismatch *crm.CurrencyMismatchError
	require.ErrorAs(t, f.Win(&d, eur, at(2)), &mismatch, "amounts are in the pipeline's currency")

	assert.ErrorIs(t, f.Lose(&d, "", "", at(2)), crm.ErrInvalid, "losing needs a reason")
	assert.ErrorIs(t, f.Lose(&d, "too expensive", "", at(2)), crm.ErrInvalid, "one of the reasons")
	require.NoError(t, f.Lose(&d, crm.LostPricing, "20% above the competitor", at(3)))
	assert.Equal(t, crm.DealLost, d.Status)
	assert.Equal(t, "lost", d.Stage)
	assert.Equal(t, 0, d.Probability)
	assert.Equal(t, at(3), d.ClosedAt)
	rot, _ := f.Rotting(d, at(300))
	assert.False(t, rot, "closed deals never rot")

	var te *crm.TransitionError
	require.ErrorAs(t, f.Move(&d, "proposal", at(4)), &te)
	assert.Equal(t, "deal", te.Machine)
	assert.Equal(t, "lost", te.From)
	require.ErrorAs(t, f.Lose(&d, crm.LostBudget, "", at(4)), &te, "a lost deal is not lost again")

	require.NoError(t, f.Reopen(&d, at(5)))
	assert.Equal(t, "qualification", d.Stage, "back to the stage it left")
	assert.Equal(t, crm.DealOpen, d.Status)
	assert.Empty(t, d.LostReason)
	assert.True(t, d.ClosedAt.IsZero())
	assert.Equal(t, []string{"prospecting", "qualification", "lost", "qualification"}, visits(d))

	require.NoError(t, f.Win(&d, money(t, "5000.00", "USD"), at(6)))
	assert.Equal(t, "5000.00 USD", d.Amount.String())
	assert.Equal(t, crm.DateOf(at(6)), d.CloseDate)
	assert.Equal(t, 4, d.Furthest, "a won deal passed every open stage")
}

func visits(d crm.Deal) []string {
	var out []string
	for _, v := range d.History {
		out = append(out, v.Stage)
	}
	return out
}

func TestRotting(t *testing.T) {
	f := flow(t, false, false)
	d := openDeal(t, f, crm.NewDeal{}) // prospecting rots after 14 days
	for _, tc := range []struct {
		name     string
		activity time.Time
		now      time.Time
		rot      bool
		idle     int
	}{
		{"fresh", time.Time{}, at(14), false, 14},
		{"idle since it was created", time.Time{}, at(15), true, 15},
		{"an activity resets the clock", at(10), at(20), false, 10},
		{"measured from the activity", at(10), at(25), true, 15},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := d
			d.LastActivityAt = tc.activity
			rot, idle := f.Rotting(d, tc.now)
			assert.Equal(t, tc.rot, rot)
			assert.Equal(t, tc.idle, idle)
		})
	}
	require.NoError(t, f.Move(&d, "qualification", at(30)))
	rot, idle := f.Rotting(d, at(40))
	assert.False(t, rot, "a stage change resets the clock too (Krayin measures from creation)")
	assert.Equal(t, 10, idle)
}

func TestPipelineRejects(t *testing.T) {
	base := func() crm.Pipeline {
		return crm.Pipeline{Name: "P", Currency: usd(t), Stages: crm.DefaultStages()}
	}
	for _, tc := range []struct {
		name        string
		change      func(*crm.Pipeline)
		field, rule string
	}{
		{"no currency", func(p *crm.Pipeline) { p.Currency = 0 }, "currency", "required"},
		{"no name", func(p *crm.Pipeline) { p.Name = "" }, "name", "required"},
		{"duplicate key", func(p *crm.Pipeline) { p.Stages[1].Key = "prospecting" }, "stages[1].key", "unique"},
		{"bad key", func(p *crm.Pipeline) { p.Stages[1].Key = "a b" }, "stages[1].key", "key"},
		{"probability 101", func(p *crm.Pipeline) { p.Stages[0].Probability = 101 }, "stages[0].probability", "range"},
		{"open after won", func(p *crm.Pipeline) { p.Stages[4], p.Stages[3] = p.Stages[3], p.Stages[4] }, "stages[4].type", "order"},
		{"two won stages", func(p *crm.Pipeline) { p.Stages[5].Type = crm.StageWon }, "stages", "won"},
		{"no lost stage", func(p *crm.Pipeline) { p.Stages = p.Stages[:5] }, "stages", "lost"},
		{"unknown category", func(p *crm.Pipeline) { p.Stages[0].Category = "maybe" }, "stages[0].category", "one_of"},
		{"unknown requirement", func(p *crm.Pipeline) { p.Stages[0].ExitRequires = []crm.Requirement{"signature"} }, "stages[0].exit_requires[0]", "one_of"},
		{"negative rotting", func(p *crm.Pipeline) { p.Stages[0].RotAfterDays = -1 }, "stages[0].rot_after_days", "range"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := base()
			tc.change(&p)
			_, err := p.Flow()
			var ve *crm.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.field, ve.Field)
			assert.Equal(t, tc.rule, ve.Rule)
		})
	}
	won := base()
	won.Stages[4].Probability, won.Stages[5].Probability = 50, 50
	f, err := won.Flow()
	require.NoError(t, err)
	s, _ := f.Pipeline().Stage("won")
	assert.Equal(t, 100, s.Probability, "won is always 100")
	s, _ = f.Pipeline().Stage("lost")
	assert.Equal(t, 0, s.Probability, "lost is always 0")
}

func TestOpenDealRejects(t *testing.T) {
	f := flow(t, false, false)
	for _, tc := range []struct {
		name string
		in   crm.NewDeal
		is   error
	}{
		{"no title", crm.NewDeal{Customer: crm.ID{7}}, crm.ErrInvalid},
		{"no customer", crm.NewDeal{Title: "x"}, crm.ErrInvalid},
		{"another currency", crm.NewDeal{Customer: crm.ID{7}, Title: "x", Amount: money(t, "1.00", "EUR")}, crm.ErrCurrencyMismatch},
		{"negative amount", crm.NewDeal{Customer: crm.ID{7}, Title: "x", Amount: money(t, "-1.00", "USD")}, crm.ErrInvalid},
		{"probability -1", crm.NewDeal{Customer: crm.ID{7}, Title: "x", ManualProbability: ptr(-1)}, crm.ErrInvalid},
		{"a closed stage", crm.NewDeal{Customer: crm.ID{7}, Title: "x", Stage: "won"}, crm.ErrInvalid},
		{"no such stage", crm.NewDeal{Customer: crm.ID{7}, Title: "x", Stage: "demo"}, crm.ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.Open(crm.ID{1}, tc.in, rep, start)
			assert.ErrorIs(t, err, tc.is)
		})
	}
}

func TestDealMachines(t *testing.T) {
	m, err := flow(t, false, true).Pipeline().StageMachine()
	require.NoError(t, err)
	mermaid := m.Mermaid()
	for _, line := range []string{"[*] --> prospecting", "prospecting --> qualification: qualification", "negotiation --> proposal: proposal",
		"proposal --> won: win", "prospecting --> lost: lose", "lost --> qualification: reopen qualification"} {
		assert.Contains(t, mermaid, line)
	}
	assert.NotContains(t, mermaid, "prospecting --> proposal", "no skipping in this pipeline")
	assert.True(t, strings.HasPrefix(crm.DealMachine().DOT(), `digraph "deal" {`))
	for _, tr := range append(m.Table(), crm.Transition[string, string]{}) {
		if tr.From == "" {
			continue
		}
		assert.NotEmpty(t, tr.Who+tr.When+tr.Why)
	}
}

func BenchmarkDealMove(b *testing.B) {
	f := flow(b, false, true)
	d, err := f.Open(crm.ID{1}, crm.NewDeal{Customer: crm.ID{7}, Title: "x", Amount: money(b, "1.00", "USD"), CloseDate: crm.Date{Year: 2026, Month: 5, Day: 1}}, rep, start)
	if err != nil {
		b.Fatal(err)
	}
	cycle := []string{"qualification", "proposal", "negotiation", "qualification", "proposal", "negotiation", "prospecting"}
	b.ReportAllocs()
	for i := range b.N {
		if err := f.Move(&d, cycle[i%len(cycle)], start); err != nil {
			b.Fatal(err)
		}
		if len(d.History) == 1024 {
			d.History = d.History[:0]
		}
	}
}
