package sqlstore_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/sqlstore"
	"github.com/crmkit/crm/store/storekit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMigrationsOverReceivables brings a database at 0004, whose stage
// visits do not yet carry their deal's pipeline, owner and team, up to
// date: 0005 fills them in from the deals, and stage velocity, which no
// longer joins the visits to their deals, adds them up as the reference
// does; 0024 fills in their deal's amount, and the stages at an instant
// add them up as the reference does.
func TestMigrationsOverReceivables(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s, db := b.newStore(t)
		pipeline, other := newID(t), newID(t)
		deals := []crm.Deal{sampleDeal(newID(t), pipeline, newID(t)), sampleDeal(newID(t), other, newID(t))}
		deals[1].Owner, deals[1].Team = crm.ID{9}, "south"
		write(ctx, t, s, func(tx crm.Tx) error {
			for _, d := range deals {
				if err := tx.Deals().Insert(ctx, d); err != nil {
					return err
				}
			}
			return nil
		})

		// Back to 0004: the visits as a store of that time left them, and
		// before 0006: contracts without their drafter, activities without
		// who logged them, the log and the ledger without their guards;
		// before 0007 and 0012: no index of postings by item, credits
		// without their invoice, invoices without their discount.
		visits := db.table("crm_", "deal_visits")
		dropGuards(t, b.dialect, db)
		var inbox []string
		if b.dialect == sqlstore.PostgreSQL {
			inbox = append(inbox, "DROP TABLE "+db.table("crm_", "event_inbox"))
		}
		for _, stmt := range append(inbox,
			// Before 0008 and 0007: no open amounts kept, no postings by item.
			"DROP TABLE "+db.table("crm_", "open_items"),
			"DROP TABLE "+db.table("crm_", "customer_balances"),
			"DROP INDEX "+db.table("crm_", "postings_item_day_idx"),
			"DELETE FROM "+db.table("crm_", "schema_migrations")+" WHERE version = 8",
			"DROP INDEX "+db.table("crm_", "postings_item_entry_idx"),
			"DELETE FROM "+db.table("crm_", "schema_migrations")+" WHERE version = 7",
			"ALTER TABLE "+db.table("crm_", "contracts")+" DROP COLUMN drafted_by",
			"ALTER TABLE "+db.table("crm_", "activities")+" DROP COLUMN logged_by",
			"DELETE FROM "+db.table("crm_", "schema_migrations")+" WHERE version = 6",
			// Before 0024: no amounts on the visits, no quotas.
			"DROP TABLE "+db.table("crm_", "quotas"),
			"ALTER TABLE "+db.table("crm_", "deals")+" DROP COLUMN forecast_category",
			"DROP INDEX "+db.table("crm_", "deal_visits_at_idx"),
			"ALTER TABLE "+visits+" DROP COLUMN amount_minor",
			"DELETE FROM "+db.table("crm_", "schema_migrations")+" WHERE version = 24",
			// 0021 indexes the visits by owner: back before it too.
			"DROP INDEX "+db.table("crm_", "deal_visits_owner_idx"),
			"DROP INDEX "+db.table("crm_", "activities_customer_owner_idx"),
			"DELETE FROM "+db.table("crm_", "schema_migrations")+" WHERE version = 21",
			"DROP INDEX "+db.table("crm_", "deal_visits_pipeline_idx"),
			"ALTER TABLE "+visits+" DROP COLUMN pipeline_id",
			"ALTER TABLE "+visits+" DROP COLUMN owner_id",
			"ALTER TABLE "+visits+" DROP COLUMN team",
			"DELETE FROM "+db.table("crm_", "schema_migrations")+" WHERE version = 5",
		) {
			_, err := db.ExecContext(ctx, stmt)
			require.NoError(t, err, stmt)
		}
		// The migrations after 0008 stay: the runner applies whichever
		// versions its table lacks, in order.
		assert.Equal(t, slices.DeleteFunc(slices.Concat(allMigrations[:4], allMigrations[8:]), func(n string) bool { return n == "handover" || n == "salesreports" }),
			migrationNames(ctx, t, db))

		s, err := sqlstore.New(db.DB, b.dialect, db.opts...)
		require.NoError(t, err)
		require.NoError(t, s.Migrate(ctx))
		require.NoError(t, s.Migrate(ctx), "a second run changes nothing")
		assert.Equal(t, allMigrations, migrationNames(ctx, t, db))
		for _, q := range []crm.SalesQuery{
			{Pipeline: pipeline},
			{Pipeline: pipeline, Owner: deals[0].Owner, Team: deals[0].Team},
			{Pipeline: pipeline, Owner: deals[1].Owner},
			{Pipeline: other, Team: "south"},
		} {
			got := read(ctx, t, s, func(tx crm.ReadTx) ([]crm.StageTime, error) { return tx.Sales().StageTimes(ctx, q) })
			assert.Equal(t, must(storekit.AggregateStageTimes(deals, q)), got, "%+v", q)
			for _, v := range deals[0].History {
				at := v.Entered.Add(time.Microsecond)
				stages := read(ctx, t, s, func(tx crm.ReadTx) ([]crm.StageAt, error) { return tx.Sales().StagesAt(ctx, q, at) })
				assert.Equal(t, must(storekit.AggregateStagesAt(deals, q, at)), stages, "0024 fills in the visits' amounts: %+v at %s", q, at)
			}
		}
	})
}
