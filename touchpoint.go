package crm

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Channel is the way a customer reaches the company (contact center, internet, self-service, mobile devices, stores). Custom channels
// are any other key.
type Channel string

// The common channels.
const (
	ChannelContactCenter Channel = "contact_center"
	ChannelWeb           Channel = "web"
	ChannelSelfService   Channel = "self_service"
	ChannelMobileApp     Channel = "mobile_app"
	ChannelBranch        Channel = "branch" // a store or a bank branch
	ChannelField         Channel = "field"  // the company comes to the customer
)

// Medium is how one contact is carried (phone, chat, e-mail,
// web, in person). Custom media are any other key.
type Medium string

// The common media.
const (
	MediumPhone    Medium = "phone"
	MediumChat     Medium = "chat"
	MediumEmail    Medium = "email"
	MediumWeb      Medium = "web"
	MediumInPerson Medium = "in_person"
	MediumLetter   Medium = "letter"
)

// Phase is a stage of the customer lifecycle a touchpoint serves (such as
// ordering, fulfillment, billing, support). Custom phases are any other
// key.
type Phase string

// The common phases, in lifecycle order.
const (
	PhaseAwareness     Phase = "awareness"
	PhaseConsideration Phase = "consideration"
	PhaseOrdering      Phase = "ordering"
	PhaseFulfillment   Phase = "fulfillment"
	PhaseBilling       Phase = "billing"
	PhaseSupport       Phase = "support"
	PhaseRenewal       Phase = "renewal"
)

// Phases lists the common phases in lifecycle order; custom phases sort
// after them.
func Phases() []Phase {
	return []Phase{PhaseAwareness, PhaseConsideration, PhaseOrdering, PhaseFulfillment, PhaseBilling, PhaseSupport, PhaseRenewal}
}

// ServiceStandards are the promises a touchpoint keeps, the same wherever
// the customer meets them. Zero fields are unset and inherited from the parent.
type ServiceStandards struct {
	AnswerWithin  time.Duration `json:"answer_within_ns"`  // the longest a customer should wait for an answer
	ResolveWithin time.Duration `json:"resolve_within_ns"` // the longest a case opened here should take to resolve
	MinCSAT       int           `json:"min_csat"`          // the lowest acceptable CSAT answer, 1-5
}

// Touchpoint is a place where the customer meets the company. Main
// touchpoints have no parent; sub-touchpoints name their parent's key and
// inherit every field they leave empty.
type Touchpoint struct {
	Key        string           `json:"key,omitempty" privacy:"none"` // unique in the map: [A-Za-z0-9_.-], 1-64 characters
	Name       string           `json:"name,omitempty" privacy:"none"`
	Parent     string           `json:"parent,omitempty" privacy:"none"` // the parent's key; "" for a main touchpoint
	Channel    Channel          `json:"channel,omitempty"`
	Medium     Medium           `json:"medium,omitempty"`
	Phase      Phase            `json:"phase,omitempty"`
	Department string           `json:"department,omitempty" privacy:"none"` // who owns it
	Standards  ServiceStandards `json:"standards,omitzero"`
	Weight     int              `json:"weight"` // how much an experience here counts on the loyalty ladder, in percent; 0 inherits (100 at the top)
}

// TouchpointMap is the designed set of touchpoints of a business: a
// hierarchy up to 15 levels below its main touchpoints. A bank has up to
// 300 of them; maps of thousands stay fast (Resolve is linear).
type TouchpointMap struct {
	ID          ID           `json:"id,omitzero"`
	Name        string       `json:"name,omitempty" privacy:"none"`
	Touchpoints []Touchpoint `json:"touchpoints,omitempty" privacy:"none"`
	CreatedAt   time.Time    `json:"created_at,omitzero"`
	UpdatedAt   time.Time    `json:"updated_at,omitzero"`
	Version     int64        `json:"version"`
}

// ResolvedTouchpoint is a touchpoint with every inherited field filled in,
// as interactions and analytics see it.
type ResolvedTouchpoint struct {
	Map        ID               `json:"map,omitzero"`
	Key        string           `json:"key,omitempty"`
	Name       string           `json:"name,omitempty"`
	Parent     string           `json:"parent,omitempty"`
	Path       []string         `json:"path,omitempty"` // keys from the main touchpoint down to this one
	Channel    Channel          `json:"channel,omitempty"`
	Medium     Medium           `json:"medium,omitempty"`
	Phase      Phase            `json:"phase,omitempty"`
	Department string           `json:"department,omitempty"`
	Standards  ServiceStandards `json:"standards,omitzero"`
	Weight     int              `json:"weight"`
}

// Depth is 0 for a main touchpoint, 1 for its sub-touchpoints, and so on.
func (r ResolvedTouchpoint) Depth() int { return len(r.Path) - 1 }

// maxTouchpoints bounds a map so that a bad request cannot exhaust memory;
// maxDepth bounds the hierarchy (a main touchpoint is at depth 0), which
// keeps every resolved Path short and Resolve linear.
const (
	maxTouchpoints = 50_000
	maxDepth       = 15
)

// Clone returns a deep copy.
func (m TouchpointMap) Clone() TouchpointMap {
	m.Touchpoints = slices.Clone(m.Touchpoints)
	return m
}

// Resolve checks the map (keys unique and well-formed, parents present, no
// cycles, values valid) and returns every touchpoint with its inherited
// fields filled in, parents before children, in map order otherwise.
func (m TouchpointMap) Resolve() ([]ResolvedTouchpoint, error) {
	if len(m.Touchpoints) > maxTouchpoints {
		return nil, invalid("touchpoints", "max_count", fmt.Sprintf("at most %d", maxTouchpoints))
	}
	byKey := make(map[string]int, len(m.Touchpoints))
	for i, tp := range m.Touchpoints {
		field := fmt.Sprintf("touchpoints[%d]", i)
		if !validKey(tp.Key) {
			return nil, invalid(field+".key", "key", fmt.Sprintf("%q must be 1-64 of A-Z a-z 0-9 _ . -", truncate(tp.Key, 70)))
		}
		if _, dup := byKey[tp.Key]; dup {
			return nil, invalid(field+".key", "unique", fmt.Sprintf("%q is used twice", tp.Key))
		}
		if err := tp.check(field); err != nil {
			return nil, err
		}
		byKey[tp.Key] = i
	}
	for i, tp := range m.Touchpoints {
		if _, ok := byKey[tp.Parent]; tp.Parent != "" && !ok {
			return nil, invalid(fmt.Sprintf("touchpoints[%d].parent", i), "exists", fmt.Sprintf("no touchpoint %q", tp.Parent))
		}
	}
	// Resolve parents first; a touchpoint met again while its own chain
	// is being resolved closes a cycle.
	const (
		unseen = iota
		visiting
		done
	)
	state := make([]int, len(m.Touchpoints))
	resolved := make([]ResolvedTouchpoint, len(m.Touchpoints))
	out := make([]ResolvedTouchpoint, 0, len(m.Touchpoints))
	visit := func(start int) error {
		// Walk up to the first resolved ancestor without recursion, so a
		// deep chain cannot overflow the stack.
		chain := []int{}
		for i := start; ; {
			if state[i] == done {
				break
			}
			if state[i] == visiting {
				return invalid(fmt.Sprintf("touchpoints[%d].parent", i), "no_cycle", fmt.Sprintf("%q is its own ancestor", m.Touchpoints[i].Key))
			}
			state[i] = visiting
			chain = append(chain, i)
			p := m.Touchpoints[i].Parent
			if p == "" {
				break
			}
			i = byKey[p]
		}
		for k := len(chain) - 1; k >= 0; k-- {
			i := chain[k]
			tp := m.Touchpoints[i]
			var parent *ResolvedTouchpoint
			if tp.Parent != "" {
				parent = &resolved[byKey[tp.Parent]]
			}
			resolved[i] = tp.inherit(m.ID, parent)
			if resolved[i].Depth() > maxDepth {
				return invalid(fmt.Sprintf("touchpoints[%d].parent", i), "max_depth", fmt.Sprintf("%q is more than %d levels deep", tp.Key, maxDepth))
			}
			state[i] = done
			out = append(out, resolved[i])
		}
		return nil
	}
	for i := range m.Touchpoints {
		if err := visit(i); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (tp Touchpoint) check(field string) error {
	if _, err := cleanText(field+".name", tp.Name, maxNameLen, true); err != nil {
		return err
	}
	if _, err := cleanText(field+".department", tp.Department, maxShortTextLen, false); err != nil {
		return err
	}
	for _, f := range [...]struct{ name, v string }{{"channel", string(tp.Channel)}, {"medium", string(tp.Medium)}, {"phase", string(tp.Phase)}} {
		if f.v != "" && !validKey(f.v) {
			return invalid(field+"."+f.name, "key", fmt.Sprintf("%q must be 1-64 of A-Z a-z 0-9 _ . -", truncate(f.v, 70)))
		}
	}
	s := tp.Standards
	switch {
	case s.AnswerWithin < 0:
		return invalid(field+".standards.answer_within", "non_negative", "")
	case s.ResolveWithin < 0:
		return invalid(field+".standards.resolve_within", "non_negative", "")
	case s.MinCSAT < 0 || s.MinCSAT > 5:
		return invalid(field+".standards.min_csat", "range", "1-5, or 0 to inherit")
	case tp.Weight < 0 || tp.Weight > 1000:
		return invalid(field+".weight", "range", "0-1000 percent")
	}
	return nil
}

// inherit fills the fields tp leaves empty from its resolved parent.
func (tp Touchpoint) inherit(mapID ID, parent *ResolvedTouchpoint) ResolvedTouchpoint {
	r := ResolvedTouchpoint{
		Map: mapID, Key: tp.Key, Name: strings.TrimSpace(tp.Name), Parent: tp.Parent, Path: []string{tp.Key},
		Channel: tp.Channel, Medium: tp.Medium, Phase: tp.Phase, Department: strings.TrimSpace(tp.Department),
		Standards: tp.Standards, Weight: tp.Weight,
	}
	if parent == nil {
		if r.Weight == 0 {
			r.Weight = 100
		}
		return r
	}
	r.Path = append(slices.Clone(parent.Path), tp.Key)
	r.Channel = cmpOr(r.Channel, parent.Channel)
	r.Medium = cmpOr(r.Medium, parent.Medium)
	r.Phase = cmpOr(r.Phase, parent.Phase)
	r.Department = cmpOr(r.Department, parent.Department)
	r.Standards.AnswerWithin = cmpOr(r.Standards.AnswerWithin, parent.Standards.AnswerWithin)
	r.Standards.ResolveWithin = cmpOr(r.Standards.ResolveWithin, parent.Standards.ResolveWithin)
	r.Standards.MinCSAT = cmpOr(r.Standards.MinCSAT, parent.Standards.MinCSAT)
	r.Weight = cmpOr(r.Weight, parent.Weight)
	return r
}

// cmpOr returns v, or fallback when v is the zero value.
func cmpOr[T comparable](v, fallback T) T {
	var zero T
	if v == zero {
		return fallback
	}
	return v
}

func (m TouchpointMap) normalized() (TouchpointMap, error) {
	var err error
	if m.Name, err = cleanText("name", m.Name, maxNameLen, true); err != nil {
		return TouchpointMap{}, err
	}
	if _, err := m.Resolve(); err != nil {
		return TouchpointMap{}, err
	}
	for i := range m.Touchpoints {
		tp := &m.Touchpoints[i]
		tp.Name, tp.Department = strings.TrimSpace(tp.Name), strings.TrimSpace(tp.Department)
		// Stores keep microseconds.
		tp.Standards.AnswerWithin = tp.Standards.AnswerWithin.Truncate(time.Microsecond)
		tp.Standards.ResolveWithin = tp.Standards.ResolveWithin.Truncate(time.Microsecond)
	}
	return m, nil
}

// Mermaid renders the hierarchy as a Mermaid flowchart: main touchpoints
// at the top, sub-touchpoints below their parents, each labelled with its
// name, channel and phase.
func (m TouchpointMap) Mermaid() (string, error) {
	rs, err := m.Resolve()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("flowchart TD\n")
	ids := make(map[string]string, len(rs))
	for i, r := range rs {
		ids[r.Key] = fmt.Sprintf("t%d", i)
		fmt.Fprintf(&b, "    t%d[\"%s<br/>%s · %s\"]\n", i, mermaidLabel(r.Name), mermaidLabel(string(r.Channel)), mermaidLabel(string(r.Phase)))
	}
	for _, r := range rs {
		if r.Parent != "" {
			fmt.Fprintf(&b, "    %s --> %s\n", ids[r.Parent], ids[r.Key])
		}
	}
	return b.String(), nil
}

// DOT renders the hierarchy as a Graphviz digraph, one cluster per
// department.
func (m TouchpointMap) DOT() (string, error) {
	rs, err := m.Resolve()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "digraph %s {\n    rankdir=TB;\n    node [shape=box, style=rounded];\n", dotQuote(m.Name))
	var depts []string
	for _, r := range rs {
		if !slices.Contains(depts, r.Department) {
			depts = append(depts, r.Department)
		}
	}
	for i, d := range depts {
		fmt.Fprintf(&b, "    subgraph cluster_%d {\n        label=%s;\n", i, dotQuote(cmpOr(d, "(no department)")))
		for _, r := range rs {
			if r.Department == d {
				fmt.Fprintf(&b, "        %s [label=%s];\n", dotQuote(r.Key), dotQuote(r.Name+"\n"+string(r.Channel)+" / "+string(r.Medium)+" / "+string(r.Phase)))
			}
		}
		b.WriteString("    }\n")
	}
	for _, r := range rs {
		if r.Parent != "" {
			fmt.Fprintf(&b, "    %s -> %s;\n", dotQuote(r.Parent), dotQuote(r.Key))
		}
	}
	b.WriteString("}\n")
	return b.String(), nil
}

// mermaidLabel escapes text inside a quoted Mermaid label.
func mermaidLabel(s string) string {
	return strings.NewReplacer(`"`, "#quot;", "\n", " ", "<", "#lt;", ">", "#gt;").Replace(s)
}
