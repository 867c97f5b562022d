package crm

import (
	"context"
	"iter"
	"slices"
	"time"
)

// CreatePipeline saves a pipeline; by default only admins configure.
// Stages default to DefaultStages.
func (c *DealService) CreatePipeline(ctx context.Context, actor ID, n NewPipeline) (Pipeline, error) {
	var out Pipeline
	err := c.write(ctx, actor, func(w *writeTx) error {
		if err := w.authorize(ActionConfigure, Target{Kind: KindPipeline}); err != nil {
			return err
		}
		id, err := w.newID()
		if err != nil {
			return err
		}
		p := Pipeline{ID: id, Name: n.Name, Currency: n.Currency, Stages: n.Stages, AllowSkip: n.AllowSkip, AllowBack: n.AllowBack,
			Team: n.Team, LostReasons: n.LostReasons, CreatedAt: w.now, UpdatedAt: w.now, Version: 1}.Clone()
		if len(p.Stages) == 0 {
			p.Stages = DefaultStages()
		}
		if out, err = p.normalized(); err != nil {
			return err
		}
		if err := w.tx.Pipelines().Insert(ctx, out); err != nil {
			return err
		}
		return w.record(PipelineCreated, KindPipeline, id, 1, ChangeSet{Changes: diffPipeline(Pipeline{}, out)})
	})
	return out, err
}

// NewPipeline is a pipeline to create: its deals' currency, its stages
// in order (DefaultStages when empty), whether deals may skip stages or
// go back, the team that works it ("" for everyone), and the reasons its
// deals may be lost for (DefaultLostReasons when empty).
type NewPipeline struct {
	Name        string             `json:"name,omitempty"`
	Currency    Currency           `json:"currency,omitzero"`
	Stages      []Stage            `json:"stages,omitempty"`
	AllowSkip   bool               `json:"allow_skip,omitempty"`
	AllowBack   bool               `json:"allow_back,omitempty"`
	Team        string             `json:"team,omitempty"`
	LostReasons []LostReasonOption `json:"lost_reasons,omitempty"`
}

// PipelinePatch changes Pipeline; nil fields stay. Stages, when not nil,
// replace the list. A stage that still holds open deals cannot be
// removed (a *StageInUseError) unless MoveDeals names, for that removed
// stage, the open stage of the new list its deals move to, in the same
// transaction, each with a stage visit and an event. LostReasons, when
// not nil, replace the pipeline's own (empty: DefaultLostReasons); deals
// already lost keep their reason.
type PipelinePatch struct {
	Pipeline    ID                 `json:"pipeline,omitzero"`
	Name        *string            `json:"name,omitempty"`
	Stages      []Stage            `json:"stages,omitempty"`
	AllowSkip   *bool              `json:"allow_skip,omitempty"`
	AllowBack   *bool              `json:"allow_back,omitempty"`
	LostReasons []LostReasonOption `json:"lost_reasons,omitempty"`
	MoveDeals   map[string]string  `json:"move_deals,omitempty"` // removed stage -> the open stage its deals move to
	IfVersion   int64              `json:"if_version"`
}

// UpdatePipeline changes a pipeline. Its currency does not change: the
// deals' amounts are in it. It holds the pipeline until it commits
// (PipelineRepository.Lock), so that no deal is opened or moved meanwhile
// into a stage it removes.
func (c *DealService) UpdatePipeline(ctx context.Context, actor ID, patch PipelinePatch) (Pipeline, error) {
	return updateConfig(c.engine, ctx, actor, patch.Pipeline, patch.IfVersion, pipelineConfig, func(w *writeTx, before Pipeline) (Pipeline, []Change, error) {
		after := before.Clone()
		if patch.Name != nil {
			after.Name = *patch.Name
		}
		if patch.Stages != nil {
			after.Stages = Pipeline{Stages: patch.Stages}.Clone().Stages
		}
		if patch.AllowSkip != nil {
			after.AllowSkip = *patch.AllowSkip
		}
		if patch.AllowBack != nil {
			after.AllowBack = *patch.AllowBack
		}
		if patch.LostReasons != nil {
			after.LostReasons = slices.Clone(patch.LostReasons)
		}
		after, err := after.normalized()
		if err != nil {
			return after, nil, err
		}
		if err := w.moveOutOfRemovedStages(before, after, patch.MoveDeals); err != nil {
			return after, nil, err
		}
		return after, diffPipeline(before, after), nil
	})
}

var pipelineConfig = versioned[Pipeline]{kind: KindPipeline, target: Target{Kind: KindPipeline}, changed: PipelineUpdated,
	get:    func(tx Tx, ctx context.Context, id ID) (Pipeline, error) { return tx.Pipelines().Lock(ctx, id) },
	update: func(tx Tx, ctx context.Context, p Pipeline) error { return tx.Pipelines().Update(ctx, p) },
	stamp:  func(p *Pipeline) (*time.Time, *int64) { return &p.UpdatedAt, &p.Version },
}

func diffPipeline(before, after Pipeline) []Change {
	var cs changes
	cs.add("name", before.Name, after.Name)
	cs.add("currency", before.Currency.Code(), after.Currency.Code())
	cs.add("team", before.Team, after.Team)
	cs.add("allow_skip", before.AllowSkip, after.AllowSkip)
	cs.add("allow_back", before.AllowBack, after.AllowBack)
	cs.add("stages", before.Stages, after.Stages)
	cs.add("lost_reasons", before.LostReasons, after.LostReasons)
	return cs
}

// Pipeline returns a pipeline; any active user may read pipelines.
func (c *DealService) Pipeline(ctx context.Context, actor, id ID) (Pipeline, error) {
	var out Pipeline
	err := c.read(ctx, actor, func(tx ReadTx, _ User) error {
		var err error
		out, err = tx.Pipelines().Get(ctx, id)
		return err
	})
	return out, err
}

// Pipelines lists the pipelines in ID order.
func (c *DealService) Pipelines(ctx context.Context, actor ID) iter.Seq2[Pipeline, error] {
	list := func(tx ReadTx, _ User, p PageRequest) ([]Pipeline, error) { return tx.Pipelines().List(ctx, p) }
	return iterate(readPages(c.engine, ctx, actor, list, func(p Pipeline) ID { return p.ID }, func(User, Pipeline) bool { return true }))
}

// flow loads and compiles a pipeline.
func flowOf(ctx context.Context, pipelines PipelineReader, id ID) (*DealFlow, error) {
	if id.IsZero() {
		return nil, errPipelineRequired()
	}
	p, err := pipelines.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	return p.Flow()
}

// errPipelineRequired is the error for a deal or a sales report that names
// no pipeline.
func errPipelineRequired() error {
	return invalid("pipeline", "required", "the ID of a pipeline, as DealService.CreatePipeline returns it")
}

// SetLifecycle moves a customer's lifecycle stage by hand. Going back
// needs a reason; the CRM itself only ever moves it forward.
func (c *CustomerService) SetLifecycle(ctx context.Context, actor ID, r SetLifecycleRequest) (Customer, error) {
	stage, reason := r.Stage, r.Reason
	return c.changeCustomer(ctx, actor, r.Customer, 0, ActionUpdate, Update, LifecycleMoved, reason, func(w *writeTx, cu Customer) (Customer, error) {
		if err := processing(cu, "set the lifecycle stage"); err != nil {
			return Customer{}, err
		}
		if stage == cu.Lifecycle {
			return cu, nil
		}
		if _, err := lifecycleMachine.Next(cu.Lifecycle, stage); err != nil {
			if stage.rank() < 0 {
				return Customer{}, invalid("lifecycle", "one_of", string(stage)+" is not a lifecycle stage")
			}
			return Customer{}, err
		}
		if stage.rank() < cu.Lifecycle.rank() {
			if _, err := cleanText("reason", reason, maxLongTextLen, true); err != nil {
				return Customer{}, err
			}
		}
		cu.Lifecycle = stage
		return cu, nil
	})
}

// advanceLifecycle moves a customer's lifecycle forward to stage when it
// is earlier, recording why; it never moves it back, and never touches an
// archived customer, whose record is frozen until restored, nor a
// restricted one, whose data is not processed.
func (w *writeTx) advanceLifecycle(customer ID, stage LifecycleStage, why string) error {
	cu, err := w.tx.Customers().Get(w.ctx, customer)
	if err != nil {
		return err
	}
	if cu.Status != StatusActive || cu.Restricted() || cu.Lifecycle.rank() >= stage.rank() {
		return nil
	}
	after := cu.Clone()
	after.Lifecycle = stage
	_, err = w.saveCustomer(cu, after, LifecycleMoved, why)
	return err
}

// dealTarget is the policy's view of a deal.
func (d Deal) target() Target { return Target{Kind: KindDeal, ID: d.ID, Owner: d.Owner, Team: d.Team} }
