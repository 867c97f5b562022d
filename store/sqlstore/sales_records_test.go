package sqlstore_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// roundTrips inserts each variant and reads it back unchanged.
func roundTrips[T any](ctx context.Context, t *testing.T, s crm.Store, r versionRules[T], variants map[string]T) {
	t.Helper()
	for name, v := range variants {
		write(ctx, t, s, func(tx crm.Tx) error { return r.writer(tx).Insert(ctx, v) })
		got := read(ctx, t, s, func(tx crm.ReadTx) (T, error) { return r.reader(tx).Get(ctx, r.id(v)) })
		assert.Equal(t, v, got, name)
	}
}

func TestPipelineRoundTripAndVersions(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s, _ := b.newStore(t)
		p := samplePipeline(newID(t))
		changed := p.Clone()
		changed.Name, changed.Currency, changed.AllowSkip, changed.Team = "Renewals", jpy, false, ""
		changed.Stages[1].ExitRequires, changed.Stages[2].Probability = nil, 77
		pipelineRules.check(t, s, p, changed, func() crm.Pipeline { return samplePipeline(newID(t)) })

		noStages := crm.Pipeline{ID: newID(t), Name: "Bare", CreatedAt: at(1), UpdatedAt: at(1), Version: 1}
		emptyStages := noStages
		emptyStages.ID, emptyStages.Stages = newID(t), []crm.Stage{}
		roundTrips(ctx, t, s, pipelineRules, map[string]crm.Pipeline{"nil stages": noStages, "empty stages": emptyStages,
			"default stages": {ID: newID(t), Name: "New", Currency: kwd, Stages: crm.DefaultStages(), Version: 1}})
	})
}

func TestDealRoundTripAndVersions(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s, db := b.newStore(t)
		d := sampleDeal(newID(t), newID(t), newID(t))
		won := d.Clone()
		won.History[3].Left = at(50)
		won.History = append(won.History, crm.StageVisit{Stage: "signed", Entered: at(50)})
		won.Stage, won.Status, won.Probability, won.ManualProbability = "signed", crm.DealWon, 100, nil
		won.Amount, won.ClosedAt, won.CloseDate = crm.MoneyFromMinor(1, kwd), at(50), day(2026, 3, 2)
		dealRules.check(t, s, d, won, func() crm.Deal { return sampleDeal(newID(t), newID(t), newID(t)) })
		assert.Equal(t, len(won.History), visitRows(ctx, t, db, d.ID), "the visits were replaced")

		bare := crm.Deal{ID: newID(t), Pipeline: newID(t), Customer: newID(t), Stage: "x", Status: crm.DealOpen, Version: 1}
		empty := sampleDeal(newID(t), newID(t), newID(t))
		empty.History, empty.ManualProbability, empty.Amount = []crm.StageVisit{}, intp(0), crm.Zero(jpy)
		largest := sampleDeal(newID(t), newID(t), newID(t))
		largest.Amount, largest.CloseDate = crm.MoneyFromMinor(math.MaxInt64, eur), day(1, 1, 1)
		lost := sampleDeal(newID(t), newID(t), newID(t))
		lost.Status, lost.LostReason, lost.ClosedAt = crm.DealLost, crm.LostNoDecisionMaker, at(59).Add(999*time.Microsecond)
		lost.Amount = crm.MoneyFromMinor(-5, usd)
		roundTrips(ctx, t, s, dealRules, map[string]crm.Deal{"no history, amount or dates": bare,
			"empty history, zero yen, hand-set zero": empty, "largest amount, first date": largest, "lost": lost})
		assert.Zero(t, visitRows(ctx, t, db, bare.ID))
		assert.Equal(t, 4, visitRows(ctx, t, db, lost.ID))
	})
}

// visitRows counts the rows of deal_visits of a deal.
func visitRows(ctx context.Context, t *testing.T, db testDB, deal crm.ID) int {
	t.Helper()
	var n int
	q := "SELECT count(*) FROM " + db.table("crm_", "deal_visits") + " WHERE deal_id = $1"
	if db.schema == "" {
		q = "SELECT count(*) FROM " + db.table("crm_", "deal_visits") + " WHERE deal_id = ?"
	}
	require.NoError(t, db.QueryRowContext(ctx, q, deal.String()).Scan(&n))
	return n
}

func TestActivityRoundTripAndVersions(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s, _ := b.newStore(t)
		a := sampleActivity(newID(t), newID(t), newID(t))
		changed := a
		changed.Type, changed.Outcome, changed.FollowUp, changed.Done = crm.ActivityCall, "", crm.Date{}, false
		activityRules.check(t, s, a, changed, func() crm.Activity { return sampleActivity(newID(t), newID(t), crm.ID{}) })

		bare := crm.Activity{ID: newID(t), Type: "lunch", Customer: newID(t), At: at(1), Version: 1}
		roundTrips(ctx, t, s, activityRules, map[string]crm.Activity{"bare": bare})
	})
}

func TestCampaignRoundTripAndVersions(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s, _ := b.newStore(t)
		c := sampleCampaign(newID(t))
		changed := c.Clone()
		changed.Costs = changed.Costs[:1]
		changed.Budget, changed.Start, changed.Channel = crm.Money{}, crm.Date{}, ""
		campaignRules.check(t, s, c, changed, func() crm.Campaign { return sampleCampaign(newID(t)) })

		bare := crm.Campaign{ID: newID(t), Name: "Bare", Version: 1}
		fils := crm.Campaign{ID: newID(t), Name: "Fils", Currency: kwd, Budget: crm.Zero(kwd), Costs: []crm.CostLine{},
			Version: 1}
		roundTrips(ctx, t, s, campaignRules, map[string]crm.Campaign{"nil costs": bare, "empty costs": fils})
	})
}

// TestSalesRecordsRefuseWhatTheyCannotKeep: dates that do not exist and
// amounts finer than their currency's minor unit are refused with
// crm.ErrInvalid, and nothing is written.
func TestSalesRecordsRefuseWhatTheyCannotKeep(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s, _ := b.newStore(t)
		half := crm.MoneyFromMinor(1, usd).Mul(decimal.RequireFromString("0.5"))
		badDeal := sampleDeal(newID(t), newID(t), newID(t))
		badDeal.CloseDate = day(2026, 2, 30)
		farDeal := sampleDeal(newID(t), newID(t), newID(t))
		farDeal.CloseDate = day(10000, 1, 1)
		halfDeal := sampleDeal(newID(t), newID(t), newID(t))
		halfDeal.Amount = half
		badActivity := sampleActivity(newID(t), newID(t), crm.ID{})
		badActivity.FollowUp = day(2026, 13, 1)
		badCampaign := sampleCampaign(newID(t))
		badCampaign.Costs[1].Date = day(0, 1, 1)
		halfCampaign := sampleCampaign(newID(t))
		halfCampaign.Costs[2].Amount = half
		for name, insert := range map[string]func(tx crm.Tx) error{
			"close date":  func(tx crm.Tx) error { return tx.Deals().Insert(ctx, badDeal) },
			"year 10000":  func(tx crm.Tx) error { return tx.Deals().Insert(ctx, farDeal) },
			"half a cent": func(tx crm.Tx) error { return tx.Deals().Insert(ctx, halfDeal) },
			"follow-up":   func(tx crm.Tx) error { return tx.Activities().Insert(ctx, badActivity) },
			"cost date":   func(tx crm.Tx) error { return tx.Campaigns().Insert(ctx, badCampaign) },
			"half a cost": func(tx crm.Tx) error { return tx.Campaigns().Insert(ctx, halfCampaign) },
			"overdue on 30": func(tx crm.Tx) error {
				_, err := tx.Activities().List(ctx, crm.ActivityFilter{OverdueOn: day(2026, 4, 31)}, crm.PageRequest{})
				return err
			},
		} {
			assert.ErrorIs(t, s.Update(ctx, insert), crm.ErrInvalid, name)
		}
		for _, id := range []crm.ID{badDeal.ID, farDeal.ID, halfDeal.ID} {
			err := s.View(ctx, func(tx crm.ReadTx) error { _, err := tx.Deals().Get(ctx, id); return err })
			assert.ErrorIs(t, err, crm.ErrNotFound)
		}
		err := s.View(ctx, func(tx crm.ReadTx) error { _, err := tx.Campaigns().Get(ctx, badCampaign.ID); return err })
		assert.ErrorIs(t, err, crm.ErrNotFound)
	})
}
