package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// handoverRaceNewCases races a manager handing all of Ann's customers
// over to Ben with Ann opening cases assigned to herself on them, under a
// policy that lets reps record only about their own customers. Opening a
// case holds its customer (on PostgreSQL, FOR UPDATE on the customer's
// row), so a case either comes first and moves to Ben with its customer,
// or waits for the hand-over and is refused, the customer being no
// longer Ann's: whatever the interleaving, every case opened is Ben's
// and none is left with Ann.
func handoverRaceNewCases(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	for trial := range handoverRaceTrials {
		policy := crm.DefaultPolicy()
		policy.Grants[crm.RoleRep][crm.ActionRecord] = crm.ScopeOwn
		tm := NewTeam(t, newStore(t), crm.WithPolicy(policy))
		m, err := tm.Experience.CreateTouchpointMap(ctx, tm.Admin.ID, crm.NewTouchpointMap{Name: "Service", Touchpoints: []crm.Touchpoint{
			{Key: "hotline", Name: "Hotline", Channel: crm.ChannelContactCenter, Medium: crm.MediumPhone, Phase: crm.PhaseSupport, Department: "service"},
		}})
		require.NoError(t, err)
		var customers []crm.ID
		for i := range 2 {
			cu, err := tm.Customers.Create(ctx, tm.Ann.ID, crm.NewCustomer{Kind: crm.Partner, Name: fmt.Sprintf("C%d", i)})
			require.NoError(t, err)
			customers = append(customers, cu.ID)
		}
		const openers = 6
		opened := make([]crm.ID, openers+1)
		errs := race(1+openers, func(i int) error {
			if i == 0 {
				_, err := tm.Customers.HandOver(ctx, tm.Manager.ID, crm.HandOverRequest{From: tm.Ann.ID, To: tm.Ben.ID, Reason: "Ann left"})
				return err
			}
			c, err := tm.Cases.Open(ctx, tm.Ann.ID, crm.NewCase{Customer: customers[i%len(customers)], Kind: crm.Request,
				Subject: fmt.Sprintf("Case %d", i), Map: m.ID, Touchpoint: "hotline", Assignee: tm.Ann.ID})
			if errors.Is(err, crm.ErrNotFound) || errors.Is(err, crm.ErrForbidden) {
				return nil // Ben's already
			}
			opened[i] = c.Case.ID
			return err
		})
		for _, err := range errs {
			require.NoError(t, err, "trial %d", trial)
		}
		n := 0
		require.NoError(t, tm.Store.View(ctx, func(tx crm.ReadTx) error {
			for _, cu := range customers {
				got, err := tx.Customers().Get(ctx, cu)
				require.NoError(t, err)
				assert.Equal(t, tm.Ben.ID, got.Owner, "trial %d: the customer is Ben's", trial)
				left, err := tx.Cases().List(ctx, crm.CaseFilter{Customer: cu, Assignee: tm.Ann.ID}, crm.PageRequest{})
				require.NoError(t, err)
				assert.Empty(t, left, "trial %d: a case opened during the hand-over was left with Ann", trial)
			}
			for _, id := range opened {
				if id.IsZero() {
					continue
				}
				n++
				c, err := tx.Cases().Get(ctx, id)
				require.NoError(t, err)
				assert.Equal(t, tm.Ben.ID, c.Assignee, "trial %d: %s moved with its customer", trial, c.Subject)
			}
			return nil
		}))
		t.Logf("trial %d: %d of %d cases were opened before the hand-over", trial, n, openers)
		_, err = tm.Events.Verify(ctx)
		require.NoError(t, err)
	}
}
