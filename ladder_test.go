package crm_test

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var day = 24 * time.Hour

func experience(at time.Time, s crm.Sentiment) crm.Evidence {
	return crm.Evidence{Kind: crm.EvidenceExperience, At: at, Sentiment: s, Resolved: true}
}

func at(days int) time.Time { return start.Add(time.Duration(days) * day) }

func stages(moves []crm.LadderMove) []crm.LoyaltyStage {
	var out []crm.LoyaltyStage
	for _, m := range moves {
		out = append(out, m.To)
	}
	return out
}

func replay(t *testing.T, r crm.LadderRules, evidence ...crm.Evidence) (crm.LadderState, []crm.LadderMove) {
	t.Helper()
	st, moves, err := r.Replay(start, evidence)
	require.NoError(t, err)
	return st, moves
}

func TestLadderRules(t *testing.T) {
	r := crm.DefaultLadderRules()
	nps := func(n int) *int { return &n }
	for _, tc := range []struct {
		name     string
		evidence []crm.Evidence
		stage    crm.LoyaltyStage
		points   int64
		moves    []crm.LoyaltyStage
	}{
		{"a new customer is indifferent", nil, crm.Indifferent, 0, nil},
		{"two very good contacts make a customer satisfied", []crm.Evidence{experience(at(0), crm.VeryPositive), experience(at(0), crm.Positive)},
			crm.Satisfied, 16 + 4 + 8 + 4, []crm.LoyaltyStage{crm.Satisfied}},
		{"a detractor answer after a bad contact annoys", []crm.Evidence{{Kind: crm.EvidenceExperience, At: at(0), Sentiment: crm.VeryNegative,
			Survey: crm.Survey{NPS: nps(2)}, Source: crm.KindInteraction}}, crm.Annoyed, -16 - 12 - 4, []crm.LoyaltyStage{crm.Annoyed}},
		{"satisfied without purchases is not loyal", []crm.Evidence{experience(at(0), crm.VeryPositive), experience(at(0), crm.VeryPositive),
			experience(at(0), crm.VeryPositive)}, crm.Satisfied, 60, []crm.LoyaltyStage{crm.Satisfied}},
		{"two purchases make a satisfied customer loyal", []crm.Evidence{experience(at(0), crm.VeryPositive), experience(at(0), crm.VeryPositive),
			{Kind: crm.EvidencePurchase, At: at(0)}, {Kind: crm.EvidencePurchase, At: at(0)}}, crm.Loyal, 56, []crm.LoyaltyStage{crm.Satisfied, crm.Loyal}},
		// 56 faded for a day, +15:
		{"a referral makes a loyal customer an advocate", []crm.Evidence{experience(at(0), crm.VeryPositive), experience(at(0), crm.VeryPositive),
			{Kind: crm.EvidencePurchase, At: at(0)}, {Kind: crm.EvidencePurchase, At: at(0)}, {Kind: crm.EvidenceReferral, At: at(1)}},
			crm.Advocate, 70, []crm.LoyaltyStage{crm.Satisfied, crm.Loyal, crm.Advocate}},
		{"churn loses the customer", []crm.Evidence{experience(at(0), crm.VeryPositive), {Kind: crm.EvidenceChurn, At: at(3)}},
			crm.Lost, 19, []crm.LoyaltyStage{crm.Satisfied, crm.Lost}}, // 20 faded for 3 days
		{"experiences of a lost customer wait for their return", []crm.Evidence{{Kind: crm.EvidenceChurn, At: at(0)},
			experience(at(1), crm.VeryPositive)}, crm.Lost, 0, []crm.LoyaltyStage{crm.Lost}},
		{"a purchase wins a lost customer back from zero", []crm.Evidence{experience(at(0), crm.VeryNegative), {Kind: crm.EvidenceChurn, At: at(0)},
			{Kind: crm.EvidencePurchase, At: at(2)}}, crm.Indifferent, 0, []crm.LoyaltyStage{crm.Lost, crm.Indifferent}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, moves := replay(t, r, tc.evidence...)
			assert.Equal(t, tc.stage, st.Stage)
			assert.Equal(t, tc.points, st.Points())
			assert.Equal(t, tc.moves, stages(moves))
			for _, m := range moves {
				assert.True(t, crm.LoyaltyLadder().Can(m.From, m.Event), "%s from %s is in the table", m.Event, m.From)
				assert.NotEmpty(t, m.Reason)
			}
		})
	}
}

func TestFourTransfersLoseASatisfiedCustomer(t *testing.T) {
	r := crm.DefaultLadderRules()
	good := []crm.Evidence{experience(at(0), crm.VeryPositive), experience(at(0), crm.Positive)}
	st, _ := replay(t, r, good...)
	require.Equal(t, crm.Satisfied, st.Stage)

	transferred := crm.Evidence{Kind: crm.EvidenceExperience, At: at(1), Sentiment: crm.Negative, Transfers: 4,
		Source: crm.KindInteraction, Touchpoint: "hotline"}
	st, moves := replay(t, r, append(good, transferred)...)
	assert.Equal(t, crm.Indifferent, st.Stage, "four transfers and no answer undo two good contacts")
	require.Len(t, moves, 2)
	assert.Equal(t, crm.Slide, moves[1].Event)
	assert.Equal(t, "experience at hotline: sentiment -1 -8, not resolved -4, 4 transfers -18", moves[1].Reason)
}

func TestServiceRecovery(t *testing.T) {
	r := crm.DefaultLadderRules()
	complaint := crm.Evidence{Kind: crm.EvidenceComplaint, At: at(0)}
	quick := crm.Evidence{Kind: crm.EvidenceResolution, At: at(1), Resolution: 20 * time.Hour, WithinStandard: true}
	st, moves := replay(t, r, complaint, quick)
	assert.Equal(t, int64(15), st.Points(), "a complaint resolved well leaves the customer better off than before it")
	assert.Equal(t, crm.Satisfied, st.Stage)
	assert.Contains(t, moves[len(moves)-1].Reason, "service recovery")

	slow := crm.Evidence{Kind: crm.EvidenceResolution, At: at(30), Resolution: 30 * day}
	st, _ = replay(t, r, complaint, slow)
	assert.Equal(t, int64(-17), st.Points(), "a slow resolution costs again: -10 faded for 30 days, -10")

	unhappy := quick
	unhappy.Survey = crm.Survey{CSAT: ptr(2)}
	st, _ = replay(t, r, complaint, unhappy)
	assert.Less(t, st.Points(), int64(0), "quick but not good is no recovery")
}

func TestBrokenPromiseFallsToAnnoyed(t *testing.T) {
	r := crm.DefaultLadderRules()
	loyal := []crm.Evidence{experience(at(0), crm.VeryPositive), experience(at(0), crm.VeryPositive), experience(at(0), crm.VeryPositive),
		{Kind: crm.EvidencePurchase, At: at(0)}, {Kind: crm.EvidencePurchase, At: at(0)}}
	st, _ := replay(t, r, loyal...)
	require.Equal(t, crm.Loyal, st.Stage)
	st, moves := replay(t, r, append(loyal, crm.Evidence{Kind: crm.EvidenceBrokenPromise, At: at(1), Note: "refund promised by Friday"})...)
	assert.Equal(t, crm.Annoyed, st.Stage, "whatever the score says")
	last := moves[len(moves)-1]
	assert.Equal(t, crm.Fall, last.Event)
	assert.Equal(t, crm.Loyal, last.From)
	assert.Equal(t, "broken_promise: broken promise -30 - refund promised by Friday", last.Reason)
}

func TestHysteresis(t *testing.T) {
	r := crm.DefaultLadderRules()
	base := []crm.Evidence{experience(at(0), crm.VeryPositive)} // 20: satisfied
	st, _ := replay(t, r, base...)
	require.Equal(t, crm.Satisfied, st.Stage)
	dip := crm.Evidence{Kind: crm.EvidencePurchase, At: at(0)}
	dip.Kind = crm.EvidenceComplaint // -10: 10, under 15 but within the hysteresis of 5
	st, _ = replay(t, r, append(base, dip)...)
	assert.Equal(t, crm.Satisfied, st.Stage, "10 is within 5 of the threshold of 15")
	st, _ = replay(t, r, append(base, dip, experience(at(0), crm.Negative))...)
	assert.Equal(t, crm.Indifferent, st.Stage, "6 is not")
}

func TestDecay(t *testing.T) {
	r := crm.DefaultLadderRules()
	st, _ := replay(t, r, experience(at(0), crm.VeryPositive), experience(at(0), crm.VeryPositive)) // 40
	require.Equal(t, int64(40000), st.Score)
	for _, tc := range []struct {
		days int
		want int64 // thousandths
	}{{0, 40000}, {1, 39692}, {90, 20000}, {180, 10000}, {900, 39}} {
		next, _, err := r.Apply(st, crm.Evidence{Kind: crm.EvidenceChurn, At: at(tc.days)})
		require.NoError(t, err)
		assert.InDelta(t, tc.want, next.Score, 2, "after %d days", tc.days)
	}
	same, _, err := r.Apply(st, crm.Evidence{Kind: crm.EvidenceChurn, At: at(0).Add(14 * time.Hour)}) // 23:00 UTC
	require.NoError(t, err)
	assert.Equal(t, int64(40000), same.Score, "evidence the same UTC day does not fade what came before")

	neg := crm.LadderState{Stage: crm.Annoyed, Score: -40000, UpdatedAt: at(0)}
	next, _, err := r.Apply(neg, crm.Evidence{Kind: crm.EvidenceChurn, At: at(90)})
	require.NoError(t, err)
	assert.InDelta(t, -20000, next.Score, 2, "negative scores fade toward zero too")
}

func TestOutOfOrderEvidenceCannotRewriteThePast(t *testing.T) {
	r := crm.DefaultLadderRules()
	st, _ := replay(t, r, experience(at(10), crm.Positive))
	late := experience(at(2), crm.VeryNegative)
	next, moves, err := r.Apply(st, late)
	require.NoError(t, err)
	assert.Equal(t, at(10), next.UpdatedAt, "the ladder's time does not go back")
	for _, m := range moves {
		assert.Equal(t, at(10), m.At)
	}
	assert.Equal(t, st.Score+(-16+4)*1000, next.Score, "but the late evidence counts in full")
}

func TestApplyRejects(t *testing.T) {
	r := crm.DefaultLadderRules()
	st := crm.LadderState{Stage: crm.Indifferent}
	_, _, err := r.Apply(st, crm.Evidence{Kind: "gossip"})
	assert.ErrorIs(t, err, crm.ErrInvalid)
	_, _, err = r.Apply(st, crm.Evidence{Kind: crm.EvidenceExperience, Survey: crm.Survey{NPS: ptr(11)}})
	var ve *crm.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "survey.nps", ve.Field)

	bad := r
	bad.SatisfiedAt = bad.LoyalAt + 1
	assert.ErrorIs(t, bad.Check(), crm.ErrInvalid)
	bad = r
	bad.HalfLife = time.Hour
	assert.ErrorIs(t, bad.Check(), crm.ErrInvalid)
}

// randomEvidence makes a replayable random history.
func randomEvidence(r *rand.Rand, n int) []crm.Evidence {
	kinds := []crm.EvidenceKind{crm.EvidenceExperience, crm.EvidenceExperience, crm.EvidenceExperience, crm.EvidencePurchase,
		crm.EvidenceReferral, crm.EvidenceComplaint, crm.EvidenceResolution, crm.EvidenceBrokenPromise, crm.EvidenceChurn}
	out := make([]crm.Evidence, n)
	t := start
	for i := range out {
		t = t.Add(time.Duration(r.IntN(20*24)) * time.Hour)
		ev := crm.Evidence{Kind: kinds[r.IntN(len(kinds))], At: t, Sentiment: crm.Sentiment(r.IntN(5) - 2),
			Transfers: r.IntN(5), Weight: []int{0, 50, 100, 200}[r.IntN(4)], Resolution: time.Duration(r.IntN(96)) * time.Hour}
		if r.IntN(3) == 0 {
			ev.Survey.NPS = ptr(r.IntN(11))
		}
		if r.IntN(3) == 0 {
			ev.Survey.CSAT = ptr(1 + r.IntN(5))
		}
		if r.IntN(10) == 0 {
			ev.At = ev.At.Add(-40 * day) // late evidence
		}
		if i > 0 && r.IntN(10) == 0 {
			ev.At = out[r.IntN(i)].At // evidence of the same instant as another
		}
		out[i] = ev
	}
	return out
}

// TestLadderInvariants is a property test over random histories, with
// late evidence and evidence of the same instant: replay is deterministic
// and gives the same ladder for any permutation of the evidence; applying
// the evidence one by one in the order it happened equals replaying;
// every move is in the transition table and chains from the previous
// one, and the score stays bounded.
func TestLadderInvariants(t *testing.T) {
	r := crm.DefaultLadderRules()
	rng := rand.New(rand.NewPCG(7, 11))
	for run := range 300 {
		evidence := randomEvidence(rng, 1+rng.IntN(60))
		st1, moves1 := replay(t, r, evidence...)
		for range 3 {
			shuffled := slices.Clone(evidence)
			rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
			st2, moves2 := replay(t, r, shuffled...)
			require.Equal(t, st1, st2, "run %d: any order of the same evidence gives the same ladder", run)
			require.Equal(t, moves1, moves2)
		}

		stage := crm.Indifferent
		st, stepMoves := applyInOrder(t, r, evidence, func(st crm.LadderState, ms []crm.LadderMove) {
			for _, m := range ms {
				require.Equal(t, stage, m.From, "moves chain")
				next, err := crm.LoyaltyLadder().Next(m.From, m.Event)
				require.NoError(t, err)
				require.Equal(t, next, m.To)
				stage = m.To
			}
			require.LessOrEqual(t, st.Score, int64(1_000_000))
			require.GreaterOrEqual(t, st.Score, int64(-1_000_000))
		})
		require.Equal(t, st1, st)
		require.Equal(t, moves1, stepMoves)
		require.Equal(t, stage, st.Stage)
	}
}

// applyInOrder applies the evidence a piece at a time in the ladder's
// order (CompareEvidence), from the state Replay starts from, and returns
// the state and the moves; each, when not nil, sees the state and the
// moves after every piece.
func applyInOrder(t *testing.T, r crm.LadderRules, evidence []crm.Evidence, each func(crm.LadderState, []crm.LadderMove)) (crm.LadderState, []crm.LadderMove) {
	t.Helper()
	ordered := slices.Clone(evidence)
	slices.SortStableFunc(ordered, crm.CompareEvidence)
	first := start
	if ordered[0].At.Before(first) {
		first = ordered[0].At
	}
	st := crm.LadderState{Stage: crm.Indifferent, Since: first, UpdatedAt: first}
	var moves []crm.LadderMove
	for _, ev := range ordered {
		var ms []crm.LadderMove
		var err error
		st, ms, err = r.Apply(st, ev)
		require.NoError(t, err)
		if each != nil {
			each(st, ms)
		}
		moves = append(moves, ms...)
	}
	return st, moves
}

func TestLadderMachineExports(t *testing.T) {
	m := crm.LoyaltyLadder()
	mermaid := m.Mermaid()
	for _, line := range []string{"[*] --> indifferent", "annoyed --> indifferent: rise", "advocate --> loyal: slide",
		"loyal --> annoyed: fall", "advocate --> lost: churn", "lost --> indifferent: win_back"} {
		assert.Contains(t, mermaid, line)
	}
	assert.True(t, strings.HasPrefix(m.DOT(), `digraph "loyalty_ladder" {`))
	for _, tr := range m.Table() {
		assert.NotEmpty(t, tr.Who)
		assert.NotEmpty(t, tr.When)
		assert.NotEmpty(t, tr.Why)
	}
	assert.False(t, m.Can(crm.Annoyed, crm.Fall), "an annoyed customer has nowhere to fall")
	assert.False(t, m.Can(crm.Advocate, crm.Rise))
	assert.False(t, m.Can(crm.Lost, crm.Rise), "a lost customer comes back only by buying")
}

func BenchmarkLadderApply(b *testing.B) {
	r := crm.DefaultLadderRules()
	st, _ := r.Fade(crm.LadderState{Stage: crm.Satisfied, Score: 20000, Purchases: 1, UpdatedAt: start}, start) // as stored: FadesAt set
	for _, bc := range []struct {
		name  string
		ev    crm.Evidence
		moves int
	}{
		{"NoMove", crm.Evidence{Kind: crm.EvidenceExperience, At: at(1), Sentiment: crm.Positive, Resolved: true, Source: crm.KindInteraction}, 0},
		{"Move", crm.Evidence{Kind: crm.EvidenceExperience, At: at(1), Sentiment: crm.Negative, Transfers: 2, Source: crm.KindInteraction}, 1},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				_, moves, err := r.Apply(st, bc.ev)
				if err != nil || len(moves) != bc.moves {
					b.Fatal(err, len(moves))
				}
			}
		})
	}
}
