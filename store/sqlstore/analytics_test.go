package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net/url"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/sqlstore"
	"github.com/crmkit/crm/store/storekit"
	"github.com/stretchr/testify/require"
)

// generated is a few thousand records made from a seed: customers,
// interactions, cases and ladder moves over four months, on two maps, with
// instants shared on purpose and group values that sort differently
// bytewise and by locale ("Zeta" < "alpha" < "Ärger").
type generated struct {
	maps         [2]crm.ID
	customers    []crm.Customer
	interactions []crm.Interaction
	cases        []crm.Case
	moves        []crm.LadderMove
}

var (
	genStart     = time.Date(2025, 12, 20, 0, 0, 0, 0, time.UTC) // ISO week 2025-W51, across a year's end
	genSpan      = 120 * 24 * time.Hour
	genKeys      = []string{"Zeta", "alpha", "call", "call.billing", "web", "_self"}
	genDepts     = []string{"", "Billing", "billing", "Ärger", "zoo", "Care team", hostileShort}
	genPhases    = []crm.Phase{"", crm.PhaseOrdering, crm.PhaseBilling, crm.PhaseSupport, "Custom"}
	genChannels  = []crm.Channel{crm.ChannelWeb, crm.ChannelContactCenter, crm.ChannelBranch, "Kiosk"}
	genStages    = append(crm.LoyaltyStages(), crm.Lost)
	genEvents    = []crm.LadderEvent{crm.Rise, crm.Slide, crm.Fall, crm.Churn, crm.WinBack}
	genCaseKinds = []crm.CaseKind{crm.Complaint, crm.Request, crm.Incident, crm.Question}
)

func pick[T any](r *rand.Rand, vs []T) T { return vs[r.IntN(len(vs))] }

// generator makes the records; last is the previous time it made, which
// it repeats now and then so that records share an instant.
type generator struct {
	t    *testing.T
	r    *rand.Rand
	last time.Time
}

func (g *generator) when() time.Time {
	if !g.last.IsZero() && g.r.IntN(8) == 0 {
		return g.last
	}
	g.last = genStart.Add(time.Duration(g.r.Int64N(int64(genSpan/time.Microsecond))) * time.Microsecond)
	return g.last
}

func (g *generator) answer(lo, hi int) *int {
	if g.r.IntN(3) == 0 {
		return nil
	}
	return intp(lo + g.r.IntN(hi-lo+1))
}

// edgeWindow is a moments-of-truth window the generated data has
// contacts on both sides of the edges of.
const edgeWindow = 36 * time.Hour

// interaction makes a random interaction of customer at when.
func (g *generator) interaction(d generated, customer crm.ID, when time.Time) crm.Interaction {
	r := g.r
	in := crm.Interaction{ID: newID(g.t), Customer: customer, Map: d.maps[r.IntN(2)],
		Touchpoint: pick(r, genKeys), At: when, Direction: pick(r, []crm.Direction{crm.Inbound, crm.Outbound}),
		Department: pick(r, genDepts), Channel: pick(r, genChannels), Phase: pick(r, genPhases),
		Wait: time.Duration(r.IntN(600_000_000)) * time.Microsecond, Handle: time.Duration(r.IntN(900_000_000)) * time.Microsecond,
		Resolved: r.IntN(2) == 0, Sentiment: crm.Sentiment(r.IntN(5) - 2),
		Survey:         crm.Survey{NPS: g.answer(0, 10), CSAT: g.answer(1, 5), CES: g.answer(1, 7)},
		AnswerBreached: r.IntN(4) == 0, CSATBreached: r.IntN(6) == 0, RequestHash: crm.Hash{byte(r.IntN(256))},
		RecordedAt: when}
	for range r.IntN(4) {
		in.Transfers = append(in.Transfers, crm.Transfer{From: pick(r, genDepts), To: pick(r, genDepts)})
	}
	if r.IntN(3) == 0 {
		in.IdempotencyKey = in.ID.String()
	}
	return in
}

func generate(t *testing.T, seed uint64, customers, interactions, cases, moves int) generated {
	g := &generator{t: t, r: rand.New(rand.NewPCG(seed, seed^0x5eed))}
	r := g.r
	d := generated{maps: [2]crm.ID{newID(t), newID(t)}}
	for range customers {
		c := sampleCustomer(newID(t), newID(t))
		c.CreatedAt = genStart // half the customers were there before any data
		if r.IntN(2) == 0 {
			c.CreatedAt = g.when()
		}
		d.customers = append(d.customers, c)
	}
	for range interactions {
		d.interactions = append(d.interactions, g.interaction(d, pick(r, d.customers).ID, g.when()))
	}
	for range cases {
		c := crm.Case{ID: newID(t), Customer: pick(r, d.customers).ID, Kind: pick(r, genCaseKinds), Status: crm.CaseOpened,
			Map: d.maps[r.IntN(2)], Touchpoint: pick(r, genKeys), Channel: pick(r, genChannels), Phase: pick(r, genPhases),
			Department: pick(r, genDepts), OpenedAt: g.when(), Handoffs: r.IntN(4), Reopens: r.IntN(3),
			Contacts: r.IntN(4), ResolveBreached: r.IntN(4) == 0, PromiseBroken: r.IntN(5) == 0, Version: 1}
		if r.IntN(10) < 7 {
			c.Status = crm.CaseResolved
			c.ResolvedAt = c.OpenedAt.Add(time.Duration(r.Int64N(int64(30*24*time.Hour/time.Microsecond))) * time.Microsecond)
		}
		c.CreatedAt, c.UpdatedAt = c.OpenedAt, c.OpenedAt
		d.cases = append(d.cases, c)
	}
	for i := range moves {
		m := crm.LadderMove{ID: newID(t), Customer: pick(r, d.customers[:len(d.customers)*9/10]).ID, At: g.when(),
			From: pick(r, genStages), To: pick(r, genStages), Event: pick(r, genEvents),
			ScoreBefore: r.Int64N(200_000) - 100_000, ScoreAfter: r.Int64N(200_000) - 100_000}
		if i > 0 && r.IntN(4) == 0 { // one evidence, several moves: one customer, one instant
			m.Customer, m.At = d.moves[i-1].Customer, d.moves[i-1].At
		}
		m.Evidence = crm.EvidenceRef{Kind: crm.EvidenceExperience}
		d.moves = append(d.moves, m)
		if i%10 == 0 { // contacts on the edges of a window the test asks for
			for _, off := range []time.Duration{-edgeWindow - time.Microsecond, -edgeWindow, 0, time.Microsecond} {
				d.interactions = append(d.interactions, g.interaction(d, m.Customer, m.At.Add(off)))
			}
		}
	}
	return d
}

// insert writes the records through the repositories, a few hundred to a
// transaction.
func (d generated) insert(ctx context.Context, t *testing.T, s crm.Store) {
	const batch = 500
	var ops []func(tx crm.Tx) error
	for _, c := range d.customers {
		ops = append(ops, func(tx crm.Tx) error { return tx.Customers().Insert(ctx, c) })
	}
	for _, in := range d.interactions {
		ops = append(ops, func(tx crm.Tx) error { return tx.Interactions().Insert(ctx, in) })
	}
	for _, c := range d.cases {
		ops = append(ops, func(tx crm.Tx) error { return tx.Cases().Insert(ctx, c) })
	}
	for _, m := range d.moves {
		ops = append(ops, func(tx crm.Tx) error { return tx.Ladder().AppendMoves(ctx, []crm.LadderMove{m}) })
	}
	writeAll(ctx, t, s, batch, ops)
}

// writeAll runs ops in order, batch of them to a transaction.
func writeAll(ctx context.Context, t *testing.T, s crm.Store, batch int, ops []func(tx crm.Tx) error) {
	t.Helper()
	for start := 0; start < len(ops); start += batch {
		write(ctx, t, s, func(tx crm.Tx) error {
			for _, op := range ops[start:min(start+batch, len(ops))] {
				if err := op(tx); err != nil {
					return err
				}
			}
			return nil
		})
	}
}

// each returns an op of each value.
func each[T any](vs []T, op func(tx crm.Tx, v T) error) []func(tx crm.Tx) error {
	ops := make([]func(tx crm.Tx) error, len(vs))
	for i, v := range vs {
		ops[i] = func(tx crm.Tx) error { return op(tx, v) }
	}
	return ops
}

// ranges are the time bounds the queries are asked with: open, closed,
// open at one end, and bounds finer than the microsecond the store keeps.
func (d generated) ranges() [][2]time.Time {
	mid := genStart.Add(genSpan / 2)
	lo, hi := d.moves[3].At, d.interactions[9].At
	if hi.Before(lo) {
		lo, hi = hi, lo
	}
	return [][2]time.Time{
		{},
		{genStart.Add(10 * 24 * time.Hour), mid},
		{d.interactions[7].At, {}},
		{{}, d.cases[11].OpenedAt},
		{lo.Add(1), hi.Add(999)},
	}
}

func TestAnalyticsMatchTheReference(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s, _ := b.newStore(t)
		d := generate(t, 20260302, 250, 1500, 500, 1200)
		// The comparisons mean something only if the data has what they
		// group, filter and join on.
		require.Len(t, storekit.AggregateExperience(d.interactions, crm.ExperienceQuery{GroupBy: crm.ByDepartment}), len(genDepts))
		require.Greater(t, len(storekit.MomentsOfTruth(d.moves, d.interactions, crm.MomentsQuery{Window: edgeWindow})), 3)
		d.insert(ctx, t, s)
		ranges := d.ranges()
		maps := []crm.ID{{}, d.maps[0], newID(t)}

		view := func(fn func(a crm.AnalyticsReader) (any, error)) any {
			t.Helper()
			return read(ctx, t, s, func(tx crm.ReadTx) (any, error) { return fn(tx.Analytics()) })
		}
		// Each dimension by each period, over everything and over one of
		// the ranges on one of the maps in turn.
		i := 0
		for _, dim := range []crm.Dimension{crm.ByTotal, crm.ByTouchpoint, crm.ByPhase, crm.ByChannel, crm.ByDepartment} {
			for _, period := range []crm.Period{crm.PeriodAll, crm.PeriodDay, crm.PeriodWeek, crm.PeriodMonth} {
				i++
				r, mapID := ranges[i%len(ranges)], maps[i%len(maps)]
				for _, eq := range []crm.ExperienceQuery{{GroupBy: dim, Period: period},
					{From: r[0], To: r[1], Map: mapID, GroupBy: dim, Period: period}} {
					got := view(func(a crm.AnalyticsReader) (any, error) { return a.Experience(ctx, eq) })
					require.Equal(t, storekit.AggregateExperience(d.interactions, eq), got, "%+v", eq)
					cq := crm.CaseQuery{From: eq.From, To: eq.To, Map: eq.Map, GroupBy: eq.GroupBy, Period: eq.Period}
					got = view(func(a crm.AnalyticsReader) (any, error) { return a.Cases(ctx, cq) })
					require.Equal(t, storekit.AggregateCases(d.cases, cq), got, "%+v", cq)
				}
			}
		}
		for _, window := range []time.Duration{0, time.Microsecond, 90 * time.Minute, edgeWindow, 30 * 24 * time.Hour} {
			for _, r := range [][2]time.Time{ranges[0], ranges[1], ranges[4]} {
				q := crm.MomentsQuery{From: r[0], To: r[1], Window: window}
				got := view(func(a crm.AnalyticsReader) (any, error) { return a.MomentsOfTruth(ctx, q) })
				require.Equal(t, storekit.MomentsOfTruth(d.moves, d.interactions, q), got, "%+v", q)
			}
		}
		// Dates on rows and a nanosecond before them, where rounding to
		// the microsecond the store keeps would go wrong.
		dates := []time.Time{{}, genStart, genStart.Add(genSpan / 3).Add(1), genStart.Add(genSpan)}
		for _, i := range []int{5, 17, 40, 77, 131} {
			dates = append(dates, d.moves[i].At, d.moves[i].At.Add(-1), d.customers[i].CreatedAt.Add(-1))
		}
		for _, date := range dates {
			got := view(func(a crm.AnalyticsReader) (any, error) { return a.LadderDistribution(ctx, date) })
			require.Equal(t, storekit.LadderDistribution(d.customers, d.moves, date), got, "at %v", date)
		}
	})
}

func TestAnalyticsRefuseBadQueries(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s, _ := b.newStore(t)
		bad := []func(a crm.AnalyticsReader) error{
			func(a crm.AnalyticsReader) error {
				_, err := a.Experience(ctx, crm.ExperienceQuery{GroupBy: "touchpoint; DROP TABLE x"})
				return err
			},
			func(a crm.AnalyticsReader) error { _, err := a.Cases(ctx, crm.CaseQuery{Period: "year"}); return err },
			func(a crm.AnalyticsReader) error {
				_, err := a.Experience(ctx, crm.ExperienceQuery{From: at(5), To: at(5)})
				return err
			},
			func(a crm.AnalyticsReader) error {
				_, err := a.MomentsOfTruth(ctx, crm.MomentsQuery{Window: -time.Second})
				return err
			},
		}
		for i, fn := range bad {
			err := s.View(ctx, func(tx crm.ReadTx) error { return fn(tx.Analytics()) })
			require.ErrorIs(t, err, crm.ErrInvalid, fmt.Sprint(i))
		}
		// An empty store answers with empty lists and every rung at zero.
		got := read(ctx, t, s, func(tx crm.ReadTx) ([]crm.ExperienceCounts, error) {
			return tx.Analytics().Experience(ctx, crm.ExperienceQuery{})
		})
		require.Equal(t, storekit.AggregateExperience(nil, crm.ExperienceQuery{}), got)
		stages := read(ctx, t, s, func(tx crm.ReadTx) ([]crm.StageCount, error) {
			return tx.Analytics().LadderDistribution(ctx, at(1))
		})
		require.Equal(t, storekit.LadderDistribution(nil, nil, at(1)), stages)
	})
}

// TestGroupsSortBytewiseWhateverTheCollation runs the analytics on a
// PostgreSQL database whose default collation is ICU English, where
// "alpha" sorts before "Zeta": the groups, and the stages of deals, still
// come in Go's byte order, as the reference sorts them.
func TestGroupsSortBytewiseWhateverTheCollation(t *testing.T) {
	ctx := context.Background()
	admin, err := sql.Open("pgx", postgresURL(t))
	require.NoError(t, err)
	defer admin.Close()
	name := randomName(t, "crmtest_icu_")
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE "`+name+`" TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en' LOCALE 'C.UTF-8'`); err != nil {
		t.Skipf("no ICU database: %v", err)
	}
	t.Cleanup(func() { _, _ = admin.ExecContext(ctx, `DROP DATABASE IF EXISTS "`+name+`" WITH (FORCE)`) })
	u, err := url.Parse(postgresURL(t))
	require.NoError(t, err)
	u.Path = "/" + name
	db, err := sql.Open("pgx", u.String())
	require.NoError(t, err)
	defer db.Close()
	var alphaFirst bool
	require.NoError(t, db.QueryRowContext(ctx, `SELECT 'alpha' < 'Zeta'`).Scan(&alphaFirst))
	require.True(t, alphaFirst, "the database sorts by locale")

	s, err := sqlstore.New(db, sqlstore.PostgreSQL)
	require.NoError(t, err)
	require.NoError(t, s.Migrate(ctx))
	d := generate(t, 7, 20, 200, 60, 100)
	d.insert(ctx, t, s)
	eq := crm.ExperienceQuery{GroupBy: crm.ByDepartment, Period: crm.PeriodMonth}
	got := read(ctx, t, s, func(tx crm.ReadTx) ([]crm.ExperienceCounts, error) { return tx.Analytics().Experience(ctx, eq) })
	require.Equal(t, storekit.AggregateExperience(d.interactions, eq), got)
	cq := crm.CaseQuery{GroupBy: crm.ByTouchpoint}
	cases := read(ctx, t, s, func(tx crm.ReadTx) ([]crm.CaseCounts, error) { return tx.Analytics().Cases(ctx, cq) })
	require.Equal(t, storekit.AggregateCases(d.cases, cq), cases)
	mq := crm.MomentsQuery{Window: 30 * 24 * time.Hour}
	moments := read(ctx, t, s, func(tx crm.ReadTx) ([]crm.MomentCount, error) { return tx.Analytics().MomentsOfTruth(ctx, mq) })
	require.Equal(t, storekit.MomentsOfTruth(d.moves, d.interactions, mq), moments)

	sd := generateSales(t, 7, 60, 10)
	sd.insert(ctx, t, s)
	sq := crm.SalesQuery{Pipeline: sd.pipelines[0].ID} // stages "Zeta" and "alpha"
	stages := read(ctx, t, s, func(tx crm.ReadTx) ([]crm.StageAmount, error) { return tx.Sales().StageAmounts(ctx, sq) })
	require.Equal(t, must(storekit.AggregateStageAmounts(sd.deals, sq)), stages)
	times := read(ctx, t, s, func(tx crm.ReadTx) ([]crm.StageTime, error) { return tx.Sales().StageTimes(ctx, sq) })
	require.Equal(t, must(storekit.AggregateStageTimes(sd.deals, sq)), times)
}
