package crm_test

import (
	"context"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/memory"
	"github.com/crmkit/crm/store/storetest"
	"github.com/stretchr/testify/require"
)

var ctx = context.Background()

// start is the Team clock's first reading.
var start = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// company is storetest's Team, on a memory store unless told otherwise.
type company struct{ *storetest.Team }

func newCompany(t testing.TB, opts ...crm.Option) *company {
	t.Helper()
	return newCompanyOn(t, memory.New(), opts...)
}

func newCompanyOn(t testing.TB, s crm.Store, opts ...crm.Option) *company {
	t.Helper()
	return &company{storetest.NewTeam(t, s, opts...)}
}

func (co *company) head(t testing.TB) crm.LogHead {
	t.Helper()
	h, err := co.Events.Verify(ctx)
	require.NoError(t, err)
	return h
}

func (co *company) customer(t testing.TB, owner crm.User, name string) crm.Customer {
	t.Helper()
	c, err := co.Customers.Create(ctx, owner.ID, crm.NewCustomer{Kind: crm.Distributor, Name: name})
	require.NoError(t, err)
	return c
}

func ptr[T any](v T) *T { return &v }
