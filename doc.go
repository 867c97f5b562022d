// Package crm is an embeddable library for customer lifecycle and loyalty
// modeling: customers whose records are never lost, exact money, an audited
// entry point through which every write goes, and storage behind a small
// port with memory and SQL adapters.
//
// # The entry point
//
// The package holds the pure domain: value types (Money, Date, ID), the
// records, the explicit state machines (Machine, exportable as Mermaid and
// DOT, every transition with who, when and why) and the hash-chained event
// log (Event). The CRM type, created with New, loads the acting user for
// every call, asks the Policy, applies the domain rules, and saves state and
// events in one transaction of a Store; bad input gets a typed error
// (ValidationError, TransitionError, NotFoundError, ConflictError,
// ForbiddenError, ...; errors.Is and errors.As both work) and writes
// nothing. Time comes from a Clock and IDs from a seedable generator, so a
// test can make every run the same.
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
// ladder. JourneyTemplate compares intended paths with the paths taken;
// ExperienceStats, PainPoints and MomentsOfTruth read across customers.
//
// # Sales
//
// A Pipeline's stages compile into a DealFlow that moves deals through
// them with their probability and history; losing needs a reason.
// Activities make the work report that replaces the status meeting;
// campaigns report their ROI with the cost counted once; FunnelNow,
// CohortFunnel, Forecast and SalesKPIs read a pipeline, and a Funnel draws
// itself as SVG.
//
// # Receivables
//
// Contracts are approved online (by amount: a manager, then finance) and
// carry payment plans whose installments add up exactly. Invoices,
// payments, allocations, credit notes, write-offs and refunds post
// balanced entries to an append-only double-entry ledger: entries are
// reversed, never edited, at most once; commands carry idempotency keys;
// a customer's postings are serialized so no invoice is ever over-allocated;
// no entry counts before what it settles, so OpenItems, Aging and
// Statement as of any past day are true. Paid, partly paid and overdue are
// derived (Invoices), and VerifyLedger checks every invariant.
//
// # Storage
//
// Adapters live in store/memory (the reference) and store/sqlstore
// (SQLite, the embedded default through store/sqlite, and PostgreSQL);
// store/storetest is the conformance suite every adapter passes. On SQL,
// reports aggregate in the database.
package crm
