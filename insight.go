package crm

import (
	"cmp"
	"fmt"
	"math/bits"
	"slices"
	"time"
)

// MomentsQuery asks which touchpoints come just before customers move on
// the ladder: for every move in [From, To), the touchpoints of the
// customer's contacts in the Window before it (7 days when zero).
//
// Only a move on evidence at a touchpoint (Evidence.Touchpoint set: a
// contact, a case, a purchase at a touchpoint) is a moment of truth: a
// move on evidence that names no touchpoint (a score fading with time, a
// dunning letter, a churn recorded by hand) followed no contact, whatever
// contacts came before it.
//
// MinContacts is the smallest sample a touchpoint is ranked on (0 means
// DefaultMomentsMinContacts): below it a rate says more about chance than
// about the touchpoint, and the touchpoint is listed as too few.
type MomentsQuery struct {
	From        time.Time     `json:"from,omitzero"`
	To          time.Time     `json:"to,omitzero"`
	Window      time.Duration `json:"window_ns"`
	MinContacts int64         `json:"min_contacts"`
}

// DefaultMomentsMinContacts is the smallest number of contacts a
// touchpoint's moments of truth are ranked on unless the query says
// otherwise: with fewer, one move more or less changes the rate by over 5
// points.
const DefaultMomentsMinContacts = 20

// Check reports a query the adapters cannot answer.
func (q MomentsQuery) Check() error {
	if q.Window < 0 {
		return invalid("window", "non_negative", "")
	}
	if q.MinContacts < 0 {
		return invalid("min_contacts", "non_negative", "")
	}
	return checkGrouping(q.From, q.To, ByTotal, PeriodAll)
}

// Lookback returns the window, with its default.
func (q MomentsQuery) Lookback() time.Duration { return cmpOr(q.Window, 7*24*time.Hour) }

// ContactsFrom is where the contacts counted at a touchpoint start: the
// window before From, since a contact that early can come before a move
// at From; zero (open) when From is.
func (q MomentsQuery) ContactsFrom() time.Time {
	if q.From.IsZero() {
		return q.From
	}
	return q.From.Add(-q.Lookback())
}

// MomentCount is what the store counts for moments of truth at one
// touchpoint: its contacts in [MomentsQuery.ContactsFrom, To), and how
// many moves up and down the ladder in [From, To) it came just before. A
// touchpoint counts once per move however many contacts the customer had
// there; a touchpoint with contacts and no moves is counted too, for the
// base rate.
type MomentCount struct {
	Touchpoint string `json:"touchpoint,omitempty"`
	Contacts   int64  `json:"contacts"`
	Up         int64  `json:"up"`
	Down       int64  `json:"down"`
}

// UpRate is how many moves up came after the touchpoint per contact
// there, Up/Contacts; false without contacts.
func (m MomentCount) UpRate() (float64, bool) { return ratio(m.Up, m.Contacts) }

// DownRate is how many moves down came after the touchpoint per contact
// there, Down/Contacts; false without contacts.
func (m MomentCount) DownRate() (float64, bool) { return ratio(m.Down, m.Contacts) }

// Moment is a touchpoint's moments of truth against the base: its counts,
// and its lifts, how many times the base rate its rates are (2 means a
// contact there comes before twice as many moves as a contact anywhere; 1
// means the touchpoint is like any other; 0 when the base has no moves of
// that direction).
type Moment struct {
	MomentCount
	UpLift   float64 `json:"up_lift"`
	DownLift float64 `json:"down_lift"`
}

// MomentsReport answers a MomentsQuery: which touchpoints customers had
// just been at, more than at others, when they moved up or down the
// ladder.
//
// A raw count of moves after a touchpoint measures its traffic: the
// touchpoint every customer passes comes before most moves. The report
// weighs moves per contact against the base rate, the moves per contact of
// all touchpoints together (Base: every touchpoint's contacts, ups and
// downs summed), and ranks by that lift. The rates are ratios of the
// counts, which every store returns alike; the ranking compares them as
// exact integer ratios, ties by more moves, then by touchpoint.
type MomentsReport struct {
	Window      time.Duration `json:"window_ns"`    // the lookback used
	MinContacts int64         `json:"min_contacts"` // the sample used
	Base        MomentCount   `json:"base"`         // all touchpoints together, Touchpoint ""
	// Up are the touchpoints with at least MinContacts contacts that came
	// before a move up, by up lift, highest first; Down likewise for moves
	// down.
	Up   []Moment `json:"up,omitempty"`
	Down []Moment `json:"down,omitempty"`
	// TooFew are the touchpoints that came before a move but had fewer
	// than MinContacts contacts: not ranked, by touchpoint.
	TooFew []MomentCount `json:"too_few,omitempty"`
}

// momentsReport ranks the counts a store returned for q.
func momentsReport(ms []MomentCount, q MomentsQuery) MomentsReport {
	r := MomentsReport{Window: q.Lookback(), MinContacts: cmpOr(q.MinContacts, DefaultMomentsMinContacts)}
	for _, m := range ms {
		r.Base.Contacts += m.Contacts
		r.Base.Up += m.Up
		r.Base.Down += m.Down
	}
	for _, m := range ms {
		switch {
		case m.Up+m.Down == 0:
		case m.Contacts < max(r.MinContacts, 1):
			r.TooFew = append(r.TooFew, m)
		default:
			mo := Moment{MomentCount: m, UpLift: lift(m.Up, m.Contacts, r.Base.Up, r.Base.Contacts),
				DownLift: lift(m.Down, m.Contacts, r.Base.Down, r.Base.Contacts)}
			if m.Up > 0 {
				r.Up = append(r.Up, mo)
			}
			if m.Down > 0 {
				r.Down = append(r.Down, mo)
			}
		}
	}
	byRate := func(moves func(Moment) int64) func(a, b Moment) int {
		return func(a, b Moment) int {
			return cmp.Or(-compareRatios(moves(a), a.Contacts, moves(b), b.Contacts), cmp.Compare(moves(b), moves(a)),
				cmp.Compare(a.Touchpoint, b.Touchpoint))
		}
	}
	slices.SortStableFunc(r.Up, byRate(func(m Moment) int64 { return m.Up }))
	slices.SortStableFunc(r.Down, byRate(func(m Moment) int64 { return m.Down }))
	slices.SortStableFunc(r.TooFew, func(a, b MomentCount) int { return cmp.Compare(a.Touchpoint, b.Touchpoint) })
	return r
}

// lift is the rate moves/contacts over the base rate baseMoves/baseContacts,
// 0 when either is undefined or the base is 0.
func lift(moves, contacts, baseMoves, baseContacts int64) float64 {
	if contacts <= 0 || baseMoves <= 0 || baseContacts <= 0 {
		return 0
	}
	return (float64(moves) / float64(contacts)) / (float64(baseMoves) / float64(baseContacts))
}

// compareRatios compares a/b with c/d exactly, for b, d > 0 and a, c >= 0:
// a·d against c·b in 128 bits.
func compareRatios(a, b, c, d int64) int {
	hi1, lo1 := bits.Mul64(uint64(a), uint64(d))
	hi2, lo2 := bits.Mul64(uint64(c), uint64(b))
	return cmp.Or(cmp.Compare(hi1, hi2), cmp.Compare(lo1, lo2))
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
