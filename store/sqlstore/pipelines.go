package sqlstore

import (
	"context"

	"github.com/crmkit/crm"
)

// pipelineTable stores pipelines; the stages are JSON text.
var pipelineTable = &recordTable[crm.Pipeline]{
	kind:  crm.KindPipeline,
	table: func(n names) string { return n.pipelines },
	columns: []string{"id", "name", "currency", "stages", "allow_skip", "allow_back", "team", "created_at",
		"updated_at", "version"},
	id:      func(p crm.Pipeline) crm.ID { return p.ID },
	version: func(p crm.Pipeline) int64 { return p.Version },
	values: func(s *Store, p crm.Pipeline) ([]any, error) {
		stages, err := jsonArg(convert(p.Stages, toStageDoc))
		if err != nil {
			return nil, err
		}
		return []any{idArg(p.ID), p.Name, p.Currency.Code(), stages, p.AllowSkip, p.AllowBack, p.Team,
			s.timeArg(p.CreatedAt), s.timeArg(p.UpdatedAt), p.Version}, nil
	},
	dest: func(p *crm.Pipeline) []any {
		return []any{&p.ID, &p.Name, &p.Currency, docsCol[stageDoc, crm.Stage]{&p.Stages, stageDoc.stage}, &p.AllowSkip,
			&p.AllowBack, &p.Team, timeCol{&p.CreatedAt}, timeCol{&p.UpdatedAt}, &p.Version}
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

// pipelineRepo implements crm.PipelineRepository in one transaction.
type pipelineRepo struct{ repo[crm.Pipeline] }

// List implements crm.PipelineReader.
func (r pipelineRepo) List(ctx context.Context, page crm.PageRequest) ([]crm.Pipeline, error) {
	return r.list(ctx, where{}, page)
}
