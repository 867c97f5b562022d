package bench

import (
	"strconv"
	"testing"
	"time"

	"github.com/crmkit/crm"
)

// The ladder benchmark weighs one contact against a satisfied customer
// (20 points, one purchase) a day after their last evidence: a negative
// contact, not resolved, transferred twice, which costs 18 points and
// slides the customer to indifferent. The hand-written switch below does
// the same scoring (fixed-point decay by business day, the contact's
// terms, the thresholds with hysteresis) and writes the same reason
// text, into a buffer it reuses.

var ladderStart = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func ladderEvidence() crm.Evidence {
	return crm.Evidence{Kind: crm.EvidenceExperience, At: ladderStart.Add(24 * time.Hour), Sentiment: crm.Negative, Transfers: 2,
		Source: crm.KindInteraction}
}

func ladderState(r crm.LadderRules) crm.LadderState {
	st, _ := r.Fade(crm.LadderState{Stage: crm.Satisfied, Score: 20000, Purchases: 1, UpdatedAt: ladderStart}, ladderStart) // as stored: FadesAt set
	return st
}

// handState is the hand-written ladder's state: a rung by number
// (0 annoyed ... 4 advocate), the score in thousandths, the day it was
// last updated (days since 1970, UTC), and the purchases.
type handState struct {
	rung      int
	score     int64
	day       int64
	purchases int
}

// handContact is the contact the hand-written ladder weighs.
type handContact struct {
	day        int64
	sentiment  int64
	transfers  int64
	resolved   bool
	weight     int64
	touchpoint string
}

const handQ30 = 1 << 30

// handPow raises a Q30 factor to the n-th power, rounding each product
// half up, as the ladder's decay does.
func handPow(x uint64, n int64) uint64 {
	result := uint64(handQ30)
	for ; n > 0; n >>= 1 {
		if n&1 == 1 {
			result = (result*x + handQ30/2) >> 30
		}
		x = (x*x + handQ30/2) >> 30
	}
	return result
}

// handDaily is the daily factor of a 90-day half-life: the smallest Q30
// number whose 90th power is at least one half.
var handDaily = func() uint64 {
	lo, hi := uint64(handQ30/2), uint64(handQ30)
	for lo < hi {
		mid := (lo + hi) / 2
		if handPow(mid, 90) >= handQ30/2 {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}()

var handThresholds = [5]int64{-1000, -20, 15, 40, 60}

// appendPoints writes " +4" or " -8".
func appendPoints(b []byte, p int64) []byte {
	b = append(b, ' ')
	if p >= 0 {
		b = append(b, '+')
	}
	return strconv.AppendInt(b, p, 10)
}

// handWeigh is the hand-written ladder: it fades the score to the
// contact's day, adds the contact's terms, moves one rung up or down as
// the thresholds say, and writes the reason into why when it moves.
func handWeigh(st handState, c handContact, why []byte) (handState, int, []byte) {
	if n := c.day - st.day; n > 0 && st.score != 0 {
		f := handPow(handDaily, n)
		if st.score < 0 {
			st.score = -int64((uint64(-st.score) * f) >> 30)
		} else {
			st.score = int64((uint64(st.score) * f) >> 30)
		}
	}
	st.day = c.day
	var pts int64
	sentiment := c.sentiment * 8
	pts += sentiment
	var unresolved int64
	if !c.resolved {
		unresolved = -4
	} else {
		unresolved = 4
	}
	pts += unresolved
	var transfers int64
	if c.transfers > 1 {
		transfers = (c.transfers - 1) * -6
	}
	pts += transfers
	st.score += pts * 10 * c.weight
	from := st.rung
	switch {
	case st.rung < 4 && st.score >= handThresholds[st.rung+1]*1000 && (st.rung+1 < 3 || st.purchases >= 2):
		st.rung++
	case st.rung > 0 && st.score < (handThresholds[st.rung]-5)*1000:
		st.rung--
	}
	if st.rung == from {
		return st, from, why
	}
	why = append(why[:0], "experience"...)
	if c.touchpoint != "" {
		why = append(append(why, " at "...), c.touchpoint...)
	}
	why = append(why, ": sentiment "...)
	why = strconv.AppendInt(why, c.sentiment, 10)
	why = appendPoints(why, sentiment)
	if c.resolved {
		why = append(why, ", resolved"...)
	} else {
		why = append(why, ", not resolved"...)
	}
	why = appendPoints(why, unresolved)
	if transfers != 0 {
		why = append(why, ", "...)
		why = strconv.AppendInt(why, c.transfers, 10)
		why = append(why, " transfers"...)
		why = appendPoints(why, transfers)
	}
	return st, from, why
}

func handLadder() (handState, handContact) {
	st := handState{rung: 2, score: 20000, day: ladderStart.Unix() / 86400, purchases: 1}
	c := handContact{day: ladderStart.Add(24*time.Hour).Unix() / 86400, sentiment: -1, transfers: 2, weight: 100}
	return st, c
}

// BenchmarkLadderMove weighs a contact that slides the customer a rung:
// crmkit's LadderRules.Apply, and the hand-written switch.
func BenchmarkLadderMove(b *testing.B) {
	r := crm.DefaultLadderRules()
	b.Run("crmkit-Apply", func(b *testing.B) {
		st, ev := ladderState(r), ladderEvidence()
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			_, moves, err := r.Apply(st, ev)
			if err != nil || len(moves) != 1 {
				b.Fatal(err, len(moves))
			}
		}
	})
	benchLadderAppend(b, r)
	b.Run("hand-written-switch", func(b *testing.B) {
		st, c := handLadder()
		why := make([]byte, 0, 256)
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			after, from, text := handWeigh(st, c, why)
			if after.rung == from || len(text) == 0 {
				b.Fatal("no move")
			}
		}
	})
}

// TestLadderHandSame checks that the hand-written switch scores and
// explains the benchmark's contact as crmkit does.
func TestLadderHandSame(t *testing.T) {
	r := crm.DefaultLadderRules()
	after, moves, err := r.Apply(ladderState(r), ladderEvidence())
	if err != nil || len(moves) != 1 {
		t.Fatal(err, moves)
	}
	st, c := handLadder()
	hand, _, why := handWeigh(st, c, nil)
	if hand.score != after.Score || hand.rung != 1 || moves[0].To != crm.Indifferent {
		t.Fatalf("hand-written %+v, crmkit %+v", hand, after)
	}
	if string(why) != moves[0].Reason {
		t.Fatalf("hand-written %q, crmkit %q", why, moves[0].Reason)
	}
}

// benchLadderAppend measures the moves appended to a buffer the caller
// reuses, the reason kept structured (LadderRules.AppendApply), and the
// same with the reason's text written into a reused buffer.
func benchLadderAppend(b *testing.B, r crm.LadderRules) {
	b.Run("crmkit-AppendApply", func(b *testing.B) {
		st, ev := ladderState(r), ladderEvidence()
		moves := make([]crm.LadderMove, 0, 4)
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			_, out, err := r.AppendApply(moves[:0], st, ev)
			if err != nil || len(out) != 1 {
				b.Fatal(err, len(out))
			}
		}
	})
	b.Run("crmkit-AppendApply-text", func(b *testing.B) {
		st, ev := ladderState(r), ladderEvidence()
		moves := make([]crm.LadderMove, 0, 4)
		text := make([]byte, 0, 256)
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			_, out, err := r.AppendApply(moves[:0], st, ev)
			if err != nil || len(out) != 1 {
				b.Fatal(err, len(out))
			}
			why := out[0].Why()
			if text, err = why.AppendText(text[:0]); err != nil || len(text) == 0 {
				b.Fatal(err)
			}
		}
	})
}

// TestLadderAppendSame checks that the reason AppendApply keeps
// structured reads as Apply's.
func TestLadderAppendSame(t *testing.T) {
	r := crm.DefaultLadderRules()
	_, moves, err := r.AppendApply(nil, ladderState(r), ladderEvidence())
	if err != nil || len(moves) != 1 {
		t.Fatal(err, moves)
	}
	st, c := handLadder()
	_, _, why := handWeigh(st, c, nil)
	if moves[0].Reason != "" || moves[0].ReasonText() != string(why) {
		t.Fatalf("AppendApply %q (text %q), hand-written %q", moves[0].ReasonText(), moves[0].Reason, why)
	}
}
