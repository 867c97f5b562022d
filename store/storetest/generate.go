package storetest

import (
	"context"
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/require"
)

// The sizes of the generated data set: enough customers for every
// combination of group and period to come up, few enough that the suite
// runs in seconds on SQL stores under -race.
const (
	genCustomers       = 200 // about 1,100 interactions, 160 cases and 400 moves
	genMaxInteractions = 9   // per customer, uniformly 0..genMaxInteractions
	genCases           = 160
	genMaxMoves        = 4 // per customer
	genBatch           = 250
)

// The generated data spans three months that cross a year boundary, where
// ISO weeks and months disagree (2025-12-29 is in 2026-W01).
var (
	genStart = time.Date(2025, 11, 30, 0, 0, 0, 0, time.UTC)
	genEnd   = epoch
)

// genMarks are instants that rows fall on exactly, to be used as query
// bounds: month, ISO-week and year boundaries, and a microsecond either
// side of some of them.
var genMarks = []time.Time{
	time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC),
	time.Date(2025, 12, 28, 23, 59, 59, 999_999_000, time.UTC), // the end of 2025-W52
	time.Date(2025, 12, 29, 0, 0, 0, 0, time.UTC),              // 2026-W01, still December
	time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
	time.Date(2026, 1, 15, 12, 34, 56, 789_012_000, time.UTC),
	time.Date(2026, 1, 31, 23, 59, 59, 999_999_000, time.UTC),
	time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC),
}

// genDepartments are departments whose byte order differs from the order
// of most collations: case, accents, an empty name and a quote.
var genDepartments = []string{"billing", "Billing", "Ärger", "zeta", "Zeta", "ß", "", "Sales & Legal", "O'Brien's", hostileShort}

// dataset is generated experience data as it was stored: the reference
// implementations run over these slices.
type dataset struct {
	maps         []crm.TouchpointMap // the last one has no interactions or cases
	customers    []crm.Customer
	interactions []crm.Interaction
	cases        []crm.Case // as last updated
	opened       []crm.Case // the first version of the cases updated later
	moves        []crm.LadderMove
}

// generator makes a dataset from a seeded source, so that a failure can
// be replayed.
type generator struct {
	r   *rand.Rand
	g   *ids
	tps []crm.ResolvedTouchpoint
	d   dataset
}

func generate(seed uint64) *dataset {
	gen := &generator{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), g: &ids{}}
	gen.maps()
	gen.customers()
	gen.cases()
	gen.interactions()
	gen.moves()
	return &gen.d
}

func (gen *generator) pick(n int) int { return gen.r.IntN(n) }

func (gen *generator) chance(p float64) bool { return gen.r.Float64() < p }

// between returns a random instant in [from, to), to the microsecond.
func (gen *generator) between(from, to time.Time) time.Time {
	return from.Add(time.Duration(gen.r.Int64N(int64(to.Sub(from)/time.Microsecond))) * time.Microsecond)
}

// instant returns a random instant of the data's span, often one of the
// marks or a microsecond next to one.
func (gen *generator) instant() time.Time {
	if gen.chance(0.15) {
		return genMarks[gen.pick(len(genMarks))].Add(time.Duration(gen.pick(3)-1) * time.Microsecond)
	}
	return gen.between(genStart, genEnd)
}

func (gen *generator) department(tp crm.ResolvedTouchpoint) string {
	if gen.chance(0.7) {
		return tp.Department
	}
	return genDepartments[gen.pick(len(genDepartments))]
}

func (gen *generator) answer(p float64, lo, hi int) *int {
	if !gen.chance(p) {
		return nil
	}
	return ptr(lo + gen.pick(hi-lo+1))
}

func (gen *generator) maps() {
	a := sampleMap(gen.g.next())
	b := crm.TouchpointMap{ID: gen.g.next(), Name: "Second", CreatedAt: genStart, UpdatedAt: genStart, Version: 1}
	for i, d := range genDepartments {
		b.Touchpoints = append(b.Touchpoints, crm.Touchpoint{
			Key: fmt.Sprintf("b%d", i), Name: "Touchpoint " + d, Department: d,
			Channel: []crm.Channel{crm.ChannelBranch, crm.ChannelSelfService, "", "Kiosk"}[i%4],
			Phase:   []crm.Phase{crm.PhaseRenewal, "", crm.PhaseSupport, "Zz-custom"}[i%4],
			Standards: crm.ServiceStandards{AnswerWithin: time.Duration(i) * time.Minute,
				MinCSAT: i % 6, ResolveWithin: time.Duration(i%3) * 24 * time.Hour},
		})
	}
	b.Touchpoints = append(b.Touchpoints, crm.Touchpoint{Key: "web", Name: "Same key as in the first map", Parent: "b1"})
	unused := crm.TouchpointMap{ID: gen.g.next(), Name: "Unused", Touchpoints: []crm.Touchpoint{{Key: "web", Name: "Web"}}, Version: 1}
	gen.d.maps = []crm.TouchpointMap{a, b, unused}
	for _, m := range gen.d.maps[:2] {
		rs, err := m.Resolve()
		if err != nil {
			panic(err)
		}
		gen.tps = append(gen.tps, rs...)
	}
}

func (gen *generator) customers() {
	owner := gen.g.next()
	for range genCustomers {
		c := sampleCustomer(gen.g.next(), owner)
		c.CreatedAt = gen.between(genStart.AddDate(0, 0, -30), genEnd.AddDate(0, 0, 5))
		if gen.chance(0.05) {
			c.CreatedAt = genMarks[gen.pick(len(genMarks))]
		}
		c.UpdatedAt = c.CreatedAt
		gen.d.customers = append(gen.d.customers, c)
	}
}

func (gen *generator) customer() crm.Customer { return gen.d.customers[gen.pick(len(gen.d.customers))] }

func (gen *generator) cases() {
	statuses := crm.CaseMachine().States()
	kinds := []crm.CaseKind{crm.Complaint, crm.Request, crm.Incident, crm.Question}
	for range genCases {
		tp := gen.tps[gen.pick(len(gen.tps))]
		opened := gen.instant()
		c := crm.Case{ID: gen.g.next(), Customer: gen.customer().ID, Kind: kinds[gen.pick(len(kinds))], Subject: "Generated",
			Status: crm.CaseOpened, Map: tp.Map, Touchpoint: tp.Key, Channel: tp.Channel, Phase: tp.Phase,
			Department: gen.department(tp), OpenedAt: opened, ResolveWithin: tp.Standards.ResolveWithin,
			CreatedAt: opened, UpdatedAt: opened, Version: 1, OpenedDay: businessDay(opened)}
		if gen.chance(0.5) {
			c.PromisedBy = opened.Add(time.Duration(1+gen.pick(96)) * time.Hour)
		}
		first := c
		c.Status = statuses[gen.pick(len(statuses))]
		c.Handoffs, c.Contacts = gen.pick(5), gen.pick(6)
		if c.Status != crm.CaseOpened && c.Status != crm.CaseInProgress {
			c.ResolvedAt = opened.Add(time.Duration(gen.r.Int64N(int64(10*24*time.Hour/time.Microsecond))) * time.Microsecond)
			c.Resolution = "Done"
			c.ResolveBreached = c.ResolveWithin > 0 && c.TimeToResolution() > c.ResolveWithin
			c.PromiseBroken = !c.PromisedBy.IsZero() && c.ResolvedAt.After(c.PromisedBy)
		}
		switch c.Status {
		case crm.CaseReopened:
			c.Reopens, c.ResolvedAt = 1+gen.pick(2), time.Time{}
		case crm.CaseClosed:
			c.ClosedAt = c.ResolvedAt.Add(time.Hour)
		}
		c.PromiseBroken = c.PromiseBroken || (c.ResolvedAt.IsZero() && !c.PromisedBy.IsZero() && gen.chance(0.3))
		if gen.chance(0.3) {
			// Stored as opened, then updated: the statistics count the
			// update, department included.
			c.Department, c.Version, c.UpdatedAt = gen.department(tp), 2, opened.Add(time.Hour)
			gen.d.opened = append(gen.d.opened, first)
		}
		gen.d.cases = append(gen.d.cases, c)
	}
}

func (gen *generator) interactions() {
	for _, c := range gen.d.customers {
		var last time.Time
		for i := range gen.pick(genMaxInteractions + 1) {
			t := gen.instant()
			if i > 0 && gen.chance(0.15) {
				t = last // two contacts at once: the NPS per respondent takes the later ID
			}
			gen.interaction(c.ID, t)
			last = t
		}
	}
}

// businessDay is the day a CRM in Tokyo gives t, for half the records
// (those at an even hour); the others have none and count on their UTC
// day, as records written before the business calendar do.
func businessDay(t time.Time) crm.Date {
	if t.Hour()%2 != 0 {
		return crm.Date{}
	}
	return crm.DateOf(t.In(time.FixedZone("JST", 9*3600)))
}

func (gen *generator) interaction(customer crm.ID, t time.Time) {
	tp := gen.tps[gen.pick(len(gen.tps))]
	in := crm.Interaction{
		ID: gen.g.next(), Customer: customer, Map: tp.Map, Touchpoint: tp.Key, At: t, Direction: crm.Inbound,
		Department: gen.department(tp), Channel: tp.Channel, Medium: tp.Medium, Phase: tp.Phase,
		Wait:       time.Duration(gen.r.Int64N(int64(10*time.Minute/time.Microsecond))) * time.Microsecond,
		Handle:     time.Duration(gen.r.Int64N(int64(30*time.Minute/time.Microsecond))) * time.Microsecond,
		Resolved:   gen.chance(0.5),
		Sentiment:  crm.Sentiment(gen.pick(5) - 2),
		Survey:     crm.Survey{NPS: gen.answer(0.4, 0, 10), CSAT: gen.answer(0.4, 1, 5), CES: gen.answer(0.3, 1, 7)},
		RecordedAt: t.Add(time.Duration(gen.pick(3600)) * time.Second),
		Day:        businessDay(t),
	}
	if gen.chance(0.3) {
		in.Direction = crm.Outbound
	}
	if in.Survey != (crm.Survey{}) {
		in.SurveyKind = crm.TransactionalSurvey
		if gen.chance(0.3) {
			in.SurveyKind = crm.RelationshipSurvey
		}
	}
	for range []int{0, 0, 0, 0, 1, 1, 2, 4}[gen.pick(8)] {
		in.Transfers = append(in.Transfers, crm.Transfer{From: genDepartments[gen.pick(6)], To: genDepartments[gen.pick(6)]})
	}
	in.AnswerBreached = tp.Standards.AnswerWithin > 0 && in.Wait > tp.Standards.AnswerWithin
	in.CSATBreached = tp.Standards.MinCSAT > 0 && in.Survey.CSAT != nil && *in.Survey.CSAT < tp.Standards.MinCSAT
	if gen.chance(0.5) {
		in.IdempotencyKey = "gen " + in.ID.String()
	}
	if gen.chance(0.2) {
		in.Case = gen.d.cases[gen.pick(len(gen.d.cases))].ID
	}
	in.RequestHash = crm.Hash(sha256.Sum256(in.ID[:]))
	gen.d.interactions = append(gen.d.interactions, in)
}

// moves walks each customer up and down the ladder by the ladder's own
// transitions, several moves sometimes at one instant as Apply makes
// them, and adds contacts exactly at the edges of the moments-of-truth
// window before some moves.
func (gen *generator) moves() {
	ladder := crm.LoyaltyLadder()
	kinds := map[crm.LadderEvent]crm.EvidenceKind{crm.Rise: crm.EvidenceExperience, crm.Slide: crm.EvidenceExperience,
		crm.Fall: crm.EvidenceBrokenPromise, crm.Churn: crm.EvidenceChurn, crm.WinBack: crm.EvidencePurchase}
	for _, c := range gen.d.customers {
		stage, t := ladder.Initial(), c.CreatedAt
		if t.Before(genStart) {
			t = genStart
		}
		for range gen.pick(genMaxMoves + 1) {
			if !gen.chance(0.25) {
				t = t.Add(time.Duration(gen.r.Int64N(int64(20*24*time.Hour/time.Microsecond))) * time.Microsecond)
			}
			events := ladder.Events(stage)
			event := events[gen.pick(len(events))]
			to, err := ladder.Next(stage, event)
			if err != nil {
				panic(err)
			}
			ev := crm.Evidence{ID: gen.g.next(), Customer: c.ID, Kind: kinds[event], At: t, Survey: crm.Survey{NPS: gen.answer(0.3, 0, 10)}}
			// Most evidence is at a touchpoint; every fifth piece is not (a
			// fading score, a churn recorded by hand), and its move is no
			// moment of truth. Taken by count, not from the random source,
			// so that the rest of the data stays as it was.
			if n := len(gen.d.moves); n%5 != 4 {
				tp := gen.tps[n%len(gen.tps)]
				ev.Map, ev.Touchpoint = tp.Map, tp.Key
			} else if event == crm.Slide {
				ev.Kind = "fading"
			}
			m := crm.LadderMove{ID: gen.g.next(), Customer: c.ID, At: t, From: stage, To: to, Event: event,
				ScoreBefore: gen.r.Int64N(200_000) - 100_000, ScoreAfter: gen.r.Int64N(200_000) - 100_000, Evidence: ev.Ref(), Reason: string(event)}
			gen.d.moves = append(gen.d.moves, m)
			stage = to
			if gen.chance(0.1) {
				week := 7 * 24 * time.Hour
				for _, d := range []time.Duration{0, -week, -week - time.Microsecond, time.Microsecond} {
					gen.interaction(c.ID, t.Add(d))
				}
			}
		}
	}
}

// store inserts the dataset through the repositories, in batches and in
// random order, so that neither the order of insertion nor the
// transaction a row came in is the order of IDs.
func (d *dataset) store(t *testing.T, s crm.Store, seed uint64) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 1))
	insertAll(t, s, insertMap, d.maps...)
	insertShuffled(t, s, r, func(tx crm.Tx, c crm.Customer) error { return tx.Customers().Insert(context.Background(), c) }, d.customers)
	var first []crm.Case
	for _, c := range d.cases {
		if c.Version == 1 {
			first = append(first, c)
		}
	}
	insertShuffled(t, s, r, insertCase, append(first, d.opened...))
	insertShuffled(t, s, r, caseVersions.update, slices.DeleteFunc(slices.Clone(d.cases), func(c crm.Case) bool { return c.Version == 1 }))
	insertShuffled(t, s, r, insertInteraction, d.interactions)
	insertShuffled(t, s, r, appendMove, d.moves)
}

// insertShuffled inserts vs in random order, genBatch to a transaction.
func insertShuffled[T any](t *testing.T, s crm.Store, r *rand.Rand, insert func(crm.Tx, T) error, vs []T) {
	t.Helper()
	vs = slices.Clone(vs)
	r.Shuffle(len(vs), func(i, j int) { vs[i], vs[j] = vs[j], vs[i] })
	for batch := range slices.Chunk(vs, genBatch) {
		insertAll(t, s, insert, batch...)
	}
	require.NotEmpty(t, vs)
}
