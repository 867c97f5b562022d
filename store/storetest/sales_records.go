package storetest

import (
	"slices"
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// named is a record of a test with what it stands for.
type named[T any] struct {
	name string
	v    T
}

// salesRecord describes a kind of sales record for runSalesRecord.
type salesRecord[T any] struct {
	versioned[T]
	// variants returns records that between them set and leave empty
	// every field, with what they refer to already stored; the first has
	// every field set.
	variants func(t *testing.T, sc *scene) []named[T]
	// as returns v under another ID at version n.
	as func(v T, id crm.ID, n int64) T
	// spoil changes what a record shares if copied shallowly: its slices,
	// their elements, its pointers.
	spoil func(v *T)
	// list lists the records without a filter.
	list func(tx crm.ReadTx, p crm.PageRequest) ([]T, error)
}

// runSalesRecord checks what the sales repositories have in common: the
// version rules; every field round-trips, through Insert and through an
// Update that sets what was empty and empties what was set; the listing
// is in ID order, page by page; and what the store returns is a copy.
func runSalesRecord[T any](t *testing.T, newStore NewStoreFunc, r salesRecord[T]) {
	t.Run("Versions", func(t *testing.T) { runVersionRules(t, newStore, r.versioned) })

	get := func(id crm.ID) func(tx crm.ReadTx) (T, error) {
		return func(tx crm.ReadTx) (T, error) { return r.get(tx, id) }
	}
	stored := func(t *testing.T) (*scene, []named[T]) {
		sc := newScene(t, newStore)
		vs := r.variants(t, sc)
		require.GreaterOrEqual(t, len(vs), 2)
		for _, v := range slices.Backward(vs) { // out of ID order, a transaction each
			insertAll(t, sc.s, r.insert, v.v)
		}
		return sc, vs
	}

	t.Run("RoundTripsEveryField", func(t *testing.T) {
		sc, vs := stored(t)
		for _, v := range vs {
			assertSame(t, v.v, read(t, sc.s, get(r.id(v.v))), v.name)
		}
	})

	t.Run("UpdatesEveryField", func(t *testing.T) {
		sc, vs := stored(t)
		var want []T
		update(t, sc.s, func(tx crm.Tx) error {
			for i, v := range vs {
				next := r.as(vs[(i+1)%len(vs)].v, r.id(v.v), 2)
				want = append(want, next)
				require.NoError(t, r.update(tx, next), v.name)
			}
			return nil
		})
		for i, w := range want {
			assertSame(t, w, read(t, sc.s, get(r.id(w))), "%s, updated to %s", vs[i].name, vs[(i+1)%len(vs)].name)
		}
	})

	t.Run("ListsInIDOrder", func(t *testing.T) {
		sc, vs := stored(t)
		assertListing(t, sc.s, values(vs), r.id, r.list)
	})

	t.Run("ReturnedValuesAreCopies", func(t *testing.T) {
		sc := newScene(t, newStore)
		v := r.variants(t, sc)[0].v
		assertCopiesListed(t, sc.s, v, r.insert, get(r.id(v)), r.list, r.spoil)
	})
}

// values returns the records of vs.
func values[T any](vs []named[T]) []T {
	out := make([]T, len(vs))
	for i, v := range vs {
		out[i] = v.v
	}
	return out
}

// assertListing requires a listing without a filter to list all, the
// records stored, in ID order, page by page; a limit of zero, below zero
// or above the largest page to list them all; nothing after the last;
// and the second record alone after the first.
func assertListing[T any](t *testing.T, s crm.Store, all []T, id func(T) crm.ID, list func(tx crm.ReadTx, p crm.PageRequest) ([]T, error)) {
	t.Helper()
	all = sortedByID(all, id)
	assertSameList(t, all, allPages(t, s, 2, id, list), id)
	for _, limit := range []int{0, -1, crm.MaxPageSize + 1} {
		got := read(t, s, func(tx crm.ReadTx) ([]T, error) { return list(tx, crm.PageRequest{Limit: limit}) })
		assert.Len(t, got, len(all), "limit %d", limit)
	}
	last := crm.PageRequest{After: id(all[len(all)-1])}
	assert.Empty(t, read(t, s, func(tx crm.ReadTx) ([]T, error) { return list(tx, last) }), "after the last")
	first := crm.PageRequest{After: id(all[0]), Limit: 1}
	assertSameList(t, all[1:2], read(t, s, func(tx crm.ReadTx) ([]T, error) { return list(tx, first) }), id, "after the first")
}

// assertCopiesListed checks with assertCopies that neither the record
// that get returns nor the one list returns shares memory with the store.
func assertCopiesListed[T any](t *testing.T, s crm.Store, v T, insert func(crm.Tx, T) error, get func(crm.ReadTx) (T, error),
	list func(tx crm.ReadTx, p crm.PageRequest) ([]T, error), spoil func(*T)) {
	t.Helper()
	assertCopies(t, s, v, insert, get, spoil)
	assertCopies(t, s, []T{v}, nil, func(tx crm.ReadTx) ([]T, error) { return list(tx, crm.PageRequest{}) },
		func(vs *[]T) { spoil(&(*vs)[0]) })
}

// filterCase is a filter of a listing. none says that the fixture has no
// record it selects.
type filterCase[F any] struct {
	name string
	f    F
	none bool
}

// assertFilters lists the records of all that pass each filter, page by
// page, and requires what the filter's Match selects, in ID order. Every
// filter but the zero one must leave some records out, and select some
// unless it says none, so that the fixture exercises it.
func assertFilters[T any, F comparable](t *testing.T, s crm.Store, all []T, id func(T) crm.ID, match func(F, T) bool,
	list func(F) func(crm.ReadTx, crm.PageRequest) ([]T, error), cases []filterCase[F]) {
	t.Helper()
	all = sortedByID(all, id)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want := slices.DeleteFunc(slices.Clone(all), func(v T) bool { return !match(tc.f, v) })
			if tc.none {
				require.Empty(t, want, "the fixture has a record the filter selects")
			} else {
				require.NotEmpty(t, want, "the fixture exercises the filter")
			}
			var zero F
			if tc.f != zero {
				require.Less(t, len(want), len(all), "the fixture exercises the filter")
			}
			assertSameList(t, want, allPages(t, s, 3, id, list(tc.f)), id)
		})
	}
}

func runPipelines(t *testing.T, newStore NewStoreFunc) {
	runSalesRecord(t, newStore, salesRecord[crm.Pipeline]{
		versioned: pipelineVersions,
		variants: func(_ *testing.T, sc *scene) []named[crm.Pipeline] {
			plain := plainPipeline(sc.g.next(), jpy)
			one := plainPipeline(sc.g.next(), kwd)
			one.Name, one.AllowBack = "One open stage", true
			one.Stages = []crm.Stage{
				{Key: "only", Name: "Only", Probability: 100, Type: crm.StageOpen, Category: crm.ForecastCommit,
					ExitRequires: []crm.Requirement{crm.RequireCloseDate}},
				{Key: "won", Name: "Won", Probability: 100, Type: crm.StageWon, Category: crm.ForecastClosed},
				{Key: "lost", Name: "Lost", Type: crm.StageLost, Category: crm.ForecastOmitted},
			}
			return []named[crm.Pipeline]{{"every field", samplePipeline(sc.g.next())}, {"default stages", plain}, {"one open stage", one}}
		},
		as: func(p crm.Pipeline, id crm.ID, n int64) crm.Pipeline {
			p.ID, p.Version = id, n
			return p
		},
		spoil: func(p *crm.Pipeline) {
			p.Stages[0].Name = "spoilt"
			p.Stages[3].ExitRequires[0] = "spoilt"
		},
		list: listPipelines,
	})
}

func runCampaigns(t *testing.T, newStore NewStoreFunc) {
	runSalesRecord(t, newStore, salesRecord[crm.Campaign]{
		versioned: campaignVersions,
		variants: func(_ *testing.T, sc *scene) []named[crm.Campaign] {
			plain := crm.Campaign{ID: sc.g.next(), Name: "Plain", Currency: usd, CreatedAt: at(5), UpdatedAt: at(5), Version: 1}
			fils := crm.Campaign{ID: sc.g.next(), Name: "Fils", Channel: "search_ads", Currency: kwd, Budget: crm.Zero(kwd),
				Costs: []crm.CostLine{
					{Description: "Three decimals", Amount: crm.MoneyFromMinor(1_001, kwd), Date: day(2025, 12, 31)},
					{Description: "Zero with no currency"},
				},
				Start: day(2026, 1, 1), CreatedAt: at(6), UpdatedAt: at(7), Version: 1}
			return []named[crm.Campaign]{{"every field", sampleCampaign(sc.g.next())}, {"optional fields empty", plain},
				{"three decimals, a zero budget, a zero cost with no currency", fils}}
		},
		as: func(c crm.Campaign, id crm.ID, n int64) crm.Campaign {
			c.ID, c.Version = id, n
			return c
		},
		spoil: func(c *crm.Campaign) {
			c.Costs[0].Description, c.Costs[1].Amount = "spoilt", crm.MoneyFromMinor(7, usd)
		},
		list: listCampaigns,
	})
}
