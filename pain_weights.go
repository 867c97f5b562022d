package crm

import "fmt"

// PainWeights say how much each failing weighs in a touchpoint's pain
// (PainPoint), in points of 100: each weight multiplies a share between 0
// and 1, and the weights add up to 100, so that pain runs from 0 (nothing
// failed) to 100 (everything failed every time). A weight of 0 leaves a
// failing out.
//
// The defaults (DefaultPainWeights) put the customer's own word first and
// the company's internal measures after it:
//
//   - Detractors 30: an NPS detractor says they would warn others; it is
//     the strongest sign that a contact cost the relationship (seed 001:
//     CEM is about moving customers away from annoyed).
//   - UnhappyCSAT 25: a CSAT answer below 4 is the customer judging this
//     very contact, but about the contact rather than the company, so a
//     little below a detractor.
//   - SlowAnswers 15: waiting longer than the touchpoint's standard is the
//     most common irritation, but the customer did not say it hurt.
//   - Transfers 10 and NotResolved 10: being passed around and having to
//     come back are what seed 004's lost customer lived through (four
//     transfers, a month without an answer); they count per contact, up to
//     one transfer per contact.
//   - LateCases 5 and BrokenPromises 5: counted on cases, which are far
//     fewer than contacts, and which the contacts about them already show;
//     the loyalty ladder weighs a broken promise on the customer itself.
type PainWeights struct {
	Detractors     int `json:"detractors"`      // the share of NPS answers from detractors (0-6)
	UnhappyCSAT    int `json:"unhappy_csat"`    // the share of CSAT answers below 4
	SlowAnswers    int `json:"slow_answers"`    // the share of contacts answered later than the standard
	Transfers      int `json:"transfers"`       // transfers per contact, up to one
	NotResolved    int `json:"not_resolved"`    // the share of inbound contacts not resolved at once
	LateCases      int `json:"late_cases"`      // the share of cases resolved later than the standard
	BrokenPromises int `json:"broken_promises"` // the share of cases whose promise was broken
}

// DefaultPainWeights returns the weights PainPoints uses unless the CRM
// (WithPainWeights) or the query (PainQuery.Weights) says otherwise; the
// doc of PainWeights gives the reasons.
func DefaultPainWeights() PainWeights {
	return PainWeights{Detractors: 30, UnhappyCSAT: 25, SlowAnswers: 15, Transfers: 10, NotResolved: 10, LateCases: 5, BrokenPromises: 5}
}

// WithPainWeights sets the weights of pain points (default
// DefaultPainWeights); New refuses weights that do not pass Check.
func WithPainWeights(w PainWeights) Option { return func(o *options) { o.pain = &w } }

// Check reports weights that cannot be used: each must be 0 to 100, and
// they must add up to 100.
func (w PainWeights) Check() error {
	sum := 0
	for _, f := range w.fields() {
		if f.weight < 0 || f.weight > 100 {
			return invalid("pain_weights."+f.name, "range", fmt.Sprintf("%d is outside 0-100", f.weight))
		}
		sum += f.weight
	}
	if sum != 100 {
		return invalid("pain_weights", "sum", fmt.Sprintf("the weights add up to %d, not 100", sum))
	}
	return nil
}

// painWeight is one weight with its JSON name.
type painWeight struct {
	name   string
	weight int
}

func (w PainWeights) fields() []painWeight {
	return []painWeight{
		{"detractors", w.Detractors}, {"unhappy_csat", w.UnhappyCSAT}, {"slow_answers", w.SlowAnswers},
		{"transfers", w.Transfers}, {"not_resolved", w.NotResolved}, {"late_cases", w.LateCases},
		{"broken_promises", w.BrokenPromises},
	}
}
