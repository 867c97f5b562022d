package crm

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// MomentsQuery asks which touchpoints come just before customers move on
// the ladder: for every move in [From, To), the touchpoints of the
// customer's contacts in the Window before it (7 days when zero).
type MomentsQuery struct {
	From   time.Time     `json:"from,omitzero"`
	To     time.Time     `json:"to,omitzero"`
	Window time.Duration `json:"window_ns"`
}

// Check reports a query the adapters cannot answer.
func (q MomentsQuery) Check() error {
	if q.Window < 0 {
		return invalid("window", "non_negative", "")
	}
	return checkGrouping(q.From, q.To, ByTotal, PeriodAll)
}

// Lookback returns the window, with its default.
func (q MomentsQuery) Lookback() time.Duration { return cmpOr(q.Window, 7*24*time.Hour) }

// MomentCount says how many moves up and down the ladder a touchpoint came
// just before. A touchpoint counts once per move however many contacts
// the customer had there.
type MomentCount struct {
	Touchpoint string `json:"touchpoint,omitempty"`
	Up         int64  `json:"up"`
	Down       int64  `json:"down"`
}

// rankMoments orders moments of truth by how many moves they came before,
// most first; ties by touchpoint.
func rankMoments(ms []MomentCount) []MomentCount {
	out := slices.Clone(ms)
	slices.SortStableFunc(out, func(a, b MomentCount) int {
		return cmp.Or(cmp.Compare(b.Up+b.Down, a.Up+a.Down), cmp.Compare(a.Touchpoint, b.Touchpoint))
	})
	return out
}

// StageCount is how many customers stand on a rung.
type StageCount struct {
	Stage     LoyaltyStage `json:"stage,omitempty"`
	Customers int64        `json:"customers"`
}

// PainPoint is a touchpoint that hurts, with how much and why.
//
// Pain adds up, in points of 100, the shares of what failed there, each
// times its weight (PainWeights; by default the share of NPS detractors
// 30, of CSAT answers below 4 25, of answers slower than the standard 15,
// transfers per contact up to one 10, inbound contacts not resolved at
// once 10, and the shares of cases resolved late 5 and of promises broken
// 5). A failing that weighs something and reaches a fifth of the contacts
// is named in Reasons. Touchpoints with too few contacts to judge are left
// out.
type PainPoint struct {
	Touchpoint string           `json:"touchpoint,omitempty"`
	Experience ExperienceCounts `json:"experience,omitzero"`
	Cases      CaseCounts       `json:"cases,omitzero"`
	Pain       float64          `json:"pain"` // 0-100
	Reasons    []string         `json:"reasons,omitempty"`
}

// rankPain ranks touchpoints by pain, worst first, from experience and
// case counts grouped by touchpoint, leaving out those with fewer than
// minContacts contacts; w are the weights, checked.
func rankPain(exp []ExperienceCounts, cases []CaseCounts, minContacts int64, w PainWeights) []PainPoint {
	caseBy := map[string]CaseCounts{}
	for _, c := range cases {
		acc := caseBy[c.Group]
		acc.merge(c)
		caseBy[c.Group] = acc
	}
	var out []PainPoint
	for _, e := range exp {
		if e.Interactions < max(minContacts, 1) {
			continue
		}
		p := PainPoint{Touchpoint: e.Group, Experience: e, Cases: caseBy[e.Group]}
		add := func(weight int, share float64, ok bool, reason string) {
			if !ok || weight == 0 {
				return
			}
			share = min(share, 1)
			p.Pain += float64(weight) * share
			if share >= 0.2 && reason != "" {
				p.Reasons = append(p.Reasons, reason)
			}
		}
		nps, _ := e.NPS()
		det, ok := ratio(e.Detractors, e.NPSAnswers)
		add(w.Detractors, det, ok, fmt.Sprintf("NPS %.0f from %d answers", nps, e.NPSAnswers))
		unhappy, ok := ratio(e.CSATAnswers-e.CSATSatisfied, e.CSATAnswers)
		add(w.UnhappyCSAT, unhappy, ok, fmt.Sprintf("%.0f%% of CSAT answers below 4", 100*unhappy))
		slow, ok := ratio(e.AnswerBreaches, e.Interactions)
		add(w.SlowAnswers, slow, ok, fmt.Sprintf("%.0f%% waited longer than the standard", 100*slow))
		tpc, ok := e.TransfersPerContact()
		add(w.Transfers, tpc, ok, fmt.Sprintf("%.1f transfers per contact", tpc))
		notFCR, ok := ratio(e.Inbound-e.FirstContactResolved, e.Inbound)
		add(w.NotResolved, notFCR, ok, fmt.Sprintf("%.0f%% of inbound contacts not resolved at once", 100*notFCR))
		late, ok := ratio(p.Cases.ResolveBreaches, p.Cases.Opened)
		add(w.LateCases, late, ok, fmt.Sprintf("%d cases resolved late", p.Cases.ResolveBreaches))
		broken, ok := ratio(p.Cases.PromisesBroken, p.Cases.Opened)
		add(w.BrokenPromises, broken, ok, fmt.Sprintf("%d promises broken", p.Cases.PromisesBroken))
		out = append(out, p)
	}
	slices.SortStableFunc(out, func(a, b PainPoint) int {
		return cmp.Or(cmp.Compare(b.Pain, a.Pain), cmp.Compare(a.Touchpoint, b.Touchpoint))
	})
	return out
}
