package crm

import (
	"context"
	"fmt"
	"iter"
	"slices"
	"time"
)

// configTarget is the target of configuration actions.
var configTarget = Target{Kind: KindTouchpointMap}

// CreateTouchpointMap saves a new touchpoint map; by default only admins
// configure. The map is checked with Resolve: unique keys, existing
// parents, no cycles.
func (c *ExperienceService) CreateTouchpointMap(ctx context.Context, actor ID, n NewTouchpointMap) (TouchpointMap, error) {
	var out TouchpointMap
	err := c.write(ctx, actor, func(w *writeTx) error {
		if err := w.authorize(ActionConfigure, configTarget); err != nil {
			return err
		}
		id, err := w.newID()
		if err != nil {
			return err
		}
		m := TouchpointMap{ID: id, Name: n.Name, Touchpoints: slices.Clone(n.Touchpoints), CreatedAt: w.now, UpdatedAt: w.now, Version: 1}
		if out, err = m.normalized(); err != nil {
			return err
		}
		if err := w.tx.TouchpointMaps().Insert(ctx, out); err != nil {
			return err
		}
		return w.record(TouchpointMapCreated, KindTouchpointMap, id, 1, ChangeSet{Changes: diffTouchpoints(TouchpointMap{}, out)})
	})
	return out, err
}

// NewTouchpointMap is a touchpoint map to create: its name and its
// touchpoints, main ones and sub-touchpoints.
type NewTouchpointMap struct {
	Name        string       `json:"name,omitempty"`
	Touchpoints []Touchpoint `json:"touchpoints,omitempty"`
}

// TouchpointMapPatch changes Map: a new name, and when Touchpoints is not
// nil, the whole new list. IfVersion, when not zero, must be the current
// version.
type TouchpointMapPatch struct {
	Map         ID           `json:"map,omitzero"`
	Name        *string      `json:"name,omitempty"`
	Touchpoints []Touchpoint `json:"touchpoints,omitempty"`
	IfVersion   int64        `json:"if_version"`
}

// UpdateTouchpointMap changes a map. Interactions already recorded keep
// the channel, phase and standards they were recorded with.
func (c *ExperienceService) UpdateTouchpointMap(ctx context.Context, actor ID, p TouchpointMapPatch) (TouchpointMap, error) {
	return updateConfig(c.engine, ctx, actor, p.Map, p.IfVersion, mapConfig, func(_ *writeTx, before TouchpointMap) (TouchpointMap, []Change, error) {
		after := before.Clone()
		if p.Name != nil {
			after.Name = *p.Name
		}
		if p.Touchpoints != nil {
			after.Touchpoints = slices.Clone(p.Touchpoints)
		}
		after, err := after.normalized()
		return after, diffTouchpoints(before, after), err
	})
}

var mapConfig = versioned[TouchpointMap]{kind: KindTouchpointMap, target: configTarget, changed: TouchpointMapUpdated,
	get: func(tx Tx, ctx context.Context, id ID) (TouchpointMap, error) {
		return tx.TouchpointMaps().Get(ctx, id)
	},
	update: func(tx Tx, ctx context.Context, m TouchpointMap) error { return tx.TouchpointMaps().Update(ctx, m) },
	stamp:  func(m *TouchpointMap) (*time.Time, *int64) { return &m.UpdatedAt, &m.Version },
}

// diffTouchpoints lists the name change and each touchpoint added, removed
// or changed, by key.
func diffTouchpoints(before, after TouchpointMap) []Change {
	var cs changes
	cs.add("name", before.Name, after.Name)
	find := func(m TouchpointMap, key string) *Touchpoint {
		if i := slices.IndexFunc(m.Touchpoints, func(t Touchpoint) bool { return t.Key == key }); i >= 0 {
			return &m.Touchpoints[i]
		}
		return nil
	}
	var keys []string
	for _, t := range slices.Concat(before.Touchpoints, after.Touchpoints) {
		if !slices.Contains(keys, t.Key) {
			keys = append(keys, t.Key)
		}
	}
	for _, k := range keys {
		cs.add("touchpoints."+k, find(before, k), find(after, k))
	}
	return cs
}

// TouchpointMap returns a map; any active user may read maps.
func (c *ExperienceService) TouchpointMap(ctx context.Context, actor, id ID) (TouchpointMap, error) {
	var out TouchpointMap
	err := c.read(ctx, actor, func(tx ReadTx, _ User) error {
		var err error
		out, err = tx.TouchpointMaps().Get(ctx, id)
		return err
	})
	return out, err
}

// TouchpointMaps lists the maps in ID order.
func (c *ExperienceService) TouchpointMaps(ctx context.Context, actor ID) iter.Seq2[TouchpointMap, error] {
	list := func(tx ReadTx, _ User, p PageRequest) ([]TouchpointMap, error) {
		return tx.TouchpointMaps().List(ctx, p)
	}
	return iterate(readPages(c.engine, ctx, actor, list, func(m TouchpointMap) ID { return m.ID }, func(User, TouchpointMap) bool { return true }))
}

// CreateJourneyTemplate saves the intended path through a map's
// touchpoints.
func (c *ExperienceService) CreateJourneyTemplate(ctx context.Context, actor ID, n NewJourneyTemplate) (JourneyTemplate, error) {
	var out JourneyTemplate
	err := c.write(ctx, actor, func(w *writeTx) error {
		if err := w.authorize(ActionConfigure, configTarget); err != nil {
			return err
		}
		id, err := w.newID()
		if err != nil {
			return err
		}
		t := JourneyTemplate{ID: id, Name: n.Name, Map: n.Map, Steps: slices.Clone(n.Steps), RepeatWindow: n.RepeatWindow,
			CreatedAt: w.now, UpdatedAt: w.now, Version: 1}
		if out, err = w.checkTemplate(t); err != nil {
			return err
		}
		if err := w.tx.JourneyTemplates().Insert(ctx, out); err != nil {
			return err
		}
		return w.record(JourneyTemplateCreated, KindJourneyTemplate, id, 1, ChangeSet{Changes: diffTemplate(JourneyTemplate{}, out)})
	})
	return out, err
}

// NewJourneyTemplate is the intended path through the touchpoints of Map:
// the keys of its Steps in order. Contacts at one touchpoint within
// RepeatWindow count as repeats.
type NewJourneyTemplate struct {
	Name         string        `json:"name,omitempty"`
	Map          ID            `json:"map,omitzero"`
	Steps        []string      `json:"steps,omitempty"`
	RepeatWindow time.Duration `json:"repeat_window_ns"`
}

// JourneyTemplatePatch changes Template's name, steps or repeat window
// (those not nil).
type JourneyTemplatePatch struct {
	Template     ID             `json:"template,omitzero"`
	Name         *string        `json:"name,omitempty"`
	Steps        []string       `json:"steps,omitempty"`
	RepeatWindow *time.Duration `json:"repeat_window_ns,omitempty"`
	IfVersion    int64          `json:"if_version"`
}

// UpdateJourneyTemplate changes a template.
func (c *ExperienceService) UpdateJourneyTemplate(ctx context.Context, actor ID, p JourneyTemplatePatch) (JourneyTemplate, error) {
	return updateConfig(c.engine, ctx, actor, p.Template, p.IfVersion, templateConfig, func(w *writeTx, before JourneyTemplate) (JourneyTemplate, []Change, error) {
		after := before.Clone()
		if p.Name != nil {
			after.Name = *p.Name
		}
		if p.Steps != nil {
			after.Steps = slices.Clone(p.Steps)
		}
		if p.RepeatWindow != nil {
			after.RepeatWindow = *p.RepeatWindow
		}
		after, err := w.checkTemplate(after)
		return after, diffTemplate(before, after), err
	})
}

var templateConfig = versioned[JourneyTemplate]{kind: KindJourneyTemplate, target: configTarget, changed: JourneyTemplateUpdated,
	get: func(tx Tx, ctx context.Context, id ID) (JourneyTemplate, error) {
		return tx.JourneyTemplates().Get(ctx, id)
	},
	update: func(tx Tx, ctx context.Context, t JourneyTemplate) error { return tx.JourneyTemplates().Update(ctx, t) },
	stamp:  func(t *JourneyTemplate) (*time.Time, *int64) { return &t.UpdatedAt, &t.Version },
}

func (w *writeTx) checkTemplate(t JourneyTemplate) (JourneyTemplate, error) {
	m, err := w.tx.TouchpointMaps().Get(w.ctx, t.Map)
	if err != nil {
		return JourneyTemplate{}, err
	}
	return t.normalized(resolvedByKey(m))
}

func resolvedByKey(m TouchpointMap) map[string]ResolvedTouchpoint {
	rs, _ := m.Resolve() // stored maps were checked when saved
	out := make(map[string]ResolvedTouchpoint, len(rs))
	for _, r := range rs {
		out[r.Key] = r
	}
	return out
}

func diffTemplate(before, after JourneyTemplate) []Change {
	var cs changes
	cs.add("name", before.Name, after.Name)
	cs.add("map", idText(before.Map), idText(after.Map))
	cs.add("steps", before.Steps, after.Steps)
	cs.add("repeat_window", before.RepeatWindow.String(), after.RepeatWindow.String())
	return cs
}

// JourneyTemplate returns a template.
func (c *ExperienceService) JourneyTemplate(ctx context.Context, actor, id ID) (JourneyTemplate, error) {
	var out JourneyTemplate
	err := c.read(ctx, actor, func(tx ReadTx, _ User) error {
		var err error
		out, err = tx.JourneyTemplates().Get(ctx, id)
		return err
	})
	return out, err
}

// touchpoint resolves a map's touchpoint, naming the field in the error;
// a missing map or key is bad input, not a record that does not exist.
func (w *writeTx) touchpoint(mapID ID, key string) (ResolvedTouchpoint, error) {
	switch {
	case mapID.IsZero():
		return ResolvedTouchpoint{}, invalid("map", "required", "the ID of the touchpoint map that holds the touchpoint (ExperienceService.CreateTouchpointMap)")
	case key == "":
		return ResolvedTouchpoint{}, invalid("touchpoint", "required", "the key of a touchpoint of the map")
	}
	if tp, ok := w.checkedTouchpoint(mapID, key); ok {
		return tp, nil
	}
	tp, err := w.tx.TouchpointMaps().Touchpoint(w.ctx, mapID, key)
	if err != nil {
		return ResolvedTouchpoint{}, fmt.Errorf("touchpoint %q: %w", key, err)
	}
	return tp, nil
}

// JourneyTemplates lists the templates of a map (every map when mapID is
// zero), in ID order.
func (c *ExperienceService) JourneyTemplates(ctx context.Context, actor, mapID ID) iter.Seq2[JourneyTemplate, error] {
	list := func(tx ReadTx, _ User, p PageRequest) ([]JourneyTemplate, error) {
		return tx.JourneyTemplates().List(ctx, mapID, p)
	}
	return iterate(readPages(c.engine, ctx, actor, list, func(t JourneyTemplate) ID { return t.ID }, func(User, JourneyTemplate) bool { return true }))
}
