package crm

import (
	"fmt"
	"time"
)

// PoolRule is the public pool of Chinese sales CRMs (公海): a customer
// whose owner has not followed them up for IdleDays goes back to a pool
// of their team, owned by nobody, where any rep of the team may claim
// them. Its reasoning: a rep who holds more customers than they work
// keeps the others from anyone who would; a customer nobody calls is
// being lost, and the sooner another rep takes them on, the less so.
// The rule is off by default (IdleDays 0): a company turns it on, with
// WithPublicPool, when it wants its reps to compete for neglected
// accounts rather than keep them.
//
// "Followed up" is an activity the owner logged with the customer (a
// call, a visit, an e-mail, a task; logged by them or on their behalf).
// The clock starts again at every such activity, and at every change to
// the customer's record (creation, a reassignment, a claim, an edit), so
// that a customer just given to a rep is not taken from them before they
// had IdleDays to call. Days are business days of the CRM's calendar,
// from the start of the day in its time zone: with IdleDays 30, a
// customer last followed up on 1 March is idle from the start of 31
// March, wherever the server runs.
type PoolRule struct {
	IdleDays int `json:"idle_days"` // 0 turns the rule off
}

// WithPublicPool turns the public pool on (default: off; see PoolRule).
func WithPublicPool(r PoolRule) Option { return func(o *options) { o.pool = r } }

// maxPoolDays bounds IdleDays to ten years: a longer rule is a typo.
const maxPoolDays = 3660

// Check refuses a negative or absurdly long rule.
func (r PoolRule) Check() error {
	if r.IdleDays < 0 || r.IdleDays > maxPoolDays {
		return invalid("idle_days", "range", fmt.Sprintf("%d is not 0 (off) to %d days", r.IdleDays, maxPoolDays))
	}
	return nil
}

// On reports whether the rule is on.
func (r PoolRule) On() bool { return r.IdleDays > 0 }

// Cutoff is the instant before which a customer's last follow-up (and
// last change) leaves them idle at now: the start, by the calendar, of
// the business day IdleDays before today. It is the zero time when the
// rule is off.
func (r PoolRule) Cutoff(cal Calendar, now time.Time) time.Time {
	if !r.On() {
		return time.Time{}
	}
	return cal.Start(cal.DateOf(now).AddDays(-r.IdleDays))
}

// Idle reports whether a customer last followed up (or changed) at last
// is idle at now: the rule is on and last is before the cutoff.
func (r PoolRule) Idle(cal Calendar, now, last time.Time) bool {
	return r.On() && last.Before(r.Cutoff(cal, now))
}

// PoolReport is what a sweep of the public pool did: how many customers
// it returned to their team's pool, and the first MaxHandOverItems of
// them, each with the owner it was taken from.
type PoolReport struct {
	Cutoff    time.Time      `json:"cutoff,omitzero"` // customers not followed up since before it were returned
	Returned  int            `json:"returned"`
	Customers []PooledRecord `json:"customers,omitempty"`
}

// PooledRecord is a customer a sweep returned to the pool.
type PooledRecord struct {
	Customer ID     `json:"customer,omitzero"`
	Name     string `json:"name,omitempty"`
	Owner    ID     `json:"owner,omitzero"` // the owner it was taken from
	Team     string `json:"team,omitempty"` // the team whose pool it is in
}

// ClaimCustomerRequest takes Customer from the public pool for the actor,
// for Reason.
type ClaimCustomerRequest struct {
	Customer ID     `json:"customer,omitzero"`
	Reason   string `json:"reason,omitempty"`
}
