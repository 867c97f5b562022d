package crm_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/storekit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestInteractionSatisfaction(t *testing.T) {
	for _, tc := range []struct {
		sentiment crm.Sentiment
		csat      *int
		want      int
	}{
		{crm.VeryNegative, nil, 1},
		{crm.Negative, nil, 2},
		{crm.Neutral, nil, 3},
		{crm.Positive, nil, 4},
		{crm.VeryPositive, nil, 5},
		{crm.VeryPositive, ptr(1), 1},
		{crm.VeryNegative, ptr(5), 5},
		{crm.Neutral, ptr(4), 4},
	} {
		in := crm.Interaction{Sentiment: tc.sentiment, Survey: crm.Survey{CSAT: tc.csat}}
		assert.Equal(t, tc.want, in.Satisfaction(), "sentiment %d, CSAT %v", tc.sentiment, tc.csat)
	}
}

func TestFirstContactResolution(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   crm.Interaction
		want bool
	}{
		{"inbound, resolved, no transfer", crm.Interaction{Direction: crm.Inbound, Resolved: true}, true},
		{"an empty transfer list", crm.Interaction{Direction: crm.Inbound, Resolved: true, Transfers: []crm.Transfer{}}, true},
		{"one transfer", crm.Interaction{Direction: crm.Inbound, Resolved: true, Transfers: []crm.Transfer{{From: "Sales", To: "Legal"}}}, false},
		{"not resolved", crm.Interaction{Direction: crm.Inbound}, false},
		{"outbound", crm.Interaction{Direction: crm.Outbound, Resolved: true}, false},
		{"no direction", crm.Interaction{Resolved: true}, false},
	} {
		assert.Equal(t, tc.want, tc.in.FirstContactResolution(), tc.name)
	}
}

func TestInteractionClone(t *testing.T) {
	in := crm.Interaction{ID: xpID(1), Transfers: []crm.Transfer{{From: "Sales", To: "Legal"}},
		Survey: crm.Survey{NPS: ptr(9), CSAT: ptr(4), CES: ptr(2)}}
	cp := in.Clone()
	require.Equal(t, in, cp)
	cp.Transfers[0].To = "changed"
	*cp.Survey.NPS, *cp.Survey.CSAT, *cp.Survey.CES = 0, 1, 7
	assert.Equal(t, crm.Interaction{ID: xpID(1), Transfers: []crm.Transfer{{From: "Sales", To: "Legal"}},
		Survey: crm.Survey{NPS: ptr(9), CSAT: ptr(4), CES: ptr(2)}}, in)
	assert.Nil(t, crm.Interaction{}.Clone().Survey.NPS)
}

func TestCaseTimeToResolution(t *testing.T) {
	assert.Zero(t, crm.Case{OpenedAt: start}.TimeToResolution(), "open")
	assert.Equal(t, 90*time.Minute, crm.Case{OpenedAt: start, ResolvedAt: start.Add(90 * time.Minute)}.TimeToResolution())
	assert.Equal(t, 3*time.Hour, crm.Case{OpenedAt: start, ResolvedAt: start.In(time.FixedZone("UTC+3", 3*3600)).Add(3 * time.Hour)}.TimeToResolution())
}

func TestCaseMachine(t *testing.T) {
	m := crm.CaseMachine()
	assert.Equal(t, crm.CaseOpened, m.Initial())
	for _, tc := range []struct {
		from crm.CaseStatus
		move crm.CaseEvent
		to   crm.CaseStatus // "" when refused
	}{
		{crm.CaseOpened, crm.CaseStart, crm.CaseInProgress},
		{crm.CaseOpened, crm.CaseHandOff, crm.CaseOpened},
		{crm.CaseOpened, crm.CaseResolve, crm.CaseResolved},
		{crm.CaseInProgress, crm.CaseHandOff, crm.CaseInProgress},
		{crm.CaseInProgress, crm.CaseResolve, crm.CaseResolved},
		{crm.CaseResolved, crm.CaseReopen, crm.CaseReopened},
		{crm.CaseResolved, crm.CaseClose, crm.CaseClosed},
		{crm.CaseReopened, crm.CaseHandOff, crm.CaseReopened},
		{crm.CaseReopened, crm.CaseStart, crm.CaseInProgress},
		{crm.CaseReopened, crm.CaseResolve, crm.CaseResolved},
		{crm.CaseOpened, crm.CaseClose, ""},
		{crm.CaseInProgress, crm.CaseClose, ""},
		{crm.CaseInProgress, crm.CaseStart, ""},
		{crm.CaseResolved, crm.CaseHandOff, ""},
		{crm.CaseClosed, crm.CaseReopen, ""},
		{crm.CaseClosed, crm.CaseHandOff, ""},
	} {
		to, err := m.Next(tc.from, tc.move)
		if tc.to == "" {
			var te *crm.TransitionError
			require.ErrorAs(t, err, &te, "%s/%s", tc.from, tc.move)
			assert.Equal(t, "case", te.Machine)
			continue
		}
		require.NoError(t, err, "%s/%s", tc.from, tc.move)
		assert.Equal(t, tc.to, to, "%s/%s", tc.from, tc.move)
	}
	for _, tr := range m.Table() {
		assert.NotEmpty(t, tr.Why, "%s/%s explains why", tr.From, tr.Event)
	}
}

func TestPeriodKey(t *testing.T) {
	plus2, minus5 := time.FixedZone("UTC+2", 2*3600), time.FixedZone("UTC-5", -5*3600)
	for _, tc := range []struct {
		name             string
		at               time.Time
		day, week, month string
	}{
		{"a Monday", start, "2026-03-02", "2026-W10", "2026-03"},
		{"a Sunday closes its week", time.Date(2026, 3, 8, 23, 59, 59, 999_999_999, time.UTC), "2026-03-08", "2026-W10", "2026-03"},
		{"2026-01-01 is in 2026-W01", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), "2026-01-01", "2026-W01", "2026-01"},
		{"2025-12-29 opens 2026-W01", time.Date(2025, 12, 29, 0, 0, 0, 0, time.UTC), "2025-12-29", "2026-W01", "2025-12"},
		{"2026-12-31 is in 2026-W53", time.Date(2026, 12, 31, 12, 0, 0, 0, time.UTC), "2026-12-31", "2026-W53", "2026-12"},
		{"2027-01-01 is in 2026-W53", time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), "2027-01-01", "2026-W53", "2027-01"},
		{"2024-12-30 is in 2025-W01", time.Date(2024, 12, 30, 0, 0, 0, 0, time.UTC), "2024-12-30", "2025-W01", "2024-12"},
		{"2021-01-03 is in 2020-W53", time.Date(2021, 1, 3, 0, 0, 0, 0, time.UTC), "2021-01-03", "2020-W53", "2021-01"},
		{"east of UTC, the day before in UTC", time.Date(2026, 1, 1, 1, 0, 0, 0, plus2), "2025-12-31", "2026-W01", "2025-12"},
		{"west of UTC, the next week in UTC", time.Date(2027, 1, 3, 20, 0, 0, 0, minus5), "2027-01-04", "2027-W01", "2027-01"},
		{"west of UTC, the next month in UTC", time.Date(2026, 2, 28, 22, 0, 0, 0, minus5), "2026-03-01", "2026-W09", "2026-03"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			day := crm.Interaction{At: tc.at}.BusinessDay() // without a business day of its own: At's UTC day
			assert.Equal(t, tc.day, storekit.PeriodKey(crm.PeriodDay, day))
			assert.Equal(t, tc.week, storekit.PeriodKey(crm.PeriodWeek, day))
			assert.Equal(t, tc.month, storekit.PeriodKey(crm.PeriodMonth, day))
			assert.Equal(t, "", storekit.PeriodKey(crm.PeriodAll, day))
			assert.Equal(t, "", storekit.PeriodKey("year", day))
		})
	}
}

// TestExperienceCountsOnTheBusinessDay checks that the experience
// statistics group by the CRM's calendar: a call at 01:00 on 1 January in
// Athens (23:00 on 31 December in UTC) is a January call there.
func TestExperienceCountsOnTheBusinessDay(t *testing.T) {
	athens, err := time.LoadLocation("Europe/Athens")
	require.NoError(t, err)
	co := newCompany(t, crm.WithCalendar(crm.Calendar{Location: athens}))
	m, err := co.Experience.CreateTouchpointMap(ctx, co.Admin.ID, retailBank())
	require.NoError(t, err)
	cu := co.customer(t, co.Ann, "Kalimera")
	at := time.Date(2026, 1, 1, 1, 0, 0, 0, athens)
	co.Clock.Set(at.Add(time.Hour))
	rec, err := co.Experience.RecordInteraction(ctx, co.Ann.ID, crm.NewInteraction{Customer: cu.ID, Map: m.ID, Touchpoint: "hotline",
		At: at, Direction: crm.Inbound, Resolved: true})
	require.NoError(t, err)
	assert.Equal(t, date(t, "2026-01-01"), rec.Interaction.Day)
	assert.Equal(t, 2025, rec.Interaction.At.Year(), "the instant is kept in UTC")
	rows, err := co.Experience.Stats(ctx, co.Manager.ID, crm.ExperienceQuery{Period: crm.PeriodMonth})
	require.NoError(t, err)
	require.Len(t, rows, 1)
	assert.Equal(t, "2026-01", rows[0].Period)
}

// xpSurveyed is a contact with the survey answers given (nil for none).
func xpSurveyed(nps, csat, ces *int) crm.Interaction {
	return crm.Interaction{Direction: crm.Inbound, Survey: crm.Survey{NPS: nps, CSAT: csat, CES: ces}}
}

// xpCount adds the interactions up.
func xpCount(ins ...crm.Interaction) crm.ExperienceCounts {
	var c crm.ExperienceCounts
	for _, in := range ins {
		c.Add(in)
	}
	return c
}

func TestExperienceCountsAdd(t *testing.T) {
	c := xpCount(
		crm.Interaction{Direction: crm.Inbound, Resolved: true, Wait: time.Second, Handle: time.Minute, Sentiment: crm.Negative,
			Survey: crm.Survey{NPS: ptr(9), CSAT: ptr(5), CES: ptr(2)}},
		crm.Interaction{Direction: crm.Inbound, Resolved: true, Transfers: []crm.Transfer{{From: "Sales", To: "Legal"}}, Wait: 2 * time.Second,
			AnswerBreached: true, Survey: crm.Survey{NPS: ptr(10), CSAT: ptr(4)}},
		crm.Interaction{Direction: crm.Inbound, Transfers: []crm.Transfer{{From: "Sales", To: "Legal"}, {From: "Legal", To: "Billing"}},
			Wait: 4 * time.Second, AnswerBreached: true, CSATBreached: true, Survey: crm.Survey{NPS: ptr(6), CSAT: ptr(3), CES: ptr(7)}},
		crm.Interaction{Direction: crm.Outbound, Resolved: true, Sentiment: crm.VeryPositive, Survey: crm.Survey{NPS: ptr(7)}},
		crm.Interaction{Direction: crm.Inbound, Resolved: true, Sentiment: crm.VeryNegative, Handle: 30 * time.Second, Survey: crm.Survey{CES: ptr(3)}},
	)
	assert.Equal(t, crm.ExperienceCounts{Interactions: 5, Inbound: 4, FirstContactResolved: 2, Transfers: 3, AnswerBreaches: 2,
		CSATBreaches: 1, WaitMicros: 7_000_000, HandleMicros: 90_000_000, SatisfactionSum: 5 + 4 + 3 + 5 + 1, NPSAnswers: 4,
		Promoters: 2, Detractors: 1, CSATAnswers: 3, CSATSatisfied: 2, CESAnswers: 3, CESSum: 12}, c)

	for _, m := range []struct {
		name string
		f    func() (float64, bool)
		want float64
	}{
		{"NPS", c.NPS, 25},
		{"CSAT", c.CSAT, 200.0 / 3},
		{"CES", c.CES, 4},
		{"FCR", c.FCR, 50},
		{"transfers per contact", c.TransfersPerContact, 0.6},
		{"answer breach rate", c.AnswerBreachRate, 40},
	} {
		got, ok := m.f()
		assert.True(t, ok, m.name)
		assert.InDelta(t, m.want, got, 1e-9, m.name)
	}
	assert.Equal(t, 1400*time.Millisecond, c.AverageWait())
	assert.Equal(t, 4, c.Satisfaction(), "18/5 = 3.6")
}

func TestExperienceMetrics(t *testing.T) {
	answers := func(f func(v *int) crm.Interaction, vs ...int) crm.ExperienceCounts {
		var ins []crm.Interaction
		for _, v := range vs {
			ins = append(ins, f(ptr(v)))
		}
		return xpCount(ins...)
	}
	nps := func(v *int) crm.Interaction { return xpSurveyed(v, nil, nil) }
	csat := func(v *int) crm.Interaction { return xpSurveyed(nil, v, nil) }
	ces := func(v *int) crm.Interaction { return xpSurveyed(nil, nil, v) }
	for _, tc := range []struct {
		name   string
		metric func(crm.ExperienceCounts) (float64, bool)
		counts crm.ExperienceCounts
		want   float64
	}{
		{"NPS: 5 promoters, 3 passives, 2 detractors", crm.ExperienceCounts.NPS, answers(nps, 9, 10, 9, 10, 9, 7, 8, 7, 0, 6), 30},
		{"NPS: all promoters", crm.ExperienceCounts.NPS, answers(nps, 9, 10), 100},
		{"NPS: all detractors", crm.ExperienceCounts.NPS, answers(nps, 0, 6), -100},
		{"NPS: passives only", crm.ExperienceCounts.NPS, answers(nps, 7, 8), 0},
		{"NPS: a third", crm.ExperienceCounts.NPS, answers(nps, 9, 8, 8), 100.0 / 3},
		{"CSAT: 4 and 5 satisfy", crm.ExperienceCounts.CSAT, answers(csat, 1, 2, 3, 4, 5), 40},
		{"CSAT: all satisfied", crm.ExperienceCounts.CSAT, answers(csat, 4, 5, 4), 100},
		{"CES: the mean", crm.ExperienceCounts.CES, answers(ces, 1, 7, 2), 10.0 / 3},
		{"CES: one answer", crm.ExperienceCounts.CES, answers(ces, 7), 7},
	} {
		got, ok := tc.metric(tc.counts)
		assert.True(t, ok, tc.name)
		assert.InDelta(t, tc.want, got, 1e-9, tc.name)
	}
}

func TestExperienceMetricsWithoutAnswers(t *testing.T) {
	csatOnly := xpCount(xpSurveyed(nil, ptr(5), nil))
	outboundOnly := xpCount(crm.Interaction{Direction: crm.Outbound, Resolved: true})
	for _, tc := range []struct {
		name   string
		metric func() (float64, bool)
	}{
		{"NPS of nothing", crm.ExperienceCounts{}.NPS},
		{"CSAT of nothing", crm.ExperienceCounts{}.CSAT},
		{"CES of nothing", crm.ExperienceCounts{}.CES},
		{"FCR of nothing", crm.ExperienceCounts{}.FCR},
		{"transfers of nothing", crm.ExperienceCounts{}.TransfersPerContact},
		{"breaches of nothing", crm.ExperienceCounts{}.AnswerBreachRate},
		{"NPS without NPS answers", csatOnly.NPS},
		{"CES without CES answers", csatOnly.CES},
		{"CSAT without CSAT answers", outboundOnly.CSAT},
		{"FCR without inbound contacts", outboundOnly.FCR},
	} {
		v, ok := tc.metric()
		assert.False(t, ok, tc.name)
		assert.Zero(t, v, tc.name)
	}
	assert.Zero(t, crm.ExperienceCounts{}.AverageWait())
	assert.Equal(t, 3, crm.ExperienceCounts{}.Satisfaction())
}

func TestExperienceSatisfactionRoundsHalfUp(t *testing.T) {
	for _, tc := range []struct {
		scores []crm.Sentiment // satisfaction - 3
		want   int
	}{
		{[]crm.Sentiment{crm.VeryNegative}, 1},
		{[]crm.Sentiment{crm.VeryPositive, crm.VeryPositive}, 5},
		{[]crm.Sentiment{crm.Neutral, crm.Positive}, 4},                           // 3.5
		{[]crm.Sentiment{crm.Negative, crm.Neutral}, 3},                           // 2.5
		{[]crm.Sentiment{crm.VeryNegative, crm.Negative}, 2},                      // 1.5
		{[]crm.Sentiment{crm.Positive, crm.VeryPositive}, 5},                      // 4.5
		{[]crm.Sentiment{crm.VeryNegative, crm.Negative, crm.Negative}, 2},        // 1.67
		{[]crm.Sentiment{crm.Positive, crm.Positive, crm.VeryPositive}, 4},        // 4.33
		{[]crm.Sentiment{crm.Neutral, crm.Neutral, crm.Neutral, crm.Positive}, 3}, // 3.25
	} {
		var ins []crm.Interaction
		for _, s := range tc.scores {
			ins = append(ins, crm.Interaction{Sentiment: s})
		}
		assert.Equal(t, tc.want, xpCount(ins...).Satisfaction(), "%v", tc.scores)
	}
}

func TestAverageWaitTruncatesToMicroseconds(t *testing.T) {
	c := xpCount(crm.Interaction{Wait: time.Second}, crm.Interaction{Wait: 2 * time.Second}, crm.Interaction{Wait: 4*time.Second + 999})
	assert.Equal(t, 2333333*time.Microsecond, c.AverageWait())
}

func TestCaseCounts(t *testing.T) {
	var c crm.CaseCounts
	for _, cs := range []crm.Case{
		{Kind: crm.Complaint, OpenedAt: start, ResolvedAt: start.Add(2 * time.Hour), Contacts: 1},
		{Kind: crm.Request, OpenedAt: start, ResolvedAt: start.Add(6 * time.Hour), Contacts: 3, Handoffs: 2, Reopens: 1, ResolveBreached: true},
		{Kind: crm.Incident, OpenedAt: start, Handoffs: 1, PromiseBroken: true},
		{Kind: crm.Complaint, OpenedAt: start, ResolvedAt: start.Add(4 * time.Hour), Contacts: 2, Status: crm.CaseClosed},
		{Kind: crm.Question, OpenedAt: start, ResolvedAt: start.Add(time.Microsecond), Contacts: 0},
	} {
		c.Add(cs)
	}
	assert.Equal(t, crm.CaseCounts{Opened: 5, Complaints: 2, Resolved: 4, ResolutionMicros: (12*time.Hour + time.Microsecond).Microseconds(),
		FirstContactResolved: 2, Handoffs: 3, Reopens: 1, ResolveBreaches: 1, PromisesBroken: 1}, c)
	assert.Equal(t, 3*time.Hour, c.AverageResolution(), "(2h + 6h + 4h + 1µs) / 4, truncated")
	h, ok := c.HandoffsPerCase()
	assert.True(t, ok)
	assert.InDelta(t, 0.6, h, 1e-9)

	var none crm.CaseCounts
	assert.Zero(t, none.AverageResolution())
	h, ok = none.HandoffsPerCase()
	assert.False(t, ok)
	assert.Zero(t, h)
	none.Add(crm.Case{Kind: crm.Request, OpenedAt: start})
	assert.Zero(t, none.AverageResolution(), "open cases have no resolution time")
}

// xpGroupedContacts are contacts on two maps, spread over days, weeks
// and months, given out of order.
func xpGroupedContacts() []crm.Interaction {
	row := func(id int, m crm.ID, tp string, ph crm.Phase, ch crm.Channel, dept string, at time.Time) crm.Interaction {
		in := xpContact(id, xpID(1), tp, at)
		in.Map, in.Phase, in.Channel, in.Department = m, ph, ch, dept
		return in
	}
	mapA, mapB := xpID(900), xpID(901)
	return []crm.Interaction{
		row(3, mapA, "phone", crm.PhaseSupport, crm.ChannelContactCenter, "Cards", time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)),
		row(1, mapA, "phone", crm.PhaseSupport, crm.ChannelContactCenter, "Service", start.Add(time.Hour)),
		row(2, mapA, "branch", crm.PhaseOrdering, crm.ChannelBranch, "Retail", start.Add(7*xpDay)),
		row(4, mapB, "web", crm.PhaseOrdering, crm.ChannelWeb, "Digital", start.Add(xpDay)),
		row(5, mapA, "branch", crm.PhaseOrdering, crm.ChannelBranch, "Retail", start),
	}
}

// xpCaseOf is a case opened where and when the contact happened.
func xpCaseOf(in crm.Interaction) crm.Case {
	return crm.Case{ID: in.ID, Customer: in.Customer, Kind: crm.Complaint, Map: in.Map, Touchpoint: in.Touchpoint, Phase: in.Phase,
		Channel: in.Channel, Department: in.Department, OpenedAt: in.At}
}

// xpAggregateRows aggregates the contacts, and cases opened where and
// when they happened, by the same query, into rows "period|group|count".
func xpAggregateRows(t testing.TB, ins []crm.Interaction, q crm.ExperienceQuery) (exp, cases []string) {
	t.Helper()
	cq := crm.CaseQuery{From: q.From, To: q.To, Map: q.Map, GroupBy: q.GroupBy, Period: q.Period}
	require.NoError(t, q.Check())
	require.NoError(t, cq.Check())
	var cs []crm.Case
	for _, in := range ins {
		cs = append(cs, xpCaseOf(in))
	}
	for _, c := range storekit.AggregateExperience(ins, q) {
		exp = append(exp, fmt.Sprintf("%s|%s|%d", c.Period, c.Group, c.Interactions))
	}
	for _, c := range storekit.AggregateCases(cs, cq) {
		cases = append(cases, fmt.Sprintf("%s|%s|%d", c.Period, c.Group, c.Opened))
	}
	return exp, cases
}

func TestAggregate(t *testing.T) {
	ins := xpGroupedContacts()
	for _, tc := range []struct {
		name     string
		from, to time.Time
		m        crm.ID
		by       crm.Dimension
		period   crm.Period
		want     []string
	}{
		{"total", time.Time{}, time.Time{}, crm.ID{}, crm.ByTotal, crm.PeriodAll, []string{"||5"}},
		{"by touchpoint", time.Time{}, time.Time{}, crm.ID{}, crm.ByTouchpoint, crm.PeriodAll, []string{"|branch|2", "|phone|2", "|web|1"}},
		{"by phase", time.Time{}, time.Time{}, crm.ID{}, crm.ByPhase, crm.PeriodAll, []string{"|ordering|3", "|support|2"}},
		{"by channel", time.Time{}, time.Time{}, crm.ID{}, crm.ByChannel, crm.PeriodAll,
			[]string{"|branch|2", "|contact_center|2", "|web|1"}},
		{"by department", time.Time{}, time.Time{}, crm.ID{}, crm.ByDepartment, crm.PeriodAll,
			[]string{"|Cards|1", "|Digital|1", "|Retail|2", "|Service|1"}},
		{"by day", time.Time{}, time.Time{}, crm.ID{}, crm.ByTotal, crm.PeriodDay,
			[]string{"2026-03-02||2", "2026-03-03||1", "2026-03-09||1", "2026-04-01||1"}},
		{"by week", time.Time{}, time.Time{}, crm.ID{}, crm.ByTotal, crm.PeriodWeek, []string{"2026-W10||3", "2026-W11||1", "2026-W14||1"}},
		{"by month", time.Time{}, time.Time{}, crm.ID{}, crm.ByTotal, crm.PeriodMonth, []string{"2026-03||4", "2026-04||1"}},
		{"period, then group", time.Time{}, time.Time{}, crm.ID{}, crm.ByTouchpoint, crm.PeriodMonth,
			[]string{"2026-03|branch|2", "2026-03|phone|1", "2026-03|web|1", "2026-04|phone|1"}},
		{"from inclusive, to exclusive", start, time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), crm.ID{}, crm.ByTotal, crm.PeriodAll,
			[]string{"||4"}},
		{"from only", start.Add(time.Nanosecond), time.Time{}, crm.ID{}, crm.ByTouchpoint, crm.PeriodAll,
			[]string{"|branch|1", "|phone|2", "|web|1"}},
		{"to only", time.Time{}, start.Add(xpDay), crm.ID{}, crm.ByTouchpoint, crm.PeriodAll, []string{"|branch|1", "|phone|1"}},
		{"one map", time.Time{}, time.Time{}, xpID(900), crm.ByTouchpoint, crm.PeriodAll, []string{"|branch|2", "|phone|2"}},
		{"an unknown map", time.Time{}, time.Time{}, xpID(999), crm.ByTouchpoint, crm.PeriodAll, nil},
		{"an empty range", start.Add(-2 * xpDay), start.Add(-xpDay), crm.ID{}, crm.ByTotal, crm.PeriodAll, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			exp, cases := xpAggregateRows(t, ins, crm.ExperienceQuery{From: tc.from, To: tc.to, Map: tc.m, GroupBy: tc.by, Period: tc.period})
			assert.Equal(t, tc.want, exp, "experience")
			assert.Equal(t, tc.want, cases, "cases")
		})
	}
}

func TestAggregateAddsEveryContactOfTheGroup(t *testing.T) {
	ins := xpGroupedContacts()
	ins[0].Survey.NPS, ins[1].Survey.NPS = ptr(10), ptr(3)
	ins[1].Transfers = []crm.Transfer{{From: "Service", To: "Cards"}}
	out := storekit.AggregateExperience(ins, crm.ExperienceQuery{GroupBy: crm.ByTouchpoint, Period: crm.PeriodMonth})
	require.Len(t, out, 4)
	want := xpCount(ins[1])
	want.Group, want.Period = "phone", "2026-03"
	want.NPSRespondents, want.RespondentDetractors = 1, 1
	assert.Equal(t, want, out[1])
	require.Equal(t, ins[0].Customer, ins[1].Customer)
	require.True(t, ins[0].At.After(ins[1].At))
	want = xpCount(ins[1], ins[0])
	want.Group, want.Period = "phone", ""
	want.NPSRespondents, want.RespondentPromoters = 1, 1 // the customer's latest answer is the 10
	assert.Equal(t, want, storekit.AggregateExperience(ins, crm.ExperienceQuery{GroupBy: crm.ByTouchpoint})[1])

	cs := []crm.Case{xpCaseOf(ins[0]), xpCaseOf(ins[1])}
	cs[0].Handoffs, cs[1].ResolvedAt, cs[1].Contacts = 2, cs[1].OpenedAt.Add(time.Hour), 1
	var wantCases crm.CaseCounts
	wantCases.Add(cs[0])
	wantCases.Add(cs[1])
	wantCases.Group = "phone"
	assert.Equal(t, []crm.CaseCounts{wantCases}, storekit.AggregateCases(cs, crm.CaseQuery{GroupBy: crm.ByTouchpoint}))
}

func TestGroupingQueriesCheck(t *testing.T) {
	for _, tc := range []struct {
		name        string
		from, to    time.Time
		by          crm.Dimension
		period      crm.Period
		field, rule string
	}{
		{"unknown dimension", time.Time{}, time.Time{}, "customer", crm.PeriodAll, "group_by", "one_of"},
		{"dimension in capitals", time.Time{}, time.Time{}, "Touchpoint", crm.PeriodAll, "group_by", "one_of"},
		{"unknown period", time.Time{}, time.Time{}, crm.ByTotal, "year", "period", "one_of"},
		{"from equals to", start, start, crm.ByTotal, crm.PeriodAll, "to", "after_from"},
		{"from after to", start.Add(time.Nanosecond), start, crm.ByTouchpoint, crm.PeriodDay, "to", "after_from"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			requireValidation(t, crm.ExperienceQuery{From: tc.from, To: tc.to, GroupBy: tc.by, Period: tc.period}.Check(), tc.field, tc.rule)
			requireValidation(t, crm.CaseQuery{From: tc.from, To: tc.to, GroupBy: tc.by, Period: tc.period}.Check(), tc.field, tc.rule)
		})
	}
	for _, d := range []crm.Dimension{crm.ByTotal, crm.ByTouchpoint, crm.ByPhase, crm.ByChannel, crm.ByDepartment} {
		for _, p := range []crm.Period{crm.PeriodAll, crm.PeriodDay, crm.PeriodWeek, crm.PeriodMonth} {
			assert.NoError(t, crm.ExperienceQuery{From: start, To: start.Add(time.Nanosecond), GroupBy: d, Period: p}.Check())
			assert.NoError(t, crm.CaseQuery{To: start, GroupBy: d, Period: p}.Check())
		}
	}
	requireValidation(t, crm.MomentsQuery{Window: -time.Second}.Check(), "window", "non_negative")
	requireValidation(t, crm.MomentsQuery{From: start, To: start}.Check(), "to", "after_from")
	assert.NoError(t, crm.MomentsQuery{From: start}.Check())
}

func TestExperienceQueryContains(t *testing.T) {
	q := crm.ExperienceQuery{From: start, To: start.Add(time.Hour)}
	assert.True(t, q.Contains(start))
	assert.True(t, q.Contains(start.Add(time.Hour-time.Nanosecond)))
	assert.False(t, q.Contains(start.Add(time.Hour)))
	assert.False(t, q.Contains(start.Add(-time.Nanosecond)))
	assert.True(t, crm.ExperienceQuery{}.Contains(time.Time{}))
}

// xpMove is a ladder move, numbered id, on evidence from a contact.
func xpMove(id int, customer crm.ID, at time.Time, event crm.LadderEvent, to crm.LoyaltyStage) crm.LadderMove {
	return crm.LadderMove{ID: xpID(id), Customer: customer, At: at, Event: event, To: to,
		Evidence: crm.EvidenceRef{Kind: crm.EvidenceExperience, Touchpoint: "phone"}}
}

func TestMomentsOfTruthWindow(t *testing.T) {
	anna, bob := xpID(1), xpID(2)
	move := start.Add(10 * xpDay)
	ins := []crm.Interaction{
		xpContact(10, anna, "window.start", move.Add(-7*xpDay)),
		xpContact(11, anna, "too.early", move.Add(-7*xpDay-time.Nanosecond)),
		xpContact(12, anna, "window.end", move),
		xpContact(13, anna, "too.late", move.Add(time.Nanosecond)),
		xpContact(14, anna, "twice", move.Add(-time.Hour)),
		xpContact(15, anna, "twice", move.Add(-2*time.Hour)),
		xpContact(16, bob, "bob.only", move.Add(-time.Hour)),
	}
	moves := []crm.LadderMove{xpMove(100, anna, move, crm.Rise, crm.Satisfied)}
	contacts := func(ms ...crm.MomentCount) []crm.MomentCount {
		return append([]crm.MomentCount{{Touchpoint: "bob.only", Contacts: 1}, {Touchpoint: "too.early", Contacts: 1},
			{Touchpoint: "too.late", Contacts: 1}}, ms...)
	}
	assert.Equal(t, contacts(crm.MomentCount{Touchpoint: "twice", Contacts: 2, Up: 1}, crm.MomentCount{Touchpoint: "window.end", Contacts: 1, Up: 1},
		crm.MomentCount{Touchpoint: "window.start", Contacts: 1, Up: 1}),
		storekit.MomentsOfTruth(moves, ins, crm.MomentsQuery{}))
	assert.Equal(t, contacts(crm.MomentCount{Touchpoint: "twice", Contacts: 2, Up: 1}, crm.MomentCount{Touchpoint: "window.end", Contacts: 1, Up: 1},
		crm.MomentCount{Touchpoint: "window.start", Contacts: 1}),
		storekit.MomentsOfTruth(moves, ins, crm.MomentsQuery{Window: time.Hour}))
	assert.Equal(t, 7*xpDay, crm.MomentsQuery{}.Lookback())
	assert.Equal(t, time.Hour, crm.MomentsQuery{Window: time.Hour}.Lookback())
	assert.Equal(t, contacts(crm.MomentCount{Touchpoint: "twice", Contacts: 2}, crm.MomentCount{Touchpoint: "window.end", Contacts: 1},
		crm.MomentCount{Touchpoint: "window.start", Contacts: 1}), storekit.MomentsOfTruth(nil, ins, crm.MomentsQuery{}),
		"contacts without moves count for the base rate")
	assert.Empty(t, storekit.MomentsOfTruth(moves, nil, crm.MomentsQuery{}))
}

func TestMomentsOfTruthDirection(t *testing.T) {
	for _, tc := range []struct {
		event crm.LadderEvent
		to    crm.LoyaltyStage
		up    bool
	}{
		{crm.Rise, crm.Loyal, true},
		{crm.WinBack, crm.Indifferent, true},
		{crm.Slide, crm.Satisfied, false},
		{crm.Fall, crm.Annoyed, false},
		{crm.Churn, crm.Lost, false},
	} {
		m := xpMove(100, xpID(1), start, tc.event, tc.to)
		assert.Equal(t, tc.up, m.Up(), string(tc.event))
		want := crm.MomentCount{Touchpoint: "phone", Contacts: 1, Down: 1}
		if tc.up {
			want = crm.MomentCount{Touchpoint: "phone", Contacts: 1, Up: 1}
		}
		got := storekit.MomentsOfTruth([]crm.LadderMove{m}, []crm.Interaction{xpContact(1, xpID(1), "phone", start.Add(-time.Minute))}, crm.MomentsQuery{})
		assert.Equal(t, []crm.MomentCount{want}, got, string(tc.event))
	}
}

func TestMomentsOfTruthRange(t *testing.T) {
	anna := xpID(1)
	from, to := start, start.Add(10*xpDay)
	ins := []crm.Interaction{
		xpContact(1, anna, "before.from", from.Add(-time.Hour)), // before the range, but in the window of the move at from
		xpContact(2, anna, "mid", from.Add(4*xpDay)),
		xpContact(3, anna, "at.to", to.Add(-time.Minute)),
	}
	moves := []crm.LadderMove{
		xpMove(100, anna, from.Add(-time.Nanosecond), crm.Rise, crm.Satisfied), // out
		xpMove(101, anna, from, crm.Rise, crm.Loyal),                           // in
		xpMove(102, anna, from.Add(5*xpDay), crm.Slide, crm.Satisfied),         // in: sees before.from and mid
		xpMove(103, anna, to, crm.Fall, crm.Annoyed),                           // out
	}
	assert.Equal(t, []crm.MomentCount{{Touchpoint: "at.to", Contacts: 1}, {Touchpoint: "before.from", Contacts: 1, Up: 1, Down: 1},
		{Touchpoint: "mid", Contacts: 1, Down: 1}},
		storekit.MomentsOfTruth(moves, ins, crm.MomentsQuery{From: from, To: to}))
	all := storekit.MomentsOfTruth(moves, ins, crm.MomentsQuery{})
	assert.Equal(t, []crm.MomentCount{{Touchpoint: "at.to", Contacts: 1, Down: 1}, {Touchpoint: "before.from", Contacts: 1, Up: 2, Down: 1},
		{Touchpoint: "mid", Contacts: 1, Down: 2}}, all)
}

// The contacts of a touchpoint are those that could come before a move in
// the range: from the window before From up to To.
func TestMomentsOfTruthContacts(t *testing.T) {
	anna, bob := xpID(1), xpID(2)
	from, to := start, start.Add(10*xpDay)
	ins := []crm.Interaction{
		xpContact(1, anna, "phone", from.Add(-2*xpDay)),                // in the window before From
		xpContact(2, bob, "phone", from.Add(-2*xpDay-time.Nanosecond)), // before it
		xpContact(3, bob, "phone", from.Add(xpDay)),                    // another customer's: a contact all the same
		xpContact(4, anna, "phone", to.Add(-time.Nanosecond)),          // the last instant
		xpContact(5, anna, "phone", to),                                // at To: out
		xpContact(6, bob, "web", from),
	}
	q := crm.MomentsQuery{From: from, To: to, Window: 2 * xpDay}
	assert.Equal(t, []crm.MomentCount{{Touchpoint: "phone", Contacts: 3}, {Touchpoint: "web", Contacts: 1}},
		storekit.MomentsOfTruth(nil, ins, q))
	assert.Equal(t, []crm.MomentCount{{Touchpoint: "phone", Contacts: 4}, {Touchpoint: "web", Contacts: 1}},
		storekit.MomentsOfTruth(nil, ins, crm.MomentsQuery{To: to}), "an open start stays open")
}

// A move is a moment of truth only when the evidence behind it was at a
// touchpoint: a score fading with time, a dunning letter or a churn
// recorded by hand follow no contact, whatever contacts came before.
func TestMomentsOfTruthOnlyMovesAtATouchpoint(t *testing.T) {
	anna := xpID(1)
	ins := []crm.Interaction{xpContact(1, anna, "phone", start.Add(-time.Hour))}
	away := func(id int, kind crm.EvidenceKind, event crm.LadderEvent, to crm.LoyaltyStage) crm.LadderMove {
		m := xpMove(id, anna, start.Add(time.Duration(id)*time.Minute), event, to)
		m.Evidence = crm.EvidenceRef{Kind: kind}
		return m
	}
	moves := []crm.LadderMove{
		away(100, "fading", crm.Slide, crm.Satisfied),
		away(101, crm.EvidenceDunned, crm.Fall, crm.Annoyed),
		away(102, crm.EvidenceChurn, crm.Churn, crm.Lost),
		away(103, crm.EvidencePurchase, crm.WinBack, crm.Indifferent),
		xpMove(104, anna, start.Add(2*time.Hour), crm.Rise, crm.Satisfied),
	}
	assert.Equal(t, []crm.MomentCount{{Touchpoint: "phone", Contacts: 1, Up: 1}}, storekit.MomentsOfTruth(moves, ins, crm.MomentsQuery{}))
}

func TestLadderDistribution(t *testing.T) {
	at := start.Add(10 * xpDay)
	customer := func(n int, created time.Time) crm.Customer { return crm.Customer{ID: xpID(n), CreatedAt: created} }
	customers := []crm.Customer{
		customer(1, start), customer(2, start), customer(3, start),
		customer(4, at.Add(time.Nanosecond)), // created after: left out
		customer(5, at),                      // created at the instant, no move: indifferent
		customer(6, start),                   // its only move is after: indifferent
	}
	moves := []crm.LadderMove{
		xpMove(12, xpID(1), start.Add(2*xpDay), crm.Rise, crm.Loyal),
		xpMove(11, xpID(1), start.Add(xpDay), crm.Rise, crm.Satisfied),
		xpMove(13, xpID(1), at.Add(time.Nanosecond), crm.Rise, crm.Advocate), // after: ignored
		xpMove(22, xpID(2), at, crm.Fall, crm.Annoyed),                       // the same instant, the higher ID wins
		xpMove(21, xpID(2), at, crm.Rise, crm.Satisfied),
		xpMove(31, xpID(3), start.Add(xpDay), crm.Churn, crm.Lost),
		xpMove(41, xpID(4), start.Add(xpDay), crm.Rise, crm.Advocate),
		xpMove(61, xpID(6), at.Add(xpDay), crm.Rise, crm.Advocate),
	}
	assert.Equal(t, []crm.StageCount{{Stage: crm.Annoyed, Customers: 1}, {Stage: crm.Indifferent, Customers: 2},
		{Stage: crm.Satisfied}, {Stage: crm.Loyal, Customers: 1}, {Stage: crm.Advocate}, {Stage: crm.Lost, Customers: 1}},
		storekit.LadderDistribution(customers, moves, at))
	assert.Equal(t, []crm.StageCount{{Stage: crm.Annoyed}, {Stage: crm.Indifferent}, {Stage: crm.Satisfied}, {Stage: crm.Loyal},
		{Stage: crm.Advocate}, {Stage: crm.Lost}}, storekit.LadderDistribution(nil, moves, at))
}

func TestAggregateByPeriodAcrossYears(t *testing.T) {
	var ins []crm.Interaction
	for i, at := range []time.Time{
		time.Date(2027, 1, 4, 0, 0, 0, 0, time.UTC),
		time.Date(2024, 12, 29, 23, 59, 59, 0, time.UTC),
		time.Date(2024, 12, 30, 0, 0, 0, 0, time.UTC),
		time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC),
		time.Date(2026, 12, 31, 12, 0, 0, 0, time.UTC),
		time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 1, 1, 1, 0, 0, 0, time.FixedZone("UTC+2", 2*3600)),     // 2025-12-31 in UTC
		time.Date(2026, 12, 31, 20, 0, 0, 0, time.FixedZone("UTC-5", -5*3600)), // 2027-01-01 in UTC
	} {
		ins = append(ins, xpContact(i+1, xpID(1), "phone", at))
	}
	for _, tc := range []struct {
		period crm.Period
		want   []string
	}{
		{crm.PeriodDay, []string{"2024-12-29||1", "2024-12-30||1", "2025-01-01||1", "2025-12-31||1", "2026-12-31||1", "2027-01-01||2",
			"2027-01-04||1"}},
		{crm.PeriodWeek, []string{"2024-W52||1", "2025-W01||2", "2026-W01||1", "2026-W53||3", "2027-W01||1"}},
		{crm.PeriodMonth, []string{"2024-12||2", "2025-01||1", "2025-12||1", "2026-12||1", "2027-01||3"}},
	} {
		exp, cases := xpAggregateRows(t, ins, crm.ExperienceQuery{Period: tc.period})
		assert.Equal(t, tc.want, exp, "experience by %s", tc.period)
		assert.Equal(t, tc.want, cases, "cases by %s", tc.period)
	}
}
