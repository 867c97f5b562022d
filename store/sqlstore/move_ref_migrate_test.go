package sqlstore_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/sqlstore"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMigrateMoveEvidenceRef brings ladder moves from before 0037, which
// kept a copy of their evidence as JSON, up to date: each move references
// its evidence by ID, with the kind, source and touchpoint the copy had
// (the kind too for a move from before 0019, which had none of its own),
// a move fading caused references no evidence, and no copy is left, so
// the evidence's note is kept only in the evidence.
func TestMigrateMoveEvidenceRef(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s, db := b.newStore(t)
		customer := newID(t)
		ev := sampleEvidence(newID(t), customer)
		onEvidence := sampleMove(newID(t), customer, at(3), ev)
		before0019 := sampleMove(newID(t), customer, at(4), ev)
		fading := sampleMove(newID(t), customer, at(5), crm.Evidence{Customer: customer, Kind: crm.EvidenceFading, At: at(5)})
		write(ctx, t, s, func(tx crm.Tx) error {
			if err := tx.Ladder().AppendEvidence(ctx, ev); err != nil {
				return err
			}
			return tx.Ladder().AppendMoves(ctx, []crm.LadderMove{onEvidence, before0019, fading})
		})

		// Back to 0036: each move with its evidence's copy as the stores
		// of that time wrote it, and no reference.
		moves := db.table("crm_", "ladder_moves")
		mark := func(n int) string {
			if b.dialect == sqlstore.PostgreSQL {
				return "$" + string(rune('0'+n))
			}
			return "?"
		}
		exec := func(stmt string, args ...any) {
			t.Helper()
			_, err := db.ExecContext(ctx, stmt, args...)
			require.NoError(t, err, stmt)
		}
		text := "TEXT"
		if b.dialect == sqlstore.PostgreSQL {
			text = "text"
		}
		exec("ALTER TABLE " + moves + " ADD COLUMN evidence " + text + " NOT NULL DEFAULT ''")
		for _, m := range []struct {
			move crm.LadderMove
			doc  crm.Evidence
		}{{onEvidence, ev}, {before0019, ev}, {fading, crm.Evidence{Customer: customer, Kind: crm.EvidenceFading, At: at(5)}}} {
			exec("UPDATE "+moves+" SET evidence = "+mark(1)+" WHERE id = "+mark(2), oldEvidenceDoc(t, m.doc), m.move.ID.String())
		}
		exec("UPDATE "+moves+" SET evidence_kind = '' WHERE id = "+mark(1), before0019.ID.String())
		for _, col := range []string{"evidence_id", "evidence_source", "evidence_source_id", "evidence_touchpoint"} {
			exec("ALTER TABLE " + moves + " DROP COLUMN " + col)
		}
		s = remigrate(ctx, t, b, db, 37)

		got := read(ctx, t, s, func(tx crm.ReadTx) ([]crm.LadderMove, error) { return tx.Ladder().Moves(ctx, customer) })
		require.Len(t, got, 3)
		assert.Equal(t, []crm.LadderMove{onEvidence, before0019, fading}, got)
		assert.Equal(t, crm.EvidenceRef{ID: ev.ID, Kind: ev.Kind, Source: ev.Source, SourceID: ev.SourceID, Touchpoint: ev.Touchpoint},
			got[1].Evidence, "a move from before 0019 takes its kind from the copy")
		assert.Equal(t, crm.EvidenceRef{Kind: crm.EvidenceFading}, got[2].Evidence, "fading references no evidence")
		assert.Equal(t, ev, read(ctx, t, s, func(tx crm.ReadTx) (crm.Evidence, error) {
			return tx.Ladder().EvidenceByID(ctx, got[0].Evidence.ID)
		}), "the evidence a move references is read by its ID")

		// Nothing of the evidence's note is left in the moves' rows.
		rows, err := db.QueryContext(ctx, "SELECT * FROM "+moves)
		require.NoError(t, err)
		defer rows.Close()
		cols, err := rows.Columns()
		require.NoError(t, err)
		assert.NotContains(t, cols, "evidence")
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			require.NoError(t, rows.Scan(ptrs...))
			for i, v := range vals {
				if s, ok := v.(string); ok && cols[i] != "reason" {
					assert.NotContains(t, s, strings.TrimSpace(hostile), cols[i])
				}
			}
		}
		require.NoError(t, rows.Err())
	})
}

// oldEvidenceDoc is the JSON copy of ev a move kept before 0037.
func oldEvidenceDoc(t *testing.T, ev crm.Evidence) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{
		"id": ev.ID, "customer": ev.Customer, "kind": ev.Kind, "at": ev.At.UTC().Truncate(time.Microsecond),
		"source": ev.Source, "source_id": ev.SourceID, "map": ev.Map, "touchpoint": ev.Touchpoint, "weight": ev.Weight,
		"sentiment": ev.Sentiment, "nps": ev.Survey.NPS, "csat": ev.Survey.CSAT, "ces": ev.Survey.CES,
		"transfers": ev.Transfers, "breached": ev.Breached, "resolved": ev.Resolved,
		"resolution_us": ev.Resolution.Microseconds(), "within_standard": ev.WithinStandard, "handoffs": ev.Handoffs,
		"reopens": ev.Reopens, "note": ev.Note, "direction": ev.Direction, "promise_broken": ev.PromiseBroken,
		"repeats": ev.Repeats,
	})
	require.NoError(t, err)
	return string(b)
}
