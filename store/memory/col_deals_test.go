package memory

import (
	"context"
	"encoding/binary"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/storekit"
	"github.com/stretchr/testify/require"
)

// TestDealColumnsAgreeWithReference writes random deals of two pipelines,
// then moves, wins and loses some of them in later transactions, and asks
// every sales report through the columns and through the reference over
// the same deals: for each pipeline, owner, team and range, committed and
// inside a write that changed a deal, and after the columns drop the
// visits of deals that changed.
func TestDealColumnsAgreeWithReference(t *testing.T) {
	ctx := context.Background()
	usd, _ := crm.ParseCurrency("USD")
	var n uint64
	next := func() crm.ID {
		n++
		var v crm.ID
		binary.BigEndian.PutUint64(v[:8], 0x0190_0000_0000_7000)
		binary.BigEndian.PutUint64(v[8:], 0x8000_0000_0000_0000|n)
		return v
	}
	epoch := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	var flows []*crm.DealFlow
	for range 2 {
		f, err := crm.Pipeline{ID: next(), Name: "P", Currency: usd, Stages: crm.DefaultStages(), AllowSkip: true, AllowBack: true}.Flow()
		require.NoError(t, err)
		flows = append(flows, f)
	}
	users := []crm.User{{ID: next(), Team: "north"}, {ID: next(), Team: "north"}, {ID: next(), Team: "south"}}
	rng := rand.New(rand.NewPCG(3, 3))
	s := New()
	deals := map[crm.ID]crm.Deal{}
	var order []crm.ID
	for round := range 5 {
		require.NoError(t, s.Update(ctx, func(tx crm.Tx) error {
			for range 60 {
				if round > 0 && rng.IntN(2) == 0 {
					d := deals[order[rng.IntN(len(order))]]
					f := flows[0]
					if d.Pipeline != f.Pipeline().ID {
						f = flows[1]
					}
					at := d.CreatedAt.Add(time.Duration(10+rng.IntN(200)) * 24 * time.Hour)
					open := f.Pipeline().OpenStages()
					var err error
					switch rng.IntN(3) {
					case 0:
						err = f.Move(&d, open[rng.IntN(len(open))].Key, at)
					case 1:
						err = f.Win(&d, crm.MoneyFromMinor(rng.Int64N(1_000_000), usd), at)
					default:
						err = f.Lose(&d, crm.LostReasons()[rng.IntN(len(crm.LostReasons()))], "", at)
					}
					if err != nil {
						continue // a closed deal does not move
					}
					d.Version++
					if _, mine := tx.Deals().Get(ctx, d.ID); mine != nil {
						return mine
					}
					require.NoError(t, tx.Deals().Update(ctx, d))
					deals[d.ID] = d
					continue
				}
				f := flows[rng.IntN(2)]
				created := epoch.Add(time.Duration(rng.Int64N(int64(365 * 24 * time.Hour))))
				nd := crm.NewDeal{Customer: next(), Title: "D", Amount: crm.MoneyFromMinor(rng.Int64N(1_000_000), usd)}
				if rng.IntN(5) > 0 {
					nd.CloseDate = crm.DateOf(created.Add(time.Duration(rng.IntN(90)) * 24 * time.Hour))
				}
				d, err := f.Open(next(), nd, users[rng.IntN(len(users))], created)
				require.NoError(t, err)
				require.NoError(t, tx.Deals().Insert(ctx, d))
				deals[d.ID] = d
				order = append(order, d.ID)
			}
			return nil
		}))
	}
	all := func() []crm.Deal {
		var out []crm.Deal
		for _, id := range order {
			out = append(out, deals[id])
		}
		return out
	}
	check := func(sa crm.SalesAnalytics, ds []crm.Deal) {
		from, to := epoch.Add(60*24*time.Hour), epoch.Add(200*24*time.Hour)
		for _, f := range flows {
			for _, q := range []crm.SalesQuery{
				{Pipeline: f.Pipeline().ID},
				{Pipeline: f.Pipeline().ID, Owner: users[0].ID},
				{Pipeline: f.Pipeline().ID, Team: "north"},
				{Pipeline: f.Pipeline().ID, Team: "east"},
				{Pipeline: f.Pipeline().ID, Owner: next()},
				{Pipeline: f.Pipeline().ID, From: from},
				{Pipeline: f.Pipeline().ID, From: from, To: to, Team: "south"},
				{Pipeline: next()},
			} {
				want, err := storekit.AggregateStageAmounts(ds, q)
				require.NoError(t, err)
				got, err := sa.StageAmounts(ctx, q)
				require.NoError(t, err)
				require.Equal(t, want, got, "stage amounts %+v", q)
				wantF, err := storekit.AggregateForecast(ds, q)
				require.NoError(t, err)
				gotF, err := sa.Forecast(ctx, q)
				require.NoError(t, err)
				require.Equal(t, wantF, gotF, "forecast %+v", q)
				wantC, err := storekit.AggregateCohort(ds, q)
				require.NoError(t, err)
				gotC, err := sa.Cohort(ctx, q)
				require.NoError(t, err)
				require.Equal(t, wantC, gotC, "cohort %+v", q)
				wantO, err := storekit.AggregateOutcomes(ds, q)
				require.NoError(t, err)
				gotO, err := sa.Outcomes(ctx, q)
				require.NoError(t, err)
				require.Equal(t, wantO, gotO, "outcomes %+v", q)
				wantT, err := storekit.AggregateStageTimes(ds, q)
				require.NoError(t, err)
				gotT, err := sa.StageTimes(ctx, q)
				require.NoError(t, err)
				require.Equal(t, wantT, gotT, "stage times %+v", q)
			}
		}
	}
	require.NoError(t, s.View(ctx, func(tx crm.ReadTx) error { check(tx.Sales(), all()); return nil }))
	for _, p := range s.dealCols.pipelines {
		require.Positive(t, p.dead, "visits of changed deals")
		p.compact()
	}
	require.NoError(t, s.View(ctx, func(tx crm.ReadTx) error { check(tx.Sales(), all()); return nil }))
	require.NoError(t, s.Update(ctx, func(tx crm.Tx) error {
		d := deals[order[0]]
		d.Amount, d.Version = crm.MoneyFromMinor(5, usd), d.Version+1
		require.NoError(t, tx.Deals().Update(ctx, d))
		keep := deals[d.ID]
		deals[d.ID] = d
		check(tx.Sales(), all())
		deals[d.ID] = keep
		return nil
	}))
}
