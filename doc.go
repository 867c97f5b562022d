// Package crm is an embeddable library for customer lifecycle and loyalty
// modeling: customers whose records are never lost, exact money, an audited
// entry point through which every write goes, and storage behind a small
// port with memory and SQL adapters.
//
// The package holds the pure domain: value types (Money, Date, ID), the
// records (Customer, User), the explicit state machines (Machine) and the
// hash-chained event log (Event). The CRM type, created with New, checks the
// Policy for every write, applies the domain rules, and saves state and
// events in one transaction of a Store. Adapters live in store/memory and
// store/sqlstore; store/storetest is the conformance suite every adapter
// passes.
package crm
