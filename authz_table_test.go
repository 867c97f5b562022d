package crm_test

import (
	"errors"
	"fmt"
	"iter"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The authorization table: who may do what to whose customer under
// DefaultPolicy, written out cell by cell so that it reads as the
// documentation of the policy and fails when the CRM stops keeping it.
//
// The actors are the four roles: Ada the admin and Fay of finance, who
// belong to no team, Max the manager of team north and Ann, a rep of team
// north. The target of a call is a customer in one of three scopes,
// relative to the actor:
//
//	own    a customer the actor owns
//	team   a customer of Ben, Ann's teammate in team north
//	other  a customer of Sue, of team south
//
// Admin and finance have no team, so for them "team" and "other" are just
// customers of team north and of team south. The records a call acts on (a
// deal, a contract, an invoice, ...) belong to the customer's owner, as
// they do when the owner works the customer.
//
// An outcome is one of three:
//
//	allow  the call succeeds
//	hide   crm.ErrNotFound: the actor may not read the record, and is told
//	       it is not there, as if it did not exist
//	deny   crm.ErrForbidden: the actor may read the record but not do this,
//	       or the call touches no record they could be kept from seeing
//
// The expectations follow from DefaultPolicy's grants (policy.go) and the
// rules of access.go: a deal, a contract, an activity or a ledger command
// is its customer's data, so the actor must first be able to read the
// customer; recording interactions, cases and evidence is granted to
// everyone for every customer (a contact-center agent serves customers
// they do not own); reports across customers need the analyze grant, and
// figures of the whole ledger need read access to every customer as well.

// outcome is what a cell of the table expects of a call.
type outcome int

// The outcomes.
const (
	allow outcome = iota // the call succeeds
	hide                 // crm.ErrNotFound
	deny                 // crm.ErrForbidden
)

// String returns the outcome's name, as the table spells it.
func (o outcome) String() string { return [...]string{"allow", "hide", "deny"}[o] }

// scopes are the outcomes of one role on a customer of its own, of team
// north and of team south, in that order.
type scopes [3]outcome

// scopeNames name the target scopes, in the order of scopes.
var scopeNames = [...]string{"own", "team", "other"}

// The roles of the table, in the order of its columns.
var authzRoles = []crm.Role{crm.RoleAdmin, crm.RoleManager, crm.RoleRep, crm.RoleFinance}

// customerAction is a row of the table for a call about one customer: how
// to prepare the records it acts on, the call, and what each role may do
// in each scope.
type customerAction struct {
	action                       string
	prep                         func(c *authzCell) // prepares what the call acts on, as a setup admin; nil for nothing
	run                          func(c *authzCell, actor crm.ID) error
	admin, manager, rep, finance scopes
}

// want is the row's outcome for role in scope.
func (a customerAction) want(role crm.Role, scope int) outcome {
	return map[crm.Role]scopes{crm.RoleAdmin: a.admin, crm.RoleManager: a.manager, crm.RoleRep: a.rep, crm.RoleFinance: a.finance}[role][scope]
}

// globalAction is a row of the table for a call that touches no customer:
// user management, configuration, the audit log, analytics.
type globalAction struct {
	action                       string
	prep                         func(c *authzCell)
	run                          func(c *authzCell, actor crm.ID) error
	admin, manager, rep, finance outcome
}

// want is the row's outcome for role.
func (a globalAction) want(role crm.Role) outcome {
	return map[crm.Role]outcome{crm.RoleAdmin: a.admin, crm.RoleManager: a.manager, crm.RoleRep: a.rep, crm.RoleFinance: a.finance}[role]
}

// customerActions is the table of calls about one customer.
func customerActions() []customerAction {
	return []customerAction{
		// Customer records.
		{action: "customer: read", run: (*authzCell).readCustomer,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{allow, hide, hide}, finance: scopes{allow, allow, allow}},
		{action: "customer: in the listing", run: (*authzCell).customerListed,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{allow, hide, hide}, finance: scopes{allow, allow, allow}},
		{action: "customer: history", run: (*authzCell).customerHistory,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{allow, hide, hide}, finance: scopes{allow, allow, allow}},
		{action: "customer: create one for the owner", run: (*authzCell).createCustomerFor,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, deny}, rep: scopes{allow, deny, deny}, finance: scopes{deny, deny, deny}},
		{action: "customer: update", run: (*authzCell).updateCustomer,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{allow, hide, hide}, finance: scopes{deny, deny, deny}},
		{action: "customer: set the lifecycle stage", run: (*authzCell).setLifecycle,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{allow, hide, hide}, finance: scopes{deny, deny, deny}},
		{action: "customer: archive", run: (*authzCell).archiveCustomer,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{allow, hide, hide}, finance: scopes{deny, deny, deny}},
		{action: "customer: restore", prep: (*authzCell).archived, run: (*authzCell).restoreCustomer,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{deny, hide, hide}, finance: scopes{deny, deny, deny}},
		{action: "customer: reassign within team north", run: (*authzCell).reassignCustomer,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{deny, hide, hide}, finance: scopes{deny, deny, deny}},
		// HandOver names a user, whom everyone may read, not a customer:
		// a refusal is forbidden, not missing.
		{action: "customer: hand over the owner's customers", run: (*authzCell).handOver,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, deny}, rep: scopes{deny, deny, deny}, finance: scopes{deny, deny, deny}},
		{action: "customer: erase personal data", run: (*authzCell).eraseCustomer,
			admin: scopes{allow, allow, allow}, manager: scopes{deny, deny, hide}, rep: scopes{deny, hide, hide}, finance: scopes{deny, deny, deny}},
		// Export hands out the whole history and ledger: an admin's, as
		// erasure is; finance reads every customer but exports none.
		{action: "customer: export everything held about them", run: (*authzCell).exportCustomer,
			admin: scopes{allow, allow, allow}, manager: scopes{deny, deny, hide}, rep: scopes{deny, hide, hide}, finance: scopes{deny, deny, deny}},
		{action: "customer: restrict processing", run: (*authzCell).restrictCustomer,
			admin: scopes{allow, allow, allow}, manager: scopes{deny, deny, hide}, rep: scopes{deny, hide, hide}, finance: scopes{deny, deny, deny}},
		{action: "customer: lift a restriction", prep: (*authzCell).restricted, run: (*authzCell).liftRestriction,
			admin: scopes{allow, allow, allow}, manager: scopes{deny, deny, hide}, rep: scopes{deny, hide, hide}, finance: scopes{deny, deny, deny}},

		// Deals.
		{action: "deal: open", run: (*authzCell).openDeal,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{allow, hide, hide}, finance: scopes{deny, deny, deny}},
		{action: "deal: read", prep: (*authzCell).withDeal, run: (*authzCell).readDeal,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{allow, hide, hide}, finance: scopes{allow, allow, allow}},
		{action: "deal: in the listing", prep: (*authzCell).withDeal, run: (*authzCell).dealListed,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{allow, hide, hide}, finance: scopes{allow, allow, allow}},
		{action: "deal: update", prep: (*authzCell).withDeal, run: (*authzCell).updateDeal,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{allow, hide, hide}, finance: scopes{deny, deny, deny}},
		{action: "deal: move to the next stage", prep: (*authzCell).withDeal, run: (*authzCell).moveDeal,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{allow, hide, hide}, finance: scopes{deny, deny, deny}},
		{action: "deal: set the probability", prep: (*authzCell).withDeal, run: (*authzCell).setProbability,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{allow, hide, hide}, finance: scopes{deny, deny, deny}},
		{action: "deal: win", prep: (*authzCell).withDeal, run: (*authzCell).winDeal,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{allow, hide, hide}, finance: scopes{deny, deny, deny}},
		{action: "deal: lose", prep: (*authzCell).withDeal, run: (*authzCell).loseDeal,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{allow, hide, hide}, finance: scopes{deny, deny, deny}},
		{action: "deal: among the rotting deals", prep: (*authzCell).withRottingDeal, run: (*authzCell).rottingListed,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{allow, hide, hide}, finance: scopes{allow, allow, allow}},
		{action: "deal: reopen", prep: (*authzCell).withLostDeal, run: (*authzCell).reopenDeal,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{deny, hide, hide}, finance: scopes{deny, deny, deny}},
		{action: "deal: correct the close date", prep: (*authzCell).withLostDeal, run: (*authzCell).correctClose,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{deny, hide, hide}, finance: scopes{deny, deny, deny}},

		// Activities: logging needs read access to the customer (and to the
		// deal), then the record grant, which everyone has; logging as the
		// owner's needs the delegate grant for the owner.
		{action: "activity: log", run: (*authzCell).logActivity,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{allow, hide, hide}, finance: scopes{allow, allow, allow}},
		{action: "activity: log on the deal", prep: (*authzCell).withDeal, run: (*authzCell).logActivityOnDeal,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{allow, hide, hide}, finance: scopes{allow, allow, allow}},
		{action: "activity: log as the owner's", run: (*authzCell).logActivityAsOwner,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{allow, hide, hide}, finance: scopes{allow, deny, deny}},
		{action: "activity: complete the follow-up", prep: (*authzCell).withActivity, run: (*authzCell).completeFollowUp,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{allow, hide, hide}, finance: scopes{deny, deny, deny}},
		{action: "activity: update", prep: (*authzCell).withActivity, run: (*authzCell).updateActivity,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{allow, hide, hide}, finance: scopes{deny, deny, deny}},
		{action: "activity: reschedule", prep: (*authzCell).withActivity, run: (*authzCell).rescheduleActivity,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{allow, hide, hide}, finance: scopes{deny, deny, deny}},
		{action: "activity: cancel", prep: (*authzCell).withActivity, run: (*authzCell).cancelActivity,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{allow, hide, hide}, finance: scopes{deny, deny, deny}},
		{action: "activity: complete", prep: (*authzCell).withActivity, run: (*authzCell).completeActivity,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{allow, hide, hide}, finance: scopes{deny, deny, deny}},
		{action: "activity: in the listing", prep: (*authzCell).withActivity, run: (*authzCell).activityListed,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{allow, hide, hide}, finance: scopes{allow, allow, allow}},

		// Experience: anyone records what happened with any customer;
		// reading it back needs read access.
		{action: "experience: record an interaction", run: (*authzCell).recordInteraction,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, allow}, rep: scopes{allow, allow, allow}, finance: scopes{allow, allow, allow}},
		{action: "experience: journey", run: (*authzCell).journey,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{allow, hide, hide}, finance: scopes{allow, allow, allow}},
		{action: "experience: journey against the template", run: (*authzCell).compareJourney,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{allow, hide, hide}, finance: scopes{allow, allow, allow}},

		// Cases: recorded by anyone, read by those who read the customer.
		// Moving a case is recording it, so anyone may move one, even one
		// Cases.Get hides from them; the call returns the case.
		{action: "case: open", run: (*authzCell).openCase,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, allow}, rep: scopes{allow, allow, allow}, finance: scopes{allow, allow, allow}},
		{action: "case: read", prep: (*authzCell).withCase, run: (*authzCell).readCase,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{allow, hide, hide}, finance: scopes{allow, allow, allow}},
		{action: "case: start", prep: (*authzCell).withCase, run: (*authzCell).startCase,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, allow}, rep: scopes{allow, allow, allow}, finance: scopes{allow, allow, allow}},
		{action: "case: hand off", prep: (*authzCell).withCase, run: (*authzCell).handOffCase,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, allow}, rep: scopes{allow, allow, allow}, finance: scopes{allow, allow, allow}},
		{action: "case: resolve", prep: (*authzCell).withCase, run: (*authzCell).resolveCase,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, allow}, rep: scopes{allow, allow, allow}, finance: scopes{allow, allow, allow}},
		{action: "case: reopen", prep: (*authzCell).withResolvedCase, run: (*authzCell).reopenCase,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, allow}, rep: scopes{allow, allow, allow}, finance: scopes{allow, allow, allow}},
		{action: "case: close", prep: (*authzCell).withResolvedCase, run: (*authzCell).closeCase,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, allow}, rep: scopes{allow, allow, allow}, finance: scopes{allow, allow, allow}},

		// The loyalty ladder.
		{action: "ladder: record evidence", run: (*authzCell).recordEvidence,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, allow}, rep: scopes{allow, allow, allow}, finance: scopes{allow, allow, allow}},
		{action: "ladder: state", run: (*authzCell).ladderState,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{allow, hide, hide}, finance: scopes{allow, allow, allow}},
		{action: "ladder: history", run: (*authzCell).ladderHistory,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{allow, hide, hide}, finance: scopes{allow, allow, allow}},
		// Movers is analytics, and keeps to the customers the reader may see.
		{action: "ladder: the customer's move among the movers", prep: (*authzCell).withLadderMove, run: (*authzCell).moverListed,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{deny, deny, deny}, finance: scopes{allow, allow, allow}},
		{action: "ladder: replay", run: (*authzCell).ladderReplay,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{allow, hide, hide}, finance: scopes{allow, allow, allow}},

		// Consent: giving it is for those who work the customer; a
		// withdrawal anyone records, as it must be as easy as giving;
		// reading it back needs read access.
		{action: "consent: give", run: (*authzCell).giveConsent,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{allow, hide, hide}, finance: scopes{deny, deny, deny}},
		{action: "consent: withdraw", run: (*authzCell).withdrawConsent,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, allow}, rep: scopes{allow, allow, allow}, finance: scopes{allow, allow, allow}},
		{action: "consent: may contact", run: (*authzCell).mayContact,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{allow, hide, hide}, finance: scopes{allow, allow, allow}},
		{action: "consent: history", run: (*authzCell).consentHistory,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{allow, hide, hide}, finance: scopes{allow, allow, allow}},

		// Contracts. Approval also needs the step's approver: a manager of
		// the contract's team for the manager step, finance for the finance
		// step, an admin for either.
		{action: "contract: draft", run: (*authzCell).draftContract,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{allow, hide, hide}, finance: scopes{deny, deny, deny}},
		{action: "contract: read", prep: (*authzCell).withDraft, run: (*authzCell).readContract,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{allow, hide, hide}, finance: scopes{allow, allow, allow}},
		{action: "contract: in the listing", prep: (*authzCell).withDraft, run: (*authzCell).contractListed,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{allow, hide, hide}, finance: scopes{allow, allow, allow}},
		{action: "contract: submit", prep: (*authzCell).withDraft, run: (*authzCell).submitContract,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{allow, hide, hide}, finance: scopes{deny, deny, deny}},
		{action: "contract: approve the manager step", prep: (*authzCell).withSubmitted, run: (*authzCell).approveContract,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{deny, hide, hide}, finance: scopes{deny, deny, deny}},
		{action: "contract: approve the finance step", prep: (*authzCell).withFinanceStep, run: (*authzCell).approveContract,
			admin: scopes{allow, allow, allow}, manager: scopes{deny, deny, hide}, rep: scopes{deny, hide, hide}, finance: scopes{allow, allow, allow}},
		{action: "contract: reject", prep: (*authzCell).withSubmitted, run: (*authzCell).rejectContract,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{deny, hide, hide}, finance: scopes{deny, deny, deny}},
		{action: "contract: sign", prep: (*authzCell).withApproved, run: (*authzCell).signContract,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{allow, hide, hide}, finance: scopes{deny, deny, deny}},
		// Expiry is the update grant's, once the date has passed; the sweep
		// expires what its actor sees and may update.
		{action: "contract: expire", prep: (*authzCell).withStaleApproval, run: (*authzCell).expireContract,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{allow, hide, hide}, finance: scopes{deny, deny, deny}},
		{action: "contract: expired by the sweep", prep: (*authzCell).withStaleApproval, run: (*authzCell).sweepContract,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{allow, hide, hide}, finance: scopes{deny, deny, deny}},
		// Completing a contract invoiced and paid in full is the owner's or
		// finance's; closing one short, like ending one early, is a
		// decision for a manager of its team, finance or an admin.
		{action: "contract: complete, paid in full", prep: (*authzCell).withPaidUp, run: (*authzCell).completeContract,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{allow, hide, hide}, finance: scopes{allow, allow, allow}},
		{action: "contract: complete short, with a reason", prep: (*authzCell).withActive, run: (*authzCell).completeShort,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{deny, hide, hide}, finance: scopes{allow, allow, allow}},
		{action: "contract: terminate", prep: (*authzCell).withActive, run: (*authzCell).terminateContract,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{deny, hide, hide}, finance: scopes{allow, allow, allow}},
		{action: "contract: revise a draft", prep: (*authzCell).withDraft, run: (*authzCell).reviseContract,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{allow, hide, hide}, finance: scopes{deny, deny, deny}},
		{action: "contract: amend", prep: (*authzCell).withActive, run: (*authzCell).amendContract,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{allow, hide, hide}, finance: scopes{deny, deny, deny}},
		{action: "contract: renew", prep: (*authzCell).withActive, run: (*authzCell).renewContract,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{allow, hide, hide}, finance: scopes{deny, deny, deny}},
		{action: "contract: invoice an installment", prep: (*authzCell).withActive, run: (*authzCell).invoiceInstallment,
			admin: scopes{allow, allow, allow}, manager: scopes{deny, deny, hide}, rep: scopes{deny, hide, hide}, finance: scopes{allow, allow, allow}},
		// The sweep invoices what its actor sees and may bill, as
		// InvoiceInstallment would; what it may not bill it reports refused.
		{action: "contract: invoiced by the sweep", prep: (*authzCell).withInstallmentDue, run: (*authzCell).sweepInstallments,
			admin: scopes{allow, allow, allow}, manager: scopes{deny, deny, hide}, rep: scopes{deny, hide, hide}, finance: scopes{allow, allow, allow}},

		// The ledger: billing is admin's and finance's, on a customer the
		// actor may read.
		{action: "ledger: issue an invoice", run: (*authzCell).issueInvoice,
			admin: scopes{allow, allow, allow}, manager: scopes{deny, deny, hide}, rep: scopes{deny, hide, hide}, finance: scopes{allow, allow, allow}},
		{action: "ledger: receive a payment", run: (*authzCell).receivePayment,
			admin: scopes{allow, allow, allow}, manager: scopes{deny, deny, hide}, rep: scopes{deny, hide, hide}, finance: scopes{allow, allow, allow}},
		{action: "ledger: issue a credit note", prep: (*authzCell).withInvoice, run: (*authzCell).issueCreditNote,
			admin: scopes{allow, allow, allow}, manager: scopes{deny, deny, hide}, rep: scopes{deny, hide, hide}, finance: scopes{allow, allow, allow}},
		{action: "ledger: allocate a payment", prep: (*authzCell).withInvoiceAndPayment, run: (*authzCell).allocate,
			admin: scopes{allow, allow, allow}, manager: scopes{deny, deny, hide}, rep: scopes{deny, hide, hide}, finance: scopes{allow, allow, allow}},
		{action: "ledger: write off", prep: (*authzCell).withInvoice, run: (*authzCell).writeOff,
			admin: scopes{allow, allow, allow}, manager: scopes{deny, deny, hide}, rep: scopes{deny, hide, hide}, finance: scopes{allow, allow, allow}},
		{action: "ledger: refund", prep: (*authzCell).withPayment, run: (*authzCell).refund,
			admin: scopes{allow, allow, allow}, manager: scopes{deny, deny, hide}, rep: scopes{deny, hide, hide}, finance: scopes{allow, allow, allow}},
		{action: "ledger: reverse an entry", prep: (*authzCell).withInvoice, run: (*authzCell).reverse,
			admin: scopes{allow, allow, allow}, manager: scopes{deny, deny, hide}, rep: scopes{deny, hide, hide}, finance: scopes{allow, allow, allow}},

		// Receivables of one customer are read by those who read them.
		{action: "receivables: open items", prep: (*authzCell).withInvoice, run: (*authzCell).openItems,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{allow, hide, hide}, finance: scopes{allow, allow, allow}},
		{action: "receivables: invoices", prep: (*authzCell).withInvoice, run: (*authzCell).invoiceStates,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{allow, hide, hide}, finance: scopes{allow, allow, allow}},
		{action: "receivables: debts", prep: (*authzCell).withInvoice, run: (*authzCell).debts,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{allow, hide, hide}, finance: scopes{allow, allow, allow}},
		{action: "receivables: aging", prep: (*authzCell).withInvoice, run: (*authzCell).aging,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{allow, hide, hide}, finance: scopes{allow, allow, allow}},
		{action: "receivables: statement", prep: (*authzCell).withInvoice, run: (*authzCell).statement,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{allow, hide, hide}, finance: scopes{allow, allow, allow}},
		{action: "receivables: lifetime value", prep: (*authzCell).withInvoice, run: (*authzCell).lifetimeValue,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{allow, hide, hide}, finance: scopes{allow, allow, allow}},
		{action: "ledger: a customer's entries", prep: (*authzCell).withInvoice, run: (*authzCell).customerEntries,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{allow, hide, hide}, finance: scopes{allow, allow, allow}},
		{action: "ledger: an invoice's entries", prep: (*authzCell).withInvoice, run: (*authzCell).invoiceEntries,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{allow, hide, hide}, finance: scopes{allow, allow, allow}},
		{action: "ledger: an invoice's allocations", prep: (*authzCell).withInvoice, run: (*authzCell).invoiceAllocations,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{allow, hide, hide}, finance: scopes{allow, allow, allow}},
		// Over every customer, the report is for analysts, and keeps to
		// the customers the reader may see.
		{action: "receivables: in the open items of every customer", prep: (*authzCell).withInvoice, run: (*authzCell).openItemsOfEveryone,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{deny, deny, deny}, finance: scopes{allow, allow, allow}},
		{action: "ledger: in the entries of every customer", prep: (*authzCell).withInvoice, run: (*authzCell).entriesOfEveryone,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{deny, deny, deny}, finance: scopes{allow, allow, allow}},

		// Dunning: a hold is for those who bill the customer or approve for
		// them; who is at which level is read as the receivables are.
		{action: "dunning: pause", prep: (*authzCell).withInvoice, run: (*authzCell).pauseDunning,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{deny, hide, hide}, finance: scopes{allow, allow, allow}},
		{action: "dunning: levels of the customer", prep: (*authzCell).withInvoice, run: (*authzCell).dunningLevels,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{allow, hide, hide}, finance: scopes{allow, allow, allow}},

		// Reports about the owner's work: a rep may ask about their own, a
		// manager about their team's, an analyst about anyone's.
		{action: "report: work report of the owner", run: (*authzCell).ownerWorkReport,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, deny}, rep: scopes{allow, deny, deny}, finance: scopes{allow, allow, allow}},
		{action: "report: the owner's rotting deal in the owner's work report", prep: (*authzCell).withRottingDeal, run: (*authzCell).rottingInOwnersWork,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, deny}, rep: scopes{allow, deny, deny}, finance: scopes{allow, allow, allow}},
		// The work report of everyone is analytics; the rotting deals it
		// lists are records, kept to those the reader may see.
		{action: "report: the owner's rotting deal in the work report of everyone", prep: (*authzCell).withRottingDeal, run: (*authzCell).rottingInEveryonesWork,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, hide}, rep: scopes{deny, deny, deny}, finance: scopes{allow, allow, allow}},
		{action: "report: funnel of the owner's deals", run: (*authzCell).ownerFunnel,
			admin: scopes{allow, allow, allow}, manager: scopes{allow, allow, deny}, rep: scopes{allow, deny, deny}, finance: scopes{allow, allow, allow}},
	}
}

// globalActions is the table of calls that touch no customer.
func globalActions() []globalAction {
	return []globalAction{
		// Users: anyone reads the directory; only admins manage it.
		{action: "users: read one", run: (*authzCell).readUser, admin: allow, manager: allow, rep: allow, finance: allow},
		{action: "users: list", run: (*authzCell).listUsers, admin: allow, manager: allow, rep: allow, finance: allow},
		{action: "users: create", run: (*authzCell).createUser, admin: allow, manager: deny, rep: deny, finance: deny},
		{action: "users: update", run: (*authzCell).updateUser, admin: allow, manager: deny, rep: deny, finance: deny},
		{action: "users: deactivate", run: (*authzCell).deactivateUser, admin: allow, manager: deny, rep: deny, finance: deny},
		{action: "users: reactivate", prep: (*authzCell).benDeparted, run: (*authzCell).reactivateUser, admin: allow, manager: deny, rep: deny, finance: deny},

		// Configuration: anyone reads it; only admins change it.
		{action: "pipelines: read", run: (*authzCell).readPipeline, admin: allow, manager: allow, rep: allow, finance: allow},
		{action: "pipelines: list", run: (*authzCell).listPipelines, admin: allow, manager: allow, rep: allow, finance: allow},
		{action: "pipelines: create", run: (*authzCell).createPipeline, admin: allow, manager: deny, rep: deny, finance: deny},
		{action: "pipelines: update", run: (*authzCell).updatePipeline, admin: allow, manager: deny, rep: deny, finance: deny},
		{action: "touchpoints: read a map", run: (*authzCell).readMap, admin: allow, manager: allow, rep: allow, finance: allow},
		{action: "touchpoints: list the maps", run: (*authzCell).listMaps, admin: allow, manager: allow, rep: allow, finance: allow},
		{action: "touchpoints: create a map", run: (*authzCell).createMap, admin: allow, manager: deny, rep: deny, finance: deny},
		{action: "touchpoints: update a map", run: (*authzCell).updateMap, admin: allow, manager: deny, rep: deny, finance: deny},
		{action: "journeys: read a template", run: (*authzCell).readTemplate, admin: allow, manager: allow, rep: allow, finance: allow},
		{action: "journeys: list the templates", run: (*authzCell).listTemplates, admin: allow, manager: allow, rep: allow, finance: allow},
		{action: "journeys: create a template", run: (*authzCell).createTemplate, admin: allow, manager: deny, rep: deny, finance: deny},
		{action: "journeys: update a template", run: (*authzCell).updateTemplate, admin: allow, manager: deny, rep: deny, finance: deny},
		{action: "campaigns: read", run: (*authzCell).readCampaign, admin: allow, manager: allow, rep: allow, finance: allow},
		{action: "campaigns: list", run: (*authzCell).listCampaigns, admin: allow, manager: allow, rep: allow, finance: allow},
		{action: "campaigns: create", run: (*authzCell).createCampaign, admin: allow, manager: deny, rep: deny, finance: deny},
		{action: "campaigns: add a cost", run: (*authzCell).addCost, admin: allow, manager: deny, rep: deny, finance: deny},

		// Retention erases: the admin's, as erasure is.
		{action: "customers: retention sweep", run: (*authzCell).applyRetention, admin: allow, manager: deny, rep: deny, finance: deny},

		// The audit log is the admin's.
		{action: "audit: Events.Page", run: (*authzCell).eventsPage, admin: allow, manager: deny, rep: deny, finance: deny},
		{action: "audit: Events.List", run: (*authzCell).eventsList, admin: allow, manager: deny, rep: deny, finance: deny},

		// Automation anyone may run.
		{action: "cases: check promises", run: (*authzCell).checkPromises, admin: allow, manager: allow, rep: allow, finance: allow},
		{action: "deals: rotting (kept to what the actor reads)", run: (*authzCell).rotting, admin: allow, manager: allow, rep: allow, finance: allow},

		// Analytics across customers: managers, finance and admins.
		{action: "analytics: experience stats", run: (*authzCell).experienceStats, admin: allow, manager: allow, rep: deny, finance: allow},
		{action: "analytics: case stats", run: (*authzCell).caseStats, admin: allow, manager: allow, rep: deny, finance: allow},
		{action: "analytics: pain points", run: (*authzCell).painPoints, admin: allow, manager: allow, rep: deny, finance: allow},
		{action: "analytics: moments of truth", run: (*authzCell).momentsOfTruth, admin: allow, manager: allow, rep: deny, finance: allow},
		{action: "analytics: journey map", run: (*authzCell).journeyMap, admin: allow, manager: allow, rep: deny, finance: allow},
		{action: "analytics: ladder distribution", run: (*authzCell).ladderDistribution, admin: allow, manager: allow, rep: deny, finance: allow},
		{action: "analytics: ladder movers", run: (*authzCell).ladderMovers, admin: allow, manager: allow, rep: deny, finance: allow},
		{action: "analytics: campaign report", run: (*authzCell).campaignReport, admin: allow, manager: allow, rep: deny, finance: allow},
		{action: "analytics: funnel of every deal", run: (*authzCell).funnel, admin: allow, manager: allow, rep: deny, finance: allow},
		{action: "analytics: cohort funnel", run: (*authzCell).cohortFunnel, admin: allow, manager: allow, rep: deny, finance: allow},
		{action: "analytics: forecast", run: (*authzCell).forecast, admin: allow, manager: allow, rep: deny, finance: allow},
		{action: "analytics: sales KPIs", run: (*authzCell).kpis, admin: allow, manager: allow, rep: deny, finance: allow},
		{action: "analytics: work report of everyone", run: (*authzCell).everyonesWork, admin: allow, manager: allow, rep: deny, finance: allow},
		{action: "analytics: aging of every customer", run: (*authzCell).agingOfEveryone, admin: allow, manager: allow, rep: deny, finance: allow},
		{action: "analytics: debts of every customer", run: (*authzCell).debtsOfEveryone, admin: allow, manager: allow, rep: deny, finance: allow},
		{action: "analytics: invoices of every customer", run: (*authzCell).invoicesOfEveryone, admin: allow, manager: allow, rep: deny, finance: allow},

		// Team reports: a manager reads their own team's.
		{action: "report: work report of team north", run: authzTeamWork("north"), admin: allow, manager: allow, rep: deny, finance: allow},
		{action: "report: work report of team south", run: authzTeamWork("south"), admin: allow, manager: deny, rep: deny, finance: allow},
		{action: "report: funnel of team north", run: authzTeamFunnel("north"), admin: allow, manager: allow, rep: deny, finance: allow},
		{action: "report: funnel of team south", run: authzTeamFunnel("south"), admin: allow, manager: deny, rep: deny, finance: allow},

		// Figures of the whole ledger: for analysts who read every customer.
		{action: "ledger-wide: balances", run: (*authzCell).balances, admin: allow, manager: deny, rep: deny, finance: allow},
		{action: "ledger-wide: DSO", run: (*authzCell).dso, admin: allow, manager: deny, rep: deny, finance: allow},
		{action: "ledger-wide: expected collections", run: (*authzCell).expectedCollections, admin: allow, manager: deny, rep: deny, finance: allow},
		{action: "ledger-wide: verify", run: (*authzCell).verifyLedger, admin: allow, manager: deny, rep: deny, finance: allow},
	}
}

// TestAuthorizationTable runs every cell of the table on fresh fixtures:
// each role on a customer of each scope for every call about a customer,
// and each role for every call about none. A refused call writes nothing.
func TestAuthorizationTable(t *testing.T) {
	cells := 0
	for _, a := range customerActions() {
		for _, role := range authzRoles {
			for scope, scopeName := range scopeNames {
				cells++
				want := a.want(role, scope)
				t.Run(fmt.Sprintf("%s/%s/%s", a.action, role, scopeName), func(t *testing.T) {
					t.Parallel()
					w := newAuthzWorld(t)
					actor := w.actor(role)
					c := w.cell(t, w.owner(actor, scope))
					runCell(t, c, a.prep, a.run, actor.ID, want)
				})
			}
		}
	}
	for _, a := range globalActions() {
		for _, role := range authzRoles {
			cells++
			want := a.want(role)
			t.Run(fmt.Sprintf("%s/%s", a.action, role), func(t *testing.T) {
				t.Parallel()
				w := newAuthzWorld(t)
				actor := w.actor(role)
				runCell(t, w.cell(t, crm.User{}), a.prep, a.run, actor.ID, want)
			})
		}
	}
	t.Logf("%d cells", cells)
}

// TestAuthorizationRefusesTheDepartedAndNobody: every call of the table,
// made by a deactivated admin (who could do anything while active) or by
// the zero ID, is forbidden for that reason and changes nothing.
func TestAuthorizationRefusesTheDepartedAndNobody(t *testing.T) {
	type call struct {
		action string
		prep   func(c *authzCell)
		run    func(c *authzCell, actor crm.ID) error
	}
	var calls []call
	for _, a := range customerActions() {
		calls = append(calls, call{a.action, a.prep, a.run})
	}
	for _, a := range globalActions() {
		calls = append(calls, call{a.action, a.prep, a.run})
	}
	for _, a := range calls {
		for _, who := range []string{"deactivated admin", "zero ID"} {
			t.Run(a.action+"/"+who, func(t *testing.T) {
				t.Parallel()
				w := newAuthzWorld(t)
				dora, err := w.Users.Create(ctx, w.sam.ID, crm.NewUser{Name: "Dora Departed", Role: crm.RoleAdmin})
				require.NoError(t, err)
				_, err = w.Users.Deactivate(ctx, w.sam.ID, crm.DeactivateUserRequest{User: dora.ID, Reason: "left"})
				require.NoError(t, err)
				actor, reason := dora.ID, "user is deactivated"
				if who == "zero ID" {
					actor, reason = crm.ID{}, "unknown user: the zero ID, which no user has (did the call that returned it fail?)"
				}
				c := w.cell(t, w.Ben)
				if a.prep != nil {
					a.prep(c)
				}
				before, customer := c.head(t), c.current(t)
				err = a.run(c, actor)
				var fe *crm.ForbiddenError
				require.ErrorAs(t, err, &fe)
				assert.Equal(t, reason, fe.Reason)
				assert.Equal(t, before, c.head(t), "nothing was written")
				assert.Equal(t, customer, c.current(t), "the customer did not change")
			})
		}
	}
}

// runCell prepares a cell, runs its call as actor and checks the outcome
// (see outcomeOf); a refused call leaves the log where it was.
func runCell(t *testing.T, c *authzCell, prep func(*authzCell), run func(*authzCell, crm.ID) error, actor crm.ID, want outcome) {
	t.Helper()
	if prep != nil {
		prep(c)
	}
	before := c.head(t)
	err := run(c, actor)
	got, ok := outcomeOf(err)
	require.True(t, ok, "want %s, got the error %v", want, err)
	require.Equal(t, want, got, "error: %v", err)
	if got != allow {
		assert.Equal(t, before, c.head(t), "a refused call writes nothing")
	}
}

// outcomeOf classifies a call's error with errors.Is: allow for nil, hide
// for an error that matches crm.ErrNotFound and not crm.ErrForbidden, deny
// for the reverse; ok is false for any other error, which no cell
// expects.
func outcomeOf(err error) (o outcome, ok bool) {
	notFound, forbidden := errors.Is(err, crm.ErrNotFound), errors.Is(err, crm.ErrForbidden)
	switch {
	case err == nil:
		return allow, true
	case notFound && !forbidden:
		return hide, true
	case forbidden && !notFound:
		return deny, true
	}
	return 0, false
}

// authzWorld is a company on a fresh store for one cell: the Team's users
// (Ada the admin, Max the manager, Ann and Ben of team north, Sue of team
// south), Fay of finance, and Sam and Sol, two admins who prepare the
// records a cell acts on and are none of the actors, so that no rule
// about who drafted or approved a contract decides a cell; a pipeline, a
// touchpoint map with a journey template, and a campaign.
type authzWorld struct {
	*company
	fay, sam, sol crm.User
	pipeline      crm.Pipeline
	tmap          crm.TouchpointMap
	template      crm.JourneyTemplate
	campaign      crm.Campaign
}

// newAuthzWorld makes an authzWorld.
func newAuthzWorld(t *testing.T) *authzWorld {
	t.Helper()
	co := newCompany(t, crm.WithRetention(crm.RetentionRule{Kind: crm.RetainLeads, Months: 24}))
	mk := func(name string, role crm.Role) crm.User {
		u, err := co.Users.Create(ctx, co.Admin.ID, crm.NewUser{Name: name, Role: role})
		require.NoError(t, err)
		return u
	}
	w := &authzWorld{company: co, fay: mk("Fay Finance", crm.RoleFinance), sam: mk("Sam Setup", crm.RoleAdmin), sol: mk("Sol Setup", crm.RoleAdmin)}
	var err error
	w.pipeline, err = co.Deals.CreatePipeline(ctx, w.sam.ID, crm.NewPipeline{Name: "New business", Currency: usd(t)})
	require.NoError(t, err)
	w.tmap, err = co.Experience.CreateTouchpointMap(ctx, w.sam.ID, retailBank())
	require.NoError(t, err)
	w.template, err = co.Experience.CreateJourneyTemplate(ctx, w.sam.ID, crm.NewJourneyTemplate{Name: "Card", Map: w.tmap.ID,
		Steps: []string{"web.apply", "hotline.cards"}})
	require.NoError(t, err)
	w.campaign, err = co.Campaigns.Create(ctx, w.sam.ID, crm.NewCampaign{Name: "Trade fair", Channel: "trade_show", Currency: usd(t),
		Budget: money(t, "1000.00", "USD")})
	require.NoError(t, err)
	return w
}

// actor is the world's user of role.
func (w *authzWorld) actor(role crm.Role) crm.User {
	return map[crm.Role]crm.User{crm.RoleAdmin: w.Admin, crm.RoleManager: w.Manager, crm.RoleRep: w.Ann, crm.RoleFinance: w.fay}[role]
}

// owner is the owner of the customer in scope for actor: the actor, Ben
// of team north, or Sue of team south.
func (w *authzWorld) owner(actor crm.User, scope int) crm.User {
	return [...]crm.User{actor, w.Ben, w.Sue}[scope]
}

// authzCell is what one cell acts on: its world, the customer (none when
// the owner is the zero User) and the records the row's prep made for it.
type authzCell struct {
	*authzWorld
	t        *testing.T
	owner    crm.User
	cu       crm.Customer
	deal     crm.Deal
	kase     crm.Case
	contract crm.Contract
	invoice  crm.Invoice
	payment  crm.Credit
	activity crm.Activity
}

// cell makes a cell with a customer of owner, with a contact (personal
// data to erase), created by Sam; no customer for the zero owner.
func (w *authzWorld) cell(t *testing.T, owner crm.User) *authzCell {
	t.Helper()
	c := &authzCell{authzWorld: w, t: t, owner: owner}
	if owner.ID.IsZero() {
		return c
	}
	var err error
	c.cu, err = w.Customers.Create(ctx, w.sam.ID, crm.NewCustomer{Kind: crm.Distributor, Name: "Acme of " + owner.Name, Owner: owner.ID,
		Contacts: []crm.Contact{{Name: "Pat Buyer", Email: "pat@example.com"}}})
	require.NoError(t, err)
	return c
}

// current reads the cell's customer as Sam; the zero Customer when the
// cell has none.
func (c *authzCell) current(t *testing.T) crm.Customer {
	t.Helper()
	if c.cu.ID.IsZero() {
		return crm.Customer{}
	}
	cu, err := c.Customers.Get(ctx, c.sam.ID, c.cu.ID)
	require.NoError(t, err)
	return cu
}

// recipient is whom a reassignment gives the customer to: Ben, or Ann
// when Ben owns it; both of team north.
func (c *authzCell) recipient() crm.ID {
	if c.owner.ID == c.Ben.ID {
		return c.Ann.ID
	}
	return c.Ben.ID
}

// must fails the cell's test on a setup error.
func (c *authzCell) must(err error) {
	c.t.Helper()
	require.NoError(c.t, err)
}

// archived archives the customer.
func (c *authzCell) archived() {
	_, err := c.Customers.Archive(ctx, c.sam.ID, crm.ArchiveCustomerRequest{Customer: c.cu.ID, Reason: "gone quiet"})
	c.must(err)
}

// restricted has the customer's processing restricted.
func (c *authzCell) restricted() {
	_, err := c.Customers.Restrict(ctx, c.sam.ID, crm.RestrictionRequest{Customer: c.cu.ID, Reason: "accuracy contested"})
	c.must(err)
}

// benDeparted deactivates Ben.
func (c *authzCell) benDeparted() {
	_, err := c.Users.Deactivate(ctx, c.sam.ID, crm.DeactivateUserRequest{User: c.Ben.ID, Reason: "left"})
	c.must(err)
}

// withDeal opens a deal of the owner on the customer.
func (c *authzCell) withDeal() {
	var err error
	c.deal, err = c.Deals.Open(ctx, c.sam.ID, crm.NewDeal{Pipeline: c.pipeline.ID, Customer: c.cu.ID, Owner: c.owner.ID, Title: "Fleet",
		Amount: money(c.t, "1000.00", "USD"), CloseDate: date(c.t, "2026-04-30")})
	c.must(err)
}

// withLostDeal opens a deal of the owner and loses it.
func (c *authzCell) withLostDeal() {
	c.withDeal()
	var err error
	c.deal, err = c.Deals.Lose(ctx, c.sam.ID, crm.LoseDealRequest{Deal: c.deal.ID, Reason: crm.LostBudget})
	c.must(err)
}

// withRottingDeal opens a deal of the owner and lets a month pass: the
// deal rots in prospecting.
func (c *authzCell) withRottingDeal() {
	c.withDeal()
	c.Clock.Advance(30 * 24 * time.Hour)
}

// withLadderMove records the customer's churn, which moves them on the
// ladder.
func (c *authzCell) withLadderMove() {
	moves, err := c.Ladder.RecordEvidence(ctx, c.sam.ID, crm.NewEvidence{Customer: c.cu.ID, Kind: crm.EvidenceChurn, Note: "left"})
	c.must(err)
	require.NotEmpty(c.t, moves)
}

// withActivity logs a call of the owner's with a follow-up.
func (c *authzCell) withActivity() {
	var err error
	c.activity, err = c.Activities.Log(ctx, c.sam.ID, crm.NewActivity{Type: crm.ActivityCall, Customer: c.cu.ID, Owner: c.owner.ID,
		Subject: "intro call", FollowUp: date(c.t, "2026-03-09")})
	c.must(err)
}

// withCase opens a request of the customer at the hotline.
func (c *authzCell) withCase() {
	ch, err := c.Cases.Open(ctx, c.sam.ID, crm.NewCase{Customer: c.cu.ID, Kind: crm.Request, Subject: "new card", Map: c.tmap.ID, Touchpoint: "hotline"})
	c.must(err)
	c.kase = ch.Case
}

// withResolvedCase opens a request and resolves it.
func (c *authzCell) withResolvedCase() {
	c.withCase()
	ch, err := c.Cases.Resolve(ctx, c.sam.ID, crm.ResolveCaseRequest{Case: c.kase.ID, Note: "sent"})
	c.must(err)
	c.kase = ch.Case
}

// draft drafts a contract of the owner for amount dollars.
func (c *authzCell) draft(amount string) {
	var err error
	c.contract, err = c.Contracts.Draft(ctx, c.sam.ID, crm.NewContract{Customer: c.cu.ID, Owner: c.owner.ID, Title: "Supply",
		Amount: money(c.t, amount, "USD"), Start: date(c.t, "2026-04-01"), End: date(c.t, "2027-03-31"), Template: crm.PlanNet30})
	c.must(err)
}

// submit submits the contract as Sam.
func (c *authzCell) submit() {
	var err error
	c.contract, err = c.Contracts.Submit(ctx, c.sam.ID, crm.SubmitContractRequest{Contract: c.contract.ID})
	c.must(err)
}

// withDraft drafts a contract below the finance threshold.
func (c *authzCell) withDraft() { c.draft("5000.00") }

// withSubmitted submits a contract that waits for the manager step.
func (c *authzCell) withSubmitted() {
	c.draft("5000.00")
	c.submit()
	require.Equal(c.t, []crm.ApprovalStep{crm.StepManager}, c.contract.Steps)
}

// withFinanceStep submits a contract above the threshold and has Sol
// approve its manager step: it waits for the finance step.
func (c *authzCell) withFinanceStep() {
	c.draft("20000.00")
	c.submit()
	var err error
	c.contract, err = c.Contracts.Approve(ctx, c.sol.ID, crm.ApproveContractRequest{Contract: c.contract.ID})
	c.must(err)
	step, ok := c.contract.NextStep()
	require.True(c.t, ok)
	require.Equal(c.t, crm.StepFinance, step)
}

// withApproved makes an approved contract, not yet signed.
func (c *authzCell) withApproved() {
	c.withSubmitted()
	var err error
	c.contract, err = c.Contracts.Approve(ctx, c.sol.ID, crm.ApproveContractRequest{Contract: c.contract.ID})
	c.must(err)
	require.Equal(c.t, crm.ContractApproved, c.contract.Status)
}

// withActive makes an active contract: approved and signed.
func (c *authzCell) withActive() {
	c.withApproved()
	var err error
	c.contract, err = c.Contracts.Sign(ctx, c.sam.ID, crm.SignContractRequest{Contract: c.contract.ID})
	c.must(err)
}

// withStaleApproval makes an approved contract and lets its start pass
// unsigned.
func (c *authzCell) withStaleApproval() {
	c.withApproved()
	c.Clock.Set(time.Date(2026, 4, 2, 12, 0, 0, 0, time.UTC))
}

// withInstallmentDue makes an active contract and lets its first
// installment fall due.
func (c *authzCell) withInstallmentDue() {
	c.withActive()
	due := c.contract.Plan.Installments[0].Due
	c.Clock.Set(time.Date(due.Year, due.Month, due.Day, 12, 0, 0, 0, time.UTC))
}

// sweepInstallments runs the sweep of the installments due: the error
// it reports for the contract's, or, when it neither invoices nor refuses
// it, as if the contract were not there.
func (c *authzCell) sweepInstallments(actor crm.ID) error {
	r, err := c.Contracts.InvoiceDue(ctx, actor, crm.InvoiceDueRequest{})
	if err != nil {
		return err
	}
	for _, inv := range r.Invoiced {
		if inv.Contract == c.contract.ID {
			return nil
		}
	}
	for _, ref := range r.Refused {
		if ref.Contract == c.contract.ID {
			return ref.Err
		}
	}
	return &crm.NotFoundError{Kind: crm.KindContract, ID: c.contract.ID.String()}
}

// withPaidUp makes an active contract whose one installment is invoiced
// and paid.
func (c *authzCell) withPaidUp() {
	c.withActive()
	inv, err := c.Contracts.InvoiceInstallment(ctx, c.fay.ID, crm.InvoiceInstallmentRequest{Contract: c.contract.ID, Installment: 1})
	c.must(err)
	_, err = c.Ledger.ReceivePayment(ctx, c.fay.ID, crm.NewPayment{Customer: c.cu.ID, Amount: inv.Total, Allocation: crm.AllocateOldestFirst})
	c.must(err)
}

// withInvoice issues the customer an invoice of 100 dollars.
func (c *authzCell) withInvoice() {
	var err error
	c.invoice, err = c.Ledger.IssueInvoice(ctx, c.fay.ID, newInvoice(c))
	c.must(err)
}

// withPayment receives 100 dollars from the customer, kept as credit.
func (c *authzCell) withPayment() {
	r, err := c.Ledger.ReceivePayment(ctx, c.fay.ID, crm.NewPayment{Customer: c.cu.ID, Amount: money(c.t, "100.00", "USD")})
	c.must(err)
	c.payment = r.Payment
}

// withInvoiceAndPayment issues an invoice and receives a payment as
// credit.
func (c *authzCell) withInvoiceAndPayment() {
	c.withInvoice()
	c.withPayment()
}

// newInvoice is an invoice of 100 dollars for the cell's customer.
func newInvoice(c *authzCell) crm.NewInvoice {
	return crm.NewInvoice{Customer: c.cu.ID, Currency: usd(c.t), Due: date(c.t, "2026-04-01"),
		Lines: []crm.InvoiceLine{{Description: "services", Quantity: decimal.NewFromInt(1), UnitPrice: money(c.t, "100.00", "USD")}}}
}

// errNotListed is a listing's way to say that it left the record out,
// as a read of it says it is missing.
var errNotListed = fmt.Errorf("%w: not in the listing", crm.ErrNotFound)

// listed drains a listing and reports errNotListed unless some row is
// the one wanted; a listing's own error is returned as it is.
func listed[T any](rows iter.Seq2[T, error], wanted func(T) bool) error {
	found := false
	for r, err := range rows {
		if err != nil {
			return err
		}
		found = found || wanted(r)
	}
	if !found {
		return errNotListed
	}
	return nil
}

// drain reads a listing to its end and returns its error.
func drain[T any](rows iter.Seq2[T, error]) error {
	for _, err := range rows {
		if err != nil {
			return err
		}
	}
	return nil
}

// errOf drops a call's result and keeps its error.
func errOf[T any](_ T, err error) error { return err }

// The calls of the table, one a row: each acts as actor on what the
// cell prepared.

// readCustomer reads the customer.
func (c *authzCell) readCustomer(actor crm.ID) error {
	return errOf(c.Customers.Get(ctx, actor, c.cu.ID))
}

// customerListed looks for the customer in the actor's listing of customers.
func (c *authzCell) customerListed(actor crm.ID) error {
	return listed(c.Customers.List(ctx, actor, crm.CustomerFilter{}), func(cu crm.Customer) bool { return cu.ID == c.cu.ID })
}

// customerHistory reads the customer's audit trail.
func (c *authzCell) customerHistory(actor crm.ID) error {
	return errOf(c.Customers.History(ctx, actor, c.cu.ID))
}

// createCustomerFor creates a new customer owned by the cell's owner.
func (c *authzCell) createCustomerFor(actor crm.ID) error {
	return errOf(c.Customers.Create(ctx, actor, crm.NewCustomer{Kind: crm.Partner, Name: "Newco", Owner: c.owner.ID}))
}

// updateCustomer changes the customer's segment.
func (c *authzCell) updateCustomer(actor crm.ID) error {
	return errOf(c.Customers.Update(ctx, actor, crm.CustomerPatch{Customer: c.cu.ID, Segment: ptr("enterprise")}))
}

// setLifecycle moves the customer's lifecycle forward to MQL.
func (c *authzCell) setLifecycle(actor crm.ID) error {
	return errOf(c.Customers.SetLifecycle(ctx, actor, crm.SetLifecycleRequest{Customer: c.cu.ID, Stage: crm.LifecycleMQL}))
}

// archiveCustomer archives the customer.
func (c *authzCell) archiveCustomer(actor crm.ID) error {
	return errOf(c.Customers.Archive(ctx, actor, crm.ArchiveCustomerRequest{Customer: c.cu.ID, Reason: "duplicate"}))
}

// restoreCustomer restores the archived customer.
func (c *authzCell) restoreCustomer(actor crm.ID) error {
	return errOf(c.Customers.Restore(ctx, actor, crm.RestoreCustomerRequest{Customer: c.cu.ID, Reason: "back in business"}))
}

// reassignCustomer gives the customer to the recipient.
func (c *authzCell) reassignCustomer(actor crm.ID) error {
	return errOf(c.Customers.Reassign(ctx, actor, crm.ReassignCustomerRequest{Customer: c.cu.ID, To: c.recipient(), Reason: "rebalance"}))
}

// handOver hands every customer of the owner over to the recipient.
func (c *authzCell) handOver(actor crm.ID) error {
	return errOf(c.Customers.HandOver(ctx, actor, crm.HandOverRequest{From: c.owner.ID, To: c.recipient(), Reason: "rebalance"}))
}

// restrictCustomer restricts the processing of the customer's data.
func (c *authzCell) restrictCustomer(actor crm.ID) error {
	return errOf(c.Customers.Restrict(ctx, actor, crm.RestrictionRequest{Customer: c.cu.ID, Reason: "GDPR art. 18 request"}))
}

// liftRestriction lifts the customer's restriction.
func (c *authzCell) liftRestriction(actor crm.ID) error {
	return errOf(c.Customers.LiftRestriction(ctx, actor, crm.RestrictionRequest{Customer: c.cu.ID, Reason: "objection rejected"}))
}

// applyRetention runs the retention sweep.
func (c *authzCell) applyRetention(actor crm.ID) error {
	return errOf(c.Customers.ApplyRetention(ctx, actor, crm.RetentionQuery{}))
}

// eraseCustomer erases the customer's personal data.
func (c *authzCell) eraseCustomer(actor crm.ID) error {
	return errOf(c.Customers.Erase(ctx, actor, crm.ErasureRequest{Customer: c.cu.ID, Reason: "GDPR art. 17 request"}))
}

// exportCustomer exports everything held about the customer.
func (c *authzCell) exportCustomer(actor crm.ID) error {
	return errOf(c.Customers.Export(ctx, actor, c.cu.ID))
}

// openDeal opens a deal of the actor on the customer.
func (c *authzCell) openDeal(actor crm.ID) error {
	return errOf(c.Deals.Open(ctx, actor, crm.NewDeal{Pipeline: c.pipeline.ID, Customer: c.cu.ID, Title: "Upsell"}))
}

// readDeal reads the deal.
func (c *authzCell) readDeal(actor crm.ID) error { return errOf(c.Deals.Get(ctx, actor, c.deal.ID)) }

// dealListed looks for the deal in the actor's listing of deals.
func (c *authzCell) dealListed(actor crm.ID) error {
	return listed(c.Deals.List(ctx, actor, crm.DealFilter{}), func(d crm.Deal) bool { return d.ID == c.deal.ID })
}

// updateDeal renames the deal.
func (c *authzCell) updateDeal(actor crm.ID) error {
	return errOf(c.Deals.Update(ctx, actor, crm.DealPatch{Deal: c.deal.ID, Title: ptr("Fleet renewal")}))
}

// moveDeal moves the deal to qualification.
func (c *authzCell) moveDeal(actor crm.ID) error {
	return errOf(c.Deals.Move(ctx, actor, crm.MoveDealRequest{Deal: c.deal.ID, Stage: "qualification"}))
}

// setProbability sets the deal's probability by hand.
func (c *authzCell) setProbability(actor crm.ID) error {
	return errOf(c.Deals.SetProbability(ctx, actor, crm.SetProbabilityRequest{Deal: c.deal.ID, Probability: ptr(35)}))
}

// winDeal wins the deal.
func (c *authzCell) winDeal(actor crm.ID) error {
	return errOf(c.Deals.Win(ctx, actor, crm.WinDealRequest{Deal: c.deal.ID}))
}

// loseDeal loses the deal on price.
func (c *authzCell) loseDeal(actor crm.ID) error {
	return errOf(c.Deals.Lose(ctx, actor, crm.LoseDealRequest{Deal: c.deal.ID, Reason: crm.LostPricing}))
}

// reopenDeal reopens the lost deal.
func (c *authzCell) reopenDeal(actor crm.ID) error {
	return errOf(c.Deals.Reopen(ctx, actor, crm.ReopenDealRequest{Deal: c.deal.ID, Reason: "budget found"}))
}

// correctClose corrects the lost deal's close date to today.
func (c *authzCell) correctClose(actor crm.ID) error {
	return errOf(c.Deals.CorrectClose(ctx, actor, crm.CorrectCloseRequest{Deal: c.deal.ID, CloseDate: crm.DateOf(c.Clock.Now()), Reason: "lost on the call"}))
}

// logActivity logs a call of the actor's with the customer.
func (c *authzCell) logActivity(actor crm.ID) error {
	return errOf(c.Activities.Log(ctx, actor, crm.NewActivity{Type: crm.ActivityCall, Customer: c.cu.ID, Subject: "check-in"}))
}

// logActivityOnDeal logs a call of the actor's on the deal.
func (c *authzCell) logActivityOnDeal(actor crm.ID) error {
	return errOf(c.Activities.Log(ctx, actor, crm.NewActivity{Type: crm.ActivityCall, Customer: c.cu.ID, Deal: c.deal.ID, Subject: "pricing"}))
}

// logActivityAsOwner logs a visit with the customer as the owner's.
func (c *authzCell) logActivityAsOwner(actor crm.ID) error {
	return errOf(c.Activities.Log(ctx, actor, crm.NewActivity{Type: crm.ActivityVisit, Customer: c.cu.ID, Owner: c.owner.ID, Subject: "site visit"}))
}

// completeFollowUp marks the activity's follow-up done.
func (c *authzCell) completeFollowUp(actor crm.ID) error {
	return errOf(c.Activities.CompleteFollowUp(ctx, actor, crm.CompleteFollowUpRequest{Activity: c.activity.ID}))
}

// updateActivity writes up the activity's outcome.
func (c *authzCell) updateActivity(actor crm.ID) error {
	outcome := "wants a demo"
	return errOf(c.Activities.Update(ctx, actor, crm.ActivityPatch{Activity: c.activity.ID, Outcome: &outcome}))
}

// rescheduleActivity moves the activity's follow-up to a time.
func (c *authzCell) rescheduleActivity(actor crm.ID) error {
	return errOf(c.Activities.Reschedule(ctx, actor, crm.RescheduleActivityRequest{Activity: c.activity.ID,
		FollowUpAt: time.Date(2026, 3, 12, 15, 0, 0, 0, time.UTC)}))
}

// cancelActivity cancels the activity.
func (c *authzCell) cancelActivity(actor crm.ID) error {
	return errOf(c.Activities.Cancel(ctx, actor, crm.CancelActivityRequest{Activity: c.activity.ID, Reason: "not needed"}))
}

// completeActivity completes the activity with its outcome.
func (c *authzCell) completeActivity(actor crm.ID) error {
	return errOf(c.Activities.Complete(ctx, actor, crm.CompleteActivityRequest{Activity: c.activity.ID, Outcome: "demo booked"}))
}

// activityListed looks for the activity in the actor's listing of activities.
func (c *authzCell) activityListed(actor crm.ID) error {
	return listed(c.Activities.List(ctx, actor, crm.ActivityFilter{}), func(a crm.Activity) bool { return a.ID == c.activity.ID })
}

// recordInteraction records a contact of the customer at the hotline.
func (c *authzCell) recordInteraction(actor crm.ID) error {
	return errOf(c.Experience.RecordInteraction(ctx, actor, crm.NewInteraction{Customer: c.cu.ID, Map: c.tmap.ID, Touchpoint: "hotline",
		At: c.Clock.Now().Add(-time.Hour), Direction: crm.Inbound, Sentiment: crm.Positive}))
}

// journey reads the customer's journey.
func (c *authzCell) journey(actor crm.ID) error {
	return errOf(c.Experience.Journey(ctx, actor, c.cu.ID))
}

// compareJourney lays the customer's journey over the template.
func (c *authzCell) compareJourney(actor crm.ID) error {
	return errOf(c.Experience.CompareJourney(ctx, actor, crm.JourneyQuery{Customer: c.cu.ID, Template: c.template.ID}))
}

// openCase opens a complaint of the customer.
func (c *authzCell) openCase(actor crm.ID) error {
	return errOf(c.Cases.Open(ctx, actor, crm.NewCase{Customer: c.cu.ID, Kind: crm.Complaint, Subject: "late delivery", Map: c.tmap.ID, Touchpoint: "hotline"}))
}

// readCase reads the case.
func (c *authzCell) readCase(actor crm.ID) error { return errOf(c.Cases.Get(ctx, actor, c.kase.ID)) }

// startCase starts work on the case.
func (c *authzCell) startCase(actor crm.ID) error {
	return errOf(c.Cases.Start(ctx, actor, crm.StartCaseRequest{Case: c.kase.ID}))
}

// handOffCase hands the case off to billing.
func (c *authzCell) handOffCase(actor crm.ID) error {
	return errOf(c.Cases.HandOff(ctx, actor, crm.HandOffRequest{Case: c.kase.ID, Department: "billing", Reason: "a billing question"}))
}

// resolveCase resolves the case.
func (c *authzCell) resolveCase(actor crm.ID) error {
	return errOf(c.Cases.Resolve(ctx, actor, crm.ResolveCaseRequest{Case: c.kase.ID, Note: "card sent"}))
}

// reopenCase reopens the resolved case.
func (c *authzCell) reopenCase(actor crm.ID) error {
	return errOf(c.Cases.Reopen(ctx, actor, crm.ReopenCaseRequest{Case: c.kase.ID, Reason: "card never arrived"}))
}

// closeCase closes the resolved case.
func (c *authzCell) closeCase(actor crm.ID) error {
	return errOf(c.Cases.Close(ctx, actor, crm.CloseCaseRequest{Case: c.kase.ID}))
}

// recordEvidence records a purchase of the customer on the ladder.
func (c *authzCell) recordEvidence(actor crm.ID) error {
	return errOf(c.Ladder.RecordEvidence(ctx, actor, crm.NewEvidence{Customer: c.cu.ID, Kind: crm.EvidencePurchase, Note: "reorder"}))
}

// giveConsent records that the customer consented to the newsletter.
func (c *authzCell) giveConsent(actor crm.ID) error {
	return errOf(c.Customers.GiveConsent(ctx, actor, crm.GiveConsentRequest{Customer: c.cu.ID, Purpose: "newsletter", Source: "web_form",
		Proof: "form 1"}))
}

// withdrawConsent records that the customer withdrew it.
func (c *authzCell) withdrawConsent(actor crm.ID) error {
	return errOf(c.Customers.WithdrawConsent(ctx, actor, crm.WithdrawConsentRequest{Customer: c.cu.ID, Purpose: "newsletter", Source: "phone"}))
}

// mayContact asks whether the customer may get the newsletter.
func (c *authzCell) mayContact(actor crm.ID) error {
	return errOf(c.Customers.MayContact(ctx, actor, crm.MayContactQuery{Customer: c.cu.ID, Purpose: "newsletter"}))
}

// consentHistory reads the customer's consent records.
func (c *authzCell) consentHistory(actor crm.ID) error {
	return errOf(c.Customers.ConsentHistory(ctx, actor, crm.ConsentFilter{Customer: c.cu.ID}))
}

// ladderState reads where the customer stands on the ladder.
func (c *authzCell) ladderState(actor crm.ID) error {
	return errOf(c.Ladder.State(ctx, actor, c.cu.ID))
}

// ladderHistory reads the customer's moves on the ladder.
func (c *authzCell) ladderHistory(actor crm.ID) error {
	return errOf(c.Ladder.History(ctx, actor, c.cu.ID))
}

// ladderReplay replays the customer's ladder under the default rules.
func (c *authzCell) ladderReplay(actor crm.ID) error {
	return errOf(c.Ladder.Replay(ctx, actor, crm.ReplayQuery{Customer: c.cu.ID, Rules: crm.DefaultLadderRules()}))
}

// draftContract drafts a contract of the actor's for the customer.
func (c *authzCell) draftContract(actor crm.ID) error {
	return errOf(c.Contracts.Draft(ctx, actor, crm.NewContract{Customer: c.cu.ID, Title: "Service", Amount: money(c.t, "3000.00", "USD"),
		Start: date(c.t, "2026-04-01"), Template: crm.PlanNet30}))
}

// readContract reads the contract.
func (c *authzCell) readContract(actor crm.ID) error {
	return errOf(c.Contracts.Get(ctx, actor, c.contract.ID))
}

// contractListed looks for the contract in the actor's listing of contracts.
func (c *authzCell) contractListed(actor crm.ID) error {
	return listed(c.Contracts.List(ctx, actor, crm.ContractFilter{}), func(k crm.Contract) bool { return k.ID == c.contract.ID })
}

// submitContract submits the draft.
func (c *authzCell) submitContract(actor crm.ID) error {
	return errOf(c.Contracts.Submit(ctx, actor, crm.SubmitContractRequest{Contract: c.contract.ID}))
}

// approveContract approves the step the contract waits for.
func (c *authzCell) approveContract(actor crm.ID) error {
	return errOf(c.Contracts.Approve(ctx, actor, crm.ApproveContractRequest{Contract: c.contract.ID}))
}

// rejectContract rejects the submitted contract.
func (c *authzCell) rejectContract(actor crm.ID) error {
	return errOf(c.Contracts.Reject(ctx, actor, crm.RejectContractRequest{Contract: c.contract.ID, Comment: "terms too loose"}))
}

// signContract signs the approved contract.
func (c *authzCell) signContract(actor crm.ID) error {
	return errOf(c.Contracts.Sign(ctx, actor, crm.SignContractRequest{Contract: c.contract.ID}))
}

// expireContract expires the approved contract.
func (c *authzCell) expireContract(actor crm.ID) error {
	return errOf(c.Contracts.Expire(ctx, actor, crm.ExpireContractRequest{Contract: c.contract.ID}))
}

// completeContract completes the active contract.
func (c *authzCell) completeContract(actor crm.ID) error {
	return errOf(c.Contracts.Complete(ctx, actor, crm.CompleteContractRequest{Contract: c.contract.ID}))
}

// completeShort completes the active contract, nothing of it invoiced,
// for a reason.
func (c *authzCell) completeShort(actor crm.ID) error {
	return errOf(c.Contracts.Complete(ctx, actor, crm.CompleteContractRequest{Contract: c.contract.ID, Reason: "project cancelled"}))
}

// sweepContract runs the expiry sweep; the contract it should expire and
// does not is as if it were not there.
func (c *authzCell) sweepContract(actor crm.ID) error {
	r, err := c.Contracts.ExpireDue(ctx, actor, crm.ExpireDueRequest{})
	if err != nil {
		return err
	}
	for _, k := range r.Expired {
		if k.ID == c.contract.ID {
			return nil
		}
	}
	return &crm.NotFoundError{Kind: crm.KindContract, ID: c.contract.ID.String()}
}

// reviseContract changes the draft's title.
func (c *authzCell) reviseContract(actor crm.ID) error {
	return errOf(c.Contracts.Revise(ctx, actor, crm.ContractPatch{Contract: c.contract.ID, Changes: crm.ContractChanges{Title: ptr("Supply, revised")}}))
}

// amendContract drafts an amendment of the active contract.
func (c *authzCell) amendContract(actor crm.ID) error {
	return errOf(c.Contracts.Amend(ctx, actor, crm.AmendContractRequest{Contract: c.contract.ID, Reason: "more volume",
		Changes: crm.ContractChanges{Amount: ptr(money(c.t, "6000.00", "USD"))}}))
}

// renewContract drafts the next term of the active contract.
func (c *authzCell) renewContract(actor crm.ID) error {
	return errOf(c.Contracts.Renew(ctx, actor, crm.RenewContractRequest{Contract: c.contract.ID}))
}

// terminateContract terminates the active contract.
func (c *authzCell) terminateContract(actor crm.ID) error {
	return errOf(c.Contracts.Terminate(ctx, actor, crm.TerminateContractRequest{Contract: c.contract.ID, Reason: "customer went bust"}))
}

// invoiceInstallment invoices the first installment of the active contract.
func (c *authzCell) invoiceInstallment(actor crm.ID) error {
	return errOf(c.Contracts.InvoiceInstallment(ctx, actor, crm.InvoiceInstallmentRequest{Contract: c.contract.ID, Installment: 1}))
}

// issueInvoice issues the customer an invoice.
func (c *authzCell) issueInvoice(actor crm.ID) error {
	return errOf(c.Ledger.IssueInvoice(ctx, actor, newInvoice(c)))
}

// receivePayment receives a payment from the customer.
func (c *authzCell) receivePayment(actor crm.ID) error {
	return errOf(c.Ledger.ReceivePayment(ctx, actor, crm.NewPayment{Customer: c.cu.ID, Amount: money(c.t, "50.00", "USD")}))
}

// issueCreditNote credits the customer's invoice.
func (c *authzCell) issueCreditNote(actor crm.ID) error {
	return errOf(c.Ledger.IssueCreditNote(ctx, actor, crm.NewCreditNote{Customer: c.cu.ID, Invoice: c.invoice.ID, Net: money(c.t, "10.00", "USD"),
		Reason: "goodwill"}))
}

// allocate applies the payment to the invoice.
func (c *authzCell) allocate(actor crm.ID) error {
	return errOf(c.Ledger.Allocate(ctx, actor, crm.AllocationRequest{Customer: c.cu.ID, Credit: c.payment.ID, Invoice: c.invoice.ID,
		Amount: money(c.t, "100.00", "USD")}))
}

// writeOff writes the invoice off.
func (c *authzCell) writeOff(actor crm.ID) error {
	return errOf(c.Ledger.WriteOff(ctx, actor, crm.WriteOffRequest{Customer: c.cu.ID, Invoice: c.invoice.ID, Reason: "uncollectable"}))
}

// refund refunds part of the payment.
func (c *authzCell) refund(actor crm.ID) error {
	return errOf(c.Ledger.Refund(ctx, actor, crm.RefundRequest{Customer: c.cu.ID, Credit: c.payment.ID, Amount: money(c.t, "40.00", "USD")}))
}

// reverse reverses the invoice's entry.
func (c *authzCell) reverse(actor crm.ID) error {
	return errOf(c.Ledger.Reverse(ctx, actor, crm.ReverseRequest{Entry: c.invoice.Entry, Reason: "issued in error"}))
}

// openItems reads the customer's open items.
func (c *authzCell) openItems(actor crm.ID) error {
	return errOf(c.Receivables.OpenItems(ctx, actor, crm.ReceivableQuery{Customer: c.cu.ID}))
}

// invoiceStates reads the customer's invoices with their status.
func (c *authzCell) invoiceStates(actor crm.ID) error {
	return errOf(c.Receivables.Invoices(ctx, actor, crm.ReceivableQuery{Customer: c.cu.ID}))
}

// debts reads what the customer owes.
func (c *authzCell) debts(actor crm.ID) error {
	return errOf(c.Receivables.Debts(ctx, actor, crm.ReceivableQuery{Customer: c.cu.ID}))
}

// aging reads the customer's aging.
func (c *authzCell) aging(actor crm.ID) error {
	return errOf(c.Receivables.Aging(ctx, actor, crm.AgingQuery{Customer: c.cu.ID}))
}

// statement reads the customer's statement in dollars.
func (c *authzCell) statement(actor crm.ID) error {
	return errOf(c.Receivables.Statement(ctx, actor, crm.StatementQuery{Customer: c.cu.ID, Currency: usd(c.t)}))
}

// lifetimeValue reads the customer's lifetime value.
func (c *authzCell) lifetimeValue(actor crm.ID) error {
	return errOf(c.Receivables.LifetimeValue(ctx, actor, c.cu.ID))
}

// pauseDunning puts the invoice's dunning on hold.
func (c *authzCell) pauseDunning(actor crm.ID) error {
	return errOf(c.Receivables.PauseDunning(ctx, actor, crm.DunningHoldRequest{Invoice: c.invoice.ID, Reason: "disputed"}))
}

// dunningLevels reads the customer's dunning levels.
func (c *authzCell) dunningLevels(actor crm.ID) error {
	return errOf(c.Receivables.DunningLevels(ctx, actor, crm.ReceivableQuery{Customer: c.cu.ID}))
}

// openItemsOfEveryone looks for the invoice among the open items of every customer.
func (c *authzCell) openItemsOfEveryone(actor crm.ID) error {
	items, err := c.Receivables.OpenItems(ctx, actor, crm.ReceivableQuery{})
	if err != nil {
		return err
	}
	for _, it := range items {
		if it.Item == c.invoice.ID {
			return nil
		}
	}
	return errNotListed
}

// customerEntries reads a page of the customer's ledger entries.
func (c *authzCell) customerEntries(actor crm.ID) error {
	return errOf(c.Ledger.Entries(ctx, actor, crm.EntryQuery{Customer: c.cu.ID}))
}

// invoiceEntries reads the entries posting to the invoice, naming no
// customer.
func (c *authzCell) invoiceEntries(actor crm.ID) error {
	return errOf(c.Ledger.Entries(ctx, actor, crm.EntryQuery{Item: c.invoice.ID}))
}

// invoiceAllocations lists the allocations to the invoice.
func (c *authzCell) invoiceAllocations(actor crm.ID) error {
	return errOf(c.Ledger.Allocations(ctx, actor, c.invoice.ID))
}

// entriesOfEveryone looks for the invoice's entry among the entries of
// every customer.
func (c *authzCell) entriesOfEveryone(actor crm.ID) error {
	q := crm.EntryQuery{Page: crm.PageQuery{Limit: crm.MaxPageSize}}
	page, err := c.Ledger.Entries(ctx, actor, q)
	if err != nil {
		return err
	}
	for _, e := range page.Items {
		if e.ID == c.invoice.Entry {
			return nil
		}
	}
	return errNotListed
}

// rottingListed looks for the deal among the rotting deals the actor may read.
func (c *authzCell) rottingListed(actor crm.ID) error {
	rotting, err := c.Deals.Rotting(ctx, actor, crm.DealFilter{})
	if err != nil {
		return err
	}
	return c.rottingHas(rotting)
}

// rottingInOwnersWork looks for the deal among the rotting deals of the owner's work report.
func (c *authzCell) rottingInOwnersWork(actor crm.ID) error {
	r, err := c.Activities.WorkReport(ctx, actor, crm.WorkQuery{Owner: c.owner.ID})
	if err != nil {
		return err
	}
	return c.rottingHas(r.Rotting)
}

// rottingInEveryonesWork looks for the deal among the rotting deals of everyone's work report.
func (c *authzCell) rottingInEveryonesWork(actor crm.ID) error {
	r, err := c.Activities.WorkReport(ctx, actor, crm.WorkQuery{})
	if err != nil {
		return err
	}
	return c.rottingHas(r.Rotting)
}

// rottingHas reports errNotListed unless the cell's deal is among the
// rotting ones.
func (c *authzCell) rottingHas(rotting []crm.RottingDeal) error {
	for _, r := range rotting {
		if r.Deal.ID == c.deal.ID {
			return nil
		}
	}
	return errNotListed
}

// moverListed looks for the customer among the movers on the ladder.
func (c *authzCell) moverListed(actor crm.ID) error {
	now := c.Clock.Now()
	return listed(c.Ladder.Movers(ctx, actor, crm.MoversQuery{From: now.Add(-time.Hour), To: now.Add(time.Hour)}),
		func(m crm.LadderMove) bool { return m.Customer == c.cu.ID })
}

// ownerWorkReport asks for the owner's work report.
func (c *authzCell) ownerWorkReport(actor crm.ID) error {
	return errOf(c.Activities.WorkReport(ctx, actor, crm.WorkQuery{Owner: c.owner.ID}))
}

// ownerFunnel asks for the funnel of the owner's deals.
func (c *authzCell) ownerFunnel(actor crm.ID) error {
	return errOf(c.Deals.Funnel(ctx, actor, crm.SalesQuery{Pipeline: c.pipeline.ID, Owner: c.owner.ID}))
}

// readUser reads Ben's user record.
func (c *authzCell) readUser(actor crm.ID) error { return errOf(c.Users.Get(ctx, actor, c.Ben.ID)) }

// listUsers lists the users.
func (c *authzCell) listUsers(actor crm.ID) error {
	return drain(c.Users.List(ctx, actor, crm.UserFilter{}))
}

// createUser creates a rep.
func (c *authzCell) createUser(actor crm.ID) error {
	return errOf(c.Users.Create(ctx, actor, crm.NewUser{Name: "Nia New", Role: crm.RoleRep, Team: "north"}))
}

// updateUser renames Ben.
func (c *authzCell) updateUser(actor crm.ID) error {
	return errOf(c.Users.Update(ctx, actor, crm.UserPatch{User: c.Ben.ID, Name: ptr("Benjamin Rep")}))
}

// deactivateUser deactivates Ben.
func (c *authzCell) deactivateUser(actor crm.ID) error {
	return errOf(c.Users.Deactivate(ctx, actor, crm.DeactivateUserRequest{User: c.Ben.ID, Reason: "left"}))
}

// reactivateUser reactivates Ben, who left.
func (c *authzCell) reactivateUser(actor crm.ID) error {
	return errOf(c.Users.Reactivate(ctx, actor, crm.ReactivateUserRequest{User: c.Ben.ID, Reason: "came back"}))
}

// readPipeline reads the pipeline.
func (c *authzCell) readPipeline(actor crm.ID) error {
	return errOf(c.Deals.Pipeline(ctx, actor, c.pipeline.ID))
}

// listPipelines lists the pipelines.
func (c *authzCell) listPipelines(actor crm.ID) error { return drain(c.Deals.Pipelines(ctx, actor)) }

// listMaps lists the touchpoint maps.
func (c *authzCell) listMaps(actor crm.ID) error {
	return drain(c.Experience.TouchpointMaps(ctx, actor))
}

// listTemplates lists the journey templates of every map.
func (c *authzCell) listTemplates(actor crm.ID) error {
	return drain(c.Experience.JourneyTemplates(ctx, actor, crm.ID{}))
}

// listCampaigns lists the campaigns.
func (c *authzCell) listCampaigns(actor crm.ID) error { return drain(c.Campaigns.List(ctx, actor)) }

// createPipeline creates a pipeline.
func (c *authzCell) createPipeline(actor crm.ID) error {
	return errOf(c.Deals.CreatePipeline(ctx, actor, crm.NewPipeline{Name: "Renewals", Currency: usd(c.t)}))
}

// updatePipeline lets the pipeline's deals go back.
func (c *authzCell) updatePipeline(actor crm.ID) error {
	return errOf(c.Deals.UpdatePipeline(ctx, actor, crm.PipelinePatch{Pipeline: c.pipeline.ID, AllowBack: ptr(true)}))
}

// readMap reads the touchpoint map.
func (c *authzCell) readMap(actor crm.ID) error {
	return errOf(c.Experience.TouchpointMap(ctx, actor, c.tmap.ID))
}

// createMap creates a touchpoint map.
func (c *authzCell) createMap(actor crm.ID) error {
	m := retailBank()
	m.Name = "Second bank"
	return errOf(c.Experience.CreateTouchpointMap(ctx, actor, m))
}

// updateMap renames the touchpoint map.
func (c *authzCell) updateMap(actor crm.ID) error {
	return errOf(c.Experience.UpdateTouchpointMap(ctx, actor, crm.TouchpointMapPatch{Map: c.tmap.ID, Name: ptr("Retail bank 2")}))
}

// readTemplate reads the journey template.
func (c *authzCell) readTemplate(actor crm.ID) error {
	return errOf(c.Experience.JourneyTemplate(ctx, actor, c.template.ID))
}

// createTemplate creates a journey template.
func (c *authzCell) createTemplate(actor crm.ID) error {
	return errOf(c.Experience.CreateJourneyTemplate(ctx, actor, crm.NewJourneyTemplate{Name: "Branch", Map: c.tmap.ID, Steps: []string{"branch"}}))
}

// updateTemplate renames the journey template.
func (c *authzCell) updateTemplate(actor crm.ID) error {
	return errOf(c.Experience.UpdateJourneyTemplate(ctx, actor, crm.JourneyTemplatePatch{Template: c.template.ID, Name: ptr("Card application")}))
}

// readCampaign reads the campaign.
func (c *authzCell) readCampaign(actor crm.ID) error {
	return errOf(c.Campaigns.Get(ctx, actor, c.campaign.ID))
}

// createCampaign creates a campaign.
func (c *authzCell) createCampaign(actor crm.ID) error {
	return errOf(c.Campaigns.Create(ctx, actor, crm.NewCampaign{Name: "Search ads", Currency: usd(c.t), Budget: money(c.t, "500.00", "USD")}))
}

// addCost adds a cost line to the campaign.
func (c *authzCell) addCost(actor crm.ID) error {
	return errOf(c.Campaigns.AddCost(ctx, actor, crm.AddCostRequest{Campaign: c.campaign.ID,
		Line: crm.CostLine{Description: "booth", Amount: money(c.t, "300.00", "USD"), Date: date(c.t, "2026-03-01")}}))
}

// eventsPage reads a page of the audit log.
func (c *authzCell) eventsPage(actor crm.ID) error { return errOf(c.Events.Page(ctx, actor, 0, 10)) }

// eventsList reads the whole audit log.
func (c *authzCell) eventsList(actor crm.ID) error { return drain(c.Events.List(ctx, actor, 0)) }

// checkPromises checks the promises made on open cases.
func (c *authzCell) checkPromises(actor crm.ID) error {
	return errOf(c.Cases.CheckPromises(ctx, actor))
}

// rotting lists the rotting deals the actor may read.
func (c *authzCell) rotting(actor crm.ID) error {
	return errOf(c.Deals.Rotting(ctx, actor, crm.DealFilter{}))
}

// experienceStats asks for experience statistics per touchpoint.
func (c *authzCell) experienceStats(actor crm.ID) error {
	return errOf(c.Experience.Stats(ctx, actor, crm.ExperienceQuery{GroupBy: crm.ByTouchpoint}))
}

// caseStats asks for case statistics.
func (c *authzCell) caseStats(actor crm.ID) error {
	return errOf(c.Cases.Stats(ctx, actor, crm.CaseQuery{}))
}

// painPoints ranks the map's pain points.
func (c *authzCell) painPoints(actor crm.ID) error {
	return errOf(c.Experience.PainPoints(ctx, actor, crm.PainQuery{Map: c.tmap.ID}))
}

// momentsOfTruth ranks the moments of truth.
func (c *authzCell) momentsOfTruth(actor crm.ID) error {
	return errOf(c.Experience.MomentsOfTruth(ctx, actor, crm.MomentsQuery{}))
}

// journeyMap renders the template's journey map.
func (c *authzCell) journeyMap(actor crm.ID) error {
	return errOf(c.Experience.JourneyMapMermaid(ctx, actor, crm.JourneyMapQuery{Template: c.template.ID}))
}

// ladderDistribution counts the customers on each rung.
func (c *authzCell) ladderDistribution(actor crm.ID) error {
	return errOf(c.Ladder.Distribution(ctx, actor, crm.DistributionQuery{}))
}

// ladderMovers lists the moves on the ladder around today.
func (c *authzCell) ladderMovers(actor crm.ID) error {
	return drain(c.Ladder.Movers(ctx, actor, crm.MoversQuery{From: start.Add(-24 * time.Hour), To: start.Add(24 * time.Hour)}))
}

// campaignReport reports on the campaign's return.
func (c *authzCell) campaignReport(actor crm.ID) error {
	return errOf(c.Campaigns.Report(ctx, actor, c.campaign.ID))
}

// funnel asks for the funnel of every deal.
func (c *authzCell) funnel(actor crm.ID) error {
	return errOf(c.Deals.Funnel(ctx, actor, crm.SalesQuery{Pipeline: c.pipeline.ID}))
}

// cohortFunnel asks for the cohort funnel of every deal.
func (c *authzCell) cohortFunnel(actor crm.ID) error {
	return errOf(c.Deals.CohortFunnel(ctx, actor, crm.SalesQuery{Pipeline: c.pipeline.ID}))
}

// forecast asks for the forecast of every deal.
func (c *authzCell) forecast(actor crm.ID) error {
	return errOf(c.Deals.Forecast(ctx, actor, crm.SalesQuery{Pipeline: c.pipeline.ID}))
}

// kpis asks for the sales KPIs of every deal.
func (c *authzCell) kpis(actor crm.ID) error {
	return errOf(c.Deals.KPIs(ctx, actor, crm.SalesQuery{Pipeline: c.pipeline.ID}))
}

// everyonesWork asks for the work report of everyone.
func (c *authzCell) everyonesWork(actor crm.ID) error {
	return errOf(c.Activities.WorkReport(ctx, actor, crm.WorkQuery{}))
}

// authzTeamWork asks for the work report of team.
func authzTeamWork(team string) func(c *authzCell, actor crm.ID) error {
	return func(c *authzCell, actor crm.ID) error {
		return errOf(c.Activities.WorkReport(ctx, actor, crm.WorkQuery{Team: team}))
	}
}

// authzTeamFunnel asks for the funnel of team's deals.
func authzTeamFunnel(team string) func(c *authzCell, actor crm.ID) error {
	return func(c *authzCell, actor crm.ID) error {
		return errOf(c.Deals.Funnel(ctx, actor, crm.SalesQuery{Pipeline: c.pipeline.ID, Team: team}))
	}
}

// agingOfEveryone asks for the aging of every customer.
func (c *authzCell) agingOfEveryone(actor crm.ID) error {
	return errOf(c.Receivables.Aging(ctx, actor, crm.AgingQuery{}))
}

// debtsOfEveryone asks for the debts of every customer.
func (c *authzCell) debtsOfEveryone(actor crm.ID) error {
	return errOf(c.Receivables.Debts(ctx, actor, crm.ReceivableQuery{}))
}

// invoicesOfEveryone asks for the invoices of every customer.
func (c *authzCell) invoicesOfEveryone(actor crm.ID) error {
	return errOf(c.Receivables.Invoices(ctx, actor, crm.ReceivableQuery{}))
}

// balances asks for the ledger's balances.
func (c *authzCell) balances(actor crm.ID) error {
	return errOf(c.Receivables.Balances(ctx, actor, crm.ReceivableQuery{}))
}

// dso asks for days sales outstanding in the first quarter.
func (c *authzCell) dso(actor crm.ID) error {
	return errOf(c.Receivables.DSO(ctx, actor, crm.DSOQuery{Currency: usd(c.t), From: date(c.t, "2026-01-01"), To: date(c.t, "2026-03-31")}))
}

// expectedCollections asks what the next three months are expected to bring.
func (c *authzCell) expectedCollections(actor crm.ID) error {
	return errOf(c.Receivables.ExpectedCollections(ctx, actor, crm.CollectionsQuery{Months: 3}))
}

// verifyLedger verifies the ledger.
func (c *authzCell) verifyLedger(actor crm.ID) error { return c.Ledger.Verify(ctx, actor) }

// TestAuthorizationOutcomesAreDistinct: the three outcomes of the table
// are told apart, so a cell whose expectation is wrong fails: a read Ann
// may make, one she may not (hidden) and an erasure she may not make
// although she reads the customer (forbidden); an error that is neither
// is no outcome of the table.
func TestAuthorizationOutcomesAreDistinct(t *testing.T) {
	w := newAuthzWorld(t)
	c := w.cell(t, w.Ann)
	for _, tc := range []struct {
		name  string
		run   func(*authzCell, crm.ID) error
		actor crm.User
		want  outcome
	}{
		{"Ann reads her customer", (*authzCell).readCustomer, w.Ann, allow},
		{"Sue reads Ann's customer", (*authzCell).readCustomer, w.Sue, hide},
		{"Ann erases her customer", (*authzCell).eraseCustomer, w.Ann, deny},
		{"Sue does not see Ann's customer listed", (*authzCell).customerListed, w.Sue, hide},
	} {
		got, ok := outcomeOf(tc.run(c, tc.actor.ID))
		require.True(t, ok, tc.name)
		assert.Equal(t, tc.want, got, tc.name)
	}
	_, ok := outcomeOf(&crm.ValidationError{Field: "name", Rule: "required"})
	assert.False(t, ok, "a validation error is no outcome of the table")
	_, ok = outcomeOf(errors.Join(&crm.NotFoundError{Kind: crm.KindCustomer}, &crm.ForbiddenError{}))
	assert.False(t, ok, "an error that is both is neither")
}
