package crm

import (
	"errors"
	"fmt"
	"time"
)

// Sentinel errors for errors.Is. Every error returned by this package and by
// conforming stores wraps at most one of them; the typed errors below carry
// the details for errors.As.
var (
	// ErrNotFound: the record does not exist.
	ErrNotFound = errors.New("crm: not found")
	// ErrConflict: the record changed since it was read (a stale version), or
	// a record with the same identity already exists.
	ErrConflict = errors.New("crm: conflict")
	// ErrForbidden: the actor may not do this (unknown, deactivated, or
	// outside its role's scope).
	ErrForbidden = errors.New("crm: forbidden")
	// ErrInvalid: the input breaks a validation rule.
	ErrInvalid = errors.New("crm: invalid input")
	// ErrInvalidTransition: a state machine does not allow the move from the
	// current state.
	ErrInvalidTransition = errors.New("crm: invalid transition")
	// ErrCurrencyMismatch: an operation combined amounts in different
	// currencies.
	ErrCurrencyMismatch = errors.New("crm: currency mismatch")
	// ErrUnknownCurrency: a currency code is not an active ISO 4217 code.
	ErrUnknownCurrency = errors.New("crm: unknown currency")
	// ErrPrecision: an amount has more decimals than its currency's minor
	// unit where exactness is required.
	ErrPrecision = errors.New("crm: amount not exact in minor units")
	// ErrOverflow: an amount, or a total of amounts or times, does not fit
	// in the 64 bits of minor units (or microseconds) a store keeps.
	ErrOverflow = errors.New("crm: total does not fit in 64 bits")
	// ErrChainBroken: the event log's hash chain does not verify.
	ErrChainBroken = errors.New("crm: event chain broken")
	// ErrUnbalanced: a ledger entry's debits and credits differ in a
	// currency.
	ErrUnbalanced = errors.New("crm: entry does not balance")
	// ErrOverAllocation: more would be applied to an invoice than is open,
	// or more taken from a payment than is left.
	ErrOverAllocation = errors.New("crm: allocation exceeds what is open")
	// ErrReversed: the entry was reversed already; an entry is reversed at
	// most once.
	ErrReversed = errors.New("crm: entry already reversed")
	// ErrLedgerBroken: the receivables ledger does not verify.
	ErrLedgerBroken = errors.New("crm: ledger does not verify")
	// ErrTransient: a storage failure that may succeed when retried
	// (SQLITE_BUSY, serialization failure, deadlock). The CRM retries it.
	ErrTransient = errors.New("crm: transient storage failure")
	// ErrRestricted: the customer's data is restricted (Article 18 GDPR):
	// kept, but not processed until the restriction is lifted.
	ErrRestricted = errors.New("crm: processing restricted")
)

// ValidationError names the field and the rule an input broke.
// It matches ErrInvalid with errors.Is.
type ValidationError struct {
	Field  string `json:"field,omitempty"`  // the input field, e.g. "name" or "contacts[0].email"
	Rule   string `json:"rule,omitempty"`   // the rule broken, e.g. "required", "max_length"
	Detail string `json:"detail,omitempty"` // a human explanation, optional
}

// Error implements error.
func (e *ValidationError) Error() string {
	if e.Detail != "" {
		return fmt.Sprintf("crm: invalid %s: %s (%s)", e.Field, e.Rule, e.Detail)
	}
	return fmt.Sprintf("crm: invalid %s: %s", e.Field, e.Rule)
}

// Unwrap returns ErrInvalid.
func (e *ValidationError) Unwrap() error { return ErrInvalid }

// TransitionError names the machine, the state and the move it refused.
// It matches ErrInvalidTransition with errors.Is.
type TransitionError struct {
	Machine string `json:"machine,omitempty"` // the machine's name, e.g. "record"
	From    string `json:"from,omitempty"`    // the current state
	Event   string `json:"event,omitempty"`   // the move asked for
	Reason  string `json:"reason,omitempty"`  // why a guard refused it, when a guard did
}

// Error implements error.
func (e *TransitionError) Error() string {
	msg := fmt.Sprintf("crm: %s: cannot %s from %s", e.Machine, e.Event, e.From)
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	return msg
}

// Unwrap returns ErrInvalidTransition.
func (e *TransitionError) Unwrap() error { return ErrInvalidTransition }

// NotFoundError names the kind of record and the ID that was not found.
// It matches ErrNotFound with errors.Is. A record the acting user may not
// read is reported the same way, so that an error never tells anyone
// what exists outside their reach: under DefaultPolicy a rep reads only
// the customers they own, and to them a colleague's customer is not
// found. Records the user may read but not change are a *ForbiddenError.
type NotFoundError struct {
	Kind Kind   `json:"kind,omitempty"`
	ID   string `json:"id,omitempty"`
}

// Error implements error.
func (e *NotFoundError) Error() string {
	return fmt.Sprintf("crm: %s %s not found", e.Kind, e.ID)
}

// Unwrap returns ErrNotFound.
func (e *NotFoundError) Unwrap() error { return ErrNotFound }

// ConflictError names the record whose version did not match.
// Expected is the version the writer based its change on; Actual is what the
// store holds (0 when unknown or when the record already exists on insert).
// It matches ErrConflict with errors.Is.
type ConflictError struct {
	Kind     Kind   `json:"kind,omitempty"`
	ID       string `json:"id,omitempty"`
	Expected int64  `json:"expected"`
	Actual   int64  `json:"actual"`
	Detail   string `json:"detail,omitempty"`
}

// Error implements error.
func (e *ConflictError) Error() string {
	if e.Detail != "" && e.ID == "" {
		return fmt.Sprintf("crm: conflict on %s: %s", e.Kind, e.Detail)
	}
	if e.Detail != "" {
		return fmt.Sprintf("crm: conflict on %s %s: %s", e.Kind, e.ID, e.Detail)
	}
	return fmt.Sprintf("crm: conflict on %s %s: expected version %d, have %d", e.Kind, e.ID, e.Expected, e.Actual)
}

// Unwrap returns ErrConflict.
func (e *ConflictError) Unwrap() error { return ErrConflict }

// ForbiddenError says which actor was refused which action and why. An
// empty Action means the actor may not act at all (unknown or
// deactivated).
// It matches ErrForbidden with errors.Is.
type ForbiddenError struct {
	Actor  ID     `json:"actor,omitzero"`
	Action Action `json:"action,omitempty"`
	Kind   Kind   `json:"kind,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// Error implements error.
func (e *ForbiddenError) Error() string {
	if e.Action == "" {
		return fmt.Sprintf("crm: user %s may not act: %s", e.Actor, e.Reason)
	}
	return fmt.Sprintf("crm: user %s may not %s %s: %s", e.Actor, e.Action, e.Kind, e.Reason)
}

// Unwrap returns ErrForbidden.
func (e *ForbiddenError) Unwrap() error { return ErrForbidden }

// CurrencyMismatchError names the two currencies an operation tried to mix.
// It matches ErrCurrencyMismatch with errors.Is.
type CurrencyMismatchError struct {
	Op    string   `json:"op,omitempty"`
	Left  Currency `json:"left,omitzero"`
	Right Currency `json:"right,omitzero"`
}

// Error implements error.
func (e *CurrencyMismatchError) Error() string {
	return fmt.Sprintf("crm: %s: currency mismatch %s and %s", e.Op, e.Left, e.Right)
}

// Unwrap returns ErrCurrencyMismatch.
func (e *CurrencyMismatchError) Unwrap() error { return ErrCurrencyMismatch }

// Is also matches ErrInvalid: mixing currencies is bad input.
func (e *CurrencyMismatchError) Is(target error) bool { return target == ErrInvalid }

// ChainError says at which sequence number the event log stops verifying.
// It matches ErrChainBroken with errors.Is.
type ChainError struct {
	Seq     int64  `json:"seq"`
	Problem string `json:"problem,omitempty"`
}

// Error implements error.
func (e *ChainError) Error() string {
	return fmt.Sprintf("crm: event chain broken at seq %d: %s", e.Seq, e.Problem)
}

// Unwrap returns ErrChainBroken.
func (e *ChainError) Unwrap() error { return ErrChainBroken }

// RestrictedError says that a write would process the data of a customer
// whose processing is restricted (CustomerService.Restrict), and since
// when; the write changed nothing. It matches ErrRestricted with
// errors.Is.
type RestrictedError struct {
	Customer ID        `json:"customer,omitzero"`
	Since    time.Time `json:"since,omitzero"`
	Write    string    `json:"write,omitempty"` // what was refused, e.g. "record an interaction"
}

// Error implements error.
func (e *RestrictedError) Error() string {
	return fmt.Sprintf("crm: customer %s is restricted since %s: may not %s", e.Customer, e.Since.Format(time.RFC3339), e.Write)
}

// Unwrap returns ErrRestricted.
func (e *RestrictedError) Unwrap() error { return ErrRestricted }

func invalid(field, rule, detail string) error {
	return &ValidationError{Field: field, Rule: rule, Detail: detail}
}
