package sqlstore

import (
	"context"
	"strings"

	"github.com/crmkit/crm"
)

// insertApart writes an entry's row and then, unless a unique index
// refused the entry, its postings' rows, one statement a row: on SQLite,
// where a statement costs no round trip and is prepared once per
// transaction, an INSERT of one row needs no statement journal, which one
// of several rows writes page by page to a temporary file. It reports
// whether the entry was written.
func (l ledgerRepo) insertApart(ctx context.Context, e crm.Entry, postings [][]any) (bool, error) {
	inserted, err := l.entries().insertRow(ctx, e)
	if err != nil || !inserted {
		return false, err
	}
	rows := records[postingRow]{postingTable, l.t}
	for _, p := range postings {
		if err := rows.insertValues(ctx, [][]any{p}); err != nil {
			return false, err
		}
	}
	return true, nil
}

// postingTypes are the PostgreSQL types of postingTable's written
// columns, in order: the VALUES list of insertTogether, which feeds no
// INSERT directly, names them.
var postingTypes = []string{"uuid", "integer", "text", "uuid", "bigint", "text", "uuid", "date", "bigint", "bigint"}

// insertTogether writes an entry and its postings in one PostgreSQL
// statement, one round trip:
//
//	WITH entry AS (INSERT INTO entries (...) VALUES (...) ON CONFLICT DO NOTHING RETURNING id)
//	INSERT INTO postings (...) SELECT * FROM (VALUES (...), ...) v WHERE EXISTS (SELECT 1 FROM entry)
//
// The postings are written exactly when the entry is, which it reports.
func (l ledgerRepo) insertTogether(ctx context.Context, e crm.Entry, postings [][]any) (bool, error) {
	entries := l.entries()
	vals, err := entries.values(l.t.s, e)
	if err != nil {
		return false, err
	}
	rows := records[postingRow]{postingTable, l.t}
	typed := make([]string, len(postingTypes))
	for i, t := range postingTypes {
		typed[i] = "CAST(? AS " + t + ")"
	}
	row := "(" + strings.Join(typed, ", ") + ")"
	args := vals
	for _, p := range postings {
		args = append(args, p...)
	}
	query := "WITH entry AS (INSERT INTO " + entries.name() + " (" + strings.Join(entries.written(), ", ") + ") VALUES (" +
		placeholders(len(vals)) + ") ON CONFLICT DO NOTHING RETURNING id) INSERT INTO " + rows.name() + " (" +
		strings.Join(rows.written(), ", ") + ") SELECT * FROM (VALUES " +
		strings.TrimSuffix(strings.Repeat(row+", ", len(postings)), ", ") + ") v WHERE EXISTS (SELECT 1 FROM entry)"
	res, err := l.t.exec(ctx, query, args...)
	if err != nil {
		return false, l.t.s.dbErr("inserting an entry", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, l.t.s.dbErr("inserting an entry", err)
	}
	return n > 0, nil
}
