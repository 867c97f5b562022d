package crm_test

import (
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestConsentRules: which record decides at a time, and what it says.
// Each history is a list of records named by a letter; each query says
// which record decides at a time and the status.
func TestConsentRules(t *testing.T) {
	t0 := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	day := func(d int) time.Time { return t0.AddDate(0, 0, d) }
	id := func(n byte) crm.ID { return crm.ID{0x01, 0x90, n} }
	rec := func(name byte, choice crm.ConsentChoice, at, recorded int) crm.Consent {
		return crm.Consent{ID: id(name), Choice: choice, At: day(at), RecordedAt: day(recorded)}
	}
	lapsing := func(c crm.Consent, until int) crm.Consent {
		c.ValidUntil = day(until)
		return c
	}
	const g, w = crm.ConsentGiven, crm.ConsentWithdrawn
	type query struct {
		at     time.Time
		record byte // 0: none decides
		status crm.ConsentStatus
	}
	cases := []struct {
		name    string
		history []crm.Consent
		queries []query
	}{
		{"nothing on record", nil,
			[]query{{day(0), 0, crm.ConsentStatusNone}}},
		{"given, withdrawn, given again",
			[]crm.Consent{rec('a', g, 1, 1), rec('b', w, 5, 5), rec('c', g, 9, 9)},
			[]query{{day(0), 0, crm.ConsentStatusNone}, {day(1), 'a', crm.ConsentStatusGiven}, {day(4), 'a', crm.ConsentStatusGiven},
				{day(5), 'b', crm.ConsentStatusWithdrawn}, {day(9).Add(-time.Nanosecond), 'b', crm.ConsentStatusWithdrawn},
				{day(9), 'c', crm.ConsentStatusGiven}, {day(900), 'c', crm.ConsentStatusGiven}}},
		{"withdrawn before ever given: refused in advance",
			[]crm.Consent{rec('a', w, 1, 1)},
			[]query{{day(2), 'a', crm.ConsentStatusWithdrawn}}},
		{"a consent recorded late takes its place by At",
			[]crm.Consent{rec('a', w, 5, 5), rec('b', g, 3, 8)},
			[]query{{day(3), 'b', crm.ConsentStatusGiven}, {day(6), 'a', crm.ConsentStatusWithdrawn}, {day(9), 'a', crm.ConsentStatusWithdrawn}}},
		{"a withdrawal wins a tie of At, recorded before or after",
			[]crm.Consent{rec('a', w, 2, 2), rec('b', g, 2, 3), rec('c', g, 4, 4), rec('d', w, 4, 3)},
			[]query{{day(2), 'a', crm.ConsentStatusWithdrawn}, {day(4), 'd', crm.ConsentStatusWithdrawn}}},
		{"two consents of one instant: the later recorded, then the greater ID",
			[]crm.Consent{rec('b', g, 2, 3), rec('a', g, 2, 4), rec('c', g, 6, 6), rec('d', g, 6, 6)},
			[]query{{day(2), 'a', crm.ConsentStatusGiven}, {day(6), 'd', crm.ConsentStatusGiven}}},
		{"a consent lapses at ValidUntil",
			[]crm.Consent{lapsing(rec('a', g, 1, 1), 10)},
			[]query{{day(10).Add(-time.Nanosecond), 'a', crm.ConsentStatusGiven}, {day(10), 'a', crm.ConsentStatusExpired},
				{day(11), 'a', crm.ConsentStatusExpired}}},
		{"a lapsed consent given again",
			[]crm.Consent{lapsing(rec('a', g, 1, 1), 10), rec('b', g, 12, 12)},
			[]query{{day(11), 'a', crm.ConsentStatusExpired}, {day(12), 'b', crm.ConsentStatusGiven}}},
		{"a refresh that lapses later replaces one that lapses sooner",
			[]crm.Consent{lapsing(rec('a', g, 1, 1), 10), lapsing(rec('b', g, 8, 8), 20)},
			[]query{{day(15), 'b', crm.ConsentStatusGiven}, {day(20), 'b', crm.ConsentStatusExpired}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, q := range c.queries {
				latest, found := crm.LatestConsent(c.history, q.at)
				status, allowed := crm.DecideConsent(latest, found, q.at)
				assert.Equal(t, q.status, status, "at %s", q.at)
				assert.Equal(t, q.status == crm.ConsentStatusGiven, allowed, "at %s", q.at)
				if q.record == 0 {
					assert.False(t, found, "at %s", q.at)
					continue
				}
				require.True(t, found, "at %s", q.at)
				assert.Equal(t, id(q.record), latest.ID, "at %s", q.at)
			}
		})
	}
}

// TestCompareConsentIsAnOrder: CompareConsent is antisymmetric and the
// order does not depend on the order records are given in.
func TestCompareConsentIsAnOrder(t *testing.T) {
	t0 := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	var all []crm.Consent
	n := byte(0)
	for _, choice := range []crm.ConsentChoice{crm.ConsentGiven, crm.ConsentWithdrawn} {
		for at := range 2 {
			for rec := range 2 {
				for range 2 {
					n++
					all = append(all, crm.Consent{ID: crm.ID{n}, Choice: choice, At: t0.Add(time.Duration(at) * time.Hour),
						RecordedAt: t0.Add(time.Duration(rec) * time.Hour)})
				}
			}
		}
	}
	for _, a := range all {
		for _, b := range all {
			assert.Equal(t, crm.CompareConsent(a, b), -crm.CompareConsent(b, a))
			if a.ID != b.ID {
				assert.NotZero(t, crm.CompareConsent(a, b), "no two records tie")
			}
		}
	}
	forward, _ := crm.LatestConsent(all, t0.Add(time.Hour))
	reversed := make([]crm.Consent, len(all))
	for i, c := range all {
		reversed[len(all)-1-i] = c
	}
	backward, _ := crm.LatestConsent(reversed, t0.Add(time.Hour))
	assert.Equal(t, forward, backward)
	assert.Equal(t, crm.ConsentWithdrawn, forward.Choice)
}

// TestConsentPurposeKeys: which purposes are keys. A purpose is the same
// for a consent and its withdrawal only if it is spelled the same, so
// keys are lower case.
func TestConsentPurposeKeys(t *testing.T) {
	co := newCompany(t)
	cu := co.customer(t, co.Ann, "Northwind")
	for _, c := range []struct {
		purpose string
		ok      bool
	}{
		{"email_marketing", true}, {"sms", true}, {"partner.offers-2026", true}, {"a", true},
		{"", false}, {"Email_Marketing", false}, {"email marketing", false}, {"_x", false}, {"1st", false},
		{"é", false}, {"x/y", false}, {string(make([]byte, 65)), false},
		{"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkl", true}, // 64
		{"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklm", false},
	} {
		_, err := co.Customers.MayContact(ctx, co.Ann.ID, crm.MayContactQuery{Customer: cu.ID, Purpose: c.purpose})
		if c.ok {
			assert.NoError(t, err, "%q", c.purpose)
		} else {
			assert.ErrorIs(t, err, crm.ErrInvalid, "%q", c.purpose)
		}
	}
}
