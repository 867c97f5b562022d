package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/crmkit/crm"
)

// accountingRepo implements crm.AccountingRepository: the one row of the
// lock date, and the numbering series.
type accountingRepo struct{ t *txn }

// PeriodLock implements crm.AccountingReader. In a PostgreSQL write
// transaction it holds the row FOR SHARE until the transaction ends:
// postings share it, a close waits for them.
func (a accountingRepo) PeriodLock(ctx context.Context) (crm.PeriodLock, error) {
	q := "SELECT locked_through, reason, updated_by, updated_at, version FROM " + a.t.s.names.periodLock + " WHERE id = 1"
	if a.t.write && a.t.s.dialect == PostgreSQL {
		q += " FOR SHARE"
	}
	var l crm.PeriodLock
	err := a.t.queryRow(ctx, q).Scan(&l.LockedThrough, &l.Reason, &l.UpdatedBy, timeCol{&l.UpdatedAt}, &l.Version)
	if err != nil {
		return crm.PeriodLock{}, a.t.s.dbErr("reading the period lock", err)
	}
	return l, nil
}

// SavePeriodLock implements crm.AccountingRepository.
func (a accountingRepo) SavePeriodLock(ctx context.Context, l crm.PeriodLock) error {
	through, err := dateArgs([]string{"locked_through"}, l.LockedThrough)
	if err != nil {
		return err
	}
	res, err := a.t.exec(ctx, "UPDATE "+a.t.s.names.periodLock+" SET locked_through = ?, reason = ?, updated_by = ?, updated_at = ?, "+
		"version = ? WHERE id = 1 AND version = ?", through[0], l.Reason, idArg(l.UpdatedBy), a.t.s.optionalTimeArg(l.UpdatedAt),
		l.Version, l.Version-1)
	if err != nil {
		return a.t.s.dbErr("saving the period lock", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return a.t.s.dbErr("saving the period lock", err)
	} else if n == 0 {
		stored, err := a.PeriodLock(ctx)
		if err != nil {
			return err
		}
		return &crm.ConflictError{Kind: crm.KindPeriodLock, Expected: l.Version - 1, Actual: stored.Version}
	}
	return nil
}

// NextNumber implements crm.AccountingRepository with one upsert, which
// holds the series' row until the transaction ends.
func (a accountingRepo) NextNumber(ctx context.Context, series string, year int) (int64, error) {
	var n int64
	err := a.t.queryRow(ctx, "INSERT INTO "+a.t.s.names.numberSeries+" (series, year, last) VALUES (?, ?, 1) "+
		"ON CONFLICT (series, year) DO UPDATE SET last = "+a.t.s.names.numberSeries+".last + 1 RETURNING last", series, year).Scan(&n)
	if err != nil {
		return 0, a.t.s.dbErr(fmt.Sprintf("taking the next number of series %s %d", series, year), err)
	}
	return n, nil
}

// numberTaken tells a duplicate invoice number from a duplicate ID after
// an insert that changed nothing.
func (r invoiceRepo) numberTaken(ctx context.Context, inv crm.Invoice) error {
	if inv.Number == "" {
		return nil
	}
	var holder crm.ID
	err := r.t.queryRow(ctx, "SELECT id FROM "+r.t.s.names.invoices+" WHERE number = ? AND id <> ?", inv.Number, idArg(inv.ID)).Scan(&holder)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return r.t.s.dbErr("reading an invoice number", err)
	}
	return &crm.ConflictError{Kind: crm.KindInvoice, ID: inv.ID.String(), Detail: fmt.Sprintf("invoice number %q is taken by invoice %s", inv.Number, holder)}
}
