package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runTeamFollowsOwner checks through the CRM that when a rep moves to
// another team, what they own moves with them, in the same transaction:
// the new team's manager sees it, the old one's no longer does, and the
// sales analytics count it for the new team; a deactivated rep's records
// keep their team until the rep comes back.
func runTeamFollowsOwner(t *testing.T, newStore NewStoreFunc) {
	t.Run("ManagersSeeWhatTheirTeamOwns", func(t *testing.T) { teamFollowsOwner(t, newStore) })
	t.Run("DeactivatedKeepTheirTeam", func(t *testing.T) { teamDeactivatedKeep(t, newStore) })
	t.Run("RacesManagerEdit", func(t *testing.T) { teamRacesEdit(t, newStore) })
}

// rotation is a Team with a manager of south and a book of Ann's.
type rotation struct {
	*Team
	south    crm.User
	pipeline crm.Pipeline
	customer crm.Customer
	deal     crm.Deal
	activity crm.Activity
	contract crm.Contract
	others   crm.Customer // Ben's, who stays in north
}

func newRotation(t *testing.T, newStore NewStoreFunc) *rotation {
	t.Helper()
	ctx := context.Background()
	r := &rotation{Team: NewTeam(t, newStore(t))}
	var err error
	r.south, err = r.Users.Create(ctx, r.Admin.ID, crm.NewUser{Name: "Sam Manager", Role: crm.RoleManager, Team: "south"})
	require.NoError(t, err)
	r.customer, err = r.Customers.Create(ctx, r.Ann.ID, crm.NewCustomer{Kind: crm.Distributor, Name: "Northwind"})
	require.NoError(t, err)
	r.others, err = r.Customers.Create(ctx, r.Ben.ID, crm.NewCustomer{Kind: crm.Distributor, Name: "Ben's"})
	require.NoError(t, err)
	r.pipeline, err = r.Deals.CreatePipeline(ctx, r.Admin.ID, crm.NewPipeline{Name: "New business", Currency: eur})
	require.NoError(t, err)
	r.deal, err = r.Deals.Open(ctx, r.Ann.ID, crm.NewDeal{Pipeline: r.pipeline.ID, Customer: r.customer.ID, Title: "Fleet",
		Amount: crm.MoneyFromMinor(100_000, eur)})
	require.NoError(t, err)
	r.Clock.Advance(time.Hour)
	r.deal, err = r.Deals.Move(ctx, r.Ann.ID, crm.MoveDealRequest{Deal: r.deal.ID, Stage: "qualification"})
	require.NoError(t, err)
	r.activity, err = r.Activities.Log(ctx, r.Ann.ID, crm.NewActivity{Type: crm.ActivityCall, Customer: r.customer.ID,
		Subject: "Intro", FollowUp: day(2026, 3, 9)})
	require.NoError(t, err)
	r.contract, err = r.Contracts.Draft(ctx, r.Ann.ID, crm.NewContract{Customer: r.customer.ID, Title: "Support",
		Amount: crm.MoneyFromMinor(120_000, eur), Start: day(2026, 4, 1), End: day(2027, 3, 31), Template: crm.PlanMonthly,
		Plan: crm.PlanOptions{Months: 12}})
	require.NoError(t, err)
	return r
}

// sees reports whether manager reads each of Ann's records.
func (r *rotation) sees(t *testing.T, manager crm.User) []bool {
	t.Helper()
	ctx := context.Background()
	_, errC := r.Customers.Get(ctx, manager.ID, r.customer.ID)
	_, errD := r.Deals.Get(ctx, manager.ID, r.deal.ID)
	acts := 0
	for _, err := range r.Activities.List(ctx, manager.ID, crm.ActivityFilter{Customer: r.customer.ID}) {
		require.NoError(t, err)
		acts++
	}
	for _, err := range []error{errC, errD} {
		if err != nil {
			require.ErrorIs(t, err, crm.ErrNotFound)
		}
	}
	return []bool{errC == nil, errD == nil, acts == 1}
}

// teams returns the team stamped on each of Ann's records, and on Ben's
// customer.
func (r *rotation) teams(t *testing.T) map[string]string {
	t.Helper()
	ctx := context.Background()
	out := map[string]string{}
	require.NoError(t, r.Store.View(ctx, func(tx crm.ReadTx) error {
		cu, err := tx.Customers().Get(ctx, r.customer.ID)
		if err != nil {
			return err
		}
		d, err := tx.Deals().Get(ctx, r.deal.ID)
		if err != nil {
			return err
		}
		a, err := tx.Activities().Get(ctx, r.activity.ID)
		if err != nil {
			return err
		}
		c, err := tx.Contracts().Get(ctx, r.contract.ID)
		if err != nil {
			return err
		}
		b, err := tx.Customers().Get(ctx, r.others.ID)
		out["customer"], out["deal"], out["activity"], out["contract"], out["ben"] = cu.Team, d.Team, a.Team, c.Team, b.Team
		return err
	}))
	return out
}

// visits returns the stage visits the sales analytics count for team.
func (r *rotation) visits(t *testing.T, team string) int64 {
	t.Helper()
	ctx := context.Background()
	var n int64
	require.NoError(t, r.Store.View(ctx, func(tx crm.ReadTx) error {
		rows, err := tx.Sales().StageTimes(ctx, crm.SalesQuery{Pipeline: r.pipeline.ID, Team: team})
		for _, row := range rows {
			n += row.Visits
		}
		return err
	}))
	return n
}

func teamsOf(team string) map[string]string {
	return map[string]string{"customer": team, "deal": team, "activity": team, "contract": team, "ben": "north"}
}

func teamFollowsOwner(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	r := newRotation(t, newStore)
	assert.Equal(t, []bool{true, true, true}, r.sees(t, r.Manager))
	assert.Equal(t, []bool{false, false, false}, r.sees(t, r.south))
	assert.Equal(t, int64(1), r.visits(t, "north"))

	ann, err := r.Users.Update(ctx, r.Admin.ID, crm.UserPatch{User: r.Ann.ID, Team: ptr("south")})
	require.NoError(t, err)
	assert.Equal(t, teamsOf("south"), r.teams(t))
	assert.Equal(t, []bool{true, true, true}, r.sees(t, r.south), "the manager of south sees what Ann owns")
	assert.Equal(t, []bool{false, false, false}, r.sees(t, r.Manager), "the manager of north no longer does")
	assert.Equal(t, int64(0), r.visits(t, "north"))
	assert.Equal(t, int64(1), r.visits(t, "south"), "the stage visits follow their deal")

	e := lastOf(t, r.Team, crm.KindUser, r.Ann.ID, crm.UserRecordsMoved)
	assert.Equal(t, ann.Version, e.Version)
	var data struct {
		From, To string
		Moved    crm.OwnedRecords
	}
	require.NoError(t, json.Unmarshal(e.Data, &data))
	assert.Equal(t, "north", data.From)
	assert.Equal(t, "south", data.To)
	assert.Equal(t, crm.OwnedRecords{Customers: 1, Deals: 1, Activities: 1, Contracts: 1}, data.Moved)

	_, err = r.Deals.Update(ctx, r.south.ID, crm.DealPatch{Deal: r.deal.ID, Title: ptr("Fleet, south")})
	require.NoError(t, err, "the manager of south works Ann's deal")
	_, err = r.Deals.Update(ctx, r.Manager.ID, crm.DealPatch{Deal: r.deal.ID, Title: ptr("Fleet, north")})
	assert.ErrorIs(t, err, crm.ErrNotFound)

	before := verifiedHead(t, r.Team)
	_, err = r.Users.Update(ctx, r.Admin.ID, crm.UserPatch{User: r.Ann.ID, Name: ptr("Ann South")})
	require.NoError(t, err)
	n := 0
	for _, e := range allEvents(t, r.CRM) {
		if e.Seq > before.Seq && e.Type == crm.UserRecordsMoved {
			n++
		}
	}
	assert.Zero(t, n, "a change that keeps the team moves nothing")
}

func teamDeactivatedKeep(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	r := newRotation(t, newStore)
	_, err := r.Users.Deactivate(ctx, r.Admin.ID, crm.DeactivateUserRequest{User: r.Ann.ID, Reason: "left"})
	require.NoError(t, err)
	_, err = r.Users.Update(ctx, r.Admin.ID, crm.UserPatch{User: r.Ann.ID, Team: ptr("south")})
	require.NoError(t, err)
	assert.Equal(t, teamsOf("north"), r.teams(t), "the manager of the team she left hands her accounts over")
	assert.Equal(t, []bool{true, true, true}, r.sees(t, r.Manager))

	_, err = r.Users.Reactivate(ctx, r.Admin.ID, crm.ReactivateUserRequest{User: r.Ann.ID, Reason: "back"})
	require.NoError(t, err)
	assert.Equal(t, teamsOf("south"), r.teams(t), "back, her records follow her to her team")
	lastOf(t, r.Team, crm.KindUser, r.Ann.ID, crm.UserRecordsMoved)
}

// teamRaceTrials bounds the race by count, not by time.
const teamRaceTrials = 4

// teamRacesEdit races Ann's move to south with the manager of north
// editing her deal: an edit that read the deal before the move must not
// stamp north back on it.
func teamRacesEdit(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	for trial := range teamRaceTrials {
		r := newRotation(t, newStore)
		const edits = 8
		errs := race(3, func(i int) error {
			if i == 0 {
				_, err := r.Users.Update(ctx, r.Admin.ID, crm.UserPatch{User: r.Ann.ID, Team: ptr("south")})
				return err
			}
			for k := range edits {
				title := fmt.Sprintf("edit %d.%d", i, k)
				var err error
				if i == 1 {
					_, err = r.Deals.Update(ctx, r.Manager.ID, crm.DealPatch{Deal: r.deal.ID, Title: &title})
				} else {
					_, err = r.Customers.Update(ctx, r.Manager.ID, crm.CustomerPatch{Customer: r.customer.ID, Segment: &title})
				}
				if errors.Is(err, crm.ErrNotFound) {
					return nil // moved to south first
				}
				if err != nil {
					return err
				}
			}
			return nil
		})
		for _, err := range errs {
			require.NoError(t, err, "trial %d", trial)
		}
		assert.Equal(t, teamsOf("south"), r.teams(t), "trial %d", trial)
		_, err := r.Events.Verify(ctx)
		require.NoError(t, err)
	}
}
