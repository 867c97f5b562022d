package crm_test

import (
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/memory"
	"github.com/stretchr/testify/assert"
)

func TestRestrictedFilterMatch(t *testing.T) {
	since := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		filter                crm.RestrictedFilter
		restricted, unlimited bool
	}{
		{crm.RestrictedExcluded, false, true},
		{crm.RestrictedIncluded, true, true},
		{crm.RestrictedOnly, true, false},
	} {
		assert.Equal(t, tc.restricted, tc.filter.Match(since), "%q on a restricted customer", tc.filter)
		assert.Equal(t, tc.unlimited, tc.filter.Match(time.Time{}), "%q on a customer not restricted", tc.filter)
		f := crm.CustomerFilter{Restricted: tc.filter}
		assert.Equal(t, tc.restricted, f.Match(crm.Customer{RestrictedAt: since}))
	}
}

func TestRetentionRules(t *testing.T) {
	leads := func(months int) crm.RetentionRule { return crm.RetentionRule{Kind: crm.RetainLeads, Months: months} }
	for _, tc := range []struct {
		name  string
		rules []crm.RetentionRule
		ok    bool
	}{
		{"none", nil, true},
		{"leads for 18 months", []crm.RetentionRule{leads(18)}, true},
		{"a month", []crm.RetentionRule{leads(1)}, true},
		{"a hundred years", []crm.RetentionRule{leads(1200)}, true},
		{"no months", []crm.RetentionRule{leads(0)}, false},
		{"negative", []crm.RetentionRule{leads(-6)}, false},
		{"past a hundred years", []crm.RetentionRule{leads(1201)}, false},
		{"unknown kind", []crm.RetentionRule{{Kind: "invoices", Months: 120}}, false},
		{"two rules for leads", []crm.RetentionRule{leads(6), leads(12)}, false},
	} {
		_, err := crm.New(memory.New(), crm.WithRetention(tc.rules...))
		if tc.ok {
			assert.NoError(t, err, tc.name)
		} else {
			assert.ErrorIs(t, err, crm.ErrInvalid, tc.name)
		}
	}
}

func TestRetentionCutoff(t *testing.T) {
	loc := time.FixedZone("UTC+8", 8*60*60)
	cal := crm.Calendar{Location: loc}
	for _, tc := range []struct {
		now    time.Time
		months int
		want   time.Time
	}{
		{time.Date(2026, 9, 2, 8, 0, 0, 0, time.UTC), 6, time.Date(2026, 3, 2, 0, 0, 0, 0, loc)},
		{time.Date(2026, 9, 2, 16, 30, 0, 0, time.UTC), 6, time.Date(2026, 3, 3, 0, 0, 0, 0, loc)},  // already 3 September there
		{time.Date(2026, 3, 31, 12, 0, 0, 0, time.UTC), 1, time.Date(2026, 2, 28, 0, 0, 0, 0, loc)}, // clamped to the month's end
	} {
		got := crm.RetentionRule{Kind: crm.RetainLeads, Months: tc.months}.Cutoff(cal, tc.now)
		assert.True(t, tc.want.Equal(got), "%s minus %d months: %s, want %s", tc.now, tc.months, got, tc.want)
	}
}
