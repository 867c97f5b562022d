package crm

import (
	"context"
	"time"
)

// Stats answers an experience question: NPS, CSAT, CES, volume,
// first-contact resolution, transfers and breaches per touchpoint, phase,
// channel or department and period. Call the metric methods of the
// returned counts (NPS, CSAT, FCR, ...).
func (c *ExperienceService) Stats(ctx context.Context, actor ID, q ExperienceQuery) ([]ExperienceCounts, error) {
	if err := q.Check(); err != nil {
		return nil, err
	}
	var out []ExperienceCounts
	err := c.analyze(ctx, actor, func(tx ReadTx) error {
		a := tx.Analytics()
		var err error
		out, err = a.Experience(ctx, q)
		return err
	})
	return out, err
}

// Stats answers a case question: cases opened and resolved, time to
// resolution, hand-offs per case, reopens, late resolutions and broken
// promises.
func (c *CaseService) Stats(ctx context.Context, actor ID, q CaseQuery) ([]CaseCounts, error) {
	if err := q.Check(); err != nil {
		return nil, err
	}
	var out []CaseCounts
	err := c.analyze(ctx, actor, func(tx ReadTx) error {
		a := tx.Analytics()
		var err error
		out, err = a.Cases(ctx, q)
		return err
	})
	return out, err
}

// PainQuery asks for the worst touchpoints of a period on a map (all maps
// when zero). MinContacts leaves out touchpoints with fewer contacts (0
// means 5). Weights weigh the failings (zero: the CRM's, set with
// WithPainWeights).
type PainQuery struct {
	From        time.Time   `json:"from,omitzero"`
	To          time.Time   `json:"to,omitzero"`
	Map         ID          `json:"map,omitzero"`
	MinContacts int64       `json:"min_contacts"`
	Weights     PainWeights `json:"weights,omitzero"`
}

// PainPoints ranks the touchpoints that hurt most, worst first, with the
// reasons; PainPoint says how pain is counted.
func (c *ExperienceService) PainPoints(ctx context.Context, actor ID, q PainQuery) ([]PainPoint, error) {
	eq := ExperienceQuery{From: q.From, To: q.To, Map: q.Map, GroupBy: ByTouchpoint}
	if err := eq.Check(); err != nil {
		return nil, err
	}
	weights := c.pain
	if q.Weights != (PainWeights{}) {
		if err := q.Weights.Check(); err != nil {
			return nil, err
		}
		weights = q.Weights
	}
	var out []PainPoint
	err := c.analyze(ctx, actor, func(tx ReadTx) error {
		a := tx.Analytics()
		exp, err := a.Experience(ctx, eq)
		if err != nil {
			return err
		}
		cases, err := a.Cases(ctx, CaseQuery{From: q.From, To: q.To, Map: q.Map, GroupBy: ByTouchpoint})
		out = rankPain(exp, cases, cmpOr(q.MinContacts, 5), weights)
		return err
	})
	return out, err
}

// MomentsOfTruth finds the touchpoints customers had just been at, more
// than at others, when they moved up or down the ladder: moves per
// contact at each touchpoint against the base rate of all touchpoints,
// ranked by that lift, touchpoints with too few contacts set apart
// (MomentsReport says how).
func (c *ExperienceService) MomentsOfTruth(ctx context.Context, actor ID, q MomentsQuery) (MomentsReport, error) {
	if err := q.Check(); err != nil {
		return MomentsReport{}, err
	}
	var out MomentsReport
	err := c.analyze(ctx, actor, func(tx ReadTx) error {
		a := tx.Analytics()
		ms, err := a.MomentsOfTruth(ctx, q)
		out = momentsReport(ms, q)
		return err
	})
	return out, err
}

// JourneyMapQuery asks for the journey map of Template, scored by the
// contacts in [From, To).
type JourneyMapQuery struct {
	Template ID        `json:"template,omitzero"`
	From     time.Time `json:"from,omitzero"`
	To       time.Time `json:"to,omitzero"`
}

// JourneyMapMermaid renders a journey template as a Mermaid journey
// diagram scored by the mean satisfaction at each step in [From, To), with
// no score on a step nobody reached (JourneyTemplate.Mermaid).
func (c *ExperienceService) JourneyMapMermaid(ctx context.Context, actor ID, q JourneyMapQuery) (string, error) {
	template, from, to := q.Template, q.From, q.To
	var out string
	err := c.analyze(ctx, actor, func(tx ReadTx) error {
		a := tx.Analytics()
		t, err := tx.JourneyTemplates().Get(ctx, template)
		if err != nil {
			return err
		}
		m, err := tx.TouchpointMaps().Get(ctx, t.Map)
		if err != nil {
			return err
		}
		stats, err := a.Experience(ctx, ExperienceQuery{From: from, To: to, Map: t.Map, GroupBy: ByTouchpoint})
		out = t.Mermaid(resolvedByKey(m), stats)
		return err
	})
	return out, err
}
