package crm_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// retailBank is a small bank's touchpoint map: main touchpoints with
// sub-touchpoints that inherit their channel, phase and standards.
func retailBank() crm.NewTouchpointMap {
	return crm.NewTouchpointMap{Name: "Retail bank", Touchpoints: []crm.Touchpoint{
		{Key: "web", Name: "Website", Channel: crm.ChannelWeb, Medium: crm.MediumWeb, Phase: crm.PhaseOrdering, Department: "digital"},
		{Key: "web.apply", Name: "Card application", Parent: "web"},
		{Key: "hotline", Name: "Hotline", Channel: crm.ChannelContactCenter, Medium: crm.MediumPhone, Phase: crm.PhaseSupport,
			Department: "contact center", Standards: crm.ServiceStandards{AnswerWithin: 30 * time.Second, ResolveWithin: 48 * time.Hour, MinCSAT: 4}},
		{Key: "hotline.cards", Name: "Card hotline", Parent: "hotline", Weight: 150},
		{Key: "hotline.billing", Name: "Billing questions", Parent: "hotline", Phase: crm.PhaseBilling, Department: "billing"},
		{Key: "branch", Name: "Branch", Channel: crm.ChannelBranch, Medium: crm.MediumInPerson, Phase: crm.PhaseFulfillment, Department: "branches"},
	}}
}

type bank struct {
	*company
	m crm.TouchpointMap
}

func newBank(t *testing.T) *bank {
	t.Helper()
	co := newCompany(t)
	m, err := co.Experience.CreateTouchpointMap(ctx, co.Admin.ID, retailBank())
	require.NoError(t, err)
	return &bank{company: co, m: m}
}

func (b *bank) contact(c crm.Customer, key string, at time.Time) crm.NewInteraction {
	return crm.NewInteraction{Customer: c.ID, Map: b.m.ID, Touchpoint: key, At: at, Direction: crm.Inbound}
}

func (b *bank) record(t *testing.T, n crm.NewInteraction) (crm.Interaction, []crm.LadderMove) {
	t.Helper()
	rec, err := b.Experience.RecordInteraction(ctx, b.Ann.ID, n)
	in, moves := rec.Interaction, rec.Moves
	require.NoError(t, err)
	return in, moves
}

func TestTouchpointMapThroughTheCRM(t *testing.T) {
	b := newBank(t)
	_, err := b.Experience.CreateTouchpointMap(ctx, b.Manager.ID, retailBank())
	assert.ErrorIs(t, err, crm.ErrForbidden, "only admins design maps")

	cyclic := retailBank()
	cyclic.Touchpoints[0].Parent = "web.apply"
	before := b.head(t)
	_, err = b.Experience.CreateTouchpointMap(ctx, b.Admin.ID, cyclic)
	var ve *crm.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "no_cycle", ve.Rule)
	assert.Equal(t, before, b.head(t), "nothing written")

	tps := append(retailBank().Touchpoints, crm.Touchpoint{Key: "app", Name: "Mobile app", Channel: crm.ChannelMobileApp, Phase: crm.PhaseSupport})
	m, err := b.Experience.UpdateTouchpointMap(ctx, b.Admin.ID, crm.TouchpointMapPatch{Map: b.m.ID, Touchpoints: tps, IfVersion: 1})
	require.NoError(t, err)
	assert.Equal(t, int64(2), m.Version)
	_, err = b.Experience.UpdateTouchpointMap(ctx, b.Admin.ID, crm.TouchpointMapPatch{Map: b.m.ID, Name: ptr("x"), IfVersion: 1})
	assert.ErrorIs(t, err, crm.ErrConflict)
	events, err := b.Events.FeedPage(ctx, before.Seq, 10)
	require.NoError(t, err)
	require.Len(t, events, 1)
	cs, err := crm.DecodeChangeSet(events[0].Data)
	require.NoError(t, err)
	require.Len(t, cs.Changes, 1)
	assert.Equal(t, "touchpoints.app", cs.Changes[0].Field)
}

func TestRecordInteraction(t *testing.T) {
	b := newBank(t)
	c := b.customer(t, b.Ann, "Jane")
	n := b.contact(c, "hotline.cards", start.Add(-time.Hour))
	n.Wait, n.Handle, n.Survey = 45*time.Second, 5*time.Minute, crm.Survey{CSAT: ptr(3), NPS: ptr(6)}
	n.Transfers = []crm.Transfer{{From: "cards", To: "fraud"}}
	in, _ := b.record(t, n)
	assert.Equal(t, crm.ChannelContactCenter, in.Channel, "inherited from the hotline")
	assert.Equal(t, crm.PhaseSupport, in.Phase)
	assert.Equal(t, "contact center", in.Department)
	assert.True(t, in.AnswerBreached, "45s against a 30s standard")
	assert.True(t, in.CSATBreached, "3 against a minimum of 4")
	assert.Equal(t, b.Ann.ID, in.RecordedBy)

	got, err := b.Experience.Journey(ctx, b.Ann.ID, c.ID)
	require.NoError(t, err)
	require.Len(t, got.Steps, 1)
	assert.Equal(t, in.ID, got.Steps[0].Interaction)

	_, err = b.Experience.Journey(ctx, b.Ben.ID, c.ID)
	assert.ErrorIs(t, err, crm.ErrNotFound, "journeys are read with the customer's read scope")
	_, err = b.Experience.RecordInteraction(ctx, b.Sue.ID, b.contact(c, "branch", start))
	assert.NoError(t, err, "any employee records a contact with any customer")
}

func TestRecordInteractionRejects(t *testing.T) {
	b := newBank(t)
	c := b.customer(t, b.Ann, "Jane")
	for _, tc := range []struct {
		name   string
		change func(*crm.NewInteraction)
		is     error
		field  string
	}{
		{"NPS above 10", func(n *crm.NewInteraction) { n.Survey.NPS = ptr(11) }, crm.ErrInvalid, "survey.nps"},
		{"CSAT 0", func(n *crm.NewInteraction) { n.Survey.CSAT = ptr(0) }, crm.ErrInvalid, "survey.csat"},
		{"CES 8", func(n *crm.NewInteraction) { n.Survey.CES = ptr(8) }, crm.ErrInvalid, "survey.ces"},
		{"sentiment 3", func(n *crm.NewInteraction) { n.Sentiment = 3 }, crm.ErrInvalid, "sentiment"},
		{"negative wait", func(n *crm.NewInteraction) { n.Wait = -time.Second }, crm.ErrInvalid, "wait"},
		{"in the future", func(n *crm.NewInteraction) { n.At = start.Add(time.Minute) }, crm.ErrInvalid, "at"},
		{"no time", func(n *crm.NewInteraction) { n.At = time.Time{} }, crm.ErrInvalid, "at"},
		{"no direction", func(n *crm.NewInteraction) { n.Direction = "" }, crm.ErrInvalid, "direction"},
		{"transfer to nowhere", func(n *crm.NewInteraction) { n.Transfers = []crm.Transfer{{From: "a"}} }, crm.ErrInvalid, "transfers[0].to"},
		{"no map", func(n *crm.NewInteraction) { n.Map = crm.ID{} }, crm.ErrInvalid, "map"},
		{"no touchpoint", func(n *crm.NewInteraction) { n.Touchpoint = "" }, crm.ErrInvalid, "touchpoint"},
		{"unknown touchpoint", func(n *crm.NewInteraction) { n.Touchpoint = "atm" }, crm.ErrNotFound, ""},
		{"unknown map", func(n *crm.NewInteraction) { n.Map = crm.ID{1} }, crm.ErrNotFound, ""},
		{"unknown customer", func(n *crm.NewInteraction) { n.Customer = crm.ID{1} }, crm.ErrNotFound, ""},
		{"unknown case", func(n *crm.NewInteraction) { n.Case = crm.ID{1} }, crm.ErrNotFound, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := b.head(t)
			n := b.contact(c, "hotline", start.Add(-time.Minute))
			tc.change(&n)
			_, err := b.Experience.RecordInteraction(ctx, b.Ann.ID, n)
			require.ErrorIs(t, err, tc.is)
			if tc.field != "" {
				var ve *crm.ValidationError
				require.ErrorAs(t, err, &ve)
				assert.Equal(t, tc.field, ve.Field)
			}
			assert.Equal(t, before, b.head(t), "nothing written")
			st, err := b.Ladder.State(ctx, b.Ann.ID, c.ID)
			require.NoError(t, err)
			assert.Equal(t, int64(0), st.Version, "the ladder is untouched")
		})
	}
}

func TestIdempotentRecording(t *testing.T) {
	b := newBank(t)
	c := b.customer(t, b.Ann, "Jane")
	n := b.contact(c, "web.apply", start.Add(-time.Hour))
	n.IdempotencyKey, n.Sentiment = "call-4711", crm.Positive
	first, _ := b.record(t, n)
	head := b.head(t)

	again, moves := b.record(t, n)
	assert.Equal(t, first, again, "a retry returns the first recording")
	assert.Empty(t, moves)
	assert.Equal(t, head, b.head(t), "and writes nothing")

	n.Sentiment = crm.VeryNegative
	_, err := b.Experience.RecordInteraction(ctx, b.Ann.ID, n)
	var ie *crm.IdempotencyError
	require.ErrorAs(t, err, &ie)
	assert.ErrorIs(t, err, crm.ErrConflict)
	assert.Equal(t, first.ID, ie.Existing)
	assert.Equal(t, head, b.head(t))

	batch := []crm.NewInteraction{b.contact(c, "branch", start.Add(-time.Minute)), b.contact(c, "branch", start.Add(-time.Minute))}
	batch[0].IdempotencyKey, batch[1].IdempotencyKey = "visit-1", "visit-1"
	out, err := b.Experience.RecordInteractions(ctx, b.Ann.ID, batch)
	require.NoError(t, err)
	assert.False(t, out[0].Duplicate)
	assert.True(t, out[1].Duplicate, "a key repeated within a batch records once")

	batch[1].IdempotencyKey = "call-4711" // used above for another request
	_, err = b.Experience.RecordInteractions(ctx, b.Ann.ID, []crm.NewInteraction{b.contact(c, "branch", start), batch[1]})
	assert.ErrorIs(t, err, crm.ErrConflict)
	j, err := b.Experience.Journey(ctx, b.Ann.ID, c.ID)
	require.NoError(t, err)
	assert.Len(t, j.Steps, 2, "the failed batch recorded nothing")
}

// TestAnnoyedThenWonBack is seed 004's story: transferred four times and
// left without an answer; a quick resolution earns back part of it, not
// the rung, and a good contact after it wins the customer back to
// indifferent.
func TestAnnoyedThenWonBack(t *testing.T) {
	b := newBank(t)
	c := b.customer(t, b.Ann, "Jane")
	b.Clock.Advance(day)
	good := b.contact(c, "web.apply", b.Clock.Now())
	good.Sentiment, good.Resolved = crm.VeryPositive, true
	_, moves := b.record(t, good)
	require.Equal(t, []crm.LoyaltyStage{crm.Satisfied}, stages(moves))

	b.Clock.Advance(day)
	opened, err := b.Cases.Open(ctx, b.Ann.ID, crm.NewCase{Customer: c.ID, Kind: crm.Complaint, Subject: "card blocked abroad",
		Map: b.m.ID, Touchpoint: "hotline.cards"})
	cs, moves := opened.Case, opened.Moves
	require.NoError(t, err)
	assert.Equal(t, []crm.LoyaltyStage{crm.Indifferent}, stages(moves), "the complaint itself costs")
	bad := b.contact(c, "hotline.cards", b.Clock.Now())
	bad.Case, bad.Sentiment, bad.Wait = cs.ID, crm.VeryNegative, 10*time.Minute
	bad.Transfers = []crm.Transfer{{"cards", "fraud"}, {"fraud", "legal"}, {"legal", "cards"}, {"cards", "branch"}}
	_, moves = b.record(t, bad)
	require.NotEmpty(t, moves)
	assert.Equal(t, crm.Annoyed, moves[len(moves)-1].To, "four transfers and no answer")
	assert.Contains(t, moves[0].Reason, "4 transfers")

	b.Clock.Advance(20 * time.Hour)
	resolved, err := b.Cases.Resolve(ctx, b.Ben.ID, crm.ResolveCaseRequest{Case: cs.ID, Note: "card unblocked, fee refunded", CSAT: ptr(5)})
	cs, moves = resolved.Case, resolved.Moves
	require.NoError(t, err)
	assert.Equal(t, crm.CaseResolved, cs.Status)
	assert.Equal(t, 4, cs.Handoffs)
	assert.Equal(t, 1, cs.Contacts)
	assert.False(t, cs.ResolveBreached, "20 hours against 48")
	assert.Empty(t, moves, "the recovery earns back 25 points, not the rung: one call with four transfers cost 64")
	st, err := b.Ladder.State(ctx, b.Ann.ID, c.ID)
	require.NoError(t, err)
	assert.Equal(t, crm.Annoyed, st.Stage)
	assert.Equal(t, int64(-29), st.Points(), "-54.7 faded a day, +25")

	hist, err := b.Ladder.History(ctx, b.Ann.ID, c.ID)
	require.NoError(t, err)
	assert.Equal(t, []crm.LoyaltyStage{crm.Satisfied, crm.Indifferent, crm.Annoyed}, stages(hist))

	// A good contact after the recovery lifts the customer out of annoyed.
	b.Clock.Advance(day)
	good = b.contact(c, "branch", b.Clock.Now())
	good.Sentiment, good.Resolved = crm.Positive, true
	_, moves = b.record(t, good)
	assert.Equal(t, []crm.LoyaltyStage{crm.Indifferent}, stages(moves), "won back to indifferent")
	hist, err = b.Ladder.History(ctx, b.Ann.ID, c.ID)
	require.NoError(t, err)
	replay, err := b.Ladder.Replay(ctx, b.Ann.ID, crm.ReplayQuery{Customer: c.ID, Rules: crm.DefaultLadderRules()})
	replayed, replayMoves := replay.State, replay.Moves
	require.NoError(t, err)
	stored, err := b.Ladder.State(ctx, b.Ann.ID, c.ID)
	require.NoError(t, err)
	assert.Equal(t, stored.Stage, replayed.Stage, "replaying the stored evidence gives the stored ladder")
	assert.Equal(t, len(hist), len(replayMoves))
	for i := range hist {
		assert.Equal(t, hist[i].To, replayMoves[i].To)
		assert.Equal(t, hist[i].Reason, replayMoves[i].Reason)
	}
}

func TestBrokenPromises(t *testing.T) {
	b := newBank(t)
	c := b.customer(t, b.Ann, "Joe")
	opened, err := b.Cases.Open(ctx, b.Ann.ID, crm.NewCase{Customer: c.ID, Kind: crm.Request, Subject: "new card",
		Map: b.m.ID, Touchpoint: "branch", PromisedBy: start.Add(3 * day)})
	cs := opened.Case
	require.NoError(t, err)
	_, err = b.Cases.Start(ctx, b.Ben.ID, crm.StartCaseRequest{Case: cs.ID})
	require.NoError(t, err)

	n, err := b.Cases.CheckPromises(ctx, b.Admin.ID)
	require.NoError(t, err)
	assert.Zero(t, n.Broken, "not due yet")
	b.Clock.Advance(4 * day)
	n, err = b.Cases.CheckPromises(ctx, b.Admin.ID)
	require.NoError(t, err)
	assert.Equal(t, 1, n.Broken)
	assert.NotEmpty(t, n.Moves, "the broken promise moves the customer")
	st, err := b.Ladder.State(ctx, b.Ann.ID, c.ID)
	require.NoError(t, err)
	assert.Equal(t, crm.Annoyed, st.Stage)
	n, err = b.Cases.CheckPromises(ctx, b.Admin.ID)
	require.NoError(t, err)
	assert.Zero(t, n.Broken, "a promise breaks once")

	resolved, err := b.Cases.Resolve(ctx, b.Ben.ID, crm.ResolveCaseRequest{Case: cs.ID})

	cs, moves := resolved.Case, resolved.Moves
	require.NoError(t, err)
	assert.True(t, cs.PromiseBroken)
	assert.Empty(t, moves, "a request's resolution does not weigh on the ladder, and the broken promise was weighed already")
}

func TestCaseMachineThroughTheCRM(t *testing.T) {
	b := newBank(t)
	c := b.customer(t, b.Ann, "Joe")
	opened, err := b.Cases.Open(ctx, b.Ann.ID, crm.NewCase{Customer: c.ID, Kind: crm.Incident, Subject: "app crash", Map: b.m.ID, Touchpoint: "hotline"})
	cs := opened.Case
	require.NoError(t, err)
	_, err = b.Cases.Close(ctx, b.Ann.ID, crm.CloseCaseRequest{Case: cs.ID})
	var te *crm.TransitionError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, "case", te.Machine)
	handedOff, err := b.Cases.HandOff(ctx, b.Ann.ID, crm.HandOffRequest{Case: cs.ID, Department: "mobile team", Reason: "needs a developer"})
	require.NoError(t, err)
	cs = handedOff.Case
	assert.Equal(t, "mobile team", cs.Department)
	resolved, err := b.Cases.Resolve(ctx, b.Ann.ID, crm.ResolveCaseRequest{Case: cs.ID, Note: "fixed in 2.3"})
	cs = resolved.Case
	require.NoError(t, err)
	reopened, err := b.Cases.Reopen(ctx, b.Ann.ID, crm.ReopenCaseRequest{Case: cs.ID, Reason: "crashes again"})
	require.NoError(t, err)
	cs = reopened.Case
	assert.Equal(t, 1, cs.Reopens)
	assert.Equal(t, crm.CaseReopened, cs.Status)
	resolved, err = b.Cases.Resolve(ctx, b.Ann.ID, crm.ResolveCaseRequest{Case: cs.ID})
	require.NoError(t, err)
	closed, err := b.Cases.Close(ctx, b.Ann.ID, crm.CloseCaseRequest{Case: resolved.Case.ID})
	require.NoError(t, err)
	cs = closed.Case
	assert.Equal(t, crm.CaseClosed, cs.Status)
	assert.Equal(t, int64(6), cs.Version)
	got, err := b.Cases.Get(ctx, b.Ann.ID, cs.ID)
	require.NoError(t, err)
	assert.Equal(t, cs, got)
}

func TestAdvocateAndAnalytics(t *testing.T) {
	b := newBank(t)
	c := b.customer(t, b.Ann, "Ada")
	for i := range 3 {
		n := b.contact(c, "web.apply", start.Add(time.Duration(-30+i)*day))
		n.Sentiment, n.Resolved, n.Survey = crm.VeryPositive, true, crm.Survey{NPS: ptr(10), CSAT: ptr(5)}
		b.record(t, n)
	}
	for range 2 {
		_, err := b.Ladder.RecordEvidence(ctx, b.Ann.ID, crm.NewEvidence{Customer: c.ID, Kind: crm.EvidencePurchase, Note: "order"})
		require.NoError(t, err)
	}
	st, err := b.Ladder.State(ctx, b.Ann.ID, c.ID)
	require.NoError(t, err)
	assert.Equal(t, crm.Advocate, st.Stage, "promoter answers, good contacts and two purchases")

	dist, err := b.Ladder.Distribution(ctx, b.Manager.ID, crm.DistributionQuery{At: start})
	require.NoError(t, err)
	assert.Equal(t, []crm.StageCount{{crm.Annoyed, 0}, {crm.Indifferent, 0}, {crm.Satisfied, 0}, {crm.Loyal, 0}, {crm.Advocate, 1}, {crm.Lost, 0}}, dist)
	before, err := b.Ladder.Distribution(ctx, b.Manager.ID, crm.DistributionQuery{At: start.Add(-time.Hour)})
	require.NoError(t, err)
	assert.Equal(t, int64(0), before[4].Customers)
	_, err = b.Ladder.Distribution(ctx, b.Ann.ID, crm.DistributionQuery{At: start})
	assert.ErrorIs(t, err, crm.ErrForbidden, "statistics are for managers")

	var movers []string
	for m, err := range b.Ladder.Movers(ctx, b.Manager.ID, crm.MoversQuery{From: start.Add(-40 * day), To: start.Add(day)}) {
		require.NoError(t, err)
		movers = append(movers, fmt.Sprintf("%s->%s", m.From, m.To))
	}
	assert.Equal(t, []string{"indifferent->satisfied", "satisfied->loyal", "loyal->advocate"}, movers)

	stats, err := b.Experience.Stats(ctx, b.Manager.ID, crm.ExperienceQuery{GroupBy: crm.ByPhase})
	require.NoError(t, err)
	require.Len(t, stats, 1)
	nps, ok := stats[0].NPS()
	assert.True(t, ok)
	assert.Equal(t, 100.0, nps)

	moments, err := b.Experience.MomentsOfTruth(ctx, b.Manager.ID, crm.MomentsQuery{Window: 40 * day})
	require.NoError(t, err)
	assert.Equal(t, crm.MomentCount{Contacts: 3, Up: 1}, moments.Base, "the purchases were at no touchpoint: only the first rise follows a contact")
	assert.Empty(t, moments.Up, "three contacts are too few to rank")
	assert.Equal(t, []crm.MomentCount{{Touchpoint: "web.apply", Contacts: 3, Up: 1}}, moments.TooFew)
	moments, err = b.Experience.MomentsOfTruth(ctx, b.Manager.ID, crm.MomentsQuery{Window: 40 * day, MinContacts: 1})
	require.NoError(t, err)
	assert.Equal(t, []crm.Moment{{MomentCount: crm.MomentCount{Touchpoint: "web.apply", Contacts: 3, Up: 1}, UpLift: 1}}, moments.Up)
	_, err = b.Experience.MomentsOfTruth(ctx, b.Manager.ID, crm.MomentsQuery{MinContacts: -1})
	assert.ErrorIs(t, err, crm.ErrInvalid)

	tpl, err := b.Experience.CreateJourneyTemplate(ctx, b.Admin.ID, crm.NewJourneyTemplate{Name: "Get a card", Map: b.m.ID, Steps: []string{"web.apply", "branch"}})
	require.NoError(t, err)
	cmp, err := b.Experience.CompareJourney(ctx, b.Ann.ID, crm.JourneyQuery{Customer: c.ID, Template: tpl.ID})
	require.NoError(t, err)
	assert.Equal(t, "web.apply", cmp.DroppedAfter)
	mermaid, err := b.Experience.JourneyMapMermaid(ctx, b.Manager.ID, crm.JourneyMapQuery{Template: tpl.ID, From: time.Time{}, To: time.Time{}})
	require.NoError(t, err)
	assert.Equal(t, "journey\n    title Get a card\n    section ordering\n      Card application: 5.0: Customer\n    section fulfillment\n      %% Branch: no contacts, no score\n", mermaid)
	_, err = b.Experience.CreateJourneyTemplate(ctx, b.Admin.ID, crm.NewJourneyTemplate{Name: "Bad", Map: b.m.ID, Steps: []string{"atm"}})
	assert.ErrorIs(t, err, crm.ErrInvalid)
}
