package crm

import "fmt"

// CESScale is how the customer effort question is asked: the range of
// the answers and which end is easy. The default is CES 2.0's: "the
// company made it easy for me to handle my issue", 1 (strongly disagree)
// to 7 (strongly agree), so a higher answer means less effort. The older
// CES 1.0 asked "how much effort did you personally have to put forth",
// 1-5, where a lower answer is better: CESScale{Min: 1, Max: 5}.
//
// The scale has an odd number of points, so that it has a middle answer
// that is neither easy nor hard; the ladder weighs each step away from it
// (LadderRules.CES) toward the easy end as good and toward the hard end
// as bad. Answers are stored as given; the statistics average them as
// they are (ExperienceCounts.CES), and say which way is easy.
type CESScale struct {
	Min            int  `json:"min"`
	Max            int  `json:"max"`
	HigherIsEasier bool `json:"higher_is_easier,omitempty"`
}

// DefaultCESScale is CES 2.0: 1-7, higher is easier.
func DefaultCESScale() CESScale { return CESScale{Min: 1, Max: 7, HigherIsEasier: true} }

// orDefault returns s, or the default for the zero scale.
func (s CESScale) orDefault() CESScale {
	if s == (CESScale{}) {
		return DefaultCESScale()
	}
	return s
}

// Check reports a scale that cannot be asked: it needs 3 to 11 points
// from 0 or more, and an odd number of them.
func (s CESScale) Check() error {
	switch n := s.Max - s.Min + 1; {
	case s.Min < 0 || n < 3 || n > 11:
		return invalid("ces_scale", "range", fmt.Sprintf("%d-%d: 3 to 11 points from 0 or more", s.Min, s.Max))
	case n%2 == 0:
		return invalid("ces_scale", "odd", fmt.Sprintf("%d-%d has no middle answer", s.Min, s.Max))
	}
	return nil
}

// Ease is how many steps an answer lies from the middle of the scale
// toward the easy end: positive when the customer found it easy,
// negative when it took effort, 0 in the middle. On CES 2.0, 7 is +3 and
// 1 is -3.
func (s CESScale) Ease(answer int) int {
	mid := (s.Min + s.Max) / 2
	if s.HigherIsEasier {
		return answer - mid
	}
	return mid - answer
}

// Easy reports whether an answer is on the easy side of the middle.
func (s CESScale) Easy(answer int) bool { return s.Ease(answer) > 0 }

// WithCESScale sets how the CES question is asked (default
// DefaultCESScale): the answers it accepts, and which end the loyalty
// ladder weighs as easy.
func WithCESScale(s CESScale) Option { return func(o *options) { o.ces = &s } }

// WithCESScale returns the rules weighing CES answers on the scale s; the
// CRM sets its own scale (WithCESScale) on the rules it applies and
// replays. The zero scale is DefaultCESScale.
func (r LadderRules) WithCESScale(s CESScale) LadderRules {
	r.cesScale = s.orDefault()
	return r
}

// CESScale returns the scale the rules weigh CES answers on.
func (r LadderRules) CESScale() CESScale { return r.cesScale.orDefault() }

// SurveyKind is why a survey was asked. A relationship survey asks about
// the company as a whole, now and then, whatever the customer did lately;
// a transactional survey asks about one contact, right after it. Their
// NPS are different figures and are reported apart.
type SurveyKind string

// The kinds of survey.
const (
	RelationshipSurvey  SurveyKind = "relationship"
	TransactionalSurvey SurveyKind = "transactional"
)

func (k SurveyKind) valid() bool { return k == RelationshipSurvey || k == TransactionalSurvey }

// answered reports whether any question was answered.
func (s Survey) answered() bool { return s.NPS != nil || s.CSAT != nil || s.CES != nil }
