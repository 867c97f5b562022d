package crm_test

import (
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNoContactWhileRestrictedOrErased: a consent on file does not let
// the company contact a person whose processing is restricted, or whose
// data was erased; lifting the restriction brings the consent back.
func TestNoContactWhileRestrictedOrErased(t *testing.T) {
	co := newCompany(t)
	c, err := co.Customers.Create(ctx, co.Ann.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: "Mara Lind"})
	require.NoError(t, err)
	_, err = co.Customers.GiveConsent(ctx, co.Ann.ID, crm.GiveConsentRequest{Customer: c.ID, Purpose: "email_marketing",
		At: co.Clock.Now(), Source: "web_form", Proof: "form 4711"})
	require.NoError(t, err)
	may := func() crm.ContactDecision {
		t.Helper()
		d, err := co.Customers.MayContact(ctx, co.Ann.ID, crm.MayContactQuery{Customer: c.ID, Purpose: "email_marketing"})
		require.NoError(t, err)
		return d
	}
	assert.True(t, may().Allowed)

	co.Clock.Advance(time.Hour)
	_, err = co.Customers.Restrict(ctx, co.Admin.ID, crm.RestrictionRequest{Customer: c.ID, Reason: "accuracy contested"})
	require.NoError(t, err)
	d := may()
	assert.False(t, d.Allowed, "restricted: no contact, whatever the consent says")
	assert.True(t, d.Restricted)
	assert.Equal(t, crm.ConsentStatusGiven, d.Status, "the consent itself stands")

	co.Clock.Advance(time.Hour)
	_, err = co.Customers.LiftRestriction(ctx, co.Admin.ID, crm.RestrictionRequest{Customer: c.ID, Reason: "accuracy confirmed"})
	require.NoError(t, err)
	assert.True(t, may().Allowed, "lifting the restriction brings the consent back")

	_, err = co.Customers.Erase(ctx, co.Admin.ID, crm.ErasureRequest{Customer: c.ID, Reason: "Art. 17 request"})
	require.NoError(t, err)
	d = may()
	assert.False(t, d.Allowed, "nobody is left to contact")
	assert.True(t, d.Erased)
}
