package crm

import "context"

// DunningReader reads invoices' dunning records.
type DunningReader interface {
	// Get returns the dunning record of an invoice, or a *NotFoundError
	// (Kind KindDunning) when the invoice was never dunned.
	Get(ctx context.Context, invoice ID) (DunningRecord, error)
	// List returns a page of the records matching f, in invoice ID order.
	List(ctx context.Context, f DunningFilter, page PageRequest) ([]DunningRecord, error)
}

// DunningRepository reads and writes dunning records, keyed by invoice.
// Upsert inserts a record of version 1, which must be new (an existing
// one is a *ConflictError), and replaces one of any other version whose
// stored version is the one before it (any other stored version is a
// *ConflictError, a missing record a *NotFoundError): the version rules
// of CustomerRepository, in one method, as LadderRepository.SaveState.
type DunningRepository interface {
	DunningReader
	Upsert(ctx context.Context, r DunningRecord) error
}
