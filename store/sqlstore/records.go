package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"

	"github.com/crmkit/crm"
)

// recordTable maps a record type to its table. records[T] implements the
// rules every record shares: get by ID, insert of a new ID, keyset
// listing, and for versioned records (version set) the version rules of
// customers and users, the same as store/memory's.
type recordTable[T any] struct {
	kind    crm.Kind
	table   func(names) string
	columns []string // the primary key first: "id", or the customer's ID for ladder states
	// derived are columns written after columns but never read back:
	// what the analytics add up, computed from the record.
	derived []string
	id      func(T) crm.ID
	// version returns the record's version; nil for append-only records,
	// which are never updated.
	version func(T) int64
	// values returns the column values of v, in the order of columns
	// then derived.
	values func(s *Store, v T) ([]any, error)
	// dest returns where Scan puts the columns, in columns order.
	dest func(v *T) []any
	// saved runs after v was inserted or updated, in the same transaction.
	saved func(ctx context.Context, t *txn, v T, inserted bool) error
}

// repo gives a repository of versioned records its Get, Insert and
// Update; each repository embeds it and adds its listing.
type repo[T any] struct{ records[T] }

func newRepo[T any](table *recordTable[T], t *txn) repo[T] { return repo[T]{records[T]{table, t}} }

// Get returns the record, or a *crm.NotFoundError.
func (r repo[T]) Get(ctx context.Context, id crm.ID) (T, error) { return r.get(ctx, id) }

// Insert adds a new record, which must have version 1; an existing ID is
// a *crm.ConflictError.
func (r repo[T]) Insert(ctx context.Context, v T) error { return r.insert(ctx, v) }

// Update replaces the record whose stored version is v's version - 1; any
// other stored version is a *crm.ConflictError, a missing record a
// *crm.NotFoundError.
func (r repo[T]) Update(ctx context.Context, v T) error { return r.update(ctx, v) }

// records is a recordTable in one transaction.
type records[T any] struct {
	*recordTable[T]
	t *txn
}

func (r records[T]) name() string { return r.table(r.t.s.names) }

func (r records[T]) selectSQL() string {
	return "SELECT " + strings.Join(r.columns, ", ") + " FROM " + r.name()
}

// key is the primary key column.
func (r records[T]) key() string { return r.columns[0] }

// written are the columns an insert or update writes.
func (r records[T]) written() []string { return slices.Concat(r.columns, r.derived) }

func (r records[T]) notFound(id crm.ID) error {
	return &crm.NotFoundError{Kind: r.kind, ID: id.String()}
}

func (r records[T]) exists(id crm.ID) error {
	return &crm.ConflictError{Kind: r.kind, ID: id.String(), Detail: "already exists"}
}

func (r records[T]) get(ctx context.Context, id crm.ID) (T, error) {
	return r.getWhere(ctx, r.notFound(id), r.key()+" = ?", idArg(id))
}

// getWhere returns the one record passing cond, or notFound.
func (r records[T]) getWhere(ctx context.Context, notFound error, cond string, args ...any) (T, error) {
	var v T
	err := r.t.queryRow(ctx, r.selectSQL()+" WHERE "+cond, args...).Scan(r.dest(&v)...)
	if errors.Is(err, sql.ErrNoRows) {
		return v, notFound
	}
	if err != nil {
		var zero T
		return zero, r.t.s.dbErr("reading "+string(r.kind), err)
	}
	return v, nil
}

// storedVersion returns the version of the record id, or found false.
func (r records[T]) storedVersion(ctx context.Context, id crm.ID) (version int64, found bool, err error) {
	err = r.t.queryRow(ctx, "SELECT version FROM "+r.name()+" WHERE "+r.key()+" = ?", idArg(id)).Scan(&version)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, r.t.s.dbErr("reading the version of "+string(r.kind), err)
	}
	return version, true, nil
}

// found reports whether a record with the ID is stored.
func (r records[T]) found(ctx context.Context, id crm.ID) (bool, error) {
	var n int
	err := r.t.queryRow(ctx, "SELECT count(*) FROM "+r.name()+" WHERE "+r.key()+" = ?", idArg(id)).Scan(&n)
	return n > 0, r.t.s.dbErr("looking up "+string(r.kind), err)
}

// insert adds v, which must have a new ID and, when versioned, version 1.
func (r records[T]) insert(ctx context.Context, v T) error {
	id := r.id(v)
	if r.version != nil {
		if version := r.version(v); version != 1 {
			_, found, err := r.storedVersion(ctx, id)
			if err != nil {
				return err
			}
			if found {
				return r.exists(id)
			}
			return &crm.ConflictError{Kind: r.kind, ID: id.String(), Expected: version - 1, Detail: "a new record has version 1"}
		}
	}
	inserted, err := r.insertRow(ctx, v)
	if err != nil {
		return err
	}
	if !inserted {
		return r.exists(id)
	}
	return r.afterSave(ctx, v, true)
}

// insertRow adds v unless it breaks a unique constraint, and reports
// whether it did. It uses ON CONFLICT DO NOTHING rather than catching the
// duplicate key, so that a PostgreSQL transaction stays usable after the
// conflict.
func (r records[T]) insertRow(ctx context.Context, v T) (bool, error) {
	vals, err := r.values(r.t.s, v)
	if err != nil {
		return false, err
	}
	res, err := r.t.execLater(ctx, 1, r.name()+" "+idArg(r.id(v)), "INSERT INTO "+r.name()+" ("+strings.Join(r.written(), ", ")+") VALUES ("+
		placeholders(len(vals))+") ON CONFLICT DO NOTHING", vals...)
	if r.t.s.dialect.isUniqueViolation(err) {
		return false, nil
	}
	if err != nil {
		return false, r.t.s.dbErr("inserting "+string(r.kind), err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, r.t.s.dbErr("inserting "+string(r.kind), err)
	}
	return n > 0, nil
}

// insertAll adds vs, many rows to a statement; a duplicate key is an
// error. It is for rows the store replaces wholesale, such as a map's
// resolved touchpoints.
func (r records[T]) insertAll(ctx context.Context, vs []T) error {
	rows, err := r.rowValues(vs)
	if err != nil {
		return err
	}
	return r.insertValues(ctx, rows)
}

// rowValues returns the column values of each of vs, or the first value
// that cannot be stored: with it, rows can be checked before anything is
// written.
func (r records[T]) rowValues(vs []T) ([][]any, error) {
	rows := make([][]any, len(vs))
	for i, v := range vs {
		vals, err := r.values(r.t.s, v)
		if err != nil {
			return nil, err
		}
		rows[i] = vals
	}
	return rows, nil
}

// insertValues adds rows of rowValues, many to a statement.
func (r records[T]) insertValues(ctx context.Context, rows [][]any) error {
	_, err := r.insertChunks(ctx, rows, "")
	return err
}

// insertChunks adds rows of rowValues, many to a statement ending in
// suffix (say, ON CONFLICT DO NOTHING), and returns the rows inserted.
func (r records[T]) insertChunks(ctx context.Context, rows [][]any, suffix string) (int64, error) {
	var inserted int64
	cols := r.written()
	batch := max(1, maxBatchParams/len(cols))
	row := "(" + placeholders(len(cols)) + ")"
	for start := 0; start < len(rows); start += batch {
		chunk := rows[start:min(start+batch, len(rows))]
		args := make([]any, 0, len(chunk)*len(cols))
		for _, vals := range chunk {
			args = append(args, vals...)
		}
		list := strings.TrimSuffix(strings.Repeat(row+", ", len(chunk)), ", ")
		query := "INSERT INTO " + r.name() + " (" + strings.Join(cols, ", ") + ") VALUES " + list + suffix
		var (
			res sql.Result
			err error
		)
		if suffix == "" { // every row is inserted, or the statement fails
			res, err = r.t.execLater(ctx, int64(len(chunk)), "", query, args...)
		} else {
			res, err = r.t.exec(ctx, query, args...)
		}
		if err != nil {
			return 0, r.t.s.dbErr("inserting "+string(r.kind), err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return 0, r.t.s.dbErr("inserting "+string(r.kind), err)
		}
		inserted += n
	}
	return inserted, nil
}

// maxBatchParams bounds the parameters of one insertAll statement, well
// under SQLite's limit (32766) and PostgreSQL's (65535).
const maxBatchParams = 4000

// update replaces the record whose stored version is v's version - 1.
func (r records[T]) update(ctx context.Context, v T) error {
	return r.updateFrom(ctx, v, r.version(v)-1)
}

// updateFrom replaces the record whose stored version is from.
func (r records[T]) updateFrom(ctx context.Context, v T, from int64) error {
	id := r.id(v)
	vals, err := r.values(r.t.s, v)
	if err != nil {
		return err
	}
	set := make([]string, 0, len(vals)-1)
	for _, c := range r.written()[1:] {
		set = append(set, c+" = ?")
	}
	args := append(vals[1:], idArg(id), from)
	res, err := r.t.execLater(ctx, 1, r.name()+" "+idArg(id), "UPDATE "+r.name()+" SET "+strings.Join(set, ", ")+" WHERE "+r.key()+" = ? AND version = ?", args...)
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
		return &crm.ConflictError{Kind: r.kind, ID: id.String(), Expected: from, Actual: stored}
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
	w.add(r.key()+" > ?", idArg(page.After))
	return r.query(ctx, w.sql()+" ORDER BY "+r.key()+" LIMIT ?", append(w.args, page.Limit)...)
}

// query returns the records that rest (WHERE, ORDER BY and so on)
// selects.
func (r records[T]) query(ctx context.Context, rest string, args ...any) ([]T, error) {
	rows, err := r.t.query(ctx, r.selectSQL()+rest, args...)
	if err != nil {
		return nil, r.t.s.dbErr("reading "+string(r.kind), err)
	}
	return collect(rows, r.dest, r.t.s.dbErr, "reading "+string(r.kind))
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

// add appends cond, which has a '?' for each of args.
func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

// addIf adds cond when the filter field is set.
func (w *where) addIf(set bool, cond string, args ...any) {
	if set {
		w.add(cond, args...)
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
