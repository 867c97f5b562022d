package crm_test

import (
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
)

func TestDefaultPolicy(t *testing.T) {
	p := crm.DefaultPolicy()
	me := crm.ID{1}
	actor := func(role crm.Role) crm.User { return crm.User{ID: me, Role: role, Team: "north", Active: true} }
	own := crm.Target{Kind: crm.KindCustomer, Owner: me, Team: "north"}
	team := crm.Target{Kind: crm.KindCustomer, Owner: crm.ID{2}, Team: "north"}
	other := crm.Target{Kind: crm.KindCustomer, Owner: crm.ID{3}, Team: "south"}

	for _, tc := range []struct {
		role                    crm.Role
		action                  crm.Action
		own, team, otherAllowed bool
	}{
		{crm.RoleRep, crm.ActionRead, true, false, false},
		{crm.RoleRep, crm.ActionUpdate, true, false, false},
		{crm.RoleRep, crm.ActionArchive, true, false, false},
		{crm.RoleRep, crm.ActionRestore, false, false, false},
		{crm.RoleRep, crm.ActionReassign, false, false, false},
		{crm.RoleRep, crm.ActionErase, false, false, false},
		{crm.RoleManager, crm.ActionRead, true, true, false},
		{crm.RoleManager, crm.ActionReassign, true, true, false},
		{crm.RoleManager, crm.ActionRestore, true, true, false},
		{crm.RoleManager, crm.ActionErase, false, false, false},
		{crm.RoleManager, crm.ActionManageUsers, false, false, false},
		{crm.RoleAdmin, crm.ActionErase, true, true, true},
		{crm.RoleRep, crm.ActionExport, false, false, false},
		{crm.RoleManager, crm.ActionExport, false, false, false},
		{crm.RoleFinance, crm.ActionExport, false, false, false},
		{crm.RoleAdmin, crm.ActionExport, true, true, true},
		{crm.RoleAdmin, crm.ActionReassign, true, true, true},
		{"intern", crm.ActionRead, false, false, false},
	} {
		t.Run(string(tc.role)+"/"+string(tc.action), func(t *testing.T) {
			a := actor(tc.role)
			for _, c := range []struct {
				target crm.Target
				want   bool
			}{{own, tc.own}, {team, tc.team}, {other, tc.otherAllowed}} {
				err := p.Authorize(a, tc.action, c.target)
				if c.want {
					assert.NoError(t, err, "target %+v", c.target)
					continue
				}
				var fe *crm.ForbiddenError
				if assert.ErrorAs(t, err, &fe, "target %+v", c.target) {
					assert.Equal(t, tc.action, fe.Action)
					assert.ErrorIs(t, err, crm.ErrForbidden)
				}
			}
		})
	}
	assert.Error(t, p.Authorize(crm.User{ID: me, Role: crm.RoleManager}, crm.ActionRead, crm.Target{Kind: crm.KindCustomer}),
		"a manager without a team has no team scope")
}

// A refusal says what to do about it: which roles the policy grants the
// action more widely, so the caller knows whom to ask or what to grant.
func TestRolePolicyRefusalNamesWiderGrants(t *testing.T) {
	p := crm.DefaultPolicy()
	rep := crm.User{ID: crm.ID{1}, Role: crm.RoleRep, Team: "north", Active: true}
	for _, tc := range []struct {
		action crm.Action
		target crm.Target
		want   string
	}{
		{crm.ActionAnalyze, crm.Target{Kind: crm.KindDeal},
			"role rep has scope none for analyze; granted wider to admin (all), finance (all), manager (all); WithPolicy changes the grants"},
		{crm.ActionUpdate, crm.Target{Kind: crm.KindCustomer, Owner: crm.ID{2}, Team: "north"},
			"role rep has scope own for update; granted wider to admin (all), manager (team); WithPolicy changes the grants"},
	} {
		var fe *crm.ForbiddenError
		if assert.ErrorAs(t, p.Authorize(rep, tc.action, tc.target), &fe) {
			assert.Equal(t, tc.want, fe.Reason)
		}
	}
	admin := crm.User{ID: crm.ID{1}, Role: crm.RoleAdmin, Active: true}
	var fe *crm.ForbiddenError
	if assert.ErrorAs(t, crm.RolePolicy{}.Authorize(admin, crm.ActionRead, crm.Target{Kind: crm.KindDeal}), &fe) {
		assert.Equal(t, "role admin has scope none for read; no role has it wider; WithPolicy changes the grants", fe.Reason)
	}
}
