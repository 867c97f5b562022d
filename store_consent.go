package crm

import (
	"context"
	"time"
)

// ConsentReader reads consent records.
type ConsentReader interface {
	// Latest returns the record that decides the consent of a customer
	// (contact zero) or of one of its contact persons for purpose at a
	// time: the last by CompareConsent of their records for the purpose
	// with At not after at (LatestConsent), or a *NotFoundError when there
	// is none. SQL adapters find it by an index, without reading the rest
	// of the history.
	Latest(ctx context.Context, customer, contact ID, purpose string, at time.Time) (Consent, error)
	// List returns a page of the records passing f (ConsentFilter.Match),
	// in ID order: the order they were recorded.
	List(ctx context.Context, f ConsentFilter, page PageRequest) ([]Consent, error)
}

// ConsentRepository reads and appends consent records. There is no update
// and no delete: a change of mind is a new record.
type ConsentRepository interface {
	ConsentReader
	// Insert appends a record; an existing ID is a *ConflictError.
	Insert(ctx context.Context, c Consent) error
	// ErasePersonal overwrites the personal fields of the stored record
	// (Source and Proof) with c's, and nothing else: what an erasure of
	// the person leaves of their consent is that they decided, for what
	// and when. An unknown ID is a *NotFoundError.
	ErasePersonal(ctx context.Context, c Consent) error
}
