package crm

import "context"

// AccountingReader reads the ledger's lock date.
type AccountingReader interface {
	// PeriodLock returns the lock date; a ledger never closed has the zero
	// PeriodLock. In a write transaction of a store where writers run
	// concurrently (PostgreSQL), the lock read stays true until the
	// transaction ends: the store holds it against a close (FOR SHARE), so
	// that a posting checked against it cannot commit into a period closed
	// meanwhile.
	PeriodLock(ctx context.Context) (PeriodLock, error)
}

// AccountingRepository keeps the lock date and the numbering series.
type AccountingRepository interface {
	AccountingReader
	// SavePeriodLock saves the next version of the lock; it fails with a
	// *ConflictError unless the stored version is l.Version - 1 (0 for a
	// ledger never closed).
	SavePeriodLock(ctx context.Context, l PeriodLock) error
	// NextNumber takes the next number of a series in a year, from 1,
	// gapless: the number is taken in the transaction, so a transaction
	// that does not commit gives it back, and a second transaction taking
	// from the series waits for the first to end.
	NextNumber(ctx context.Context, series string, year int) (int64, error)
	// NextNumbers takes the next n numbers (n >= 1) of a series in a year
	// at once, as n calls of NextNumber would, and returns the first.
	NextNumbers(ctx context.Context, series string, year int, n int) (int64, error)
}
