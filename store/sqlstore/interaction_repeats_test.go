package sqlstore_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRepeatsReadsOnlyItsIndex checks the plan SQLite makes for the count
// behind the repeat rule (Repeats), with a case and without: it reads
// the entries of the repeats index alone, not the customer's contacts of
// the window and their rows, which cost a read a contact of the
// customer's week (35 ms a contact at 1M contacts, see BenchScale).
func TestRepeatsReadsOnlyItsIndex(t *testing.T) {
	ctx := context.Background()
	s, db := sqliteBackend.newStore(t)
	defer func() { require.NoError(t, s.Close()) }()
	table := db.table("crm_", "interactions")
	for _, cond := range []string{"case_id = ? AND touchpoint = ?", "case_id = ?"} {
		q := "EXPLAIN QUERY PLAN SELECT COUNT(*) FROM " + table + " WHERE customer_id = ? AND at_us >= ? AND at_us < ? AND inbound = 1 AND " + cond
		rows, err := db.QueryContext(ctx, q, make([]any, strings.Count(q, "?"))...)
		require.NoError(t, err)
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			require.NoError(t, rows.Scan(&id, &parent, &unused, &detail))
			plan = append(plan, detail)
		}
		require.NoError(t, rows.Err())
		require.Len(t, plan, 1, cond)
		require.Contains(t, plan[0], "COVERING INDEX crm_interactions_repeats_idx", cond)
	}
}
