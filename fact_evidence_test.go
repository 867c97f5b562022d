package crm_test

import (
	"errors"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFactEvidenceDefaults: every fact is evidence unless told otherwise.
func TestFactEvidenceDefaults(t *testing.T) {
	assert.Equal(t, crm.FactEvidence{DealWon: true, Payments: true, Dunning: true, ContractTerminated: true, ContractEnded: true},
		crm.DefaultFactEvidence())
}

// TestFactEvidenceSwitches: a fact switched off weighs nothing; the
// others still do.
func TestFactEvidenceSwitches(t *testing.T) {
	for _, tc := range []struct {
		name  string
		facts crm.FactEvidence
		want  int
	}{
		{"default", crm.DefaultFactEvidence(), 1},
		{"deals off", crm.FactEvidence{Payments: true, Dunning: true, ContractTerminated: true, ContractEnded: true}, 0},
		{"all off", crm.FactEvidence{}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			co := newCompany(t, crm.WithFactEvidence(tc.facts))
			cu := co.customer(t, co.Ann, "Li")
			p, err := co.Deals.CreatePipeline(ctx, co.Admin.ID, crm.NewPipeline{Name: "New business", Currency: crm.EUR})
			require.NoError(t, err)
			d, err := co.Deals.Open(ctx, co.Ann.ID, crm.NewDeal{Pipeline: p.ID, Customer: cu.ID, Title: "Order", Amount: crm.MoneyFromMinor(100, crm.EUR)})
			require.NoError(t, err)
			_, err = co.Deals.Win(ctx, co.Ann.ID, crm.WinDealRequest{Deal: d.ID})
			require.NoError(t, err)
			st, err := co.Ladder.State(ctx, co.Ann.ID, cu.ID)
			require.NoError(t, err)
			assert.Equal(t, tc.want, st.Purchases)
		})
	}
}

// TestManualChurnIsAPolicyAction: a rep may record what happened with any
// customer, but not that one left; that is a manager's call for their
// team, or an admin's.
func TestManualChurnIsAPolicyAction(t *testing.T) {
	co := newCompany(t)
	cu := co.customer(t, co.Ann, "Li")
	churn := func(actor crm.User) error {
		_, err := co.Ladder.RecordEvidence(ctx, actor.ID, crm.NewEvidence{Customer: cu.ID, Kind: crm.EvidenceChurn, Note: "left"})
		return err
	}
	err := churn(co.Ann)
	require.ErrorIs(t, err, crm.ErrForbidden, "the owning rep")
	var fe *crm.ForbiddenError
	require.True(t, errors.As(err, &fe))
	assert.Equal(t, crm.ActionChurn, fe.Action)
	assert.ErrorIs(t, churn(co.Sue), crm.ErrForbidden, "a rep of another team")
	st, err := co.Ladder.State(ctx, co.Admin.ID, cu.ID)
	require.NoError(t, err)
	assert.Equal(t, 0, st.Evidence, "a refusal changes nothing")
	_, err = co.Ladder.RecordEvidence(ctx, co.Ann.ID, crm.NewEvidence{Customer: cu.ID, Kind: crm.EvidencePurchase, Note: "order"})
	assert.NoError(t, err, "other evidence is anyone's to record")

	require.NoError(t, churn(co.Manager), "the team's manager")
	st, err = co.Ladder.State(ctx, co.Admin.ID, cu.ID)
	require.NoError(t, err)
	assert.Equal(t, crm.Lost, st.Stage)

	p := crm.DefaultPolicy()
	for role, want := range map[crm.Role]crm.Scope{crm.RoleAdmin: crm.ScopeAll, crm.RoleManager: crm.ScopeTeam, crm.RoleRep: crm.ScopeNone,
		crm.RoleFinance: crm.ScopeNone} {
		assert.Equal(t, want, p.Grants[role][crm.ActionChurn], role)
	}
}

// TestFactEvidencePoints: the defaults of the new kinds, and how each
// reads in a move's reason.
func TestFactEvidencePoints(t *testing.T) {
	r := crm.DefaultLadderRules()
	assert.Equal(t, int64(2), r.PaidOnTime)
	assert.Equal(t, int64(-4), r.PaidLate)
	assert.Equal(t, int64(-2), r.Reminded)
	assert.Equal(t, int64(-15), r.Dunned, "the final notice keeps its weight")
	for _, tc := range []struct {
		ev   crm.Evidence
		want int64
	}{
		{crm.Evidence{Kind: crm.EvidencePaidOnTime}, 2},
		{crm.Evidence{Kind: crm.EvidencePaidLate}, -4},
		{crm.Evidence{Kind: crm.EvidenceReminded}, -2},
	} {
		st, _, err := r.Apply(crm.LadderState{Stage: crm.Indifferent, UpdatedAt: start}, withAt(tc.ev))
		require.NoError(t, err)
		assert.Equal(t, tc.want*1000, st.Score, tc.ev.Kind)
	}
}

// TestFactEvidenceDefaultScenarios holds the scenarios DefaultLadderRules
// documents for the facts' defaults.
func TestFactEvidenceDefaultScenarios(t *testing.T) {
	r := crm.DefaultLadderRules()
	const day = 24 * time.Hour
	var year []crm.Evidence
	for i := range 12 {
		year = append(year, crm.Evidence{Kind: crm.EvidencePaidOnTime, At: start.Add(time.Duration(30*i) * day)})
	}
	var letters []crm.Evidence
	for _, k := range []crm.EvidenceKind{crm.EvidenceReminded, crm.EvidenceReminded, crm.EvidenceDunned} {
		letters = append(letters, crm.Evidence{Kind: k, At: start})
	}
	for _, tc := range []struct {
		name     string
		evidence []crm.Evidence
		min, max int64 // points
		stage    crm.LoyaltyStage
	}{
		{"a year of monthly invoices paid on time holds about 10 points, not satisfied alone", year, 9, 11, crm.Indifferent},
		{"the default dunning letters cost 2, 2 and 15", letters, -19, -19, crm.Indifferent},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, _, err := r.Replay(start, tc.evidence)
			require.NoError(t, err)
			assert.GreaterOrEqual(t, st.Score, tc.min*1000)
			assert.LessOrEqual(t, st.Score, tc.max*1000)
			assert.Equal(t, tc.stage, st.Stage)
		})
	}
	assert.Equal(t, r.Unresolved, r.PaidLate, "paying late weighs like an inbound contact left unsettled")
	assert.Equal(t, r.Purchase/4, r.PaidOnTime, "paying on time is a quarter of a purchase")
}

func withAt(ev crm.Evidence) crm.Evidence {
	ev.At = start
	return ev
}
