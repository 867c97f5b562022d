package crm

import (
	"fmt"
	"slices"
	"time"
)

// StageType says whether deals in a stage are still open, won or lost.
type StageType string

// The stage types.
const (
	StageOpen StageType = "open"
	StageWon  StageType = "won"
	StageLost StageType = "lost"
)

// ForecastCategory is how a stage's deals count in the forecast, as in
// Salesforce: pipeline (early), best case, commit (expected to close),
// closed (won), omitted (lost or not counted).
type ForecastCategory string

// The forecast categories.
const (
	ForecastPipeline ForecastCategory = "pipeline"
	ForecastBestCase ForecastCategory = "best_case"
	ForecastCommit   ForecastCategory = "commit"
	ForecastClosed   ForecastCategory = "closed"
	ForecastOmitted  ForecastCategory = "omitted"
)

func (f ForecastCategory) valid() bool {
	switch f {
	case ForecastPipeline, ForecastBestCase, ForecastCommit, ForecastClosed, ForecastOmitted:
		return true
	}
	return false
}

// Requirement is something a deal must have before it may leave a stage.
type Requirement string

// The requirements.
const (
	RequireAmount    Requirement = "amount"     // a positive amount
	RequireCloseDate Requirement = "close_date" // an expected close date
	RequireActivity  Requirement = "activity"   // at least one activity logged on the deal
)

// howTo says, for an error, how a deal meets the requirement.
func (r Requirement) howTo() string {
	if r == RequireActivity {
		return "ActivityService.Log logs one on the deal"
	}
	return "DealService.Update sets it"
}

func (r Requirement) valid() bool {
	return r == RequireAmount || r == RequireCloseDate || r == RequireActivity
}

// Stage is a step of a pipeline.
type Stage struct {
	Key          string           `json:"key,omitempty" privacy:"none"`
	Name         string           `json:"name,omitempty" privacy:"none"`
	Probability  int              `json:"probability"` // percent; won stages are 100, lost stages 0
	Type         StageType        `json:"type,omitempty"`
	Category     ForecastCategory `json:"category,omitempty"`
	RotAfterDays int              `json:"rot_after_days"`          // a deal idle this long rots; 0 never rots
	ExitRequires []Requirement    `json:"exit_requires,omitempty"` // what a deal needs before it moves on from here
}

// Pipeline is an ordered list of stages a deal moves through: the open
// stages first, in order, then one won and one lost stage. Every amount in
// a pipeline is in its Currency, the currency of its forecast.
type Pipeline struct {
	ID        ID       `json:"id,omitzero"`
	Name      string   `json:"name,omitempty" privacy:"none"`
	Currency  Currency `json:"currency,omitzero"`
	Stages    []Stage  `json:"stages,omitempty" privacy:"none"`
	AllowSkip bool     `json:"allow_skip,omitempty"`          // a deal may jump forward over open stages
	AllowBack bool     `json:"allow_back,omitempty"`          // a deal may go back to an earlier open stage
	Team      string   `json:"team,omitempty" privacy:"none"` // the team that works it; "" for everyone
	// LostReasons are the reasons a deal of the pipeline may be lost
	// for; none is DefaultLostReasons (see LostReasonOptions).
	LostReasons []LostReasonOption `json:"lost_reasons,omitempty" privacy:"none"`
	CreatedAt   time.Time          `json:"created_at,omitzero"`
	UpdatedAt   time.Time          `json:"updated_at,omitzero"`
	Version     int64              `json:"version"`
}

// DefaultStages returns the stages of a new-business pipeline, with
// EspoCRM's probabilities and rotting thresholds from common practice:
//
//	stage          probability  category   rots after  to leave it
//	prospecting    10           pipeline   14 days
//	qualification  20           pipeline   21 days
//	proposal       50           best case  14 days     an amount and a close date
//	negotiation    80           commit     10 days     an amount and a close date
//	won            100          closed
//	lost           0            omitted
func DefaultStages() []Stage {
	both := []Requirement{RequireAmount, RequireCloseDate}
	return []Stage{
		{Key: "prospecting", Name: "Prospecting", Probability: 10, Type: StageOpen, Category: ForecastPipeline, RotAfterDays: 14},
		{Key: "qualification", Name: "Qualification", Probability: 20, Type: StageOpen, Category: ForecastPipeline, RotAfterDays: 21},
		{Key: "proposal", Name: "Proposal", Probability: 50, Type: StageOpen, Category: ForecastBestCase, RotAfterDays: 14, ExitRequires: both},
		{Key: "negotiation", Name: "Negotiation", Probability: 80, Type: StageOpen, Category: ForecastCommit, RotAfterDays: 10, ExitRequires: both},
		{Key: "won", Name: "Won", Probability: 100, Type: StageWon, Category: ForecastClosed},
		{Key: "lost", Name: "Lost", Probability: 0, Type: StageLost, Category: ForecastOmitted},
	}
}

// Clone returns a deep copy.
func (p Pipeline) Clone() Pipeline {
	p.Stages = slices.Clone(p.Stages)
	p.LostReasons = slices.Clone(p.LostReasons)
	for i := range p.Stages {
		p.Stages[i].ExitRequires = slices.Clone(p.Stages[i].ExitRequires)
	}
	return p
}

// Stage returns the stage with the key.
func (p Pipeline) Stage(key string) (Stage, bool) {
	i := p.stageIndex(key)
	if i < 0 {
		return Stage{}, false
	}
	return p.Stages[i], true
}

func (p Pipeline) stageIndex(key string) int {
	return slices.IndexFunc(p.Stages, func(s Stage) bool { return s.Key == key })
}

// OpenStages returns the open stages in order.
func (p Pipeline) OpenStages() []Stage {
	var out []Stage
	for _, s := range p.Stages {
		if s.Type == StageOpen {
			out = append(out, s)
		}
	}
	return out
}

// closing returns the key of the won or lost stage.
func (p Pipeline) closing(t StageType) string {
	for _, s := range p.Stages {
		if s.Type == t {
			return s.Key
		}
	}
	return ""
}

// normalized checks the pipeline: a name and a currency, unique
// well-formed keys, open stages first and at least one, exactly one won
// and one lost stage, probabilities 0-100 (won 100, lost 0), known
// categories and requirements, and its own lost reasons, if any.
func (p Pipeline) normalized() (Pipeline, error) {
	var err error
	if p.Name, err = cleanText("name", p.Name, maxNameLen, true); err != nil {
		return Pipeline{}, err
	}
	if p.Team, err = cleanText("team", p.Team, maxShortTextLen, false); err != nil {
		return Pipeline{}, err
	}
	if p.Currency.IsZero() {
		return Pipeline{}, invalid("currency", "required", "the forecast currency")
	}
	if p.LostReasons, err = normalizeLostReasons(p.LostReasons); err != nil {
		return Pipeline{}, err
	}
	if len(p.Stages) > 100 {
		return Pipeline{}, invalid("stages", "max_count", "at most 100")
	}
	counts := map[StageType]int{}
	for i := range p.Stages {
		s := &p.Stages[i]
		field := fmt.Sprintf("stages[%d]", i)
		if !validKey(s.Key) {
			return Pipeline{}, invalid(field+".key", "key", fmt.Sprintf("%q must be 1-64 of A-Z a-z 0-9 _ . -", truncate(s.Key, 70)))
		}
		if p.stageIndex(s.Key) != i {
			return Pipeline{}, invalid(field+".key", "unique", fmt.Sprintf("%q is used twice", s.Key))
		}
		if s.Name, err = cleanText(field+".name", s.Name, maxShortTextLen, true); err != nil {
			return Pipeline{}, err
		}
		switch s.Type {
		case StageOpen:
			if i > 0 && p.Stages[i-1].Type != StageOpen {
				return Pipeline{}, invalid(field+".type", "order", "open stages come before the won and lost stages")
			}
		case StageWon:
			s.Probability, s.Category = 100, cmpOr(s.Category, ForecastClosed)
		case StageLost:
			s.Probability, s.Category = 0, cmpOr(s.Category, ForecastOmitted)
		default:
			return Pipeline{}, invalid(field+".type", "one_of", fmt.Sprintf("%q is not open, won or lost", s.Type))
		}
		counts[s.Type]++
		s.Category = cmpOr(s.Category, ForecastPipeline)
		switch {
		case s.Probability < 0 || s.Probability > 100:
			return Pipeline{}, invalid(field+".probability", "range", "0-100")
		case !s.Category.valid():
			return Pipeline{}, invalid(field+".category", "one_of", fmt.Sprintf("%q is not a forecast category", s.Category))
		case s.RotAfterDays < 0 || s.RotAfterDays > 3650:
			return Pipeline{}, invalid(field+".rot_after_days", "range", "0-3650")
		}
		for j, r := range s.ExitRequires {
			if !r.valid() {
				return Pipeline{}, invalid(fmt.Sprintf("%s.exit_requires[%d]", field, j), "one_of", fmt.Sprintf("%q is not amount, close_date or activity", r))
			}
		}
	}
	switch {
	case counts[StageOpen] == 0:
		return Pipeline{}, invalid("stages", "open", "at least one open stage")
	case counts[StageWon] != 1:
		return Pipeline{}, invalid("stages", "won", "exactly one won stage")
	case counts[StageLost] != 1:
		return Pipeline{}, invalid("stages", "lost", "exactly one lost stage")
	}
	return p, nil
}

// Moves of the deal machine.
const (
	// DealWin closes a deal as won; the stage machine's event into the won
	// stage.
	DealWin = "win"
	// DealLose closes a deal as lost, with a reason.
	DealLose = "lose"
	// DealReopen reopens a closed deal in the open stage it left.
	DealReopen = "reopen"
)

// StageMachine returns the pipeline's stage graph as an explicit
// transition table: from each open stage to the next one (and forward over
// stages when AllowSkip, back when AllowBack), to the won stage on "win"
// and to the lost stage on "lose"; the event of a move between open stages
// is the target stage's key. Reopening goes back to the stage a deal left,
// which the deal remembers; the table lists it from won and lost to every
// open stage under the event "reopen:<stage>".
func (p Pipeline) StageMachine() (*Machine[string, string], error) {
	open := p.OpenStages()
	won, lost := p.closing(StageWon), p.closing(StageLost)
	var rows []Transition[string, string]
	for i, from := range open {
		for j, to := range open {
			why, when := "", exitWhen(from)
			switch {
			case j == i+1:
				why = "the deal moves to the next step"
			case j > i+1 && p.AllowSkip:
				why = "this pipeline allows skipping steps"
			case j < i && p.AllowBack:
				why, when = "this pipeline allows going back", "the deal needs more work at an earlier step"
			default:
				continue
			}
			rows = append(rows, Transition[string, string]{From: from.Key, Event: to.Key, To: to.Key,
				Who: "the deal's owner, a manager of the team, or an admin", When: when, Why: why})
		}
		rows = append(rows,
			Transition[string, string]{From: from.Key, Event: DealWin, To: won, Who: "the deal's owner or a manager",
				When: "the customer signs; the amount becomes the actual amount", Why: "won deals count at their actual amount"},
			Transition[string, string]{From: from.Key, Event: DealLose, To: lost, Who: "the deal's owner or a manager",
				When: "the customer says no or goes silent; a lost reason is required", Why: "lost reasons show what to fix; lost deals leave the forecast"})
	}
	for _, from := range []string{won, lost} {
		for _, to := range open {
			rows = append(rows, Transition[string, string]{From: from, Event: DealReopen + ":" + to.Key, To: to.Key,
				Who: "a manager or an admin", When: "a closed deal comes back to life, to the stage it left",
				Why: "closing was premature; the history keeps the earlier close"})
		}
	}
	return NewMachine("pipeline "+p.Name, open[0].Key, rows...)
}

func exitWhen(s Stage) string {
	if len(s.ExitRequires) == 0 {
		return "the step is done"
	}
	when := "the deal has"
	for i, r := range s.ExitRequires {
		if i > 0 {
			when += " and"
		}
		when += " " + string(r)
	}
	return when
}
