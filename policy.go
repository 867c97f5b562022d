package crm

import (
	"fmt"
	"slices"
	"strings"
)

// Action is what an actor wants to do to a record.
type Action string

// The actions the CRM asks its Policy about.
const (
	ActionRead        Action = "read"
	ActionCreate      Action = "create"
	ActionUpdate      Action = "update"
	ActionArchive     Action = "archive"
	ActionRestore     Action = "restore"
	ActionReassign    Action = "reassign"
	ActionErase       Action = "erase"
	ActionManageUsers Action = "manage_users"
	ActionRecord      Action = "record"       // record interactions, cases and evidence about a customer
	ActionAnalyze     Action = "analyze"      // read statistics across customers
	ActionConfigure   Action = "configure"    // design touchpoint maps, journey templates and pipelines
	ActionApprove     Action = "approve"      // approve or reject a contract's approval step
	ActionBill        Action = "bill"         // post to the receivables ledger: invoices, payments, allocations, credit notes, write-offs, refunds, reversals
	ActionDelegate    Action = "delegate"     // act on another user's behalf: log an activity as theirs; the target is that user
	ActionAudit       Action = "audit"        // read the audit log
	ActionClosePeriod Action = "close_period" // move the ledger's lock date
	ActionChurn       Action = "churn"        // record by hand that a customer left (evidence of kind churn)
	ActionCorrect     Action = "correct"      // correct a closed deal's close date or actual amount, with a reason
	ActionClaim       Action = "claim"        // take a customer from the public pool of one's team
	ActionSetQuota    Action = "set_quota"    // set a rep's or a team's quota; the target is the rep (with their team) or the team
	ActionExport      Action = "export"       // hand out everything held about a customer, history and ledger included (CustomerService.Export)
	ActionConsent     Action = "consent"      // record that a customer, or a contact person of theirs, gave consent for a purpose
	ActionRestrict    Action = "restrict"     // restrict the processing of a customer's data, or lift the restriction (Article 18 GDPR)
)

// Scope is how far a grant reaches.
type Scope int

// The scopes, narrowest first.
const (
	ScopeNone Scope = iota // nothing
	ScopeOwn               // records the actor owns (for users: the actor itself)
	ScopeTeam              // records of the actor's team
	ScopeAll               // every record
)

var scopeNames = [...]string{"none", "own", "team", "all"}

// String returns "none", "own", "team" or "all".
func (s Scope) String() string {
	if s < 0 || int(s) >= len(scopeNames) {
		return fmt.Sprintf("scope(%d)", int(s))
	}
	return scopeNames[s]
}

// Target describes the record an action touches, as the policy sees it.
type Target struct {
	Kind  Kind   `json:"kind,omitempty"`
	ID    ID     `json:"id,omitzero"`
	Owner ID     `json:"owner,omitzero"` // the owning user; for a user record, the user itself
	Team  string `json:"team,omitempty"` // the owning team
}

// Policy decides whether an actor may perform an action on a target. It
// returns nil or an error matching ErrForbidden, preferably a
// *ForbiddenError. The CRM refuses unknown and deactivated actors before it
// asks the Policy, whatever the Policy says.
type Policy interface {
	Authorize(actor User, action Action, target Target) error
}

// ReadScoper is an optional interface of a Policy: the widest scope in
// which actor may read records of kind. The CRM uses it to narrow listings
// in the store instead of filtering them afterwards.
type ReadScoper interface {
	ReadScope(actor User, kind Kind) Scope
}

// RolePolicy grants each role a scope per action, as the common CRMs do.
// Actions missing from a role's grants are refused.
type RolePolicy struct {
	Grants map[Role]map[Action]Scope `json:"grants,omitempty"`
}

// DefaultPolicy returns the grants below, which keep a customer's record
// with the company rather than with the rep who found it:
//
//	action        admin  manager  rep
//	read          all    team     own
//	create        all    team     own
//	update        all    team     own
//	archive       all    team     own
//	restore       all    team     none
//	reassign      all    team     none
//	erase         all    none     none
//	manage_users  all    none     none
//	record        all    all      all
//	analyze       all    all      none
//	configure     all    none     none
//	approve       all    team     none
//	bill          all    none     none
//	delegate      all    team     none
//	audit         all    none     none
//	close_period  all    none     none
//	churn         all    team     none
//	correct       all    team     none
//	claim         all    team     team
//	set_quota     all    team     none
//	export        all    none     none
//	consent       all    team     own
//	restrict      all    none     none
//
// The finance role reads, records and analyzes everything, approves (the
// finance step of contracts above the threshold), bills and closes
// periods; it does not
// manage customers or users. Logging an activity as another user's is
// delegating to oneself what they did: a manager may for their team, and
// the activity says who logged it.
//
// A rep may not restore: archiving is their way to say a customer is gone,
// bringing one back is a manager's call. Anyone may record what happened
// with any customer (a contact-center agent serves customers they do not
// own); statistics across customers are for managers. An agent who must
// also read the customers they serve (the record, ladder and journey) is
// a rep granted read on all, in a policy of your own:
//
//	p := crm.DefaultPolicy()
//	p.Grants[crm.RoleRep][crm.ActionRead] = crm.ScopeAll
//	c, err := crm.New(store, crm.WithPolicy(p))
//
// Saying by hand that a customer left (churn) is not mere recording: it
// takes the customer off the ladder until they buy again, so it is a
// manager's call for their team, or an admin's. Churn the CRM sees in its own records (FactEvidence)
// needs no grant. A customer in the public pool of a team (WithPublicPool)
// may be claimed by any rep or manager of that team.
//
// Exporting everything held about a customer (a person's request for
// their data) is an admin's, as erasure is: the export holds the
// customer's whole history and ledger, which a manager does not read
// whole (the audit log is an admin's), and answering such a request is
// the company's act, not a sales team's.
//
// Recording that a person gave consent (consent) is for those who work
// the customer: a consent on file lets the company contact the person, so
// it is recorded by the customer's owner, their manager or an admin, who
// answer for its proof. Recording a withdrawal is recording, which anyone
// may do for any customer: withdrawing must be as easy as giving (GDPR
// Article 7(3)), and the agent who hears "stop calling me" is seldom the
// owner. Finance does neither.
//
// Restricting a customer's processing, and lifting the restriction, is an
// admin's, as erasure is: both answer a person's request under privacy
// law, and lifting a restriction starts processing again, which the
// person must be told of first (Article 18(3) GDPR); a manager who could
// lift it could resume marketing to someone who objected.
func DefaultPolicy() RolePolicy {
	return RolePolicy{Grants: map[Role]map[Action]Scope{
		RoleAdmin: {
			ActionRead: ScopeAll, ActionCreate: ScopeAll, ActionUpdate: ScopeAll, ActionArchive: ScopeAll,
			ActionRestore: ScopeAll, ActionReassign: ScopeAll, ActionErase: ScopeAll, ActionManageUsers: ScopeAll,
			ActionRecord: ScopeAll, ActionAnalyze: ScopeAll, ActionConfigure: ScopeAll, ActionApprove: ScopeAll, ActionBill: ScopeAll,
			ActionDelegate: ScopeAll, ActionAudit: ScopeAll, ActionClosePeriod: ScopeAll, ActionChurn: ScopeAll,
			ActionCorrect:  ScopeAll,
			ActionClaim:    ScopeAll,
			ActionSetQuota: ScopeAll,
			ActionExport:   ScopeAll,
			ActionConsent:  ScopeAll,
			ActionRestrict: ScopeAll,
		},
		RoleFinance: {
			ActionRead: ScopeAll, ActionRecord: ScopeAll, ActionAnalyze: ScopeAll, ActionApprove: ScopeAll, ActionBill: ScopeAll,
			ActionClosePeriod: ScopeAll,
		},
		RoleManager: {
			ActionRead: ScopeTeam, ActionCreate: ScopeTeam, ActionUpdate: ScopeTeam, ActionArchive: ScopeTeam,
			ActionRestore: ScopeTeam, ActionReassign: ScopeTeam, ActionRecord: ScopeAll, ActionAnalyze: ScopeAll,
			ActionApprove: ScopeTeam, ActionDelegate: ScopeTeam, ActionChurn: ScopeTeam, ActionSetQuota: ScopeTeam,
			ActionCorrect: ScopeTeam,
			ActionClaim:   ScopeTeam,
			ActionConsent: ScopeTeam,
		},
		RoleRep: {
			ActionRead: ScopeOwn, ActionCreate: ScopeOwn, ActionUpdate: ScopeOwn, ActionArchive: ScopeOwn,
			ActionRecord: ScopeAll, ActionClaim: ScopeTeam, ActionConsent: ScopeOwn,
		},
	}}
}

// Authorize implements Policy.
func (p RolePolicy) Authorize(actor User, action Action, target Target) error {
	scope := p.Grants[actor.Role][action]
	if scope.covers(actor, target) {
		return nil
	}
	reason := fmt.Sprintf("role %s has scope %s for %s; %s; WithPolicy changes the grants",
		actor.Role, scope, action, p.widerGrants(action, scope))
	return &ForbiddenError{Actor: actor.ID, Action: action, Kind: target.Kind, Reason: reason}
}

// widerGrants names, for a refusal, the roles granted action more widely
// than scope, in the order of their names: whom to ask, or what to grant.
func (p RolePolicy) widerGrants(action Action, scope Scope) string {
	roles := make([]string, 0, len(p.Grants))
	for role, grants := range p.Grants {
		if s := grants[action]; s > scope {
			roles = append(roles, fmt.Sprintf("%s (%s)", role, s))
		}
	}
	if len(roles) == 0 {
		return "no role has it wider"
	}
	slices.Sort(roles)
	return "granted wider to " + strings.Join(roles, ", ")
}

// ReadScope implements ReadScoper.
func (p RolePolicy) ReadScope(actor User, _ Kind) Scope { return p.Grants[actor.Role][ActionRead] }

func (s Scope) covers(actor User, t Target) bool {
	switch s {
	case ScopeAll:
		return true
	case ScopeTeam:
		return actor.Team != "" && t.Team == actor.Team
	case ScopeOwn:
		return !actor.ID.IsZero() && t.Owner == actor.ID
	}
	return false
}
