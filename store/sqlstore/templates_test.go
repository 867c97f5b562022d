package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
)

var templateRules = versionRules[crm.JourneyTemplate]{
	kind:        crm.KindJourneyTemplate,
	id:          func(t crm.JourneyTemplate) crm.ID { return t.ID },
	withVersion: func(t crm.JourneyTemplate, v int64) crm.JourneyTemplate { t.Version = v; return t },
	writer:      func(tx crm.Tx) writer[crm.JourneyTemplate] { return tx.JourneyTemplates() },
	reader:      func(tx crm.ReadTx) reader[crm.JourneyTemplate] { return tx.JourneyTemplates() },
}

func TestJourneyTemplateRoundTripAndVersions(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s, _ := b.newStore(t)
		tpl := sampleTemplate(newID(t), newID(t))
		changed := tpl.Clone()
		changed.Steps, changed.RepeatWindow, changed.Name = []string{"web"}, 0, "Short"
		templateRules.check(t, s, tpl, changed, func() crm.JourneyTemplate { return sampleTemplate(newID(t), newID(t)) })
	})
}

func TestJourneyTemplatesListedByMap(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s, _ := b.newStore(t)
		maps := []crm.ID{newID(t), newID(t)}
		var all []crm.JourneyTemplate
		byMap := map[crm.ID][]crm.JourneyTemplate{}
		for i := range 7 {
			tpl := sampleTemplate(newID(t), maps[i%2])
			tpl.RepeatWindow = time.Duration(i) * time.Hour
			all = append(all, tpl)
			byMap[tpl.Map] = append(byMap[tpl.Map], tpl)
			write(ctx, t, s, func(tx crm.Tx) error { return tx.JourneyTemplates().Insert(ctx, tpl) })
		}
		list := func(mapID crm.ID, page crm.PageRequest) []crm.JourneyTemplate {
			return read(ctx, t, s, func(tx crm.ReadTx) ([]crm.JourneyTemplate, error) {
				return tx.JourneyTemplates().List(ctx, mapID, page)
			})
		}
		assert.Equal(t, all, list(crm.ID{}, crm.PageRequest{}))
		assert.Equal(t, byMap[maps[0]], list(maps[0], crm.PageRequest{}))
		assert.Equal(t, byMap[maps[1]][1:3], list(maps[1], crm.PageRequest{After: byMap[maps[1]][0].ID, Limit: 2}))
		assert.Empty(t, list(newID(t), crm.PageRequest{}))
	})
}
