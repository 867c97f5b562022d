package crm_test

import (
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCESScale(t *testing.T) {
	ces2, ces1 := crm.DefaultCESScale(), crm.CESScale{Min: 1, Max: 5}
	for _, tc := range []struct {
		name   string
		scale  crm.CESScale
		answer int
		ease   int
	}{
		{"CES 2.0: 7 is very easy", ces2, 7, 3},
		{"CES 2.0: 1 is very hard", ces2, 1, -3},
		{"CES 2.0: 4 is the middle", ces2, 4, 0},
		{"CES 2.0: 5 is somewhat easy", ces2, 5, 1},
		{"CES 1.0: 1 is very little effort", ces1, 1, 2},
		{"CES 1.0: 5 is very much effort", ces1, 5, -2},
		{"0-10, higher easier", crm.CESScale{Min: 0, Max: 10, HigherIsEasier: true}, 10, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.NoError(t, tc.scale.Check())
			assert.Equal(t, tc.ease, tc.scale.Ease(tc.answer))
			assert.Equal(t, tc.ease > 0, tc.scale.Easy(tc.answer))
		})
	}
	for _, bad := range []crm.CESScale{{Min: 1, Max: 6}, {Min: 1, Max: 2}, {Min: -1, Max: 5}, {Min: 1, Max: 13}, {}} {
		assert.ErrorIs(t, bad.Check(), crm.ErrInvalid, "%+v", bad)
	}
}

// The ladder weighs a CES answer by the configured scale: on CES 2.0 (the
// default) a 7 is an easy contact and earns what a 1 costs.
func TestLadderWeighsCESByScale(t *testing.T) {
	ces := func(v int) crm.Evidence {
		return crm.Evidence{Kind: crm.EvidenceExperience, At: at(0), Survey: crm.Survey{CES: ptr(v)}, Resolved: true}
	}
	resolved := crm.DefaultLadderRules().Resolved
	for _, tc := range []struct {
		name   string
		rules  crm.LadderRules
		answer int
		points int64
	}{
		{"CES 2.0: 7 earns", crm.DefaultLadderRules(), 7, 9},
		{"CES 2.0: 1 costs", crm.DefaultLadderRules(), 1, -9},
		{"CES 2.0: 4 is neutral", crm.DefaultLadderRules(), 4, 0},
		{"CES 1.0: 1 earns", crm.DefaultLadderRules().WithCESScale(crm.CESScale{Min: 1, Max: 5}), 1, 6},
		{"CES 1.0: 5 costs", crm.DefaultLadderRules().WithCESScale(crm.CESScale{Min: 1, Max: 5}), 5, -6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, _ := replay(t, tc.rules, ces(tc.answer))
			assert.Equal(t, tc.points+resolved, st.Points())
		})
	}
	_, _, err := crm.DefaultLadderRules().WithCESScale(crm.CESScale{Min: 1, Max: 5}).Replay(start, []crm.Evidence{ces(7)})
	assert.ErrorIs(t, err, crm.ErrInvalid, "7 is off the 1-5 scale")
}

// The CRM accepts CES answers on its scale and weighs them its way, in
// recording and in a replay under other rules alike.
func TestCESScaleThroughTheCRM(t *testing.T) {
	b := newBank(t)
	c := b.customer(t, b.Ann, "Easy Eve")
	in, _ := b.record(t, withCES(b.contact(c, "hotline", start), 7))
	assert.Equal(t, 7, *in.Survey.CES)
	st, err := b.Ladder.State(ctx, b.Ann.ID, c.ID)
	require.NoError(t, err)
	assert.Equal(t, int64(9-4), st.Points(), "CES 7 on CES 2.0 is easy: +9; not resolved: -4")

	co := newCompany(t, crm.WithCESScale(crm.CESScale{Min: 1, Max: 5}))
	m, err := co.Experience.CreateTouchpointMap(ctx, co.Admin.ID, retailBank())
	require.NoError(t, err)
	b1 := &bank{company: co, m: m}
	d := b1.customer(t, b1.Ann, "Effortless Ed")
	_, err = b1.Experience.RecordInteraction(ctx, b1.Ann.ID, withCES(b1.contact(d, "hotline", start), 7))
	assert.ErrorIs(t, err, crm.ErrInvalid)
	b1.record(t, withCES(b1.contact(d, "hotline", start), 1))
	st, err = b1.Ladder.State(ctx, b1.Ann.ID, d.ID)
	require.NoError(t, err)
	re, err := b1.Ladder.Replay(ctx, b1.Ann.ID, crm.ReplayQuery{Customer: d.ID, Rules: crm.DefaultLadderRules()})
	require.NoError(t, err)
	assert.Equal(t, st.Score, re.State.Score, "a replay reads the answers on the CRM's scale")

	_, err = crm.New(co.Store, crm.WithCESScale(crm.CESScale{Min: 1, Max: 4}))
	assert.ErrorIs(t, err, crm.ErrInvalid)
}

func withCES(n crm.NewInteraction, v int) crm.NewInteraction {
	n.Survey.CES = &v
	return n
}
