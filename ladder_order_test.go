package crm_test

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCompareEvidenceArrival: evidence the CRM weighed at its instant
// (Live) goes after the evidence dated there from later, in the order it
// arrived (ID), whatever it says; other evidence of one instant goes by
// what it says, whatever its ID; the time decides first.
func TestCompareEvidenceArrival(t *testing.T) {
	id := func(b byte) crm.ID { return crm.ID{0x01, b} }
	bad, good := experience(at(1), crm.VeryNegative), experience(at(1), crm.VeryPositive)
	require.Negative(t, crm.CompareEvidence(bad, good), "by content, the very negative contact goes first")
	with := func(ev crm.Evidence, n byte, live bool) crm.Evidence {
		ev.ID, ev.Live = id(n), live
		return ev
	}
	for _, tc := range []struct {
		name string
		a, b crm.Evidence
		want int
	}{
		{"live by arrival, not content", with(good, 1, true), with(bad, 2, true), -1},
		{"live by arrival, the other way", with(bad, 1, true), with(good, 2, true), -1},
		{"backdated by content, not arrival", with(good, 1, false), with(bad, 2, false), 1},
		{"backdated before live", with(good, 9, false), with(bad, 1, true), -1},
		{"live after backdated", with(bad, 1, true), with(good, 9, false), 1},
		{"time first", with(good, 9, true), with(experience(at(2), crm.VeryNegative), 1, false), -1},
		{"itself", with(good, 1, true), with(good, 1, true), 0},
		{"live kinds by arrival", with(crm.Evidence{Kind: crm.EvidenceChurn, At: at(1)}, 1, true), with(bad, 2, true), -1},
		{"live without IDs by content", with(good, 0, true), with(bad, 0, true), 1},
	} {
		assert.Equal(t, tc.want, crm.CompareEvidence(tc.a, tc.b), tc.name)
		assert.Equal(t, -tc.want, crm.CompareEvidence(tc.b, tc.a), "%s, reversed", tc.name)
	}
}

// TestReplayLiveEvidenceAnyOrder: live evidence of one instant keeps
// the ladder independent of the order the pieces are given in: replaying
// any permutation gives the same ladder, and applying them one by one in
// arrival order gives what replaying does.
func TestReplayLiveEvidenceAnyOrder(t *testing.T) {
	r := crm.DefaultLadderRules()
	rng := rand.New(rand.NewPCG(3, 5))
	for run := range 100 {
		evidence := randomEvidence(rng, 1+rng.IntN(40))
		for i := range evidence {
			if rng.IntN(2) == 0 {
				evidence[i].At = at(30) // many of one instant
			}
			evidence[i].ID, evidence[i].Live = crm.ID{0x01, byte(i)}, rng.IntN(3) > 0
		}
		st1, moves1 := replay(t, r, evidence...)
		shuffled := slices.Clone(evidence)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		st2, moves2 := replay(t, r, shuffled...)
		require.Equal(t, st1, st2, "run %d", run)
		require.Equal(t, moves1, moves2, "run %d", run)

		ordered := slices.Clone(evidence)
		slices.SortStableFunc(ordered, crm.CompareEvidence)
		first := start
		if ordered[0].At.Before(first) {
			first = ordered[0].At
		}
		st := crm.LadderState{Stage: crm.Indifferent, Since: first, UpdatedAt: first}
		var stepMoves []crm.LadderMove
		for _, ev := range ordered {
			var ms []crm.LadderMove
			var err error
			st, ms, err = r.Apply(st, ev)
			require.NoError(t, err)
			stepMoves = append(stepMoves, ms...)
		}
		require.Equal(t, st1, st, "run %d", run)
		require.Equal(t, moves1, stepMoves, "run %d", run)
	}
}
