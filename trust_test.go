package crm_test

import (
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestZeroActorIsUnknown: the zero ID is nobody, refused before the
// policy is asked, on writes and reads alike, and nothing is written.
func TestZeroActorIsUnknown(t *testing.T) {
	co := newCompany(t)
	acme := co.customer(t, co.Ann, "Acme")
	before := co.head(t)
	var nobody crm.ID
	_, err := co.Customers.Create(ctx, nobody, crm.NewCustomer{Kind: crm.Partner, Name: "Ghost"})
	var fe *crm.ForbiddenError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "unknown user", fe.Reason)
	_, err = co.Customers.Get(ctx, nobody, acme.ID)
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "unknown user", fe.Reason)
	assert.Equal(t, before, co.head(t), "nothing was written")
}

// TestTheLastAdminStays: nobody could manage users if the last active
// admin were demoted or deactivated, so neither is allowed; with a second
// admin, either is.
func TestTheLastAdminStays(t *testing.T) {
	co := newCompany(t)
	before := co.head(t)
	_, err := co.Users.Update(ctx, co.Admin.ID, crm.UserPatch{User: co.Admin.ID, Role: ptr(crm.RoleManager)})
	var ve *crm.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "last_admin", ve.Rule)
	assert.Equal(t, before, co.head(t), "nothing was written")

	second, err := co.Users.Create(ctx, co.Admin.ID, crm.NewUser{Name: "Second Admin", Role: crm.RoleAdmin})
	require.NoError(t, err)
	_, err = co.Users.Update(ctx, second.ID, crm.UserPatch{User: co.Admin.ID, Role: ptr(crm.RoleManager)})
	require.NoError(t, err, "with another admin, one may step down")
	_, err = co.Users.Deactivate(ctx, co.Admin.ID, crm.DeactivateUserRequest{User: second.ID, Reason: "left"})
	require.ErrorIs(t, err, crm.ErrForbidden, "the demoted admin manages users no more")
	_, err = co.Users.Update(ctx, second.ID, crm.UserPatch{User: second.ID, Role: ptr(crm.RoleRep)})
	require.ErrorAs(t, err, &ve, "the remaining admin cannot demote themselves either")
	assert.Equal(t, "last_admin", ve.Rule)
}

// TestContractApproversAreDistinct: each approval step needs another
// approver, and neither who drafted a contract nor who submitted it may
// approve it.
func TestContractApproversAreDistinct(t *testing.T) {
	co := newCompany(t)
	fay, err := co.Users.Create(ctx, co.Admin.ID, crm.NewUser{Name: "Fay Finance", Role: crm.RoleFinance})
	require.NoError(t, err)
	acme := co.customer(t, co.Ann, "Acme")
	big := func(t *testing.T, drafter crm.User) crm.Contract {
		t.Helper()
		k, err := co.Contracts.Draft(ctx, drafter.ID, crm.NewContract{Customer: acme.ID, Owner: co.Ann.ID, Title: "Fleet",
			Amount: crm.MoneyFromMinor(2_000_000, crm.USD), Start: date(t, "2026-04-01"), Template: crm.PlanNet30})
		require.NoError(t, err)
		k, err = co.Contracts.Submit(ctx, co.Ann.ID, crm.SubmitContractRequest{Contract: k.ID})
		require.NoError(t, err)
		require.Len(t, k.Steps, 2, "above the threshold: a manager, then finance")
		return k
	}

	k := big(t, co.Ann)
	_, err = co.Contracts.Approve(ctx, co.Admin.ID, crm.ApproveContractRequest{Contract: k.ID})
	require.NoError(t, err)
	_, err = co.Contracts.Approve(ctx, co.Admin.ID, crm.ApproveContractRequest{Contract: k.ID})
	var fe *crm.ForbiddenError
	require.ErrorAs(t, err, &fe, "one admin does not approve both steps")
	assert.Contains(t, fe.Reason, "another approver")
	k, err = co.Contracts.Approve(ctx, fay.ID, crm.ApproveContractRequest{Contract: k.ID})
	require.NoError(t, err)
	assert.Equal(t, crm.ContractApproved, k.Status)

	k = big(t, co.Manager)
	assert.Equal(t, co.Manager.ID, k.DraftedBy)
	_, err = co.Contracts.Approve(ctx, co.Manager.ID, crm.ApproveContractRequest{Contract: k.ID})
	require.ErrorAs(t, err, &fe, "who drafted it does not approve it")
	assert.Contains(t, fe.Reason, "drafted")
}
