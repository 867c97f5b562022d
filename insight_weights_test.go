package crm_test

import (
	"errors"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDefaultPainWeights(t *testing.T) {
	w := crm.DefaultPainWeights()
	assert.Equal(t, crm.PainWeights{Detractors: 30, UnhappyCSAT: 25, SlowAnswers: 15, Transfers: 10, NotResolved: 10, LateCases: 5, BrokenPromises: 5}, w)
	assert.NoError(t, w.Check())
}

func TestPainWeightsCheck(t *testing.T) {
	for _, tc := range []struct {
		name  string
		w     crm.PainWeights
		field string
		rule  string
	}{
		{"the defaults", crm.DefaultPainWeights(), "", ""},
		{"all on one failing", crm.PainWeights{Transfers: 100}, "", ""},
		{"zero: nothing to weigh", crm.PainWeights{}, "pain_weights", "sum"},
		{"below 100", crm.PainWeights{Detractors: 50, UnhappyCSAT: 49}, "pain_weights", "sum"},
		{"above 100", crm.PainWeights{Detractors: 60, UnhappyCSAT: 41}, "pain_weights", "sum"},
		{"negative", crm.PainWeights{Detractors: 100, BrokenPromises: -10}, "pain_weights.broken_promises", "range"},
		{"above 100 alone", crm.PainWeights{SlowAnswers: 101}, "pain_weights.slow_answers", "range"},
		{"overflowing", crm.PainWeights{Detractors: int(^uint(0) >> 1), NotResolved: 1}, "pain_weights.detractors", "range"},
	} {
		err := tc.w.Check()
		if tc.field == "" {
			assert.NoError(t, err, tc.name)
			continue
		}
		require.ErrorIs(t, err, crm.ErrInvalid, tc.name)
		var ve *crm.ValidationError
		require.True(t, errors.As(err, &ve), tc.name)
		assert.Equal(t, tc.field, ve.Field, tc.name)
		assert.Equal(t, tc.rule, ve.Rule, tc.name)
	}
}

// Pain weights are the CRM's rules (WithPainWeights), and a query may ask
// with its own; bad weights are refused either way.
func TestPainPointsWithWeights(t *testing.T) {
	_, err := crm.New(newCompany(t).Store, crm.WithPainWeights(crm.PainWeights{Detractors: 99}))
	assert.ErrorIs(t, err, crm.ErrInvalid)

	promisesOnly := crm.PainWeights{BrokenPromises: 100}
	co := newCompany(t, crm.WithPainWeights(promisesOnly))
	m, err := co.Experience.CreateTouchpointMap(ctx, co.Admin.ID, retailBank())
	require.NoError(t, err)
	b := &bank{company: co, m: m}
	cu := b.customer(t, b.Ann, "Acme")
	at := start.Add(-30 * 24 * time.Hour)
	for i := range 5 {
		n := b.contact(cu, "hotline.billing", at.Add(time.Duration(i)*time.Hour))
		n.Wait = 10 * time.Minute // past the hotline's 30 seconds
		b.record(t, n)
		b.record(t, b.contact(cu, "web.apply", at.Add(time.Duration(i)*time.Hour+time.Minute)))
	}
	opened, err := b.Cases.Open(ctx, b.Ann.ID, crm.NewCase{Customer: cu.ID, Kind: crm.Complaint, Subject: "card", Map: m.ID,
		Touchpoint: "web.apply", PromisedBy: b.Clock.Now().Add(time.Hour)})
	require.NoError(t, err)
	b.Clock.Advance(2 * time.Hour)
	_, err = b.Cases.Resolve(ctx, b.Ann.ID, crm.ResolveCaseRequest{Case: opened.Case.ID, Note: "late"})
	require.NoError(t, err)

	pains, err := b.Experience.PainPoints(ctx, b.Manager.ID, crm.PainQuery{Map: m.ID})
	require.NoError(t, err)
	require.Len(t, pains, 2)
	assert.Equal(t, "web.apply", pains[0].Touchpoint, "the CRM's weights: only the broken promise hurts")
	assert.Equal(t, 100.0, pains[0].Pain)
	assert.Zero(t, pains[1].Pain)

	pains, err = b.Experience.PainPoints(ctx, b.Manager.ID, crm.PainQuery{Map: m.ID, Weights: crm.DefaultPainWeights()})
	require.NoError(t, err)
	assert.Equal(t, "hotline.billing", pains[0].Touchpoint, "the query's weights: the slow hotline hurts more")
	assert.Equal(t, 15.0+10, pains[0].Pain, "slow, and not resolved at once")

	_, err = b.Experience.PainPoints(ctx, b.Manager.ID, crm.PainQuery{Map: m.ID, Weights: crm.PainWeights{Transfers: -1}})
	assert.ErrorIs(t, err, crm.ErrInvalid)
}
