package sqlstore

import (
	"context"

	"github.com/crmkit/crm"
)

// contractTable stores contracts: the amount in minor units beside its
// currency, the plan's template in a column and its installments, the
// approval steps and the decisions as JSON text. The derived next_due is
// the contract's NextDue (NULL for none), written with every version of
// the contract, so that it follows every change to the plan: an
// installment invoiced, a reversed invoice that frees one, a plan made
// again.
var contractTable = &recordTable[crm.Contract]{
	kind:  crm.KindContract,
	table: func(n names) string { return n.contracts },
	columns: []string{"id", "customer_id", "owner_id", "team", "title", "terms", "amount_minor", "amount_currency",
		"start_date", "end_date", "plan_template", "installments", "status", "submitter_id", "steps", "approvals",
		"signed_at", "created_at", "updated_at", "version", "drafted_by", "amends_id", "revision", "superseded_by", "renews_id"},
	derived: []string{"next_due"},
	id:      func(c crm.Contract) crm.ID { return c.ID },
	version: func(c crm.Contract) int64 { return c.Version },
	values: func(s *Store, c crm.Contract) ([]any, error) {
		amount, err := moneyArgList([]string{"amount"}, c.Amount)
		if err != nil {
			return nil, err
		}
		dates, err := dateArgs([]string{"start", "end", "next_due"}, c.Start, c.End, c.NextDue())
		if err != nil {
			return nil, err
		}
		installments, err := docsArg("plan.installments", c.Plan.Installments, toInstallmentDoc)
		if err != nil {
			return nil, err
		}
		steps, err := jsonArg(c.Steps)
		if err != nil {
			return nil, err
		}
		approvals, err := jsonArg(convert(c.Approvals, toApprovalDoc))
		if err != nil {
			return nil, err
		}
		head := []any{idArg(c.ID), idArg(c.Customer), idArg(c.Owner), c.Team, c.Title, c.Terms}
		return append(append(append(head, amount...), dates[:2]...), string(c.Plan.Template), installments,
			string(c.Status), idArg(c.Submitter), steps, approvals, s.optionalTimeArg(c.SignedAt),
			s.timeArg(c.CreatedAt), s.timeArg(c.UpdatedAt), c.Version, idArg(c.DraftedBy), idArg(c.Amends), c.Revision,
			idArg(c.SupersededBy), idArg(c.Renews), dates[2]), nil
	},
	dest: func(c *crm.Contract) []any {
		minor, currency := money(&c.Amount)
		return []any{&c.ID, &c.Customer, &c.Owner, &c.Team, &c.Title, &c.Terms, minor, currency, &c.Start, &c.End,
			&c.Plan.Template, checkedDocsCol[installmentDoc, crm.Installment]{&c.Plan.Installments, installmentDoc.installment},
			&c.Status, &c.Submitter, jsonCol{&c.Steps}, docsCol[approvalDoc, crm.Approval]{&c.Approvals, approvalDoc.approval},
			timeCol{&c.SignedAt}, timeCol{&c.CreatedAt}, timeCol{&c.UpdatedAt}, &c.Version, &c.DraftedBy, &c.Amends, &c.Revision,
			&c.SupersededBy, &c.Renews}
	},
}

// contractRepo implements crm.ContractRepository in one transaction.
type contractRepo struct{ repo[crm.Contract] }

// List implements crm.ContractReader with the rules of
// crm.ContractFilter.Match.
func (r contractRepo) List(ctx context.Context, f crm.ContractFilter, page crm.PageRequest) ([]crm.Contract, error) {
	var w where
	w.addIf(!f.Customer.IsZero(), "customer_id = ?", idArg(f.Customer))
	w.addIf(!f.Owner.IsZero(), "owner_id = ?", idArg(f.Owner))
	w.addIf(f.Team != "", "team = ?", f.Team)
	w.addIf(f.Status != "", "status = ?", string(f.Status))
	w.addIf(!f.Amends.IsZero(), "amends_id = ?", idArg(f.Amends))
	w.addIf(!f.Renews.IsZero(), "renews_id = ?", idArg(f.Renews))
	for _, d := range []struct {
		field, column string
		before        crm.Date
	}{{"start_before", "start_date", f.StartBefore}, {"end_before", "end_date", f.EndBefore}} {
		if d.before.IsZero() {
			continue
		}
		arg, err := dateArg(d.field, d.before)
		if err != nil {
			return nil, err
		}
		w.add(d.column+" < ?", arg) // a NULL end never matches
	}
	if !f.NextDueBy.IsZero() {
		arg, err := dateArg("next_due_by", f.NextDueBy)
		if err != nil {
			return nil, err
		}
		// The contracts due are found by their index (status, next_due) in
		// a subquery, then listed in ID order: asked for both at once, a
		// planner (SQLite's) walks every contract of the status in ID
		// order instead, to spare the sort of the few due. A NULL next due
		// (nothing left to invoice) never matches.
		var due where
		due.addIf(f.Status != "", "status = ?", string(f.Status))
		due.add("next_due <= ?", arg)
		w.add(r.key()+" IN (SELECT "+r.key()+" FROM "+r.name()+due.sql()+")", due.args...)
	}
	return r.list(ctx, w, page)
}
