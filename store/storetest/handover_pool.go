package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// handoverPool checks the public pool through the CRM: customers whose
// owner logged nothing with them for the rule's days go back to their
// team's pool, once, with the reason; the team's reps see the pool and
// claim from it; other teams do not; with the rule off there is no sweep.
func handoverPool(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	tm := NewTeam(t, newStore(t), crm.WithPublicPool(crm.PoolRule{IdleDays: 30}))
	mk := func(owner crm.User, name string) crm.Customer {
		cu, err := tm.Customers.Create(ctx, owner.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: name})
		require.NoError(t, err)
		return cu
	}
	worked, idle, archived, bens := mk(tm.Ann, "Worked"), mk(tm.Ann, "Idle"), mk(tm.Ann, "Archived"), mk(tm.Ben, "Ben's")
	_, err := tm.Customers.Archive(ctx, tm.Ann.ID, crm.ArchiveCustomerRequest{Customer: archived.ID, Reason: "gone"})
	require.NoError(t, err)
	tm.Clock.Advance(10 * 24 * time.Hour)
	log := func(who crm.User, cu crm.Customer) {
		_, err := tm.Activities.Log(ctx, who.ID, crm.NewActivity{Type: crm.ActivityCall, Customer: cu.ID, Subject: "Check-in"})
		require.NoError(t, err)
	}
	log(tm.Ann, worked)
	log(tm.Manager, idle) // the manager's call is not the owner's follow-up
	tm.Clock.Advance(25 * 24 * time.Hour)

	r, err := tm.Customers.ReturnIdle(ctx, tm.Admin.ID)
	require.NoError(t, err)
	assert.Equal(t, 2, r.Returned)
	assert.Equal(t, []crm.PooledRecord{{Customer: idle.ID, Name: "Idle", Owner: tm.Ann.ID, Team: "north"},
		{Customer: bens.ID, Name: "Ben's", Owner: tm.Ben.ID, Team: "north"}}, r.Customers)
	got, err := tm.Customers.Get(ctx, tm.Admin.ID, idle.ID)
	require.NoError(t, err)
	assert.True(t, got.Owner.IsZero())
	assert.Equal(t, crm.StatusPooled, got.Status)
	assert.Equal(t, "north", got.Team, "the pool is the team's")
	e := lastOf(t, tm, crm.KindCustomer, idle.ID, crm.CustomerPooled)
	cs, err := crm.DecodeChangeSet(e.Data)
	require.NoError(t, err)
	assert.Contains(t, cs.Reason, "public pool after 30 days")
	for _, id := range []crm.ID{worked.ID, archived.ID} {
		got, err := tm.Customers.Get(ctx, tm.Admin.ID, id)
		require.NoError(t, err)
		assert.NotEqual(t, crm.StatusPooled, got.Status)
	}
	again, err := tm.Customers.ReturnIdle(ctx, tm.Admin.ID)
	require.NoError(t, err)
	assert.Zero(t, again.Returned, "a second sweep returns nothing more")

	pool := func(who crm.User) []crm.ID {
		var out []crm.ID
		for cu, err := range tm.Customers.Pool(ctx, who.ID) {
			require.NoError(t, err)
			out = append(out, cu.ID)
		}
		return out
	}
	assert.Equal(t, []crm.ID{idle.ID, bens.ID}, pool(tm.Ann))
	assert.Empty(t, pool(tm.Sue), "another team's pool is not Sue's")
	_, err = tm.Customers.Get(ctx, tm.Ann.ID, idle.ID)
	assert.ErrorIs(t, err, crm.ErrNotFound, "Ann no longer owns it")

	_, err = tm.Customers.Claim(ctx, tm.Sue.ID, crm.ClaimCustomerRequest{Customer: idle.ID})
	assert.ErrorIs(t, err, crm.ErrNotFound)
	claimed, err := tm.Customers.Claim(ctx, tm.Ben.ID, crm.ClaimCustomerRequest{Customer: idle.ID, Reason: "I know them"})
	require.NoError(t, err)
	assert.Equal(t, tm.Ben.ID, claimed.Owner)
	assert.Equal(t, crm.StatusActive, claimed.Status)
	assert.Equal(t, tm.Ben.ID, lastOf(t, tm, crm.KindCustomer, idle.ID, crm.CustomerClaimed).Actor)
	_, err = tm.Customers.Claim(ctx, tm.Ann.ID, crm.ClaimCustomerRequest{Customer: idle.ID})
	assert.ErrorIs(t, err, crm.ErrNotFound, "Ben's now, and not Ann's to see")
	_, err = tm.Customers.Claim(ctx, tm.Manager.ID, crm.ClaimCustomerRequest{Customer: idle.ID})
	assert.ErrorIs(t, err, crm.ErrInvalidTransition, "only a pooled customer is claimed")

	given, err := tm.Customers.Reassign(ctx, tm.Manager.ID, crm.ReassignCustomerRequest{Customer: bens.ID, To: tm.Ann.ID, Reason: "yours"})
	require.NoError(t, err)
	assert.Equal(t, crm.StatusActive, given.Status, "a manager gives a pooled customer to a rep")
	again, err = tm.Customers.ReturnIdle(ctx, tm.Admin.ID)
	require.NoError(t, err)
	assert.Zero(t, again.Returned, "a customer just given or claimed has the rule's days again")

	off := NewTeam(t, newStore(t))
	_, err = off.Customers.ReturnIdle(ctx, off.Admin.ID)
	assert.ErrorIs(t, err, crm.ErrInvalid, "the pool is off by default")
}

// poolRaceTrials bounds the race by count, not by time.
const poolRaceTrials = 4

// handoverPoolRace races the pool's sweep with the owner logging a call
// on an idle customer: either the call comes first and the customer
// stays the owner's, or the sweep does and the call finds them gone;
// never a customer pooled with a follow-up of its owner after the cutoff.
func handoverPoolRace(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	for trial := range poolRaceTrials {
		tm := NewTeam(t, newStore(t), crm.WithPublicPool(crm.PoolRule{IdleDays: 30}))
		var customers []crm.Customer
		for i := range 3 {
			cu, err := tm.Customers.Create(ctx, tm.Ann.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: fmt.Sprintf("C%d", i)})
			require.NoError(t, err)
			customers = append(customers, cu)
		}
		tm.Clock.Advance(40 * 24 * time.Hour)
		logged := make([]bool, len(customers))
		errs := race(1+len(customers), func(i int) error {
			if i == 0 {
				_, err := tm.Customers.ReturnIdle(ctx, tm.Admin.ID)
				return err
			}
			_, err := tm.Activities.Log(ctx, tm.Ann.ID, crm.NewActivity{Type: crm.ActivityCall, Customer: customers[i-1].ID, Subject: "Call"})
			if errors.Is(err, crm.ErrNotFound) {
				return nil // pooled first
			}
			logged[i-1] = err == nil
			return err
		})
		for _, err := range errs {
			require.NoError(t, err, "trial %d", trial)
		}
		for i, cu := range customers {
			got, err := tm.Customers.Get(ctx, tm.Admin.ID, cu.ID)
			require.NoError(t, err)
			assert.Equal(t, !logged[i], got.Status == crm.StatusPooled, "trial %d, %s: followed up %v, status %s", trial, cu.Name, logged[i], got.Status)
		}
	}
}
