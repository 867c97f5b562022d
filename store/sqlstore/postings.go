package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/crmkit/crm"
)

// postingRow is a row of postings: one posting of an entry, with what the
// sums filter and bucket on.
type postingRow struct {
	entry        crm.ID
	seq          int
	effectiveDay int64 // the entry's
	crm.Posting
}

// postingTable stores the postings of entries, written with their entry
// and never changed. customer_id and item_id hold the zero UUID for none,
// as every ID column does; due_day is the due date as a day number (the
// zero date's included, see dayNumber).
var postingTable = &recordTable[postingRow]{
	kind:    crm.KindEntry,
	table:   func(n names) string { return n.postings },
	columns: []string{"entry_id", "seq", "account", "customer_id", "amount_minor", "currency", "item_id", "due"},
	derived: []string{"due_day", "effective_day"},
	values: func(_ *Store, p postingRow) ([]any, error) {
		field := postingField(p.seq)
		minor, currency, err := moneyArgs(field.amount, p.Amount)
		if err != nil {
			return nil, err
		}
		due, err := dateArg(field.due, p.Due)
		if err != nil {
			return nil, err
		}
		return []any{idArg(p.entry), p.seq, string(p.Account), idArg(p.Customer), minor, currency, idArg(p.Item), due,
			dayNumber(p.Due), p.effectiveDay}, nil
	},
	dest: func(p *postingRow) []any {
		minor, currency := money(&p.Amount)
		return []any{&p.entry, &p.seq, &p.Account, &p.Customer, minor, currency, &p.Item, &p.Due}
	},
}

// postingFields name the fields of the first postings of an entry in
// errors, made once.
var postingFields = func() (fs [8]struct{ amount, due string }) {
	for i := range fs {
		fs[i].amount, fs[i].due = fmt.Sprintf("postings[%d].amount", i), fmt.Sprintf("postings[%d].due", i)
	}
	return fs
}()

// postingField names the fields of an entry's posting seq in errors.
func postingField(seq int) struct{ amount, due string } {
	if seq >= 0 && seq < len(postingFields) {
		return postingFields[seq]
	}
	return struct{ amount, due string }{fmt.Sprintf("postings[%d].amount", seq), fmt.Sprintf("postings[%d].due", seq)}
}

// postingRows returns the rows of e's postings, checked: nothing of an
// entry whose postings cannot all be kept is written.
func (t *txn) postingRows(e crm.Entry) ([][]any, error) {
	rows := make([]postingRow, len(e.Postings))
	for i, p := range e.Postings {
		rows[i] = postingRow{entry: e.ID, seq: i, effectiveDay: dayNumber(e.Effective), Posting: p}
	}
	return records[postingRow]{postingTable, t}.rowValues(rows)
}

// postingsCol scans an entry's postings column, the number of its
// postings: NULL leaves the list nil, a count makes room for that many,
// which withPostings then reads.
type postingsCol struct{ dst *[]crm.Posting }

func (c postingsCol) Scan(src any) error {
	var n sql.NullInt64
	if err := n.Scan(src); err != nil {
		return fmt.Errorf("sqlstore: reading an entry's posting count: %w", err)
	}
	*c.dst = nil
	if n.Valid {
		*c.dst = make([]crm.Posting, 0, max(n.Int64, 0))
	}
	return nil
}

// postingCount is the postings column of an entry with ps.
func postingCount(ps []crm.Posting) any {
	if ps == nil {
		return nil
	}
	return len(ps)
}

// withPostings reads the postings of es, in order, into each entry,
// a few hundred entries to a query.
func (t *txn) withPostings(ctx context.Context, es []crm.Entry) ([]crm.Entry, error) {
	index := make(map[crm.ID]int, len(es))
	var ids []any
	for i, e := range es {
		if cap(e.Postings) > 0 {
			index[e.ID] = i
			ids = append(ids, idArg(e.ID))
		}
	}
	r := records[postingRow]{postingTable, t}
	for start := 0; start < len(ids); start += maxBatchParams {
		chunk := ids[start:min(start+maxBatchParams, len(ids))]
		rows, err := r.query(ctx, " WHERE entry_id IN ("+placeholders(len(chunk))+") ORDER BY entry_id, seq", chunk...)
		if err != nil {
			return nil, err
		}
		for _, p := range rows {
			e := &es[index[p.entry]]
			e.Postings = append(e.Postings, p.Posting)
		}
	}
	return es, nil
}
