package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mapVersions describes touchpoint maps for runVersionRules. A new version
// renames the map and moves a touchpoint to another department, which
// changes what its sub-touchpoints inherit.
var mapVersions = versioned[crm.TouchpointMap]{
	kind:  crm.KindTouchpointMap,
	fresh: func(_ *testing.T, sc *scene) crm.TouchpointMap { return sampleMap(sc.g.next()) },
	id:    func(m crm.TouchpointMap) crm.ID { return m.ID },
	at: func(m crm.TouchpointMap, n int64) crm.TouchpointMap {
		m = m.Clone()
		m.Name = fmt.Sprintf("%s (v%d)", m.Name, n)
		m.Touchpoints[slices.IndexFunc(m.Touchpoints, func(tp crm.Touchpoint) bool { return tp.Key == "call" })].Department += fmt.Sprintf(" v%d", n)
		m.UpdatedAt, m.Version = m.UpdatedAt.Add(time.Duration(n)*time.Minute), n
		return m
	},
}.on(func(tx crm.Tx) writer[crm.TouchpointMap] { return tx.TouchpointMaps() }, func(tx crm.ReadTx) getter[crm.TouchpointMap] { return tx.TouchpointMaps() })

func getTouchpoint(mapID crm.ID, key string) func(tx crm.ReadTx) (crm.ResolvedTouchpoint, error) {
	return func(tx crm.ReadTx) (crm.ResolvedTouchpoint, error) {
		return tx.TouchpointMaps().Touchpoint(context.Background(), mapID, key)
	}
}

// assertResolvesLike requires every touchpoint of m to come back from
// Touchpoint as m.Resolve says.
func assertResolvesLike(t *testing.T, s crm.Store, m crm.TouchpointMap) {
	t.Helper()
	want, err := m.Resolve()
	require.NoError(t, err)
	for _, r := range want {
		assertSame(t, r, read(t, s, getTouchpoint(m.ID, r.Key)), r.Key)
	}
}

func runTouchpointMaps(t *testing.T, newStore NewStoreFunc) {
	t.Run("Versions", func(t *testing.T) { runVersionRules(t, newStore, mapVersions) })

	t.Run("TouchpointInherits", func(t *testing.T) {
		sc := newScene(t, newStore)
		assertResolvesLike(t, sc.s, sc.m)
		legal := read(t, sc.s, getTouchpoint(sc.m.ID, "call.billing.dispute.legal"))
		assertSame(t, crm.ResolvedTouchpoint{
			Map: sc.m.ID, Key: "call.billing.dispute.legal", Name: "Legal review", Parent: "call.billing.dispute",
			Path:    []string{"call", "call.billing", "call.billing.dispute", "call.billing.dispute.legal"},
			Channel: crm.ChannelContactCenter, Medium: crm.MediumLetter, Phase: crm.PhaseBilling, Department: "Legal",
			Standards: crm.ServiceStandards{AnswerWithin: 90 * time.Second, ResolveWithin: 72 * time.Hour, MinCSAT: 5}, Weight: 40,
		}, legal)
		assert.Equal(t, 3, legal.Depth())
		web := read(t, sc.s, getTouchpoint(sc.m.ID, "Web"))
		assert.Equal(t, crm.Channel("legacy_web"), web.Channel, `"Web" and "web" are two touchpoints`)
		assert.Equal(t, 100, web.Weight, "a main touchpoint's weight defaults to 100")
	})

	t.Run("TouchpointUnknownIsNotFound", func(t *testing.T) {
		sc := newScene(t, newStore)
		other := sampleMap(sc.g.next())
		other.Touchpoints = append(other.Touchpoints, crm.Touchpoint{Key: "only.there", Name: "Elsewhere"})
		insertAll(t, sc.s, insertMap, other)
		for _, tc := range []struct {
			name  string
			mapID crm.ID
			key   string
		}{
			{"unknown map", sc.g.next(), "web"},
			{"zero map", crm.ID{}, "web"},
			{"key of another map", sc.m.ID, "only.there"},
			{"unknown key", sc.m.ID, "nowhere"},
			{"empty key", sc.m.ID, ""},
			{"key in another case", sc.m.ID, "WEB"},
			{"LIKE pattern", sc.m.ID, "web%"},
			{"LIKE wildcard", sc.m.ID, "ab_"},
			{"quote", sc.m.ID, "web' OR '1'='1"},
		} {
			_, err := tryRead(sc.s, getTouchpoint(tc.mapID, tc.key))
			requireNotFound(t, err, crm.KindTouchpointMap)
		}
	})

	t.Run("UpdateResolvesAgain", func(t *testing.T) {
		sc := newScene(t, newStore)
		next := sc.m.Clone()
		next.Version = 2
		// Drop "Web" and its subtree, move the call centre, add a touchpoint.
		next.Touchpoints = slices.DeleteFunc(next.Touchpoints, func(tp crm.Touchpoint) bool {
			return tp.Key == "Web" || tp.Key == "a_c" || tp.Key == "abc"
		})
		call := slices.IndexFunc(next.Touchpoints, func(tp crm.Touchpoint) bool { return tp.Key == "call" })
		next.Touchpoints[call].Channel, next.Touchpoints[call].Standards.ResolveWithin = crm.ChannelBranch, 5*time.Hour
		next.Touchpoints = append(next.Touchpoints, crm.Touchpoint{Key: "app", Name: "App", Channel: crm.ChannelMobileApp})
		insertAll(t, sc.s, mapVersions.update, next)

		assertResolvesLike(t, sc.s, next)
		for _, key := range []string{"Web", "a_c", "abc"} {
			_, err := tryRead(sc.s, getTouchpoint(sc.m.ID, key))
			requireNotFound(t, err, crm.KindTouchpointMap)
		}
		legal := read(t, sc.s, getTouchpoint(sc.m.ID, "call.billing.dispute.legal"))
		assert.Equal(t, crm.ChannelBranch, legal.Channel, "inherited from the new version")
		assert.Equal(t, 5*time.Hour, legal.Standards.ResolveWithin)
	})

	t.Run("ListPages", func(t *testing.T) {
		sc := newScene(t, newStore)
		all := []crm.TouchpointMap{sc.m}
		for i := range 6 {
			m := sampleMap(sc.g.next())
			m.Name = fmt.Sprintf("Map %d", i)
			m.Touchpoints = m.Touchpoints[i:]
			for j := range m.Touchpoints {
				m.Touchpoints[j].Parent = "" // each map a forest of main touchpoints
			}
			all = append(all, m)
		}
		for _, m := range slices.Backward(all[1:]) {
			insertAll(t, sc.s, insertMap, m)
		}
		got := allPages(t, sc.s, 3, func(m crm.TouchpointMap) crm.ID { return m.ID },
			func(tx crm.ReadTx, p crm.PageRequest) ([]crm.TouchpointMap, error) {
				return tx.TouchpointMaps().List(context.Background(), p)
			})
		assertSame(t, all, got)
	})

	t.Run("ReturnedValuesAreCopies", func(t *testing.T) {
		sc := newScene(t, newStore)
		m := sampleMap(sc.g.next())
		assertCopies(t, sc.s, m, insertMap, func(tx crm.ReadTx) (crm.TouchpointMap, error) {
			return tx.TouchpointMaps().Get(context.Background(), m.ID)
		}, func(m *crm.TouchpointMap) { m.Touchpoints[0].Name, m.Touchpoints[1].Department = "spoilt", "spoilt" })
	})

	t.Run("ResolvedTouchpointIsACopy", func(t *testing.T) {
		sc := newScene(t, newStore)
		rt := read(t, sc.s, getTouchpoint(sc.m.ID, "web.checkout.3ds"))
		assertCopies(t, sc.s, rt, nil, getTouchpoint(sc.m.ID, "web.checkout.3ds"),
			func(r *crm.ResolvedTouchpoint) { r.Path[0] = "spoilt" })
	})
}
