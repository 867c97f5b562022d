package memory

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/internal/wide"
	"github.com/shopspring/decimal"
)

// dealColumns keeps a summary row of every committed deal, by pipeline,
// current as deals are committed: what the funnel, forecast, cohort and
// KPI rows read, with the group each deal adds to in each of them worked
// out when the deal is saved, so that a report walks flat slices of the
// pipeline it asks about and adds up only the rows it returns.
type dealColumns struct {
	at        map[crm.ID]dealSlot
	pipelines map[crm.ID]*pipelineColumns
	owners    map[crm.ID]int32
	teams     map[string]int32
}

// dealSlot is where a deal's summary row is.
type dealSlot struct {
	pipeline *pipelineColumns
	i        int32
}

// instant is a time as seconds and nanoseconds since 1970, which compare
// as the times do.
type instant struct {
	sec  int64
	nsec int32
}

func instantOf(t time.Time) instant { return instant{t.Unix(), int32(t.Nanosecond())} }

func (a instant) before(b instant) bool { return a.sec < b.sec || (a.sec == b.sec && a.nsec < b.nsec) }

// timeSpan is a query's range [from, to), zero bounds open, as storekit's
// inRange reads it.
type timeSpan struct {
	from, to       instant
	hasFrom, hasTo bool
}

func timeSpanOf(from, to time.Time) timeSpan {
	return timeSpan{instantOf(from), instantOf(to), !from.IsZero(), !to.IsZero()}
}

func (s timeSpan) open() bool { return !s.hasFrom && !s.hasTo }

func (s timeSpan) has(t instant) bool {
	return s.open() || ((!s.hasFrom || !t.before(s.from)) && (!s.hasTo || t.before(s.to)))
}

// pipelineColumns are the summary rows of a pipeline's deals: one slot a
// deal, a group of -1 where the deal is not in a kind of rows; and the
// stage visits that ended, flat, with the slot of their deal (-1 once the
// deal changed and its visits were added again).
type pipelineColumns struct {
	owner, team []int32
	amount      []int64
	stage       []int32 // open deals: group in stageKeys
	forecast    []int32 // open and won deals: group in forecastKeys
	forecastDay []instant
	undated     []bool  // in the forecast without a date
	cohort      []int32 // group in cohortKeys
	created     []instant
	outcome     []int32 // closed deals: group in outcomeKeys
	closing     []instant
	cycle       []int64 // microseconds from creation to close
	visits      [][2]int32

	visitDeal   []int32
	visitStage  []int32
	visitLeft   []instant
	visitMicros []int64
	dead        int // visits of deals that changed since

	stageKeys    groups[crm.StageAmount]
	forecastKeys groups[crm.ForecastAmount]
	cohortKeys   groups[crm.CohortCount]
	outcomeKeys  groups[crm.OutcomeCount]
	stageNames   groups[string]
}

// groups numbers the distinct keys of a kind of rows.
type groups[K comparable] struct {
	keys []K
	at   map[K]int32
}

func (g *groups[K]) of(k K) int32 {
	if i, ok := g.at[k]; ok {
		return i
	}
	if g.at == nil {
		g.at = map[K]int32{}
	}
	g.at[k] = int32(len(g.keys))
	g.keys = append(g.keys, k)
	return int32(len(g.keys) - 1)
}

func newDealColumns() *dealColumns {
	return &dealColumns{at: map[crm.ID]dealSlot{}, pipelines: map[crm.ID]*pipelineColumns{}, owners: map[crm.ID]int32{}, teams: map[string]int32{}}
}

func dictOf[K comparable](m map[K]int32, k K) int32 {
	if i, ok := m[k]; ok {
		return i
	}
	m[k] = int32(len(m))
	return m[k]
}

// put records a committed deal's summary row.
func (x *dealColumns) put(d crm.Deal) {
	s, ok := x.at[d.ID]
	if ok && s.pipeline != x.pipelines[d.Pipeline] {
		s.pipeline.clear(s.i) // moved to another pipeline: a new slot there
		ok = false
	}
	if !ok {
		p := x.pipelines[d.Pipeline]
		if p == nil {
			p = &pipelineColumns{}
			x.pipelines[d.Pipeline] = p
		}
		s = dealSlot{p, p.grow()}
		x.at[d.ID] = s
	}
	s.pipeline.set(s.i, &d, dictOf(x.owners, d.Owner), dictOf(x.teams, d.Team))
}

// grow adds an empty slot.
func (p *pipelineColumns) grow() int32 {
	p.owner, p.team, p.amount = append(p.owner, -1), append(p.team, -1), append(p.amount, 0)
	p.stage, p.forecast, p.forecastDay, p.undated = append(p.stage, -1), append(p.forecast, -1), append(p.forecastDay, instant{}), append(p.undated, false)
	p.cohort, p.created, p.outcome, p.closing, p.cycle = append(p.cohort, -1), append(p.created, instant{}), append(p.outcome, -1), append(p.closing, instant{}), append(p.cycle, 0)
	p.visits = append(p.visits, [2]int32{})
	return int32(len(p.owner) - 1)
}

// clear takes slot i out of every kind of rows.
func (p *pipelineColumns) clear(i int32) {
	p.stage[i], p.forecast[i], p.cohort[i], p.outcome[i] = -1, -1, -1, -1
	v := p.visits[i]
	for j := v[0]; j < v[0]+v[1]; j++ {
		p.visitDeal[j] = -1
	}
	p.dead += int(v[1])
	p.visits[i] = [2]int32{}
}

// set writes deal d's summary row into slot i, as storekit's
// SalesAggregator.Add groups the deal.
func (p *pipelineColumns) set(i int32, d *crm.Deal, owner, team int32) {
	p.clear(i)
	p.owner[i], p.team[i] = owner, team
	p.amount[i], _ = d.Amount.Minor()
	if d.Status == crm.DealOpen {
		p.stage[i] = p.stageKeys.of(crm.StageAmount{Stage: d.Stage, Probability: d.Probability})
	}
	if day, ok := d.ForecastDate(); ok {
		month := ""
		if !day.IsZero() {
			month = fmt.Sprintf("%04d-%02d", day.Year, int(day.Month))
			p.forecastDay[i] = instantOf(day.In(time.UTC))
		}
		p.undated[i] = day.IsZero()
		p.forecast[i] = p.forecastKeys.of(crm.ForecastAmount{Month: month, Stage: d.Stage, Probability: d.Probability, Status: d.Status, Category: d.ForecastCategory})
	}
	p.cohort[i], p.created[i] = p.cohortKeys.of(crm.CohortCount{Furthest: d.Furthest, Status: d.Status}), instantOf(d.CreatedAt)
	if d.Status != crm.DealOpen {
		at := d.ClosingAt()
		p.outcome[i] = p.outcomeKeys.of(crm.OutcomeCount{Status: d.Status, LostReason: d.LostReason})
		p.closing[i], p.cycle[i] = instantOf(at), at.Sub(d.CreatedAt).Microseconds()
	}
	if p.dead > 1024 && p.dead > len(p.visitDeal)/2 {
		p.compact()
	}
	start := int32(len(p.visitDeal))
	for _, v := range d.History {
		if v.Left.IsZero() {
			continue
		}
		p.visitDeal = append(p.visitDeal, i)
		p.visitStage = append(p.visitStage, p.stageNames.of(v.Stage))
		p.visitLeft = append(p.visitLeft, instantOf(v.Left))
		p.visitMicros = append(p.visitMicros, v.Left.Sub(v.Entered).Microseconds())
	}
	p.visits[i] = [2]int32{start, int32(len(p.visitDeal)) - start}
}

// compact drops the visits of deals that changed since they were added.
func (p *pipelineColumns) compact() {
	n := int32(0)
	for j, deal := range p.visitDeal {
		if deal < 0 {
			continue
		}
		if v := &p.visits[deal]; v[0] == int32(j) {
			v[0] = n // a deal's visits are together, and stay so
		}
		p.visitDeal[n], p.visitStage[n], p.visitLeft[n], p.visitMicros[n] = deal, p.visitStage[j], p.visitLeft[j], p.visitMicros[j]
		n++
	}
	p.visitDeal, p.visitStage, p.visitLeft, p.visitMicros = p.visitDeal[:n], p.visitStage[:n], p.visitLeft[:n], p.visitMicros[:n]
	p.dead = 0
}

// ownerTeam is a query's owner and team as the columns number them.
type ownerTeam struct {
	owner, team int32 // -1 for any
	none        bool  // an owner or team no deal has
}

func (x *dealColumns) filterOf(q crm.SalesQuery) ownerTeam {
	f := ownerTeam{owner: -1, team: -1}
	var ok bool
	if !q.Owner.IsZero() {
		f.owner, ok = x.owners[q.Owner]
		f.none = f.none || !ok
	}
	if q.Team != "" {
		f.team, ok = x.teams[q.Team]
		f.none = f.none || !ok
	}
	return f
}

func (p *pipelineColumns) match(f ownerTeam, i int) bool {
	return f.any() || ((f.owner < 0 || p.owner[i] == f.owner) && (f.team < 0 || p.team[i] == f.team))
}

// any reports whether the query keeps to no owner or team: the columns
// of owners and teams need not be read.
func (f ownerTeam) any() bool { return f.owner < 0 && f.team < 0 }

// groupSums adds up each group's deals and amounts (and a second sum).
type groupSums struct {
	deals []int64
	sum   [2][]wide.Int
}

func newGroupSums(n int) groupSums {
	return groupSums{deals: make([]int64, n), sum: [2][]wide.Int{make([]wide.Int, n), make([]wide.Int, n)}}
}

// groupRows returns the rows of the groups with deals, with their counts and
// sums set by set (which fails with a *crm.OverflowError for a sum that
// does not fit), sorted by order.
func groupRows[R any](keys []R, s groupSums, set func(r *R, deals int64, sums [2]wide.Int) error, order func(a, b R) int) ([]R, error) {
	out := []R{}
	for g, r := range keys {
		if s.deals[g] == 0 {
			continue
		}
		if err := set(&r, s.deals[g], [2]wide.Int{s.sum[0][g], s.sum[1][g]}); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	slices.SortFunc(out, order)
	return out, nil
}

// fitTo sets *dst to x, or fails with a *crm.OverflowError naming field.
func fitTo(dst *int64, field string, x wide.Int) error {
	v, ok := x.Int64()
	if !ok {
		return &crm.OverflowError{Field: field, Minor: decimal.NewFromBigInt(x.Big(), 0)}
	}
	*dst = v
	return nil
}

// stageAmounts is storekit's SalesAggregator.StageAmounts from the columns.
func (p *pipelineColumns) stageAmounts(f ownerTeam) ([]crm.StageAmount, error) {
	s := newGroupSums(len(p.stageKeys.keys))
	for i, g := range p.stage {
		if g >= 0 && p.match(f, i) {
			s.deals[g]++
			s.sum[0][g].Add(p.amount[i])
		}
	}
	return groupRows(p.stageKeys.keys, s, func(r *crm.StageAmount, n int64, x [2]wide.Int) error {
		r.Deals = n
		return fitTo(&r.AmountMinor, "amount_minor", x[0])
	}, func(x, y crm.StageAmount) int {
		return cmp.Or(cmp.Compare(x.Stage, y.Stage), cmp.Compare(x.Probability, y.Probability))
	})
}

// forecast is storekit's SalesAggregator.Forecast from the columns.
func (p *pipelineColumns) forecastRows(f ownerTeam, r timeSpan) ([]crm.ForecastAmount, error) {
	s := newGroupSums(len(p.forecastKeys.keys))
	for i, g := range p.forecast {
		switch {
		case g < 0 || !p.match(f, i):
		case p.undated[i] && !r.open():
		case !p.undated[i] && !r.has(p.forecastDay[i]):
		default:
			s.deals[g]++
			s.sum[0][g].Add(p.amount[i])
		}
	}
	return groupRows(p.forecastKeys.keys, s, func(r *crm.ForecastAmount, n int64, x [2]wide.Int) error {
		r.Deals = n
		return fitTo(&r.AmountMinor, "amount_minor", x[0])
	}, func(x, y crm.ForecastAmount) int {
		return cmp.Or(cmp.Compare(x.Month, y.Month), cmp.Compare(x.Stage, y.Stage),
			cmp.Compare(x.Probability, y.Probability), cmp.Compare(x.Status, y.Status), cmp.Compare(x.Category, y.Category))
	})
}

// cohortRows is storekit's SalesAggregator.Cohort from the columns.
func (p *pipelineColumns) cohortRows(f ownerTeam, r timeSpan) ([]crm.CohortCount, error) {
	s := newGroupSums(len(p.cohortKeys.keys))
	for i, g := range p.cohort {
		if g >= 0 && p.match(f, i) && r.has(p.created[i]) {
			s.deals[g]++
			s.sum[0][g].Add(p.amount[i])
		}
	}
	return groupRows(p.cohortKeys.keys, s, func(r *crm.CohortCount, n int64, x [2]wide.Int) error {
		r.Deals = n
		return fitTo(&r.AmountMinor, "amount_minor", x[0])
	}, func(x, y crm.CohortCount) int {
		return cmp.Or(cmp.Compare(x.Furthest, y.Furthest), cmp.Compare(x.Status, y.Status))
	})
}

// outcomeRows is storekit's SalesAggregator.Outcomes from the columns.
func (p *pipelineColumns) outcomeRows(f ownerTeam, r timeSpan) ([]crm.OutcomeCount, error) {
	s := newGroupSums(len(p.outcomeKeys.keys))
	for i, g := range p.outcome {
		if g >= 0 && p.match(f, i) && r.has(p.closing[i]) {
			s.deals[g]++
			s.sum[0][g].Add(p.amount[i])
			s.sum[1][g].Add(p.cycle[i])
		}
	}
	return groupRows(p.outcomeKeys.keys, s, func(r *crm.OutcomeCount, n int64, x [2]wide.Int) error {
		r.Deals = n
		if err := fitTo(&r.AmountMinor, "amount_minor", x[0]); err != nil {
			return err
		}
		return fitTo(&r.CycleMicros, "cycle_micros", x[1])
	}, func(x, y crm.OutcomeCount) int {
		return cmp.Or(cmp.Compare(x.Status, y.Status), cmp.Compare(x.LostReason, y.LostReason))
	})
}

// stageTimes is storekit's SalesAggregator.StageTimes from the columns.
func (p *pipelineColumns) stageTimes(f ownerTeam, r timeSpan) ([]crm.StageTime, error) {
	s := newGroupSums(len(p.stageNames.keys))
	for j, deal := range p.visitDeal {
		if deal >= 0 && p.match(f, int(deal)) && r.has(p.visitLeft[j]) {
			g := p.visitStage[j]
			s.deals[g]++
			s.sum[0][g].Add(p.visitMicros[j])
		}
	}
	out := []crm.StageTime{}
	for g, name := range p.stageNames.keys {
		if s.deals[g] == 0 {
			continue
		}
		t := crm.StageTime{Stage: name, Visits: s.deals[g]}
		if err := fitTo(&t.Micros, "micros", s.sum[0][g]); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	slices.SortFunc(out, func(x, y crm.StageTime) int { return cmp.Compare(x.Stage, y.Stage) })
	return out, nil
}

// untouched reports whether the transaction wrote no row of the table.
func (o *overlay[T]) untouched() bool { return o == nil || len(o.dirty) == 0 }
