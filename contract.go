package crm

import (
	"fmt"
	"slices"
	"time"
)

// ContractStatus is where a contract stands in its approval and life.
type ContractStatus string

// The contract statuses.
const (
	ContractDraft      ContractStatus = "draft"
	ContractSubmitted  ContractStatus = "submitted"
	ContractApproved   ContractStatus = "approved"
	ContractActive     ContractStatus = "active" // signed
	ContractCompleted  ContractStatus = "completed"
	ContractTerminated ContractStatus = "terminated"
	ContractExpired    ContractStatus = "expired"
	ContractSuperseded ContractStatus = "superseded" // replaced by a signed amendment
)

// ContractEvent is a move of the contract machine.
type ContractEvent string

// The contract moves.
const (
	ContractRevise      ContractEvent = "revise" // a change to a draft's terms
	ContractSubmit      ContractEvent = "submit"
	ContractApproveStep ContractEvent = "approve_step" // an approval with more steps to go
	ContractApprove     ContractEvent = "approve"      // the last approval
	ContractReject      ContractEvent = "reject"
	ContractSign        ContractEvent = "sign"
	ContractComplete    ContractEvent = "complete"
	ContractTerminate   ContractEvent = "terminate"
	ContractExpire      ContractEvent = "expire"
	ContractSupersede   ContractEvent = "supersede"
)

var contractMachine = mustMachine("contract", ContractDraft,
	Transition[ContractStatus, ContractEvent]{From: ContractDraft, Event: ContractRevise, To: ContractDraft,
		Who:  "who may update the contract: its owner, a manager of the team or an admin",
		When: "before submission, and after a rejection sent it back; the reviser names the version they changed",
		Why:  "a rejected contract is changed before it goes back for approval, never resubmitted as it was"},
	Transition[ContractStatus, ContractEvent]{From: ContractDraft, Event: ContractSubmit, To: ContractSubmitted,
		Who: "the contract's owner", When: "the terms are ready for approval; the steps are computed from the amount on every submission",
		Why: "online approval replaces signatures on paper"},
	Transition[ContractStatus, ContractEvent]{From: ContractSubmitted, Event: ContractApproveStep, To: ContractSubmitted,
		Who: "an approver of the next step (a manager of the team, then finance)", When: "more approval steps remain",
		Why: "contracts above the threshold need a manager and then finance"},
	Transition[ContractStatus, ContractEvent]{From: ContractSubmitted, Event: ContractApprove, To: ContractApproved,
		Who: "an approver of the last step; never the submitter unless the rules allow it", When: "every required step has approved",
		Why: "only approved terms may be signed"},
	Transition[ContractStatus, ContractEvent]{From: ContractSubmitted, Event: ContractReject, To: ContractDraft,
		Who: "an approver of the next step", When: "the terms need changes; comments are required",
		Why: "a rejection goes back to the owner with what to change; approvals start over"},
	Transition[ContractStatus, ContractEvent]{From: ContractApproved, Event: ContractSign, To: ContractActive,
		Who: "the contract's owner, on the customer's signature", When: "both sides have signed; for an amendment, while the contract it amends is active and nothing more of it was invoiced",
		Why: "a signed contract is active: its payment plan is invoiced"},
	Transition[ContractStatus, ContractEvent]{From: ContractActive, Event: ContractComplete, To: ContractCompleted,
		Who:  "the owner or finance when every installment is invoiced and settled; else a manager of the team, finance or an admin, with a reason",
		When: "everything was delivered, invoiced and paid, or the rest is given up on",
		Why:  "completed contracts leave the working lists; closing one short is a decision someone answers for"},
	Transition[ContractStatus, ContractEvent]{From: ContractActive, Event: ContractTerminate, To: ContractTerminated,
		Who: "a manager of the team, finance or an admin, with a reason", When: "either side ends the contract before its end",
		Why: "what was invoiced stays owed; the rest of the plan is dropped"},
	Transition[ContractStatus, ContractEvent]{From: ContractApproved, Event: ContractExpire, To: ContractExpired,
		Who: "the CRM's sweep (ExpireDue) or the owner", When: "the contract's start passed, by the business calendar, and it was never signed",
		Why: "stale approvals must not be signed"},
	Transition[ContractStatus, ContractEvent]{From: ContractActive, Event: ContractExpire, To: ContractExpired,
		Who: "the CRM's sweep (ExpireDue) or the owner", When: "the day after its end date, by the business calendar; never earlier, and never without an end date",
		Why: "the contract ran its term; ending it earlier is a termination"},
	Transition[ContractStatus, ContractEvent]{From: ContractActive, Event: ContractSupersede, To: ContractSuperseded,
		Who: "the CRM, when an amendment of the contract is signed", When: "the amendment, approved like any contract, is signed",
		Why: "the amendment's terms replace the contract's; its invoiced installments are carried over with their invoices, so none is lost or invoiced twice"},
)

// ContractMachine returns the contract's state machine. It is immutable.
func ContractMachine() *Machine[ContractStatus, ContractEvent] { return contractMachine }

// ApprovalStep is a step of a contract's approval.
type ApprovalStep string

// The approval steps.
const (
	StepManager ApprovalStep = "manager" // a manager of the owner's team (or an admin)
	StepFinance ApprovalStep = "finance" // a user with the finance role (or an admin)
)

// ApprovalRules decide which steps a contract needs: above Threshold (in
// the threshold's currency) a manager and then finance, else a manager
// alone. A contract in a currency with no threshold needs both. Each step
// needs another approver, and neither who drafted the contract nor who
// submitted it may approve it, unless AllowSelfApproval (for one-person
// companies: it lets them approve, still never two steps).
type ApprovalRules struct {
	Thresholds        map[Currency]Money `json:"thresholds,omitempty"`
	AllowSelfApproval bool               `json:"allow_self_approval,omitempty"`
}

// DefaultApprovalRules need finance above 10,000 USD, EUR or GBP.
func DefaultApprovalRules() ApprovalRules {
	t := map[Currency]Money{}
	for _, code := range []string{"USD", "EUR", "GBP"} {
		c, _ := ParseCurrency(code)
		t[c] = MoneyFromMinor(1_000_000, c)
	}
	return ApprovalRules{Thresholds: t}
}

// Steps returns the steps a contract of amount needs.
func (r ApprovalRules) Steps(amount Money) []ApprovalStep {
	limit, ok := r.Thresholds[amount.Currency()]
	if ok {
		if c, _ := amount.Cmp(limit); c <= 0 {
			return []ApprovalStep{StepManager}
		}
	}
	return []ApprovalStep{StepManager, StepFinance}
}

// Approval is one decision on a contract, with who, when and why.
type Approval struct {
	Step     ApprovalStep `json:"step"`
	Actor    ID           `json:"actor"`
	At       time.Time    `json:"at,omitzero"`
	Approved bool         `json:"approved"`
	Comment  string       `json:"comment,omitempty" privacy:"personal"`
}

// PlanTemplate is a payment plan's shape.
type PlanTemplate string

// The plan templates.
const (
	PlanNet30   PlanTemplate = "net_30"          // everything 30 days after the start
	PlanSplit   PlanTemplate = "30_now_70_in_60" // 30% at the start, the balance 60 days later
	PlanMonthly PlanTemplate = "monthly"         // equal monthly installments from the start
	PlanCustom  PlanTemplate = "custom"          // shares due after offsets in days
)

// PlanOptions shape a plan: Months for monthly; Shares (in any unit,
// e.g. percent) and OffsetDays (after the start) for custom.
type PlanOptions struct {
	Months     int     `json:"months"`
	Shares     []int64 `json:"shares,omitempty"`
	OffsetDays []int   `json:"offset_days,omitempty"`
}

// Installment is one payment of a plan. Invoice is set once it is
// invoiced.
type Installment struct {
	Number  int   `json:"number"`
	Due     Date  `json:"due"`
	Amount  Money `json:"amount"`
	Invoice ID    `json:"invoice,omitzero"`
}

// PaymentPlan is how a contract's amount is paid: installments that add up
// exactly to it.
type PaymentPlan struct {
	Template     PlanTemplate  `json:"template"`
	Installments []Installment `json:"installments"`
}

// NewPaymentPlan splits amount into installments from start by the
// template. The installments add up exactly to the amount (largest
// remainder).
func NewPaymentPlan(t PlanTemplate, amount Money, start Date, o PlanOptions) (PaymentPlan, error) {
	if !start.IsValid() {
		return PaymentPlan{}, invalid("start", "calendar", "")
	}
	var shares []int64
	var due []Date
	switch t {
	case PlanNet30:
		shares, due = []int64{1}, []Date{start.AddDays(30)}
	case PlanSplit:
		shares, due = []int64{30, 70}, []Date{start, start.AddDays(60)}
	case PlanMonthly:
		if o.Months < 1 || o.Months > 120 {
			return PaymentPlan{}, invalid("months", "range", "1-120")
		}
		for i := range o.Months {
			shares, due = append(shares, 1), append(due, start.AddMonths(i))
		}
	case PlanCustom:
		if len(o.Shares) == 0 || len(o.Shares) != len(o.OffsetDays) || len(o.Shares) > 120 {
			return PaymentPlan{}, invalid("shares", "range", "1-120 shares, one offset each")
		}
		for i, off := range o.OffsetDays {
			if off < 0 || (i > 0 && off < o.OffsetDays[i-1]) {
				return PaymentPlan{}, invalid(fmt.Sprintf("offset_days[%d]", i), "ascending", "")
			}
			if o.Shares[i] <= 0 {
				return PaymentPlan{}, invalid(fmt.Sprintf("shares[%d]", i), "positive", "")
			}
			due = append(due, start.AddDays(off))
		}
		shares = o.Shares
	default:
		return PaymentPlan{}, invalid("template", "one_of", fmt.Sprintf("%q is not a plan template", t))
	}
	parts, err := amount.Allocate(shares...)
	if err != nil {
		return PaymentPlan{}, err
	}
	p := PaymentPlan{Template: t}
	for i, m := range parts {
		p.Installments = append(p.Installments, Installment{Number: i + 1, Due: due[i], Amount: m})
	}
	return p, nil
}

// Contract is an agreement with a customer for an amount, paid by a plan,
// approved online before it is signed.
type Contract struct {
	ID        ID             `json:"id,omitzero"`
	Customer  ID             `json:"customer,omitzero"`
	Owner     ID             `json:"owner,omitzero"`
	Team      string         `json:"team,omitempty" privacy:"none"`
	DraftedBy ID             `json:"drafted_by,omitzero"` // the user who drafted it, who never approves it
	Title     string         `json:"title,omitempty" privacy:"personal"`
	Terms     string         `json:"terms,omitempty" privacy:"personal"`
	Amount    Money          `json:"amount"`
	Start     Date           `json:"start,omitzero"`
	End       Date           `json:"end,omitzero"`
	Plan      PaymentPlan    `json:"plan,omitzero"`
	Status    ContractStatus `json:"status,omitempty"`
	Submitter ID             `json:"submitter,omitzero"`
	Steps     []ApprovalStep `json:"steps,omitempty"`                      // the steps the current submission needs
	Approvals []Approval     `json:"approvals,omitempty" privacy:"nested"` // every decision, in order, across submissions
	SignedAt  time.Time      `json:"signed_at,omitzero"`
	// Amends is the contract an amendment replaces once signed, and
	// Revision counts the amendments up to this one (0 for a contract
	// that amends none). SupersededBy is the signed amendment that
	// replaced this contract.
	Amends       ID  `json:"amends,omitzero"`
	Revision     int `json:"revision"`
	SupersededBy ID  `json:"superseded_by,omitzero"`
	// Renews is the contract whose term this one continues.
	Renews    ID        `json:"renews,omitzero"`
	CreatedAt time.Time `json:"created_at,omitzero"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
	Version   int64     `json:"version"`
}

// Clone returns a deep copy.
func (c Contract) Clone() Contract {
	c.Plan.Installments = slices.Clone(c.Plan.Installments)
	c.Steps = slices.Clone(c.Steps)
	c.Approvals = slices.Clone(c.Approvals)
	return c
}

// NextStep is the approval step a submitted contract waits for.
func (c Contract) NextStep() (ApprovalStep, bool) {
	if c.Status != ContractSubmitted {
		return "", false
	}
	done := 0
	for i := len(c.Approvals) - 1; i >= 0 && c.Approvals[i].Approved; i-- {
		done++
	}
	if done >= len(c.Steps) {
		return "", false
	}
	return c.Steps[done], true
}

func (c Contract) target() Target {
	return Target{Kind: KindContract, ID: c.ID, Owner: c.Owner, Team: c.Team}
}

// NewContract is the input for drafting a contract.
type NewContract struct {
	Customer ID           `json:"customer,omitzero"`
	Owner    ID           `json:"owner,omitzero"`
	Title    string       `json:"title,omitempty"`
	Terms    string       `json:"terms,omitempty"`
	Amount   Money        `json:"amount"`
	Start    Date         `json:"start,omitzero"`
	End      Date         `json:"end,omitzero"`
	Template PlanTemplate `json:"template,omitempty"`
	Plan     PlanOptions  `json:"plan,omitzero"`
}

func (n NewContract) build(id ID, owner User, now time.Time) (Contract, error) {
	c := Contract{ID: id, Customer: n.Customer, Owner: owner.ID, Team: owner.Team, Amount: n.Amount, Start: n.Start, End: n.End,
		Status: contractMachine.Initial(), CreatedAt: now, UpdatedAt: now, Version: 1}
	var err error
	if c.Title, err = cleanText("title", n.Title, maxNameLen, true); err != nil {
		return Contract{}, err
	}
	if c.Terms, err = cleanText("terms", n.Terms, maxLongTextLen, false); err != nil {
		return Contract{}, err
	}
	switch {
	case n.Customer.IsZero():
		return Contract{}, invalid("customer", "required", "")
	case n.Amount.Currency().IsZero() || !n.Amount.IsPositive():
		return Contract{}, invalid("amount", "positive", "")
	case !n.End.IsZero() && n.End.Before(n.Start):
		return Contract{}, invalid("end", "after_start", "")
	}
	if c.Plan, err = NewPaymentPlan(cmpOr(n.Template, PlanNet30), n.Amount, n.Start, n.Plan); err != nil {
		return Contract{}, err
	}
	return c, nil
}

// SubmitContractRequest sends the draft Contract for approval.
type SubmitContractRequest struct {
	Contract ID `json:"contract,omitzero"`
}

// ApproveContractRequest approves the step Contract waits for, with an
// optional Comment.
type ApproveContractRequest struct {
	Contract ID     `json:"contract,omitzero"`
	Comment  string `json:"comment,omitempty"`
}

// RejectContractRequest sends Contract back to its owner as a draft; the
// Comment says why and is required.
type RejectContractRequest struct {
	Contract ID     `json:"contract,omitzero"`
	Comment  string `json:"comment,omitempty"`
}

// SignContractRequest marks the approved Contract signed.
type SignContractRequest struct {
	Contract ID `json:"contract,omitzero"`
}

// CompleteContractRequest closes the active Contract: delivered, every
// installment invoiced and settled. Closing it with installments not
// invoiced or not settled needs a Reason (and a manager of the team,
// finance or an admin); the reason is recorded in the event.
type CompleteContractRequest struct {
	Contract ID     `json:"contract,omitzero"`
	Reason   string `json:"reason,omitempty"`
}

// TerminateContractRequest ends the active Contract early, for Reason.
type TerminateContractRequest struct {
	Contract ID     `json:"contract,omitzero"`
	Reason   string `json:"reason,omitempty"`
}

// ExpireContractRequest expires Contract: approved and never signed once
// its start passed, or active once its end passed (by the business
// calendar). ContractService.ExpireDue expires every such contract.
type ExpireContractRequest struct {
	Contract ID `json:"contract,omitzero"`
}

// approvers are the users who approved a step of the current submission:
// the decisions since the last rejection, which sent the contract back to
// a draft.
func (c Contract) approvers() []ID {
	var out []ID
	for _, a := range c.Approvals {
		if !a.Approved {
			out = out[:0]
			continue
		}
		out = append(out, a.Actor)
	}
	return out
}
