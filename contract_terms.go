package crm

import (
	"cmp"
	"fmt"
	"slices"
)

// ContractChanges are changes to a contract's terms; nil fields stay.
//
// A change to the amount, the start, the template or the plan's options
// plans the installments not invoiced yet again: what the invoiced ones
// leave of the amount, from the start by the template, with the options
// given or, by default, those the installments had (their number, their
// shares and their offsets). Invoiced installments stay as they are, with
// their invoices: nothing invoiced is planned, or invoiced, twice.
type ContractChanges struct {
	Title    *string       `json:"title,omitempty"`
	Terms    *string       `json:"terms,omitempty"`
	Amount   *Money        `json:"amount,omitempty"`
	Start    *Date         `json:"start,omitempty"`
	End      *Date         `json:"end,omitempty"` // a pointer to the zero Date removes the end
	Template *PlanTemplate `json:"template,omitempty"`
	Plan     *PlanOptions  `json:"plan,omitempty"`
}

// replans reports whether the changes touch the payment plan.
func (ch ContractChanges) replans() bool {
	return ch.Amount != nil || ch.Start != nil || ch.Template != nil || ch.Plan != nil
}

// ContractPatch revises the draft Contract before it is submitted, or
// after a rejection sent it back: a rejected contract is changed, not
// resubmitted as it was. IfVersion, when not zero, must be the
// contract's current version. The Reason is recorded with the changes.
// The approval starts over on the next submission, with the steps the
// new amount needs.
type ContractPatch struct {
	Contract  ID              `json:"contract,omitzero"`
	Changes   ContractChanges `json:"changes"`
	Reason    string          `json:"reason,omitempty"`
	IfVersion int64           `json:"if_version"`
}

// AmendContractRequest drafts an amendment of the active Contract: a new
// contract that references it (Amends) and goes through approval like
// any other. Changes.Start is when the amendment takes effect (default
// today); the installments of the contract invoiced so far are carried
// over with their invoices, and only the others are planned again. Once
// the amendment is signed it supersedes the contract. The Reason is
// required. IfVersion, when not zero, must be the contract's current
// version.
type AmendContractRequest struct {
	Contract  ID              `json:"contract,omitzero"`
	Changes   ContractChanges `json:"changes"`
	Reason    string          `json:"reason,omitempty"`
	IfVersion int64           `json:"if_version"`
}

// RenewContractRequest drafts the next term of the active Contract, which
// must have an end: a new contract that references it (Renews), starting
// the day after its end and, by default, as long as its term, for the
// same customer, owner (unless Owner names another), amount and plan. It
// goes through approval like any other; the contract it renews expires at
// its end as usual. The Reason is optional. IfVersion, when not zero,
// must be the contract's current version.
type RenewContractRequest struct {
	Contract  ID              `json:"contract,omitzero"`
	Owner     ID              `json:"owner,omitzero"`
	Changes   ContractChanges `json:"changes"`
	Reason    string          `json:"reason,omitempty"`
	IfVersion int64           `json:"if_version"`
}

// ExpireDueRequest asks the sweep to expire at most Limit contracts
// (default 100, at most MaxPageSize).
type ExpireDueRequest struct {
	Limit int `json:"limit"`
}

// ExpiryReport is what a sweep expired, and whether more contracts were
// due than its limit let it expire.
type ExpiryReport struct {
	Expired []Contract `json:"expired,omitempty"`
	More    bool       `json:"more,omitempty"`
}

// UnsettledContractError says why an active contract is not complete: the
// installments not invoiced yet, and those whose invoice still has
// something open. Completing it anyway needs a reason. It matches
// ErrInvalidTransition with errors.Is.
type UnsettledContractError struct {
	Contract    ID    `json:"contract,omitzero"`
	NotInvoiced []int `json:"not_invoiced,omitempty"`
	Unsettled   []int `json:"unsettled,omitempty"`
}

// Error implements error.
func (e *UnsettledContractError) Error() string {
	return fmt.Sprintf("crm: contract %s is not complete: installments %v not invoiced, %v not settled; a reason closes it anyway",
		e.Contract, e.NotInvoiced, e.Unsettled)
}

// Unwrap returns ErrInvalidTransition.
func (e *UnsettledContractError) Unwrap() error { return ErrInvalidTransition }

// unsettled checks that every installment of c is invoiced and that
// nothing is open on its invoice, given the customer's open items.
func (c Contract) unsettled(open []OpenItem) error {
	owing := map[ID]bool{}
	for _, it := range open {
		if it.Account == AccountReceivable && !it.Open.IsZero() {
			owing[it.Item] = true
		}
	}
	e := &UnsettledContractError{Contract: c.ID}
	for _, in := range c.Plan.Installments {
		switch {
		case in.Invoice.IsZero():
			e.NotInvoiced = append(e.NotInvoiced, in.Number)
		case owing[in.Invoice]:
			e.Unsettled = append(e.Unsettled, in.Number)
		}
	}
	if len(e.NotInvoiced)+len(e.Unsettled) == 0 {
		return nil
	}
	return e
}

// expiry refuses to expire c today unless its date has passed by the
// business calendar: an approved contract's start, an active one's end.
// An active contract without an end never expires; ending a contract
// before its end is a termination.
func (c Contract) expiry(today Date) error {
	if _, err := contractMachine.Next(c.Status, ContractExpire); err != nil {
		return err
	}
	reason := ""
	switch {
	case c.Status == ContractApproved && !today.After(c.Start):
		reason = fmt.Sprintf("an approved contract expires once its start (%s) has passed unsigned", c.Start)
	case c.Status == ContractActive && c.End.IsZero():
		reason = "a contract without an end never expires: complete or terminate it"
	case c.Status == ContractActive && !today.After(c.End):
		reason = fmt.Sprintf("an active contract expires after its end (%s); ending it earlier is a termination", c.End)
	}
	if reason != "" {
		return &TransitionError{Machine: contractMachine.Name(), From: string(c.Status), Event: string(ContractExpire), Reason: reason}
	}
	return nil
}

// replan says how the installments not invoiced are planned again.
type replan struct {
	carried []Installment // the invoiced installments, kept with their invoices
	from    Date          // where new installments start unless the changes give a start
	options PlanOptions   // the plan's options unless the changes give some
	force   bool          // plan again though the changes touch no plan field
}

// apply applies the changes to ct, each checked, and returns what
// changed, for the event.
func (ch ContractChanges) apply(ct *Contract, r replan) ([]Change, error) {
	before := ct.Clone()
	var err error
	if ch.Title != nil {
		if ct.Title, err = cleanText("title", *ch.Title, maxNameLen, true); err != nil {
			return nil, err
		}
	}
	if ch.Terms != nil {
		if ct.Terms, err = cleanText("terms", *ch.Terms, maxLongTextLen, false); err != nil {
			return nil, err
		}
	}
	if ch.Amount != nil {
		if ch.Amount.Currency().IsZero() || !ch.Amount.IsPositive() {
			return nil, invalid("amount", "positive", "")
		}
		ct.Amount = *ch.Amount
	}
	if ch.Start != nil {
		if !ch.Start.IsValid() {
			return nil, invalid("start", "calendar", "")
		}
		ct.Start = *ch.Start
	}
	if ch.End != nil {
		if !ch.End.IsZero() && !ch.End.IsValid() {
			return nil, invalid("end", "calendar", "")
		}
		ct.End = *ch.End
	}
	if !ct.End.IsZero() && ct.End.Before(ct.Start) {
		return nil, invalid("end", "after_start", "")
	}
	if ch.replans() || r.force {
		from, template, options := r.from, cmp.Or(ct.Plan.Template, PlanNet30), r.options
		if ch.Start != nil {
			from = *ch.Start
		}
		if ch.Template != nil {
			template = *ch.Template
		}
		if ch.Plan != nil {
			options = *ch.Plan
		}
		if ct.Plan, err = planRest(r.carried, template, ct.Amount, from, options); err != nil {
			return nil, err
		}
	}
	var cs changes
	cs.add("title", before.Title, ct.Title)
	cs.add("terms", before.Terms, ct.Terms)
	cs.add("amount", before.Amount.String(), ct.Amount.String())
	cs.add("start", dateText(before.Start), dateText(ct.Start))
	cs.add("end", dateText(before.End), dateText(ct.End))
	if !samePlan(before.Plan, ct.Plan) {
		cs = append(cs, Change{Field: "plan", From: before.Plan, To: ct.Plan})
	}
	return cs, nil
}

// dateText is d as text, empty for the zero Date.
func dateText(d Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

// samePlan reports whether two plans have the same template and
// installments.
func samePlan(a, b PaymentPlan) bool {
	return a.Template == b.Template && slices.EqualFunc(a.Installments, b.Installments, sameInstallment)
}

// sameInstallment reports whether two installments are the same: number,
// due date, amount and invoice.
func sameInstallment(x, y Installment) bool {
	return x.Number == y.Number && x.Due == y.Due && x.Amount.Equal(y.Amount) && x.Invoice == y.Invoice
}

// planRest plans what the carried (invoiced) installments leave of
// amount, by the template from start; the new installments are numbered
// after the carried ones, which stay as they are. Nothing left makes no
// new installment; less than what was invoiced is refused: an invoice is
// taken back by a credit note, not by a smaller contract.
func planRest(carried []Installment, t PlanTemplate, amount Money, start Date, o PlanOptions) (PaymentPlan, error) {
	invoiced, last := Zero(amount.Currency()), 0
	for _, in := range carried {
		var err error
		if invoiced, err = invoiced.Add(in.Amount); err != nil {
			return PaymentPlan{}, invalid("amount", "currency", fmt.Sprintf("installment %d is invoiced in %s", in.Number, in.Amount.Currency()))
		}
		last = max(last, in.Number)
	}
	rest, _ := amount.Sub(invoiced)
	if rest.IsNegative() {
		return PaymentPlan{}, invalid("amount", "at_least_invoiced", fmt.Sprintf("%s is invoiced already", invoiced))
	}
	p := PaymentPlan{Template: t, Installments: slices.Clone(carried)}
	planned := rest
	if rest.IsZero() {
		planned = amount // nothing to plan: the template and options are still checked
	}
	more, err := NewPaymentPlan(t, planned, start, o)
	if err != nil || rest.IsZero() {
		return p, err
	}
	for i, in := range more.Installments {
		in.Number = last + i + 1
		p.Installments = append(p.Installments, in)
	}
	return p, nil
}

// invoiced returns the installments of the plan that are invoiced, and
// the others in the order they fall due.
func (p PaymentPlan) invoiced() (done, open []Installment) {
	for _, in := range p.Installments {
		if in.Invoice.IsZero() {
			open = append(open, in)
		} else {
			done = append(done, in)
		}
	}
	slices.SortStableFunc(open, func(a, b Installment) int { return a.Due.Compare(b.Due) })
	return done, open
}

// optionsOf recovers the options that plan installments like ins from
// base: their number (monthly), their amounts as shares and their
// offsets from base (custom; one due before base falls due at it).
func optionsOf(ins []Installment, base Date) PlanOptions {
	if len(ins) == 0 {
		return PlanOptions{Months: 1, Shares: []int64{1}, OffsetDays: []int{0}}
	}
	o := PlanOptions{Months: len(ins)}
	for _, in := range ins {
		share, err := in.Amount.Minor()
		if err != nil || share <= 0 {
			share = 1
		}
		o.Shares = append(o.Shares, share)
		o.OffsetDays = append(o.OffsetDays, max(in.Due.DaysSince(base), 0))
	}
	return o
}

// renewalEnd is the end of the term after one from start to end, starting
// next: as many whole months when the term is whole months, else as many
// days.
func renewalEnd(start, end, next Date) Date {
	for n := 1; n <= 1200; n++ {
		switch e := start.AddMonths(n).AddDays(-1); {
		case e == end:
			return next.AddMonths(n).AddDays(-1)
		case e.After(end):
			return next.AddDays(end.DaysSince(start))
		}
	}
	return next.AddDays(end.DaysSince(start))
}
