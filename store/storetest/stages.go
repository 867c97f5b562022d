package storetest

import (
	"context"
	"errors"
	"maps"
	"slices"
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/require"
)

// listCustomersBy is a customer listing for allPages.
func listCustomersBy(f crm.CustomerFilter) func(tx crm.ReadTx, p crm.PageRequest) ([]crm.Customer, error) {
	return func(tx crm.ReadTx, p crm.PageRequest) ([]crm.Customer, error) {
		return tx.Customers().List(context.Background(), f, p)
	}
}

func customerID(c crm.Customer) crm.ID { return c.ID }

// runStageListing checks CustomerFilter.Stage: the stage is the one of the
// customer's saved LadderState, the latest version, and a customer with
// no state is indifferent.
func runStageListing(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	s, g := newStore(t), &ids{}
	alice, bob := g.next(), g.next()
	stages := append(crm.LoyaltyStages(), crm.Lost)
	var all []crm.Customer
	stageOf := map[crm.ID]crm.LoyaltyStage{}
	var states []crm.LadderState
	var stateless []crm.ID
	for i := range 21 {
		c := numberedCustomer(g, i, alice, bob)
		if i%5 == 0 {
			c.Status = crm.StatusArchived
		}
		all = append(all, c)
		stageOf[c.ID] = crm.Indifferent
		if i%7 == 6 {
			stateless = append(stateless, c.ID) // indifferent
			continue
		}
		st := crm.LadderState{Customer: c.ID, Stage: stages[i%len(stages)], Since: at(i), UpdatedAt: at(i), Version: 1}
		stageOf[c.ID] = st.Stage
		states = append(states, st)
	}
	insertCustomers(t, s, all...)
	insertAll(t, s, saveState, states...)
	// Move two customers on: only their latest state counts.
	var moved []crm.LadderState
	for _, st := range states[:2] {
		st.Stage, st.Version = crm.Annoyed, 2
		stageOf[st.Customer] = st.Stage
		moved = append(moved, st)
	}
	insertAll(t, s, saveState, moved...)

	expect := func(f crm.CustomerFilter, stageOf map[crm.ID]crm.LoyaltyStage) []crm.Customer {
		return slices.DeleteFunc(slices.Clone(all), func(c crm.Customer) bool {
			return !f.Match(c) || (f.Stage != "" && stageOf[c.ID] != f.Stage)
		})
	}

	archived := crm.CustomerFilter{Status: crm.StatusArchived}
	for _, stage := range stages {
		for _, tc := range []struct {
			name string
			f    crm.CustomerFilter
		}{
			{"", crm.CustomerFilter{Stage: stage}},
			{" and owner", crm.CustomerFilter{Stage: stage, Owner: bob}},
			{" and archived", crm.CustomerFilter{Stage: stage, Status: archived.Status}},
		} {
			t.Run(string(stage)+tc.name, func(t *testing.T) {
				want := expect(tc.f, stageOf)
				if tc.name == "" {
					require.NotEmpty(t, want, "the fixture has customers on every rung")
				}
				assertSameList(t, want, allPages(t, s, 2, customerID, listCustomersBy(tc.f)), customerID)
			})
		}
	}

	t.Run("TransactionSeesItsOwnState", func(t *testing.T) {
		errRollback := errors.New("roll back")
		lone := stateless[0]
		err := s.Update(ctx, func(tx crm.Tx) error {
			require.NoError(t, saveState(tx, crm.LadderState{Customer: lone, Stage: crm.Advocate, Since: at(50), UpdatedAt: at(50), Version: 1}))
			inTx := maps.Clone(stageOf)
			inTx[lone] = crm.Advocate
			for _, stage := range []crm.LoyaltyStage{crm.Advocate, crm.Indifferent} {
				got, err := tx.Customers().List(ctx, crm.CustomerFilter{Stage: stage}, crm.PageRequest{Limit: crm.MaxPageSize})
				require.NoError(t, err)
				assertSameList(t, expect(crm.CustomerFilter{Stage: stage}, inTx), got, customerID, stage)
			}
			return errRollback
		})
		require.ErrorIs(t, err, errRollback)
		for _, stage := range []crm.LoyaltyStage{crm.Advocate, crm.Indifferent} {
			f := crm.CustomerFilter{Stage: stage}
			assertSameList(t, expect(f, stageOf), allPages(t, s, 100, customerID, listCustomersBy(f)), customerID, "after the rollback")
		}
	})
}
