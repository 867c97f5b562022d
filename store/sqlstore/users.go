package sqlstore

import (
	"context"
	"hash/fnv"

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

// Get implements crm.UserReader. In a PostgreSQL write transaction it
// first takes the user's lock (userLock) shared, in a statement of its
// own, and then reads the user: a change to the user (Update takes the
// lock exclusive) waits until this transaction ends, and one that
// committed before this transaction got the lock is what the read, a
// later statement with a later snapshot at READ COMMITTED, finds (see
// crm.UserRepository). An advisory lock lives in the server's lock table
// only: unlike the FOR SHARE row lock it replaces, taking it writes
// nothing to the row or the write-ahead log, and many writers acting as
// one user do not share a multixact on its row. SQLite's write
// transactions hold the whole database already.
func (r userRepo) Get(ctx context.Context, id crm.ID) (crm.User, error) {
	if r.t.write && r.t.s.dialect == PostgreSQL {
		if err := r.lock(ctx, id, "pg_advisory_xact_lock_shared"); err != nil {
			return crm.User{}, err
		}
	}
	return r.get(ctx, id)
}

// Update implements crm.UserRepository. On PostgreSQL it first takes the
// user's lock exclusive: it waits for every write in flight that read the
// user (Get), and writes that read the user after it wait until it ends,
// then read what it wrote. Two changes of one user at once both hold the
// lock shared, from reading the user, when they ask for it exclusive: one
// of them fails as a deadlock, a transient error, and is retried.
func (r userRepo) Update(ctx context.Context, u crm.User) error {
	if r.t.s.dialect == PostgreSQL {
		if err := r.lock(ctx, u.ID, "pg_advisory_xact_lock"); err != nil {
			return err
		}
	}
	return r.update(ctx, u)
}

// lock takes the user's transaction-level advisory lock with fn, shared
// or exclusive, until the transaction ends. The lock's key is a hash of
// the users table's name and of the ID, in PostgreSQL's two-int4 key space
// (which never meets the one-bigint keys of migrations): two users or two
// stores whose keys collide only wait for each other's changes.
func (r userRepo) lock(ctx context.Context, id crm.ID, fn string) error {
	table, user := fnv.New32a(), fnv.New32a()
	_, _ = table.Write([]byte(r.name()))
	_, _ = user.Write(id[:])
	_, err := r.t.exec(ctx, "SELECT "+fn+"(?, ?)", int32(table.Sum32()), int32(user.Sum32()))
	return r.t.s.dbErr("locking the user", err)
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
