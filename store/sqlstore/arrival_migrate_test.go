package sqlstore_test

import (
	"context"
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
)

// TestMigrateEvidenceArrival brings ladder evidence and states from
// before 0042 up to date: the evidence stored then has no arrival number
// (it was ordered by what it says, as evidence dated from later still is), a
// state takes its last evidence's time from that evidence (LastAt), and a
// state that names no last evidence keeps none. The columns round-trip
// after it.
func TestMigrateEvidenceArrival(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s, db := b.newStore(t)
		withLast, without := newID(t), newID(t)
		ev := sampleEvidence(newID(t), withLast)
		ev.Arrival = 1
		stWith := crm.LadderState{Customer: withLast, Stage: crm.Satisfied, Score: 21000, Since: at(1), UpdatedAt: at(3),
			Evidence: 1, LastEvidence: ev.ID, LastAt: at(3), LastArrival: 1, Version: 1}
		stWithout := crm.LadderState{Customer: without, Stage: crm.Indifferent, Since: at(1), UpdatedAt: at(2), Version: 1}
		write(ctx, t, s, func(tx crm.Tx) error {
			if err := tx.Ladder().AppendEvidence(ctx, ev); err != nil {
				return err
			}
			if err := tx.Ladder().SaveState(ctx, stWith); err != nil {
				return err
			}
			return tx.Ladder().SaveState(ctx, stWithout)
		})
		assert.Equal(t, ev, read(ctx, t, s, func(tx crm.ReadTx) (crm.Evidence, error) { return tx.Ladder().EvidenceByID(ctx, ev.ID) }),
			"arrival round-trips")
		assert.Equal(t, stWith, read(ctx, t, s, func(tx crm.ReadTx) (crm.LadderState, error) { return tx.Ladder().State(ctx, withLast) }),
			"last_at and last_arrival round-trip")

		// Back to 0041: no arrival numbers, states without their last
		// evidence's place.
		s = remigrate(ctx, t, b, db, 42,
			"ALTER TABLE "+db.table("crm_", "evidence")+" DROP COLUMN arrival",
			"ALTER TABLE "+db.table("crm_", "ladder_states")+" DROP COLUMN last_at",
			"ALTER TABLE "+db.table("crm_", "ladder_states")+" DROP COLUMN last_arrival")

		ev.Arrival = 0
		assert.Equal(t, ev, read(ctx, t, s, func(tx crm.ReadTx) (crm.Evidence, error) { return tx.Ladder().EvidenceByID(ctx, ev.ID) }),
			"evidence stored before 0042 has no arrival number")
		stWith.LastArrival = 0
		assert.Equal(t, stWith, read(ctx, t, s, func(tx crm.ReadTx) (crm.LadderState, error) { return tx.Ladder().State(ctx, withLast) }),
			"a state takes its last evidence's time from it")
		assert.Equal(t, stWithout, read(ctx, t, s, func(tx crm.ReadTx) (crm.LadderState, error) { return tx.Ladder().State(ctx, without) }),
			"a state without last evidence keeps no time of it")
	})
}
