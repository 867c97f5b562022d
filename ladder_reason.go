package crm

import (
	"math"
	"strconv"
	"time"
)

// LadderReason is why a ladder move happened, kept as the terms that
// decided it: the kind of evidence and its touchpoint, each term with the
// answer or count it weighed and its points, the touchpoint's weight; or,
// for a move fading caused, the scores and days it faded between. Its
// text (LadderMove.Reason) is written only when asked for (String,
// AppendText) or encoded, so weighing evidence allocates nothing.
// The zero LadderReason says nothing: moves read back from a store carry
// their reason as text only.
type LadderReason struct {
	kind       EvidenceKind
	touchpoint string
	reasonCore
}

// reasonCore is a LadderReason without the evidence's kind and
// touchpoint, which the move keeps in its reference to the evidence
// (LadderMove.Evidence): what a move AppendApply made holds, so that
// weighing evidence writes each of them once.
type reasonCore struct {
	cause  reasonCause
	more   reasonMore // the resolution's qualifier (", 2 reopens"), its number in moreArg
	n      uint8      // the terms in use
	what   [maxReasonTerms]termKind
	weight int64 // the touchpoint's weight in percent, 100 when it does not apply
	note   string
	// moreArg is the number of the resolution's qualifier.
	moreArg int64
	terms   [maxReasonTerms]reasonTerm
	// Fading: the score (whole points) on a day faded to a score by a
	// day (days numbered from 1 January 1970), and the half-life; or the
	// recency advocacy lapsed after, and the day of the last referral or
	// promoter answer.
	fromScore, toScore int64
	fromDay, toDay     int64
	span               time.Duration
}

// maxReasonTerms is the most terms one piece of evidence weighs: an
// experience's sentiment, NPS, CSAT, CES, outcome, transfers and breach.
const maxReasonTerms = 8

// reasonCause is what a move's reason starts from.
type reasonCause uint8

const (
	causeNone          reasonCause = iota
	causeEvidence                  // the evidence's terms
	causeLeft                      // churn: "left: " and the terms
	causeWinBack                   // a lost customer bought again
	causeFadedScore                // the score faded across a line
	causeFadedAdvocacy             // advocacy lapsed
)

// reasonTerm is one term of a reason: the answer, count or duration
// weighed, and its points in thousandths; what it weighs is kept apart
// (reasonCore.what), so that a term takes two words.
type reasonTerm struct {
	value int64
	pts   int64
}

// termKind is what a term weighs; termLabels gives its words.
type termKind uint8

const (
	termSentiment termKind = iota + 1
	termPromoter
	termPassive
	termDetractor
	termCSAT
	termCES
	termRepeat
	termResolved
	termUnresolved
	termTransfers
	termBreach
	termPurchase
	termReferral
	termComplaint
	termRecovered
	termLateResolution
	termHandoff
	termOverdue
	termBrokenPromise
	termDunned
	termReminded
	termPaidOnTime
	termPaidLateDays
	termPaidLate
	termChurn
)

// termLabels names each term as LadderReason.Terms reports it.
var termLabels = [...]string{
	termSentiment: "sentiment", termPromoter: "nps_promoter", termPassive: "nps_passive", termDetractor: "nps_detractor",
	termCSAT: "csat", termCES: "ces", termRepeat: "repeat", termResolved: "resolved", termUnresolved: "unresolved",
	termTransfers: "transfers", termBreach: "breach", termPurchase: "purchase", termReferral: "referral",
	termComplaint: "complaint", termRecovered: "recovery", termLateResolution: "late_resolution", termHandoff: "handoff",
	termOverdue: "overdue", termBrokenPromise: "broken_promise", termDunned: "dunned", termReminded: "reminded",
	termPaidOnTime: "paid_on_time", termPaidLateDays: "paid_late", termPaidLate: "paid_late", termChurn: "churn",
}

// reasonMore qualifies a resolution: why it was no recovery, or which
// failure of a run it recovered.
type reasonMore uint8

const (
	moreNone reasonMore = iota
	morePromiseBroken
	moreStandardMissed
	moreReopens
	moreCSAT
	moreDetractor
	moreFailures
)

// LadderTerm is one term of a move's reason: what it weighs (a kind such
// as "sentiment", "nps_detractor", "transfers", "recovery"), the answer,
// count or duration in nanoseconds it weighed, and its points in
// thousandths, before the touchpoint's weight.
type LadderTerm struct {
	Term   string `json:"term"`
	Value  int64  `json:"value"`
	Points int64  `json:"points"`
}

// Terms returns the terms that weighed, in the order the reason names
// them; none for a move fading caused or a win-back.
func (w LadderReason) Terms() []LadderTerm {
	out := make([]LadderTerm, 0, w.n)
	for i, t := range w.terms[:w.n] {
		out = append(out, LadderTerm{Term: termLabels[w.what[i]], Value: t.value, Points: t.pts})
	}
	return out
}

// IsZero reports whether the reason says nothing (a move read back from a
// store keeps its reason as text only).
func (w LadderReason) IsZero() bool { return w.cause == causeNone }

// add appends a term of p whole points; a zero term is no term.
func (w *reasonCore) add(what termKind, value, p int64) {
	if p != 0 {
		w.addExact(what, value, p*1000)
	}
}

// addExact appends a term of pts thousandths.
func (w *reasonCore) addExact(what termKind, value, pts int64) {
	if w.n < maxReasonTerms {
		w.what[w.n], w.terms[w.n] = what, reasonTerm{value: value, pts: pts}
		w.n++
	}
}

// String is the reason in words, as LadderMove.Reason holds it.
func (w LadderReason) String() string {
	var buf [160]byte
	return string(w.appendTo(buf[:0]))
}

// AppendText appends the reason in words to b (encoding.TextAppender).
func (w LadderReason) AppendText(b []byte) ([]byte, error) { return w.appendTo(b), nil }

// MarshalText encodes the reason in words.
func (w LadderReason) MarshalText() ([]byte, error) { return w.appendTo(nil), nil }

func (w *LadderReason) appendTo(b []byte) []byte {
	switch w.cause {
	case causeWinBack:
		return append(b, "bought again after leaving"...)
	case causeFadedAdvocacy:
		b = append(b, "fading: no referral or promoter answer in "...)
		b = appendDays(b, w.span)
		b = append(b, " (the last on "...)
		return append(dateOfDay(w.fromDay).appendTo(b), ')')
	case causeFadedScore:
		b = append(b, "fading: score "...)
		b = strconv.AppendInt(b, w.fromScore, 10)
		b = dateOfDay(w.fromDay).appendTo(append(b, " on "...))
		b = strconv.AppendInt(append(b, " faded to "...), w.toScore, 10)
		b = dateOfDay(w.toDay).appendTo(append(b, " by "...))
		b = appendDays(append(b, " (half-life "...), w.span)
		return append(b, ')')
	case causeLeft:
		b = append(b, "left: "...)
	case causeNone:
		return b
	}
	b = append(b, w.kind...)
	if w.touchpoint != "" {
		b = append(append(b, " at "...), w.touchpoint...)
	}
	for i, t := range w.terms[:w.n] {
		if i == 0 {
			b = append(b, ": "...)
		} else {
			b = append(b, ", "...)
		}
		b = w.appendTerm(b, w.what[i], t)
	}
	if w.weight != 100 {
		b = strconv.AppendInt(append(b, " (weight "...), w.weight, 10)
		b = append(b, "%)"...)
	}
	if w.note != "" {
		b = append(append(b, " - "...), w.note...)
	}
	return b
}

// appendTerm writes one term in words, then its points.
func (w *reasonCore) appendTerm(b []byte, what termKind, t reasonTerm) []byte {
	switch what {
	case termSentiment:
		b = strconv.AppendInt(append(b, "sentiment "...), t.value, 10)
	case termPromoter, termPassive, termDetractor:
		b = strconv.AppendInt(append(b, "NPS "...), t.value, 10)
		b = append(b, [...]string{termPromoter: " (promoter)", termPassive: " (passive)", termDetractor: " (detractor)"}[what]...)
	case termCSAT:
		b = strconv.AppendInt(append(b, "CSAT "...), t.value, 10)
	case termCES:
		b = strconv.AppendInt(append(b, "CES "...), t.value, 10)
	case termRepeat:
		b = strconv.AppendInt(append(b, "contact "...), t.value, 10)
		b = append(b, " about the same matter"...)
	case termTransfers:
		b = append(strconv.AppendInt(b, t.value, 10), " transfers"...)
	case termRecovered:
		b = appendShortDuration(append(b, "complaint resolved well in "...), time.Duration(t.value))
		b = w.appendMore(append(b, " (service recovery"...))
		b = append(b, ')')
	case termLateResolution:
		b = appendShortDuration(append(b, "complaint resolved in "...), time.Duration(t.value))
		b = w.appendMore(b)
	case termHandoff:
		b = strconv.AppendInt(append(b, "hand-off "...), t.value, 10)
		b = append(b, " of the case"...)
	case termOverdue:
		b = appendDays(append(b, "case open "...), time.Duration(t.value))
		b = append(b, " past its standard"...)
	case termPaidLateDays:
		b = strconv.AppendInt(append(b, "paid "...), t.value, 10)
		b = append(b, " days late"...)
	case termChurn:
		return append(b, "churn"...) // no points
	default:
		b = append(b, termWords[what]...)
	}
	return appendPoints(append(b, ' '), t.pts)
}

// termWords are the words of the terms that are only words.
var termWords = [...]string{
	termResolved: "resolved", termUnresolved: "not resolved", termBreach: "service standard missed",
	termPurchase: "purchase", termReferral: "referral", termComplaint: "complaint", termBrokenPromise: "broken promise",
	termDunned: "final dunning notice", termReminded: "dunning letter", termPaidOnTime: "paid on time", termPaidLate: "paid late",
	termChurn: "",
}

// appendMore writes the resolution's qualifier.
func (w *reasonCore) appendMore(b []byte) []byte {
	switch w.more {
	case morePromiseBroken:
		b = append(b, ", promise broken"...)
	case moreStandardMissed:
		b = append(b, ", standard missed"...)
	case moreReopens:
		b = append(strconv.AppendInt(append(b, ", "...), w.moreArg, 10), " reopens"...)
	case moreCSAT:
		b = strconv.AppendInt(append(b, ", CSAT "...), w.moreArg, 10)
	case moreDetractor:
		b = append(b, ", a detractor answer since the complaint"...)
	case moreFailures:
		b = strconv.AppendInt(append(b, ", failure "...), w.moreArg, 10)
		b = append(b, " in a row"...)
	}
	return b
}

// appendPoints writes thousandths of a point with their sign, in whole
// points or to a tenth: "+4", "-8", "+12.5".
func appendPoints(b []byte, pts int64) []byte {
	if pts%1000 != 0 {
		f := float64(pts) / 1000
		if !math.Signbit(f) {
			b = append(b, '+')
		}
		return strconv.AppendFloat(b, f, 'f', 1, 64)
	}
	if pts >= 0 {
		b = append(b, '+')
	}
	return strconv.AppendInt(b, pts/1000, 10)
}

// appendShortDuration writes a duration to the minute without zero units:
// "20h", "1h30m", "45m"; nothing for less than half a minute.
func appendShortDuration(b []byte, d time.Duration) []byte {
	m := int64(d.Round(time.Minute) / time.Minute)
	if m == 0 {
		return b
	}
	if m < 0 {
		b, m = append(b, '-'), -m
	}
	if h := m / 60; h > 0 {
		b = append(strconv.AppendInt(b, h, 10), 'h')
		if m%60 == 0 {
			return b
		}
	}
	return append(strconv.AppendInt(b, m%60, 10), 'm')
}

// appendDays writes a duration of two days or more in whole days
// ("35d"), a shorter one as appendShortDuration does.
func appendDays(b []byte, d time.Duration) []byte {
	if d >= 48*time.Hour {
		return append(strconv.AppendInt(b, int64(d/(24*time.Hour)), 10), 'd')
	}
	return appendShortDuration(b, d)
}
