package crm_test

import (
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The mistakes a newcomer makes first get errors that say what to do: the
// field that is missing, or the values that would do.
func TestNewcomerMistakesSayWhatToDo(t *testing.T) {
	co := newCompany(t)
	cu := co.customer(t, co.Ann, "Acme")
	p, err := co.Deals.CreatePipeline(ctx, co.Admin.ID, crm.NewPipeline{Name: "New business", Currency: crm.USD})
	require.NoError(t, err)
	d, err := co.Deals.Open(ctx, co.Ann.ID, crm.NewDeal{Pipeline: p.ID, Customer: cu.ID, Title: "Fleet"})
	require.NoError(t, err)

	invalid := func(t *testing.T, err error, field, detail string) {
		t.Helper()
		var ve *crm.ValidationError
		if assert.ErrorAs(t, err, &ve) {
			assert.Equal(t, field, ve.Field)
			assert.Contains(t, ve.Detail, detail)
		}
	}
	t.Run("a deal without a pipeline", func(t *testing.T) {
		_, err := co.Deals.Open(ctx, co.Ann.ID, crm.NewDeal{Customer: cu.ID, Title: "Fleet"})
		invalid(t, err, "pipeline", "CreatePipeline")
	})
	t.Run("a funnel without a pipeline", func(t *testing.T) {
		_, err := co.Deals.Funnel(ctx, co.Manager.ID, crm.SalesQuery{})
		invalid(t, err, "pipeline", "CreatePipeline")
	})
	t.Run("a lost reason the pipeline does not offer", func(t *testing.T) {
		_, err := co.Deals.Lose(ctx, co.Ann.ID, crm.LoseDealRequest{Deal: d.ID, Reason: "too expensive"})
		invalid(t, err, "lost_reason", "pricing, competition")
	})
	t.Run("a deal that leaves a stage without what it requires", func(t *testing.T) {
		d, err := co.Deals.Open(ctx, co.Ann.ID, crm.NewDeal{Pipeline: p.ID, Customer: cu.ID, Title: "Pilot", Stage: "proposal"})
		require.NoError(t, err)
		_, err = co.Deals.Move(ctx, co.Ann.ID, crm.MoveDealRequest{Deal: d.ID, Stage: "negotiation"})
		var te *crm.TransitionError
		if assert.ErrorAs(t, err, &te) {
			assert.Equal(t, "crm: pipeline New business: cannot move to negotiation from proposal: "+
				"the deal needs amount before it leaves proposal (DealService.Update sets it)", te.Error())
		}
	})
	t.Run("expected collections over no months", func(t *testing.T) {
		_, err := co.Receivables.ExpectedCollections(ctx, co.Admin.ID, crm.CollectionsQuery{})
		invalid(t, err, "months", "0 is not 1-120")
	})
	t.Run("evidence of no kind", func(t *testing.T) {
		_, err := co.Ladder.RecordEvidence(ctx, co.Ann.ID, crm.NewEvidence{Customer: cu.ID})
		invalid(t, err, "kind", "one of experience, purchase, referral")
	})
	t.Run("a user without a role", func(t *testing.T) {
		_, err := co.Users.Create(ctx, co.Admin.ID, crm.NewUser{Name: "Bob"})
		invalid(t, err, "role", "admin, manager, rep or finance")
	})
}

// Running a program twice on the same database: the second Bootstrap is
// refused with what to do, and a caller who went on with the zero ID it
// returned is told that it is the zero ID, not a user who vanished.
func TestASecondRunSaysWhatHappened(t *testing.T) {
	co := newCompany(t)
	admin, err := co.Users.Bootstrap(ctx, crm.NewUser{Name: "Ada", Email: "ada@example.com"})
	assert.ErrorIs(t, err, crm.ErrConflict)
	assert.EqualError(t, err, "crm: conflict on user: bootstrap: the CRM already has users; bootstrap once, then act as a user by the ID Bootstrap or Create returned")
	_, err = co.Customers.Create(ctx, admin.ID, crm.NewCustomer{Kind: crm.Partner, Name: "Acme"})
	var fe *crm.ForbiddenError
	if assert.ErrorAs(t, err, &fe) {
		assert.Equal(t, "unknown user: the zero ID, which no user has (did the call that returned it fail?)", fe.Reason)
	}
}
