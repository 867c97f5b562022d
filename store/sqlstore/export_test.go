package sqlstore

import (
	"context"
	"strings"

	"github.com/crmkit/crm"
)

// IsTransient and IsUniqueViolation let the external tests ask how the
// dialect classifies a driver's own error.
func (d Dialect) IsTransient(err error) bool { return d.isTransient(err) }

func (d Dialect) IsUniqueViolation(err error) bool { return d.isUniqueViolation(err) }

// LatestConsentPlan returns the plan the database makes for the query of
// ConsentReader.Latest, one line a row; on PostgreSQL with sequential
// scans off, so that a table too small to be worth an index still shows
// whether the index can serve the query.
func (s *Store) LatestConsentPlan(ctx context.Context) (string, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	explain := "EXPLAIN QUERY PLAN "
	if s.dialect == PostgreSQL {
		explain = "EXPLAIN "
		if _, err := conn.ExecContext(ctx, "SET enable_seqscan = off"); err != nil {
			return "", err
		}
	}
	r := records[crm.Consent]{consentTable, &txn{s: s}}
	id := idArg(crm.ID{})
	rows, err := conn.QueryContext(ctx, s.dialect.rebind(explain+r.selectSQL()+latestConsent), id, id, "news", int64(0))
	if err != nil {
		return "", err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return "", err
	}
	var lines []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return "", err
		}
		var parts []string
		for _, v := range vals {
			switch v := v.(type) {
			case string:
				parts = append(parts, v)
			case []byte:
				parts = append(parts, string(v))
			}
		}
		lines = append(lines, strings.Join(parts, " "))
	}
	return strings.Join(lines, "\n"), rows.Err()
}
