package sqlstore

import (
	"context"

	"github.com/crmkit/crm"
)

// touchpointMapTable stores touchpoint maps as designed: the touchpoints
// are JSON text.
var touchpointMapTable = &recordTable[crm.TouchpointMap]{
	kind:    crm.KindTouchpointMap,
	table:   func(n names) string { return n.touchpointMaps },
	columns: []string{"id", "name", "touchpoints", "created_at", "updated_at", "version"},
	id:      func(m crm.TouchpointMap) crm.ID { return m.ID },
	version: func(m crm.TouchpointMap) int64 { return m.Version },
	values: func(s *Store, m crm.TouchpointMap) ([]any, error) {
		tps, err := jsonArg(convert(m.Touchpoints, toTouchpointDoc))
		if err != nil {
			return nil, err
		}
		return []any{idArg(m.ID), m.Name, tps, s.timeArg(m.CreatedAt), s.timeArg(m.UpdatedAt), m.Version}, nil
	},
	dest: func(m *crm.TouchpointMap) []any {
		return []any{&m.ID, &m.Name, docsCol[touchpointDoc, crm.Touchpoint]{&m.Touchpoints, touchpointDoc.touchpoint},
			timeCol{&m.CreatedAt}, timeCol{&m.UpdatedAt}, &m.Version}
	},
}

// touchpointDoc is how a touchpoint is kept in the map's JSON column:
// with keys of its own, so that the stored format does not follow the Go
// field names of crm.Touchpoint, and durations in microseconds.
type touchpointDoc struct {
	Key             string      `json:"key"`
	Name            string      `json:"name"`
	Parent          string      `json:"parent"`
	Channel         crm.Channel `json:"channel"`
	Medium          crm.Medium  `json:"medium"`
	Phase           crm.Phase   `json:"phase"`
	Department      string      `json:"department"`
	AnswerWithinUS  int64       `json:"answer_within_us"`
	ResolveWithinUS int64       `json:"resolve_within_us"`
	MinCSAT         int         `json:"min_csat"`
	Weight          int         `json:"weight"`
}

func toTouchpointDoc(tp crm.Touchpoint) touchpointDoc {
	return touchpointDoc{Key: tp.Key, Name: tp.Name, Parent: tp.Parent, Channel: tp.Channel, Medium: tp.Medium,
		Phase: tp.Phase, Department: tp.Department, AnswerWithinUS: micros(tp.Standards.AnswerWithin),
		ResolveWithinUS: micros(tp.Standards.ResolveWithin), MinCSAT: tp.Standards.MinCSAT, Weight: tp.Weight}
}

func (d touchpointDoc) touchpoint() crm.Touchpoint {
	return crm.Touchpoint{Key: d.Key, Name: d.Name, Parent: d.Parent, Channel: d.Channel, Medium: d.Medium,
		Phase: d.Phase, Department: d.Department, Weight: d.Weight, Standards: crm.ServiceStandards{
			AnswerWithin: duration(d.AnswerWithinUS), ResolveWithin: duration(d.ResolveWithinUS), MinCSAT: d.MinCSAT}}
}

// resolvedTable stores every touchpoint of a map resolved, one row each,
// so that looking one up is a single read however large the map. The rows
// of a map are replaced whenever it is saved.
var resolvedTable = &recordTable[crm.ResolvedTouchpoint]{
	kind:  crm.KindTouchpointMap,
	table: func(n names) string { return n.touchpoints },
	columns: []string{"map_id", "key", "name", "parent", "path", "channel", "medium", "phase", "department",
		"answer_within_us", "resolve_within_us", "min_csat", "weight"},
	values: func(_ *Store, r crm.ResolvedTouchpoint) ([]any, error) {
		path, err := jsonArg(r.Path)
		if err != nil {
			return nil, err
		}
		return []any{idArg(r.Map), r.Key, r.Name, r.Parent, path, string(r.Channel), string(r.Medium), string(r.Phase),
			r.Department, micros(r.Standards.AnswerWithin), micros(r.Standards.ResolveWithin), r.Standards.MinCSAT,
			r.Weight}, nil
	},
	dest: func(r *crm.ResolvedTouchpoint) []any {
		return []any{&r.Map, &r.Key, &r.Name, &r.Parent, jsonCol{&r.Path}, &r.Channel, &r.Medium, &r.Phase,
			&r.Department, durationCol{&r.Standards.AnswerWithin}, durationCol{&r.Standards.ResolveWithin},
			&r.Standards.MinCSAT, &r.Weight}
	},
}

// touchpointMapRepo implements crm.TouchpointMapRepository in one
// transaction.
type touchpointMapRepo struct{ repo[crm.TouchpointMap] }

// List implements crm.TouchpointMapReader.
func (r touchpointMapRepo) List(ctx context.Context, page crm.PageRequest) ([]crm.TouchpointMap, error) {
	return r.list(ctx, where{}, page)
}

// Touchpoint implements crm.TouchpointMapReader. An unknown map or key
// is a *crm.NotFoundError of kind touchpoint_map whose ID is
// "<map ID>/<key>".
func (r touchpointMapRepo) Touchpoint(ctx context.Context, mapID crm.ID, key string) (crm.ResolvedTouchpoint, error) {
	notFound := &crm.NotFoundError{Kind: crm.KindTouchpointMap, ID: mapID.String() + "/" + key}
	return records[crm.ResolvedTouchpoint]{resolvedTable, r.t}.getWhere(ctx, notFound,
		"map_id = ? AND key = ?", idArg(mapID), key)
}

// Insert implements crm.TouchpointMapRepository. A map that does not
// resolve is refused with Resolve's error before anything is written.
func (r touchpointMapRepo) Insert(ctx context.Context, m crm.TouchpointMap) error {
	return r.save(ctx, m, r.insert)
}

// Update implements crm.TouchpointMapRepository, like Insert.
func (r touchpointMapRepo) Update(ctx context.Context, m crm.TouchpointMap) error {
	return r.save(ctx, m, r.update)
}

// save resolves m, writes it with write, and replaces its resolved
// touchpoints.
func (r touchpointMapRepo) save(ctx context.Context, m crm.TouchpointMap, write func(context.Context, crm.TouchpointMap) error) error {
	resolved, err := m.Resolve()
	if err != nil {
		return err
	}
	if err := write(ctx, m); err != nil {
		return err
	}
	if _, err := r.t.exec(ctx, "DELETE FROM "+r.t.s.names.touchpoints+" WHERE map_id = ?", idArg(m.ID)); err != nil {
		return r.t.s.dbErr("replacing resolved touchpoints", err)
	}
	return records[crm.ResolvedTouchpoint]{resolvedTable, r.t}.insertAll(ctx, resolved)
}
