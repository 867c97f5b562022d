package sqlstore_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/sqlstore"
	"github.com/crmkit/crm/store/storetest"
	"github.com/stretchr/testify/require"
)

// TestErasureLeavesNothing plants two persons, erases one and reads every
// row of every table of the store's database as text: none of the erased
// person's values is left (storetest.RunErasureScan).
func TestErasureLeavesNothing(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		var mu sync.Mutex
		dbs := map[crm.Store]testDB{}
		storetest.RunErasureScan(t, func(t *testing.T) crm.Store {
			s, db := b.newStore(t)
			mu.Lock()
			defer mu.Unlock()
			dbs[s] = db
			return s
		}, func(t *testing.T, s crm.Store) []storetest.HeldText {
			mu.Lock()
			db := dbs[s]
			mu.Unlock()
			return scanTables(t, b.dialect, db)
		})
	})
}

// scanTables reads every column of every row of every table of the
// test's database (its schema on PostgreSQL) as text.
func scanTables(t *testing.T, dialect sqlstore.Dialect, db testDB) []storetest.HeldText {
	t.Helper()
	ctx := context.Background()
	q, args := "SELECT name FROM sqlite_master WHERE type = 'table'", []any{}
	if dialect == postgresBackend.dialect {
		q, args = "SELECT table_name FROM information_schema.tables WHERE table_schema = $1", []any{db.schema}
	}
	rows, err := db.QueryContext(ctx, q, args...)
	require.NoError(t, err)
	var tables []string
	for rows.Next() {
		var name string
		require.NoError(t, rows.Scan(&name))
		tables = append(tables, name)
	}
	require.NoError(t, rows.Err())
	require.NotEmpty(t, tables)
	var out []storetest.HeldText
	for _, table := range tables {
		name := `"` + table + `"`
		if db.schema != "" {
			name = `"` + db.schema + `".` + name
		}
		rows, err := db.QueryContext(ctx, "SELECT * FROM "+name)
		require.NoError(t, err)
		cols, err := rows.Columns()
		require.NoError(t, err)
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			require.NoError(t, rows.Scan(ptrs...))
			for i, v := range vals {
				var text string
				switch x := v.(type) {
				case nil:
					continue
				case []byte:
					text = string(x)
				case string:
					text = x
				default:
					text = fmt.Sprint(x)
				}
				out = append(out, storetest.HeldText{Where: table + "." + cols[i], Text: text})
			}
		}
		require.NoError(t, rows.Err())
		require.NoError(t, rows.Close())
	}
	return out
}
