package crm_test

import (
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEraseAUserWhoLeft(t *testing.T) {
	co := newCompany(t)
	c := co.customer(t, co.Ann, "Kept by ID")
	req := crm.UserErasureRequest{User: co.Ann.ID, Reason: "left in March; Art. 17 request"}

	_, err := co.Users.EraseUser(ctx, co.Admin.ID, req)
	assert.ErrorIs(t, err, crm.ErrInvalid, "an active user is deactivated first")
	_, err = co.Users.Deactivate(ctx, co.Admin.ID, crm.DeactivateUserRequest{User: co.Ann.ID, Reason: "left"})
	require.NoError(t, err)
	_, err = co.Users.EraseUser(ctx, co.Manager.ID, req)
	assert.ErrorIs(t, err, crm.ErrForbidden, "a manager does not manage users")
	_, err = co.Users.EraseUser(ctx, co.Admin.ID, crm.UserErasureRequest{User: co.Ann.ID})
	assert.ErrorIs(t, err, crm.ErrInvalid, "a reason is required")

	rep, err := co.Users.EraseUser(ctx, co.Admin.ID, req)
	require.NoError(t, err)
	assert.Equal(t, []string{"name"}, rep.Fields, "the team's Ann has a name and no e-mail")
	assert.NotEmpty(t, rep.RedactedEvents)

	u, err := co.Users.Get(ctx, co.Admin.ID, co.Ann.ID)
	require.NoError(t, err)
	assert.Equal(t, crm.ErasedValue, u.Name)
	got, err := co.Customers.Get(ctx, co.Admin.ID, c.ID)
	require.NoError(t, err)
	assert.Equal(t, co.Ann.ID, got.Owner, "what she did stays hers, by ID")

	log := ""
	for e, err := range co.Events.Feed(ctx, 0) {
		require.NoError(t, err)
		log += string(e.Data)
	}
	assert.NotContains(t, log, co.Ann.Name)
	co.head(t)

	again, err := co.Users.EraseUser(ctx, co.Admin.ID, req)
	require.NoError(t, err)
	assert.Empty(t, again.Fields, "nothing is left to erase")
}
