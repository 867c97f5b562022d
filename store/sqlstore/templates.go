package sqlstore

import (
	"context"

	"github.com/crmkit/crm"
)

// journeyTemplateTable stores journey templates; the steps are JSON text.
var journeyTemplateTable = &recordTable[crm.JourneyTemplate]{
	kind:    crm.KindJourneyTemplate,
	table:   func(n names) string { return n.journeyTemplates },
	columns: []string{"id", "name", "map_id", "steps", "repeat_window_us", "created_at", "updated_at", "version"},
	id:      func(t crm.JourneyTemplate) crm.ID { return t.ID },
	version: func(t crm.JourneyTemplate) int64 { return t.Version },
	values: func(s *Store, t crm.JourneyTemplate) ([]any, error) {
		steps, err := jsonArg(t.Steps)
		if err != nil {
			return nil, err
		}
		return []any{idArg(t.ID), t.Name, idArg(t.Map), steps, micros(t.RepeatWindow), s.timeArg(t.CreatedAt),
			s.timeArg(t.UpdatedAt), t.Version}, nil
	},
	dest: func(t *crm.JourneyTemplate) []any {
		return []any{&t.ID, &t.Name, &t.Map, jsonCol{&t.Steps}, durationCol{&t.RepeatWindow}, timeCol{&t.CreatedAt},
			timeCol{&t.UpdatedAt}, &t.Version}
	},
}

// journeyTemplateRepo implements crm.JourneyTemplateRepository in one
// transaction.
type journeyTemplateRepo struct{ repo[crm.JourneyTemplate] }

// List implements crm.JourneyTemplateReader.
func (r journeyTemplateRepo) List(ctx context.Context, mapID crm.ID, page crm.PageRequest) ([]crm.JourneyTemplate, error) {
	var w where
	w.addIf(!mapID.IsZero(), "map_id = ?", idArg(mapID))
	return r.list(ctx, w, page)
}
