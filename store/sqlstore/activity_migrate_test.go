package sqlstore_test

import (
	"context"
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMigrateActivityWork brings activities from before 0025, which knew
// only done, up to date: their status is back-filled from done, pending
// follows, and the overdue follow-ups are those still pending.
func TestMigrateActivityWork(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s, db := b.newStore(t)
		done := sampleActivity(newID(t), newID(t), crm.ID{})
		open := sampleActivity(newID(t), done.Customer, crm.ID{})
		open.Done, open.Subject = false, "still to do"
		write(ctx, t, s, func(tx crm.Tx) error {
			return tx.Activities().Insert(ctx, done)
		})
		write(ctx, t, s, func(tx crm.Tx) error {
			return tx.Activities().Insert(ctx, open)
		})

		// Back to 0024: no status, follow-up time, reason, duration nor
		// pending, and the follow-ups indexed by done.
		activities := db.table("crm_", "activities")
		var stmts []string
		for _, idx := range []string{"activities_pending_idx", "activities_next_idx", "activities_touch_idx",
			"customers_key_owner_idx", "customers_key_team_idx"} {
			stmts = append(stmts, "DROP INDEX "+db.table("crm_", idx))
		}
		for _, col := range []string{"status", "follow_up_at", "cancel_reason", "duration_ns", "pending"} {
			stmts = append(stmts, "ALTER TABLE "+activities+" DROP COLUMN "+col)
		}
		stmts = append(stmts, "CREATE INDEX crm_activities_follow_up_idx ON "+activities+
			" (follow_up) WHERE follow_up IS NOT NULL AND done = FALSE")
		s = remigrate(ctx, t, b, db, 25, stmts...)

		got := read(ctx, t, s, func(tx crm.ReadTx) ([]crm.Activity, error) {
			return tx.Activities().List(ctx, crm.ActivityFilter{Customer: done.Customer}, crm.PageRequest{Limit: 10})
		})
		byID := map[crm.ID]crm.Activity{}
		for _, a := range got {
			byID[a.ID] = a
		}
		assert.Equal(t, crm.ActivityDone, byID[done.ID].Status)
		assert.Equal(t, crm.ActivityPending, byID[open.ID].Status)
		overdue := read(ctx, t, s, func(tx crm.ReadTx) ([]crm.Activity, error) {
			return tx.Activities().List(ctx, crm.ActivityFilter{OverdueOn: open.FollowUp.AddDays(1)}, crm.PageRequest{Limit: 10})
		})
		require.Len(t, overdue, 1)
		assert.Equal(t, open.ID, overdue[0].ID)
	})
}
