package sqlstore

import (
	"context"

	"github.com/crmkit/crm"
)

// pipelineTable stores pipelines; the stages and the lost reasons are
// JSON text.
var pipelineTable = &recordTable[crm.Pipeline]{
	kind:  crm.KindPipeline,
	table: func(n names) string { return n.pipelines },
	columns: []string{"id", "name", "currency", "stages", "allow_skip", "allow_back", "team", "created_at",
		"updated_at", "version", "lost_reasons"},
	id:      func(p crm.Pipeline) crm.ID { return p.ID },
	version: func(p crm.Pipeline) int64 { return p.Version },
	values: func(s *Store, p crm.Pipeline) ([]any, error) {
		stages, err := jsonArg(convert(p.Stages, toStageDoc))
		if err != nil {
			return nil, err
		}
		reasons, err := jsonArg(convert(p.LostReasons, toLostReasonDoc))
		if err != nil {
			return nil, err
		}
		return []any{idArg(p.ID), p.Name, p.Currency.Code(), stages, p.AllowSkip, p.AllowBack, p.Team,
			s.timeArg(p.CreatedAt), s.timeArg(p.UpdatedAt), p.Version, reasons}, nil
	},
	dest: func(p *crm.Pipeline) []any {
		return []any{&p.ID, &p.Name, &p.Currency, docsCol[stageDoc, crm.Stage]{&p.Stages, stageDoc.stage}, &p.AllowSkip,
			&p.AllowBack, &p.Team, timeCol{&p.CreatedAt}, timeCol{&p.UpdatedAt}, &p.Version,
			docsCol[lostReasonDoc, crm.LostReasonOption]{&p.LostReasons, lostReasonDoc.option}}
	},
}

// stageDoc is how a stage is kept in the pipeline's JSON column: with
// keys of its own, so that the stored format does not follow the Go field
// names of crm.Stage. A nil ExitRequires is null, an empty one [].
type stageDoc struct {
	Key          string               `json:"key"`
	Name         string               `json:"name"`
	Probability  int                  `json:"probability"`
	Type         crm.StageType        `json:"type"`
	Category     crm.ForecastCategory `json:"category"`
	RotAfterDays int                  `json:"rot_after_days"`
	ExitRequires []crm.Requirement    `json:"exit_requires"`
}

func toStageDoc(s crm.Stage) stageDoc { return stageDoc(s) }

func (d stageDoc) stage() crm.Stage { return crm.Stage(d) }

// lostReasonDoc is how a lost reason is kept in the pipeline's
// lost_reasons column, with keys of its own.
type lostReasonDoc struct {
	Key   crm.LostReason `json:"key"`
	Label string         `json:"label"`
}

func toLostReasonDoc(o crm.LostReasonOption) lostReasonDoc { return lostReasonDoc(o) }

func (d lostReasonDoc) option() crm.LostReasonOption { return crm.LostReasonOption(d) }

// pipelineRepo implements crm.PipelineRepository in one transaction.
type pipelineRepo struct{ repo[crm.Pipeline] }

// Get implements crm.PipelineReader; in a PostgreSQL write transaction it
// reads FOR SHARE, so that a change to the pipeline (Lock) waits until
// this transaction ends (see crm.PipelineRepository). SQLite's write
// transactions hold the whole database already.
func (r pipelineRepo) Get(ctx context.Context, id crm.ID) (crm.Pipeline, error) {
	return r.getLocked(ctx, id, " FOR SHARE")
}

// Lock implements crm.PipelineRepository: on PostgreSQL the row is read
// FOR UPDATE, which waits for the deal writes that read it and holds off
// new ones until this transaction ends.
func (r pipelineRepo) Lock(ctx context.Context, id crm.ID) (crm.Pipeline, error) {
	return r.getLocked(ctx, id, " FOR UPDATE")
}

// getLocked reads the pipeline, with the row lock clause in a PostgreSQL
// write transaction.
func (r pipelineRepo) getLocked(ctx context.Context, id crm.ID, lock string) (crm.Pipeline, error) {
	if !r.t.write || r.t.s.dialect != PostgreSQL {
		return r.get(ctx, id)
	}
	return r.getWhere(ctx, r.notFound(id), r.key()+" = ?"+lock, idArg(id))
}

// List implements crm.PipelineReader.
func (r pipelineRepo) List(ctx context.Context, page crm.PageRequest) ([]crm.Pipeline, error) {
	return r.list(ctx, where{}, page)
}
