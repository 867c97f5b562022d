package crm_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
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
		{"a lost deal refuses a probability", []dealStep{lose(1)}, setProb(ptr(90)), true, 0, false, "lost", "2026-03-03"},
		{"and clearing one", []dealStep{lose(1)}, setProb(nil), true, 0, false, "lost", "2026-03-03"},
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

// TestDealWinOn: a win counts on the business day it happened, neither
// after today nor before the deal was created, in the calendar's time
// zone; a refused win changes nothing.
func TestDealWinOn(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	now := time.Date(2026, 4, 1, 1, 30, 0, 0, time.UTC) // 31 March, 21:30 in New York
	for _, tc := range []struct {
		name string
		cal  crm.Calendar
		on   string
		want string
		is   error
	}{
		{"today by default", crm.Calendar{}, "", "2026-04-01", nil},
		{"today in the calendar's zone", crm.Calendar{Location: ny}, "", "2026-03-31", nil},
		{"back-dated", crm.Calendar{}, "2026-03-31", "2026-03-31", nil},
		{"the day it was created", crm.Calendar{}, "2026-03-02", "2026-03-02", nil},
		{"before it was created", crm.Calendar{}, "2026-03-01", "", crm.ErrInvalid},
		{"tomorrow", crm.Calendar{}, "2026-04-02", "", crm.ErrInvalid},
		{"tomorrow in New York", crm.Calendar{Location: ny}, "2026-04-01", "", crm.ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := flow(t, false, false)
			d := openDeal(t, f, crm.NewDeal{Amount: money(t, "100.00", "USD")})
			before := d.Clone()
			var on crm.Date
			if tc.on != "" {
				on = date(t, tc.on)
			}
			err := f.WinOn(&d, d.Amount, on, tc.cal, now)
			if tc.is != nil {
				var ve *crm.ValidationError
				require.ErrorAs(t, err, &ve)
				assert.Equal(t, "won_on", ve.Field)
				assert.Equal(t, before, d)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, crm.DealWon, d.Status)
			assert.Equal(t, tc.want, d.CloseDate.String())
			assert.Equal(t, now, d.ClosedAt, "when it was recorded")
		})
	}
	t.Run("a won deal is not won again", func(t *testing.T) {
		f := flow(t, false, false)
		d := openDeal(t, f, crm.NewDeal{Amount: money(t, "100.00", "USD")})
		require.NoError(t, f.WinOn(&d, d.Amount, crm.Date{}, crm.Calendar{}, now))
		assert.ErrorIs(t, f.WinOn(&d, d.Amount, crm.Date{}, crm.Calendar{}, now), crm.ErrInvalidTransition)
	})
}

// TestDealCorrectClose: a closed deal's close date and amount are
// corrected with a reason, within the bounds of a win's day; an open deal
// refuses with a *TransitionError; a refused correction changes nothing.
func TestDealCorrectClose(t *testing.T) {
	now := time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC)
	usd10, eur10 := money(t, "10.00", "USD"), money(t, "10.00", "EUR")
	zero := money(t, "0.00", "USD")
	for _, tc := range []struct {
		name   string
		status crm.DealStatus
		r      crm.CorrectCloseRequest
		close  string
		amount string
		is     error
	}{
		{"a won deal's date", crm.DealWon, crm.CorrectCloseRequest{CloseDate: date(t, "2026-03-30"), Reason: "late"}, "2026-03-30", "100.00 USD", nil},
		{"its amount", crm.DealWon, crm.CorrectCloseRequest{Amount: &usd10, Reason: "typo"}, "2026-04-01", "10.00 USD", nil},
		{"both", crm.DealWon, crm.CorrectCloseRequest{CloseDate: date(t, "2026-03-30"), Amount: &usd10, Reason: "r"}, "2026-03-30", "10.00 USD", nil},
		{"a lost deal's date", crm.DealLost, crm.CorrectCloseRequest{CloseDate: date(t, "2026-03-20"), Reason: "r"}, "2026-03-20", "100.00 USD", nil},
		{"a lost deal's amount may be zero", crm.DealLost, crm.CorrectCloseRequest{Amount: &zero, Reason: "r"}, "", "0.00 USD", nil},
		{"a won deal's may not", crm.DealWon, crm.CorrectCloseRequest{Amount: &zero, Reason: "r"}, "", "", crm.ErrInvalid},
		{"no reason", crm.DealWon, crm.CorrectCloseRequest{CloseDate: date(t, "2026-03-30")}, "", "", crm.ErrInvalid},
		{"a blank reason", crm.DealWon, crm.CorrectCloseRequest{CloseDate: date(t, "2026-03-30"), Reason: "  "}, "", "", crm.ErrInvalid},
		{"nothing to correct", crm.DealWon, crm.CorrectCloseRequest{Reason: "r"}, "", "", crm.ErrInvalid},
		{"a future date", crm.DealWon, crm.CorrectCloseRequest{CloseDate: date(t, "2026-04-02"), Reason: "r"}, "", "", crm.ErrInvalid},
		{"before creation", crm.DealWon, crm.CorrectCloseRequest{CloseDate: date(t, "2026-03-01"), Reason: "r"}, "", "", crm.ErrInvalid},
		{"another currency", crm.DealWon, crm.CorrectCloseRequest{Amount: &eur10, Reason: "r"}, "", "", crm.ErrCurrencyMismatch},
		{"an open deal", crm.DealOpen, crm.CorrectCloseRequest{CloseDate: date(t, "2026-03-30"), Reason: "r"}, "", "", crm.ErrInvalidTransition},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := flow(t, false, false)
			d := openDeal(t, f, crm.NewDeal{Amount: money(t, "100.00", "USD")})
			switch tc.status {
			case crm.DealWon:
				require.NoError(t, f.WinOn(&d, d.Amount, crm.Date{}, crm.Calendar{}, now))
			case crm.DealLost:
				require.NoError(t, f.Lose(&d, crm.LostBudget, "", now))
			}
			before := d.Clone()
			err := f.CorrectClose(&d, tc.r, crm.Calendar{}, now)
			if tc.is != nil {
				require.ErrorIs(t, err, tc.is)
				assert.Equal(t, before, d)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.status, d.Status)
			if tc.close != "" {
				assert.Equal(t, tc.close, d.CloseDate.String())
			}
			assert.Equal(t, tc.amount, d.Amount.String())
			assert.Equal(t, stagesOf(before.History), stagesOf(d.History), "a correction is no stage change")
			assert.Equal(t, d.CloseDate, crm.DateOf(d.ClosingAt()), "its won or lost stage is entered on its close date")
			assert.Equal(t, before.ClosedAt, d.ClosedAt, "the moment it was recorded stays")
		})
	}
}

// stagesOf returns the stages of a history, in order.
func stagesOf(h []crm.StageVisit) []string {
	out := make([]string, len(h))
	for i, v := range h {
		out[i] = v.Stage
	}
	return out
}

// TestDealClosingAt: a close counts, in the reports and the stage
// history, at the moment it was recorded when that is on its close date,
// now when the close date is today, else at the last microsecond of its
// business day, after any move made that day; a close before the day the
// deal entered the stage it closes from is refused.
func TestDealClosingAt(t *testing.T) {
	tokyo := crm.Calendar{Location: time.FixedZone("JST", 9*3600)}
	honolulu := crm.Calendar{Location: time.FixedZone("HST", -10*3600)}
	moved := start.Add(9 * day)                               // 11 March, 09:00 UTC: 18:00 in Tokyo, 23:00 on 10 March in Honolulu
	recorded := time.Date(2026, 3, 31, 16, 0, 0, 0, time.UTC) // 1 April, 01:00 in Tokyo
	later := recorded.Add(3 * day)
	endOf := func(cal crm.Calendar, d string) time.Time {
		return cal.Start(date(t, d).AddDays(1)).Add(-time.Microsecond).UTC()
	}
	for _, tc := range []struct {
		name    string
		cal     crm.Calendar
		wonOn   string // the win's day, "" for today
		correct string // a correction's day, "" for none
		want    time.Time
		field   string // the field refused, "" for none
	}{
		{"won today", tokyo, "", "", recorded, ""},
		{"won on a past day", tokyo, "2026-03-20", "", endOf(tokyo, "2026-03-20"), ""},
		{"the same day in UTC", crm.Calendar{}, "2026-03-20", "", time.Date(2026, 3, 20, 23, 59, 59, 999999000, time.UTC), ""},
		{"won on the day it moved", tokyo, "2026-03-11", "", endOf(tokyo, "2026-03-11"), ""},
		{"won before it moved", tokyo, "2026-03-10", "", time.Time{}, "won_on"},
		{"on the day it moved in Honolulu", honolulu, "2026-03-10", "", endOf(honolulu, "2026-03-10"), ""},
		{"corrected to a past day", tokyo, "", "2026-03-25", endOf(tokyo, "2026-03-25"), ""},
		{"corrected back to the day recorded", tokyo, "2026-03-25", "2026-04-01", recorded, ""},
		{"corrected to today", tokyo, "2026-03-25", "2026-04-04", later, ""},
		{"corrected before it moved", tokyo, "2026-03-25", "2026-03-10", time.Time{}, "close_date"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := flow(t, false, false)
			d := openDeal(t, f, crm.NewDeal{Amount: money(t, "100.00", "USD"), CloseDate: date(t, "2026-04-30")})
			require.NoError(t, f.Move(&d, "qualification", moved))
			var on crm.Date
			if tc.wonOn != "" {
				on = date(t, tc.wonOn)
			}
			before := d.Clone()
			err := f.WinOn(&d, d.Amount, on, tc.cal, recorded)
			if tc.correct == "" && tc.field != "" {
				var ve *crm.ValidationError
				require.ErrorAs(t, err, &ve)
				assert.Equal(t, tc.field, ve.Field)
				assert.Equal(t, "after_stage_entered", ve.Rule)
				assert.Equal(t, before, d, "a refused win changes nothing")
				return
			}
			require.NoError(t, err)
			if tc.correct != "" {
				before = d.Clone()
				err = f.CorrectClose(&d, crm.CorrectCloseRequest{CloseDate: date(t, tc.correct), Reason: "r"}, tc.cal, later)
				if tc.field != "" {
					var ve *crm.ValidationError
					require.ErrorAs(t, err, &ve)
					assert.Equal(t, tc.field, ve.Field)
					assert.Equal(t, before, d, "a refused correction changes nothing")
					return
				}
				require.NoError(t, err)
			}
			assert.Equal(t, tc.want, d.ClosingAt())
			assert.Equal(t, recorded, d.ClosedAt, "the moment the win was recorded")
			assert.Equal(t, []crm.StageVisit{{Stage: "prospecting", Entered: start, Left: moved},
				{Stage: "qualification", Entered: moved, Left: tc.want}, {Stage: "won", Entered: tc.want}}, d.History)
		})
	}
	t.Run("open deals have none", func(t *testing.T) {
		d := openDeal(t, flow(t, false, false), crm.NewDeal{})
		assert.True(t, d.ClosingAt().IsZero())
	})
}

// TestDealReopenOn: reopening takes the close date and probability the
// request gives, else none and the stage's.
func TestDealReopenOn(t *testing.T) {
	now := time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		r      crm.ReopenDealRequest
		close  string
		prob   int
		manual bool
		is     error
	}{
		{"reset", crm.ReopenDealRequest{}, "", 20, false, nil},
		{"given", crm.ReopenDealRequest{CloseDate: date(t, "2026-06-30"), Probability: ptr(45)}, "2026-06-30", 45, true, nil},
		{"due today", crm.ReopenDealRequest{CloseDate: date(t, "2026-06-01")}, "2026-06-01", 20, false, nil},
		{"a past close date", crm.ReopenDealRequest{CloseDate: date(t, "2026-05-31")}, "", 0, false, crm.ErrInvalid},
		{"not a date", crm.ReopenDealRequest{CloseDate: crm.Date{Year: 2026, Month: 6, Day: 31}}, "", 0, false, crm.ErrInvalid},
		{"a probability out of range", crm.ReopenDealRequest{Probability: ptr(-1)}, "", 0, false, crm.ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := flow(t, false, false)
			d := openDeal(t, f, crm.NewDeal{CloseDate: date(t, "2026-03-31"), ManualProbability: ptr(90)})
			require.NoError(t, f.Move(&d, "qualification", start.Add(day)))
			require.NoError(t, f.SetProbability(&d, ptr(90)))
			require.NoError(t, f.Lose(&d, crm.LostBudget, "", start.Add(2*day)))
			before := d.Clone()
			err := f.ReopenOn(&d, tc.r, crm.Calendar{}, now)
			if tc.is != nil {
				require.ErrorIs(t, err, tc.is)
				assert.Equal(t, before, d)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "qualification", d.Stage)
			assert.Equal(t, tc.close, d.CloseDate.String())
			assert.Equal(t, tc.prob, d.Probability)
			assert.Equal(t, tc.manual, d.ManualProbability != nil)
		})
	}
}

// TestPipelineLostReasons: a pipeline offers its own lost reasons, or
// the defaults; Lose takes only those.
func TestPipelineLostReasons(t *testing.T) {
	own := []crm.LostReasonOption{{Key: "price", Label: "Price"}, {Key: "timing", Label: "Timing"}}
	for _, tc := range []struct {
		name    string
		reasons []crm.LostReasonOption
		lose    crm.LostReason
		is      error
	}{
		{"the defaults", nil, crm.LostPricing, nil},
		{"not a default", nil, "timing", crm.ErrInvalid},
		{"its own", own, "timing", nil},
		{"a default it does not offer", own, crm.LostPricing, crm.ErrInvalid},
		{"none", own, "", crm.ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := crm.Pipeline{Name: "P", Currency: usd(t), Stages: crm.DefaultStages(), LostReasons: tc.reasons}.Flow()
			require.NoError(t, err)
			if tc.reasons == nil {
				assert.Equal(t, crm.DefaultLostReasons(), f.Pipeline().LostReasonOptions())
			} else {
				assert.Equal(t, own, f.Pipeline().LostReasonOptions())
			}
			d := openDeal(t, f, crm.NewDeal{})
			before := d.Clone()
			err = f.Lose(&d, tc.lose, "", start.Add(day))
			if tc.is != nil {
				require.ErrorIs(t, err, tc.is)
				assert.Equal(t, before, d)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.lose, d.LostReason)
		})
	}
	keys := make([]crm.LostReason, 0, len(crm.DefaultLostReasons()))
	for _, o := range crm.DefaultLostReasons() {
		keys = append(keys, o.Key)
		assert.NotEmpty(t, o.Label)
	}
	assert.Equal(t, crm.LostReasons(), keys, "the default options are the default reasons")

	for name, reasons := range map[string][]crm.LostReasonOption{
		"a key twice": {{Key: "a", Label: "A"}, {Key: "a", Label: "B"}},
		"no label":    {{Key: "a"}},
		"a bad key":   {{Key: "a b", Label: "A"}},
		"too many":    make([]crm.LostReasonOption, 101),
	} {
		_, err := crm.Pipeline{Name: "P", Currency: usd(t), Stages: crm.DefaultStages(), LostReasons: reasons}.Flow()
		assert.ErrorIs(t, err, crm.ErrInvalid, name)
	}
}

// TestDealRelocate: a deal in a stage the pipeline no longer has moves to
// an open stage with a visit, whatever the stage machine allows, and its
// hand-set probability is reset.
func TestDealRelocate(t *testing.T) {
	f := flow(t, true, false)
	d := openDeal(t, f, crm.NewDeal{ManualProbability: ptr(35)})
	require.NoError(t, f.Move(&d, "negotiation", start.Add(day)))
	require.NoError(t, f.SetProbability(&d, ptr(35)))
	smaller, err := crm.Pipeline{Name: "New business", Currency: usd(t), Stages: slices.Delete(crm.DefaultStages(), 3, 4)}.Flow()
	require.NoError(t, err)

	before := d.Clone()
	assert.ErrorIs(t, smaller.Relocate(&d, "won", start.Add(2*day)), crm.ErrInvalid, "only to an open stage")
	assert.ErrorIs(t, smaller.Relocate(&d, "negotiation", start.Add(2*day)), crm.ErrInvalid, "only to a stage it has")
	assert.Equal(t, before, d)
	assert.ErrorIs(t, f.Relocate(&d, "prospecting", start.Add(2*day)), crm.ErrInvalid, "only out of a stage that is gone")

	require.NoError(t, smaller.Relocate(&d, "prospecting", start.Add(2*day)), "back, which the pipeline does not allow otherwise")
	assert.Equal(t, "prospecting", d.Stage)
	assert.Equal(t, 10, d.Probability)
	assert.Nil(t, d.ManualProbability)
	assert.Equal(t, []crm.StageVisit{{Stage: "prospecting", Entered: start, Left: start.Add(day)},
		{Stage: "negotiation", Entered: start.Add(day), Left: start.Add(2 * day)}, {Stage: "prospecting", Entered: start.Add(2 * day)}}, d.History)
	assert.Equal(t, 3, d.Furthest, "no further than the smaller pipeline's open stages")

	require.NoError(t, f.Lose(&d, crm.LostBudget, "", start.Add(3*day)))
	assert.ErrorIs(t, smaller.Relocate(&d, "prospecting", start.Add(4*day)), crm.ErrInvalidTransition, "a closed deal stays")
}

// TestStageInUseError matches ErrInvalid and says what to do.
func TestStageInUseError(t *testing.T) {
	var err error = &crm.StageInUseError{Stage: "proposal", OpenDeals: 3}
	assert.ErrorIs(t, err, crm.ErrInvalid)
	assert.NotErrorIs(t, err, crm.ErrInvalidTransition)
	assert.Contains(t, err.Error(), `"proposal" still has 3 open deals`)
}

// TestDealMachineDiagrams keeps the deal machine's Mermaid and DOT
// renderings under testdata/machines: the diagrams the docs show.
// go test -run TestDealMachineDiagrams -update . rewrites them.
func TestDealMachineDiagrams(t *testing.T) {
	m := crm.DealMachine()
	for name, got := range map[string]string{"deal.mmd": m.Mermaid(), "deal.dot": m.DOT()} {
		path := filepath.Join("testdata", "machines", name)
		if *updateGolden {
			require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		}
		want, err := os.ReadFile(path)
		require.NoError(t, err, "run go test -run TestDealMachineDiagrams -update . to create it")
		assert.Equal(t, string(want), got, "the %s diagram changed; if that is meant, run with -update and review the diff", name)
	}
	for _, tr := range m.Table() {
		assert.NotEmpty(t, tr.Who, "%s --%s-->", tr.From, tr.Event)
		assert.NotEmpty(t, tr.When, "%s --%s-->", tr.From, tr.Event)
		assert.NotEmpty(t, tr.Why, "%s --%s-->", tr.From, tr.Event)
	}
	assert.Contains(t, m.Mermaid(), "won --> won: correct")
	assert.Contains(t, m.Mermaid(), "lost --> lost: correct")
	assert.False(t, m.Can(crm.DealOpen, crm.DealCorrectEvent), "an open deal has nothing to correct")
	assert.False(t, m.Can(crm.DealLost, crm.DealProbabilityEvent))
	assert.False(t, m.Can(crm.DealWon, crm.DealUpdateEvent))
}
