package crm

import (
	"context"
	"fmt"
	"iter"
	"slices"

	"github.com/shopspring/decimal"
)

// Draft drafts a contract for a customer, with its payment plan.
func (c *ContractService) Draft(ctx context.Context, actor ID, n NewContract) (Contract, error) {
	var out Contract
	err := c.write(ctx, actor, func(w *writeTx) error {
		if _, err := w.touchActiveCustomer(n.Customer, "draft a contract"); err != nil {
			return err
		}
		owner := w.actor
		if !n.Owner.IsZero() && n.Owner != w.actor.ID {
			var err error
			if owner, err = w.assignableOwner(n.Owner); err != nil {
				return err
			}
		}
		id, err := w.newID()
		if err != nil {
			return err
		}
		if out, err = n.build(id, owner, w.now); err != nil {
			return err
		}
		out.DraftedBy = w.actor.ID
		if err := w.authorize(ActionCreate, out.target()); err != nil {
			return err
		}
		if err := w.tx.Contracts().Insert(ctx, out); err != nil {
			return err
		}
		return w.record(ContractDrafted, KindContract, id, 1, contractData(out, "", ""))
	})
	return out, err
}

// Submit sends a draft for approval; the approval rules decide the steps
// it needs.
func (c *ContractService) Submit(ctx context.Context, actor ID, r SubmitContractRequest) (Contract, error) {
	return c.moveContract(ctx, actor, r.Contract, ActionUpdate, ContractSubmit, "", func(w *writeTx, ct *Contract) error {
		if _, err := w.amended(*ct, ContractSubmit); err != nil {
			return err
		}
		ct.Submitter, ct.Steps = w.actor.ID, c.approvals.Steps(ct.Amount)
		return nil
	})
}

// Approve approves the step a submitted contract waits for. A manager of
// the owner's team approves the manager step, finance the finance step,
// an admin either; the submitter never approves their own contract unless
// the rules allow it.
func (c *ContractService) Approve(ctx context.Context, actor ID, r ApproveContractRequest) (Contract, error) {
	return c.decide(ctx, actor, r.Contract, true, r.Comment)
}

// Reject sends a submitted contract back to its owner as a draft; a
// comment is required.
func (c *ContractService) Reject(ctx context.Context, actor ID, r RejectContractRequest) (Contract, error) {
	if _, err := cleanText("comment", r.Comment, maxLongTextLen, true); err != nil {
		return Contract{}, err
	}
	return c.decide(ctx, actor, r.Contract, false, r.Comment)
}

func (c *engine) decide(ctx context.Context, actor, id ID, approve bool, comment string) (Contract, error) {
	var out Contract
	err := c.write(ctx, actor, func(w *writeTx) error {
		before, err := w.touchContract(id)
		if err != nil {
			return err
		}
		step, ok := before.NextStep()
		if !ok {
			_, err := contractMachine.Next(before.Status, ContractApprove)
			if err == nil {
				err = &TransitionError{Machine: contractMachine.Name(), From: string(before.Status), Event: string(ContractApprove), Reason: "no step is waiting"}
			}
			return err
		}
		if err := w.authorize(ActionApprove, before.target()); err != nil {
			return err
		}
		if err := c.mayApprove(w.actor, before, step); err != nil {
			return err
		}
		if comment, err = cleanText("comment", comment, maxLongTextLen, false); err != nil {
			return err
		}
		after := before.Clone()
		after.Approvals = append(after.Approvals, Approval{Step: step, Actor: w.actor.ID, At: w.now, Approved: approve, Comment: comment})
		event := ContractReject
		if approve {
			event = ContractApproveStep
			if len(after.Approvals) > 0 {
				if _, more := after.NextStep(); !more {
					event = ContractApprove
				}
			}
		}
		if after.Status, err = contractMachine.Next(before.Status, event); err != nil {
			return err
		}
		out, err = w.saveContract(before, after, event, comment)
		return err
	})
	return out, err
}

// mayApprove checks the approver against the step and the submitter.
func (c *engine) mayApprove(a User, ct Contract, step ApprovalStep) error {
	refuse := func(reason string) error {
		return &ForbiddenError{Actor: a.ID, Action: ActionApprove, Kind: KindContract, Reason: reason}
	}
	if !c.approvals.AllowSelfApproval {
		switch a.ID {
		case ct.Submitter:
			return refuse("the submitter may not approve their own contract")
		case ct.DraftedBy:
			return refuse("who drafted a contract may not approve it")
		}
	}
	if slices.Contains(ct.approvers(), a.ID) {
		return refuse("each step of an approval needs another approver")
	}
	switch {
	case a.Role == RoleAdmin:
		return nil
	case step == StepManager && a.Role == RoleManager && a.Team == ct.Team:
		return nil
	case step == StepFinance && a.Role == RoleFinance:
		return nil
	}
	return refuse(fmt.Sprintf("the %s step is approved by %s", step, map[ApprovalStep]string{
		StepManager: "a manager of team " + ct.Team, StepFinance: "finance"}[step]))
}

// Sign marks an approved contract signed; it becomes active and its
// payment plan can be invoiced. A contract not yet approved cannot be
// signed. Signing an amendment supersedes the contract it amends, in the
// same write (see Amend); signing a renewal is refused when another
// renewal of the same contract was signed.
func (c *ContractService) Sign(ctx context.Context, actor ID, r SignContractRequest) (Contract, error) {
	return c.moveContract(ctx, actor, r.Contract, ActionUpdate, ContractSign, "", func(w *writeTx, ct *Contract) error {
		ct.SignedAt = w.now
		if err := w.renewedOnce(ct.Renews, ct.ID); err != nil {
			return err
		}
		return w.supersede(*ct)
	})
}

func (c *engine) moveContract(ctx context.Context, actor, id ID, action Action, event ContractEvent, note string, change func(*writeTx, *Contract) error) (Contract, error) {
	var out Contract
	err := c.write(ctx, actor, func(w *writeTx) error {
		before, err := w.touchContract(id)
		if err != nil {
			return err
		}
		if err := w.authorize(action, before.target()); err != nil {
			return err
		}
		after := before.Clone()
		if after.Status, err = contractMachine.Next(before.Status, event); err != nil {
			return err
		}
		if change != nil {
			if err := change(w, &after); err != nil {
				return err
			}
		}
		out, err = w.saveContract(before, after, event, note)
		return err
	})
	return out, err
}

// saveContract stores after, the next version of before, and records the
// move.
func (w *writeTx) saveContract(before, after Contract, event ContractEvent, note string) (Contract, error) {
	after, err := w.storeContract(before, after)
	if err != nil {
		return Contract{}, err
	}
	return after, w.record(ContractMoved, KindContract, after.ID, after.Version, contractData(after, event, note))
}

// storeContract stores after as the next version of before.
func (w *writeTx) storeContract(before, after Contract) (Contract, error) {
	after.UpdatedAt, after.Version = w.now, before.Version+1
	return after, w.tx.Contracts().Update(w.ctx, after)
}

// contractEvent is the payload of contract events: the status and the
// move, and for a drafted amendment or renewal the contract it amends or
// renews with the changes made to it.
type contractEvent struct {
	Status  ContractStatus `json:"status"`
	Move    ContractEvent  `json:"move,omitempty"`
	Amount  string         `json:"amount"`
	Steps   []ApprovalStep `json:"steps,omitempty"`
	Note    string         `json:"note,omitempty"`
	Amends  string         `json:"amends,omitempty"`
	Renews  string         `json:"renews,omitempty"`
	Changes []Change       `json:"changes,omitempty"`
}

func contractData(ct Contract, move ContractEvent, note string) contractEvent {
	return contractEvent{Status: ct.Status, Move: move, Amount: ct.Amount.String(), Steps: ct.Steps, Note: note,
		Amends: idText(ct.Amends), Renews: idText(ct.Renews)}
}

// Get returns a contract the actor may read.
func (c *ContractService) Get(ctx context.Context, actor, id ID) (Contract, error) {
	var out Contract
	err := c.read(ctx, actor, func(tx ReadTx, a User) error {
		ct, err := tx.Contracts().Get(ctx, id)
		if err != nil {
			return err
		}
		if !c.sees(a, ct.target()) {
			return hidden(KindContract, id)
		}
		out = ct
		return nil
	})
	return out, err
}

// List lists the contracts matching f that the actor may read.
func (c *ContractService) List(ctx context.Context, actor ID, f ContractFilter) iter.Seq2[Contract, error] {
	list := func(tx ReadTx, a User, p PageRequest) ([]Contract, error) {
		cf, ok := c.narrow(a, CustomerFilter{Owner: f.Owner, Team: f.Team})
		if !ok {
			return nil, nil
		}
		f.Owner, f.Team = cf.Owner, cf.Team
		return tx.Contracts().List(ctx, f, p)
	}
	keep := func(a User, ct Contract) bool { return c.policy.Authorize(a, ActionRead, ct.target()) == nil }
	return iterate(readPages(c.engine, ctx, actor, list, func(ct Contract) ID { return ct.ID }, keep))
}

// InvoiceInstallmentRequest invoices installment Installment (numbered
// from 1) of Contract's payment plan: the invoice's Number, the tax rate
// of its one line and its issue date (default today). A retry with the
// same IdempotencyKey returns the first invoice.
type InvoiceInstallmentRequest struct {
	Contract       ID              `json:"contract,omitzero"`
	Installment    int             `json:"installment"`
	Number         string          `json:"number,omitempty"`
	TaxRate        decimal.Decimal `json:"tax_rate,omitzero"`
	Issued         Date            `json:"issued,omitzero"`
	IdempotencyKey string          `json:"idempotency_key,omitempty"`
}

// touchContract loads a contract a write changes and checks that the
// actor may read it and its customer.
func (w *writeTx) touchContract(id ID) (Contract, error) {
	ct, err := w.tx.Contracts().Get(w.ctx, id)
	if err != nil {
		return Contract{}, err
	}
	if err := w.see(ct.target()); err != nil {
		return Contract{}, err
	}
	_, err = w.touchCustomer(ct.Customer)
	return ct, err
}
