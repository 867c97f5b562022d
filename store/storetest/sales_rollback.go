package storetest

import (
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runSalesRollback checks that a transaction that fails, by an error or a
// panic, leaves none of its sales rows behind: no pipeline, deal,
// activity, campaign or customer, no new version of one, and nothing the
// analytics count (a deal's stage visits, its amount, a follow-up, a
// campaign's lead). The same writes then commit, and the analytics see
// them.
func runSalesRollback(t *testing.T, newStore NewStoreFunc) {
	for _, fail := range failures {
		t.Run(fail.name, func(t *testing.T) {
			sc := newScene(t, newStore)
			s, r := sc.s, sc.salesRefs(t)
			f := mustFlow(r.eur)
			// What was committed before.
			oldDeal := sc.deal(t, sc.ann)
			oldActivity := sc.activity(t, sc.ann, oldDeal.ID)
			oldActivity.Done = false
			insertAll(t, s, insertDeal, oldDeal)
			insertAll(t, s, insertActivity, oldActivity)
			questions := salesQuestions{
				sales: []crm.SalesQuery{{Pipeline: r.eur.ID}, {Pipeline: r.eur.ID, From: at(0), To: at(1000)}},
				work: []crm.WorkQuery{{Today: day(2027, 1, 1)}, {Owner: r.south.ID, From: at(0), To: at(1000), Today: day(2026, 3, 10)},
					{Team: r.north.Team, Today: day(2027, 1, 1)}},
				campaigns: []crm.Campaign{r.campaign},
			}
			before := read(t, s, func(tx crm.ReadTx) (salesAnswers, error) { return questions.ask(t, tx.Sales()), nil })

			newPipeline, nextPipeline := samplePipeline(sc.g.next()), pipelineVersions.at(r.eur, 2)
			newCampaign, nextCampaign := sampleCampaign(sc.g.next()), campaignVersions.at(r.campaign, 2)
			lead := sampleCustomer(sc.g.next(), r.north.ID)
			lead.Campaign, lead.KeyAccount = r.campaign.ID, true
			newDeal := sc.deal(t, lead.ID)
			newDeal.Owner, newDeal.Team = r.north.ID, r.north.Team
			require.NoError(t, f.Win(&newDeal, newDeal.Amount, at(300)))
			nextDeal := oldDeal.Clone()
			require.NoError(t, f.Move(&nextDeal, "lead", at(200)))
			require.NoError(t, f.Lose(&nextDeal, crm.LostPricing, "rolled back", at(201)))
			nextDeal.Version = 2
			newActivity := sc.activity(t, lead.ID, newDeal.ID)
			newActivity.Owner, newActivity.Team, newActivity.Outcome, newActivity.Done = r.north.ID, r.north.Team, "", false
			nextActivity := activityVersions.at(oldActivity, 2)

			getPipeline := func(id crm.ID) func(tx crm.ReadTx) (crm.Pipeline, error) {
				return func(tx crm.ReadTx) (crm.Pipeline, error) { return pipelineVersions.get(tx, id) }
			}
			getActivity := func(id crm.ID) func(tx crm.ReadTx) (crm.Activity, error) {
				return func(tx crm.ReadTx) (crm.Activity, error) { return activityVersions.get(tx, id) }
			}
			getCampaign := func(id crm.ID) func(tx crm.ReadTx) (crm.Campaign, error) {
				return func(tx crm.ReadTx) (crm.Campaign, error) { return campaignVersions.get(tx, id) }
			}
			effects := []effect{
				{"new pipeline", func(tx crm.Tx) error { return insertPipeline(tx, newPipeline) }, func(t *testing.T) {
					_, err := tryRead(s, getPipeline(newPipeline.ID))
					requireNotFound(t, err, crm.KindPipeline)
					assertSameList(t, []crm.Pipeline{r.eur, r.yen}, allPages(t, s, 10, pipelineID, listPipelines), pipelineID)
				}},
				{"pipeline update", func(tx crm.Tx) error { return pipelineVersions.update(tx, nextPipeline) }, func(t *testing.T) {
					assertSame(t, r.eur, read(t, s, getPipeline(r.eur.ID)))
				}},
				{"new campaign", func(tx crm.Tx) error { return insertCampaign(tx, newCampaign) }, func(t *testing.T) {
					_, err := tryRead(s, getCampaign(newCampaign.ID))
					requireNotFound(t, err, crm.KindCampaign)
					assertSameList(t, []crm.Campaign{r.campaign}, allPages(t, s, 10, campaignID, listCampaigns), campaignID)
				}},
				{"campaign update", func(tx crm.Tx) error { return campaignVersions.update(tx, nextCampaign) }, func(t *testing.T) {
					assertSame(t, r.campaign, read(t, s, getCampaign(r.campaign.ID)))
				}},
				{"lead of the campaign", func(tx crm.Tx) error { return insertCustomer(tx, lead) }, func(t *testing.T) {
					_, err := getCustomer(t, s, lead.ID)
					requireNotFound(t, err, crm.KindCustomer)
				}},
				{"new deal", func(tx crm.Tx) error { return insertDeal(tx, newDeal) }, func(t *testing.T) {
					_, err := tryRead(s, getDeal(newDeal.ID))
					requireNotFound(t, err, crm.KindDeal)
					assertSameList(t, []crm.Deal{oldDeal}, allPages(t, s, 10, dealID, listDeals(crm.DealFilter{})), dealID)
				}},
				{"deal update", func(tx crm.Tx) error { return updateDeal(tx, nextDeal) }, func(t *testing.T) {
					assertSame(t, oldDeal, read(t, s, getDeal(oldDeal.ID)))
					assert.Empty(t, allPages(t, s, 10, dealID, listDeals(crm.DealFilter{Status: crm.DealLost})))
				}},
				{"new activity", func(tx crm.Tx) error { return insertActivity(tx, newActivity) }, func(t *testing.T) {
					_, err := tryRead(s, getActivity(newActivity.ID))
					requireNotFound(t, err, crm.KindActivity)
					assertSameList(t, []crm.Activity{oldActivity}, allPages(t, s, 10, activityID, listActivities(crm.ActivityFilter{})), activityID)
				}},
				{"activity update", func(tx crm.Tx) error { return activityVersions.update(tx, nextActivity) }, func(t *testing.T) {
					assertSame(t, oldActivity, read(t, s, getActivity(oldActivity.ID)))
				}},
				{"analytics", func(crm.Tx) error { return nil }, func(t *testing.T) {
					view(t, s, func(tx crm.ReadTx) error {
						before.check(t, tx.Sales())
						return nil
					})
				}},
			}
			failThenCommit(t, s, fail.run, effects)
			after := read(t, s, func(tx crm.ReadTx) (salesAnswers, error) { return questions.ask(t, tx.Sales()), nil })
			for i := range questions.sales {
				assert.NotEqual(t, before.stageTimes[i], after.stageTimes[i], "the committed visits count")
				assert.NotEqual(t, before.outcomes[i], after.outcomes[i], "the committed closes count")
			}
			for i := range questions.work {
				assert.NotEqual(t, before.work[i], after.work[i], "the committed activities count")
			}
			assert.NotEqual(t, before.campaigns, after.campaigns, "the committed lead and deal count")
		})
	}
}
