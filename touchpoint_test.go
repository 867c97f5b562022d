package crm_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// xpID is a fixed ID, so that outputs and orderings do not depend on
// random IDs: xpID(1) < xpID(2) < ...
func xpID(n int) crm.ID {
	id, err := crm.ParseID(fmt.Sprintf("00000000-0000-7000-8000-%012d", n))
	if err != nil {
		panic(err)
	}
	return id
}

// bankMap is a small bank's touchpoint map (seed 003): main touchpoints
// and sub-touchpoints that inherit what they leave empty.
func bankMap() crm.TouchpointMap {
	return crm.TouchpointMap{ID: xpID(900), Name: "Retail bank", Touchpoints: []crm.Touchpoint{
		{Key: "branch", Name: "Branch visit", Channel: crm.ChannelBranch, Medium: crm.MediumInPerson, Phase: crm.PhaseConsideration,
			Department: "Retail", Standards: crm.ServiceStandards{AnswerWithin: 10 * time.Minute, ResolveWithin: 72 * time.Hour, MinCSAT: 4}},
		{Key: "branch.account", Name: "Open an account", Parent: "branch", Phase: crm.PhaseOrdering},
		{Key: "phone", Name: "Call center", Channel: crm.ChannelContactCenter, Medium: crm.MediumPhone, Phase: crm.PhaseSupport,
			Department: "Service", Standards: crm.ServiceStandards{AnswerWithin: 2 * time.Minute}, Weight: 150},
		{Key: "phone.card", Name: "Card blocked", Parent: "phone", Department: "Cards"},
		{Key: "letter", Name: "Annual statement", Medium: crm.MediumLetter, Phase: crm.PhaseBilling},
	}}
}

// resolveMap resolves touchpoints that must be valid.
func resolveMap(t testing.TB, tps ...crm.Touchpoint) []crm.ResolvedTouchpoint {
	t.Helper()
	rs, err := crm.TouchpointMap{ID: xpID(900), Name: "map", Touchpoints: tps}.Resolve()
	require.NoError(t, err)
	return rs
}

func resolvedKeys(rs []crm.ResolvedTouchpoint) []string {
	keys := make([]string, len(rs))
	for i, r := range rs {
		keys[i] = r.Key
	}
	return keys
}

// requireParentsFirst checks that every touchpoint comes after its parent.
func requireParentsFirst(t testing.TB, rs []crm.ResolvedTouchpoint) {
	t.Helper()
	seen := make(map[string]bool, len(rs))
	for _, r := range rs {
		require.True(t, r.Parent == "" || seen[r.Parent], "%s comes before its parent %s", r.Key, r.Parent)
		seen[r.Key] = true
	}
}

func TestResolveInheritsEachField(t *testing.T) {
	parent := crm.Touchpoint{Key: "p", Name: "Parent", Channel: crm.ChannelBranch, Medium: crm.MediumInPerson, Phase: crm.PhaseOrdering,
		Department: "Retail", Standards: crm.ServiceStandards{AnswerWithin: 10 * time.Minute, ResolveWithin: 48 * time.Hour, MinCSAT: 4}, Weight: 200}
	inherited := crm.ResolvedTouchpoint{Map: xpID(900), Key: "c", Name: "Child", Parent: "p", Path: []string{"p", "c"},
		Channel: parent.Channel, Medium: parent.Medium, Phase: parent.Phase, Department: parent.Department, Standards: parent.Standards, Weight: 200}
	for _, tc := range []struct {
		name  string
		child crm.Touchpoint
		want  func(*crm.ResolvedTouchpoint)
	}{
		{"everything", crm.Touchpoint{}, func(*crm.ResolvedTouchpoint) {}},
		{"channel", crm.Touchpoint{Channel: crm.ChannelWeb}, func(r *crm.ResolvedTouchpoint) { r.Channel = crm.ChannelWeb }},
		{"medium", crm.Touchpoint{Medium: crm.MediumChat}, func(r *crm.ResolvedTouchpoint) { r.Medium = crm.MediumChat }},
		{"phase", crm.Touchpoint{Phase: crm.PhaseBilling}, func(r *crm.ResolvedTouchpoint) { r.Phase = crm.PhaseBilling }},
		{"custom phase", crm.Touchpoint{Phase: "onboarding"}, func(r *crm.ResolvedTouchpoint) { r.Phase = "onboarding" }},
		{"department", crm.Touchpoint{Department: "Legal"}, func(r *crm.ResolvedTouchpoint) { r.Department = "Legal" }},
		{"blank department", crm.Touchpoint{Department: "   "}, func(*crm.ResolvedTouchpoint) {}},
		{"answer within", crm.Touchpoint{Standards: crm.ServiceStandards{AnswerWithin: time.Minute}},
			func(r *crm.ResolvedTouchpoint) { r.Standards.AnswerWithin = time.Minute }},
		{"resolve within", crm.Touchpoint{Standards: crm.ServiceStandards{ResolveWithin: time.Hour}},
			func(r *crm.ResolvedTouchpoint) { r.Standards.ResolveWithin = time.Hour }},
		{"min CSAT", crm.Touchpoint{Standards: crm.ServiceStandards{MinCSAT: 5}}, func(r *crm.ResolvedTouchpoint) { r.Standards.MinCSAT = 5 }},
		{"weight", crm.Touchpoint{Weight: 50}, func(r *crm.ResolvedTouchpoint) { r.Weight = 50 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			child := tc.child
			child.Key, child.Name, child.Parent = "c", "  Child ", "p"
			rs := resolveMap(t, parent, child)
			require.Len(t, rs, 2)
			want := inherited
			want.Path = []string{"p", "c"}
			tc.want(&want)
			assert.Equal(t, want, rs[1])
			assert.Equal(t, 1, rs[1].Depth())
		})
	}
}

func TestResolveInheritsThroughLevels(t *testing.T) {
	rs := resolveMap(t,
		crm.Touchpoint{Key: "top", Name: "Top", Channel: crm.ChannelContactCenter, Medium: crm.MediumPhone, Phase: crm.PhaseSupport,
			Department: "Service", Standards: crm.ServiceStandards{AnswerWithin: time.Minute, ResolveWithin: time.Hour, MinCSAT: 3}},
		crm.Touchpoint{Key: "mid", Name: "Mid", Parent: "top", Department: "Cards", Standards: crm.ServiceStandards{MinCSAT: 4}, Weight: 300},
		crm.Touchpoint{Key: "leaf", Name: "Leaf", Parent: "mid", Medium: crm.MediumChat},
	)
	leaf := rs[2]
	assert.Equal(t, []string{"top", "mid", "leaf"}, leaf.Path)
	assert.Equal(t, 2, leaf.Depth())
	assert.Equal(t, crm.ChannelContactCenter, leaf.Channel, "from the top")
	assert.Equal(t, crm.MediumChat, leaf.Medium, "its own")
	assert.Equal(t, crm.PhaseSupport, leaf.Phase, "from the top")
	assert.Equal(t, "Cards", leaf.Department, "from the middle")
	assert.Equal(t, crm.ServiceStandards{AnswerWithin: time.Minute, ResolveWithin: time.Hour, MinCSAT: 4}, leaf.Standards)
	assert.Equal(t, 300, leaf.Weight, "from the middle")
}

func TestResolveWeight(t *testing.T) {
	rs := resolveMap(t,
		crm.Touchpoint{Key: "a", Name: "A"},
		crm.Touchpoint{Key: "a.1", Name: "A1", Parent: "a"},
		crm.Touchpoint{Key: "b", Name: "B", Weight: 1000},
		crm.Touchpoint{Key: "b.1", Name: "B1", Parent: "b"},
		crm.Touchpoint{Key: "b.2", Name: "B2", Parent: "b", Weight: 1},
	)
	weights := map[string]int{}
	for _, r := range rs {
		weights[r.Key] = r.Weight
	}
	assert.Equal(t, map[string]int{"a": 100, "a.1": 100, "b": 1000, "b.1": 1000, "b.2": 1}, weights)
}

func TestResolvePathDepthAndOrder(t *testing.T) {
	// Children listed before their parents still come after them.
	rs := resolveMap(t,
		crm.Touchpoint{Key: "c.1.a", Name: "C1a", Parent: "c.1"},
		crm.Touchpoint{Key: "b.1", Name: "B1", Parent: "b"},
		crm.Touchpoint{Key: "c.1", Name: "C1", Parent: "c"},
		crm.Touchpoint{Key: "b", Name: "B"},
		crm.Touchpoint{Key: "c", Name: "C"},
		crm.Touchpoint{Key: "a", Name: "A"},
	)
	assert.Equal(t, []string{"c", "c.1", "c.1.a", "b", "b.1", "a"}, resolvedKeys(rs))
	requireParentsFirst(t, rs)
	paths := map[string][]string{}
	depths := map[string]int{}
	for _, r := range rs {
		paths[r.Key] = r.Path
		depths[r.Key] = r.Depth()
	}
	assert.Equal(t, map[string][]string{"a": {"a"}, "b": {"b"}, "b.1": {"b", "b.1"}, "c": {"c"}, "c.1": {"c", "c.1"},
		"c.1.a": {"c", "c.1", "c.1.a"}}, paths)
	assert.Equal(t, map[string]int{"a": 0, "b": 0, "b.1": 1, "c": 0, "c.1": 1, "c.1.a": 2}, depths)
}

func TestResolvePathsAreNotShared(t *testing.T) {
	rs := resolveMap(t,
		crm.Touchpoint{Key: "a", Name: "A"},
		crm.Touchpoint{Key: "a.1", Name: "A1", Parent: "a"},
		crm.Touchpoint{Key: "a.2", Name: "A2", Parent: "a"},
	)
	rs[1].Path[0] = "changed"
	assert.Equal(t, []string{"a"}, rs[0].Path)
	assert.Equal(t, []string{"a", "a.2"}, rs[2].Path)
}

func TestResolveAcceptsLimits(t *testing.T) {
	key := strings.Repeat("k", 64)
	rs := resolveMap(t,
		crm.Touchpoint{Key: key, Name: strings.Repeat("n", 200), Department: strings.Repeat("d", 64), Channel: "Custom_channel-1.0",
			Standards: crm.ServiceStandards{MinCSAT: 5}, Weight: 1000},
		crm.Touchpoint{Key: "A-z_0.9", Name: `O'Brien "quoted" '; DROP TABLE x; --`, Parent: key, Standards: crm.ServiceStandards{MinCSAT: 1}},
	)
	assert.Equal(t, []string{key, "A-z_0.9"}, resolvedKeys(rs))
	assert.Equal(t, `O'Brien "quoted" '; DROP TABLE x; --`, rs[1].Name)
	rs, err := crm.TouchpointMap{}.Resolve()
	require.NoError(t, err)
	assert.Empty(t, rs)
}

func TestResolveRejects(t *testing.T) {
	a := crm.Touchpoint{Key: "a", Name: "A"}
	named := func(key, parent string) crm.Touchpoint { return crm.Touchpoint{Key: key, Name: key, Parent: parent} }
	with := func(f func(*crm.Touchpoint)) []crm.Touchpoint {
		tp := crm.Touchpoint{Key: "b", Name: "B", Parent: "a"}
		f(&tp)
		return []crm.Touchpoint{a, tp}
	}
	for _, tc := range []struct {
		name        string
		tps         []crm.Touchpoint
		field, rule string
	}{
		{"empty key", []crm.Touchpoint{a, {Name: "B"}}, "touchpoints[1].key", "key"},
		{"key with spaces", []crm.Touchpoint{{Key: "call center", Name: "A"}}, "touchpoints[0].key", "key"},
		{"SQL in a key", []crm.Touchpoint{{Key: "x'; DROP TABLE touchpoints; --", Name: "A"}}, "touchpoints[0].key", "key"},
		{"65-character key", []crm.Touchpoint{{Key: strings.Repeat("k", 65), Name: "A"}}, "touchpoints[0].key", "key"},
		{"non-ASCII key", []crm.Touchpoint{{Key: "café", Name: "A"}}, "touchpoints[0].key", "key"},
		{"duplicate key", []crm.Touchpoint{a, named("b", ""), named("a", "")}, "touchpoints[2].key", "unique"},
		{"missing parent", []crm.Touchpoint{a, named("b", "nope")}, "touchpoints[1].parent", "exists"},
		{"self-parent", []crm.Touchpoint{a, named("b", "b")}, "touchpoints[1].parent", "no_cycle"},
		{"2-cycle", []crm.Touchpoint{named("x", "y"), named("y", "x")}, "touchpoints[0].parent", "no_cycle"},
		{"3-cycle", []crm.Touchpoint{a, named("x", "z"), named("y", "x"), named("z", "y")}, "touchpoints[1].parent", "no_cycle"},
		{"a chain into a cycle", []crm.Touchpoint{named("tail", "x"), named("x", "y"), named("y", "x")}, "touchpoints[1].parent", "no_cycle"},
		{"negative answer within", with(func(tp *crm.Touchpoint) { tp.Standards.AnswerWithin = -time.Second }),
			"touchpoints[1].standards.answer_within", "non_negative"},
		{"negative resolve within", with(func(tp *crm.Touchpoint) { tp.Standards.ResolveWithin = -time.Nanosecond }),
			"touchpoints[1].standards.resolve_within", "non_negative"},
		{"min CSAT 6", with(func(tp *crm.Touchpoint) { tp.Standards.MinCSAT = 6 }), "touchpoints[1].standards.min_csat", "range"},
		{"min CSAT -1", with(func(tp *crm.Touchpoint) { tp.Standards.MinCSAT = -1 }), "touchpoints[1].standards.min_csat", "range"},
		{"weight -1", with(func(tp *crm.Touchpoint) { tp.Weight = -1 }), "touchpoints[1].weight", "range"},
		{"weight 1001", with(func(tp *crm.Touchpoint) { tp.Weight = 1001 }), "touchpoints[1].weight", "range"},
		{"bad channel", with(func(tp *crm.Touchpoint) { tp.Channel = "contact center" }), "touchpoints[1].channel", "key"},
		{"bad medium", with(func(tp *crm.Touchpoint) { tp.Medium = "e-mail!" }), "touchpoints[1].medium", "key"},
		{"bad phase", with(func(tp *crm.Touchpoint) { tp.Phase = crm.Phase(strings.Repeat("p", 65)) }), "touchpoints[1].phase", "key"},
		{"empty name", with(func(tp *crm.Touchpoint) { tp.Name = "" }), "touchpoints[1].name", "required"},
		{"blank name", with(func(tp *crm.Touchpoint) { tp.Name = " \t " }), "touchpoints[1].name", "required"},
		{"name with a newline", with(func(tp *crm.Touchpoint) { tp.Name = "two\nlines" }), "touchpoints[1].name", "no_control_chars"},
		{"long name", with(func(tp *crm.Touchpoint) { tp.Name = strings.Repeat("n", 201) }), "touchpoints[1].name", "max_length"},
		{"long department", with(func(tp *crm.Touchpoint) { tp.Department = strings.Repeat("d", 65) }), "touchpoints[1].department", "max_length"},
		{"too many touchpoints", make([]crm.Touchpoint, 50_001), "touchpoints", "max_count"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := crm.TouchpointMap{Name: "map", Touchpoints: tc.tps}
			rs, err := m.Resolve()
			assert.Nil(t, rs)
			requireValidation(t, err, tc.field, tc.rule)
			_, err = m.Mermaid()
			requireValidation(t, err, tc.field, tc.rule)
			_, err = m.DOT()
			requireValidation(t, err, tc.field, tc.rule)
		})
	}
}

// requireValidation checks that err is a *crm.ValidationError of field and
// rule, and matches crm.ErrInvalid.
func requireValidation(t testing.TB, err error, field, rule string) {
	t.Helper()
	require.ErrorIs(t, err, crm.ErrInvalid)
	var ve *crm.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, field, ve.Field, "field of %v", err)
	assert.Equal(t, rule, ve.Rule, "rule of %v", err)
}

func TestResolveMaxTouchpoints(t *testing.T) {
	tps := make([]crm.Touchpoint, 50_000)
	for i := range tps {
		tps[i] = crm.Touchpoint{Key: fmt.Sprintf("t%d", i), Name: "T"}
	}
	rs := resolveMap(t, tps...)
	assert.Len(t, rs, 50_000)
}

// xpChain is n touchpoints, each the parent of the next: n0 > n1 > ...
func xpChain(n int) []crm.Touchpoint {
	tps := make([]crm.Touchpoint, n)
	for i := range tps {
		tps[i] = crm.Touchpoint{Key: fmt.Sprintf("n%d", i), Name: fmt.Sprintf("Level %d", i)}
		if i > 0 {
			tps[i].Parent = tps[i-1].Key
		}
	}
	return tps
}

func TestResolveDeepChain(t *testing.T) {
	const n = 16 // the main touchpoint and 15 levels below it: the deepest allowed
	tps := xpChain(n)
	tps[0].Channel, tps[0].Phase, tps[0].Department = crm.ChannelWeb, crm.PhaseSupport, "Digital"
	// Deepest first, so that resolving the first touchpoint climbs the
	// whole chain.
	slices.Reverse(tps)
	rs := resolveMap(t, tps...)
	require.Len(t, rs, n)
	requireParentsFirst(t, rs)
	assert.Equal(t, "n0", rs[0].Key)
	deepest := rs[n-1]
	assert.Equal(t, fmt.Sprintf("n%d", n-1), deepest.Key)
	assert.Equal(t, n-1, deepest.Depth())
	assert.Equal(t, "n0", deepest.Path[0])
	assert.Equal(t, crm.ChannelWeb, deepest.Channel)
	assert.Equal(t, crm.PhaseSupport, deepest.Phase)
	assert.Equal(t, "Digital", deepest.Department)
	assert.Equal(t, 100, deepest.Weight)
}

// TestResolveRefusesDeepChains: a hierarchy deeper than 15 levels is
// refused, which keeps every Path short and Resolve linear in the map's
// size, even for a 50,000-long chain.
func TestResolveRefusesDeepChains(t *testing.T) {
	for _, n := range []int{17, 50_000} {
		tps := xpChain(n)
		slices.Reverse(tps)
		_, err := crm.TouchpointMap{Touchpoints: tps}.Resolve()
		requireValidation(t, err, err.(*crm.ValidationError).Field, "max_depth")
	}
}

func TestResolveWideTree(t *testing.T) {
	const n = 5000
	tps := []crm.Touchpoint{{Key: "root", Name: "Root", Channel: crm.ChannelMobileApp}}
	for i := 1; i < n; i++ {
		tps = append(tps, crm.Touchpoint{Key: fmt.Sprintf("leaf%d", i), Name: "Leaf", Parent: "root"})
	}
	rs := resolveMap(t, tps...)
	require.Len(t, rs, n)
	requireParentsFirst(t, rs)
	for _, r := range rs[1:] {
		require.Equal(t, 1, r.Depth())
		require.Equal(t, crm.ChannelMobileApp, r.Channel)
	}
	assert.Equal(t, "leaf4999", rs[n-1].Key, "map order among siblings")
}

// bankLikeMap is a bank's map of n touchpoints (seed 003: up to 300 main
// touchpoints, each with sub-touchpoints, some of them split further).
func bankLikeMap(n int) crm.TouchpointMap {
	channels := []crm.Channel{crm.ChannelBranch, crm.ChannelContactCenter, crm.ChannelWeb, crm.ChannelMobileApp, crm.ChannelSelfService}
	m := crm.TouchpointMap{ID: xpID(1), Name: "Bank"}
	for main := 0; len(m.Touchpoints) < n; main++ {
		key := fmt.Sprintf("main%03d", main)
		m.Touchpoints = append(m.Touchpoints, crm.Touchpoint{Key: key, Name: "Main " + key, Channel: channels[main%len(channels)],
			Medium: crm.MediumPhone, Phase: crm.Phases()[main%len(crm.Phases())], Department: fmt.Sprintf("Dept %d", main%12),
			Standards: crm.ServiceStandards{AnswerWithin: time.Minute, ResolveWithin: 24 * time.Hour, MinCSAT: 4}})
		for sub := 0; sub < 6 && len(m.Touchpoints) < n; sub++ {
			subKey := fmt.Sprintf("%s.sub%d", key, sub)
			m.Touchpoints = append(m.Touchpoints, crm.Touchpoint{Key: subKey, Name: "Sub " + subKey, Parent: key})
			for leaf := 0; leaf < 2 && len(m.Touchpoints) < n; leaf++ {
				m.Touchpoints = append(m.Touchpoints, crm.Touchpoint{Key: fmt.Sprintf("%s.%d", subKey, leaf), Name: "Leaf", Parent: subKey,
					Medium: crm.MediumChat})
			}
		}
	}
	return m
}

func BenchmarkResolve(b *testing.B) {
	m := bankLikeMap(3000)
	b.ReportAllocs()
	for b.Loop() {
		rs, err := m.Resolve()
		if err != nil || len(rs) != 3000 {
			b.Fatal(len(rs), err)
		}
	}
}

func TestTouchpointMapMermaid(t *testing.T) {
	got, err := bankMap().Mermaid()
	require.NoError(t, err)
	assert.Equal(t, `flowchart TD
    t0["Branch visit<br/>branch · consideration"]
    t1["Open an account<br/>branch · ordering"]
    t2["Call center<br/>contact_center · support"]
    t3["Card blocked<br/>contact_center · support"]
    t4["Annual statement<br/> · billing"]
    t0 --> t1
    t2 --> t3
`, got)
}

func TestTouchpointMapDOT(t *testing.T) {
	got, err := bankMap().DOT()
	require.NoError(t, err)
	assert.Equal(t, `digraph "Retail bank" {
    rankdir=TB;
    node [shape=box, style=rounded];
    subgraph cluster_0 {
        label="Retail";
        "branch" [label="Branch visit\nbranch / in_person / consideration"];
        "branch.account" [label="Open an account\nbranch / in_person / ordering"];
    }
    subgraph cluster_1 {
        label="Service";
        "phone" [label="Call center\ncontact_center / phone / support"];
    }
    subgraph cluster_2 {
        label="Cards";
        "phone.card" [label="Card blocked\ncontact_center / phone / support"];
    }
    subgraph cluster_3 {
        label="(no department)";
        "letter" [label="Annual statement\n / letter / billing"];
    }
    "branch" -> "branch.account";
    "phone" -> "phone.card";
}
`, got)
}

func TestTouchpointMapDiagramsEscape(t *testing.T) {
	m := crm.TouchpointMap{Name: "Bank \"North\"\nregion", Touchpoints: []crm.Touchpoint{
		{Key: "a", Name: `Say "hi" <now> & C:\dir`, Department: `Dept "Q" <1>`, Channel: crm.ChannelWeb, Phase: crm.PhaseSupport},
	}}
	mermaid, err := m.Mermaid()
	require.NoError(t, err)
	assert.Equal(t, "flowchart TD\n    t0[\"Say #quot;hi#quot; #lt;now#gt; & C:\\dir<br/>web · support\"]\n", mermaid)
	dot, err := m.DOT()
	require.NoError(t, err)
	assert.Equal(t, `digraph "Bank \"North\"\nregion" {
    rankdir=TB;
    node [shape=box, style=rounded];
    subgraph cluster_0 {
        label="Dept \"Q\" <1>";
        "a" [label="Say \"hi\" <now> & C:\\dir\nweb /  / support"];
    }
}
`, dot)
}

func TestResolveNamesTheFirstBadKeyField(t *testing.T) {
	m := crm.TouchpointMap{Touchpoints: []crm.Touchpoint{{Key: "a", Name: "A", Channel: "bad channel", Medium: "bad medium", Phase: "bad phase"}}}
	for range 50 {
		_, err := m.Resolve()
		requireValidation(t, err, "touchpoints[0].channel", "key")
	}
}

func TestPhases(t *testing.T) {
	assert.Equal(t, []crm.Phase{crm.PhaseAwareness, crm.PhaseConsideration, crm.PhaseOrdering, crm.PhaseFulfillment, crm.PhaseBilling,
		crm.PhaseSupport, crm.PhaseRenewal}, crm.Phases())
	ps := crm.Phases()
	ps[0] = "changed"
	assert.Equal(t, crm.PhaseAwareness, crm.Phases()[0], "a fresh list every time")
}

func TestTouchpointMapClone(t *testing.T) {
	m := bankMap()
	cp := m.Clone()
	require.Equal(t, m, cp)
	cp.Touchpoints[0].Name = "changed"
	assert.Equal(t, "Branch visit", m.Touchpoints[0].Name)
}
