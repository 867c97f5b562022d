package crm

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// The rules that keep a pipeline's history honest: a win on the day it
// happened, a correction of a closed deal with a reason, the lost reasons
// a pipeline offers, and no open deal left in a stage that is gone.

// LostReasonOption is a lost reason a pipeline offers: the key deals
// record and the label people read.
type LostReasonOption struct {
	Key   LostReason `json:"key,omitempty"`
	Label string     `json:"label,omitempty" privacy:"none"`
}

// DefaultLostReasons returns the lost reasons of a pipeline that names
// none: those of Frappe CRM, the keys of LostReasons.
func DefaultLostReasons() []LostReasonOption {
	return []LostReasonOption{
		{LostPricing, "Pricing"}, {LostCompetition, "Competition"}, {LostBudget, "Budget constraints"},
		{LostMissingFeatures, "Missing features"}, {LostLongCycle, "Long sales cycle"},
		{LostNoDecisionMaker, "No decision-maker"}, {LostUnresponsive, "Unresponsive prospect"},
		{LostPoorFit, "Poor fit"}, {LostOther, "Other"},
	}
}

// LostReasonOptions returns the lost reasons the pipeline offers: its
// own, or DefaultLostReasons when it names none.
func (p Pipeline) LostReasonOptions() []LostReasonOption {
	if len(p.LostReasons) == 0 {
		return DefaultLostReasons()
	}
	return slices.Clone(p.LostReasons)
}

// offersLostReason reports whether reason is one of the pipeline's.
func (p Pipeline) offersLostReason(reason LostReason) bool {
	if len(p.LostReasons) == 0 {
		return slices.Contains(LostReasons(), reason)
	}
	return slices.ContainsFunc(p.LostReasons, func(o LostReasonOption) bool { return o.Key == reason })
}

// lostReasonKeys lists the keys of the pipeline's lost reasons, for an
// error that says which would do.
func (p Pipeline) lostReasonKeys() string {
	opts := p.LostReasonOptions()
	keys := make([]string, len(opts))
	for i, o := range opts {
		keys[i] = string(o.Key)
	}
	return strings.Join(keys, ", ")
}

// normalizeLostReasons checks the pipeline's own lost reasons: at most
// 100, well-formed unique keys, a label each; none is nil (the defaults).
func normalizeLostReasons(in []LostReasonOption) ([]LostReasonOption, error) {
	if len(in) == 0 {
		return nil, nil
	}
	if len(in) > 100 {
		return nil, invalid("lost_reasons", "max_count", "at most 100")
	}
	out := slices.Clone(in)
	for i := range out {
		field := fmt.Sprintf("lost_reasons[%d]", i)
		o := &out[i]
		if !validKey(string(o.Key)) {
			return nil, invalid(field+".key", "key", fmt.Sprintf("%q must be 1-64 of A-Z a-z 0-9 _ . -", truncate(string(o.Key), 70)))
		}
		if slices.IndexFunc(out, func(x LostReasonOption) bool { return x.Key == o.Key }) != i {
			return nil, invalid(field+".key", "unique", fmt.Sprintf("%q is used twice", o.Key))
		}
		var err error
		if o.Label, err = cleanText(field+".label", o.Label, maxShortTextLen, true); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// StageInUseError refuses to remove a stage that still holds open deals,
// unless the same command moves them to another stage
// (PipelinePatch.MoveDeals). It matches ErrInvalid with errors.Is.
type StageInUseError struct {
	Pipeline  ID     `json:"pipeline,omitzero"`
	Stage     string `json:"stage,omitempty"`
	OpenDeals int64  `json:"open_deals"`
}

// Error implements error.
func (e *StageInUseError) Error() string {
	return fmt.Sprintf("crm: stage %q still has %d open deals: move them (move_deals) before removing it", e.Stage, e.OpenDeals)
}

// Is makes the error match ErrInvalid.
func (e *StageInUseError) Is(target error) bool { return target == ErrInvalid }

// CorrectCloseRequest corrects a closed deal: the day it was won or lost
// (CloseDate; zero keeps it) and the actual amount (nil keeps it), for a
// Reason, which is required. IfVersion, when not zero, must be the deal's
// version.
type CorrectCloseRequest struct {
	Deal      ID     `json:"deal,omitzero"`
	CloseDate Date   `json:"close_date,omitzero"`
	Amount    *Money `json:"amount,omitempty"`
	Reason    string `json:"reason,omitempty"`
	IfVersion int64  `json:"if_version"`
}

// checkCloseDay refuses a close date, the input's field, that is not a
// calendar date, is after the business today, or before the business day
// the deal was created or entered the stage it closes from.
//
// A close before the deal's last stage move is refused rather than dated
// on the move's day: the history says the deal was still open and moved
// on that later day, so a win before it contradicts what was recorded,
// and dating it on another day than the one asked would count it in
// another period without a word. A close on the day of the move is
// dated after it (see closeInstant).
func checkCloseDay(field string, d *Deal, on Date, cal Calendar, now time.Time) error {
	switch {
	case !on.IsValid():
		return invalid(field, "calendar", "")
	case on.After(cal.DateOf(now)):
		return invalid(field, "not_future", fmt.Sprintf("%s is after today, %s", on, cal.DateOf(now)))
	case on.Before(cal.DateOf(d.CreatedAt)):
		return invalid(field, "after_created", fmt.Sprintf("%s is before the deal was created, on %s", on, cal.DateOf(d.CreatedAt)))
	}
	if v, ok := d.closingFrom(); ok && on.Before(cal.DateOf(v.Entered)) {
		return invalid(field, "after_stage_entered", fmt.Sprintf("%s is before the deal entered %s, on %s", on, v.Stage, cal.DateOf(v.Entered)))
	}
	return nil
}

// closingFrom is the visit of the stage the deal closes from: its current
// one while open, the one before its won or lost stage once closed; false
// when the history does not say.
func (d *Deal) closingFrom() (StageVisit, bool) {
	n := len(d.History)
	if d.Status != DealOpen {
		if n == 0 || d.History[n-1].Stage != d.Stage {
			return StageVisit{}, false
		}
		n--
	}
	if n == 0 {
		return StageVisit{}, false
	}
	return d.History[n-1], true
}

// closeInstant is the instant a close on the business day on counts at
// (Deal.ClosingAt): recorded, the moment the close was recorded, when
// that is on the day; now when the day is today; else the last
// microsecond of the day, so that the deal was in the stage it closes
// from all day, after any move recorded that day, and the funnel as of
// the end of the day (DealService.FunnelAsOf) shows it closed.
func closeInstant(on Date, recorded time.Time, cal Calendar, now time.Time) time.Time {
	switch {
	case cal.DateOf(recorded) == on:
		return recorded
	case cal.DateOf(now) == on:
		return now
	}
	return cal.Start(on.AddDays(1)).Add(-time.Microsecond).UTC() // instants are kept in UTC
}

// dateClose dates a closed deal's entry into its won or lost stage, and
// the end of the visit before, at: the stage history then tells the
// business day it closed.
func dateClose(d *Deal, at time.Time) {
	n := len(d.History)
	if n == 0 || d.History[n-1].Stage != d.Stage {
		return
	}
	d.History[n-1].Entered = at
	if n > 1 {
		d.History[n-2].Left = at
	}
}

// WinOn closes the deal as won at amount, as Win does, on the business
// day on of the calendar (zero: today at now): a win entered late counts
// on the day it happened, in the reports and in the stage history (see
// Deal.ClosingAt), while ClosedAt keeps the moment it was recorded. The
// day is neither after today, nor before the deal was created or entered
// its stage. On error the deal is unchanged.
func (f *DealFlow) WinOn(d *Deal, amount Money, on Date, cal Calendar, now time.Time) error {
	if _, err := dealMachine.Next(d.Status, DealWinEvent); err != nil {
		return err
	}
	on = cmpOr(on, cal.DateOf(now))
	if err := checkCloseDay("won_on", d, on, cal, now); err != nil {
		return err
	}
	if err := f.Win(d, amount, now); err != nil {
		return err
	}
	d.CloseDate = on
	dateClose(d, closeInstant(on, now, cal, now))
	return nil
}

// CorrectClose corrects a closed deal's close date (the day it was won or
// lost, within the bounds of WinOn), which moves its entry into the won
// or lost stage to that day (see Deal.ClosingAt), or its actual amount
// (positive for a won deal), for a reason. An open deal refuses with a
// *TransitionError; on error the deal is unchanged.
func (f *DealFlow) CorrectClose(d *Deal, r CorrectCloseRequest, cal Calendar, now time.Time) error {
	if _, err := dealMachine.Next(d.Status, DealCorrectEvent); err != nil {
		return err
	}
	if _, err := cleanText("reason", r.Reason, maxLongTextLen, true); err != nil {
		return err
	}
	if r.CloseDate.IsZero() && r.Amount == nil {
		return invalid("close_date", "required", "a correction changes the close date or the amount")
	}
	if !r.CloseDate.IsZero() {
		if err := checkCloseDay("close_date", d, r.CloseDate, cal, now); err != nil {
			return err
		}
	}
	amount := d.Amount
	if r.Amount != nil {
		amount = *r.Amount
		if err := f.checkAmount(amount); err != nil {
			return err
		}
		if d.Status == DealWon && !amount.IsPositive() {
			return invalid("amount", "positive", "a won deal has an amount")
		}
	}
	if !r.CloseDate.IsZero() {
		d.CloseDate = r.CloseDate
		dateClose(d, closeInstant(r.CloseDate, d.ClosedAt, cal, now))
	}
	d.Amount = amount
	return nil
}

// ReopenOn reopens a closed deal as Reopen does, then gives it the
// expected close date (zero: none; else not before the business today)
// and the probability set by hand (nil: the stage's) the request names.
// On error the deal is unchanged.
func (f *DealFlow) ReopenOn(d *Deal, r ReopenDealRequest, cal Calendar, now time.Time) error {
	if _, err := dealMachine.Next(d.Status, DealReopenEvent); err != nil {
		return err
	}
	if !r.CloseDate.IsZero() {
		switch today := cal.DateOf(now); {
		case !r.CloseDate.IsValid():
			return invalid("close_date", "calendar", "")
		case r.CloseDate.Before(today):
			return invalid("close_date", "not_past", fmt.Sprintf("%s is before today, %s", r.CloseDate, today))
		}
	}
	if err := checkProbability(r.Probability); err != nil {
		return err
	}
	if err := f.Reopen(d, now); err != nil {
		return err
	}
	d.CloseDate, d.ManualProbability = r.CloseDate, r.Probability
	f.settle(d, f.index[d.Stage])
	return nil
}

// Relocate takes an open deal out of a stage that is no longer an open
// stage of the pipeline into its open stage to, with a stage visit, whatever the stage machine
// allows: the stage it is in is gone. A hand-set probability is reset, as
// by any stage change.
func (f *DealFlow) Relocate(d *Deal, to string, at time.Time) error {
	if d.Status != DealOpen {
		_, err := dealMachine.Next(d.Status, DealMoveStage)
		return err
	}
	i, ok := f.index[to]
	if !ok || f.p.Stages[i].Type != StageOpen {
		return invalid("move_deals", "open_stage", fmt.Sprintf("%q is not an open stage of the pipeline", to))
	}
	if j, ok := f.index[d.Stage]; ok && f.p.Stages[j].Type == StageOpen {
		return invalid("move_deals", "removed", fmt.Sprintf("the deal's stage %q is still an open stage of the pipeline", d.Stage))
	}
	d.Furthest = min(d.Furthest, f.open)
	f.enter(d, i, at)
	return nil
}
