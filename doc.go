// Package crm is an embeddable library for customer lifecycle and loyalty
// modeling: customers whose records are never lost, exact money, an audited
// entry point through which every write goes, and storage behind a small
// port with memory and SQL adapters.
//
// # The entry point
//
// New returns a CRM on a Store. Its operations are grouped in services, one
// field each, so that two hops of go doc find any of them:
//
//	c.Users        the people who use the CRM
//	c.Customers    customer records, owners, lifecycle, history, erasure
//	c.Experience   touchpoint maps, interactions, journeys, analytics
//	c.Cases        complaints and requests with their promises
//	c.Ladder       the loyalty ladder
//	c.Deals        pipelines, deals, funnel, forecast and sales figures
//	c.Activities   calls, visits, follow-ups and work reports
//	c.Campaigns    campaigns, their costs and return
//	c.Contracts    contracts, their approval and payment plans
//	c.Ledger       invoices, payments, allocation and corrections
//	c.Receivables  who owes what and for how long
//	c.Events       the audit log
//
// Every command has one shape: a context, the acting user's ID, and one
// input struct, NewX to create a record and XRequest or XPatch to act on
// one, which names the records it touches by their kind (Customer, Deal,
// Contract, ...) and carries its idempotency key where it has one. A
// command returns its result and an error. Reports take a query struct and
// return a struct or a list of rows; a zero day in a query means today by
// the CRM's Clock.
//
// For every call the CRM loads the acting user, refuses unknown and
// deactivated ones, asks the Policy, applies the domain rules, and saves
// state and hash-chained events in one transaction of the Store. Bad input
// gets a typed error (ValidationError, TransitionError, NotFoundError,
// ConflictError, ForbiddenError, ...; errors.Is and errors.As both work)
// and writes nothing. Time comes from a Clock and IDs from a seedable
// source, so a test can make every run the same.
//
// The package also holds the pure domain that the CRM applies, usable on
// its own: value types (Money, Currency, Date, ID), the records, and the
// explicit state machines (Machine, exportable as Mermaid and DOT, every
// transition with who, when and why): CustomerRecordMachine,
// LifecycleMachine, LoyaltyLadder, CaseMachine, DealMachine,
// Pipeline.StageMachine and ContractMachine.
//
// # Experience and the loyalty ladder
//
// A TouchpointMap is a hierarchy of touchpoints with channels, media,
// lifecycle phases, departments and service standards. Interactions at
// touchpoints and Cases (complaints and other matters, with their own
// machine) are the evidence that moves a customer on the loyalty ladder,
// from annoyed through indifferent and satisfied to loyal and advocate, or
// lost (LoyaltyLadder, LadderRules). Every move keeps the evidence that
// caused it; the same evidence in the same order always gives the same
// ladder. A JourneyTemplate is compared with the path a customer took;
// ExperienceService.Stats, PainPoints and MomentsOfTruth read across
// customers.
//
// # Sales
//
// A Pipeline's stages compile into a DealFlow that moves deals through
// them with their probability and history; losing needs a reason.
// Activities make the work report that replaces the status meeting;
// campaigns report their return with the cost counted once; the
// DealService reads a pipeline as a funnel (now or as a cohort), a
// forecast and key figures, and a Funnel draws itself as SVG.
//
// # Receivables
//
// Contracts are approved online (by amount: a manager, then finance) and
// carry payment plans whose installments add up exactly. Invoices,
// payments, allocations, credit notes, write-offs and refunds post
// balanced entries to an append-only double-entry ledger: entries are
// reversed, never edited, at most once; commands carry idempotency keys; a
// customer's postings are serialized so no invoice is ever over-allocated;
// no entry counts before what it settles, so open items, aging and
// statements as of any past day are true. Paid, partly paid and overdue
// are derived (ReceivableService.Invoices), and LedgerService.Verify
// checks every invariant.
//
// # The wire format
//
// Every record, command and report encodes to JSON as an API would send
// it: snake_case keys, enums as strings, times in RFC 3339, Money as
// {"amount":"10.50","currency":"USD"}, optional fields and zero times
// left out, durations in nanoseconds under keys ending in _ns. Decoding
// gives back what was encoded; testdata/json holds an example of every
// type.
//
// # Storage
//
// Adapters live in store/memory (the reference) and store/sqlstore
// (SQLite, the embedded default through store/sqlite, and PostgreSQL); on
// SQL, reports aggregate in the database. store/storetest is the
// conformance suite every adapter passes, and store/storekit holds what
// adapter authors share: the reference implementations of the port's
// aggregations.
package crm
