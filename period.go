package crm

import (
	"errors"
	"fmt"
	"time"
)

// ErrPeriodClosed: a document, allocation or reversal is dated on or
// before the ledger's lock date, in a period finance has closed.
var ErrPeriodClosed = errors.New("crm: period closed")

// PeriodLock is the ledger's lock date: once finance has closed the books
// through a day, nothing is posted on or before it, so that every report
// as of a closed day stays what it was when the period was closed (and
// what was filed with the tax office or the auditors). A correction of a
// closed period is posted in the open one: a reversal counts on the day it
// is made, never back in the closed period. The zero PeriodLock (Version
// 0) is a ledger never closed.
//
// Accountants call it the lock date (Xero, Odoo) or the period close
// (SAP's posting periods, ERPNext's "Accounts Frozen Till Date" and its
// Period Closing Voucher); crmkit keeps the one date every posting checks.
type PeriodLock struct {
	LockedThrough Date      `json:"locked_through,omitzero"`         // the last closed day
	Reason        string    `json:"reason,omitempty" privacy:"none"` // why it was last moved
	UpdatedBy     ID        `json:"updated_by,omitzero"`
	UpdatedAt     time.Time `json:"updated_at,omitzero"`
	Version       int64     `json:"version"`
}

// Closed reports whether day falls in a closed period: on or before the
// lock date.
func (l PeriodLock) Closed(day Date) bool {
	return !l.LockedThrough.IsZero() && !day.After(l.LockedThrough)
}

// ClosePeriodRequest moves the ledger's lock date to Through: forward to
// close the books through that day, or back to reopen a period (rare, and
// recorded with its reason like every move). IfVersion, when set, is the
// lock's version the caller saw.
type ClosePeriodRequest struct {
	Through   Date   `json:"through,omitzero"`
	Reason    string `json:"reason,omitempty"`
	IfVersion int64  `json:"if_version"`
}

// PeriodClosedError says a posting is dated in a closed period. It
// matches ErrPeriodClosed and ErrInvalid with errors.Is.
type PeriodClosedError struct {
	Effective     Date `json:"effective,omitzero"`      // the day the posting would count
	LockedThrough Date `json:"locked_through,omitzero"` // the ledger's lock date
}

// Error implements error.
func (e *PeriodClosedError) Error() string {
	return fmt.Sprintf("crm: %s is in a closed period (the books are closed through %s): date it after the lock date",
		e.Effective, e.LockedThrough)
}

// Is matches ErrPeriodClosed and ErrInvalid.
func (e *PeriodClosedError) Is(target error) bool {
	return target == ErrPeriodClosed || target == ErrInvalid
}

// maxDaysAhead bounds how far ahead of today a document may be dated: a
// year, so that a mistyped year (2031 for 2026) is refused while billing a
// year's term in advance is not.
const maxDaysAhead = 366

// checkPostingDay refuses an entry dated in a closed period or more than
// maxDaysAhead days after today.
func checkPostingDay(lock PeriodLock, effective, today Date) error {
	if lock.Closed(effective) {
		return &PeriodClosedError{Effective: effective, LockedThrough: lock.LockedThrough}
	}
	if effective.After(today.AddDays(maxDaysAhead)) {
		return invalid("effective", "not_far_future", fmt.Sprintf("%s is more than %d days after today (%s)", effective, maxDaysAhead, today))
	}
	return nil
}
