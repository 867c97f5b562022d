package sqlstore_test

import (
	"context"
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
)

// TestMigrationBackfillsCampaigns brings a database from before 0022,
// whose deals carry a campaign only when they named one, up to date: the
// open and closed deals without a campaign take their customer's, a deal
// that named one keeps it, and a deal whose customer no campaign brought
// stays without.
func TestMigrationBackfillsCampaigns(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s, db := b.newStore(t)
		show, other := sampleCampaign(newID(t)), sampleCampaign(newID(t))
		lead, walkIn := sampleCustomer(newID(t), newID(t)), sampleCustomer(newID(t), newID(t))
		lead.Campaign = show.ID
		p := samplePipeline(newID(t))
		deal := func(customer, campaign crm.ID, status crm.DealStatus) crm.Deal {
			d := sampleDeal(newID(t), p.ID, customer)
			d.Campaign, d.Status = campaign, status
			return d
		}
		open, won, lost := deal(lead.ID, crm.ID{}, crm.DealOpen), deal(lead.ID, crm.ID{}, crm.DealWon), deal(lead.ID, crm.ID{}, crm.DealLost)
		named, none := deal(lead.ID, other.ID, crm.DealWon), deal(walkIn.ID, crm.ID{}, crm.DealWon)
		write(ctx, t, s, func(tx crm.Tx) error {
			for _, c := range []crm.Campaign{show, other} {
				if err := tx.Campaigns().Insert(ctx, c); err != nil {
					return err
				}
			}
			for _, c := range []crm.Customer{lead, walkIn} {
				if err := tx.Customers().Insert(ctx, c); err != nil {
					return err
				}
			}
			if err := tx.Pipelines().Insert(ctx, p); err != nil {
				return err
			}
			for _, d := range []crm.Deal{open, won, lost, named, none} {
				if err := tx.Deals().Insert(ctx, d); err != nil {
					return err
				}
			}
			return nil
		})
		// Back to before 0022: the runner applies it again.
		s = remigrate(ctx, t, b, db, 22)
		for _, c := range []struct {
			name string
			deal crm.Deal
			want crm.ID
		}{
			{"open", open, show.ID}, {"won", won, show.ID}, {"lost", lost, show.ID},
			{"named its own", named, other.ID}, {"customer from no campaign", none, crm.ID{}},
		} {
			got := read(ctx, t, s, func(tx crm.ReadTx) (crm.Deal, error) { return tx.Deals().Get(ctx, c.deal.ID) })
			assert.Equal(t, c.want, got.Campaign, c.name)
			got.Campaign = c.deal.Campaign
			assert.Equal(t, c.deal, got, "%s: nothing else changed", c.name)
		}
		n := read(ctx, t, s, func(tx crm.ReadTx) (crm.CampaignCounts, error) { return tx.Sales().Campaign(ctx, show) })
		assert.Equal(t, int64(3), n.Opportunities, "the show's report counts the deals its lead opened")
	})
}
