package crm

import (
	"bytes"
	"cmp"
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// CompareEvidence orders evidence the way the ladder weighs it: in the
// order it happened (At). Evidence of one instant that the CRM weighed at
// that very instant (Evidence.Arrival) happened as it arrived: it goes
// after the evidence dated there from later, in the order it arrived, so
// that a write at the instant of the last one weighed is in order,
// whatever it says. Other
// evidence of the same instant (backdated, or from outside the CRM) goes
// by what it is, so that the same evidence gives the same ladder
// whatever order it arrived in: the kinds in the order things follow one
// another: a contact, a purchase or a payment, then a referral, a
// complaint, the case's hand-offs and overdue steps, a broken promise,
// the resolution, a dunning notice, and churn last; then by the kind of
// source, the touchpoint and every other field. The IDs of the evidence
// and of its source decide there only between pieces that say the same
// thing, which weigh the same either way.
func CompareEvidence(a, b Evidence) int {
	return cmp.Or(compareEvidenceHead(a, b), compareEvidenceTail(a, b, evidenceContent(a), evidenceContent(b)))
}

// compareEvidenceHead compares what tells most evidence apart: the time,
// whether it was weighed as it happened and then its arrival, the kind,
// the kind of source and the touchpoint. Not the IDs of other evidence,
// or of its source: those are given as things arrive.
func compareEvidenceHead(a, b Evidence) int {
	return cmp.Or(
		a.At.Compare(b.At),
		compareArrival(a, b),
		cmp.Compare(a.Kind.order(), b.Kind.order()),
		strings.Compare(string(a.Kind), string(b.Kind)),
		strings.Compare(string(a.Source), string(b.Source)),
		a.Map.Compare(b.Map),
		strings.Compare(a.Touchpoint, b.Touchpoint),
	)
}

// compareArrival orders evidence of one instant by how it arrived: the
// backdated (Arrival 0) first, then those weighed as they happened, in
// the order they arrived.
func compareArrival(a, b Evidence) int {
	return cmp.Compare(a.Arrival, b.Arrival)
}

// compareEvidenceTail breaks a tie of the head by content, then by the
// IDs, which only pieces that say the same thing reach.
func compareEvidenceTail(a, b Evidence, contentA, contentB []byte) int {
	return cmp.Or(bytes.Compare(contentA, contentB), a.SourceID.Compare(b.SourceID), a.ID.Compare(b.ID))
}

// order ranks the kinds of evidence of one instant (CompareEvidence);
// kinds it does not know go after those it knows.
func (k EvidenceKind) order() int {
	for i, kind := range []EvidenceKind{EvidenceExperience, EvidencePurchase, EvidencePaidOnTime, EvidencePaidLate,
		EvidenceReferral, EvidenceComplaint, EvidenceHandoff, EvidenceOverdue, EvidenceBrokenPromise, EvidenceResolution,
		EvidenceReminded, EvidenceDunned, EvidenceChurn} {
		if k == kind {
			return i
		}
	}
	return 100
}

// evidenceContent is the evidence without its identity, its source's or
// its arrival, as JSON: what it says, for ordering pieces of the same
// instant that differ only there.
func evidenceContent(ev Evidence) []byte {
	ev.ID, ev.Customer, ev.SourceID, ev.Arrival = ID{}, ID{}, ID{}, 0
	b, _ := json.Marshal(ev) // Evidence is plain data: it always encodes
	return b
}

// inOrder returns the evidence sorted as the ladder weighs it
// (CompareEvidence), without changing the slice it was given. It sorts by
// the head first and reads the content only of the pieces that tie there,
// once each.
func inOrder(evidence []Evidence) []Evidence {
	out := slices.Clone(evidence)
	slices.SortStableFunc(out, compareEvidenceHead)
	for i := 0; i < len(out); {
		j := i + 1
		for j < len(out) && compareEvidenceHead(out[i], out[j]) == 0 {
			j++
		}
		if j-i > 1 {
			type keyed struct {
				ev      Evidence
				content []byte
			}
			tied := make([]keyed, 0, j-i)
			for _, ev := range out[i:j] {
				tied = append(tied, keyed{ev, evidenceContent(ev)})
			}
			slices.SortStableFunc(tied, func(a, b keyed) int { return compareEvidenceTail(a.ev, b.ev, a.content, b.content) })
			for k, t := range tied {
				out[i+k] = t.ev
			}
		}
		i = j
	}
	return out
}

// minTime returns the earlier of two times.
func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
