package crm

// FunnelStage is one bar of a sales funnel: the deals at a stage (the
// funnel as it stands) or the deals that reached it (a cohort).
type FunnelStage struct {
	Stage    string `json:"stage,omitempty"`
	Name     string `json:"name,omitempty"`
	Deals    int64  `json:"deals"`
	Value    Money  `json:"value"`    // the deals' amounts, unweighted
	Weighted Money  `json:"weighted"` // the amounts weighted by probability (zero in a cohort funnel)
	// Rate is 1 for the first stage. In a cohort funnel it is the share of
	// the previous stage's deals that reached this one, 0-1: the
	// stage-to-stage conversion. In the funnel as it stands it is this
	// stage's open deals over the previous stage's, the funnel's shape
	// rather than a conversion: it can pass 1, and is 0 after an empty
	// stage.
	Rate float64 `json:"rate"`
}

// Funnel is a pipeline's funnel chart data.
type Funnel struct {
	Title    string        `json:"title,omitempty"`
	Pipeline ID            `json:"pipeline,omitzero"`
	Currency Currency      `json:"currency,omitzero"`
	Stages   []FunnelStage `json:"stages,omitempty"`
	// AsOf is the business day a funnel as of a past date stood at the
	// end of (see DealService.FunnelAsOf); zero for the funnel now.
	AsOf Date `json:"as_of,omitzero"`
	// Closed holds, in a funnel as of a date, the won and lost stages:
	// the deals won and lost by then. The funnel now leaves it empty.
	Closed []FunnelStage `json:"closed,omitempty"`
}
