package crm_test

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// advocate is an advocate with a promoter answer at start, a score of 70
// and the purchases loyalty needs.
func advocate() crm.LadderState {
	return crm.LadderState{Stage: crm.Advocate, Score: 70_000, Since: start, UpdatedAt: start, Purchases: 2,
		LastPromoter: start, Evidence: 5}
}

// TestFadingShows is the advocate who went quiet for two years:
// the rung follows the faded score, each slide on the day the score
// crossed the line and explained as fading, and the next neutral contact
// weighs only itself.
func TestFadingShows(t *testing.T) {
	r := crm.DefaultLadderRules()
	later := start.Add(2 * 365 * day)
	st, moves := r.Fade(advocate(), later)
	assert.Equal(t, []crm.LoyaltyStage{crm.Loyal, crm.Satisfied, crm.Indifferent}, stages(moves))
	assert.Equal(t, crm.Indifferent, st.Stage)
	for i, m := range moves {
		assert.Equal(t, crm.Slide, m.Event)
		assert.Equal(t, crm.EvidenceFading, m.Evidence.Kind)
		assert.True(t, strings.HasPrefix(m.Reason, "fading: score "), m.Reason)
		assert.Zero(t, m.At.Sub(m.At.Truncate(day)), "at the start of a day: the score fades when a day begins")
		before, _ := r.Fade(advocate(), m.At.Add(-time.Nanosecond))
		assert.Equal(t, m.From, before.Stage, "move %d: still %s the moment before", i, m.From)
	}
	assert.Equal(t, "2026-04-03", crm.DateOf(moves[0].At).String(), "70 halves every 90 days: below 55 on day 32")
	assert.Equal(t, "2026-05-31", crm.DateOf(moves[1].At).String(), "below 35 after 90 days")
	assert.Equal(t, "fading: score 70 on 2026-03-02 faded to 54 by 2026-04-03 (half-life 90d)", moves[0].Reason)

	// The next neutral contact after two years: fading first, then the
	// contact, which is no reason to slide three rungs.
	contact := crm.Evidence{Kind: crm.EvidenceExperience, At: later, Resolved: true}
	after, all, err := r.Apply(advocate(), contact)
	require.NoError(t, err)
	assert.Equal(t, moves, all, "the moves are fading's, none the contact's")
	assert.Equal(t, crm.Indifferent, after.Stage)
}

func TestFadingRules(t *testing.T) {
	r := crm.DefaultLadderRules()
	far := start.Add(3 * 365 * day)
	t.Run("bad experiences fade too", func(t *testing.T) {
		st, moves := r.Fade(crm.LadderState{Stage: crm.Annoyed, Score: -40_000, Since: start, UpdatedAt: start, Evidence: 1}, far)
		require.Equal(t, []crm.LoyaltyStage{crm.Indifferent}, stages(moves))
		assert.Equal(t, crm.Rise, moves[0].Event)
		assert.Equal(t, "2026-05-31", crm.DateOf(moves[0].At).String(), "-40 halves to -20 in 90 days")
		assert.Equal(t, crm.Indifferent, st.Stage)
	})
	t.Run("a broken promise is not forgiven by the clock alone", func(t *testing.T) {
		// Loyal at 40, a broken promise: -30 leaves 10, annoyed whatever
		// the score says; fading only brings the score nearer zero.
		fell := crm.LadderState{Stage: crm.Annoyed, Score: 10_000, Since: start, UpdatedAt: start, Evidence: 3, Purchases: 2}
		st, moves := r.Fade(fell, far)
		assert.Empty(t, moves)
		assert.Equal(t, fell.UpdatedAt, st.UpdatedAt, "nothing moved: the state is as it was")
		assert.True(t, st.FadesAt.IsZero(), "fading will never move them")
	})
	t.Run("advocacy lapses without a referral or promoter answer", func(t *testing.T) {
		high := advocate()
		high.Score = 400_000 // far above every threshold for the whole recency
		_, moves := r.Fade(high, start.Add(200*day))
		require.Len(t, moves, 1)
		assert.Equal(t, crm.Loyal, moves[0].To)
		assert.Equal(t, start.Add(r.AdvocateRecency+time.Microsecond), moves[0].At, "the instant the last promoter answer is too old")
		assert.Contains(t, moves[0].Reason, "fading: no referral or promoter answer in 180d")
	})
	t.Run("nothing fades to move", func(t *testing.T) {
		st := crm.LadderState{Stage: crm.Indifferent, Score: 12_000, Since: start, UpdatedAt: start, Evidence: 1}
		got, moves := r.Fade(st, far)
		assert.Empty(t, moves)
		assert.True(t, got.FadesAt.IsZero())
		lost := crm.LadderState{Stage: crm.Lost, Score: -50_000, Since: start, UpdatedAt: start, Evidence: 1}
		_, moves = r.Fade(lost, far)
		assert.Empty(t, moves, "a lost customer waits for their return")
	})
	t.Run("days begin in the business calendar", func(t *testing.T) {
		tokyo, err := time.LoadLocation("Asia/Tokyo")
		require.NoError(t, err)
		rt := r.WithCalendar(crm.Calendar{Location: tokyo})
		_, moves := rt.Fade(advocate(), far)
		require.NotEmpty(t, moves)
		local := moves[0].At.In(tokyo)
		assert.Equal(t, [3]int{0, 0, 0}, [3]int{local.Hour(), local.Minute(), local.Second()}, "midnight in Tokyo")
	})
}

// TestFadingTwiceIsFadingOnce: a sweep that runs every day, or once after
// a year, or never before the next evidence, leaves the same ladder.
func TestFadingTwiceIsFadingOnce(t *testing.T) {
	r := crm.DefaultLadderRules()
	rng := rand.New(rand.NewPCG(3, 5))
	for run := range 200 {
		evidence := randomEvidence(rng, 1+rng.IntN(20))
		st, _ := replay(t, r, evidence...)
		if st.Stage == crm.Lost {
			continue
		}
		to := st.UpdatedAt.Add(time.Duration(rng.IntN(900)) * day)
		once, onceMoves := r.Fade(st, to)
		mid := st.UpdatedAt.Add(time.Duration(rng.Int64N(int64(to.Sub(st.UpdatedAt)) + 1)))
		half, halfMoves := r.Fade(st, mid)
		twice, restMoves := r.Fade(half, to)
		require.Equal(t, once, twice, "run %d", run)
		require.Equal(t, onceMoves, append(halfMoves, restMoves...), "run %d", run)
		if next := once.FadesAt; !next.IsZero() {
			_, more := r.Fade(once, next)
			require.NotEmpty(t, more, "run %d: FadesAt is when fading next moves the customer", run)
			_, none := r.Fade(once, next.Add(-time.Nanosecond))
			require.Empty(t, none, "run %d: and not before", run)
		}
	}
}
