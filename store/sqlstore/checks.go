package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/crmkit/crm"
)

// customerHeadColumns are the columns of a customer crm.Checks reads:
// what a write decides on before it touches the customer's data. The
// contacts, tags and attributes (JSON) are left out.
var customerHeadColumns = []string{"id", "owner_id", "team", "created_at", "restricted_at"}

func customerHeadDest(c *crm.Customer) []any {
	return []any{&c.ID, &c.Owner, &c.Team, timeCol{&c.CreatedAt}, timeCol{&c.RestrictedAt}}
}

// ReadChecks implements crm.CheckReader: one statement joins the actor,
// the customer's head and, as asked, the period lock and the touchpoint.
// On PostgreSQL it holds the actor and the period lock FOR SHARE, as
// UserRepository.Get and AccountingReader.PeriodLock do in a write.
// When one of them is not stored, no row comes back: found false.
func (w writeTx) ReadChecks(ctx context.Context, r crm.CheckRequest) (crm.Checks, bool, error) {
	t := w.t
	var out crm.Checks
	dest := make([]any, 0, len(userTable.columns)+len(customerHeadColumns)+5+len(resolvedTable.columns))
	dest = append(append(dest, userTable.dest(&out.Actor)...), customerHeadDest(&out.Customer)...)
	args := []any{idArg(r.Actor), idArg(r.Customer)}
	variant := 0
	if r.PeriodLock {
		l := &out.PeriodLock
		dest = append(dest, &l.LockedThrough, &l.Reason, &l.UpdatedBy, timeCol{&l.UpdatedAt}, &l.Version)
		variant |= 1
	}
	if !r.Map.IsZero() {
		dest = append(dest, resolvedTable.dest(&out.Touchpoint)...)
		args = append(args, idArg(r.Map), r.Touchpoint)
		variant |= 2
	}
	err := t.queryRow(ctx, t.s.checks[variant], args...).Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return crm.Checks{}, false, nil
	}
	if err != nil {
		return crm.Checks{}, false, t.s.dbErr("reading a write's checks", err)
	}
	return out, true, nil
}

// checksSQL is the statement of ReadChecks, with the period lock and with
// a touchpoint as asked; on PostgreSQL it holds the actor and the period
// lock FOR SHARE (ReadChecks is for write transactions only).
func (s *Store) checksSQL(periodLock, touchpoint bool) string {
	n := s.names
	cols := append(prefixed("u.", userTable.columns), prefixed("c.", customerHeadColumns)...)
	from := n.users + " u, " + n.customers + " c"
	where := "u.id = ? AND c.id = ?"
	lock := "u"
	if periodLock {
		cols = append(cols, "p.locked_through", "p.reason", "p.updated_by", "p.updated_at", "p.version")
		from += ", " + n.periodLock + " p"
		where += " AND p.id = 1"
		lock += ", p"
	}
	if touchpoint {
		cols = append(cols, prefixed("t.", resolvedTable.columns)...)
		from += ", " + n.touchpoints + " t"
		where += " AND t.map_id = ? AND t.key = ?"
	}
	q := "SELECT " + strings.Join(cols, ", ") + " FROM " + from + " WHERE " + where
	if s.dialect == PostgreSQL {
		q += " FOR SHARE OF " + lock
	}
	return q
}

// prefixed returns the columns with a table alias before each.
func prefixed(alias string, columns []string) []string {
	out := make([]string, len(columns))
	for i, c := range columns {
		out[i] = alias + c
	}
	return out
}
