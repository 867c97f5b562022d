package crm

import (
	"context"
	"time"
)

// Restriction of processing (Article 18 GDPR). A person may ask that the
// company keep their data but stop using it: while they contest its
// accuracy, while an objection is weighed, or when they need it kept for
// a legal claim of theirs instead of erased. A restricted customer's
// record and history stay, readable as before; what would use them is
// refused with a *RestrictedError (matching ErrRestricted) that changes
// nothing, and the CRM's automation and its reports about behaviour pass
// them over.
//
// Writes, one by one (Article 18(2) allows storage, processing with the
// person's consent, and processing for legal claims):
//
//	write                                          while restricted
//	Customers.Update (rectification, Art. 16)      allowed: correcting data is no use of it
//	Customers.Archive, Restore, Reassign,          allowed: keeping the record, and who keeps it,
//	  HandOver, Claim                                is storage
//	Customers.Erase                                allowed: the person may ask for erasure after all
//	Customers.SetLifecycle                         refused: marketing's view of the person
//	Experience.RecordInteraction(s)                refused
//	Ladder.RecordEvidence                          refused
//	Cases.Open, Start, HandOff, Resolve,           refused: a case is service to the person; the
//	  Reopen, Close                                  application records a complaint about the
//	                                                 restriction itself elsewhere
//	Deals.Open and every change of a deal          refused (this covers campaign attribution,
//	                                                 which a new deal takes from its customer)
//	Activities.Log and every change of one         refused
//	Contracts.Draft, Amend, Renew                  refused: new commitments
//	steps of an existing contract (approve,        allowed: performing a contract already made is
//	  sign, invoice its plan, end it)                what the company's legal claims rest on
//	Ledger (invoices, payments, allocations,       allowed: establishing and collecting what is
//	  credit notes, corrections) and dunning         owed is processing for legal claims (Art. 18(2))
//
// Evidence the CRM would weigh on the ladder on its own (a won deal, a
// payment, a dunning level, a broken promise, a case overdue;
// FactEvidence) is not weighed for a restricted customer: the receivable
// is kept, the behavioural profile is not updated. CaseService's sweeps
// (CheckPromises, CheckOverdue) still mark an open case's promise broken
// or its step overdue: that is a fact about the company's service, kept
// in the case, not a use of the person's data.
//
// Automation and reports pass restricted customers over: the ladder's
// fading sweep (LadderService.CheckFading; fading catches up once the
// restriction is lifted, dated when it happened), the public pool's sweep
// (CustomerService.ReturnIdle), the retention sweep (ApplyRetention, see
// RetentionRule), the key accounts untouched in a work report, the
// experience analytics (ExperienceService.Stats, PainPoints,
// MomentsOfTruth, TouchpointStats, CaseService.Stats), the distribution
// on the ladder and its movers, and customer listings unless the filter
// asks for them (CustomerFilter.Restricted, for the privacy officer).
// Receivables reports (aging, statements, collections) and sales figures
// of deals closed before the restriction keep them: the first are the
// legal claim, the second the company's own books, not a profile.

// RestrictionRequest restricts the processing of Customer's data, or
// lifts the restriction, for Reason (required, kept in the log: what the
// person asked and why).
type RestrictionRequest struct {
	Customer ID     `json:"customer,omitzero"`
	Reason   string `json:"reason,omitempty" privacy:"personal"`
}

// Restrict restricts the processing of a customer's data: the record is
// kept, and the writes and sweeps listed above leave it alone until
// LiftRestriction. It is recorded as CustomerRestricted with the reason.
// Restricting a restricted customer changes nothing. By default it is an
// admin's (ActionRestrict).
func (c *CustomerService) Restrict(ctx context.Context, actor ID, r RestrictionRequest) (Customer, error) {
	return c.restriction(ctx, actor, r, CustomerRestricted, func(now time.Time) time.Time { return now })
}

// LiftRestriction lets the customer's data be processed again, recorded
// as CustomerRestrictionLifted with the reason. The person must be told
// before it is lifted (Article 18(3) GDPR); that is the application's to
// do. Lifting a restriction that is not there changes nothing.
func (c *CustomerService) LiftRestriction(ctx context.Context, actor ID, r RestrictionRequest) (Customer, error) {
	return c.restriction(ctx, actor, r, CustomerRestrictionLifted, func(time.Time) time.Time { return time.Time{} })
}

// restriction sets the customer's RestrictedAt to since(now) and records
// typ, unless that changes nothing.
func (c *CustomerService) restriction(ctx context.Context, actor ID, r RestrictionRequest, typ EventType,
	since func(now time.Time) time.Time) (Customer, error) {
	reason, err := cleanText("reason", r.Reason, maxLongTextLen, true)
	if err != nil {
		return Customer{}, err
	}
	var out Customer
	err = c.write(ctx, actor, func(w *writeTx) error {
		before, err := w.touchCustomer(r.Customer)
		if err != nil {
			return err
		}
		if err := w.authorize(ActionRestrict, before.target()); err != nil {
			return err
		}
		if out = before; before.RestrictedAt.IsZero() == since(w.now).IsZero() {
			return nil
		}
		after := before.Clone()
		after.RestrictedAt = since(w.now)
		out, err = w.saveCustomer(before, after, typ, reason)
		return err
	})
	return out, err
}

// Restricted reports whether processing of the customer's data is
// restricted.
func (c Customer) Restricted() bool { return !c.RestrictedAt.IsZero() }

// processing refuses a write that would process the data of a restricted
// customer; write says what it is, for the error.
func processing(cu Customer, write string) error {
	if !cu.Restricted() {
		return nil
	}
	return &RestrictedError{Customer: cu.ID, Since: cu.RestrictedAt, Write: write}
}
