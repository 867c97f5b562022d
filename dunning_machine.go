package crm

import (
	"fmt"
	"strings"
	"time"
)

// DunningState is where an invoice stands in its dunning: not dunned yet
// (none), at one of the rules' levels (its name), on hold at one of them
// (the level's name with "_paused", or none_paused), settled, or exempt.
type DunningState string

// The dunning states that do not depend on the rules' levels.
const (
	DunningNone    DunningState = "none"    // overdue, or about to be, and no notice yet
	DunningSettled DunningState = "settled" // nothing is open on the invoice any more: no more notices
	DunningExempt  DunningState = "exempt"  // the invoice charges another's fees and interest and is never dunned
)

// pausedSuffix ends the name of a paused state.
const pausedSuffix = "_paused"

// Paused reports whether the state is a hold.
func (s DunningState) Paused() bool { return strings.HasSuffix(string(s), pausedSuffix) }

// pausedAt returns the hold of a state.
func pausedAt(s DunningState) DunningState { return s + pausedSuffix }

// DunningEvent is a move of the dunning machine.
type DunningEvent string

// The dunning moves.
const (
	DunningEscalate   DunningEvent = "escalate"    // to the next level
	DunningPause      DunningEvent = "pause"       // a hold, with a reason
	DunningResume     DunningEvent = "resume"      // the hold is lifted
	DunningSettle     DunningEvent = "settle"      // nothing is open on the invoice
	DunningReopen     DunningEvent = "reopen"      // the invoice is open again
	DunningMarkExempt DunningEvent = "mark_exempt" // the invoice charges another's dunning
)

// Machine returns the dunning machine of the rules: the transition table
// of an invoice's dunning, one state per level, so that the diagram shows
// the rules' own steps. It returns the error of Check for rules that
// cannot work.
//
//	none --escalate--> level 1 --escalate--> level 2 ... --escalate--> last level
//	none, each level --pause--> its paused state --resume--> back
//	every state but exempt --settle--> settled --reopen--> none
//	none --mark_exempt--> exempt
func (r DunningRules) Machine() (*Machine[DunningState, DunningEvent], error) {
	if err := r.Check(); err != nil {
		return nil, err
	}
	type row = Transition[DunningState, DunningEvent]
	const (
		run     = "the dunning run (Receivables.Dun) of finance, an admin, or whoever may bill the customer"
		holder  = "finance, an admin, or a manager of the customer's team, with the reason"
		settled = "nothing is open on the invoice any more: paid, credited, written off or cancelled"
	)
	var rows []row
	at := []DunningState{DunningNone}
	for i, l := range r.Levels {
		from := at[len(at)-1]
		when := fmt.Sprintf("the invoice is %d days overdue and still open", l.AfterDays)
		if i > 0 {
			when += fmt.Sprintf(", %d days or more after the last notice", r.MinGapDays)
		}
		rows = append(rows, row{From: from, Event: DunningEscalate, To: DunningState(l.Name), Who: run, When: when,
			Why: "one level at a time: each notice follows the one before, so the customer was told in order" + l.charges()})
		at = append(at, DunningState(l.Name))
	}
	for _, s := range at {
		rows = append(rows,
			row{From: s, Event: DunningPause, To: pausedAt(s), Who: holder, When: "the customer disputes the invoice, or a payment plan is agreed",
				Why: "no notices while a dispute is on hold (SAP's dunning block)"},
			row{From: pausedAt(s), Event: DunningResume, To: s, Who: holder, When: "the dispute is over",
				Why: "dunning goes on at the level it was at; the next notice waits the gap from today"})
	}
	for _, s := range at {
		rows = append(rows, row{From: s, Event: DunningSettle, To: DunningSettled, Who: run, When: settled, Why: "no reminders for invoices that are settled"},
			row{From: pausedAt(s), Event: DunningSettle, To: DunningSettled, Who: run, When: settled, Why: "a settled dispute needs no hold"})
	}
	rows = append(rows,
		row{From: DunningSettled, Event: DunningReopen, To: DunningNone, Who: run, When: "the invoice is open again, a payment reversed say",
			Why: "what is owed again is dunned again, from the first level; fees already charged are not charged twice"},
		row{From: DunningNone, Event: DunningMarkExempt, To: DunningExempt, Who: run, When: "the invoice charges another invoice's dunning fees and interest",
			Why: "no fee on a fee and no interest on interest"})
	return NewMachine("dunning", DunningNone, rows...)
}

// charges says what reaching the level charges, for the machine's table.
func (l DunningLevel) charges() string {
	var parts []string
	for _, f := range l.Fees {
		parts = append(parts, f.String())
	}
	s := ""
	if len(parts) > 0 {
		s = "; charges a fee of " + strings.Join(parts, " or ")
	}
	if l.InterestRate.IsPositive() {
		s += "; charges interest at " + l.InterestRate.Shift(2).String() + "% a year"
	}
	return s
}

// DunningRecord is an invoice's dunning: its state in the dunning
// machine, the level it reached, and what it was charged. It is kept per
// invoice (Invoice is its key) and changes only through the machine's
// moves, each recorded as an event.
type DunningRecord struct {
	Invoice         ID           `json:"invoice,omitzero"`
	Customer        ID           `json:"customer,omitzero"`
	State           DunningState `json:"state,omitempty"`
	Level           int          `json:"level"`                               // the level reached, from 1; 0 for none. A hold keeps it
	LevelName       string       `json:"level_name,omitempty" privacy:"none"` // its name when it was reached
	Since           Date         `json:"since,omitzero"`                      // the day the record entered its state
	Due             Date         `json:"due,omitzero"`                        // the invoice's due date
	Charged         int          `json:"charged"`                             // the highest level whose fees and interest were charged
	InterestThrough Date         `json:"interest_through,omitzero"`           // the last day interest was charged for; zero for none
	ChargesFor      ID           `json:"charges_for,omitzero"`                // for an exempt invoice: the invoice whose dunning it charges
	Note            string       `json:"note,omitempty" privacy:"personal"`   // why the last move was made: a hold's reason, say
	UpdatedAt       time.Time    `json:"updated_at,omitzero"`
	UpdatedBy       ID           `json:"updated_by,omitzero"`
	Version         int64        `json:"version"`
}

// Active reports whether the record may still move on its own: it is
// neither settled nor exempt.
func (r DunningRecord) Active() bool { return r.State != DunningSettled && r.State != DunningExempt }

// DunningFilter selects dunning records; zero fields match everything.
type DunningFilter struct {
	Customer ID   `json:"customer,omitzero"`
	Active   bool `json:"active,omitempty"` // only records neither settled nor exempt
}

// Match reports whether r passes the filter.
func (f DunningFilter) Match(r DunningRecord) bool {
	return (f.Customer.IsZero() || r.Customer == f.Customer) && (!f.Active || r.Active())
}
