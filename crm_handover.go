package crm

// A customer belongs to the company, not to the rep who found them: when
// a customer changes owner, the work in progress on them changes owner
// with them, in the same transaction, as Salesforce's account transfer
// moves open opportunities and cases. Otherwise the new owner may not
// move the deal on their own customer, and the old owner's follow-ups
// stay overdue under a name nobody answers to.
//
// What moves: the customer's open deals and contracts in progress owned
// by the old owner, its open cases assigned to them, and their pending
// follow-ups on it, each to the new owner and the new owner's team, each
// recorded as an event on the record. What stays: closed deals, ended
// contracts and resolved cases keep who did them, so that the history
// stays true. The actor needs the reassign grant on every record moved,
// as it is and as it will be: one record they may not move refuses the
// whole command, and nothing changes.

// handOver collects what a reassignment moved and left.
type handOver struct {
	w      *writeTx
	to     User
	reason string
	report *HandOverReport
}

// customer gives cu to h.to with its work in progress.
func (h *handOver) customer(cu Customer) (Customer, error) {
	from := cu.Owner
	out, err := h.w.reassign(cu, h.to, h.reason)
	if err != nil {
		return Customer{}, err
	}
	if out.Version != cu.Version {
		h.report.Moved.Customers++
		h.moved(HandOverItem{Kind: KindCustomer, ID: cu.ID, Customer: cu.ID, Title: cu.Name})
	}
	if from == h.to.ID || from.IsZero() {
		return out, nil
	}
	for _, step := range []func(ID, ID) error{h.deals, h.contracts, h.cases, h.followUps} {
		if err := step(cu.ID, from); err != nil {
			return Customer{}, err
		}
	}
	return out, nil
}

func (h *handOver) moved(it HandOverItem) {
	if len(h.report.MovedItems) < MaxHandOverItems {
		h.report.MovedItems = append(h.report.MovedItems, it)
	}
}

func (h *handOver) stayed(it HandOverItem) {
	if len(h.report.StayedItems) < MaxHandOverItems {
		h.report.StayedItems = append(h.report.StayedItems, it)
	}
}

// may checks the reassign grant on a record as it is and as it will be.
func (h *handOver) may(before, after Target) error {
	if err := h.w.authorize(ActionReassign, before); err != nil {
		return err
	}
	return h.w.authorize(ActionReassign, after)
}

// ownerChanges is the change set of a record given to h.to.
func (h *handOver) ownerChanges(field string, fromOwner ID, fromTeam, toTeam string, team bool) ChangeSet {
	var cs changes
	cs.add(field, fromOwner, h.to.ID)
	if team {
		cs.add("team", fromTeam, toTeam)
	}
	return ChangeSet{Changes: cs, Reason: h.reason}
}

// eachPage calls fn with every record list returns, a page at a time,
// in ID order; fn may change what list matches.
func eachPage[T any](list func(PageRequest) ([]T, error), id func(T) ID, fn func(T) error) error {
	page := PageRequest{Limit: MaxPageSize}
	for {
		batch, err := list(page)
		if err != nil {
			return err
		}
		for _, v := range batch {
			if err := fn(v); err != nil {
				return err
			}
		}
		if len(batch) < page.Limit {
			return nil
		}
		page.After = id(batch[len(batch)-1])
	}
}

func (h *handOver) deals(customer, from ID) error {
	w := h.w
	list := func(p PageRequest) ([]Deal, error) {
		return w.tx.Deals().List(w.ctx, DealFilter{Customer: customer, Owner: from}, p)
	}
	return eachPage(list, func(d Deal) ID { return d.ID }, func(d Deal) error {
		item := HandOverItem{Kind: KindDeal, ID: d.ID, Customer: customer, Title: d.Title}
		if d.Status != DealOpen {
			h.report.Stayed.Deals++
			item.Reason = StayClosedDeal
			h.stayed(item)
			return nil
		}
		after := d.Clone()
		after.Owner, after.Team = h.to.ID, h.to.Team
		if err := h.may(d.target(), after.target()); err != nil {
			return err
		}
		after.UpdatedAt, after.Version = w.now, d.Version+1
		if err := w.tx.Deals().Update(w.ctx, after); err != nil {
			return err
		}
		h.report.Moved.Deals++
		h.moved(item)
		return w.record(DealReassigned, KindDeal, d.ID, after.Version, h.ownerChanges("owner", d.Owner, d.Team, after.Team, true))
	})
}

// inProgress reports whether a contract is still being worked on: not
// completed, terminated, expired or superseded.
func (c Contract) inProgress() bool {
	switch c.Status {
	case ContractCompleted, ContractTerminated, ContractExpired, ContractSuperseded:
		return false
	}
	return true
}

func (h *handOver) contracts(customer, from ID) error {
	w := h.w
	list := func(p PageRequest) ([]Contract, error) {
		return w.tx.Contracts().List(w.ctx, ContractFilter{Customer: customer, Owner: from}, p)
	}
	return eachPage(list, func(c Contract) ID { return c.ID }, func(c Contract) error {
		item := HandOverItem{Kind: KindContract, ID: c.ID, Customer: customer, Title: c.Title}
		if !c.inProgress() {
			h.report.Stayed.Contracts++
			item.Reason = StayEndedContract
			h.stayed(item)
			return nil
		}
		after := c.Clone()
		after.Owner, after.Team = h.to.ID, h.to.Team
		if err := h.may(c.target(), after.target()); err != nil {
			return err
		}
		after.UpdatedAt, after.Version = w.now, c.Version+1
		if err := w.tx.Contracts().Update(w.ctx, after); err != nil {
			return err
		}
		h.report.Moved.Contracts++
		h.moved(item)
		return w.record(ContractReassigned, KindContract, c.ID, after.Version, h.ownerChanges("owner", c.Owner, c.Team, after.Team, true))
	})
}

// caseOpen reports whether a case still waits for someone: not resolved
// or closed.
func caseOpen(c Case) bool { return c.Status != CaseResolved && c.Status != CaseClosed }

// caseTarget is the policy's view of a case being reassigned: its
// assignee's, in its customer's team.
func caseTarget(c Case, team string) Target {
	return Target{Kind: KindCase, ID: c.ID, Owner: c.Assignee, Team: team}
}

func (h *handOver) cases(customer, from ID) error {
	w := h.w
	cu, err := w.tx.Customers().Get(w.ctx, customer)
	if err != nil {
		return err
	}
	list := func(p PageRequest) ([]Case, error) {
		return w.tx.Cases().List(w.ctx, CaseFilter{Customer: customer, Assignee: from}, p)
	}
	return eachPage(list, func(c Case) ID { return c.ID }, func(c Case) error {
		item := HandOverItem{Kind: KindCase, ID: c.ID, Customer: customer, Title: c.Subject}
		if !caseOpen(c) {
			h.report.Stayed.Cases++
			item.Reason = StayResolvedCase
			h.stayed(item)
			return nil
		}
		after := c
		after.Assignee = h.to.ID
		if err := h.may(caseTarget(c, cu.Team), caseTarget(after, h.to.Team)); err != nil {
			return err
		}
		after.UpdatedAt, after.Version = w.now, c.Version+1
		if err := w.tx.Cases().Update(w.ctx, after); err != nil {
			return err
		}
		h.report.Moved.Cases++
		h.moved(item)
		return w.record(CaseReassigned, KindCase, c.ID, after.Version, h.ownerChanges("assignee", c.Assignee, "", "", false))
	})
}

func (h *handOver) followUps(customer, from ID) error {
	w := h.w
	list := func(p PageRequest) ([]Activity, error) {
		return w.tx.Activities().List(w.ctx, ActivityFilter{Customer: customer, Owner: from, Pending: true}, p)
	}
	return eachPage(list, func(a Activity) ID { return a.ID }, func(a Activity) error {
		after := a
		after.Owner, after.Team = h.to.ID, h.to.Team
		if err := h.may(a.target(), after.target()); err != nil {
			return err
		}
		after.UpdatedAt, after.Version = w.now, a.Version+1
		if err := w.tx.Activities().Update(w.ctx, after); err != nil {
			return err
		}
		h.report.Moved.FollowUps++
		h.moved(HandOverItem{Kind: KindActivity, ID: a.ID, Customer: customer, Title: a.Subject})
		return w.record(ActivityReassigned, KindActivity, a.ID, after.Version, h.ownerChanges("owner", a.Owner, a.Team, after.Team, true))
	})
}
