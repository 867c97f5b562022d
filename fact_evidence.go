package crm

// FactEvidence says which of the CRM's own records become evidence on the
// loyalty ladder, so that the application need not tell the library
// again what it already holds. DefaultFactEvidence turns every one on;
// the zero value turns them all off.
//
// Evidence from a record names it (Evidence.Source and SourceID) and is
// weighed once per record: a deal reopened and won again, a payment
// retried with its idempotency key, or an invoice settled, reopened by a
// reversal and settled again is not weighed a second time. Evidence is
// append-only: a reversal does not take it back.
type FactEvidence struct {
	// DealWon: a won deal is a purchase by its customer, at the win, and
	// so wins a lost customer back (DealService.Win).
	DealWon bool `json:"deal_won,omitempty"`
	// Payments: an invoice settled by a payment is EvidencePaidOnTime when
	// the allocation that settles it is effective by the invoice's due day
	// (a business day), and EvidencePaidLate, with how late, after it. An
	// invoice settled by a credit note or written off is no payment and
	// no evidence.
	Payments bool `json:"payments,omitempty"`
	// Dunning: each dunning level an invoice reaches is evidence: the last
	// one EvidenceDunned, the ones before it EvidenceReminded
	// (ReceivableService.Dun).
	Dunning bool `json:"dunning,omitempty"`
	// ContractTerminated: a terminated contract is churn, unless the
	// customer holds another active contract (ContractService.Terminate).
	ContractTerminated bool `json:"contract_terminated,omitempty"`
	// ContractEnded: an active contract that expires at its end is a
	// subscription ended and is churn, unless the customer holds another
	// active contract or the contract has a renewal not yet ended
	// (ContractService.Expire and ExpireDue).
	ContractEnded bool `json:"contract_ended,omitempty"`
}

// DefaultFactEvidence returns every fact on: the CRM knows these things,
// and a ladder that ignores them asks the application to repeat them.
func DefaultFactEvidence() FactEvidence {
	return FactEvidence{DealWon: true, Payments: true, Dunning: true, ContractTerminated: true, ContractEnded: true}
}

// WithFactEvidence replaces DefaultFactEvidence: WithFactEvidence(FactEvidence{})
// leaves the ladder to the evidence the application records.
func WithFactEvidence(f FactEvidence) Option { return func(o *options) { o.facts = &f } }
