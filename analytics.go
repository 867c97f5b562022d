package crm

import (
	"fmt"
	"slices"
	"time"
)

// Dimension is what experience statistics are grouped by.
type Dimension string

// The dimensions. ByTotal puts everything in one group.
const (
	ByTotal      Dimension = ""
	ByTouchpoint Dimension = "touchpoint"
	ByPhase      Dimension = "phase"
	ByChannel    Dimension = "channel"
	ByDepartment Dimension = "department"
)

func (d Dimension) valid() bool {
	return d == ByTotal || d == ByTouchpoint || d == ByPhase || d == ByChannel || d == ByDepartment
}

// Period is the time bucket of statistics, in UTC.
type Period string

// The periods. PeriodAll puts the whole range in one bucket.
const (
	PeriodAll   Period = ""
	PeriodDay   Period = "day"   // "2026-03-02"
	PeriodWeek  Period = "week"  // ISO week, "2026-W10"
	PeriodMonth Period = "month" // "2026-03"
)

func (p Period) valid() bool {
	return p == PeriodAll || p == PeriodDay || p == PeriodWeek || p == PeriodMonth
}

// ExperienceQuery asks for experience statistics of the interactions that
// happened in [From, To) (zero bounds are open), on one map or all,
// grouped by a dimension and a period.
//
// Survey, when set, counts only the contacts whose survey was of that
// kind (relationship or transactional NPS, CSAT and CES apart);
// Touchpoints, when not empty, only the contacts at those touchpoint
// keys (TouchpointStats uses it to roll a touchpoint's subtree up).
type ExperienceQuery struct {
	From        time.Time  `json:"from,omitzero"`
	To          time.Time  `json:"to,omitzero"`
	Map         ID         `json:"map,omitzero"`
	GroupBy     Dimension  `json:"group_by,omitempty"`
	Period      Period     `json:"period,omitempty"`
	Survey      SurveyKind `json:"survey,omitempty"`
	Touchpoints []string   `json:"touchpoints,omitempty"`
}

// Check reports a query the adapters cannot answer.
func (q ExperienceQuery) Check() error {
	switch {
	case q.Survey != "" && !q.Survey.valid():
		return invalid("survey", "one_of", fmt.Sprintf("%q is not relationship or transactional", q.Survey))
	case len(q.Touchpoints) > maxTouchpoints:
		return invalid("touchpoints", "max_count", fmt.Sprintf("at most %d", maxTouchpoints))
	}
	return checkGrouping(q.From, q.To, q.GroupBy, q.Period)
}

// Selects reports whether the query counts the interaction: in its range,
// on its map, of its survey kind, at one of its touchpoints.
func (q ExperienceQuery) Selects(in Interaction) bool {
	return q.Contains(in.At) && (q.Map.IsZero() || in.Map == q.Map) && (q.Survey == "" || in.SurveyKind == q.Survey) &&
		(len(q.Touchpoints) == 0 || slices.Contains(q.Touchpoints, in.Touchpoint))
}

func checkGrouping(from, to time.Time, d Dimension, p Period) error {
	switch {
	case !d.valid():
		return invalid("group_by", "one_of", fmt.Sprintf("%q is not touchpoint, phase, channel or department", d))
	case !p.valid():
		return invalid("period", "one_of", fmt.Sprintf("%q is not day, week or month", p))
	case !from.IsZero() && !to.IsZero() && !from.Before(to):
		return invalid("to", "after_from", "the range is empty")
	}
	return nil
}

// Contains reports whether t falls in the query's range.
func (q ExperienceQuery) Contains(t time.Time) bool { return inRange(q.From, q.To, t) }

func inRange(from, to, t time.Time) bool {
	return (from.IsZero() || !t.Before(from)) && (to.IsZero() || t.Before(to))
}

// ExperienceCounts are the sums behind the experience metrics of one
// group and period. Adapters add them up (in SQL where they can); the
// metrics are computed from them in Go, so every adapter gives the same
// answer.
type ExperienceCounts struct {
	Group                string `json:"group,omitempty"`
	Period               string `json:"period,omitempty"`
	Interactions         int64  `json:"interactions"`
	Inbound              int64  `json:"inbound"`
	FirstContactResolved int64  `json:"first_contact_resolved"` // inbound, resolved, no transfer
	Transfers            int64  `json:"transfers"`
	AnswerBreaches       int64  `json:"answer_breaches"`
	CSATBreaches         int64  `json:"csat_breaches"`
	WaitMicros           int64  `json:"wait_micros"`
	HandleMicros         int64  `json:"handle_micros"`
	SatisfactionSum      int64  `json:"satisfaction_sum"` // of Interaction.Satisfaction, 1-5 each
	// NPS per answer: every NPS answer counts, however often a customer
	// answered.
	NPSAnswers int64 `json:"nps_answers"`
	Promoters  int64 `json:"promoters"`  // answers of 9 or 10
	Detractors int64 `json:"detractors"` // answers of 0-6
	// NPS per respondent: each customer counts once, with their latest
	// NPS answer in the group and period (the later recorded ID when two
	// answers share a time). Set by the adapters, not by Add.
	NPSRespondents       int64 `json:"nps_respondents"`
	RespondentPromoters  int64 `json:"respondent_promoters"`
	RespondentDetractors int64 `json:"respondent_detractors"`
	CSATAnswers          int64 `json:"csat_answers"`
	CSATSatisfied        int64 `json:"csat_satisfied"` // answers of 4 or 5
	CESAnswers           int64 `json:"ces_answers"`
	CESSum               int64 `json:"ces_sum"`
}

// Add counts one interaction.
func (c *ExperienceCounts) Add(in Interaction) {
	c.Interactions++
	if in.Direction == Inbound {
		c.Inbound++
	}
	if in.FirstContactResolution() {
		c.FirstContactResolved++
	}
	c.Transfers += int64(len(in.Transfers))
	c.AnswerBreaches += b2i(in.AnswerBreached)
	c.CSATBreaches += b2i(in.CSATBreached)
	c.WaitMicros += in.Wait.Microseconds()
	c.HandleMicros += in.Handle.Microseconds()
	c.SatisfactionSum += int64(in.Satisfaction())
	if n := in.Survey.NPS; n != nil {
		c.NPSAnswers++
		c.Promoters += b2i(*n >= 9)
		c.Detractors += b2i(*n <= 6)
	}
	if s := in.Survey.CSAT; s != nil {
		c.CSATAnswers++
		c.CSATSatisfied += b2i(*s >= 4)
	}
	if e := in.Survey.CES; e != nil {
		c.CESAnswers++
		c.CESSum += int64(*e)
	}
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func ratio(num, den int64) (float64, bool) {
	if den == 0 {
		return 0, false
	}
	return float64(num) / float64(den), true
}

// NPS is the percentage of promoters minus the percentage of detractors,
// -100 to 100, per answer: a customer who answered six times counts six
// times. False when nobody answered. RespondentNPS counts each customer
// once.
func (c ExperienceCounts) NPS() (float64, bool) {
	r, ok := ratio(100*(c.Promoters-c.Detractors), c.NPSAnswers)
	return r, ok
}

// RespondentNPS is the NPS per respondent, as NPS is usually reported:
// the latest answer of each customer in the group and period, -100 to
// 100; false when nobody answered.
func (c ExperienceCounts) RespondentNPS() (float64, bool) {
	return ratio(100*(c.RespondentPromoters-c.RespondentDetractors), c.NPSRespondents)
}

// NPSBasis says what an NPS figure counts.
type NPSBasis string

// The bases of NPS.
const (
	NPSPerAnswer     NPSBasis = "per_answer"     // every answer
	NPSPerRespondent NPSBasis = "per_respondent" // each customer's latest answer in the period
)

// NPSFigure is one NPS, labelled with what it counts.
type NPSFigure struct {
	Basis      NPSBasis `json:"basis,omitempty"`
	Answers    int64    `json:"answers"` // answers or respondents, as Basis says
	Promoters  int64    `json:"promoters"`
	Detractors int64    `json:"detractors"`
	Score      float64  `json:"score"` // -100 to 100; 0 when nobody answered
}

// NPSFigures returns the NPS per answer and per respondent, labelled.
func (c ExperienceCounts) NPSFigures() []NPSFigure {
	a, _ := c.NPS()
	r, _ := c.RespondentNPS()
	return []NPSFigure{
		{Basis: NPSPerAnswer, Answers: c.NPSAnswers, Promoters: c.Promoters, Detractors: c.Detractors, Score: a},
		{Basis: NPSPerRespondent, Answers: c.NPSRespondents, Promoters: c.RespondentPromoters, Detractors: c.RespondentDetractors, Score: r},
	}
}

// CSAT is the percentage of answers of 4 or 5; false when nobody answered.
func (c ExperienceCounts) CSAT() (float64, bool) { return ratio(100*c.CSATSatisfied, c.CSATAnswers) }

// CES is the mean of the effort answers, on the scale they were asked on
// (CESScale; by default CES 2.0, 1-7, higher is easier); false when
// nobody answered.
func (c ExperienceCounts) CES() (float64, bool) { return ratio(c.CESSum, c.CESAnswers) }

// FCR is the share of inbound contacts resolved at once, in percent.
func (c ExperienceCounts) FCR() (float64, bool) { return ratio(100*c.FirstContactResolved, c.Inbound) }

// TransfersPerContact is the mean number of hand-offs in a contact.
func (c ExperienceCounts) TransfersPerContact() (float64, bool) {
	return ratio(c.Transfers, c.Interactions)
}

// AnswerBreachRate is the share of contacts that waited longer than the
// standard, in percent.
func (c ExperienceCounts) AnswerBreachRate() (float64, bool) {
	return ratio(100*c.AnswerBreaches, c.Interactions)
}

// AverageWait is the mean wait for an answer.
func (c ExperienceCounts) AverageWait() time.Duration {
	if c.Interactions == 0 {
		return 0
	}
	return time.Duration(c.WaitMicros/c.Interactions) * time.Microsecond
}

// Satisfaction is the mean satisfaction, 1-5, rounded half up; 3 when
// there were no contacts.
func (c ExperienceCounts) Satisfaction() int {
	if c.Interactions == 0 {
		return 3
	}
	return int((2*c.SatisfactionSum + c.Interactions) / (2 * c.Interactions))
}

// satisfactionTenths is the mean satisfaction in tenths, rounded half up
// (42 is 4.2), and false when there were no contacts.
func (c ExperienceCounts) satisfactionTenths() (int64, bool) {
	if c.Interactions <= 0 {
		return 0, false
	}
	return (20*c.SatisfactionSum + c.Interactions) / (2 * c.Interactions), true
}

// Group is the interaction's group along a dimension: its touchpoint,
// phase, channel or department ("" for ByTotal).
func (in Interaction) Group(d Dimension) string {
	switch d {
	case ByTouchpoint:
		return in.Touchpoint
	case ByPhase:
		return string(in.Phase)
	case ByChannel:
		return string(in.Channel)
	case ByDepartment:
		return in.Department
	}
	return ""
}

// CaseQuery asks for case statistics of the cases opened in [From, To),
// grouped like experience statistics; the department is the one that has
// the case now.
type CaseQuery struct {
	From    time.Time `json:"from,omitzero"`
	To      time.Time `json:"to,omitzero"`
	Map     ID        `json:"map,omitzero"`
	GroupBy Dimension `json:"group_by,omitempty"`
	Period  Period    `json:"period,omitempty"`
}

// Check reports a query the adapters cannot answer.
func (q CaseQuery) Check() error { return checkGrouping(q.From, q.To, q.GroupBy, q.Period) }

// CaseCounts are the sums behind the case metrics of one group and period.
type CaseCounts struct {
	Group                string `json:"group,omitempty"`
	Period               string `json:"period,omitempty"`
	Opened               int64  `json:"opened"`
	Complaints           int64  `json:"complaints"`
	Resolved             int64  `json:"resolved"`               // cases with a resolution, whatever their status now
	ResolutionMicros     int64  `json:"resolution_micros"`      // summed over the resolved cases
	FirstContactResolved int64  `json:"first_contact_resolved"` // resolved with at most one contact and no hand-off
	Handoffs             int64  `json:"handoffs"`
	Reopens              int64  `json:"reopens"`
	ResolveBreaches      int64  `json:"resolve_breaches"`
	PromisesBroken       int64  `json:"promises_broken"`
}

// Add counts one case.
func (c *CaseCounts) Add(cs Case) {
	c.Opened++
	c.Complaints += b2i(cs.Kind == Complaint)
	if !cs.ResolvedAt.IsZero() {
		c.Resolved++
		c.ResolutionMicros += cs.TimeToResolution().Microseconds()
		c.FirstContactResolved += b2i(cs.Contacts <= 1 && cs.Handoffs == 0)
	}
	c.Handoffs += int64(cs.Handoffs)
	c.Reopens += int64(cs.Reopens)
	c.ResolveBreaches += b2i(cs.ResolveBreached)
	c.PromisesBroken += b2i(cs.PromiseBroken)
}

// merge adds the counts of o, of the same group, to c; the period is
// dropped when they differ.
func (c *CaseCounts) merge(o CaseCounts) {
	if c.Opened == 0 && c.Group == "" {
		c.Group, c.Period = o.Group, o.Period
	}
	if c.Period != o.Period {
		c.Period = ""
	}
	c.Opened += o.Opened
	c.Complaints += o.Complaints
	c.Resolved += o.Resolved
	c.ResolutionMicros += o.ResolutionMicros
	c.FirstContactResolved += o.FirstContactResolved
	c.Handoffs += o.Handoffs
	c.Reopens += o.Reopens
	c.ResolveBreaches += o.ResolveBreaches
	c.PromisesBroken += o.PromisesBroken
}

// AverageResolution is the mean time to resolution of the resolved cases.
func (c CaseCounts) AverageResolution() time.Duration {
	if c.Resolved == 0 {
		return 0
	}
	return time.Duration(c.ResolutionMicros/c.Resolved) * time.Microsecond
}

// HandoffsPerCase is the mean number of hand-offs of a case.
func (c CaseCounts) HandoffsPerCase() (float64, bool) { return ratio(c.Handoffs, c.Opened) }

// Group is the case's group along a dimension: its touchpoint, phase,
// channel or department ("" for ByTotal).
func (c Case) Group(d Dimension) string {
	switch d {
	case ByTouchpoint:
		return c.Touchpoint
	case ByPhase:
		return string(c.Phase)
	case ByChannel:
		return string(c.Channel)
	case ByDepartment:
		return c.Department
	}
	return ""
}
