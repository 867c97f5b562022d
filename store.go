package crm

import (
	"context"
	"encoding/json"
	"time"
)

// Store is the storage port the CRM needs. Adapters implement it; the
// conformance suite in store/storetest checks that they do so alike.
//
// Update runs fn in a read-write transaction and commits when fn returns
// nil; when fn returns an error or panics, nothing fn wrote is kept, and
// fn's error comes back unchanged. The adapter retries fn on transient
// failures (SQLITE_BUSY, serialization failures, deadlocks), a bounded
// number of times, so fn must have no effects outside tx; when it gives
// up, its error matches ErrTransient.
//
// View runs fn once in a read-only transaction with a consistent snapshot;
// it never retries, so fn may collect results outside tx.
//
// Neither may be called from inside fn, and a transaction serves one
// goroutine at a time: fn must not share tx with goroutines it starts.
// A transaction, and every repository taken from it, ends when fn
// returns: neither may be kept or used after that (the memory store
// reuses a transaction's memory for the next one).
type Store interface {
	Update(ctx context.Context, fn func(tx Tx) error) error
	View(ctx context.Context, fn func(tx ReadTx) error) error
}

// ReadTx gives the repositories for reading.
type ReadTx interface {
	Customers() CustomerReader
	Users() UserReader
	Events() EventReader
	TouchpointMaps() TouchpointMapReader
	Interactions() InteractionReader
	Cases() CaseReader
	Ladder() LadderReader
	JourneyTemplates() JourneyTemplateReader
	Analytics() AnalyticsReader
	Pipelines() PipelineReader
	Deals() DealReader
	Activities() ActivityReader
	Campaigns() CampaignReader
	Sales() SalesAnalytics
	Ledger() LedgerReader
	Invoices() InvoiceReader
	Credits() CreditReader
	Contracts() ContractReader
	Accounting() AccountingReader
	Dunning() DunningReader
	Quotas() QuotaReader
	Consents() ConsentReader
}

// Tx gives the repositories for reading and writing.
type Tx interface {
	Customers() CustomerRepository
	Users() UserRepository
	Events() EventLog
	TouchpointMaps() TouchpointMapRepository
	Interactions() InteractionRepository
	Cases() CaseRepository
	Ladder() LadderRepository
	JourneyTemplates() JourneyTemplateRepository
	Analytics() AnalyticsReader
	Pipelines() PipelineRepository
	Deals() DealRepository
	Activities() ActivityRepository
	Campaigns() CampaignRepository
	Sales() SalesAnalytics
	Ledger() LedgerRepository
	Invoices() InvoiceRepository
	Credits() CreditRepository
	Contracts() ContractRepository
	Accounting() AccountingRepository
	Dunning() DunningRepository
	Quotas() QuotaRepository
	Consents() ConsentRepository
}

// PageRequest asks for up to Limit records whose ID is after After, in ID
// order: keyset pagination, stable while records are added.
type PageRequest struct {
	After ID  `json:"after,omitzero"`
	Limit int `json:"limit"`
}

// MaxPageSize is the largest page a listing returns.
const MaxPageSize = 1000

// Normalized returns the request with Limit clamped to 1..MaxPageSize
// (0 means 100).
func (p PageRequest) Normalized() PageRequest {
	switch {
	case p.Limit <= 0:
		p.Limit = 100
	case p.Limit > MaxPageSize:
		p.Limit = MaxPageSize
	}
	return p
}

// CustomerReader reads customers.
type CustomerReader interface {
	// Get returns the customer or a *NotFoundError.
	Get(ctx context.Context, id ID) (Customer, error)
	// List returns a page of customers matching f, in ID order.
	List(ctx context.Context, f CustomerFilter, page PageRequest) ([]Customer, error)
	// Idle returns a page of the active customers not restricted, in ID
	// order, changed last (UpdatedAt) before before and with no activity
	// of their owner (Activity.Owner) at or after it: those the public
	// pool takes back (PoolRule).
	Idle(ctx context.Context, before time.Time, page PageRequest) ([]Customer, error)
	// StaleLeads returns a page of the customers, in ID order, never
	// converted (a lifecycle stage before opportunity), neither erased
	// nor restricted, changed last (UpdatedAt) before before and with no
	// activity and no interaction at or after it, whatever their status:
	// those the retention rule RetainLeads erases.
	StaleLeads(ctx context.Context, before time.Time, page PageRequest) ([]Customer, error)
	// GetMany returns the customers with the given IDs, in ID order, each
	// once; an ID of no customer is left out. It is how a batch reads its
	// customers in one go.
	GetMany(ctx context.Context, ids []ID) ([]Customer, error)
}

// CustomerRepository reads and writes customers. There is no delete.
type CustomerRepository interface {
	CustomerReader
	// Insert adds a new customer with Version 1; an existing ID is a
	// *ConflictError.
	Insert(ctx context.Context, c Customer) error
	// Update replaces the customer whose stored version is c.Version-1;
	// any other stored version is a *ConflictError, a missing customer a
	// *NotFoundError.
	Update(ctx context.Context, c Customer) error
	// Hold is Get, and holds the customer until the transaction ends: a
	// concurrent change to them, or another write holding them, waits for
	// it (on PostgreSQL, FOR UPDATE; one lock kind, so that two writers
	// holding one customer queue rather than deadlock when one of them
	// then changes it). The writes that add to a customer's working data
	// (a deal, a contract, an activity) hold it, so that a reassignment,
	// which changes the customer and then moves its work in progress, and
	// the public pool's sweep, which changes the customer and then looks
	// for the owner's activities, see every record added before them.
	Hold(ctx context.Context, id ID) (Customer, error)
}

// UserFilter selects users in listings; zero fields match everything.
type UserFilter struct {
	Role   Role   `json:"role,omitempty"`
	Team   string `json:"team,omitempty"`
	Active *bool  `json:"active,omitempty"`
}

// Match reports whether u passes the filter.
func (f UserFilter) Match(u User) bool {
	return (f.Role == "" || u.Role == f.Role) &&
		(f.Team == "" || u.Team == f.Team) &&
		(f.Active == nil || u.Active == *f.Active)
}

// UserReader reads users.
type UserReader interface {
	// Get returns the user or a *NotFoundError.
	Get(ctx context.Context, id ID) (User, error)
	// List returns a page of users matching f, in ID order.
	List(ctx context.Context, f UserFilter, page PageRequest) ([]User, error)
}

// UserRepository reads and writes users, with the same version rules as
// CustomerRepository.
//
// In a write Tx, what Get returns stays true until the transaction ends:
// a concurrent change to that user waits for it (on PostgreSQL, Get reads
// FOR SHARE). The CRM decides every write from its actor's role, team and
// activity, and the owners it assigns must be active: a user deactivated
// before a write commits cannot have written it, nor been given records
// by it. Stores whose write transactions run one at a time (memory,
// SQLite) keep this without doing anything.
type UserRepository interface {
	UserReader
	Insert(ctx context.Context, u User) error
	Update(ctx context.Context, u User) error
	// LockAll holds the whole directory of users until the transaction
	// ends: no user is added or changed meanwhile by another transaction.
	// Bootstrap takes it so that, however many race, one admin is made.
	LockAll(ctx context.Context) error
	// MoveRecords stamps team on every record owner owns that carries
	// another team (customers, deals and their stage visits, activities,
	// contracts), each as its next version updated at at, so that a
	// writer holding an older version conflicts rather than stamps the
	// old team back. It returns how many records of each kind changed.
	// SQL adapters do it set-based, by the owner's index.
	MoveRecords(ctx context.Context, owner ID, team string, at time.Time) (OwnedRecords, error)
}

// EventReader reads the log.
type EventReader interface {
	// Head returns the last event's position and hash. In a Tx of a store
	// that chains events as they are appended (one that is not a
	// LogSealer, or whose SealsLog is false) it also locks the head until
	// the transaction ends, so that appends are serialized and sequence
	// numbers are gap-free and in commit order.
	Head(ctx context.Context) (LogHead, error)
	// After returns up to limit events with Seq > seq, in Seq order.
	After(ctx context.Context, seq int64, limit int) ([]Event, error)
	// Subject returns every event of one record, in Seq order; on a store
	// that seals the log, the committed events not sealed yet follow, in
	// the order they were appended, with Seq 0.
	Subject(ctx context.Context, kind Kind, id ID) ([]Event, error)
}

// EventLog appends to the log. Events are never updated or deleted; the
// one exception is Redact, which replaces an event's data when personal
// data is erased and keeps its hashes.
type EventLog interface {
	EventReader
	// Append adds events whose Seq continues the head without gaps; any
	// other Seq is a *ConflictError. On a store that seals the log, the
	// CRM appends events with Seq 0, unchained, for Seal to chain after
	// the transaction commits.
	Append(ctx context.Context, events []Event) error
	// Redact replaces the data of the event with the given ID, sealed or
	// not, marks it redacted and destroys its salt (DataSalt), so that its
	// DataHash no longer confirms a guess of the old data; an unknown ID
	// is a *NotFoundError.
	Redact(ctx context.Context, id ID, data json.RawMessage) error
}

// LogSealer is implemented by a store whose writers do not serialize on
// the log's head. Its transactions append their events unchained, in the
// order each appended them, without reading the head; Seal later gives
// the committed ones their place in the chain, oldest first, in a short
// transaction of its own, the only one that holds the head. Concurrent
// writers then queue only for what they touch, and one Seal chains the
// events of many of them.
//
// The CRM seals after each write commits, without waiting when another
// Seal is under way, and, waiting, before it reads the log (the feed, a
// customer's history, verification, checkpoints), so whatever it reads has
// its place; it reads the log only up to the head that Seal returned.
type LogSealer interface {
	// SealsLog reports whether the store's writes append unchained events;
	// when false, the CRM chains them in the write, after Head.
	SealsLog() bool
	// Seal chains up to limit committed events not yet sealed: it calls
	// chain with the head and the events, oldest first, and chain sets
	// their Seq, PrevHash and Hash; the store then moves them into the
	// log and moves the head, all in one transaction. It returns the head
	// after sealing and how many events it sealed. Without wait, when
	// another Seal holds the head, it returns at once, having sealed
	// nothing. A head Seal returns with wait is durable: a crash does not
	// take it back, so neither the events nor their places change once
	// the CRM has read them.
	Seal(ctx context.Context, wait bool, limit int, chain func(head LogHead, events []Event)) (head LogHead, sealed int, err error)
}
