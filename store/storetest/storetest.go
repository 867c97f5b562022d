// Package storetest is the conformance suite of crm.Store. Every adapter
// in this module runs it, and a third-party adapter should too:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) crm.Store { return newEmptyStore(t) })
//	}
//
// newStore must return an empty store each time it is called; the suite
// calls it once per subtest. The suite covers every port method, version
// conflicts, rollback on error and on panic, keyset pagination with every
// filter, the event log's sequence and hashes, and concurrency through the
// CRM: many goroutines updating one customer lose no update, and the log
// stays a gap-free verified chain. The experience repositories (touchpoint
// maps, interactions, cases, the loyalty ladder, journey templates) are
// checked field by field, and the analytics against the reference
// implementations (storekit.AggregateExperience and the others) on a few
// thousand rows generated from a fixed seed. The ladder's evidence from
// the CRM's own records (won deals, payments, dunning levels, contracts
// ended, referrals) is checked through the CRM, each fact weighed once. So are the sales
// repositories (pipelines, deals, activities, campaigns) with every field
// of their filters, and the sales analytics against
// storekit.AggregateStageAmounts and the others on a few hundred deals driven
// through crm.DealFlow over a quarter, in three currencies.
//
// The receivables are checked at the port and through the CRM. At the
// port: every field of entries, invoices, credits, contracts and books;
// Append refusing an existing ID, a used idempotency key and a second
// reversal, and leaving nothing behind; every filter; OpenItems,
// Balances, Aging and Revenue against storekit.OpenItems, storekit.Balances,
// storekit.AggregateAging and storekit.AggregateRevenue on a ledger generated from
// a fixed seed. Through the CRM: many goroutines paying, allocating to
// and reversing on one customer's book at once never over-allocate an
// invoice, whether or not the book exists yet, and one idempotency key
// posts once; and a stateful property test runs seeded random commands on
// the store and on a memory store in lockstep, checking a model of every
// item after each step, that the aging ends where the debts do (per
// customer and currency, net of unapplied credit), and that both stores
// end up alike. The reports are checked through the CRM: invoice statuses
// (paid, credited, written off, cancelled and their mixes), unapplied
// credit in the aging, DSO and expected collections, and a statement's
// opening and closing balances. It runs a few
// seeds; CRMKIT_PROPERTY_SEEDS and CRMKIT_PROPERTY_STEPS run more, and
// CRMKIT_PROPERTY_SEED replays the seed a failure names. Corrections in
// one command: reversing a payment, a credit note or an invoice reverses
// what settled it, all or nothing, and frees the installment an invoice
// billed; entries and allocations are listed as the policy allows; and
// every idempotent command, retried, returns what it first returned.
//
// No sum wraps around in 64 bits. Through the CRM, amounts near the
// largest int64 of minor units are posted: an amount, or a customer's
// receivable or credit balance, that would not fit is refused with a
// *crm.OverflowError and leaves the store as it was; reports whose totals
// leave 64 bits (DSO, expected collections, balances, funnels, open items
// as of a date before a backdated invoice) are exact, and those that
// hand a total over in 64 bits (aging, sales rows) fail with the error. At the port,
// entries beyond 64 bits are appended directly: open items and balances
// must come back exact, and the aging and revenue either as the
// reference adds them up or, where it does not fit, as a
// *crm.OverflowError.
//
// Dunning is checked through the CRM: invoices move up the levels by days
// overdue, one a run with the gap between notices, a second run on a day
// changes nothing, and racing runs move and charge each invoice once;
// paid, cancelled and written-off invoices are settled and a reopened one
// dunned again; holds, the invoices of fees and interest, the report of
// levels, the limit of a run and who may do what.
//
// Campaign attribution is checked through the CRM: a deal opened without
// a campaign takes the one that brought its customer, the report counts
// leads, opportunities, wins and customers acquired, its cost per lead,
// CAC and ROI are nil where there is nothing to divide by, and a cost
// line is reversed once, for a reason, however many race to correct it.
//
// Activities as work are checked through the CRM: updated, rescheduled
// to a time, completed and cancelled, each recorded, and refused (a
// *crm.TransitionError, nothing changed) when done twice or cancelled;
// concurrent completions of one activity, of which exactly one wins; the
// work report's lists of key accounts untouched for N days and of deals
// with no next activity; and the CRM's visit rule.
//
// Handover and TeamFollowsOwner check through the CRM that a customer
// changes owner with its open deals, contracts in progress, open cases
// and pending follow-ups (what is closed stays, all or nothing, also
// racing the old owner's edits), that the public pool returns customers
// nobody followed up, and that a rep's records follow them to a new team.
//
// Export checks through the CRM that everything held about a customer,
// a record of every kind, comes out in one JSON document with nothing of
// another customer, that only an admin exports and that each export is
// recorded without personal data.
// ErasePersonal checks the erasure of personal data from the records
// that otherwise never change (interactions, ladder evidence and moves,
// ledger entries, invoices, credits): each erasure overwrites the
// record's personal text and nothing else, whatever else it is given,
// refuses invoice lines other than the stored ones, finds no unknown ID,
// is seen by its own transaction and undone by a rollback.
// MoveEvidence checks through the CRM that a ladder move references its
// evidence: the reference finds the evidence weighed, field for field,
// and after an erasure no move holds anything of the evidence's note.
//
// The suite skips nothing: every adapter, the memory one included, runs
// every check.
package storetest

import (
	"testing"
	"time"

	"github.com/crmkit/crm"
)

// NewStoreFunc returns an empty store for one subtest.
type NewStoreFunc func(t *testing.T) crm.Store

// Run runs the whole suite.
func Run(t *testing.T, newStore NewStoreFunc) {
	t.Run("Customers", func(t *testing.T) { runCustomers(t, newStore) })
	t.Run("Users", func(t *testing.T) { runUsers(t, newStore) })
	t.Run("Listing", func(t *testing.T) { runListing(t, newStore) })
	t.Run("Events", func(t *testing.T) { runEvents(t, newStore) })
	t.Run("Transactions", func(t *testing.T) { runTransactions(t, newStore) })
	t.Run("TouchpointMaps", func(t *testing.T) { runTouchpointMaps(t, newStore) })
	t.Run("Interactions", func(t *testing.T) { runInteractions(t, newStore) })
	t.Run("Cases", func(t *testing.T) { runCases(t, newStore) })
	t.Run("Ladder", func(t *testing.T) { runLadder(t, newStore) })
	t.Run("LadderJudgments", func(t *testing.T) { runLadderJudgments(t, newStore) })
	t.Run("LadderTime", func(t *testing.T) { runLadderTime(t, newStore) })
	t.Run("LadderSameInstant", func(t *testing.T) { runLadderSameInstant(t, newStore) })
	t.Run("LadderFacts", func(t *testing.T) { runLadderFacts(t, newStore) })
	t.Run("StageListing", func(t *testing.T) { runStageListing(t, newStore) })
	t.Run("JourneyTemplates", func(t *testing.T) { runJourneyTemplates(t, newStore) })
	t.Run("Analytics", func(t *testing.T) { runAnalytics(t, newStore) })
	t.Run("ExperienceRollback", func(t *testing.T) { runExperienceRollback(t, newStore) })
	t.Run("Pipelines", func(t *testing.T) { runPipelines(t, newStore) })
	t.Run("Deals", func(t *testing.T) { runDeals(t, newStore) })
	t.Run("Activities", func(t *testing.T) { runActivities(t, newStore) })
	t.Run("Campaigns", func(t *testing.T) { runCampaigns(t, newStore) })
	t.Run("SalesAnalytics", func(t *testing.T) { runSalesAnalytics(t, newStore) })
	t.Run("SalesRollback", func(t *testing.T) { runSalesRollback(t, newStore) })
	t.Run("LedgerRecords", func(t *testing.T) { runLedgerRecords(t, newStore) })
	t.Run("LedgerAggregates", func(t *testing.T) { runLedgerAggregates(t, newStore) })
	t.Run("LedgerEmpty", func(t *testing.T) { runLedgerEmpty(t, newStore) })
	t.Run("LedgerRollback", func(t *testing.T) { runLedgerRollback(t, newStore) })
	t.Run("CRM", func(t *testing.T) { runCRM(t, newStore) })
	t.Run("Concurrency", func(t *testing.T) { runConcurrency(t, newStore) })
	t.Run("UserRaces", func(t *testing.T) { runUserRaces(t, newStore) })
	t.Run("Sealing", func(t *testing.T) { runSealing(t, newStore) })
	t.Run("Corrections", func(t *testing.T) { runCorrections(t, newStore) })
	t.Run("Periods", func(t *testing.T) { runPeriods(t, newStore) })
	t.Run("Contracts", func(t *testing.T) { runContracts(t, newStore) })
	t.Run("LedgerCorrections", func(t *testing.T) { runLedgerCorrections(t, newStore) })
	t.Run("LedgerConcurrency", func(t *testing.T) { runLedgerConcurrency(t, newStore) })
	t.Run("LedgerProperty", func(t *testing.T) { runLedgerProperty(t, newStore) })
	t.Run("Overflow", func(t *testing.T) { runOverflow(t, newStore) })
	t.Run("Dunning", func(t *testing.T) { runDunning(t, newStore) })
	t.Run("ReceivableReports", func(t *testing.T) { runReceivableReports(t, newStore) })
	t.Run("Documents", func(t *testing.T) { runDocuments(t, newStore) })
	t.Run("ActivityWork", func(t *testing.T) { runActivityWork(t, newStore) })
	t.Run("DealRules", func(t *testing.T) { runDealRules(t, newStore) })
	t.Run("CampaignAttribution", func(t *testing.T) { runCampaignAttribution(t, newStore) })
	t.Run("SalesAsOf", func(t *testing.T) { runSalesAsOf(t, newStore) })
	t.Run("BatchLedger", func(t *testing.T) { runBatchLedger(t, newStore) })
	t.Run("PaymentSettlement", func(t *testing.T) { runPaymentSettlement(t, newStore) })
	t.Run("BatchInteractions", func(t *testing.T) { runBatchInteractions(t, newStore) })
	t.Run("Handover", func(t *testing.T) { runHandover(t, newStore) })
	t.Run("InstallmentSweep", func(t *testing.T) { runInstallmentSweep(t, newStore) })
	t.Run("TeamFollowsOwner", func(t *testing.T) { runTeamFollowsOwner(t, newStore) })
	t.Run("Quotas", func(t *testing.T) { runQuotas(t, newStore) })
	t.Run("Export", func(t *testing.T) { runExport(t, newStore) })
	t.Run("ErasePersonal", func(t *testing.T) { runErasePersonal(t, newStore) })
	t.Run("MoveEvidence", func(t *testing.T) { runMoveEvidence(t, newStore) })
	t.Run("Consent", func(t *testing.T) { runConsent(t, newStore) })
	t.Run("Restriction", func(t *testing.T) { runRestriction(t, newStore) })
	t.Run("Retention", func(t *testing.T) { runRetention(t, newStore) })
	t.Run("Checks", func(t *testing.T) { runChecks(t, newStore) })
}

// epoch is the suite's fixed start of time.
var epoch = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
