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
var customerHeadColumns = []string{"id", "kind", "owner_id", "team", "status", "created_at", "version", "restricted_at"}

func customerHeadDest(c *crm.Customer) []any {
	return []any{&c.ID, &c.Kind, &c.Owner, &c.Team, &c.Status, timeCol{&c.CreatedAt}, &c.Version, timeCol{&c.RestrictedAt}}
}

// ReadChecks implements crm.CheckReader: one statement joins the actor,
// the customer's head and, as asked, the period lock and the touchpoint.
// In a PostgreSQL write transaction it holds the actor and the period lock
// FOR SHARE, as UserRepository.Get and AccountingReader.PeriodLock do.
// When one of them is not stored, no row comes back: found false.
func (w writeTx) ReadChecks(ctx context.Context, r crm.CheckRequest) (crm.Checks, bool, error) {
	t := w.t
	n := t.s.names
	var out crm.Checks
	cols := prefixed("u.", userTable.columns)
	dest := userTable.dest(&out.Actor)
	cols = append(cols, prefixed("c.", customerHeadColumns)...)
	dest = append(dest, customerHeadDest(&out.Customer)...)
	from := n.users + " u, " + n.customers + " c"
	where := "u.id = ? AND c.id = ?"
	args := []any{idArg(r.Actor), idArg(r.Customer)}
	lock := "u"
	if r.PeriodLock {
		l := &out.PeriodLock
		cols = append(cols, "p.locked_through", "p.reason", "p.updated_by", "p.updated_at", "p.version")
		dest = append(dest, &l.LockedThrough, &l.Reason, &l.UpdatedBy, timeCol{&l.UpdatedAt}, &l.Version)
		from += ", " + n.periodLock + " p"
		where += " AND p.id = 1"
		lock += ", p"
	}
	if !r.Map.IsZero() {
		cols = append(cols, prefixed("t.", resolvedTable.columns)...)
		dest = append(dest, resolvedTable.dest(&out.Touchpoint)...)
		from += ", " + n.touchpoints + " t"
		where += " AND t.map_id = ? AND t.key = ?"
		args = append(args, idArg(r.Map), r.Touchpoint)
	}
	q := "SELECT " + strings.Join(cols, ", ") + " FROM " + from + " WHERE " + where
	if t.write && t.s.dialect == PostgreSQL {
		q += " FOR SHARE OF " + lock
	}
	err := t.queryRow(ctx, q, args...).Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return crm.Checks{}, false, nil
	}
	if err != nil {
		return crm.Checks{}, false, t.s.dbErr("reading a write's checks", err)
	}
	return out, true, nil
}

// prefixed returns the columns with a table alias before each.
func prefixed(alias string, columns []string) []string {
	out := make([]string, len(columns))
	for i, c := range columns {
		out[i] = alias + c
	}
	return out
}
