package crm

import (
	"fmt"
	"time"
)

// Kind names a kind of record, in errors, policy targets and events.
type Kind string

// The kinds of record this package stores.
const (
	KindCustomer           Kind = "customer"
	KindUser               Kind = "user"
	KindEvent              Kind = "event"
	KindTouchpointMap      Kind = "touchpoint_map"
	KindInteraction        Kind = "interaction"
	KindCase               Kind = "case"
	KindEvidence           Kind = "evidence"
	KindLadderMove         Kind = "ladder_move"
	KindLadderState        Kind = "ladder_state"
	KindJourneyTemplate    Kind = "journey_template"
	KindPipeline           Kind = "pipeline"
	KindDeal               Kind = "deal"
	KindActivity           Kind = "activity"
	KindCampaign           Kind = "campaign"
	KindContract           Kind = "contract"
	KindInvoice            Kind = "invoice"
	KindCredit             Kind = "credit"
	KindEntry              Kind = "entry"
	KindCorrectionApproval Kind = "correction_approval"
	KindBook               Kind = "book"
	KindPeriodLock         Kind = "period_lock"
	KindDunning            Kind = "dunning" // an invoice's dunning record, keyed by the invoice
	KindQuota              Kind = "quota"   // a rep's or a team's quota for a fiscal period
	KindConsent            Kind = "consent" // a person's decision to give or withdraw consent for a purpose
)

// Role is a user's role, which the default policy maps to what it may do.
type Role string

// The roles of the default policy.
const (
	RoleAdmin   Role = "admin"   // runs the CRM: users, erasure, everything
	RoleManager Role = "manager" // leads a team: its customers and reassignment within it
	RoleRep     Role = "rep"     // works their own customers
	RoleFinance Role = "finance" // runs receivables: invoices, payments, approvals above the threshold
)

func (r Role) valid() bool {
	return r == RoleAdmin || r == RoleManager || r == RoleRep || r == RoleFinance
}

// User is a person who works in the CRM and acts on its records. A user who
// leaves the company is deactivated, never deleted: the audit trail keeps
// naming them, and a deactivated user can change nothing.
type User struct {
	ID            ID        `json:"id,omitzero"`
	Name          string    `json:"name,omitempty" privacy:"personal"`
	Email         string    `json:"email,omitempty" privacy:"personal"`
	Role          Role      `json:"role,omitempty"`
	Team          string    `json:"team,omitempty" privacy:"none"` // "" means no team
	Active        bool      `json:"active,omitempty"`
	CreatedAt     time.Time `json:"created_at,omitzero"`
	UpdatedAt     time.Time `json:"updated_at,omitzero"`
	DeactivatedAt time.Time `json:"deactivated_at,omitzero"` // zero while active
	Version       int64     `json:"version"`
}

// NewUser is the input for creating a user.
type NewUser struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
	Role  Role   `json:"role,omitempty"`
	Team  string `json:"team,omitempty"`
}

// UserPatch changes the profile of User; nil fields stay as they are.
// IfVersion, when not zero, must equal the user's current version.
type UserPatch struct {
	User      ID      `json:"user,omitzero"`
	Name      *string `json:"name,omitempty"`
	Email     *string `json:"email,omitempty"`
	Role      *Role   `json:"role,omitempty"`
	Team      *string `json:"team,omitempty"`
	IfVersion int64   `json:"if_version"`
}

// DeactivateUserRequest deactivates User, who has left, for Reason.
type DeactivateUserRequest struct {
	User   ID     `json:"user,omitzero"`
	Reason string `json:"reason,omitempty"`
}

// ReactivateUserRequest lets User work again, for Reason.
type ReactivateUserRequest struct {
	User   ID     `json:"user,omitzero"`
	Reason string `json:"reason,omitempty"`
}

func (in NewUser) build(id ID, now time.Time) (User, error) {
	u := User{ID: id, Name: in.Name, Email: in.Email, Role: in.Role, Team: in.Team, Active: true,
		CreatedAt: now, UpdatedAt: now, Version: 1}
	return u.normalized()
}

func (p UserPatch) apply(u User) (User, error) {
	if p.Name != nil {
		u.Name = *p.Name
	}
	if p.Email != nil {
		u.Email = *p.Email
	}
	if p.Role != nil {
		u.Role = *p.Role
	}
	if p.Team != nil {
		u.Team = *p.Team
	}
	return u.normalized()
}

// normalized trims the user's text fields and checks every rule.
func (u User) normalized() (User, error) {
	var err error
	if u.Name, err = cleanText("name", u.Name, maxNameLen, true); err != nil {
		return User{}, err
	}
	if u.Email, err = cleanEmail("email", u.Email); err != nil {
		return User{}, err
	}
	if u.Team, err = cleanText("team", u.Team, maxShortTextLen, false); err != nil {
		return User{}, err
	}
	if !u.Role.valid() {
		return User{}, invalid("role", "one_of", fmt.Sprintf("%q is not admin, manager, rep or finance", u.Role))
	}
	return u, nil
}

func diffUser(before, after User) []Change {
	var cs changes
	cs.add("name", before.Name, after.Name)
	cs.add("email", before.Email, after.Email)
	cs.add("role", string(before.Role), string(after.Role))
	cs.add("team", before.Team, after.Team)
	cs.add("active", before.Active, after.Active)
	return cs
}
