package crm

import (
	"cmp"
	"math/big"
	"slices"
	"time"

	"github.com/crmkit/crm/internal/wide"

	"github.com/shopspring/decimal"
)

// SalesQuery selects the deals of a pipeline, optionally of one owner or
// one team, and a time range whose meaning depends on the question: when
// deals were created (cohort), closed (outcomes, by Deal.ClosingAt),
// expected or closed (forecast), or left a stage (velocity). Zero bounds
// are open.
type SalesQuery struct {
	Pipeline ID        `json:"pipeline,omitzero"`
	Owner    ID        `json:"owner,omitzero"`
	Team     string    `json:"team,omitempty"`
	From     time.Time `json:"from,omitzero"`
	To       time.Time `json:"to,omitzero"`
}

// Check reports a query the adapters cannot answer.
func (q SalesQuery) Check() error {
	if q.Pipeline.IsZero() {
		return errPipelineRequired()
	}
	return checkGrouping(q.From, q.To, ByTotal, PeriodAll)
}

// Match reports whether d is a deal of the query's pipeline, owner and
// team (the time range is the caller's).
func (q SalesQuery) Match(d Deal) bool {
	return d.Pipeline == q.Pipeline && (q.Owner.IsZero() || d.Owner == q.Owner) && (q.Team == "" || d.Team == q.Team)
}

// StageAmount is the open deals of a stage at one probability: the rows
// behind the funnel as it stands. Adapters group in the database; keeping
// probabilities apart keeps the weighted sums exact.
type StageAmount struct {
	Stage       string `json:"stage,omitempty"`
	Probability int    `json:"probability"`
	Deals       int64  `json:"deals"`
	AmountMinor int64  `json:"amount_minor"`
}

// ForecastAmount is the deals of a month, stage, probability and status:
// the rows behind the forecast. Open deals count in the month of their
// expected close date ("" when they have none), won deals in the month
// they closed, at their actual amount; lost deals are left out. From and
// To bound the month's date.
type ForecastAmount struct {
	Month       string     `json:"month,omitempty"`
	Stage       string     `json:"stage,omitempty"`
	Probability int        `json:"probability"`
	Status      DealStatus `json:"status,omitempty"`
	// Category is the deals' forecast category set by hand
	// (Deal.ForecastCategory), "" for those that follow their stage.
	Category    ForecastCategory `json:"category,omitempty"`
	Deals       int64            `json:"deals"`
	AmountMinor int64            `json:"amount_minor"`
}

// CohortCount is how many deals created in the range got as far as an
// open stage (Furthest), by status, and their amounts.
type CohortCount struct {
	Furthest    int        `json:"furthest"`
	Status      DealStatus `json:"status,omitempty"`
	Deals       int64      `json:"deals"`
	AmountMinor int64      `json:"amount_minor"`
}

// OutcomeCount is the deals closed in the range by status and lost
// reason, with their amounts and the time from creation to close. A deal
// closes at Deal.ClosingAt, on the business day it was won or lost,
// however late that was recorded.
type OutcomeCount struct {
	Status      DealStatus `json:"status,omitempty"`
	LostReason  LostReason `json:"lost_reason,omitempty"`
	Deals       int64      `json:"deals"`
	AmountMinor int64      `json:"amount_minor"`
	CycleMicros int64      `json:"cycle_micros"`
}

// StageTime is the time deals spent in a stage, over the visits that
// ended in the range.
type StageTime struct {
	Stage  string `json:"stage,omitempty"`
	Visits int64  `json:"visits"`
	Micros int64  `json:"micros"`
}

// The reference implementations of the sales rows: the memory adapter
// uses them, and the conformance suite checks every adapter against them.
// Rows come sorted by their fields in declaration order.

// ForecastDate is the date a deal counts on in the forecast: its
// expected close date while open, the business day it was won (its
// close date, or the UTC day of ClosedAt for a deal won without one);
// false for a lost deal, which the forecast leaves out.
func (d Deal) ForecastDate() (Date, bool) {
	switch d.Status {
	case DealOpen:
		return d.CloseDate, true
	case DealWon:
		return cmpOr(d.CloseDate, DateOf(d.ClosedAt.UTC())), true
	}
	return Date{}, false
}

// weigh returns amount times probability percent, exactly, in minor units
// with two more decimals.
func weigh(amountMinor int64, probability int) decimal.Decimal {
	return decimal.NewFromInt(amountMinor).Mul(decimal.NewFromInt(int64(probability))).Shift(-2)
}

// FunnelNow is the funnel as it stands: the open deals of each open stage,
// their value and their weighted value.
func (p Pipeline) FunnelNow(rows []StageAmount) Funnel {
	f := Funnel{Title: p.Name + ": open deals by stage", Pipeline: p.ID, Currency: p.Currency}
	var prev int64
	for i, s := range p.OpenStages() {
		fs := FunnelStage{Stage: s.Key, Name: s.Name}
		var value wide.Int
		weighted := decimal.Zero
		for _, r := range rows {
			if r.Stage == s.Key {
				fs.Deals += r.Deals
				value.Add(r.AmountMinor)
				weighted = weighted.Add(weigh(r.AmountMinor, r.Probability))
			}
		}
		fs.Value = moneyOf(value, p.Currency)
		fs.Weighted = MoneyFromBigMinor(weighted.RoundBank(0).BigInt(), p.Currency)
		fs.Rate = stageRate(i, fs.Deals, prev)
		prev = fs.Deals
		f.Stages = append(f.Stages, fs)
	}
	return f
}

func stageRate(i int, n, prev int64) float64 {
	switch {
	case i == 0:
		return 1
	case prev == 0:
		return 0
	}
	return float64(n) / float64(prev)
}

// CohortFunnel is the funnel of the deals created in a period: how many
// reached each open stage (a deal that skipped a stage passed it), and how
// many were won, with the conversion from each bar to the next.
func (p Pipeline) CohortFunnel(rows []CohortCount) Funnel {
	f := Funnel{Title: p.Name + ": how far the deals got", Pipeline: p.ID, Currency: p.Currency}
	var prev int64
	open := p.OpenStages()
	for i, s := range open {
		fs := FunnelStage{Stage: s.Key, Name: s.Name, Weighted: Zero(p.Currency)}
		var value wide.Int
		for _, r := range rows {
			if r.Furthest >= i+1 {
				fs.Deals += r.Deals
				value.Add(r.AmountMinor)
			}
		}
		fs.Value = moneyOf(value, p.Currency)
		fs.Rate = stageRate(i, fs.Deals, prev)
		prev = fs.Deals
		f.Stages = append(f.Stages, fs)
	}
	won, _ := p.Stage(p.closing(StageWon))
	fs := FunnelStage{Stage: won.Key, Name: won.Name, Weighted: Zero(p.Currency)}
	var value wide.Int
	for _, r := range rows {
		if r.Status == DealWon {
			fs.Deals += r.Deals
			value.Add(r.AmountMinor)
		}
	}
	fs.Value = moneyOf(value, p.Currency)
	fs.Rate = stageRate(len(open), fs.Deals, prev)
	f.Stages = append(f.Stages, fs)
	return f
}

// ForecastLine is the forecast of a period and category: the deals, their
// value, and their value weighted by probability. Won deals are in the
// closed category at their actual amount, weighted at 100%; lost deals are
// not in the forecast.
type ForecastLine struct {
	Month string `json:"month,omitempty"` // "2026-03" in a forecast by month, or "" for open deals without a close date or overdue
	// Period names the line's period: the month ("2026-03"), or the
	// fiscal quarter ("FY2027-Q1") or fiscal year ("FY2027") of the
	// business calendar; "" for open deals without a close date or
	// overdue.
	Period string `json:"period,omitempty"`
	// Overdue marks the line of the open deals whose expected close date
	// is in a period before the current one: they are counted here, not
	// in the past period they missed.
	Overdue  bool             `json:"overdue,omitempty"`
	Category ForecastCategory `json:"category,omitempty"`
	Deals    int64            `json:"deals"`
	Amount   Money            `json:"amount"`
	Weighted Money            `json:"weighted"`
}

// Forecast turns forecast rows into lines by month and category, in month
// order, then category in the order pipeline, best case, commit, closed;
// open deals stay in the month they are expected, past or not (see
// ForecastWith).
func (p Pipeline) Forecast(rows []ForecastAmount) []ForecastLine {
	return p.ForecastWith(rows, ForecastOptions{})
}

// SalesKPIs are the headline figures of a pipeline over a period.
type SalesKPIs struct {
	Won             int64           `json:"won"`
	Lost            int64           `json:"lost"`
	WinRate         float64         `json:"win_rate"`          // won / (won + lost), 0-1
	AverageDealSize Money           `json:"average_deal_size"` // of the won deals
	SalesCycle      time.Duration   `json:"sales_cycle_ns"`
	LostReasons     []ReasonCount   `json:"lost_reasons,omitempty"`
	StageVelocity   []StageVelocity `json:"stage_velocity,omitempty"` // the mean time spent in each stage, in pipeline order
}

// ReasonCount is how many deals were lost for a reason.
type ReasonCount struct {
	Reason LostReason `json:"reason,omitempty"`
	Deals  int64      `json:"deals"`
}

// StageVelocity is the mean time deals spent in a stage.
type StageVelocity struct {
	Stage   string        `json:"stage,omitempty"`
	Visits  int64         `json:"visits"`
	Average time.Duration `json:"average_ns"`
}

// KPIs turns outcome and stage-time rows into the headline figures.
func (p Pipeline) KPIs(outcomes []OutcomeCount, times []StageTime) SalesKPIs {
	k := SalesKPIs{AverageDealSize: Zero(p.Currency)}
	var wonMinor, cycle wide.Int
	for _, o := range outcomes {
		switch o.Status {
		case DealWon:
			k.Won += o.Deals
			wonMinor.Add(o.AmountMinor)
			cycle.Add(o.CycleMicros)
		case DealLost:
			k.Lost += o.Deals
			k.LostReasons = append(k.LostReasons, ReasonCount{Reason: o.LostReason, Deals: o.Deals})
		}
	}
	if k.Won+k.Lost > 0 {
		k.WinRate = float64(k.Won) / float64(k.Won+k.Lost)
	}
	if k.Won > 0 {
		k.AverageDealSize = moneyOf(wonMinor, p.Currency).per(k.Won)
		k.SalesCycle = time.Duration(new(big.Int).Quo(cycle.Big(), big.NewInt(k.Won)).Int64()) * time.Microsecond // a mean of times that fit
	}
	slices.SortStableFunc(k.LostReasons, func(a, b ReasonCount) int { return cmp.Compare(b.Deals, a.Deals) })
	for _, s := range p.Stages {
		for _, t := range times {
			if t.Stage == s.Key && t.Visits > 0 {
				k.StageVelocity = append(k.StageVelocity, StageVelocity{Stage: s.Key, Visits: t.Visits,
					Average: time.Duration(t.Micros/t.Visits) * time.Microsecond})
			}
		}
	}
	return k
}
