package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/crmkit/crm"
)

// templateVersions describes journey templates for runVersionRules.
var templateVersions = versioned[crm.JourneyTemplate]{
	kind:  crm.KindJourneyTemplate,
	fresh: func(_ *testing.T, sc *scene) crm.JourneyTemplate { return sc.template() },
	id:    templateID,
	at: func(jt crm.JourneyTemplate, n int64) crm.JourneyTemplate {
		jt = jt.Clone()
		jt.Name = fmt.Sprintf("%s (v%d)", jt.Name, n)
		slices.Reverse(jt.Steps)
		jt.RepeatWindow += time.Duration(n) * time.Hour
		jt.UpdatedAt, jt.Version = jt.UpdatedAt.Add(time.Duration(n)*time.Minute), n
		return jt
	},
}.on(func(tx crm.Tx) writer[crm.JourneyTemplate] { return tx.JourneyTemplates() },
	func(tx crm.ReadTx) getter[crm.JourneyTemplate] { return tx.JourneyTemplates() })

func templateID(jt crm.JourneyTemplate) crm.ID { return jt.ID }

func listTemplates(mapID crm.ID) func(tx crm.ReadTx, p crm.PageRequest) ([]crm.JourneyTemplate, error) {
	return func(tx crm.ReadTx, p crm.PageRequest) ([]crm.JourneyTemplate, error) {
		return tx.JourneyTemplates().List(context.Background(), mapID, p)
	}
}

func runJourneyTemplates(t *testing.T, newStore NewStoreFunc) {
	t.Run("Versions", func(t *testing.T) { runVersionRules(t, newStore, templateVersions) })

	t.Run("ListByMap", func(t *testing.T) {
		sc := newScene(t, newStore)
		other := sampleMap(sc.g.next())
		insertAll(t, sc.s, insertMap, other)
		var all, mine, theirs []crm.JourneyTemplate
		for i := range 11 {
			jt := sc.template()
			jt.Name, jt.Steps = fmt.Sprintf("Template %d", i), jt.Steps[:1+i%4]
			jt.RepeatWindow = 0 // the default
			if i%3 == 0 {
				jt.Map = other.ID
				theirs = append(theirs, jt)
			} else {
				mine = append(mine, jt)
			}
			all = append(all, jt)
		}
		for _, jt := range slices.Backward(all) {
			insertAll(t, sc.s, insertTemplate, jt)
		}
		for _, tc := range []struct {
			name  string
			mapID crm.ID
			want  []crm.JourneyTemplate
		}{
			{"one map", sc.m.ID, mine},
			{"another map", other.ID, theirs},
			{"every map", crm.ID{}, all},
			{"unknown map", sc.g.next(), nil},
		} {
			assertSameList(t, tc.want, allPages(t, sc.s, 3, templateID, listTemplates(tc.mapID)), templateID, tc.name)
		}
	})

	t.Run("ReturnedValuesAreCopies", func(t *testing.T) {
		sc := newScene(t, newStore)
		jt := sc.template()
		assertCopies(t, sc.s, jt, insertTemplate, func(tx crm.ReadTx) (crm.JourneyTemplate, error) {
			return templateVersions.get(tx, jt.ID)
		}, func(jt *crm.JourneyTemplate) { jt.Steps[0] = "spoilt" })
	})
}
