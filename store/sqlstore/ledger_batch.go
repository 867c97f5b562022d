package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/crmkit/crm"
)

// The ledger's batch calls (crm.LedgerService.IssueInvoices and
// ReceivePayments): the idempotency keys of a batch read in a statement,
// its documents, entries and postings written many rows to a statement, its invoice numbers taken
// in one upsert. A row refused by a unique index is left out (ON CONFLICT
// DO NOTHING) and makes the call a *crm.ConflictError: the caller's
// transaction then rolls back.

// EntriesByKeys implements crm.LedgerReader.
func (l ledgerRepo) EntriesByKeys(ctx context.Context, keys []string) ([]crm.Entry, error) {
	keys = slices.DeleteFunc(slices.Clone(keys), func(k string) bool { return k == "" || !l.t.s.dialect.storable(k) })
	slices.Sort(keys)
	found, err := l.entries().queryIn(ctx, "idempotency_key", anys(slices.Compact(keys), func(k string) any { return k }),
		where{conds: []string{keyed}}, "")
	if err != nil || len(found) == 0 {
		return []crm.Entry{}, err
	}
	slices.SortFunc(found, func(a, b crm.Entry) int { return a.ID.Compare(b.ID) })
	return l.t.withPostings(ctx, found)
}

// AppendAll implements crm.LedgerRepository: the entries' rows, then
// their postings' rows, each in a few statements; what they add to what
// is open and to the balances is kept pending, as Append keeps it.
func (l ledgerRepo) AppendAll(ctx context.Context, entries []crm.Entry) error {
	if len(entries) == 0 {
		return nil
	}
	t := l.t
	rows, postings := make([][]any, 0, len(entries)), make([][]any, 0, 2*len(entries))
	for _, e := range entries {
		if t.pendingEntry(e.ID) {
			return entryExists(e.ID)
		}
		vals, err := entryTable.values(t.s, e)
		if err != nil {
			return err
		}
		ps, err := t.postingRows(e)
		if err != nil {
			return err
		}
		rows, postings = append(rows, vals), append(postings, ps...)
	}
	n, err := l.entries().insertChunks(ctx, rows, " ON CONFLICT DO NOTHING")
	if err != nil {
		return err
	}
	if n != int64(len(entries)) {
		return l.conflictOfAll(ctx, entries)
	}
	if err := (records[postingRow]{postingTable, t}).insertValues(ctx, postings); err != nil {
		return err
	}
	for _, e := range entries {
		t.appended(e.ID)
		t.pendOpen(e)
	}
	return nil
}

// conflictOfAll names the first of entries a unique index refused: one
// whose ID, key or reversal is stored, or else one whose key or reversal
// another of them has.
func (l ledgerRepo) conflictOfAll(ctx context.Context, entries []crm.Entry) error {
	keys, reversed := map[string]bool{}, map[crm.ID]bool{}
	var within error
	for _, e := range entries {
		err := l.conflict(ctx, e)
		var c *crm.ConflictError
		if errors.As(err, &c) && c.Detail != "conflicts with a stored entry" {
			return err
		}
		switch {
		case within != nil:
		case e.IdempotencyKey != "" && keys[e.IdempotencyKey]:
			within = &crm.ConflictError{Kind: crm.KindEntry, ID: e.ID.String(), Detail: "idempotency key already used"}
		case !e.Reverses.IsZero() && reversed[e.Reverses]:
			within = &crm.ConflictError{Kind: crm.KindEntry, ID: e.Reverses.String(), Detail: "already reversed"}
		}
		keys[e.IdempotencyKey], reversed[e.Reverses] = true, true
	}
	if within != nil {
		return within
	}
	return &crm.ConflictError{Kind: crm.KindEntry, ID: entries[0].ID.String(), Detail: "conflicts with a stored entry"}
}

// InsertAll implements crm.InvoiceRepository with Insert's conflicts.
func (r invoiceRepo) InsertAll(ctx context.Context, invoices []crm.Invoice) error {
	if len(invoices) == 0 {
		return nil
	}
	for _, i := range invoices {
		if i.Version != 1 {
			return r.insert(ctx, i) // Insert's conflict
		}
	}
	rows, err := r.rowValues(invoices)
	if err != nil {
		return err
	}
	n, err := r.insertChunks(ctx, rows, " ON CONFLICT DO NOTHING")
	if err != nil || n == int64(len(invoices)) {
		return err
	}
	numbers := map[string]bool{}
	for _, i := range invoices {
		if taken := r.numberTaken(ctx, i); taken != nil {
			return taken
		}
		if i.Number != "" && numbers[i.Number] {
			return &crm.ConflictError{Kind: crm.KindInvoice, ID: i.ID.String(), Detail: fmt.Sprintf("number %s is another invoice's", i.Number)}
		}
		numbers[i.Number] = true
	}
	return &crm.ConflictError{Kind: crm.KindInvoice, ID: invoices[0].ID.String(), Detail: "an ID already used"}
}

// InsertAll implements crm.CreditRepository: a row an index refuses (an
// ID or a credit note's number taken) is a *crm.ConflictError.
func (r creditRepo) InsertAll(ctx context.Context, credits []crm.Credit) error {
	for _, c := range credits {
		if c.Version != 1 {
			return r.insert(ctx, c) // Insert's conflict
		}
	}
	return r.insertNew(ctx, credits, "an ID or number already used")
}

// NextNumbers implements crm.AccountingRepository with one upsert, which
// holds the series' row until the transaction ends.
func (a accountingRepo) NextNumbers(ctx context.Context, series string, year int, n int) (int64, error) {
	if n < 1 {
		return 0, &crm.ValidationError{Field: "n", Rule: "positive"}
	}
	var last int64
	err := a.t.queryRow(ctx, "INSERT INTO "+a.t.s.names.numberSeries+" (series, year, last) VALUES (?, ?, ?) "+
		"ON CONFLICT (series, year) DO UPDATE SET last = "+a.t.s.names.numberSeries+".last + excluded.last RETURNING last", series, year, n).Scan(&last)
	if err != nil {
		return 0, a.t.s.dbErr(fmt.Sprintf("taking the next %d numbers of series %s %d", n, series, year), err)
	}
	return last - int64(n) + 1, nil
}
