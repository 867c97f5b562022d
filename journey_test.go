package crm_test

import (
	"strings"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/storekit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// xpDay is one day.
const xpDay = 24 * time.Hour

// xpContact is an inbound contact, numbered id, of a customer at a
// touchpoint of bankMap.
func xpContact(id int, customer crm.ID, tp string, at time.Time) crm.Interaction {
	return crm.Interaction{ID: xpID(id), Customer: customer, Map: xpID(900), Touchpoint: tp, At: at, Direction: crm.Inbound}
}

// xpVisit is a contact on a journey, after start.
type xpVisit struct {
	tp    string
	after time.Duration
}

// xpPath is a journey through the visits, in the order given.
func xpPath(visits ...xpVisit) crm.Journey {
	j := crm.Journey{Customer: xpID(1)}
	for _, v := range visits {
		j.Steps = append(j.Steps, crm.JourneyStep{Touchpoint: v.tp, At: start.Add(v.after)})
	}
	return j
}

func TestNewJourney(t *testing.T) {
	anna, bob := xpID(1), xpID(2)
	late := xpContact(30, anna, "phone", start.Add(2*time.Hour))
	late.Phase, late.Channel, late.Resolved = crm.PhaseSupport, crm.ChannelContactCenter, true
	late.Transfers = []crm.Transfer{{From: "Service", To: "Cards"}, {From: "Cards", To: "Legal"}}
	late.Survey.CSAT = ptr(2)
	late.Sentiment = crm.VeryPositive
	// The same instant, given in another zone and out of ID order.
	sameB := xpContact(21, anna, "branch.b", start.In(time.FixedZone("UTC+5", 5*3600)))
	sameA := xpContact(20, anna, "branch.a", start)
	sameA.Sentiment = crm.Negative
	first := xpContact(10, anna, "web", start.Add(-time.Hour))
	other := xpContact(5, bob, "web", start.Add(-2*time.Hour))

	j := crm.NewJourney(anna, []crm.Interaction{late, sameB, other, sameA, first})
	assert.Equal(t, anna, j.Customer)
	var ids []crm.ID
	for _, s := range j.Steps {
		ids = append(ids, s.Interaction)
	}
	assert.Equal(t, []crm.ID{xpID(10), xpID(20), xpID(21), xpID(30)}, ids, "by time, then by ID; Bob's contact dropped")
	assert.Equal(t, crm.JourneyStep{Interaction: xpID(30), At: late.At, Touchpoint: "phone", Phase: crm.PhaseSupport,
		Channel: crm.ChannelContactCenter, Satisfaction: 2, Resolved: true, Transfers: 2}, j.Steps[3])
	assert.Equal(t, 2, j.Steps[1].Satisfaction, "from the sentiment")

	assert.Empty(t, crm.NewJourney(xpID(3), []crm.Interaction{late, other}).Steps)
}

func TestJourneyPhases(t *testing.T) {
	j := crm.Journey{Steps: []crm.JourneyStep{{Phase: crm.PhaseOrdering}, {Phase: crm.PhaseBilling}, {Phase: crm.PhaseOrdering},
		{Phase: "onboarding"}, {Phase: crm.PhaseSupport}, {Phase: crm.PhaseBilling}}}
	assert.Equal(t, []crm.Phase{crm.PhaseOrdering, crm.PhaseBilling, "onboarding", crm.PhaseSupport}, j.Phases())
	assert.Empty(t, crm.Journey{}.Phases())
}

func TestJourneyMermaid(t *testing.T) {
	j := crm.Journey{Steps: []crm.JourneyStep{
		{Touchpoint: "web.apply", Phase: crm.PhaseOrdering, Satisfaction: 5},
		{Touchpoint: "phone.verify", Phase: crm.PhaseOrdering, Satisfaction: 2},
		{Touchpoint: "bill", Phase: crm.PhaseBilling, Satisfaction: 3},
		{Touchpoint: "chat", Satisfaction: 1},
		{Touchpoint: "web.apply", Phase: crm.PhaseOrdering, Satisfaction: 4},
	}}
	names := map[string]string{"web.apply": "Apply: online", "phone.verify": "Identity check", "chat": "Chat #1; urgent\nnow"}
	got := j.Mermaid("Anna's card: week 1", names)
	assert.Equal(t, `journey
    title Anna's card - week 1
    section ordering
      Apply - online: 5: Customer
      Identity check: 2: Customer
    section billing
      bill: 3: Customer
    section (no phase)
      Chat no.1, urgent now: 1: Customer
    section ordering
      Apply - online: 4: Customer
`, got)
	for _, line := range strings.Split(strings.TrimSpace(got), "\n")[2:] {
		if !strings.HasPrefix(strings.TrimSpace(line), "section ") {
			assert.Equal(t, 2, strings.Count(line, ":"), "a task is name: score: actor, in %q", line)
		}
	}
	assert.Equal(t, "journey\n    title Empty\n", crm.Journey{}.Mermaid("Empty", nil))
}

func TestJourneyTemplateCompare(t *testing.T) {
	tmpl := crm.JourneyTemplate{ID: xpID(700), Name: "Get a card", Steps: []string{"apply", "verify", "approve", "deliver"}}
	v := func(tp string, after time.Duration) xpVisit { return xpVisit{tp, after} }
	for _, tc := range []struct {
		name    string
		window  time.Duration
		journey crm.Journey
		want    crm.JourneyComparison
	}{
		{"perfect path", 0, xpPath(v("apply", 0), v("verify", 10*xpDay), v("approve", 20*xpDay), v("deliver", 30*xpDay)),
			crm.JourneyComparison{Reached: []string{"apply", "verify", "approve", "deliver"}, Completed: true}},
		{"a skipped step", 0, xpPath(v("apply", 0), v("approve", 10*xpDay), v("deliver", 20*xpDay)),
			crm.JourneyComparison{Reached: []string{"apply", "approve", "deliver"}, Skipped: []string{"verify"}, Completed: true}},
		{"a loop back", 0, xpPath(v("apply", 0), v("verify", 10*xpDay), v("approve", 20*xpDay), v("apply", 30*xpDay),
			v("verify", 40*xpDay), v("approve", 50*xpDay), v("deliver", 60*xpDay)),
			crm.JourneyComparison{Reached: []string{"apply", "verify", "approve", "deliver"}, Loops: []string{"apply", "verify"}, Completed: true}},
		{"a skipped step caught up later is a loop", 0, xpPath(v("apply", 0), v("approve", 10*xpDay), v("verify", 20*xpDay)),
			crm.JourneyComparison{Reached: []string{"apply", "verify", "approve"}, Loops: []string{"verify"}, DroppedAfter: "approve"}},
		{"a repeat inside the default window", 0, xpPath(v("apply", 0), v("apply", 3*xpDay), v("verify", 4*xpDay)),
			crm.JourneyComparison{Reached: []string{"apply", "verify"}, Repeats: []crm.Repeat{{Touchpoint: "apply", Count: 1}}, DroppedAfter: "verify"}},
		{"a repeat exactly 7 days later", 0, xpPath(v("apply", 0), v("apply", 7*xpDay)),
			crm.JourneyComparison{Reached: []string{"apply"}, Repeats: []crm.Repeat{{Touchpoint: "apply", Count: 1}}, DroppedAfter: "apply"}},
		{"a contact just outside the default window", 0, xpPath(v("apply", 0), v("apply", 7*xpDay+time.Nanosecond)),
			crm.JourneyComparison{Reached: []string{"apply"}, DroppedAfter: "apply"}},
		{"each contact is measured from the one before", 0, xpPath(v("verify", 0), v("verify", 5*xpDay), v("verify", 10*xpDay),
			v("verify", 20*xpDay)), crm.JourneyComparison{Reached: []string{"verify"}, Skipped: []string{"apply"},
			Repeats: []crm.Repeat{{Touchpoint: "verify", Count: 2}}, DroppedAfter: "verify"}},
		{"a repeat outside a custom window", time.Hour, xpPath(v("apply", 0), v("apply", 2*time.Hour), v("verify", 2*time.Hour+time.Minute),
			v("verify", 3*time.Hour+time.Minute)), crm.JourneyComparison{Reached: []string{"apply", "verify"},
			Repeats: []crm.Repeat{{Touchpoint: "verify", Count: 1}}, DroppedAfter: "verify"}},
		{"off-path touchpoints", 0, xpPath(v("apply", 0), v("chat", xpDay), v("verify", 2*xpDay), v("branch", 3*xpDay), v("chat", 4*xpDay),
			v("apply", 5*xpDay), v("approve", 20*xpDay), v("deliver", 30*xpDay)),
			crm.JourneyComparison{Reached: []string{"apply", "verify", "approve", "deliver"}, Loops: []string{"apply"},
				Repeats: []crm.Repeat{{Touchpoint: "apply", Count: 1}, {Touchpoint: "chat", Count: 1}}, OffPath: []string{"chat", "branch"}, Completed: true}},
		{"a drop-off", 0, xpPath(v("apply", 0), v("verify", xpDay)),
			crm.JourneyComparison{Reached: []string{"apply", "verify"}, DroppedAfter: "verify"}},
		{"a drop-off after skipping", 0, xpPath(v("approve", 0)),
			crm.JourneyComparison{Reached: []string{"approve"}, Skipped: []string{"apply", "verify"}, DroppedAfter: "approve"}},
		{"only off the path", 0, xpPath(v("chat", 0)), crm.JourneyComparison{OffPath: []string{"chat"}}},
		{"an empty journey", 0, crm.Journey{}, crm.JourneyComparison{}},
		{"back after completing", 0, xpPath(v("apply", 0), v("verify", 10*xpDay), v("approve", 20*xpDay), v("deliver", 30*xpDay),
			v("verify", 40*xpDay)), crm.JourneyComparison{Reached: []string{"apply", "verify", "approve", "deliver"},
			Loops: []string{"verify"}, Completed: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tm := tmpl
			tm.RepeatWindow = tc.window
			want := tc.want
			want.Template = tmpl.ID
			assert.Equal(t, want, tm.Compare(tc.journey))
		})
	}
}

func TestJourneyMap(t *testing.T) {
	m := crm.TouchpointMap{ID: xpID(900), Name: "Cards", Touchpoints: []crm.Touchpoint{
		{Key: "web", Name: "Website", Channel: crm.ChannelWeb, Medium: crm.MediumWeb, Phase: crm.PhaseConsideration},
		{Key: "web.apply", Name: "Apply: online form", Parent: "web", Phase: crm.PhaseOrdering},
		{Key: "phone", Name: "Call center", Channel: crm.ChannelContactCenter, Medium: crm.MediumPhone, Phase: crm.PhaseOrdering},
		{Key: "phone.verify", Name: "Identity check", Parent: "phone"},
		{Key: "branch", Name: "Branch", Channel: crm.ChannelBranch, Phase: crm.PhaseFulfillment},
		{Key: "branch.pickup", Name: "Pick up the card", Parent: "branch"},
	}}
	rs, err := m.Resolve()
	require.NoError(t, err)
	byKey := map[string]crm.ResolvedTouchpoint{}
	for _, r := range rs {
		byKey[r.Key] = r
	}
	anna := xpID(1)
	var ins []crm.Interaction
	for i, c := range []struct {
		tp   string
		csat int
	}{{"web.apply", 5}, {"web.apply", 4}, {"phone.verify", 1}, {"phone.verify", 2}, {"branch.pickup", 4}, {"phone", 5}} {
		in := xpContact(i+1, anna, c.tp, start.Add(time.Duration(i)*time.Hour))
		in.Survey.CSAT = ptr(c.csat)
		ins = append(ins, in)
	}
	stats := storekit.AggregateExperience(ins, crm.ExperienceQuery{GroupBy: crm.ByTouchpoint})
	tmpl := crm.JourneyTemplate{Name: "Get a card: fast", Map: m.ID, Steps: []string{"web", "web.apply", "phone.verify", "branch.pickup"}}
	assert.Equal(t, `journey
    title Get a card - fast
    section consideration
      %% Website: no contacts, no score
    section ordering
      Apply - online form: 4.5: Customer
      Identity check: 1.5: Customer
    section fulfillment
      Pick up the card: 4.0: Customer
`, tmpl.Mermaid(byKey, stats))
}

// The journey map shows the real average at a step, not a default when
// nobody came and not a rounded whole that makes every step look alike:
// the mean satisfaction to one decimal, rounded half up from the exact
// sums.
func TestJourneyTemplateMermaidScores(t *testing.T) {
	m := crm.TouchpointMap{ID: xpID(600), Name: "Bank", Touchpoints: []crm.Touchpoint{
		{Key: "web", Name: "Website", Channel: crm.ChannelWeb, Phase: crm.PhaseOrdering},
		{Key: "hotline", Name: "Hotline", Channel: crm.ChannelContactCenter, Phase: crm.PhaseSupport},
		{Key: "app", Name: "App", Channel: crm.ChannelMobileApp, Phase: crm.PhaseSupport},
	}}
	rs, err := m.Resolve()
	require.NoError(t, err)
	byKey := map[string]crm.ResolvedTouchpoint{}
	for _, r := range rs {
		byKey[r.Key] = r
	}
	tmpl := crm.JourneyTemplate{Name: "Card", Map: m.ID, Steps: []string{"web", "hotline", "app"}}
	for _, tc := range []struct {
		name string
		web  crm.ExperienceCounts
		want string
	}{
		{"no contacts anywhere", crm.ExperienceCounts{}, "%% Website: no contacts, no score"},
		{"one answer", crm.ExperienceCounts{Interactions: 1, SatisfactionSum: 5}, "Website: 5.0: Customer"},
		{"a mean of 4.25 rounds half up", crm.ExperienceCounts{Interactions: 4, SatisfactionSum: 17}, "Website: 4.3: Customer"},
		{"a mean of 4.24 rounds down", crm.ExperienceCounts{Interactions: 25, SatisfactionSum: 106}, "Website: 4.2: Customer"},
		{"a mean of 1.05 rounds half up", crm.ExperienceCounts{Interactions: 20, SatisfactionSum: 21}, "Website: 1.1: Customer"},
		{"the lowest", crm.ExperienceCounts{Interactions: 3, SatisfactionSum: 3}, "Website: 1.0: Customer"},
	} {
		tc.web.Group = "web"
		got := tmpl.Mermaid(byKey, []crm.ExperienceCounts{tc.web, {Group: "hotline", Interactions: 7, SatisfactionSum: 12}})
		assert.Contains(t, got, "\n      "+tc.want+"\n", tc.name)
		assert.Contains(t, got, "\n      Hotline: 1.7: Customer\n", tc.name)
		assert.Contains(t, got, "\n      %% App: no contacts, no score\n", tc.name)
		assert.NotContains(t, got, ": 3: Customer", tc.name)
	}
}

func TestJourneyTemplateClone(t *testing.T) {
	tm := crm.JourneyTemplate{ID: xpID(700), Name: "Get a card", Steps: []string{"apply", "verify"}, RepeatWindow: time.Hour}
	cp := tm.Clone()
	require.Equal(t, tm, cp)
	cp.Steps[0] = "changed"
	assert.Equal(t, []string{"apply", "verify"}, tm.Steps)
}
