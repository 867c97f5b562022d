package crm_test

import (
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPoolRule(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*3600)
	utc, jst := crm.Calendar{}, crm.Calendar{Location: tokyo}
	now := time.Date(2026, 3, 31, 10, 0, 0, 0, time.UTC) // 19:00 on 31 March in Tokyo
	for _, tc := range []struct {
		name string
		rule crm.PoolRule
		cal  crm.Calendar
		now  time.Time
		last time.Time
		idle bool
	}{
		{"off by default", crm.PoolRule{}, utc, now, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), false},
		{"followed up today", crm.PoolRule{IdleDays: 30}, utc, now, now.Add(-time.Hour), false},
		{"on the first day counted", crm.PoolRule{IdleDays: 30}, utc, now, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), false},
		{"the day before it", crm.PoolRule{IdleDays: 30}, utc, now, time.Date(2026, 2, 28, 23, 59, 59, 0, time.UTC), true},
		{"a day is the calendar's: still 1 March in Tokyo", crm.PoolRule{IdleDays: 30}, jst, now, time.Date(2026, 2, 28, 15, 0, 0, 0, time.UTC), false},
		{"and 28 February before it", crm.PoolRule{IdleDays: 30}, jst, now, time.Date(2026, 2, 28, 14, 59, 0, 0, time.UTC), true},
		{"one day", crm.PoolRule{IdleDays: 1}, utc, now, time.Date(2026, 3, 30, 0, 0, 0, 0, time.UTC), false},
		{"one day, two days ago", crm.PoolRule{IdleDays: 1}, utc, now, time.Date(2026, 3, 29, 23, 0, 0, 0, time.UTC), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.idle, tc.rule.Idle(tc.cal, tc.now, tc.last))
		})
	}
	assert.True(t, crm.PoolRule{}.Cutoff(utc, now).IsZero(), "no cutoff when off")
	assert.Equal(t, time.Date(2026, 3, 1, 0, 0, 0, 0, tokyo), crm.PoolRule{IdleDays: 30}.Cutoff(jst, now))
}

func TestPoolRuleCheck(t *testing.T) {
	for _, tc := range []struct {
		days int
		ok   bool
	}{{0, true}, {1, true}, {3660, true}, {-1, false}, {3661, false}} {
		_, err := crm.New(memory.New(), crm.WithPublicPool(crm.PoolRule{IdleDays: tc.days}))
		if tc.ok {
			assert.NoError(t, err, "%d days", tc.days)
		} else {
			assert.ErrorIs(t, err, crm.ErrInvalid, "%d days", tc.days)
		}
	}
}

func TestPooledCustomerIsClaimedFirst(t *testing.T) {
	co := newCompany(t, crm.WithPublicPool(crm.PoolRule{IdleDays: 30}))
	cu := co.customer(t, co.Ann, "Idle")
	p, err := co.Deals.CreatePipeline(ctx, co.Admin.ID, crm.NewPipeline{Name: "New business", Currency: crm.USD})
	require.NoError(t, err)
	co.Clock.Advance(31 * 24 * time.Hour)
	r, err := co.Customers.ReturnIdle(ctx, co.Admin.ID)
	require.NoError(t, err)
	require.Equal(t, 1, r.Returned)

	_, err = co.Deals.Open(ctx, co.Manager.ID, crm.NewDeal{Pipeline: p.ID, Customer: cu.ID, Title: "Fleet"})
	var ve *crm.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Contains(t, ve.Error(), "public pool")
	_, err = co.Customers.Claim(ctx, co.Manager.ID, crm.ClaimCustomerRequest{Customer: cu.ID})
	require.NoError(t, err)
	_, err = co.Deals.Open(ctx, co.Manager.ID, crm.NewDeal{Pipeline: p.ID, Customer: cu.ID, Title: "Fleet"})
	require.NoError(t, err, "claimed, the customer is worked again")
}
