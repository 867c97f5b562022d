package crm

import (
	"math"
	"time"
)

// EvidenceFading is the kind a move caused by fading alone carries in
// LadderMove.Evidence: no new fact, only time. It cannot be recorded; the
// ladder makes it (LadderRules.Fade, LadderService.CheckFading).
const EvidenceFading EvidenceKind = "fading"

// maxFadeDays bounds the search for the day a score fades across a
// threshold: past it, any score within the rules' range has faded to
// zero (twenty half-lives of at most a few thousand days each).
const maxFadeDays = 1 << 21

// Fade moves the customer as time alone moves them up to the time to:
// the score fades toward zero, so a customer whose good experiences have
// faded below their rung (less the hysteresis) slides, one whose bad
// experiences have faded above annoyed rises, and an advocate with no
// referral or promoter answer within AdvocateRecency is no longer one.
// Each move is dated when it happened (the start of the business day on
// which the faded score crossed the line, or the instant advocacy
// lapsed), with a reason that names the fading, so the distribution on
// the ladder at any past date is true once the moves are stored.
//
// A state that says when fading will next move the customer (FadesAt, as
// Fade and Apply leave it) is taken at its word: no search before then.
// Only fading counts here: a move the state already called for before
// time passed (a customer who fell to annoyed on a broken promise with a
// score that would still keep them higher) waits for the next evidence.
// The state is left as it was when nothing moves; otherwise its time is
// that of the last move. Fading twice, to t1 and then to t2, gives what
// fading once to t2 gives.
func (r LadderRules) Fade(st LadderState, to time.Time) (LadderState, []LadderMove) {
	moves := r.fade(nil, &st, to)
	return st, withReasonText(moves)
}

// fade is Fade on the state st points to, appending the moves to moves,
// their reasons structured.
func (r *LadderRules) fade(moves []LadderMove, st *LadderState, to time.Time) []LadderMove {
	if !st.FadesAt.IsZero() && st.FadesAt.After(to) {
		return moves // the state says when fading next moves the customer: not yet
	}
	origin := *st
	for {
		at, event, ok := r.fadeStep(st, &origin)
		if !ok || at.After(to) {
			break
		}
		prevScore, prevAt := st.Score, st.UpdatedAt
		before := r.decay(st.Score, st.UpdatedAt, at)
		st.Score, st.UpdatedAt = before, at
		why := r.fadeReason(prevScore, prevAt, st, event)
		moves = r.move(moves, st, event, &Evidence{Customer: st.Customer, Kind: EvidenceFading, At: at}, before, &why)
	}
	st.FadesAt = r.fadesAt(st)
	return moves
}

// fadesAt is when fading will next move the customer, or zero for never.
func (r *LadderRules) fadesAt(st *LadderState) time.Time {
	at, _, ok := r.fadeStep(st, st)
	if !ok {
		return time.Time{}
	}
	return at
}

// fadeStep finds the first time after the state's at which fading calls
// for a move, and the move. origin is the state fading started from: a
// move the origin already called for is not fading's.
func (r *LadderRules) fadeStep(st, origin *LadderState) (time.Time, LadderEvent, bool) {
	if st.Stage == Lost || st.Stage == "" || st.UpdatedAt.IsZero() {
		return time.Time{}, "", false
	}
	var best time.Time
	var event LadderEvent
	if st.Stage == Advocate {
		lapse := laterTime(st.LastReferral, st.LastPromoter).Add(r.AdvocateRecency + time.Microsecond)
		if e, ok := r.fadeEvent(st, origin, r.decay(st.Score, st.UpdatedAt, lapse), lapse); ok && lapse.After(st.UpdatedAt) {
			best, event = lapse, e
		}
	}
	// The score changes only when a business day begins: find the first
	// such day on which fading calls for a move. Start from the day the
	// half-life says the score crosses its line (in floating point, so
	// only a guess), make sure the move is not due on the day before it
	// and is due on some day after, and halve between the two.
	guess, ok := r.fadeGuess(st)
	if !ok {
		return best, event, !best.IsZero()
	}
	day := r.dayNumber(st.UpdatedAt)
	// Only from loyal up does a rung hang on the time (advocacy's
	// recency); below it the score alone decides, and the day's start is
	// not worked out for each step of the search.
	timed := rungOf(st.Stage) >= rungLoyal
	due := func(n int64) (LadderEvent, bool) {
		t := st.UpdatedAt
		if timed {
			t = r.dayStart(day + n)
		}
		return r.fadeEvent(st, origin, r.decayDays(st.Score, n), t)
	}
	lo, hi := max(guess-1, 0), min(max(guess+1, 1), maxFadeDays)
	if _, early := due(lo); early {
		lo = 0
	}
	found := false
	var dueEvent LadderEvent // the event due on day hi, once found
	for {
		if dueEvent, found = due(hi); found || hi == maxFadeDays {
			break
		}
		lo, hi = hi, min(hi*2, maxFadeDays)
	}
	if found {
		for lo+1 < hi {
			mid := (lo + hi) / 2
			if e, ok := due(mid); ok {
				hi, dueEvent = mid, e
			} else {
				lo = mid
			}
		}
		if t := r.dayStart(day + hi); best.IsZero() || t.Before(best) {
			best, event = t, dueEvent
		}
	}
	return best, event, !best.IsZero()
}

// fadeGuess says on about which day, counted from the state's, fading
// makes the score cross the line of the state's rung: a positive score
// fades down toward a slide, a negative one up toward a rise out of
// annoyed. It reports false when the score never crosses a line by
// fading (it is zero, or the line is on the other side of zero).
func (r *LadderRules) fadeGuess(st *LadderState) (int64, bool) {
	rank := rungOf(st.Stage)
	var line int64
	switch {
	case st.Score > 0 && rank > 0:
		line = r.threshold(st.Stage)*1000 - r.Hysteresis*1000 // slides below it
		if line <= 0 {
			return 0, false
		}
	case st.Score < 0 && rank >= 0 && rank+1 < len(ladderRungs):
		line = r.threshold(ladderRungs[rank+1]) * 1000 // rises at it
		if line > 0 {
			return 0, false
		}
		if line == 0 {
			return maxFadeDays / 2, true // only when it has faded to nothing at all
		}
	default:
		return 0, false
	}
	ratio := float64(st.Score) / float64(line)
	if ratio <= 1 {
		return 1, true
	}
	days := approxLog2(ratio) * float64(halfLifeDays(r.HalfLife))
	return int64(min(days, maxFadeDays)), true
}

// approxLog2 is the base-2 logarithm of x > 0 to about 1e-6, for a
// guess at a day that the search then checks in integers: from the
// exponent of x, and the series ln m = 2 atanh((m-1)/(m+1)) of its
// mantissa m in [1, 2), cheaper than math.Log2.
func approxLog2(x float64) float64 {
	m, e := math.Frexp(x) // x = m * 2^e, m in [0.5, 1)
	m, e = m*2, e-1
	s := (m - 1) / (m + 1) // in [0, 1/3)
	s2 := s * s
	ln := 2 * s * (1 + s2*(1.0/3+s2*(1.0/5+s2*(1.0/7+s2*(1.0/9+s2/11)))))
	return float64(e) + ln/math.Ln2
}

// fadeEvent says whether the state with its score faded to score at time
// t calls for a move that fading caused: a slide from a rung the origin
// held, or a rise to a rung the origin did not reach.
func (r *LadderRules) fadeEvent(st, origin *LadderState, score int64, t time.Time) (LadderEvent, bool) {
	event, ok := r.nextAt(st, score, t)
	if !ok {
		return "", false
	}
	switch event {
	case Slide:
		return event, r.qualifies(origin, st.Stage, r.Hysteresis*1000)
	case Rise:
		return event, !r.qualifies(origin, ladderRungs[rungOf(st.Stage)+1], 0)
	}
	return "", false
}

// fadeReason says why fading is about to move the customer from the
// state, faded to the move's time: advocacy lapsed, or how far the score
// faded since it was prevScore at prevAt.
func (r *LadderRules) fadeReason(prevScore int64, prevAt time.Time, st *LadderState, event LadderEvent) reasonCore {
	if event == Slide && st.Stage == Advocate && st.Score >= r.threshold(Advocate)*1000-r.Hysteresis*1000 {
		return reasonCore{cause: causeFadedAdvocacy, span: r.AdvocateRecency, fromDay: r.dayNumber(laterTime(st.LastReferral, st.LastPromoter))}
	}
	return reasonCore{cause: causeFadedScore, fromScore: prevScore / 1000, fromDay: r.dayNumber(prevAt), toScore: st.Score / 1000,
		toDay: r.dayNumber(st.UpdatedAt), span: r.HalfLife}
}

// laterTime returns the later of two times.
func laterTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
