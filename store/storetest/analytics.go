package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/storekit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// genSeed makes the generated data; a failure names it, so that it can be
// replayed.
const genSeed = 20260302

// dims and periods are every grouping of the statistics.
var (
	dims    = []crm.Dimension{crm.ByTotal, crm.ByTouchpoint, crm.ByPhase, crm.ByChannel, crm.ByDepartment}
	periods = []crm.Period{crm.PeriodAll, crm.PeriodDay, crm.PeriodWeek, crm.PeriodMonth}
)

// window is a range of a query; zero bounds are open.
type window struct {
	name     string
	from, to time.Time
}

// genWindows are the ranges the statistics are asked for: open, from or
// to a mark (rows fall exactly on them), across the new year, and one
// microsecond wide.
var genWindows = []window{
	{"all time", time.Time{}, time.Time{}},
	{"from 2026-W01", genMarks[2], time.Time{}},
	{"to 2026", time.Time{}, genMarks[3]},
	{"across the new year", genMarks[1], genMarks[6]},
	{"one microsecond", genMarks[3], genMarks[3].Add(time.Microsecond)},
}

// sameAnswer requires the store's answer to equal the reference's; an
// empty answer may be nil.
func sameAnswer[T any](t *testing.T, want, got []T, msgAndArgs ...any) {
	t.Helper()
	if len(want) == 0 && len(got) == 0 {
		return
	}
	require.Equal(t, want, got, msgAndArgs...)
}

// analyticsOf returns the analytics of a read transaction.
func analyticsOf(tx crm.ReadTx) crm.AnalyticsReader { return tx.Analytics() }

// questions are what the analytics test asks.
type questions struct {
	experience []crm.ExperienceQuery
	cases      []crm.CaseQuery
	moments    []crm.MomentsQuery
	ladderAt   []time.Time
}

// genQueries is the grid of questions: every dimension with every
// period, each over all time and over one of the other scopes, taken in
// turn (bounded by marks on either side or both, one microsecond wide, on
// one map, on a map with no data); moments of truth over several windows
// and ranges; the ladder at dates before any data, on the edges of rows
// and after all of them.
func genQueries(d *dataset) questions {
	var q questions
	type scope struct {
		window
		m crm.ID
	}
	scopes := []scope{{window: genWindows[0], m: d.maps[1].ID}, {window: genWindows[3], m: d.maps[2].ID}}
	for _, w := range genWindows[1:] {
		scopes = append(scopes, scope{window: w})
	}
	i := 0
	for _, dim := range dims {
		for _, p := range periods {
			for _, sc := range []scope{{window: genWindows[0]}, scopes[i%len(scopes)]} {
				q.experience = append(q.experience, crm.ExperienceQuery{From: sc.from, To: sc.to, Map: sc.m, GroupBy: dim, Period: p})
				q.cases = append(q.cases, crm.CaseQuery{From: sc.from, To: sc.to, Map: sc.m, GroupBy: dim, Period: p})
			}
			i++
		}
	}
	// The survey kinds apart, and touchpoint subsets as TouchpointStats
	// rolls them up (keys of both maps, one in none).
	for i, kind := range []crm.SurveyKind{crm.TransactionalSurvey, crm.RelationshipSurvey} {
		for j, dim := range []crm.Dimension{crm.ByTotal, crm.ByTouchpoint, crm.ByDepartment} {
			q.experience = append(q.experience, crm.ExperienceQuery{GroupBy: dim, Period: periods[(i+j)%len(periods)], Survey: kind})
		}
	}
	var keys []string
	for _, tp := range d.maps[0].Touchpoints {
		keys = append(keys, tp.Key)
	}
	for i, sub := range [][]string{keys[:1], keys[1:3], append(slices.Clone(keys), "nowhere")} {
		q.experience = append(q.experience,
			crm.ExperienceQuery{Map: d.maps[0].ID, Period: periods[i], Touchpoints: sub},
			crm.ExperienceQuery{GroupBy: crm.ByTouchpoint, Period: periods[i+1], Touchpoints: sub, Survey: crm.TransactionalSurvey})
	}
	for _, lookback := range []time.Duration{0, time.Microsecond, 36 * time.Hour} {
		for _, w := range genWindows[:4] {
			q.moments = append(q.moments, crm.MomentsQuery{From: w.from, To: w.to, Window: lookback})
		}
	}
	q.moments = append(q.moments, crm.MomentsQuery{Window: 30 * 24 * time.Hour},
		crm.MomentsQuery{From: genMarks[3], To: genMarks[4], Window: 30 * 24 * time.Hour},
		crm.MomentsQuery{From: genMarks[3].Add(time.Nanosecond), To: genMarks[5], Window: time.Hour + time.Nanosecond})
	q.ladderAt = append(q.ladderAt, genStart.AddDate(0, 0, -60), genEnd.AddDate(0, 1, 0))
	q.ladderAt = append(q.ladderAt, genMarks...)
	for _, m := range d.moves[:8] {
		q.ladderAt = append(q.ladderAt, m.At, m.At.Add(-time.Microsecond))
	}
	for _, c := range d.customers[:3] {
		q.ladderAt = append(q.ladderAt, c.CreatedAt, c.CreatedAt.Add(-time.Microsecond))
	}
	return q
}

// every keeps every nth question of each kind and its answer.
func (a answers) every(n int) answers {
	a.q.experience, a.experience = everyNth(a.q.experience, n), everyNth(a.experience, n)
	a.q.cases, a.cases = everyNth(a.q.cases, n), everyNth(a.cases, n)
	a.q.moments, a.moments = everyNth(a.q.moments, n), everyNth(a.moments, n)
	a.q.ladderAt, a.ladder = everyNth(a.q.ladderAt, n), everyNth(a.ladder, n)
	return a
}

func everyNth[T any](vs []T, n int) []T {
	var out []T
	for i := 0; i < len(vs); i += n {
		out = append(out, vs[i])
	}
	return out
}

// answers are the reference answers to questions over a dataset.
type answers struct {
	q          questions
	experience [][]crm.ExperienceCounts
	cases      [][]crm.CaseCounts
	moments    [][]crm.MomentCount
	ladder     [][]crm.StageCount
}

func (q questions) answer(d *dataset) answers {
	a := answers{q: q}
	for _, x := range q.experience {
		a.experience = append(a.experience, storekit.AggregateExperience(d.interactions, x))
	}
	for _, x := range q.cases {
		a.cases = append(a.cases, storekit.AggregateCases(d.cases, x))
	}
	for _, x := range q.moments {
		a.moments = append(a.moments, storekit.MomentsOfTruth(d.moves, d.interactions, x))
	}
	for _, at := range q.ladderAt {
		a.ladder = append(a.ladder, storekit.LadderDistribution(d.customers, d.moves, at))
	}
	return a
}

// check asks every question of r and requires the reference answers.
func (a answers) check(t *testing.T, r crm.AnalyticsReader) {
	t.Helper()
	checkEach(t, a.q.experience, a.experience, r.Experience)
	checkEach(t, a.q.cases, a.cases, r.Cases)
	checkEach(t, a.q.moments, a.moments, r.MomentsOfTruth)
	checkEach(t, a.q.ladderAt, a.ladder, r.LadderDistribution)
}

// checkEach asks every question and requires the answer in want.
func checkEach[Q, A any](t *testing.T, qs []Q, want [][]A, ask func(context.Context, Q) ([]A, error)) {
	t.Helper()
	for i, q := range qs {
		got, err := ask(context.Background(), q)
		require.NoError(t, err, "%+v", q)
		sameAnswer(t, want[i], got, "seed %d, %+v", genSeed, q)
	}
}

func runAnalytics(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	d := generate(genSeed)
	s := newStore(t)
	began := time.Now()
	d.store(t, s, genSeed)
	t.Logf("stored %d customers, %d interactions, %d cases (%d updated), %d moves in %s",
		len(d.customers), len(d.interactions), len(d.cases), len(d.opened), len(d.moves), time.Since(began).Round(time.Millisecond))
	qs := genQueries(d)
	want := qs.answer(d)

	t.Run("DataIsVaried", func(t *testing.T) {
		// The grid means something only if the data has what it groups and
		// filters by: a guard against a generator that lost its variety.
		for _, q := range []crm.ExperienceQuery{{GroupBy: crm.ByDepartment}, {GroupBy: crm.ByPhase, Period: crm.PeriodWeek}, {From: genMarks[3], To: genMarks[3].Add(time.Microsecond)}} {
			assert.NotEmpty(t, storekit.AggregateExperience(d.interactions, q), "%+v", q)
		}
		assert.Greater(t, len(storekit.AggregateExperience(d.interactions, crm.ExperienceQuery{GroupBy: crm.ByDepartment})), len(genDepartments)-1)
		assert.Empty(t, storekit.AggregateExperience(d.interactions, crm.ExperienceQuery{Map: d.maps[2].ID}), "one map has no data")
		all := storekit.AggregateExperience(d.interactions, crm.ExperienceQuery{})[0]
		assert.Less(t, all.NPSRespondents, all.NPSAnswers-100, "customers answered more than once")
		assert.NotEmpty(t, storekit.AggregateExperience(d.interactions, crm.ExperienceQuery{Survey: crm.RelationshipSurvey}))
		ties := 0
		for i := 1; i < len(d.interactions); i++ {
			a, b := d.interactions[i-1], d.interactions[i]
			ties += int(b2i(a.Customer == b.Customer && a.At.Equal(b.At) && a.Survey.NPS != nil && b.Survey.NPS != nil))
		}
		assert.Positive(t, ties, "answers of one customer at one time")
		events := map[crm.LadderEvent]bool{}
		for _, m := range d.moves {
			events[m.Event] = true
		}
		assert.Len(t, events, 5, "every kind of move")
		var moments, contacts int64
		for _, m := range storekit.MomentsOfTruth(d.moves, d.interactions, crm.MomentsQuery{}) {
			moments += m.Up + m.Down
			contacts += m.Contacts
		}
		assert.Greater(t, moments, int64(100))
		assert.Equal(t, int64(len(d.interactions)), contacts, "every contact, over all time")
		away := 0
		for _, m := range d.moves {
			away += int(b2i(m.Evidence.Touchpoint == ""))
		}
		assert.Greater(t, away, 20, "moves on evidence at no touchpoint, which are no moments of truth")
		narrow := crm.MomentsQuery{From: genMarks[3], To: genMarks[4], Window: 30 * 24 * time.Hour}
		var early int64
		for _, in := range d.interactions {
			early += b2i(in.At.Before(genMarks[3]) && !in.At.Before(narrow.ContactsFrom()))
		}
		assert.Positive(t, early, "contacts in the window before From count")
		assert.Equal(t, crm.StageCount{Stage: crm.Annoyed}, storekit.LadderDistribution(d.customers, d.moves, qs.ladderAt[0])[0], "before any data")
	})

	t.Run("MatchesTheReference", func(t *testing.T) {
		began := time.Now()
		view(t, s, func(tx crm.ReadTx) error {
			want.check(t, analyticsOf(tx))
			return nil
		})
		t.Logf("%d queries in %s", len(qs.experience)+len(qs.cases)+len(qs.moments)+len(qs.ladderAt), time.Since(began).Round(time.Millisecond))
	})

	t.Run("MovesBetweenPages", func(t *testing.T) {
		got := allPages(t, s, 97, moveID, movesBetween(genMarks[0], genMarks[6]))
		want := slices.DeleteFunc(sortedByID(d.moves, moveID), func(m crm.LadderMove) bool {
			return m.At.Before(genMarks[0]) || !m.At.Before(genMarks[6])
		})
		assertSameList(t, want, got, moveID)
	})

	t.Run("TransactionSeesItsOwnRows", func(t *testing.T) {
		errRollback := errors.New("roll back")
		// New customers with contacts and moves, new contacts of old
		// customers, and a case moved to another department.
		g := &ids{n: 1 << 40}
		var customers []crm.Customer
		var interactions []crm.Interaction
		var moves []crm.LadderMove
		for i, c := range d.customers[:3] {
			c.ID, c.CreatedAt = g.next(), genMarks[i+2]
			customers = append(customers, c)
			moves = append(moves, crm.LadderMove{ID: g.next(), Customer: c.ID, At: genMarks[i+3], From: crm.Indifferent, To: crm.Satisfied, Event: crm.Rise},
				crm.LadderMove{ID: g.next(), Customer: d.customers[i+3].ID, At: genMarks[i+3], From: crm.Annoyed, To: crm.Lost, Event: crm.Churn})
		}
		for i, in := range d.interactions[:30] {
			in.ID, in.IdempotencyKey, in.At = g.next(), "", genMarks[i%len(genMarks)].Add(-time.Duration(i)*time.Hour)
			if i%2 == 0 {
				in.Customer = customers[i%3].ID
			}
			interactions = append(interactions, in)
		}
		subset := want.every(3)
		moved := d.cases[0]
		moved.Department, moved.Version, moved.ResolvedAt = "Moved in the transaction", moved.Version+1, moved.OpenedAt.Add(time.Minute)
		extra := &dataset{
			customers:    slices.Concat(d.customers, customers),
			interactions: slices.Concat(d.interactions, interactions),
			cases:        slices.Concat([]crm.Case{moved}, d.cases[1:]),
			moves:        slices.Concat(d.moves, moves),
		}
		err := s.Update(ctx, func(tx crm.Tx) error {
			for _, c := range customers {
				require.NoError(t, tx.Customers().Insert(ctx, c))
			}
			for _, in := range interactions {
				require.NoError(t, insertInteraction(tx, in))
			}
			require.NoError(t, caseVersions.update(tx, moved))
			require.NoError(t, tx.Ladder().AppendMoves(ctx, moves))
			subset.q.answer(extra).check(t, tx.Analytics())
			return errRollback
		})
		require.ErrorIs(t, err, errRollback)
		view(t, s, func(tx crm.ReadTx) error {
			subset.check(t, analyticsOf(tx))
			return nil
		})
	})

	t.Run("InvalidQueries", func(t *testing.T) {
		late, early := genMarks[3], genMarks[1]
		ask := func(r crm.AnalyticsReader, q any) error {
			var err error
			switch q := q.(type) {
			case crm.ExperienceQuery:
				_, err = r.Experience(ctx, q)
			case crm.CaseQuery:
				_, err = r.Cases(ctx, q)
			case crm.MomentsQuery:
				_, err = r.MomentsOfTruth(ctx, q)
			}
			return err
		}
		for _, tc := range []struct {
			name string
			q    any
		}{
			{"experience dimension", crm.ExperienceQuery{GroupBy: "customer"}},
			{"experience period", crm.ExperienceQuery{Period: "year"}},
			{"experience to before from", crm.ExperienceQuery{From: late, To: early}},
			{"experience empty range", crm.ExperienceQuery{From: late, To: late}},
			{"cases dimension", crm.CaseQuery{GroupBy: "' OR 1=1 --"}},
			{"cases period", crm.CaseQuery{Period: "Week"}},
			{"cases to before from", crm.CaseQuery{From: late, To: early}},
			{"moments negative window", crm.MomentsQuery{Window: -time.Microsecond}},
			{"moments to before from", crm.MomentsQuery{From: late, To: early}},
			{"moments negative minimum sample", crm.MomentsQuery{MinContacts: -1}},
		} {
			_, err := tryRead(s, func(tx crm.ReadTx) (struct{}, error) { return struct{}{}, ask(tx.Analytics(), tc.q) })
			assert.ErrorIs(t, err, crm.ErrInvalid, tc.name)
			err = write(s, func(tx crm.Tx) error { return ask(tx.Analytics(), tc.q) })
			assert.ErrorIs(t, err, crm.ErrInvalid, "%s, in a write transaction", tc.name)
		}
	})
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
