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
// and writes nothing. A record the actor may not read is not found, as if
// it did not exist (a rep, under DefaultPolicy, reads only their own
// customers); one they may read but not change is forbidden, and the
// error names the roles the policy grants it to. Time comes from a Clock and IDs from a seedable
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
// lost (LoyaltyLadder, LadderRules). Every move references the evidence
// that caused it by its ID (EvidenceRef; LadderService.Evidence reads
// it). Evidence is weighed in the order it happened (CompareEvidence),
// whatever order it arrives in: late evidence replays the customer and
// replaces the moves it changes, so the same evidence in any order gives
// the same ladder. Evidence dated the instant it is recorded
// (Evidence.Arrival) happened as it arrived: at its instant it goes after
// backdated evidence, in arrival order, so a write at the instant of the
// customer's last one is never late and replays nothing. Scores fade with time, and the rung follows
// (LadderRules.Fade): LadderService.CheckFading, run once a business day,
// records each move fading caused on the day it happened, so the ladder's
// distribution at any past date is true. The CRM's own records are
// evidence too, as FactEvidence says (all on by default): a won deal is a
// purchase, an invoice settled by payment was paid on time or late, each
// dunning level reached weighs, and a contract terminated or ended with
// none after it is churn. A JourneyTemplate is compared with the path a
// customer took; ExperienceService.Stats, PainPoints (by PainWeights) and
// MomentsOfTruth (moves per contact against the base rate, MomentsReport)
// read across customers; JourneyMapMermaid draws a template with the mean
// satisfaction at each step.
//
// # Consent
//
// Consent to be contacted is a history of Consent records, appended and
// never changed: per purpose (a key the company defines), given or
// withdrawn by the customer or by one of its contact persons for
// themself, with when the person decided, how it came and what proves
// it (CustomerService.GiveConsent, WithdrawConsent, ConsentHistory).
// CustomerService.MayContact answers for any time with the record that
// decides, the latest by when it was decided (CompareConsent), and tells
// consent never given from consent withdrawn or lapsed. Giving needs
// proof and the consent grant; withdrawing needs neither, and anyone who
// may record about a customer records it. WithConsentEvidence makes a new
// consent for a purpose a good experience on the ladder; a withdrawal
// never weighs. consent.go says why each rule is as it is.
//
// # Sales
//
// A Pipeline's stages compile into a DealFlow that moves deals through
// them with their probability and history; losing needs one of the
// pipeline's lost reasons. The history stays honest: a stage change
// resets a hand-set probability and forecast category, a win counts on
// the day it was signed (WinDealRequest.WonOn) in the forecast, the KPIs
// and the stage history (Deal.ClosingAt), a closed deal changes
// only by a manager's correction with a reason (DealService.CorrectClose),
// reopening clears what was expected before, and a stage holding open
// deals is removed only with them moved (PipelinePatch.MoveDeals).
// Activities make the work report that replaces the status meeting:
// their follow-ups (with a time, if need be) are rescheduled, completed
// or cancelled through ActivityMachine, visits are judged by a VisitRule
// (WithVisitRule), and the report lists the key accounts untouched for N
// days and the deals with no next activity; campaigns report their
// return with the cost counted once, over the deals that name them or
// whose customer they brought, and a mistyped cost line is corrected by
// a reversing line with a reason; the DealService reads a pipeline as a
// funnel (now, as of a past day from the stage history, or as a cohort),
// a forecast by month or fiscal quarter or year with overdue deals in a
// line of their own, quotas per rep or team with their attainment, and
// key figures; a Funnel draws itself as SVG.
//
// Sales work survives people leaving and teams changing. Reassigning a
// customer, or handing over all of a rep's (CustomerService.HandOver),
// moves the customer's open deals, contracts in progress, open cases and
// pending follow-ups with it, all or nothing, and a HandOverReport says
// what moved and what stayed with who closed it. When a user changes team,
// what they own follows them, so their new manager sees it. With
// WithPublicPool, customers nobody followed up for a number of days go back
// to their team's pool (CustomerService.ReturnIdle), where its reps claim
// them.
//
// A person may ask that their data be kept but not used (Article 18
// GDPR): CustomerService.Restrict keeps the record readable and refuses,
// with a *RestrictedError, the writes that would process it (interactions,
// activities, deals, cases, ladder evidence, new contracts), while the
// receivables go on as legal claims; the sweeps and the reports that
// profile behaviour pass restricted customers over, and listings leave
// them out unless the privacy officer asks (CustomerFilter.Restricted).
// Retention rules (WithRetention) say how long personal data is kept:
// CustomerService.ApplyRetention erases, through Erase, the leads never
// converted and left alone for the rule's months, each erasure an event
// that names its rule.
//
// # Receivables
//
// Contracts are approved online (by amount: a manager, then finance) and
// carry payment plans whose installments add up exactly. A draft, or a
// contract a rejection sent back, is revised before it is submitted
// (ContractService.Revise). A signed contract changes only by an
// amendment (Amend), a new contract approved by the same rules that
// carries the installments invoiced so far with their invoices, plans
// only the rest again, and supersedes the contract once signed; Renew
// drafts the next term. A contract expires only once its date passed by
// the business calendar (an active one after its end, an approved one
// never signed after its start; ExpireDue is the daily sweep); an early
// end is a termination, with a reason, by a manager, finance or an
// admin. Its installments are invoiced as they fall due by another daily
// sweep (InvoiceDue), each once, whichever of two sweeps gets there
// first, or by hand ahead of their date (InvoiceInstallment). It
// completes when every installment is invoiced and settled, or, short of
// that, with a reason. Invoices,
// payments, allocations, credit notes, write-offs and refunds post
// balanced entries to an append-only double-entry ledger: entries are
// reversed, never edited, at most once (a document's entry with what
// settled it, in one command); commands carry idempotency keys, and a
// retry returns what the first call did; a customer's postings are
// serialized so no invoice is ever over-allocated;
// no entry counts before what it settles, so open items, aging and
// statements as of any past day are true. An invoice's status is derived,
// never stored (ReceivableService.Invoices, with the breakdown of its total
// into open, paid, credited, written off and cancelled):
//
//	open, overdue                    nothing paid yet (credit notes and write-offs lower what is asked)
//	partly_paid, partly_paid_overdue money came in, the rest is open
//	paid                             closed, all of it by payments
//	credited                         closed, some by credit notes, nothing written off
//	written_off                      closed, some written off
//	cancelled                        its entry was reversed
//
// The reports reconcile: the aging shows each customer's unapplied credit
// beside the buckets and ends at what Debts says they owe net; DSO counts
// what is owed net of credit; expected collections let credit settle
// invoices and weight overdue amounts by a collection probability per
// aging bucket; a statement opens with the balance brought forward. A zero
// AsOf or To is today by the business calendar (later entries left out)
// and a zero From the beginning, in every report. LedgerService.Verify
// checks every invariant. A credit note, refund or write-off above the
// correction limit (WithCorrectionLimits, DefaultCorrectionLimit) needs
// another user's approval first (LedgerService.ApproveCorrection), used
// once: the four-eyes rule for money leaving the books.
//
// Documents are made of what they correct. A credit note names the
// invoice it credits, takes its tax at that invoice's rates, and never
// credits more than the invoice charged (nor, applied to it, more than is
// open; nor, to be refunded, more than was paid): see NewCreditNote. An
// allocation across currencies books the difference between what the
// payment is worth at the rate and what it settles as realized exchange
// gain or loss (AccountFXGain, AccountFXLoss), within a tolerance
// (WithFXTolerance); anything beyond is a write-off, with its approval.
// Invoice lines may carry a discount rate; tax is rounded per line or per
// document (WithTaxRounding).
//
// Every "today" is a day of the business calendar (WithCalendar: the
// company's time zone and the month its fiscal year starts): an invoice
// issued at 08:30 on 1 April in Tokyo is an April invoice, a deal won at
// 20:30 on 31 March in New York a March win, and the reports' months and
// quarters are the calendar's; instants are stored in UTC. Invoices
// without a number take the next of a gapless series per prefix and
// fiscal year (WithNumbering; INV-2026-00001), and credit notes the next
// of a series of their own (CN-2026-00001), in the transaction that
// issues them; no two invoices, nor two credit notes, share a number. Finance closes the
// books through a day that is over (LedgerService.ClosePeriod, with a
// reason, recorded as an event): every posting dated on or before it is
// refused with a *PeriodClosedError, and a correction of a closed period
// counts in the open one. Overdue invoices are dunned by levels of days
// overdue (WithDunningRules; ReceivableService.Dun runs them, bounded and
// idempotent, with fees and interest on an invoice of their own), and
// each level reached is evidence on the loyalty ladder, the final notice
// weighing most.
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
// # The audit log and what it proves
//
// Every write records events in the same transaction as the state they
// describe. Each event carries the SHA-256 of its data and a chain hash
// over everything it says (position, ID, time, actor, type, record,
// version, data digest) and the hash of the event before it. An erasure
// rewrites the personal data in past events, marks them redacted and
// records, in its own chained event, each event it redacted with the
// digest of what it left there; a redaction is valid only as so recorded.
// Events.Checkpoint signs the head (position and hash) with an ed25519
// key the application holds; the application stores checkpoints where the
// database's owner cannot rewrite them.
//
// What is detected: Events.Verify reads the whole chain and finds any
// edited, deleted, inserted or reordered event, any redaction no erasure
// recorded and any rewrite of what an erasure left. Events.VerifySince
// checks a checkpoint's signature, that the log still holds the event it
// names with the same hash, and the chain after it, reading only what came
// after: a log cut back behind the checkpoint, wiped, or edited and
// re-chained before it fails (a consistent re-chaining passes Verify, and
// only a checkpoint taken before it catches it). Ledger.Verify checks
// every ledger row against the ledger.posted event that recorded it, so a
// balanced rewrite of the ledger's rows is caught by way of the chain;
// Ledger.VerifySince does the same for the entries posted after a
// LedgerCheckpoint a previous verification returned, reading only those,
// and leaves what came before it to Ledger.Verify. On SQL the log and the ledger refuse UPDATE, DELETE and TRUNCATE by trigger
// (except a redaction, and an erasure of an entry's description, which no
// event vouches for), which stops mistakes and casual edits.
//
// What is not: someone who owns the database can drop the triggers, and
// then drop or rewrite the events after the latest checkpoint, re-chained,
// without any check noticing: sign checkpoints often and keep them away
// from the database. Verification proves the log is what was written, not
// that it is all that was acknowledged: a restored old backup verifies
// (a checkpoint newer than it does not). Nothing here keeps the database's
// owner from reading the data; the chain proves integrity, not secrecy.
// VerifySince leaves what came before the checkpoint to a full Verify.
//
// No write queues on one row to extend the chain. On PostgreSQL
// (crm.LogSealer) writers append their events unchained, and a short
// sealing transaction, the only one that holds the log's head, gives the
// committed events their places, oldest first, after each write and before
// the log is read; see store/sqlstore. Events not yet sealed, at most a
// moment old, are outside the chain until they are.
//
// # Storage
//
// Adapters live in store/memory (the reference) and store/sqlstore
// (SQLite, the embedded default through store/sqlite, and PostgreSQL); on
// SQL, reports aggregate in the database. store/storetest is the
// conformance suite every adapter passes, and store/storekit holds what
// adapter authors share: the reference implementations of the port's
// aggregations. A store may read what a write checks first (its actor,
// the customer's head, the period lock, a touchpoint) in one statement
// (crm.CheckReader); both adapters do, and the CRM reads them one by one
// from a store that does not.
package crm
