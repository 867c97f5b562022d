package crm

import (
	"fmt"
	"strings"
)

// Transition is one row of a state machine's table: the move Event takes
// a record from From to To. Who, When and Why explain the move to a
// reader of the table and of its diagrams.
type Transition[S, E ~string] struct {
	From  S      `json:"from"`
	Event E      `json:"event"`
	To    S      `json:"to"`
	Who   string `json:"who,omitempty"`  // who may make the move, e.g. "the owner, a manager of the team, an admin"
	When  string `json:"when,omitempty"` // when it happens, e.g. "the customer stops buying"
	Why   string `json:"why,omitempty"`  // why the move exists
}

type moveKey[S, E ~string] struct {
	from  S
	event E
}

// Machine is an explicit transition table. It holds no state of its own:
// the state lives in the caller's record, and Next computes the move. A
// Machine is immutable and safe for concurrent use.
type Machine[S, E ~string] struct {
	name    string
	initial S
	table   []Transition[S, E]
	index   map[moveKey[S, E]]int
	states  []S
}

// NewMachine builds a machine from its table. A (From, Event) pair may
// appear once; a row may have From equal to To (a self-transition, which
// Next allows and reports as a move to the same state).
func NewMachine[S, E ~string](name string, initial S, table ...Transition[S, E]) (*Machine[S, E], error) {
	m := &Machine[S, E]{name: name, initial: initial, index: make(map[moveKey[S, E]]int, len(table))}
	seen := map[S]bool{}
	addState := func(s S) {
		if !seen[s] {
			seen[s] = true
			m.states = append(m.states, s)
		}
	}
	addState(initial)
	for i, t := range table {
		if t.From == "" || t.To == "" || t.Event == "" {
			return nil, invalid(fmt.Sprintf("table[%d]", i), "required", "from, event and to must be set")
		}
		k := moveKey[S, E]{t.From, t.Event}
		if _, dup := m.index[k]; dup {
			return nil, invalid(fmt.Sprintf("table[%d]", i), "unique", fmt.Sprintf("%s on %s is defined twice", t.Event, t.From))
		}
		m.index[k] = i
		addState(t.From)
		addState(t.To)
	}
	m.table = append([]Transition[S, E](nil), table...)
	return m, nil
}

// mustMachine builds the package's own machines, whose tables are fixed
// and covered by tests.
func mustMachine[S, E ~string](name string, initial S, table ...Transition[S, E]) *Machine[S, E] {
	m, err := NewMachine(name, initial, table...)
	if err != nil {
		panic(err)
	}
	return m
}

// Name returns the machine's name.
func (m *Machine[S, E]) Name() string { return m.name }

// Initial returns the state a new record starts in.
func (m *Machine[S, E]) Initial() S { return m.initial }

// Next returns the state event leads to from from, or a *TransitionError.
func (m *Machine[S, E]) Next(from S, event E) (S, error) {
	i, ok := m.index[moveKey[S, E]{from, event}]
	if !ok {
		return from, &TransitionError{Machine: m.name, From: string(from), Event: string(event)}
	}
	return m.table[i].To, nil
}

// Can reports whether event is allowed from from.
func (m *Machine[S, E]) Can(from S, event E) bool {
	_, ok := m.index[moveKey[S, E]{from, event}]
	return ok
}

// Lookup returns the table row for event from from.
func (m *Machine[S, E]) Lookup(from S, event E) (Transition[S, E], bool) {
	i, ok := m.index[moveKey[S, E]{from, event}]
	if !ok {
		return Transition[S, E]{}, false
	}
	return m.table[i], true
}

// Events returns the events allowed from from, in table order.
func (m *Machine[S, E]) Events(from S) []E {
	var out []E
	for _, t := range m.table {
		if t.From == from {
			out = append(out, t.Event)
		}
	}
	return out
}

// States returns every state, the initial one first, then in table order.
func (m *Machine[S, E]) States() []S { return append([]S(nil), m.states...) }

// Table returns a copy of the transition table.
func (m *Machine[S, E]) Table() []Transition[S, E] {
	return append([]Transition[S, E](nil), m.table...)
}

// Mermaid renders the machine as a Mermaid stateDiagram-v2. Each move is
// labelled with its event and preceded by a comment with who, when and why.
func (m *Machine[S, E]) Mermaid() string {
	var b strings.Builder
	b.WriteString("stateDiagram-v2\n")
	ids := make(map[S]string, len(m.states))
	for i, s := range m.states {
		if isIdent(string(s)) {
			ids[s] = string(s)
			continue
		}
		ids[s] = fmt.Sprintf("s%d", i)
		fmt.Fprintf(&b, "    state %q as s%d\n", mermaidText(string(s)), i)
	}
	fmt.Fprintf(&b, "    [*] --> %s\n", ids[m.initial])
	for _, t := range m.table {
		if note := t.explain(); note != "" {
			fmt.Fprintf(&b, "    %%%% %s\n", strings.ReplaceAll(note, "\n", " "))
		}
		fmt.Fprintf(&b, "    %s --> %s: %s\n", ids[t.From], ids[t.To], mermaidText(string(t.Event)))
	}
	return b.String()
}

// DOT renders the machine as a Graphviz digraph; who, when and why become
// each edge's tooltip.
func (m *Machine[S, E]) DOT() string {
	var b strings.Builder
	fmt.Fprintf(&b, "digraph %s {\n    rankdir=LR;\n    node [shape=box, style=rounded];\n", dotQuote(m.name))
	fmt.Fprintf(&b, "    __start [shape=point];\n    __start -> %s;\n", dotQuote(string(m.initial)))
	for _, t := range m.table {
		fmt.Fprintf(&b, "    %s -> %s [label=%s", dotQuote(string(t.From)), dotQuote(string(t.To)), dotQuote(string(t.Event)))
		if note := t.explain(); note != "" {
			fmt.Fprintf(&b, ", tooltip=%s", dotQuote(note))
		}
		b.WriteString("];\n")
	}
	b.WriteString("}\n")
	return b.String()
}

func (t Transition[S, E]) explain() string {
	var parts []string
	if t.Who != "" {
		parts = append(parts, "who: "+t.Who)
	}
	if t.When != "" {
		parts = append(parts, "when: "+t.When)
	}
	if t.Why != "" {
		parts = append(parts, "why: "+t.Why)
	}
	return strings.Join(parts, "; ")
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (i > 0 && r >= '0' && r <= '9') {
			continue
		}
		return false
	}
	return true
}

// mermaidText removes the characters that end a Mermaid label.
func mermaidText(s string) string {
	return strings.NewReplacer("\n", " ", ";", ",", ":", " ", "\"", "'").Replace(s)
}

func dotQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}
