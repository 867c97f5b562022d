package crm

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPainPoints(t *testing.T) {
	exp := []ExperienceCounts{
		{Group: "a", Interactions: 10, Inbound: 10, FirstContactResolved: 10, NPSAnswers: 10, Detractors: 5, AnswerBreaches: 1},
		{Group: "e", Interactions: 5, AnswerBreaches: 5},
		{Group: "b", Interactions: 10, Inbound: 5, FirstContactResolved: 4, AnswerBreaches: 2, Transfers: 30, CSATAnswers: 4, CSATSatisfied: 1},
		{Group: "c", Interactions: 4, Detractors: 4, NPSAnswers: 4},
		{Group: "d", Interactions: 5, AnswerBreaches: 5},
		{Group: "calm", Interactions: 5, Inbound: 5, FirstContactResolved: 5, NPSAnswers: 5, Promoters: 5},
	}
	cases := []CaseCounts{
		{Group: "a", Period: "2026-03", Opened: 2, ResolveBreaches: 1, PromisesBroken: 1},
		{Group: "a", Period: "2026-04", Opened: 2, ResolveBreaches: 1, PromisesBroken: 1},
		{Group: "calm", Opened: 10, ResolveBreaches: 1},
	}
	got := rankPain(exp, cases, 5, DefaultPainWeights())
	type pain struct {
		tp      string
		pain    float64
		reasons []string
	}
	var summary []pain
	for _, p := range got {
		summary = append(summary, pain{p.Touchpoint, p.Pain, p.Reasons})
	}
	assert.Equal(t, []pain{
		{"b", 18.75 + 3 + 10 + 2, []string{"75% of CSAT answers below 4", "20% waited longer than the standard", "3.0 transfers per contact",
			"20% of inbound contacts not resolved at once"}},
		{"a", 15 + 1.5 + 2.5 + 2.5, []string{"NPS -50 from 10 answers", "2 cases resolved late", "2 promises broken"}},
		{"d", 15, []string{"100% waited longer than the standard"}},
		{"e", 15, []string{"100% waited longer than the standard"}},
		{"calm", 0.5, nil},
	}, summary)
	assert.Equal(t, exp[0], got[1].Experience)
	assert.Equal(t, int64(4), got[1].Cases.Opened, "case counts of every period")

	assert.Len(t, rankPain(exp, cases, 11, DefaultPainWeights()), 0)
	assert.Len(t, rankPain(exp, nil, 4, DefaultPainWeights()), 6, "4 contacts are enough")
	few := rankPain([]ExperienceCounts{{Group: "none"}, {Group: "one", Interactions: 1}}, nil, 0, DefaultPainWeights())
	require.Len(t, few, 1, "at least one contact, whatever the minimum")
	assert.Equal(t, "one", few[0].Touchpoint)
	assert.Zero(t, few[0].Pain)
}

// The weights are the rules' to set: the same counts rank differently
// when broken promises are all that counts.
func TestPainPointsWeighAsTold(t *testing.T) {
	exp := []ExperienceCounts{
		{Group: "slow", Interactions: 10, AnswerBreaches: 10},
		{Group: "promises", Interactions: 10},
	}
	cases := []CaseCounts{{Group: "promises", Opened: 4, PromisesBroken: 2}}
	got := rankPain(exp, cases, 1, DefaultPainWeights())
	assert.Equal(t, []string{"slow", "promises"}, []string{got[0].Touchpoint, got[1].Touchpoint})
	assert.Equal(t, []float64{15, 2.5}, []float64{got[0].Pain, got[1].Pain})

	got = rankPain(exp, cases, 1, PainWeights{BrokenPromises: 100})
	assert.Equal(t, []string{"promises", "slow"}, []string{got[0].Touchpoint, got[1].Touchpoint})
	assert.Equal(t, []float64{50, 0}, []float64{got[0].Pain, got[1].Pain})
	assert.Equal(t, []string{"2 promises broken"}, got[0].Reasons)
	assert.Empty(t, got[1].Reasons, "a failing that weighs nothing is no reason")
}

func TestPainPointsKeepEveryCaseCount(t *testing.T) {
	exp := []ExperienceCounts{{Group: "phone", Interactions: 5}}
	cases := []CaseCounts{
		{Group: "phone", Opened: 3, Complaints: 2, Resolved: 2, ResolutionMicros: 7_200_000_000, FirstContactResolved: 1, Handoffs: 4, Reopens: 1},
		{Group: "phone", Opened: 1, Complaints: 1, Resolved: 1, ResolutionMicros: 3_600_000_000, Handoffs: 2},
	}
	got := rankPain(exp, cases, 1, DefaultPainWeights())
	require.Len(t, got, 1)
	assert.Equal(t, CaseCounts{Group: "phone", Opened: 4, Complaints: 3, Resolved: 3, ResolutionMicros: 10_800_000_000,
		FirstContactResolved: 1, Handoffs: 6, Reopens: 1}, got[0].Cases)
	assert.Equal(t, time.Hour, got[0].Cases.AverageResolution())
}

// The touchpoint everyone passes comes before the most moves; that is
// traffic. Moments of truth are ranked by moves per contact against the
// base rate, and a touchpoint with too small a sample is set apart.
func TestMomentsReport(t *testing.T) {
	ms := []MomentCount{
		{Touchpoint: "app", Contacts: 100, Up: 20},
		{Touchpoint: "branch", Contacts: 19, Up: 3},
		{Touchpoint: "hotline", Contacts: 40, Up: 2, Down: 12},
		{Touchpoint: "quiet", Contacts: 50},
		{Touchpoint: "web.apply", Contacts: 430, Up: 43, Down: 10},
	}
	r := momentsReport(ms, MomentsQuery{})
	assert.Equal(t, MomentCount{Contacts: 639, Up: 68, Down: 22}, r.Base, "every touchpoint, the small ones too")
	assert.Equal(t, int64(DefaultMomentsMinContacts), r.MinContacts)
	assert.Equal(t, 7*24*time.Hour, r.Window)
	names := func(ms []Moment) (out []string) {
		for _, m := range ms {
			out = append(out, m.Touchpoint)
		}
		return out
	}
	assert.Equal(t, []string{"app", "web.apply", "hotline"}, names(r.Up), "by up lift, not by volume")
	assert.Equal(t, []string{"hotline", "web.apply"}, names(r.Down))
	assert.Equal(t, []MomentCount{{Touchpoint: "branch", Contacts: 19, Up: 3}}, r.TooFew)
	upBase, downBase := 68.0/639, 22.0/639
	assert.InDelta(t, 0.2/upBase, r.Up[0].UpLift, 1e-12)
	assert.InDelta(t, 0.1/upBase, r.Up[1].UpLift, 1e-12)
	assert.InDelta(t, 0.3/downBase, r.Down[0].DownLift, 1e-12)
	assert.Equal(t, r.Up[2], r.Down[0], "one touchpoint, both lifts")
	rate, ok := r.Up[0].UpRate()
	assert.True(t, ok)
	assert.Equal(t, 0.2, rate)
	_, ok = MomentCount{}.DownRate()
	assert.False(t, ok)

	r = momentsReport(ms, MomentsQuery{MinContacts: 10})
	assert.Equal(t, []string{"app", "branch", "web.apply", "hotline"}, names(r.Up), "a smaller sample is the caller's to allow")
	assert.Empty(t, r.TooFew)

	tied := momentsReport([]MomentCount{{Touchpoint: "a", Contacts: 20, Up: 2}, {Touchpoint: "b", Contacts: 40, Up: 4},
		{Touchpoint: "c", Contacts: 30, Up: 3}, {Touchpoint: "d", Contacts: 20, Up: 2}}, MomentsQuery{})
	assert.Equal(t, []string{"b", "c", "a", "d"}, names(tied.Up), "equal rates: more moves first, then by touchpoint")
	assert.Equal(t, 1.0, tied.Up[0].UpLift)

	assert.Equal(t, MomentsReport{Window: 7 * 24 * time.Hour, MinContacts: 20}, momentsReport(nil, MomentsQuery{}))
	one := momentsReport([]MomentCount{{Touchpoint: "a", Contacts: 1, Up: 1}}, MomentsQuery{MinContacts: 0})
	assert.Len(t, one.TooFew, 1)
}

// Ratios are compared exactly, even where their products overflow int64
// and where float64 cannot tell them apart.
func TestCompareRatios(t *testing.T) {
	const big = int64(1) << 62
	assert.Equal(t, 0, compareRatios(1, 3, 2, 6))
	assert.Equal(t, -1, compareRatios(1, 3, 1, 2))
	assert.Equal(t, -1, compareRatios(big, big-1, big-1, big-2), "b/(b-1) < (b-1)/(b-2), which float64 sees as equal")
	assert.Equal(t, float64(big)/float64(big-1), float64(big-1)/float64(big-2))
}
