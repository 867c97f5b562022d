package crm

import (
	"context"
	"time"
)

// PipelineReader reads pipelines.
type PipelineReader interface {
	Get(ctx context.Context, id ID) (Pipeline, error)
	List(ctx context.Context, page PageRequest) ([]Pipeline, error)
}

// PipelineRepository reads and writes pipelines, with the version rules of
// CustomerRepository.
//
// In a write Tx, what Get returns stays true until the transaction ends:
// a concurrent change to that pipeline waits for it (on PostgreSQL, Get
// reads FOR SHARE). Every deal write reads its pipeline so, and a change
// to the pipeline reads it with Lock: a deal is not opened or moved into
// a stage that a concurrent change removes. Stores whose write
// transactions run one at a time (memory, SQLite) keep this without doing
// anything.
type PipelineRepository interface {
	PipelineReader
	Insert(ctx context.Context, p Pipeline) error
	Update(ctx context.Context, p Pipeline) error
	// Lock returns the pipeline as Get does and holds it until the
	// transaction ends: writes that read it (Get) or lock it wait
	// meanwhile (on PostgreSQL, SELECT ... FOR UPDATE).
	Lock(ctx context.Context, id ID) (Pipeline, error)
}

// DealFilter selects deals; zero fields match everything.
type DealFilter struct {
	Pipeline ID         `json:"pipeline,omitzero"`
	Customer ID         `json:"customer,omitzero"`
	Owner    ID         `json:"owner,omitzero"`
	Team     string     `json:"team,omitempty"`
	Status   DealStatus `json:"status,omitempty"`
	Stage    string     `json:"stage,omitempty"`
	Campaign ID         `json:"campaign,omitzero"`
}

// Match reports whether d passes the filter.
func (f DealFilter) Match(d Deal) bool {
	return (f.Pipeline.IsZero() || d.Pipeline == f.Pipeline) &&
		(f.Customer.IsZero() || d.Customer == f.Customer) &&
		(f.Owner.IsZero() || d.Owner == f.Owner) &&
		(f.Team == "" || d.Team == f.Team) &&
		(f.Status == "" || d.Status == f.Status) &&
		(f.Stage == "" || d.Stage == f.Stage) &&
		(f.Campaign.IsZero() || d.Campaign == f.Campaign)
}

// DealReader reads deals.
type DealReader interface {
	Get(ctx context.Context, id ID) (Deal, error)
	List(ctx context.Context, f DealFilter, page PageRequest) ([]Deal, error)
}

// DealRepository reads and writes deals, with the version rules of
// CustomerRepository. Adapters keep what analytics need beside the deal
// (its stage visits, Furthest, amounts in minor units).
type DealRepository interface {
	DealReader
	Insert(ctx context.Context, d Deal) error
	Update(ctx context.Context, d Deal) error
}

// ActivityFilter selects activities; zero fields match everything.
type ActivityFilter struct {
	Customer ID           `json:"customer,omitzero"`
	Deal     ID           `json:"deal,omitzero"`
	Owner    ID           `json:"owner,omitzero"`
	Team     string       `json:"team,omitempty"`
	Type     ActivityType `json:"type,omitempty"`
	// OverdueOn, when set, selects the activities whose follow-up is
	// before it and still pending.
	OverdueOn Date `json:"overdue_on,omitzero"`
	// Pending selects the activities with a follow-up still to do: one
	// set, and the activity neither done nor cancelled.
	Pending bool `json:"pending,omitempty"`
	// Since selects the activities at or after it.
	Since time.Time `json:"since,omitzero"`
	// Status, when set, selects the activities in that state (State: a
	// record from before statuses is done or pending as Done says).
	Status ActivityStatus `json:"status,omitempty"`
}

// Match reports whether a passes the filter.
func (f ActivityFilter) Match(a Activity) bool {
	return (f.Customer.IsZero() || a.Customer == f.Customer) &&
		(f.Deal.IsZero() || a.Deal == f.Deal) &&
		(f.Owner.IsZero() || a.Owner == f.Owner) &&
		(f.Team == "" || a.Team == f.Team) &&
		(f.Type == "" || a.Type == f.Type) &&
		(f.OverdueOn.IsZero() || a.Overdue(f.OverdueOn)) &&
		(!f.Pending || (!a.FollowUp.IsZero() && a.Pending())) &&
		(f.Since.IsZero() || !a.At.Before(f.Since)) &&
		(f.Status == "" || a.State() == f.Status)
}

// ActivityReader reads activities.
type ActivityReader interface {
	Get(ctx context.Context, id ID) (Activity, error)
	List(ctx context.Context, f ActivityFilter, page PageRequest) ([]Activity, error)
}

// ActivityRepository reads and writes activities, with the version rules
// of CustomerRepository.
type ActivityRepository interface {
	ActivityReader
	Insert(ctx context.Context, a Activity) error
	Update(ctx context.Context, a Activity) error
}

// CampaignReader reads campaigns.
type CampaignReader interface {
	Get(ctx context.Context, id ID) (Campaign, error)
	List(ctx context.Context, page PageRequest) ([]Campaign, error)
}

// CampaignRepository reads and writes campaigns, with the version rules of
// CustomerRepository.
type CampaignRepository interface {
	CampaignReader
	Insert(ctx context.Context, c Campaign) error
	Update(ctx context.Context, c Campaign) error
}

// SalesAnalytics answers the sales questions with rows that SQL adapters
// aggregate in the database. Every adapter must return exactly what the
// reference implementations return (AggregateStageAmounts,
// AggregateForecast, AggregateCohort, AggregateOutcomes,
// AggregateStageTimes, AggregateCampaign, AggregateWork,
// AggregateStagesAt), in the same order.
type SalesAnalytics interface {
	StageAmounts(ctx context.Context, q SalesQuery) ([]StageAmount, error)
	Forecast(ctx context.Context, q SalesQuery) ([]ForecastAmount, error)
	Cohort(ctx context.Context, q SalesQuery) ([]CohortCount, error)
	Outcomes(ctx context.Context, q SalesQuery) ([]OutcomeCount, error)
	StageTimes(ctx context.Context, q SalesQuery) ([]StageTime, error)
	Campaign(ctx context.Context, c Campaign) (CampaignCounts, error)
	Work(ctx context.Context, q WorkQuery) (WorkCounts, error)
	// StagesAt groups the deals of q's pipeline, owner and team (q's
	// range is not used) by the stage each was in at the instant at, by
	// StageVisit.VisitAt over its history; at is required.
	StagesAt(ctx context.Context, q SalesQuery, at time.Time) ([]StageAt, error)
}
