package crm_test

import (
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCESScale(t *testing.T) {
	ces2, ces1 := crm.DefaultCESScale(), crm.CESScale{Min: 1, Max: 5}
	for _, tc := range []struct {
		name   string
		scale  crm.CESScale
		answer int
		ease   int
	}{
		{"CES 2.0: 7 is very easy", ces2, 7, 3},
		{"CES 2.0: 1 is very hard", ces2, 1, -3},
		{"CES 2.0: 4 is the middle", ces2, 4, 0},
		{"CES 2.0: 5 is somewhat easy", ces2, 5, 1},
		{"CES 1.0: 1 is very little effort", ces1, 1, 2},
		{"CES 1.0: 5 is very much effort", ces1, 5, -2},
		{"0-10, higher easier", crm.CESScale{Min: 0, Max: 10, HigherIsEasier: true}, 10, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.NoError(t, tc.scale.Check())
			assert.Equal(t, tc.ease, tc.scale.Ease(tc.answer))
			assert.Equal(t, tc.ease > 0, tc.scale.Easy(tc.answer))
		})
	}
	for _, bad := range []crm.CESScale{{Min: 1, Max: 6}, {Min: 1, Max: 2}, {Min: -1, Max: 5}, {Min: 1, Max: 13}, {}} {
		assert.ErrorIs(t, bad.Check(), crm.ErrInvalid, "%+v", bad)
	}
}

// The ladder weighs a CES answer by the configured scale: on CES 2.0 (the
// default) a 7 is an easy contact and earns what a 1 costs.
func TestLadderWeighsCESByScale(t *testing.T) {
	ces := func(v int) crm.Evidence {
		return crm.Evidence{Kind: crm.EvidenceExperience, At: at(0), Survey: crm.Survey{CES: ptr(v)}, Resolved: true}
	}
	resolved := crm.DefaultLadderRules().Resolved
	for _, tc := range []struct {
		name   string
		rules  crm.LadderRules
		answer int
		points int64
	}{
		{"CES 2.0: 7 earns", crm.DefaultLadderRules(), 7, 9},
		{"CES 2.0: 1 costs", crm.DefaultLadderRules(), 1, -9},
		{"CES 2.0: 4 is neutral", crm.DefaultLadderRules(), 4, 0},
		{"CES 1.0: 1 earns", crm.DefaultLadderRules().WithCESScale(crm.CESScale{Min: 1, Max: 5}), 1, 6},
		{"CES 1.0: 5 costs", crm.DefaultLadderRules().WithCESScale(crm.CESScale{Min: 1, Max: 5}), 5, -6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, _ := replay(t, tc.rules, ces(tc.answer))
			assert.Equal(t, tc.points+resolved, st.Points())
		})
	}
	_, _, err := crm.DefaultLadderRules().WithCESScale(crm.CESScale{Min: 1, Max: 5}).Replay(start, []crm.Evidence{ces(7)})
	assert.ErrorIs(t, err, crm.ErrInvalid, "7 is off the 1-5 scale")
}

// The CRM accepts CES answers on its scale and weighs them its way, in
// recording and in a replay under other rules alike.
func TestCESScaleThroughTheCRM(t *testing.T) {
	b := newBank(t)
	c := b.customer(t, b.Ann, "Easy Eve")
	in, _ := b.record(t, withCES(b.contact(c, "hotline", start), 7))
	assert.Equal(t, 7, *in.Survey.CES)
	st, err := b.Ladder.State(ctx, b.Ann.ID, c.ID)
	require.NoError(t, err)
	assert.Equal(t, int64(9-4), st.Points(), "CES 7 on CES 2.0 is easy: +9; not resolved: -4")

	co := newCompany(t, crm.WithCESScale(crm.CESScale{Min: 1, Max: 5}))
	m, err := co.Experience.CreateTouchpointMap(ctx, co.Admin.ID, retailBank())
	require.NoError(t, err)
	b1 := &bank{company: co, m: m}
	d := b1.customer(t, b1.Ann, "Effortless Ed")
	_, err = b1.Experience.RecordInteraction(ctx, b1.Ann.ID, withCES(b1.contact(d, "hotline", start), 7))
	assert.ErrorIs(t, err, crm.ErrInvalid)
	b1.record(t, withCES(b1.contact(d, "hotline", start), 1))
	st, err = b1.Ladder.State(ctx, b1.Ann.ID, d.ID)
	require.NoError(t, err)
	re, err := b1.Ladder.Replay(ctx, b1.Ann.ID, crm.ReplayQuery{Customer: d.ID, Rules: crm.DefaultLadderRules()})
	require.NoError(t, err)
	assert.Equal(t, st.Score, re.State.Score, "a replay reads the answers on the CRM's scale")

	_, err = crm.New(co.Store, crm.WithCESScale(crm.CESScale{Min: 1, Max: 4}))
	assert.ErrorIs(t, err, crm.ErrInvalid)
}

func withCES(n crm.NewInteraction, v int) crm.NewInteraction {
	n.Survey.CES = &v
	return n
}

func withNPS(n crm.NewInteraction, v int) crm.NewInteraction {
	n.Survey.NPS = &v
	return n
}

// Four promoters and one detractor who answered six times: per answer the
// NPS is (4-6)/10 = -20, per respondent (4-1)/5 = +60.
func TestNPSPerRespondent(t *testing.T) {
	b := newBank(t)
	for i := range 4 {
		c := b.customer(t, b.Ann, "Promoter "+string(rune('A'+i)))
		b.record(t, withNPS(b.contact(c, "hotline", earlier.Add(time.Duration(i)*time.Minute)), 9+i%2))
	}
	d := b.customer(t, b.Ann, "Dan the detractor")
	for i := range 6 {
		b.record(t, withNPS(b.contact(d, "hotline", earlier.Add(time.Duration(10+i)*time.Minute)), i%4))
	}
	stats, err := b.Experience.Stats(ctx, b.Admin.ID, crm.ExperienceQuery{Period: crm.PeriodMonth})
	require.NoError(t, err)
	require.Len(t, stats, 1)
	s := stats[0]
	perAnswer, _ := s.NPS()
	perRespondent, ok := s.RespondentNPS()
	require.True(t, ok)
	assert.Equal(t, -20.0, perAnswer)
	assert.Equal(t, 60.0, perRespondent)
	assert.Equal(t, []crm.NPSFigure{
		{Basis: crm.NPSPerAnswer, Answers: 10, Promoters: 4, Detractors: 6, Score: -20},
		{Basis: crm.NPSPerRespondent, Answers: 5, Promoters: 4, Detractors: 1, Score: 60},
	}, s.NPSFigures())
}

// A respondent counts with the latest answer in the period: a detractor
// who became a promoter is a promoter this month, and a detractor last
// month.
func TestNPSPerRespondentTakesTheLatestAnswerOfThePeriod(t *testing.T) {
	b := newBank(t)
	c := b.customer(t, b.Ann, "Changing Chris")
	feb := start.AddDate(0, -1, 0)
	for _, a := range []struct {
		at  time.Time
		nps int
	}{{feb, 10}, {feb.Add(time.Hour), 2}, {earlier.Add(time.Hour), 10}, {earlier, 0}} { // recorded out of order
		b.record(t, withNPS(b.contact(c, "hotline", a.at), a.nps))
	}
	stats, err := b.Experience.Stats(ctx, b.Admin.ID, crm.ExperienceQuery{Period: crm.PeriodMonth})
	require.NoError(t, err)
	require.Len(t, stats, 2)
	assert.Equal(t, [3]int64{1, 0, 1}, [3]int64{stats[0].NPSRespondents, stats[0].RespondentPromoters, stats[0].RespondentDetractors}, stats[0].Period)
	assert.Equal(t, [3]int64{1, 1, 0}, [3]int64{stats[1].NPSRespondents, stats[1].RespondentPromoters, stats[1].RespondentDetractors}, stats[1].Period)
	all, err := b.Experience.Stats(ctx, b.Admin.ID, crm.ExperienceQuery{})
	require.NoError(t, err)
	nps, _ := all[0].RespondentNPS()
	assert.Equal(t, 100.0, nps, "over all time the latest answer is the 10")
}

// Relationship and transactional surveys are asked apart: a contact's
// survey is transactional unless told otherwise.
func TestSurveyKinds(t *testing.T) {
	b := newBank(t)
	c := b.customer(t, b.Ann, "Surveyed Sue")
	tx, _ := b.record(t, withNPS(b.contact(c, "hotline", earlier), 2))
	assert.Equal(t, crm.TransactionalSurvey, tx.SurveyKind)
	rel := withNPS(b.contact(c, "web", earlier.Add(time.Minute)), 10)
	rel.SurveyKind = crm.RelationshipSurvey
	in, _ := b.record(t, rel)
	assert.Equal(t, crm.RelationshipSurvey, in.SurveyKind)
	plain, _ := b.record(t, b.contact(c, "web", earlier.Add(2*time.Minute)))
	assert.Empty(t, plain.SurveyKind, "no answer, no survey")

	for _, tc := range []struct {
		kind     crm.SurveyKind
		contacts int64
		nps      float64
	}{{"", 3, 100}, {crm.TransactionalSurvey, 1, -100}, {crm.RelationshipSurvey, 1, 100}} {
		stats, err := b.Experience.Stats(ctx, b.Admin.ID, crm.ExperienceQuery{Survey: tc.kind})
		require.NoError(t, err)
		require.Len(t, stats, 1)
		assert.Equal(t, tc.contacts, stats[0].Interactions, tc.kind)
		nps, _ := stats[0].RespondentNPS()
		assert.Equal(t, tc.nps, nps, tc.kind)
	}

	bad := b.contact(c, "web", start)
	bad.SurveyKind = crm.RelationshipSurvey
	_, err := b.Experience.RecordInteraction(ctx, b.Ann.ID, bad)
	assert.ErrorIs(t, err, crm.ErrInvalid, "a kind without an answer")
	bad = withNPS(bad, 5)
	bad.SurveyKind = "quarterly"
	_, err = b.Experience.RecordInteraction(ctx, b.Ann.ID, bad)
	assert.ErrorIs(t, err, crm.ErrInvalid)
	_, err = b.Experience.Stats(ctx, b.Admin.ID, crm.ExperienceQuery{Survey: "quarterly"})
	assert.ErrorIs(t, err, crm.ErrInvalid)
}

// earlier is a few hours before the clock's first reading, on its day.
var earlier = start.Add(-3 * time.Hour)

// The hotline's own callers are promoters, the card hotline's below it
// detractors: the hotline's figures include the card hotline's, and both
// its own and the rolled-up figures are shown.
func TestTouchpointStatsRollUp(t *testing.T) {
	b := newBank(t)
	answer := func(name, key string, nps int, at time.Time) {
		c := b.customer(t, b.Ann, name)
		b.record(t, withNPS(b.contact(c, key, at), nps))
	}
	answer("Happy Hal", "hotline", 10, earlier)
	answer("Happy Hana", "hotline", 9, earlier)
	answer("Cross Carl", "hotline.cards", 0, earlier)
	answer("Cross Cleo", "hotline.cards", 3, earlier)
	answer("Cross Cy", "hotline.cards", 6, earlier)
	answer("Billing Bo", "hotline.billing", 8, earlier)
	answer("Web Wu", "web", 10, earlier)

	stats, err := b.Experience.TouchpointStats(ctx, b.Admin.ID, crm.TouchpointStatsQuery{Map: b.m.ID})
	require.NoError(t, err)
	type row struct {
		key                 string
		depth               int
		own, rollup         int64
		ownNPS, rolledUpNPS float64
	}
	var got []row
	for _, s := range stats {
		o, _ := s.Own.RespondentNPS()
		r, _ := s.Rollup.RespondentNPS()
		got = append(got, row{s.Touchpoint, s.Depth, s.Own.Interactions, s.Rollup.Interactions, o, r})
	}
	assert.Equal(t, []row{
		{"web", 0, 1, 1, 100, 100},
		{"hotline", 0, 2, 6, 100, -100.0 / 6}, // 2 promoters, 3 detractors, 1 passive of 6
		{"hotline.cards", 1, 3, 3, -100, -100},
		{"hotline.billing", 1, 1, 1, 0, 0},
	}, got)
	assert.Equal(t, "hotline", stats[1].Rollup.Group)
	assert.Equal(t, "hotline", stats[2].Parent)

	_, err = b.Experience.TouchpointStats(ctx, b.Admin.ID, crm.TouchpointStatsQuery{})
	assert.ErrorIs(t, err, crm.ErrInvalid)
}
