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
