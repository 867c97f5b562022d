package crm

import (
	"context"
	"fmt"
	"slices"
)

// Revise changes a draft's terms: one never submitted, or one a rejection
// sent back, which is changed before it is submitted again rather than
// resubmitted as it was. Only drafts are revised; who may update the
// contract revises it, at the version named (IfVersion). A change to the
// amount, start, template or options plans the installments again
// (ContractChanges). The changes are recorded as a ContractRevised event
// with the reason; the next submission computes the approval steps from
// the new amount, and the approvals start over. Changes that change
// nothing write nothing.
func (c *ContractService) Revise(ctx context.Context, actor ID, p ContractPatch) (Contract, error) {
	var out Contract
	err := c.write(ctx, actor, func(w *writeTx) error {
		before, err := w.touchContract(p.Contract)
		if err != nil {
			return err
		}
		if err := checkVersion(KindContract, before.ID, p.IfVersion, before.Version); err != nil {
			return err
		}
		if err := w.authorize(ActionUpdate, before.target()); err != nil {
			return err
		}
		if _, err := contractMachine.Next(before.Status, ContractRevise); err != nil {
			return err
		}
		r, err := w.replanOf(before)
		if err != nil {
			return err
		}
		after := before.Clone()
		cs, err := p.Changes.apply(&after, r)
		if err != nil || len(cs) == 0 {
			out = before
			return err
		}
		if out, err = w.storeContract(before, after); err != nil {
			return err
		}
		return w.record(ContractRevised, KindContract, out.ID, out.Version, ChangeSet{Changes: cs, Reason: p.Reason})
	})
	return out, err
}

// replanOf says how a draft's installments are planned again: from its
// start, with the options its installments not invoiced had. An
// amendment carries what the contract it amends has invoiced by now, and
// is planned again whenever that changed since it was drafted, so that
// an installment invoiced meanwhile is carried instead of planned twice.
func (w *writeTx) replanOf(ct Contract) (replan, error) {
	_, open := ct.Plan.invoiced()
	r := replan{from: ct.Start, options: optionsOf(open, ct.Start)}
	if ct.Amends.IsZero() {
		return r, nil
	}
	if len(open) > 0 {
		r.options = optionsOf(open, open[0].Due)
	}
	orig, err := w.tx.Contracts().Get(w.ctx, ct.Amends)
	if err != nil {
		return replan{}, err
	}
	r.carried, _ = orig.Plan.invoiced()
	done, _ := ct.Plan.invoiced()
	r.force = !slices.EqualFunc(done, r.carried, sameInstallment)
	return r, nil
}

// Amend drafts an amendment of an active (signed) contract, for a reason,
// which is required. The amendment is a new contract that references the
// one it amends (Amends, Revision one more than its) and is approved
// like any other: the same rules, steps from its amount, four eyes. It
// takes effect at Changes.Start (default today); its other terms are the
// contract's unless changed.
//
// The rule for the payment plan: installments invoiced so far are carried
// over as they are, with their invoices (which stay owed and keep
// pointing at the contract they were issued for); only the others are
// planned again, for what the invoiced ones leave of the amount, and only
// when the amount, start, template or options change. An amendment
// cannot take the amount below what was invoiced: that is a credit
// note's job.
//
// Signing the amendment supersedes the contract, in the same write: the
// contract's status becomes superseded (SupersededBy names the
// amendment), so it is no longer invoiced, and the amendment is. Signing
// is refused with a ConflictError when the contract has had installments
// invoiced since the amendment was drafted (revise the draft, which
// carries them, or draft another amendment), and with a TransitionError
// when it is no longer active: of two amendments, the first signed wins.
func (c *ContractService) Amend(ctx context.Context, actor ID, r AmendContractRequest) (Contract, error) {
	if _, err := cleanText("reason", r.Reason, maxLongTextLen, true); err != nil {
		return Contract{}, err
	}
	return c.derive(ctx, actor, r.Contract, r.IfVersion, r.Changes, r.Reason, func(w *writeTx, orig Contract, next *Contract) (replan, error) {
		if !contractMachine.Can(orig.Status, ContractSupersede) {
			return replan{}, &TransitionError{Machine: contractMachine.Name(), From: string(orig.Status), Event: "amend",
				Reason: "only an active (signed) contract is amended"}
		}
		next.Amends, next.Revision = orig.ID, orig.Revision+1
		next.Start, next.End, next.Plan = w.today(), orig.End, orig.Plan
		done, open := orig.Plan.invoiced()
		base := next.Start
		if len(open) > 0 {
			base = open[0].Due
		}
		return replan{carried: done, from: next.Start, options: optionsOf(open, base)}, nil
	})
}

// Renew drafts the next term of an active contract with an end date: a
// new contract that references it (Renews), from the day after its end
// to, by default, as far again (as many whole months when the term was
// whole months, else as many days), for the same customer, owner, title,
// terms, amount and plan unless changed. The renewal is approved like
// any other; once it is signed, the contract it renews still runs to its
// end and then expires as usual (ExpireDue). A contract is renewed once:
// a second renewal is refused, at drafting and at signing, when another
// one was signed.
func (c *ContractService) Renew(ctx context.Context, actor ID, r RenewContractRequest) (Contract, error) {
	return c.derive(ctx, actor, r.Contract, r.IfVersion, r.Changes, r.Reason, func(w *writeTx, orig Contract, next *Contract) (replan, error) {
		switch {
		case orig.Status != ContractActive:
			return replan{}, &TransitionError{Machine: contractMachine.Name(), From: string(orig.Status), Event: "renew",
				Reason: "only an active contract is renewed"}
		case orig.End.IsZero():
			return replan{}, invalid("end", "required", "a contract without an end has no next term")
		}
		if err := w.renewedOnce(orig.ID, ID{}); err != nil {
			return replan{}, err
		}
		if !r.Owner.IsZero() {
			owner, err := w.assignableOwner(r.Owner)
			if err != nil {
				return replan{}, err
			}
			next.Owner, next.Team = owner.ID, owner.Team
		}
		next.Renews = orig.ID
		next.Start = orig.End.AddDays(1)
		if r.Changes.Start != nil && r.Changes.Start.IsValid() {
			next.Start = *r.Changes.Start
		}
		next.End = renewalEnd(orig.Start, orig.End, next.Start)
		next.Plan = PaymentPlan{Template: orig.Plan.Template}
		ins := slices.SortedStableFunc(slices.Values(orig.Plan.Installments), func(a, b Installment) int { return a.Due.Compare(b.Due) })
		return replan{from: next.Start, options: optionsOf(ins, orig.Start), force: true}, nil
	})
}

// derive drafts a contract from another (an amendment or a renewal):
// the customer, owner, title, terms and amount of orig, which shape sets
// up further and the changes then change; a draft, whose approval starts
// from nothing, recorded as drafted with the reason and the changes.
func (c *engine) derive(ctx context.Context, actor, id ID, ifVersion int64, changes ContractChanges, reason string,
	shape func(w *writeTx, orig Contract, next *Contract) (replan, error)) (Contract, error) {
	var out Contract
	err := c.write(ctx, actor, func(w *writeTx) error {
		orig, err := w.touchContract(id)
		if err != nil {
			return err
		}
		if _, err := w.touchActiveCustomer(orig.Customer, "amend or renew a contract"); err != nil {
			return err
		}
		if err := checkVersion(KindContract, orig.ID, ifVersion, orig.Version); err != nil {
			return err
		}
		next := Contract{Customer: orig.Customer, Owner: orig.Owner, Team: orig.Team, DraftedBy: w.actor.ID, Title: orig.Title,
			Terms: orig.Terms, Amount: orig.Amount, Status: contractMachine.Initial(), CreatedAt: w.now, UpdatedAt: w.now, Version: 1}
		r, err := shape(w, orig, &next)
		if err != nil {
			return err
		}
		if next.ID, err = w.newID(); err != nil {
			return err
		}
		if err := w.authorize(ActionCreate, next.target()); err != nil {
			return err
		}
		cs, err := changes.apply(&next, r)
		if err != nil {
			return err
		}
		if err := w.tx.Contracts().Insert(w.ctx, next); err != nil {
			return err
		}
		data := contractData(next, "", reason)
		data.Changes = cs
		out = next
		return w.record(ContractDrafted, KindContract, next.ID, 1, data)
	})
	return out, err
}

// amended returns the contract an amendment amends, which must still be
// active and carry no installment invoiced that the amendment does not
// (the check of submitting and signing it); the zero Contract for a
// contract that amends none.
func (w *writeTx) amended(ct Contract, move ContractEvent) (Contract, error) {
	if ct.Amends.IsZero() {
		return Contract{}, nil
	}
	orig, err := w.tx.Contracts().Get(w.ctx, ct.Amends)
	if err != nil {
		return Contract{}, err
	}
	if orig.Status != ContractActive {
		return Contract{}, &TransitionError{Machine: contractMachine.Name(), From: string(ct.Status), Event: string(move),
			Reason: fmt.Sprintf("the contract it amends, %s, is %s", orig.ID, orig.Status)}
	}
	done, _ := orig.Plan.invoiced()
	mine, _ := ct.Plan.invoiced()
	for _, in := range done {
		if !slices.ContainsFunc(mine, func(m Installment) bool { return sameInstallment(m, in) }) {
			return Contract{}, stale{&ConflictError{Kind: KindContract, ID: ct.ID.String(), Detail: fmt.Sprintf(
				"installment %d of contract %s was invoiced after this amendment was drafted: revise the draft to carry it, or draft another amendment",
				in.Number, orig.ID)}}
		}
	}
	return orig, nil
}

// supersede marks the contract a signed amendment amends superseded by
// it.
func (w *writeTx) supersede(amendment Contract) error {
	orig, err := w.amended(amendment, ContractSign)
	if err != nil || orig.ID.IsZero() {
		return err
	}
	after := orig.Clone()
	if after.Status, err = contractMachine.Next(orig.Status, ContractSupersede); err != nil {
		return err
	}
	after.SupersededBy = amendment.ID
	_, err = w.saveContract(orig, after, ContractSupersede, "amended by "+amendment.ID.String())
	return err
}

// renewedOnce refuses a renewal of contract when another renewal of it
// (other than self) was signed; nothing for the zero contract.
func (w *writeTx) renewedOnce(contract, self ID) error {
	if contract.IsZero() {
		return nil
	}
	page := PageRequest{Limit: MaxPageSize}
	for {
		rs, err := w.tx.Contracts().List(w.ctx, ContractFilter{Renews: contract}, page)
		if err != nil {
			return err
		}
		for _, r := range rs {
			if r.ID != self && !r.SignedAt.IsZero() {
				return stale{&ConflictError{Kind: KindContract, ID: contract.String(), Detail: fmt.Sprintf("renewed already by contract %s", r.ID)}}
			}
		}
		if len(rs) < page.Limit {
			return nil
		}
		page.After = rs[len(rs)-1].ID
	}
}
