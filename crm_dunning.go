package crm

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/shopspring/decimal"
)

// DunningMachine returns the machine of the CRM's dunning rules
// (WithDunningRules, DefaultDunningRules otherwise), for its Mermaid or
// DOT diagram. It is immutable.
func (c *ReceivableService) DunningMachine() *Machine[DunningState, DunningEvent] {
	return c.dunningMachine
}

// DunningRun asks for a dunning run as of AsOf (today when zero, never a
// later day) that changes at most Limit invoices (0 means 100; at most
// MaxPageSize).
type DunningRun struct {
	AsOf  Date `json:"as_of,omitzero"`
	Limit int  `json:"limit"`
}

// DunningMove is a move a dunning run made on an invoice.
type DunningMove struct {
	Invoice     ID           `json:"invoice,omitzero"`
	Customer    ID           `json:"customer,omitzero"`
	Event       DunningEvent `json:"event,omitempty"`
	From        DunningState `json:"from,omitempty"`
	To          DunningState `json:"to,omitempty"`
	Level       int          `json:"level"`
	DaysOverdue int          `json:"days_overdue"`
	Open        Money        `json:"open"`             // what was open on the invoice; zero when it is settled
	Charges     ID           `json:"charges,omitzero"` // the invoice of fees and interest the move issued, if any
}

// DunningResult is what a dunning run did: its moves, the invoices of
// fees and interest it issued, the ladder moves that the levels reached
// caused, and whether more invoices wait for another run (More: the run stopped
// at its limit).
type DunningResult struct {
	AsOf    Date          `json:"as_of,omitzero"`
	Moves   []DunningMove `json:"moves,omitempty"`
	Charges []Invoice     `json:"charges,omitempty"`
	Ladder  []LadderMove  `json:"ladder,omitempty"`
	More    bool          `json:"more,omitempty"`
}

// Dun runs the dunning machine over the receivables as of a day, in one
// transaction: first it settles the dunning of every invoice with nothing
// open any more, then it moves each overdue open invoice up one level when
// the next level is due (see DunningRules), oldest due date first; an
// invoice paid again after a reversal is reopened and dunned again. A
// level with a fee or interest issues an invoice of them, as IssueInvoice
// does; each level reached is evidence on the customer's loyalty ladder
// (EvidenceReminded, the last EvidenceDunned, which weighs most; off with
// FactEvidence.Dunning). An invoice moves one level a run, so run it
// daily: a run after a long pause sends a 60-days-overdue invoice its
// reminder, not its final notice. Each move is an event.
//
// A run is idempotent: run again on the same day, it changes nothing, as
// each notice waits MinGapDays (at least a day) for the next. It is
// bounded: it changes at most run.Limit invoices and says whether more
// remain (run it again until More is false). Runs may race, from many
// app servers: each invoice moves once, and is charged once. A run as of
// an earlier day leaves alone what a run as of a later day moved.
//
// The actor must be allowed to bill customers (finance and admins by the
// default policy; a rep or a manager is refused with a *ForbiddenError);
// an actor whose billing is limited to some customers duns theirs only.
func (c *ReceivableService) Dun(ctx context.Context, actor ID, run DunningRun) (DunningResult, error) {
	if run.Limit < 0 || run.Limit > MaxPageSize {
		return DunningResult{}, invalid("limit", "range", fmt.Sprintf("0-%d invoices (0 means 100)", MaxPageSize))
	}
	limit := PageRequest{Limit: run.Limit}.Normalized().Limit
	var out DunningResult
	err := c.write(ctx, actor, func(w *writeTx) error {
		asOf := cmpOr(run.AsOf, w.today())
		switch {
		case !asOf.IsValid():
			return invalid("as_of", "calendar", "")
		case asOf.After(w.today()):
			return invalid("as_of", "not_future", "a run is as of today or an earlier day")
		}
		// May the actor bill anyone? Asked of a customer of their own, in
		// their team: the narrowest grant of billing says yes to it.
		if err := w.authorize(ActionBill, Target{Kind: KindCustomer, Owner: w.actor.ID, Team: w.actor.Team}); err != nil {
			return err
		}
		d := &dunningRun{w: w, rules: c.dunning, machine: c.dunningMachine, asOf: asOf, limit: limit, bills: map[ID]bool{}}
		if err := d.run(); err != nil {
			return err
		}
		out = d.out
		out.AsOf, out.Ladder = asOf, w.moves
		return nil
	})
	return out, err
}

// dunningRun is one run in its transaction.
type dunningRun struct {
	w       *writeTx
	rules   DunningRules
	machine *Machine[DunningState, DunningEvent]
	asOf    Date
	limit   int                  // how many invoices the run may change
	changed int                  // how many it changed
	bills   map[ID]bool          // whether the actor may bill each customer met
	open    map[ID]OpenItem      // the invoices open as of the run's day
	active  map[ID]DunningRecord // the records still dunning whose invoice is open
	out     DunningResult
}

// run settles, then escalates, until the limit.
func (d *dunningRun) run() error {
	items, err := d.w.tx.Ledger().OpenItems(d.w.ctx, ID{}, d.asOf)
	if err != nil {
		return err
	}
	d.open, d.active = map[ID]OpenItem{}, map[ID]DunningRecord{}
	var overdue []OpenItem
	for _, it := range items {
		if it.Account != AccountReceivable || !it.Open.IsPositive() {
			continue
		}
		d.open[it.Item] = it
		if d.asOf.DaysSince(it.Due) >= d.rules.Levels[0].AfterDays {
			overdue = append(overdue, it)
		}
	}
	if err := d.settleAll(); err != nil || d.out.More {
		return err
	}
	slices.SortFunc(overdue, func(a, b OpenItem) int { return cmp.Or(a.Due.Compare(b.Due), a.Item.Compare(b.Item)) })
	for _, it := range overdue {
		rec, err := d.record(it)
		if err != nil {
			return err
		}
		if ok, err := d.movable(rec); err != nil {
			return err
		} else if !ok {
			continue
		}
		reopen, escalate := rec.State == DunningSettled, d.escalates(rec)
		if !reopen && !escalate {
			continue
		}
		if !d.room() {
			return nil
		}
		if reopen {
			if rec, err = d.move(rec, DunningReopen, DunningReopened, it.Open, "open again"); err != nil {
				return err
			}
			escalate = d.escalates(rec)
		}
		if escalate {
			if err := d.escalate(rec, it); err != nil {
				return err
			}
		}
	}
	return nil
}

// settleAll settles the dunning of every invoice with nothing open, and
// keeps the other records still dunning for the escalations.
func (d *dunningRun) settleAll() error {
	page := PageRequest{Limit: MaxPageSize}
	for {
		recs, err := d.w.tx.Dunning().List(d.w.ctx, DunningFilter{Active: true}, page)
		if err != nil {
			return err
		}
		for _, rec := range recs {
			if _, open := d.open[rec.Invoice]; open {
				d.active[rec.Invoice] = rec
				continue
			}
			if ok, err := d.movable(rec); err != nil || !ok {
				if err != nil {
					return err
				}
				continue
			}
			if !d.room() {
				return nil
			}
			note := fmt.Sprintf("nothing open as of %s", d.asOf)
			if _, err := d.move(rec, DunningSettle, DunningSettledEvent, Money{}, note); err != nil {
				return err
			}
		}
		if len(recs) < page.Limit {
			return nil
		}
		page.After = recs[len(recs)-1].Invoice
	}
}

// room reports whether the run may change one more invoice, counting it;
// when it may not, more wait for another run.
func (d *dunningRun) room() bool {
	if d.changed >= d.limit {
		d.out.More = true
		return false
	}
	d.changed++
	return true
}

// movable reports whether the run may move a record: the actor may bill
// its customer, and no run as of a later day moved it (a run as of an
// earlier day does not undo what a later one did).
func (d *dunningRun) movable(rec DunningRecord) (bool, error) {
	if rec.Since.After(d.asOf) {
		return false, nil
	}
	return d.mayBill(rec.Customer)
}

// record returns the dunning record of an open invoice, or a new one at
// none.
func (d *dunningRun) record(it OpenItem) (DunningRecord, error) {
	if rec, ok := d.active[it.Item]; ok {
		return rec, nil
	}
	rec, err := d.w.tx.Dunning().Get(d.w.ctx, it.Item)
	if errors.Is(err, ErrNotFound) {
		return DunningRecord{Invoice: it.Item, Customer: it.Customer, State: DunningNone, Due: it.Due}, nil
	}
	return rec, err
}

// mayBill reports whether the actor may bill a customer, asking once.
func (d *dunningRun) mayBill(customer ID) (bool, error) {
	if ok, asked := d.bills[customer]; asked {
		return ok, nil
	}
	cu, err := d.w.tx.Customers().Get(d.w.ctx, customer)
	if err != nil {
		return false, err
	}
	d.bills[customer] = d.w.authorize(ActionBill, cu.target()) == nil
	return d.bills[customer], nil
}

// escalates reports whether the record's next level is due: the record is
// not on hold, there is a next level, the invoice is overdue by its days,
// and, after a first notice, the last move was MinGapDays ago or more.
func (d *dunningRun) escalates(rec DunningRecord) bool {
	if rec.State.Paused() || !rec.Active() {
		return false
	}
	next, ok := d.rules.next(rec.Level)
	return ok && d.asOf.DaysSince(rec.Due) >= next.AfterDays && (rec.Level == 0 || d.asOf.DaysSince(rec.Since) >= d.rules.MinGapDays)
}

// escalate moves the record up a level, charges the level's fees and
// interest once, and weighs the level on the customer's ladder: the last
// as EvidenceDunned, those before it as EvidenceReminded.
func (d *dunningRun) escalate(rec DunningRecord, it OpenItem) error {
	n := rec.Level + 1
	level := d.rules.Levels[n-1]
	var charges ID
	if n > rec.Charged {
		inv, through, err := d.charge(rec, it, n, level)
		if err != nil {
			return err
		}
		rec.Charged, charges = n, inv.ID
		if !through.IsZero() {
			rec.InterestThrough = through
		}
		if !inv.ID.IsZero() {
			d.out.Charges = append(d.out.Charges, inv)
		}
	}
	before := rec.State
	rec, err := d.save(rec, DunningEscalate, DunningEscalated, it.Open, "", charges)
	if err != nil {
		return err
	}
	d.out.Moves = append(d.out.Moves, DunningMove{Invoice: rec.Invoice, Customer: rec.Customer, Event: DunningEscalate, From: before, To: rec.State,
		Level: n, DaysOverdue: d.asOf.DaysSince(rec.Due), Open: it.Open, Charges: charges})
	if !d.w.crm.facts.Dunning {
		return nil
	}
	kind := EvidenceDunned
	if n < len(d.rules.Levels) {
		kind = EvidenceReminded
	}
	return d.w.weigh(Evidence{Customer: rec.Customer, Kind: kind, At: d.w.now, Source: KindDunning, SourceID: rec.Invoice,
		Note: fmt.Sprintf("%s on invoice %s, %d days overdue, %s open", level.Name, rec.Invoice, d.asOf.DaysSince(rec.Due), it.Open)})
}

// charge issues the invoice of a level's fee and interest, through the
// path of IssueInvoice, and marks it exempt from dunning. It returns the
// invoice (zero when the level charges nothing in the invoice's currency)
// and the day interest was charged to (zero when none was).
func (d *dunningRun) charge(rec DunningRecord, it OpenItem, n int, level DunningLevel) (Invoice, Date, error) {
	dunned, err := d.w.tx.Invoices().Get(d.w.ctx, rec.Invoice)
	if err != nil {
		return Invoice{}, Date{}, err
	}
	name := cmpOr(dunned.Number, dunned.ID.String())
	one := decimal.NewFromInt(1)
	var lines []InvoiceLine
	if fee, ok := level.Fee(it.Open.Currency()); ok {
		lines = append(lines, InvoiceLine{Description: fmt.Sprintf("dunning fee, %s, invoice %s", level.Name, name), Quantity: one, UnitPrice: fee})
	}
	from := later(rec.Due, rec.InterestThrough)
	owed, days, err := interest(it.Open, level.InterestRate, from, d.asOf)
	if err != nil {
		return Invoice{}, Date{}, err
	}
	var through Date
	if owed.IsPositive() {
		through = d.asOf
		lines = append(lines, InvoiceLine{Description: fmt.Sprintf("interest at %s%% a year on %s for %d days overdue (%s to %s), invoice %s",
			level.InterestRate.Shift(2), it.Open, days, from.AddDays(1), d.asOf, name), Quantity: one, UnitPrice: owed})
	}
	if len(lines) == 0 {
		return Invoice{}, Date{}, nil
	}
	n2 := NewInvoice{Customer: rec.Customer, Currency: it.Open.Currency(), Issued: d.asOf, Due: d.asOf.AddDays(d.rules.FeeDueDays), Lines: lines}
	key := "dunning/" + rec.Invoice.String() + "/" + strconv.Itoa(n)
	inv, _, err := d.w.issueInvoice(n2, key, n2)
	if err != nil {
		return Invoice{}, Date{}, err
	}
	exempt := DunningRecord{Invoice: inv.ID, Customer: inv.Customer, State: DunningNone, Due: inv.Due, ChargesFor: rec.Invoice}
	if _, err := d.w.saveDunning(d.machine, exempt, DunningMarkExempt, DunningExempted, Money{}, "charges the dunning of invoice "+name, ID{}, d.asOf); err != nil {
		return Invoice{}, Date{}, err
	}
	return inv, through, nil
}

// move makes a move other than an escalation and reports it.
func (d *dunningRun) move(rec DunningRecord, event DunningEvent, typ EventType, open Money, note string) (DunningRecord, error) {
	before := rec.State
	rec, err := d.save(rec, event, typ, open, note, ID{})
	if err != nil {
		return rec, err
	}
	d.out.Moves = append(d.out.Moves, DunningMove{Invoice: rec.Invoice, Customer: rec.Customer, Event: event, From: before, To: rec.State,
		Level: rec.Level, DaysOverdue: max(d.asOf.DaysSince(rec.Due), 0), Open: open})
	return rec, nil
}

func (d *dunningRun) save(rec DunningRecord, event DunningEvent, typ EventType, open Money, note string, charges ID) (DunningRecord, error) {
	return d.w.saveDunning(d.machine, rec, event, typ, open, note, charges, d.asOf)
}

// dunningState is where the record stands in the machine of the current
// rules: a level the rules no longer have by the name it was reached
// under is taken as the level of its number (the last level, when the
// rules have fewer).
func dunningState(rules DunningRules, rec DunningRecord) DunningState {
	if !rec.Active() || rec.Level == 0 {
		return rec.State
	}
	s := DunningState(rules.Levels[min(rec.Level, len(rules.Levels))-1].Name)
	if rec.State.Paused() {
		return pausedAt(s)
	}
	return s
}

// saveDunning moves a dunning record through the machine as of a day,
// stores it as its next version and records the move's event.
func (w *writeTx) saveDunning(m *Machine[DunningState, DunningEvent], rec DunningRecord, event DunningEvent, typ EventType, open Money,
	note string, charges ID, asOf Date) (DunningRecord, error) {
	from := dunningState(w.crm.dunning, rec)
	to, err := m.Next(from, event)
	if err != nil {
		return rec, err
	}
	switch event {
	case DunningEscalate:
		rec.Level, rec.LevelName = rec.Level+1, string(to)
	case DunningReopen:
		rec.Level, rec.LevelName = 0, ""
	}
	rec.State, rec.Since, rec.Note = to, asOf, note
	rec.UpdatedAt, rec.UpdatedBy, rec.Version = w.now, w.actor.ID, rec.Version+1
	if err := w.tx.Dunning().Upsert(w.ctx, rec); err != nil {
		return rec, err
	}
	return rec, w.record(typ, KindDunning, rec.Invoice, rec.Version, dunningEvent{Customer: rec.Customer, Move: event, From: from, To: to,
		Level: rec.Level, LevelName: rec.LevelName, AsOf: asOf, Open: open, Charges: idText(charges), Note: note})
}

// dunningEvent is the payload of the dunning events.
type dunningEvent struct {
	Customer  ID           `json:"customer"`
	Move      DunningEvent `json:"move"`
	From      DunningState `json:"from"`
	To        DunningState `json:"to"`
	Level     int          `json:"level"`
	LevelName string       `json:"level_name,omitempty"`
	AsOf      Date         `json:"as_of"`
	Open      Money        `json:"open,omitzero"`
	Charges   string       `json:"charges,omitempty"`
	Note      string       `json:"note,omitempty"`
}
