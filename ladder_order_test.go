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
// (Arrival) goes after the evidence dated there from later, in the order
// it arrived, whatever it says; other evidence of one instant goes by
// what it says, whatever its ID; the time decides first.
func TestCompareEvidenceArrival(t *testing.T) {
	id := func(b byte) crm.ID { return crm.ID{0x01, b} }
	bad, good := experience(at(1), crm.VeryNegative), experience(at(1), crm.VeryPositive)
	require.Negative(t, crm.CompareEvidence(bad, good), "by content, the very negative contact goes first")
	with := func(ev crm.Evidence, n byte, arrival int) crm.Evidence {
		ev.ID, ev.Arrival = id(n), arrival
		return ev
	}
	for _, tc := range []struct {
		name string
		a, b crm.Evidence
		want int
	}{
		{"by arrival, not content", with(good, 1, 1), with(bad, 2, 2), -1},
		{"by arrival, the other way", with(bad, 1, 1), with(good, 2, 2), -1},
		{"by arrival, not ID", with(bad, 2, 1), with(good, 1, 2), -1},
		{"backdated by content, not ID", with(good, 1, 0), with(bad, 2, 0), 1},
		{"backdated first", with(good, 9, 0), with(bad, 1, 1), -1},
		{"arrived after backdated", with(bad, 1, 1), with(good, 9, 0), 1},
		{"time first", with(good, 9, 5), with(experience(at(2), crm.VeryNegative), 1, 0), -1},
		{"itself", with(good, 1, 1), with(good, 1, 1), 0},
		{"kinds by arrival", with(crm.Evidence{Kind: crm.EvidenceChurn, At: at(1)}, 1, 1), with(bad, 2, 2), -1},
	} {
		assert.Equal(t, tc.want, crm.CompareEvidence(tc.a, tc.b), tc.name)
		assert.Equal(t, -tc.want, crm.CompareEvidence(tc.b, tc.a), "%s, reversed", tc.name)
	}
}

// TestReplayArrivedEvidenceAnyOrder: numbered evidence of one instant keeps
// the ladder independent of the order the pieces are given in: replaying
// any permutation gives the same ladder, and applying them one by one in
// the ladder's order gives what replaying does.
func TestReplayArrivedEvidenceAnyOrder(t *testing.T) {
	r := crm.DefaultLadderRules()
	rng := rand.New(rand.NewPCG(3, 5))
	for run := range 100 {
		evidence := randomEvidence(rng, 1+rng.IntN(40))
		for i := range evidence {
			if rng.IntN(2) == 0 {
				evidence[i].At = at(30) // many of one instant
			}
			evidence[i].ID = crm.ID{0x01, byte(i)}
			if rng.IntN(3) > 0 {
				evidence[i].Arrival = 1 + i
			}
		}
		st1, moves1 := replay(t, r, evidence...)
		shuffled := slices.Clone(evidence)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		st2, moves2 := replay(t, r, shuffled...)
		require.Equal(t, st1, st2, "run %d", run)
		require.Equal(t, moves1, moves2, "run %d", run)

		st, stepMoves := applyInOrder(t, r, evidence, nil)
		require.Equal(t, st1, st, "run %d", run)
		require.Equal(t, moves1, stepMoves, "run %d", run)
	}
}
