package crm

import (
	"fmt"
	"slices"
	"time"
)

// DealStatus is whether a deal is open, won or lost.
type DealStatus string

// The deal statuses.
const (
	DealOpen DealStatus = "open"
	DealWon  DealStatus = "won"
	DealLost DealStatus = "lost"
)

// DealEvent is a move of the deal machine.
type DealEvent string

// The deal moves. DealMoveStage is a move between open stages; which ones
// are allowed is the pipeline's StageMachine.
const (
	DealMoveStage   DealEvent = "move"
	DealWinEvent    DealEvent = DealWin
	DealLoseEvent   DealEvent = DealLose
	DealReopenEvent DealEvent = DealReopen
	// DealUpdateEvent changes an open deal's title, amount or expected
	// close date.
	DealUpdateEvent DealEvent = "update"
	// DealProbabilityEvent sets or clears an open deal's probability by
	// hand.
	DealProbabilityEvent DealEvent = "set_probability"
	// DealCorrectEvent corrects a closed deal's close date or actual
	// amount, with a reason (CorrectCloseRequest).
	DealCorrectEvent DealEvent = "correct"
)

var dealMachine = mustMachine("deal", DealOpen,
	Transition[DealStatus, DealEvent]{From: DealOpen, Event: DealMoveStage, To: DealOpen,
		Who: "the deal's owner, a manager of the team, or an admin", When: "the deal progresses, as the pipeline's stage machine allows",
		Why: "the stage says how likely the deal is to close and what it still needs"},
	Transition[DealStatus, DealEvent]{From: DealOpen, Event: DealUpdateEvent, To: DealOpen,
		Who: "the deal's owner, a manager of the team, or an admin", When: "the title, amount or expected close date changes",
		Why: "a closed deal's figures are history: they change only by a correction"},
	Transition[DealStatus, DealEvent]{From: DealOpen, Event: DealProbabilityEvent, To: DealOpen,
		Who: "the deal's owner, a manager of the team, or an admin", When: "the owner knows better than the stage; the next stage change resets it",
		Why: "a won deal is 100 and a lost one 0, whatever was set by hand"},
	Transition[DealStatus, DealEvent]{From: DealOpen, Event: DealWinEvent, To: DealWon,
		Who: "the deal's owner or a manager", When: "the customer signs", Why: "a won deal makes a customer and counts at its actual amount"},
	Transition[DealStatus, DealEvent]{From: DealOpen, Event: DealLoseEvent, To: DealLost,
		Who: "the deal's owner or a manager", When: "the customer says no; a reason is required", Why: "lost reasons show what to fix"},
	Transition[DealStatus, DealEvent]{From: DealWon, Event: DealReopenEvent, To: DealOpen,
		Who: "a manager or an admin", When: "the signature falls through", Why: "the history keeps the earlier win"},
	Transition[DealStatus, DealEvent]{From: DealLost, Event: DealReopenEvent, To: DealOpen,
		Who: "a manager or an admin", When: "the customer comes back", Why: "the history keeps the earlier loss and its reason"},
	Transition[DealStatus, DealEvent]{From: DealWon, Event: DealCorrectEvent, To: DealWon,
		Who: "a manager of the team or an admin", When: "the win was recorded late or at the wrong amount; a reason is required",
		Why: "reports count a win on the day it happened, at what was signed"},
	Transition[DealStatus, DealEvent]{From: DealLost, Event: DealCorrectEvent, To: DealLost,
		Who: "a manager of the team or an admin", When: "the loss was recorded late; a reason is required",
		Why: "reports count a loss on the day it happened"},
)

// DealMachine returns the state machine of a deal's status. It is
// immutable.
func DealMachine() *Machine[DealStatus, DealEvent] { return dealMachine }

// LostReason says why a deal was lost: one of its pipeline's
// LostReasonOptions, by default the reasons of Frappe CRM below.
type LostReason string

// The default lost reasons.
const (
	LostPricing         LostReason = "pricing"
	LostCompetition     LostReason = "competition"
	LostBudget          LostReason = "budget_constraints"
	LostMissingFeatures LostReason = "missing_features"
	LostLongCycle       LostReason = "long_sales_cycle"
	LostNoDecisionMaker LostReason = "no_decision_maker"
	LostUnresponsive    LostReason = "unresponsive_prospect"
	LostPoorFit         LostReason = "poor_fit"
	LostOther           LostReason = "other"
)

// LostReasons lists the keys of the default lost reasons
// (DefaultLostReasons); a pipeline may offer its own
// (Pipeline.LostReasons).
func LostReasons() []LostReason {
	return []LostReason{LostPricing, LostCompetition, LostBudget, LostMissingFeatures, LostLongCycle,
		LostNoDecisionMaker, LostUnresponsive, LostPoorFit, LostOther}
}

// StageVisit is a stretch of time a deal spent in a stage; Left is zero
// for the stage it is in.
type StageVisit struct {
	Stage   string    `json:"stage" privacy:"none"`
	Entered time.Time `json:"entered,omitzero"`
	Left    time.Time `json:"left,omitzero"`
}

// Duration is how long the visit lasted, up to now for the current one.
func (v StageVisit) Duration(now time.Time) time.Duration {
	return cmpOr(v.Left, now).Sub(v.Entered)
}

// Deal is a chance to sell to a customer, moving through a pipeline. Its
// probability is its stage's unless set by hand; as in Salesforce, a
// stage change (a move, a win, a loss, a reopening) resets a hand-set
// probability to the new stage's, and won deals are always 100, lost
// deals 0. A closed deal's close date is the day it was won or lost; it
// changes only by a correction (DealService.CorrectClose).
type Deal struct {
	ID                ID         `json:"id,omitzero"`
	Pipeline          ID         `json:"pipeline,omitzero"`
	Customer          ID         `json:"customer,omitzero"`
	Owner             ID         `json:"owner,omitzero"`
	Team              string     `json:"team,omitempty" privacy:"none"`
	Title             string     `json:"title,omitempty" privacy:"personal"`
	Amount            Money      `json:"amount"`
	CloseDate         Date       `json:"close_date,omitzero"` // expected, or actual once closed
	Stage             string     `json:"stage,omitempty" privacy:"none"`
	Status            DealStatus `json:"status,omitempty"`
	Probability       int        `json:"probability"`                  // the effective probability, percent
	ManualProbability *int       `json:"manual_probability,omitempty"` // set by hand; nil follows the stage
	Campaign          ID         `json:"campaign,omitzero"`            // the campaign the deal came from, if any
	// ForecastCategory, when set by hand, is the forecast category of an
	// open deal instead of its stage's; "" follows the stage. A stage
	// change clears it, as the new stage's category applies.
	ForecastCategory ForecastCategory `json:"forecast_category,omitempty"`
	LostReason       LostReason       `json:"lost_reason,omitempty"`
	LostNotes        string           `json:"lost_notes,omitempty" privacy:"personal"`
	History          []StageVisit     `json:"history,omitempty" privacy:"none"`
	Furthest         int              `json:"furthest"`                  // the furthest open stage reached, counted from 1; a won deal has passed them all
	Activities       int              `json:"activities"`                // activities logged on the deal
	LastActivityAt   time.Time        `json:"last_activity_at,omitzero"` // zero before the first
	CreatedAt        time.Time        `json:"created_at,omitzero"`
	UpdatedAt        time.Time        `json:"updated_at,omitzero"`
	ClosedAt         time.Time        `json:"closed_at,omitzero"` // when the close was recorded, zero while open; reports date it by ClosingAt
	Version          int64            `json:"version"`
}

// Clone returns a deep copy.
func (d Deal) Clone() Deal {
	d.History = slices.Clone(d.History)
	if d.ManualProbability != nil {
		p := *d.ManualProbability
		d.ManualProbability = &p
	}
	return d
}

// StageEnteredAt is when the deal entered its current stage.
func (d Deal) StageEnteredAt() time.Time {
	if len(d.History) == 0 {
		return d.CreatedAt
	}
	return d.History[len(d.History)-1].Entered
}

// DealFlow is a pipeline compiled for moving deals: its stage machine and
// stage index. It is immutable and safe for concurrent use; a move with it
// does not allocate beyond the deal's history.
type DealFlow struct {
	p       Pipeline
	stages  *Machine[string, string]
	index   map[string]int
	allowed [][]bool // allowed[from][to]: the stage machine's moves between open stages, by stage index
	open    int      // the number of open stages
	first   string   // the first open stage
	won     string
	lost    string
}

// Flow checks the pipeline and compiles it.
func (p Pipeline) Flow() (*DealFlow, error) {
	p, err := p.normalized()
	if err != nil {
		return nil, err
	}
	m, err := p.StageMachine()
	if err != nil {
		return nil, err
	}
	f := &DealFlow{p: p, stages: m, index: make(map[string]int, len(p.Stages)), allowed: make([][]bool, len(p.Stages)),
		open: len(p.OpenStages()), first: p.OpenStages()[0].Key, won: p.closing(StageWon), lost: p.closing(StageLost)}
	for i, s := range p.Stages {
		f.index[s.Key] = i
		f.allowed[i] = make([]bool, len(p.Stages))
	}
	for _, t := range m.Table() {
		if t.Event == t.To { // a move between open stages: its event is the target
			f.allowed[f.index[t.From]][f.index[t.To]] = true
		}
	}
	return f, nil
}

// Pipeline returns the compiled pipeline.
func (f *DealFlow) Pipeline() Pipeline { return f.p }

// NewDeal is the input for opening a deal. Stage defaults to the first
// open stage; Owner to the acting user.
type NewDeal struct {
	Pipeline          ID     `json:"pipeline,omitzero"`
	Customer          ID     `json:"customer,omitzero"`
	Owner             ID     `json:"owner,omitzero"`
	Title             string `json:"title,omitempty"`
	Amount            Money  `json:"amount"` // zero for not known yet; in the pipeline's currency
	CloseDate         Date   `json:"close_date,omitzero"`
	Stage             string `json:"stage,omitempty"`
	ManualProbability *int   `json:"manual_probability,omitempty"`
	Campaign          ID     `json:"campaign,omitzero"`
}

// DealPatch changes Deal's details; nil fields stay.
type DealPatch struct {
	Deal      ID      `json:"deal,omitzero"`
	Title     *string `json:"title,omitempty"`
	Amount    *Money  `json:"amount,omitempty"`
	CloseDate *Date   `json:"close_date,omitempty"`
	IfVersion int64   `json:"if_version"`
}

// MoveDealRequest moves Deal to Stage.
type MoveDealRequest struct {
	Deal  ID     `json:"deal,omitzero"`
	Stage string `json:"stage,omitempty"`
}

// SetProbabilityRequest sets Deal's win probability by hand, 0-100; a
// nil Probability goes back to the stage's.
type SetProbabilityRequest struct {
	Deal        ID   `json:"deal,omitzero"`
	Probability *int `json:"probability,omitempty"`
}

// WinDealRequest closes Deal as won at Amount, the actual amount (nil
// keeps the deal's), on the business day WonOn (zero: today; neither
// after today nor before the deal was created): a March win entered on 1
// April counts in March.
type WinDealRequest struct {
	Deal   ID     `json:"deal,omitzero"`
	Amount *Money `json:"amount,omitempty"`
	WonOn  Date   `json:"won_on,omitzero"`
}

// LoseDealRequest closes Deal as lost for Reason, which is required;
// Notes say more.
type LoseDealRequest struct {
	Deal   ID         `json:"deal,omitzero"`
	Reason LostReason `json:"reason,omitempty"`
	Notes  string     `json:"notes,omitempty"`
}

// ReopenDealRequest reopens the closed Deal, for Reason. Its expected
// close date is CloseDate (zero: none; not before today) and its
// probability the stage's unless Probability sets one by hand: what was
// expected before the deal closed is stale.
type ReopenDealRequest struct {
	Deal        ID     `json:"deal,omitzero"`
	Reason      string `json:"reason,omitempty"`
	CloseDate   Date   `json:"close_date,omitzero"`
	Probability *int   `json:"probability,omitempty"`
}

// Open makes a new deal in the flow's pipeline.
func (f *DealFlow) Open(id ID, n NewDeal, owner User, now time.Time) (Deal, error) {
	var err error
	d := Deal{ID: id, Pipeline: f.p.ID, Customer: n.Customer, Owner: owner.ID, Team: owner.Team, Amount: n.Amount,
		CloseDate: n.CloseDate, Status: DealOpen, ManualProbability: n.ManualProbability, Campaign: n.Campaign,
		CreatedAt: now, UpdatedAt: now, Version: 1}
	if d.Title, err = cleanText("title", n.Title, maxNameLen, true); err != nil {
		return Deal{}, err
	}
	if n.Customer.IsZero() {
		return Deal{}, invalid("customer", "required", "")
	}
	if err := f.checkAmount(d.Amount); err != nil {
		return Deal{}, err
	}
	if !d.CloseDate.IsZero() && !d.CloseDate.IsValid() {
		return Deal{}, invalid("close_date", "calendar", "")
	}
	if err := checkProbability(n.ManualProbability); err != nil {
		return Deal{}, err
	}
	d.Stage = cmpOr(n.Stage, f.first)
	i, ok := f.index[d.Stage]
	if !ok || f.p.Stages[i].Type != StageOpen {
		return Deal{}, invalid("stage", "open_stage", fmt.Sprintf("%q is not an open stage of the pipeline", d.Stage))
	}
	d.Furthest = i + 1
	d.History = []StageVisit{{Stage: d.Stage, Entered: now}}
	f.settle(&d, i)
	return d, nil
}

func (f *DealFlow) checkAmount(m Money) error {
	if m.Currency().IsZero() && m.IsZero() {
		return nil
	}
	if m.Currency() != f.p.Currency {
		return &CurrencyMismatchError{Op: "deal amount", Left: f.p.Currency, Right: m.Currency()}
	}
	if m.IsNegative() {
		return invalid("amount", "non_negative", "")
	}
	_, err := minorWithin("amount", m)
	return err
}

func checkProbability(p *int) error {
	if p != nil && (*p < 0 || *p > 100) {
		return invalid("probability", "range", fmt.Sprintf("%d is outside 0-100", *p))
	}
	return nil
}

// settle sets the effective probability: 100 won, 0 lost, else the hand-set
// one or that of the stage at index i.
func (f *DealFlow) settle(d *Deal, i int) {
	switch {
	case d.Status == DealWon:
		d.Probability = 100
	case d.Status == DealLost:
		d.Probability = 0
	case d.ManualProbability != nil:
		d.Probability = *d.ManualProbability
	case i >= 0 && i < len(f.p.Stages):
		d.Probability = f.p.Stages[i].Probability
	}
}

// Move takes an open deal to another open stage, if the stage machine
// allows the move and the deal meets the exit requirements of the stage it
// leaves when moving forward. On error the deal is unchanged.
func (f *DealFlow) Move(d *Deal, to string, at time.Time) error {
	if d.Status != DealOpen {
		_, err := dealMachine.Next(d.Status, DealMoveStage)
		return err
	}
	if to == d.Stage {
		return nil // a self-transition: nothing to do, and no error
	}
	from, ok := f.index[d.Stage]
	if !ok {
		return invalid("stage", "exists", fmt.Sprintf("the deal's stage %q is not in the pipeline", d.Stage))
	}
	target, ok := f.index[to]
	if !ok {
		return invalid("stage", "exists", fmt.Sprintf("no stage %q in the pipeline", to))
	}
	if !f.allowed[from][target] {
		why := "the pipeline does not allow skipping stages"
		if target < from {
			why = "the pipeline does not allow going back"
		}
		return &TransitionError{Machine: f.stages.Name(), From: d.Stage, Event: "move to " + to, Reason: why}
	}
	if target > from {
		if err := f.exitCheck(d, from, to); err != nil {
			return err
		}
	}
	f.enter(d, target, at)
	return nil
}

// exitCheck reports the first requirement of the deal's stage, at index
// i, that the deal lacks to move to the stage to.
func (f *DealFlow) exitCheck(d *Deal, i int, to string) error {
	for _, r := range f.p.Stages[i].ExitRequires {
		var missing bool
		switch r {
		case RequireAmount:
			missing = !d.Amount.IsPositive()
		case RequireCloseDate:
			missing = d.CloseDate.IsZero()
		case RequireActivity:
			missing = d.Activities == 0
		}
		if missing {
			return &TransitionError{Machine: f.stages.Name(), From: d.Stage, Event: "move to " + to,
				Reason: fmt.Sprintf("the deal needs %s before it leaves %s (%s)", r, d.Stage, r.howTo())}
		}
	}
	return nil
}

// enter puts the deal in the stage at index i.
func (f *DealFlow) enter(d *Deal, i int, at time.Time) {
	stage := f.p.Stages[i].Key
	if n := len(d.History); n > 0 {
		d.History[n-1].Left = at
	}
	d.History = append(d.History, StageVisit{Stage: stage, Entered: at})
	d.Stage, d.ForecastCategory = stage, ""
	d.ManualProbability = nil // a stage change resets a hand-set probability
	switch f.p.Stages[i].Type {
	case StageOpen:
		d.Furthest = max(d.Furthest, i+1)
	case StageWon:
		d.Furthest = f.open
	}
	f.settle(d, i)
}

// Win closes the deal as won at amount, the actual amount, on the date of
// at. It needs the exit requirements of the stage it is in and a positive
// amount.
func (f *DealFlow) Win(d *Deal, amount Money, at time.Time) error {
	if _, err := dealMachine.Next(d.Status, DealWinEvent); err != nil {
		return err
	}
	if err := f.checkAmount(amount); err != nil {
		return err
	}
	if !amount.IsPositive() {
		return invalid("amount", "positive", "a won deal has an amount")
	}
	from, ok := f.index[d.Stage]
	if !ok {
		return invalid("stage", "exists", fmt.Sprintf("the deal's stage %q is not in the pipeline", d.Stage))
	}
	if err := f.exitCheck(d, from, f.won); err != nil {
		return err
	}
	d.Amount, d.Status, d.ClosedAt, d.CloseDate = amount, DealWon, at, DateOf(at.UTC())
	f.enter(d, f.index[f.won], at)
	return nil
}

// Lose closes the deal as lost on the date of at (its close date is the
// day it was lost); the reason, one of the pipeline's, is required, the
// notes say more.
func (f *DealFlow) Lose(d *Deal, reason LostReason, notes string, at time.Time) error {
	if _, err := dealMachine.Next(d.Status, DealLoseEvent); err != nil {
		return err
	}
	switch {
	case reason == "":
		return invalid("lost_reason", "required", "a lost deal says why it was lost")
	case !f.p.offersLostReason(reason):
		return invalid("lost_reason", "one_of", fmt.Sprintf("%q is not a lost reason of the pipeline, which offers %s", reason, f.p.lostReasonKeys()))
	}
	notes, err := cleanText("lost_notes", notes, maxLongTextLen, false)
	if err != nil {
		return err
	}
	d.LostReason, d.LostNotes, d.Status, d.ClosedAt, d.CloseDate = reason, notes, DealLost, at, DateOf(at.UTC())
	f.enter(d, f.index[f.lost], at)
	return nil
}

// Reopen brings a closed deal back to the open stage it left; the lost
// reason goes, the history stays. The close date is cleared and the
// probability is the stage's: what was expected or set by hand before
// the deal closed is stale.
func (f *DealFlow) Reopen(d *Deal, at time.Time) error {
	if _, err := dealMachine.Next(d.Status, DealReopenEvent); err != nil {
		return err
	}
	back := f.index[f.first]
	for i := len(d.History) - 1; i >= 0; i-- {
		if s, ok := f.index[d.History[i].Stage]; ok && f.p.Stages[s].Type == StageOpen {
			back = s
			break
		}
	}
	d.Status, d.ClosedAt, d.LostReason, d.LostNotes, d.CloseDate = DealOpen, time.Time{}, "", "", Date{}
	f.enter(d, back, at)
	return nil
}

// SetProbability sets an open deal's probability by hand (nil clears it,
// and the stage's applies again) until the next stage change. A closed
// deal refuses it with a *TransitionError: it is 100 won, 0 lost.
func (f *DealFlow) SetProbability(d *Deal, p *int) error {
	if _, err := dealMachine.Next(d.Status, DealProbabilityEvent); err != nil {
		return err
	}
	if err := checkProbability(p); err != nil {
		return err
	}
	d.ManualProbability = p
	i, ok := f.index[d.Stage]
	if !ok {
		i = -1
	}
	f.settle(d, i)
	return nil
}

// SetForecastCategory sets an open deal's forecast category by hand, for
// the owner's or manager's judgement over the stage's ("" goes back to the
// stage's). Closed is for won deals only; a closed deal's category is its
// stage's.
func (f *DealFlow) SetForecastCategory(d *Deal, c ForecastCategory) error {
	switch {
	case d.Status != DealOpen:
		_, err := dealMachine.Next(d.Status, DealMoveStage)
		return err
	case c == "":
	case !c.valid():
		return invalid("forecast_category", "one_of", fmt.Sprintf("%q is not a forecast category", c))
	case c == ForecastClosed:
		return invalid("forecast_category", "open", "closed is the category of won deals")
	}
	d.ForecastCategory = c
	return nil
}

// Rotting reports whether an open deal has been idle longer than its
// stage allows, and for how many whole days it has been idle. Idle time
// runs from the later of the last activity and the last stage change, not
// from the deal's creation; closed deals never rot.
func (f *DealFlow) Rotting(d Deal, now time.Time) (bool, int) {
	if d.Status != DealOpen {
		return false, 0
	}
	since := d.StageEnteredAt()
	if d.LastActivityAt.After(since) {
		since = d.LastActivityAt
	}
	idle := int(now.Sub(since) / (24 * time.Hour))
	i, ok := f.index[d.Stage]
	if !ok {
		return false, idle
	}
	limit := f.p.Stages[i].RotAfterDays
	return limit > 0 && idle > limit, idle
}

// ClosingAt is the instant a closed deal counts as closed in the sales
// reports (outcomes, the sales cycle, the work report) and in its stage
// history (the funnel as of a past date): when it entered its won or lost
// stage, which is on its close date, the business day it was won or lost
// (WinDealRequest.WonOn, CorrectCloseRequest.CloseDate), whereas ClosedAt
// is the moment that was recorded. It is ClosedAt for a closed deal whose
// history does not end in its stage, and zero while the deal is open.
func (d Deal) ClosingAt() time.Time {
	if d.Status == DealOpen {
		return time.Time{}
	}
	if n := len(d.History); n > 0 && d.History[n-1].Stage == d.Stage && !d.History[n-1].Entered.IsZero() {
		return d.History[n-1].Entered
	}
	return d.ClosedAt
}
