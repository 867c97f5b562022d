package sqlstore

import (
	"context"

	"github.com/crmkit/crm"
)

// userTable stores users.
var userTable = &recordTable[crm.User]{
	kind:  crm.KindUser,
	table: func(n names) string { return n.users },
	columns: []string{"id", "name", "email", "role", "team", "active", "created_at", "updated_at",
		"deactivated_at", "version"},
	id:      func(u crm.User) crm.ID { return u.ID },
	version: func(u crm.User) int64 { return u.Version },
	values: func(s *Store, u crm.User) ([]any, error) {
		return []any{idArg(u.ID), u.Name, u.Email, string(u.Role), u.Team, u.Active, s.timeArg(u.CreatedAt),
			s.timeArg(u.UpdatedAt), s.optionalTimeArg(u.DeactivatedAt), u.Version}, nil
	},
	dest: func(u *crm.User) []any {
		return []any{&u.ID, &u.Name, &u.Email, &u.Role, &u.Team, &u.Active, timeCol{&u.CreatedAt},
			timeCol{&u.UpdatedAt}, timeCol{&u.DeactivatedAt}, &u.Version}
	},
}

// userRepo implements crm.UserRepository in one transaction.
type userRepo struct{ repo[crm.User] }

// Get implements crm.UserReader; in a PostgreSQL write transaction it
// reads FOR SHARE, so that a change to the user waits until this
// transaction ends (see crm.UserRepository). SQLite's write transactions
// hold the whole database already.
func (r userRepo) Get(ctx context.Context, id crm.ID) (crm.User, error) {
	if !r.t.write || r.t.s.dialect != PostgreSQL {
		return r.get(ctx, id)
	}
	return r.getWhere(ctx, r.notFound(id), r.key()+" = ? FOR SHARE", idArg(id))
}

// LockAll implements crm.UserRepository: on PostgreSQL a lock on the table
// that conflicts with itself and with every row change; SQLite's write
// transactions hold the whole database already.
func (r userRepo) LockAll(ctx context.Context) error {
	if r.t.s.dialect != PostgreSQL {
		return nil
	}
	_, err := r.t.exec(ctx, "LOCK TABLE "+r.name()+" IN SHARE ROW EXCLUSIVE MODE")
	return r.t.s.dbErr("locking the users", err)
}

// List implements crm.UserReader with the rules of crm.UserFilter.Match.
func (r userRepo) List(ctx context.Context, f crm.UserFilter, page crm.PageRequest) ([]crm.User, error) {
	var w where
	w.addIf(f.Role != "", "role = ?", string(f.Role))
	w.addIf(f.Team != "", "team = ?", f.Team)
	if f.Active != nil {
		w.add("active = ?", *f.Active)
	}
	return r.list(ctx, w, page)
}
