package crm

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// JourneyStep is one contact on a customer's journey.
type JourneyStep struct {
	Interaction  ID        `json:"interaction,omitzero"`
	At           time.Time `json:"at,omitzero"`
	Touchpoint   string    `json:"touchpoint,omitempty"`
	Phase        Phase     `json:"phase,omitempty"`
	Channel      Channel   `json:"channel,omitempty"`
	Satisfaction int       `json:"satisfaction"` // 1-5, see Interaction.Satisfaction
	Resolved     bool      `json:"resolved,omitempty"`
	Transfers    int       `json:"transfers"`
}

// Journey is a customer's path through the touchpoints, in the order the
// contacts happened.
type Journey struct {
	Customer ID            `json:"customer,omitzero"`
	Steps    []JourneyStep `json:"steps,omitempty"`
}

// NewJourney builds a customer's journey from their interactions, in any
// order: the steps are sorted by time (and by ID for contacts at the same
// instant), so an interaction recorded late takes its place.
func NewJourney(customer ID, interactions []Interaction) Journey {
	j := Journey{Customer: customer}
	for _, in := range interactions {
		if in.Customer != customer {
			continue
		}
		j.Steps = append(j.Steps, JourneyStep{Interaction: in.ID, At: in.At, Touchpoint: in.Touchpoint, Phase: in.Phase,
			Channel: in.Channel, Satisfaction: in.Satisfaction(), Resolved: in.Resolved, Transfers: len(in.Transfers)})
	}
	slices.SortStableFunc(j.Steps, func(a, b JourneyStep) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return a.Interaction.Compare(b.Interaction)
	})
	return j
}

// Phases returns the phases the journey went through, in the order it
// first entered them.
func (j Journey) Phases() []Phase {
	var out []Phase
	for _, s := range j.Steps {
		if !slices.Contains(out, s.Phase) {
			out = append(out, s.Phase)
		}
	}
	return out
}

// Mermaid renders the journey as a Mermaid journey diagram: a section per
// phase entered, a task per contact named after its touchpoint (names maps
// keys to display names; missing keys show the key), scored by
// satisfaction.
func (j Journey) Mermaid(title string, names map[string]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "journey\n    title %s\n", journeyText(title))
	section := Phase("\x00")
	for _, s := range j.Steps {
		if s.Phase != section {
			section = s.Phase
			fmt.Fprintf(&b, "    section %s\n", journeyText(cmpOr(string(s.Phase), "(no phase)")))
		}
		fmt.Fprintf(&b, "      %s: %d: Customer\n", journeyText(cmpOr(names[s.Touchpoint], s.Touchpoint)), s.Satisfaction)
	}
	return b.String()
}

// journeyText keeps a label from breaking Mermaid's journey syntax, in
// which ':' separates a task from its score and a newline ends it.
func journeyText(s string) string {
	return strings.NewReplacer(":", " -", "\n", " ", "#", "no.", ";", ",").Replace(s)
}

// JourneyTemplate is the intended path through a map's touchpoints, such
// as "apply for a card": the steps in order. RepeatWindow is how soon a
// second contact at the same touchpoint counts as a repeat contact (the
// first one did not settle the matter); 0 means 7 days.
type JourneyTemplate struct {
	ID           ID            `json:"id,omitzero"`
	Name         string        `json:"name,omitempty" privacy:"none"`
	Map          ID            `json:"map,omitzero"`
	Steps        []string      `json:"steps,omitempty" privacy:"none"`
	RepeatWindow time.Duration `json:"repeat_window_ns"`
	CreatedAt    time.Time     `json:"created_at,omitzero"`
	UpdatedAt    time.Time     `json:"updated_at,omitzero"`
	Version      int64         `json:"version"`
}

// Clone returns a deep copy.
func (t JourneyTemplate) Clone() JourneyTemplate {
	t.Steps = slices.Clone(t.Steps)
	return t
}

// check validates the template against the resolved touchpoints of its
// map.
func (t JourneyTemplate) normalized(touchpoints map[string]ResolvedTouchpoint) (JourneyTemplate, error) {
	var err error
	if t.Name, err = cleanText("name", t.Name, maxNameLen, true); err != nil {
		return JourneyTemplate{}, err
	}
	if len(t.Steps) == 0 || len(t.Steps) > 1000 {
		return JourneyTemplate{}, invalid("steps", "range", "1-1000 steps")
	}
	for i, k := range t.Steps {
		if _, ok := touchpoints[k]; !ok {
			return JourneyTemplate{}, invalid(fmt.Sprintf("steps[%d]", i), "exists", fmt.Sprintf("no touchpoint %q in the map", k))
		}
		if slices.Index(t.Steps, k) != i {
			return JourneyTemplate{}, invalid(fmt.Sprintf("steps[%d]", i), "unique", fmt.Sprintf("%q is in the path twice", k))
		}
	}
	if t.RepeatWindow < 0 {
		return JourneyTemplate{}, invalid("repeat_window", "non_negative", "")
	}
	t.RepeatWindow = t.RepeatWindow.Truncate(time.Microsecond) // stores keep microseconds
	return t, nil
}

// Repeat is a touchpoint the customer had to contact again within the
// repeat window.
type Repeat struct {
	Touchpoint string `json:"touchpoint,omitempty"`
	Count      int    `json:"count"` // contacts after the first within the window
}

// JourneyComparison compares the path a customer took with a template.
type JourneyComparison struct {
	Template     ID       `json:"template,omitzero"`
	Reached      []string `json:"reached,omitempty"`       // template steps the customer reached, in template order
	Skipped      []string `json:"skipped,omitempty"`       // template steps before the furthest one reached that the customer never visited
	Loops        []string `json:"loops,omitempty"`         // template steps the customer went back to after moving past them
	Repeats      []Repeat `json:"repeats,omitempty"`       // touchpoints contacted again within the repeat window
	OffPath      []string `json:"off_path,omitempty"`      // touchpoints visited that are not in the template, in first-visit order
	DroppedAfter string   `json:"dropped_after,omitempty"` // the furthest step reached, when the journey stops before the end; "" if completed or never started
	Completed    bool     `json:"completed,omitempty"`     // the last step was reached
}

// Compare lays the journey over the template: which steps were reached,
// skipped, looped back to or repeated, where the customer went off the
// path, and where they dropped off.
func (t JourneyTemplate) Compare(j Journey) JourneyComparison {
	cmp := JourneyComparison{Template: t.ID}
	window := cmpOr(t.RepeatWindow, 7*24*time.Hour)
	furthest := -1
	visited := make(map[string]bool)
	last := make(map[string]time.Time)
	repeats := make(map[string]int)
	for _, s := range j.Steps {
		i := slices.Index(t.Steps, s.Touchpoint)
		if prev, ok := last[s.Touchpoint]; ok && s.At.Sub(prev) <= window {
			repeats[s.Touchpoint]++
		}
		last[s.Touchpoint] = s.At
		switch {
		case i < 0:
			if !slices.Contains(cmp.OffPath, s.Touchpoint) {
				cmp.OffPath = append(cmp.OffPath, s.Touchpoint)
			}
		case i < furthest && !slices.Contains(cmp.Loops, s.Touchpoint):
			cmp.Loops = append(cmp.Loops, s.Touchpoint)
		case i > furthest:
			furthest = i
		}
		visited[s.Touchpoint] = true
	}
	for i, k := range t.Steps {
		switch {
		case visited[k]:
			cmp.Reached = append(cmp.Reached, k)
		case i < furthest:
			cmp.Skipped = append(cmp.Skipped, k)
		}
	}
	for _, k := range append(slices.Clone(t.Steps), cmp.OffPath...) {
		if n := repeats[k]; n > 0 {
			cmp.Repeats = append(cmp.Repeats, Repeat{Touchpoint: k, Count: n})
		}
	}
	cmp.Completed = furthest == len(t.Steps)-1
	if furthest >= 0 && !cmp.Completed {
		cmp.DroppedAfter = t.Steps[furthest]
	}
	return cmp
}

// Mermaid renders the template as a Mermaid journey diagram of what
// customers live through: a section per phase, a task per step named
// after its touchpoint (as the map's resolved touchpoints, by key, name
// it), scored by the mean satisfaction of the contacts there. stats are
// experience counts grouped by touchpoint.
//
// The score is Interaction.Satisfaction averaged over the step's contacts
// (the CSAT answer, 1-5, or the sentiment moved to 1-5), which is already
// Mermaid's 1-5 journey scale: 1 is the saddest face, 3 neutral, 5 the
// happiest. It is written to one decimal, rounded half up from the exact
// sums, so that 4.5 and 3.6 do not both show as 4. A step without
// contacts has no score: Mermaid needs one on every task, so the step is
// kept as a comment line ("%% Card hotline: no contacts, no score") that
// Mermaid skips, rather than drawn with a made-up one.
func (t JourneyTemplate) Mermaid(touchpoints map[string]ResolvedTouchpoint, stats []ExperienceCounts) string {
	byKey := make(map[string]ExperienceCounts, len(stats))
	for _, s := range stats {
		byKey[s.Group] = s
	}
	var b strings.Builder
	fmt.Fprintf(&b, "journey\n    title %s\n", journeyText(t.Name))
	section := Phase("\x00")
	for _, k := range t.Steps {
		tp := touchpoints[k]
		if tp.Phase != section {
			section = tp.Phase
			fmt.Fprintf(&b, "    section %s\n", journeyText(cmpOr(string(tp.Phase), "(no phase)")))
		}
		name := journeyText(cmpOr(tp.Name, k))
		tenths, ok := byKey[k].satisfactionTenths()
		if !ok {
			fmt.Fprintf(&b, "      %%%% %s: no contacts, no score\n", name)
			continue
		}
		fmt.Fprintf(&b, "      %s: %d.%d: Customer\n", name, tenths/10, tenths%10)
	}
	return b.String()
}
