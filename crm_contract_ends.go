package crm

import (
	"context"
	"fmt"
)

// Complete closes an active contract. Every installment must be invoiced
// and settled, nothing open on its invoice by the ledger: then the owner
// (or who else may update the contract) or finance completes it. A
// contract with installments not invoiced or not settled is refused with
// an *UnsettledContractError naming them, unless the request gives a
// reason: closing a contract short is a decision for a manager of its
// team, finance or an admin (the approve grant), and the reason is
// recorded in the event with what was left.
func (c *ContractService) Complete(ctx context.Context, actor ID, r CompleteContractRequest) (Contract, error) {
	reason, err := cleanText("reason", r.Reason, maxLongTextLen, false)
	if err != nil {
		return Contract{}, err
	}
	var out Contract
	err = c.write(ctx, actor, func(w *writeTx) error {
		before, err := w.touchContract(r.Contract)
		if err != nil {
			return err
		}
		after := before.Clone()
		if after.Status, err = contractMachine.Next(before.Status, ContractComplete); err != nil {
			return err
		}
		open, err := w.tx.Ledger().OpenItems(w.ctx, before.Customer, Date{})
		if err != nil {
			return err
		}
		note := reason
		switch short := before.unsettled(open); {
		case short == nil:
			err = w.authorizeAny(before.target(), ActionUpdate, ActionBill)
		case reason == "":
			err = short
		default:
			err = w.authorize(ActionApprove, before.target())
			note = fmt.Sprintf("%s (closed short: %s)", reason, shortText(short.(*UnsettledContractError)))
		}
		if err != nil {
			return err
		}
		out, err = w.saveContract(before, after, ContractComplete, note)
		return err
	})
	return out, err
}

// shortText says which installments a contract closed short left.
func shortText(e *UnsettledContractError) string {
	return fmt.Sprintf("installments %v not invoiced, %v not settled", e.NotInvoiced, e.Unsettled)
}

// authorizeAny passes when the policy grants any of the actions on t, and
// otherwise returns the refusal of the first.
func (w *writeTx) authorizeAny(t Target, actions ...Action) error {
	var first error
	for _, a := range actions {
		err := w.authorize(a, t)
		if err == nil {
			return nil
		}
		if first == nil {
			first = err
		}
	}
	return first
}

// Terminate ends an active contract before its end, for a reason, which
// is required: a manager of the contract's team, finance or an admin
// decides it (the approve grant). What was invoiced stays owed; the rest
// of the plan is dropped. Unless the customer holds another active
// contract, the termination is churn on their loyalty ladder
// (FactEvidence.ContractTerminated).
func (c *ContractService) Terminate(ctx context.Context, actor ID, r TerminateContractRequest) (Contract, error) {
	reason, err := cleanText("reason", r.Reason, maxLongTextLen, true)
	if err != nil {
		return Contract{}, err
	}
	return c.moveContract(ctx, actor, r.Contract, ActionApprove, ContractTerminate, reason, func(w *writeTx, ct *Contract) error {
		if !w.crm.facts.ContractTerminated {
			return nil
		}
		return w.contractEnded(*ct, w.now, fmt.Sprintf("contract %s terminated: %s", cmpOr(ct.Title, ct.ID.String()), reason))
	})
}

// Expire expires a contract whose date has passed, by the business
// calendar: approved and never signed once its start passed, active once
// its end passed. Any earlier it is refused with a *TransitionError that
// says when: ending a contract early is a termination. ExpireDue expires
// every such contract. An active contract that expires is a subscription
// ended: churn on the customer's loyalty ladder unless they hold another
// active contract or a renewal goes on (FactEvidence.ContractEnded).
func (c *ContractService) Expire(ctx context.Context, actor ID, r ExpireContractRequest) (Contract, error) {
	var out Contract
	err := c.write(ctx, actor, func(w *writeTx) error {
		ct, err := w.touchContract(r.Contract)
		if err != nil {
			return err
		}
		out, err = w.expire(ct)
		return err
	})
	return out, err
}

// expire expires ct if the actor may update it and its date has passed.
func (w *writeTx) expire(ct Contract) (Contract, error) {
	if err := w.authorize(ActionUpdate, ct.target()); err != nil {
		return Contract{}, err
	}
	if err := ct.expiry(w.today()); err != nil {
		return Contract{}, err
	}
	after := ct.Clone()
	after.Status = ContractExpired
	note := fmt.Sprintf("end %s passed", ct.End)
	if ct.Status == ContractApproved {
		note = fmt.Sprintf("start %s passed unsigned", ct.Start)
	}
	out, err := w.saveContract(ct, after, ContractExpire, note)
	if err != nil || ct.Status != ContractActive || !w.crm.facts.ContractEnded {
		return out, err
	}
	return out, w.contractEnded(ct, w.factAt(ct.End.AddDays(1)),
		fmt.Sprintf("contract %s ended %s", cmpOr(ct.Title, ct.ID.String()), ct.End))
}

// ExpireDue is the sweep to run daily: it expires the contracts the actor
// sees whose date has passed by the business calendar (approved ones
// never signed by their start, active ones past their end), each with its
// event, the actor needing the update grant on each, in one transaction.
// It expires at most the request's limit and reports whether more are
// due; run again, it finds only what fell due since.
func (c *ContractService) ExpireDue(ctx context.Context, actor ID, r ExpireDueRequest) (ExpiryReport, error) {
	limit := PageRequest{Limit: r.Limit}.Normalized().Limit
	if r.Limit < 0 {
		return ExpiryReport{}, invalid("limit", "non_negative", "")
	}
	var out ExpiryReport
	err := c.write(ctx, actor, func(w *writeTx) error {
		out = ExpiryReport{}
		today := w.today()
		scope, ok := c.narrow(w.actor, CustomerFilter{})
		if !ok {
			return nil
		}
		filters := []ContractFilter{{Status: ContractApproved, StartBefore: today}, {Status: ContractActive, EndBefore: today}}
		for i := range filters {
			filters[i].Owner, filters[i].Team = scope.Owner, scope.Team
		}
		for _, f := range filters {
			if len(out.Expired) == limit {
				break
			}
			due, err := w.tx.Contracts().List(w.ctx, f, PageRequest{Limit: limit - len(out.Expired)})
			if err != nil {
				return err
			}
			for _, ct := range due {
				ct, err := w.expire(ct)
				if err != nil {
					return err
				}
				out.Expired = append(out.Expired, ct)
			}
		}
		if len(out.Expired) < limit {
			return nil
		}
		for _, f := range filters { // what is left after this sweep
			left, err := w.tx.Contracts().List(w.ctx, f, PageRequest{Limit: 1})
			if err != nil {
				return err
			}
			out.More = out.More || len(left) > 0
		}
		return nil
	})
	return out, err
}
