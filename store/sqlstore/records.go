package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/crmkit/crm"
)

// recordTable maps a versioned record type to its table; records[T]
// implements the version rules customers and users share, the same as
// store/memory's.
type recordTable[T any] struct {
	kind    crm.Kind
	table   func(names) string
	columns []string // "id" first
	key     func(T) (crm.ID, int64)
	// values returns the column values of v, in columns order.
	values func(s *Store, v T) ([]any, error)
	// dest returns where Scan puts the columns, in columns order.
	dest func(v *T) []any
	// saved runs after v was inserted or updated, in the same transaction.
	saved func(ctx context.Context, t *txn, v T, inserted bool) error
}

// records is a recordTable in one transaction.
type records[T any] struct {
	*recordTable[T]
	t *txn
}

func (r records[T]) name() string { return r.table(r.t.s.names) }

func (r records[T]) selectSQL() string {
	return "SELECT " + strings.Join(r.columns, ", ") + " FROM " + r.name()
}

func (r records[T]) notFound(id crm.ID) error {
	return &crm.NotFoundError{Kind: r.kind, ID: id.String()}
}

func (r records[T]) get(ctx context.Context, id crm.ID) (T, error) {
	var v T
	err := r.t.queryRow(ctx, r.selectSQL()+" WHERE id = ?", idArg(id)).Scan(r.dest(&v)...)
	if errors.Is(err, sql.ErrNoRows) {
		return v, r.notFound(id)
	}
	if err != nil {
		var zero T
		return zero, r.t.s.dbErr("reading "+string(r.kind), err)
	}
	return v, nil
}

// storedVersion returns the version of the record id, or found false.
func (r records[T]) storedVersion(ctx context.Context, id crm.ID) (version int64, found bool, err error) {
	err = r.t.queryRow(ctx, "SELECT version FROM "+r.name()+" WHERE id = ?", idArg(id)).Scan(&version)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, r.t.s.dbErr("reading the version of "+string(r.kind), err)
	}
	return version, true, nil
}

// insert adds v, which must have version 1 and a new ID. It uses ON
// CONFLICT DO NOTHING rather than catching the duplicate key, so that a
// PostgreSQL transaction stays usable after the conflict.
func (r records[T]) insert(ctx context.Context, v T) error {
	id, version := r.key(v)
	exists := &crm.ConflictError{Kind: r.kind, ID: id.String(), Detail: "already exists"}
	if version != 1 {
		_, found, err := r.storedVersion(ctx, id)
		if err != nil {
			return err
		}
		if found {
			return exists
		}
		return &crm.ConflictError{Kind: r.kind, ID: id.String(), Expected: version - 1, Detail: "a new record has version 1"}
	}
	vals, err := r.values(r.t.s, v)
	if err != nil {
		return err
	}
	res, err := r.t.exec(ctx, "INSERT INTO "+r.name()+" ("+strings.Join(r.columns, ", ")+") VALUES ("+
		placeholders(len(r.columns))+") ON CONFLICT (id) DO NOTHING", vals...)
	if r.t.s.dialect.isUniqueViolation(err) {
		return exists
	}
	if err != nil {
		return r.t.s.dbErr("inserting "+string(r.kind), err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return r.t.s.dbErr("inserting "+string(r.kind), err)
	} else if n == 0 {
		return exists
	}
	return r.afterSave(ctx, v, true)
}

// update replaces the record whose stored version is v's version - 1.
func (r records[T]) update(ctx context.Context, v T) error {
	id, version := r.key(v)
	vals, err := r.values(r.t.s, v)
	if err != nil {
		return err
	}
	set := make([]string, 0, len(r.columns)-1)
	for _, c := range r.columns[1:] {
		set = append(set, c+" = ?")
	}
	args := append(vals[1:], idArg(id), version-1)
	res, err := r.t.exec(ctx, "UPDATE "+r.name()+" SET "+strings.Join(set, ", ")+" WHERE id = ? AND version = ?", args...)
	if err != nil {
		return r.t.s.dbErr("updating "+string(r.kind), err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return r.t.s.dbErr("updating "+string(r.kind), err)
	}
	if n == 0 {
		stored, found, err := r.storedVersion(ctx, id)
		switch {
		case err != nil:
			return err
		case !found:
			return r.notFound(id)
		}
		return &crm.ConflictError{Kind: r.kind, ID: id.String(), Expected: version - 1, Actual: stored}
	}
	return r.afterSave(ctx, v, false)
}

func (r records[T]) afterSave(ctx context.Context, v T, inserted bool) error {
	if r.saved == nil {
		return nil
	}
	return r.saved(ctx, r.t, v, inserted)
}

// list returns a page of the records passing w, in ID order.
func (r records[T]) list(ctx context.Context, w where, page crm.PageRequest) ([]T, error) {
	page = page.Normalized()
	// The zero ID sorts before every other, so a zero After lists from
	// the start, as store/memory does.
	w.add("id > ?", idArg(page.After))
	rows, err := r.t.query(ctx, r.selectSQL()+w.sql()+" ORDER BY id LIMIT ?", append(w.args, page.Limit)...)
	if err != nil {
		return nil, r.t.s.dbErr("listing "+string(r.kind), err)
	}
	return collect(rows, r.dest, r.t.s.dbErr, "listing "+string(r.kind))
}

// collect scans every row and closes rows.
func collect[T any](rows *sql.Rows, dest func(*T) []any, wrap func(string, error) error, op string) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := rows.Scan(dest(&v)...); err != nil {
			return nil, wrap(op, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap(op, err)
	}
	return out, nil
}

// where collects the conditions of a filter and their parameters.
type where struct {
	conds []string
	args  []any
}

// add appends cond, which has one '?' for arg.
func (w *where) add(cond string, arg any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, arg)
}

// addIf adds cond when the filter field is set.
func (w *where) addIf(set bool, cond string, arg any) {
	if set {
		w.add(cond, arg)
	}
}

func (w where) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}
