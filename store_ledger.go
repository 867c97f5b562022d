package crm

import (
	"context"
	"slices"
)

// Book is a customer's receivables lock: every change to a customer's
// ledger saves the next version of their book in the same transaction, so
// that concurrent changes (two payments allocated to one invoice, the
// first invoice of a customer included) are serialized and none
// over-allocates. It holds no money; the entries do.
type Book struct {
	Customer ID    `json:"customer,omitzero"`
	Version  int64 `json:"version"`
}

// EntryFilter selects ledger entries; zero fields match everything. From
// and To bound the effective date, inclusive. Item selects the entries
// with a posting to that invoice or credit (its own entry, the
// allocations to and from it, write-offs, refunds and their reversals);
// Kind the entries of one kind.
type EntryFilter struct {
	Customer ID        `json:"customer,omitzero"`
	Document ID        `json:"document,omitzero"`
	Item     ID        `json:"item,omitzero"`
	Kind     EntryKind `json:"kind,omitempty"`
	From     Date      `json:"from,omitzero"`
	To       Date      `json:"to,omitzero"`
}

// Match reports whether e passes the filter.
func (f EntryFilter) Match(e Entry) bool {
	return (f.Customer.IsZero() || e.Customer == f.Customer) &&
		(f.Document.IsZero() || e.Document == f.Document) &&
		(f.Item.IsZero() || slices.ContainsFunc(e.Postings, func(p Posting) bool { return p.Item == f.Item })) &&
		(f.Kind == "" || e.Kind == f.Kind) &&
		(f.From.IsZero() || !e.Effective.Before(f.From)) &&
		(f.To.IsZero() || !e.Effective.After(f.To))
}

// LedgerReader reads the receivables ledger. Its sums are aggregated in
// the database by SQL adapters, and every adapter must return exactly what
// the reference implementations return (OpenItems, Balances,
// AggregateAging, AggregateRevenue), in the same order, with an empty (not
// nil) slice when nothing matches.
type LedgerReader interface {
	// Book returns a customer's book, or a *NotFoundError before their
	// first entry.
	Book(ctx context.Context, customer ID) (Book, error)
	// Entry returns an entry or a *NotFoundError.
	Entry(ctx context.Context, id ID) (Entry, error)
	// EntryByKey returns the entry recorded with an idempotency key, or a
	// *NotFoundError.
	EntryByKey(ctx context.Context, key string) (Entry, error)
	// EntriesByKeys returns the entries recorded with any of the
	// idempotency keys, in ID order: EntryByKey of each key found, in one
	// call (a batch of ledger commands reads its keys so).
	EntriesByKeys(ctx context.Context, keys []string) ([]Entry, error)
	// ReversalOf returns the entry that reverses id, or a *NotFoundError.
	ReversalOf(ctx context.Context, id ID) (Entry, error)
	// Entries returns a page of the entries matching f in ID (recording)
	// order.
	Entries(ctx context.Context, f EntryFilter, page PageRequest) ([]Entry, error)
	// OpenItems returns the open items of a customer (every customer when
	// zero) as of a date (every entry when zero).
	OpenItems(ctx context.Context, customer ID, asOf Date) ([]OpenItem, error)
	// OpenItemsOf returns what is open on some of a customer's items (an
	// invoice, a credit) as of a date (every entry when zero): the rows
	// OpenItems(ctx, customer, asOf) has for those items, in its order.
	// It is what a posting checks, so its cost grows with the postings of
	// those items, not with the customer's ledger: the store keeps what is
	// open on every item current as it appends, and a past date takes off
	// the items' postings effective after it. The zero customer has no
	// items.
	OpenItemsOf(ctx context.Context, customer ID, items []ID, asOf Date) ([]OpenItem, error)
	// OldestOpen returns up to limit of what is owed on a customer's
	// invoices in currency over the whole ledger, oldest due first: the
	// rows OpenItems(ctx, customer, Date{}) has on their receivable
	// account in that currency with a positive amount, in its order (due
	// date, then item), after the row after (from the first when
	// after.Item is zero). A payment applied oldest first reads them a
	// page at a time, so that it costs the invoices it settles, not the
	// customer's open items.
	OldestOpen(ctx context.Context, customer ID, currency Currency, after OpenItem, limit int) ([]OpenItem, error)
	// BalancesOf returns a customer's balances on their own accounts
	// (receivable and customer credit) over the whole ledger: the rows
	// Balances(ctx, Date{}) has for the customer, kept current as the
	// store appends, so that a posting checks its totals without adding
	// up the customer's history. The zero customer has none.
	BalancesOf(ctx context.Context, customer ID) ([]Balance, error)
	// Balances returns every account's balance as of a date.
	Balances(ctx context.Context, asOf Date) ([]Balance, error)
	// UnappliedCredit returns the unapplied credit of a customer (of
	// every customer when zero) as of a date (every entry when zero): what
	// is open on their credit items, added up per customer and currency,
	// over the rows OpenItems(ctx, customer, asOf) has on the customer
	// credit account (see storekit.AggregateCredit). It is what the aging
	// report reads beside the buckets, so that it does not read every open
	// item.
	UnappliedCredit(ctx context.Context, customer ID, asOf Date) ([]CreditAmount, error)
	// Aging returns the open receivables bucketed as of q.AsOf; q is
	// normalized.
	Aging(ctx context.Context, q AgingQuery) ([]AgingAmount, error)
	// Revenue returns what was invoiced and the net revenue per customer
	// and currency over [from, to].
	Revenue(ctx context.Context, customer ID, from, to Date) ([]RevenueAmount, error)
}

// LedgerRepository appends to the ledger. Entries are never deleted, and
// never updated but for the erasure of what their descriptions say about
// a person (ErasePersonal): their postings never change. Append fails with a *ConflictError for an existing ID, a
// non-empty idempotency key used before, or a second reversal of an
// entry; SaveBook follows the version rules of CustomerRepository keyed by
// the book's customer.
type LedgerRepository interface {
	LedgerReader
	SaveBook(ctx context.Context, b Book) error
	Append(ctx context.Context, e Entry) error
	// AppendAll appends entries, in order, with Append's rules, in a few
	// statements: on an error the caller's transaction must not commit.
	AppendAll(ctx context.Context, entries []Entry) error
	// ErasePersonal overwrites the Description of the stored entry with
	// e.ID with e's, and nothing else: e's other fields, its postings
	// included, are ignored. An unknown ID is a *NotFoundError.
	ErasePersonal(ctx context.Context, e Entry) error
}

// InvoiceFilter selects invoices; zero fields match everything.
type InvoiceFilter struct {
	Customer ID `json:"customer,omitzero"`
	Contract ID `json:"contract,omitzero"`
}

// Match reports whether i passes the filter.
func (f InvoiceFilter) Match(i Invoice) bool {
	return (f.Customer.IsZero() || i.Customer == f.Customer) && (f.Contract.IsZero() || i.Contract == f.Contract)
}

// InvoiceReader reads invoices.
type InvoiceReader interface {
	Get(ctx context.Context, id ID) (Invoice, error)
	List(ctx context.Context, f InvoiceFilter, page PageRequest) ([]Invoice, error)
	// Headers returns the headers of those of ids that are invoices of
	// customer, in ID order (ID.Compare), each once; the others are left
	// out. A payment that settles many invoices reads them in a few
	// statements, without the invoices' lines.
	Headers(ctx context.Context, customer ID, ids []ID) ([]InvoiceHeader, error)
}

// InvoiceRepository keeps invoices. An invoice does not change once
// issued, but for the erasure of what its lines' descriptions say about a
// person: what is paid on it is in the ledger. Insert fails with a
// *ConflictError for an existing ID.
type InvoiceRepository interface {
	InvoiceReader
	Insert(ctx context.Context, i Invoice) error
	// InsertAll inserts invoices with Insert's rules, in a few
	// statements: on an error the caller's transaction must not commit.
	InsertAll(ctx context.Context, invoices []Invoice) error
	// ErasePersonal overwrites the Description of each line of the stored
	// invoice with i.ID with that of i's line at the same place, and
	// nothing else: i's other fields are ignored. i must have as many
	// lines as the stored invoice, each with the same quantity, unit
	// price, tax rate and discount, or ErasePersonal changes nothing and
	// returns a *ValidationError. An unknown ID is a *NotFoundError.
	ErasePersonal(ctx context.Context, i Invoice) error
}

// CreditReader reads payments and credit notes.
type CreditReader interface {
	Get(ctx context.Context, id ID) (Credit, error)
	// List returns a page of a customer's credits (every customer's when
	// zero) in ID order.
	List(ctx context.Context, customer ID, page PageRequest) ([]Credit, error)
}

// CreditRepository keeps payments and credit notes, which do not change
// once recorded, but for the erasure of what their references say about
// a person.
type CreditRepository interface {
	CreditReader
	Insert(ctx context.Context, c Credit) error
	// InsertAll inserts credits with Insert's rules, in a few statements:
	// on an error the caller's transaction must not commit.
	InsertAll(ctx context.Context, credits []Credit) error
	// ErasePersonal overwrites the Reference of the stored credit with
	// c.ID with c's, and nothing else: c's other fields are ignored. An
	// unknown ID is a *NotFoundError.
	ErasePersonal(ctx context.Context, c Credit) error
}

// ContractFilter selects contracts; zero fields match everything.
type ContractFilter struct {
	Customer ID             `json:"customer,omitzero"`
	Owner    ID             `json:"owner,omitzero"`
	Team     string         `json:"team,omitempty"`
	Status   ContractStatus `json:"status,omitempty"`
	// StartBefore and EndBefore match contracts whose start (end) is
	// before the day; a contract without an end never matches EndBefore.
	StartBefore Date `json:"start_before,omitzero"`
	EndBefore   Date `json:"end_before,omitzero"`
	// Amends and Renews match the amendments and the renewals of a
	// contract.
	Amends ID `json:"amends,omitzero"`
	Renews ID `json:"renews,omitzero"`
	// NextDueBy matches contracts with an installment not invoiced due on
	// or before the day: those whose NextDue is not zero and not after
	// it. A store that can keeps NextDue beside the contract, with an
	// index by status, so that the contracts with nothing due are not
	// read.
	NextDueBy Date `json:"next_due_by,omitzero"`
}

// Match reports whether c passes the filter.
func (f ContractFilter) Match(c Contract) bool {
	return (f.Customer.IsZero() || c.Customer == f.Customer) && (f.Owner.IsZero() || c.Owner == f.Owner) &&
		(f.Team == "" || c.Team == f.Team) && (f.Status == "" || c.Status == f.Status) &&
		(f.StartBefore.IsZero() || (!c.Start.IsZero() && c.Start.Before(f.StartBefore))) &&
		(f.EndBefore.IsZero() || (!c.End.IsZero() && c.End.Before(f.EndBefore))) &&
		(f.Amends.IsZero() || c.Amends == f.Amends) && (f.Renews.IsZero() || c.Renews == f.Renews) &&
		(f.NextDueBy.IsZero() || (!c.NextDue().IsZero() && !c.NextDue().After(f.NextDueBy)))
}

// ContractReader reads contracts.
type ContractReader interface {
	Get(ctx context.Context, id ID) (Contract, error)
	List(ctx context.Context, f ContractFilter, page PageRequest) ([]Contract, error)
}

// ContractRepository reads and writes contracts, with the version rules of
// CustomerRepository.
type ContractRepository interface {
	ContractReader
	Insert(ctx context.Context, c Contract) error
	Update(ctx context.Context, c Contract) error
}
