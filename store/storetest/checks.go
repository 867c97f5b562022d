package storetest

import (
	"context"
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runChecks tests crm.CheckReader, on stores whose write transactions
// implement it: one read gives what the repositories give one by one
// (of the customer, their head), and found false when the actor, the
// customer or the touchpoint is missing.
func runChecks(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	sc := newScene(t, newStore)
	actor := sampleUser(sc.g.next(), crm.RoleAdmin, "north")
	insertUsers(t, sc.s, actor)
	full := read(t, sc.s, func(tx crm.ReadTx) (crm.Customer, error) { return tx.Customers().Get(ctx, sc.ann) })
	tp := read(t, sc.s, getTouchpoint(sc.m.ID, "call.billing.dispute"))
	lock := read(t, sc.s, func(tx crm.ReadTx) (crm.PeriodLock, error) { return tx.Accounting().PeriodLock(ctx) })
	head := crm.Customer{ID: full.ID, Owner: full.Owner, Team: full.Team, CreatedAt: full.CreatedAt, RestrictedAt: full.RestrictedAt}
	missing := sc.g.next()
	implemented := false
	update(t, sc.s, func(tx crm.Tx) error {
		_, implemented = tx.(crm.CheckReader)
		return nil
	})
	if !implemented {
		t.Skip("the store reads a write's checks one by one")
	}
	for _, c := range []struct {
		name  string
		r     crm.CheckRequest
		found bool
		want  crm.Checks
	}{
		{"actor and customer", crm.CheckRequest{Actor: actor.ID, Customer: sc.ann}, true, crm.Checks{Actor: actor, Customer: head}},
		{"with the period lock", crm.CheckRequest{Actor: actor.ID, Customer: sc.ann, PeriodLock: true}, true,
			crm.Checks{Actor: actor, Customer: head, PeriodLock: lock}},
		{"with a touchpoint", crm.CheckRequest{Actor: actor.ID, Customer: sc.ann, Map: sc.m.ID, Touchpoint: "call.billing.dispute"}, true,
			crm.Checks{Actor: actor, Customer: head, Touchpoint: tp}},
		{"unknown actor", crm.CheckRequest{Actor: missing, Customer: sc.ann, PeriodLock: true}, false, crm.Checks{}},
		{"unknown customer", crm.CheckRequest{Actor: actor.ID, Customer: missing, PeriodLock: true}, false, crm.Checks{}},
		{"unknown touchpoint", crm.CheckRequest{Actor: actor.ID, Customer: sc.ann, Map: sc.m.ID, Touchpoint: "nowhere"}, false, crm.Checks{}},
		{"unknown map", crm.CheckRequest{Actor: actor.ID, Customer: sc.ann, Map: missing, Touchpoint: "call"}, false, crm.Checks{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			update(t, sc.s, func(tx crm.Tx) error {
				got, found, err := tx.(crm.CheckReader).ReadChecks(ctx, c.r)
				require.NoError(t, err)
				assert.Equal(t, c.found, found)
				assertSame(t, c.want, got)
				return nil
			})
		})
	}
}
