package sqlstore_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var mapRules = versionRules[crm.TouchpointMap]{
	kind:        crm.KindTouchpointMap,
	id:          func(m crm.TouchpointMap) crm.ID { return m.ID },
	withVersion: func(m crm.TouchpointMap, v int64) crm.TouchpointMap { m.Version = v; return m },
	writer:      func(tx crm.Tx) writer[crm.TouchpointMap] { return tx.TouchpointMaps() },
	reader:      func(tx crm.ReadTx) reader[crm.TouchpointMap] { return tx.TouchpointMaps() },
}

func TestTouchpointMapRoundTripAndVersions(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s, _ := b.newStore(t)
		m := sampleMap(newID(t))
		changed := m.Clone()
		changed.Name, changed.UpdatedAt = "Renamed", at(9)
		changed.Touchpoints[0].Standards.MinCSAT = 5
		mapRules.check(t, s, m, changed, func() crm.TouchpointMap { return sampleMap(newID(t)) })

		empty := crm.TouchpointMap{ID: newID(t), Name: "empty", Touchpoints: []crm.Touchpoint{}, Version: 1}
		none := crm.TouchpointMap{ID: newID(t), Name: "none", Version: 1}
		ctx := context.Background()
		for _, m := range []crm.TouchpointMap{empty, none} {
			write(ctx, t, s, func(tx crm.Tx) error { return tx.TouchpointMaps().Insert(ctx, m) })
			got := read(ctx, t, s, func(tx crm.ReadTx) (crm.TouchpointMap, error) { return tx.TouchpointMaps().Get(ctx, m.ID) })
			assert.Equal(t, m, got, "nil and empty touchpoints both come back as they went in")
		}
	})
}

func TestTouchpointLookupFollowsTheMap(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s, _ := b.newStore(t)
		m := sampleMap(newID(t))
		write(ctx, t, s, func(tx crm.Tx) error { return tx.TouchpointMaps().Insert(ctx, m) })
		requireResolved(ctx, t, s, m)

		// The update drops a touchpoint and moves another: the resolved
		// rows are replaced, not added to.
		m2 := m.Clone()
		m2.Version = 2
		m2.Touchpoints = m2.Touchpoints[:3]
		m2.Touchpoints[2].Parent = "call"
		m2.Touchpoints[1].Department = "Billing desk"
		write(ctx, t, s, func(tx crm.Tx) error { return tx.TouchpointMaps().Update(ctx, m2) })
		requireResolved(ctx, t, s, m2)
		err := s.View(ctx, func(tx crm.ReadTx) error {
			_, err := tx.TouchpointMaps().Touchpoint(ctx, m.ID, "web")
			return err
		})
		var nf *crm.NotFoundError
		require.ErrorAs(t, err, &nf)
		assert.Equal(t, m.ID.String()+"/web", nf.ID)
		err = s.View(ctx, func(tx crm.ReadTx) error {
			_, err := tx.TouchpointMaps().Touchpoint(ctx, newID(t), "call")
			return err
		})
		assert.ErrorIs(t, err, crm.ErrNotFound, "an unknown map")

		// A map that does not resolve writes nothing.
		bad := m2.Clone()
		bad.Version = 3
		bad.Touchpoints[0].Parent = "call.billing.disputes"
		err = s.Update(ctx, func(tx crm.Tx) error { return tx.TouchpointMaps().Update(ctx, bad) })
		assert.ErrorIs(t, err, crm.ErrInvalid)
		requireResolved(ctx, t, s, m2)
	})
}

// requireResolved checks that every touchpoint of m looks up as Resolve
// says.
func requireResolved(ctx context.Context, t *testing.T, s crm.Store, m crm.TouchpointMap) {
	t.Helper()
	want, err := m.Resolve()
	require.NoError(t, err)
	for _, r := range want {
		got := read(ctx, t, s, func(tx crm.ReadTx) (crm.ResolvedTouchpoint, error) {
			return tx.TouchpointMaps().Touchpoint(ctx, m.ID, r.Key)
		})
		assert.Equal(t, r, got)
	}
}

func TestLargeMapAndListing(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s, _ := b.newStore(t)
		// More touchpoints than one insert statement takes.
		big := crm.TouchpointMap{ID: newID(t), Name: "bank", Version: 1}
		for i := range 700 {
			tp := crm.Touchpoint{Key: fmt.Sprintf("tp%04d", i), Name: fmt.Sprintf("Touchpoint %d", i)}
			if i > 0 {
				tp.Parent = fmt.Sprintf("tp%04d", (i-1)/3)
			}
			big.Touchpoints = append(big.Touchpoints, tp)
		}
		write(ctx, t, s, func(tx crm.Tx) error { return tx.TouchpointMaps().Insert(ctx, big) })
		resolved, err := big.Resolve()
		require.NoError(t, err)
		for _, i := range []int{0, 306, 307, 308, 614, 699} {
			got := read(ctx, t, s, func(tx crm.ReadTx) (crm.ResolvedTouchpoint, error) {
				return tx.TouchpointMaps().Touchpoint(ctx, big.ID, resolved[i].Key)
			})
			assert.Equal(t, resolved[i], got)
		}

		var all []crm.ID
		for range 4 {
			m := sampleMap(newID(t))
			all = append(all, m.ID)
			write(ctx, t, s, func(tx crm.Tx) error { return tx.TouchpointMaps().Insert(ctx, m) })
		}
		all = append([]crm.ID{big.ID}, all...)
		var listed []crm.ID
		page := crm.PageRequest{Limit: 2}
		for {
			ms := read(ctx, t, s, func(tx crm.ReadTx) ([]crm.TouchpointMap, error) { return tx.TouchpointMaps().List(ctx, page) })
			for _, m := range ms {
				listed = append(listed, m.ID)
			}
			if len(ms) < page.Limit {
				break
			}
			page.After = ms[len(ms)-1].ID
		}
		assert.Equal(t, all, listed)
	})
}
