package crm

import (
	"crypto/sha256"
	"time"

	"github.com/crmkit/crm/internal/wide"
	"github.com/shopspring/decimal"
)

// Quota is what a rep (Owner) or a team (Team) is to win in a pipeline
// over a fiscal period, in the pipeline's currency. There is one quota
// per pipeline, holder and period, whose ID is QuotaID of them; setting it
// again makes its next version, with the reason and who set it.
type Quota struct {
	ID        ID           `json:"id,omitzero"`
	Pipeline  ID           `json:"pipeline,omitzero"`
	Owner     ID           `json:"owner,omitzero"`                // a rep's quota; zero for a team's
	Team      string       `json:"team,omitempty" privacy:"none"` // a team's quota; "" for a rep's
	Period    FiscalPeriod `json:"period"`
	Amount    Money        `json:"amount"`
	Reason    string       `json:"reason,omitempty" privacy:"none"` // why it was last set
	SetBy     ID           `json:"set_by,omitzero"`                 // who last set it
	CreatedAt time.Time    `json:"created_at,omitzero"`
	UpdatedAt time.Time    `json:"updated_at,omitzero"`
	Version   int64        `json:"version"`
}

// QuotaID is the ID of the quota of a pipeline, holder (an owner, or a
// team) and period: a name-based UUID (version 8) of them, so that two
// writers setting the same quota at once insert the same record and one
// of them conflicts.
func QuotaID(pipeline, owner ID, team string, p FiscalPeriod) ID {
	h := sha256.New()
	h.Write(pipeline[:])
	h.Write(owner[:])
	h.Write([]byte(p.String() + "\x00" + team))
	var id ID
	copy(id[:], h.Sum(nil))
	id[6] = id[6]&0x0f | 0x80 // version 8
	id[8] = id[8]&0x3f | 0x80 // RFC 9562 variant
	return id
}

// SetQuotaRequest sets the quota of Owner (a rep) or Team in Pipeline for
// Period to Amount, in the pipeline's currency; zero is a quota of
// nothing, whose attainment has no value. IfVersion, when not zero, is the
// version the setter read (0 for a quota not yet set is not checked).
type SetQuotaRequest struct {
	Pipeline  ID           `json:"pipeline,omitzero"`
	Owner     ID           `json:"owner,omitzero"`
	Team      string       `json:"team,omitempty"`
	Period    FiscalPeriod `json:"period"`
	Amount    Money        `json:"amount"`
	Reason    string       `json:"reason,omitempty"`
	IfVersion int64        `json:"if_version"`
}

// check refuses a request that names no one or both, no period, or an
// amount that is negative or not in the pipeline's currency.
func (r SetQuotaRequest) check(p Pipeline) (SetQuotaRequest, error) {
	var err error
	if r.Team, err = cleanText("team", r.Team, maxShortTextLen, false); err != nil {
		return r, err
	}
	if r.Reason, err = cleanText("reason", r.Reason, maxLongTextLen, false); err != nil {
		return r, err
	}
	switch {
	case r.Owner.IsZero() == (r.Team == ""):
		return r, invalid("owner", "one_of", "a quota is a rep's (owner) or a team's, not both")
	case r.Period.IsZero():
		return r, invalid("period", "required", "")
	}
	if err := r.Period.check(); err != nil {
		return r, err
	}
	if r.Amount.Currency() != p.Currency {
		return r, &CurrencyMismatchError{Op: "quota", Left: p.Currency, Right: r.Amount.Currency()}
	}
	if r.Amount.IsNegative() {
		return r, invalid("amount", "non_negative", "")
	}
	_, err = minorWithin("amount", r.Amount)
	return r, err
}

// QuotaFilter selects quotas; zero fields match everything.
type QuotaFilter struct {
	Pipeline ID           `json:"pipeline,omitzero"`
	Period   FiscalPeriod `json:"period"`
	Owner    ID           `json:"owner,omitzero"`
	Team     string       `json:"team,omitempty"`
}

// Match reports whether q passes the filter.
func (f QuotaFilter) Match(q Quota) bool {
	return (f.Pipeline.IsZero() || q.Pipeline == f.Pipeline) && (f.Period.IsZero() || q.Period == f.Period) &&
		(f.Owner.IsZero() || q.Owner == f.Owner) && (f.Team == "" || q.Team == f.Team)
}

// AttainmentQuery asks how far the quotas of a pipeline and fiscal period
// are attained: everyone's, a rep's (Owner), or a team's (Team: the
// team's quota and those of its members).
type AttainmentQuery struct {
	Pipeline ID           `json:"pipeline,omitzero"`
	Period   FiscalPeriod `json:"period"`
	Owner    ID           `json:"owner,omitzero"`
	Team     string       `json:"team,omitempty"`
}

// Attainment is a quota against what its holder won in the period: the
// deals won on a day of the period (their forecast date, as the forecast
// counts them), a rep's by owner and a team's by the deals' team.
type Attainment struct {
	Quota Quota `json:"quota"`
	Won   Money `json:"won"`
	Deals int64 `json:"deals"`
	// Percent is Won over the quota's amount, in percent to two
	// decimals (past 100 when the quota is beaten); nil, "no value",
	// when the quota is zero.
	Percent *float64 `json:"percent"`
}

// AttainmentReport is the attainment of the quotas of a period, team
// quotas first, then reps', each in ID order.
type AttainmentReport struct {
	Query AttainmentQuery `json:"query"`
	From  Date            `json:"from,omitzero"` // the period's first day
	To    Date            `json:"to,omitzero"`   // the day after its last
	Lines []Attainment    `json:"lines,omitempty"`
}

// Attain returns the attainment of q from the rows of the deals won in
// its period (ForecastAmount rows, of which only the won count).
func (q Quota) Attain(rows []ForecastAmount) Attainment {
	a := Attainment{Quota: q}
	var won wide.Int
	for _, r := range rows {
		if r.Status == DealWon {
			a.Deals += r.Deals
			won.Add(r.AmountMinor)
		}
	}
	a.Won = moneyOf(won, q.Amount.Currency())
	if q.Amount.IsPositive() {
		pct, _ := a.Won.Amount().Mul(decimal.NewFromInt(100)).DivRound(q.Amount.Amount(), 2).Float64()
		a.Percent = &pct
	}
	return a
}
