package crm

import (
	"context"
	"iter"
	"time"
)

// Bootstrap creates the first user, an admin, in an empty CRM. It fails
// with a *ConflictError once any user exists; from then on users are
// created by admins with Create. Run it once, when the CRM is set up, and
// keep the admin's ID where the application maps its logins to users: the
// CRM has no login of its own, and every later call names its actor by ID.
func (c *UserService) Bootstrap(ctx context.Context, in NewUser) (User, error) {
	in.Role = RoleAdmin
	var out User
	err := c.transact(ctx, func(w *writeTx) error {
		if err := w.tx.Users().LockAll(ctx); err != nil {
			return err
		}
		existing, err := w.tx.Users().List(ctx, UserFilter{}, PageRequest{Limit: 1})
		if err != nil {
			return err
		}
		if len(existing) > 0 {
			return stale{&ConflictError{Kind: KindUser, Detail: "bootstrap: the CRM already has users; bootstrap once, then act as a user by the ID Bootstrap or Create returned"}}
		}
		id, err := w.newID()
		if err != nil {
			return err
		}
		if out, err = in.build(id, w.now); err != nil {
			return err
		}
		w.actor = out
		if err := w.tx.Users().Insert(ctx, out); err != nil {
			return err
		}
		return w.record(UserCreated, KindUser, out.ID, out.Version, ChangeSet{Changes: diffUser(User{}, out), Reason: "bootstrap"})
	})
	return out, err
}

// Create adds a user; by default only admins may.
func (c *UserService) Create(ctx context.Context, actor ID, in NewUser) (User, error) {
	var out User
	err := c.write(ctx, actor, func(w *writeTx) error {
		id, err := w.newID()
		if err != nil {
			return err
		}
		if out, err = in.build(id, w.now); err != nil {
			return err
		}
		if err := w.authorize(ActionManageUsers, out.target()); err != nil {
			return err
		}
		if err := w.tx.Users().Insert(ctx, out); err != nil {
			return err
		}
		return w.record(UserCreated, KindUser, out.ID, out.Version, ChangeSet{Changes: diffUser(User{}, out)})
	})
	return out, err
}

// Update changes a user's name, e-mail, role or team. The records an
// active user owns follow them to a new team in the same transaction
// (customers, deals, activities, contracts), recorded once on the user
// (UserRecordsMoved); a deactivated user's keep theirs.
func (c *UserService) Update(ctx context.Context, actor ID, p UserPatch) (User, error) {
	return c.changeUser(ctx, actor, p.User, p.IfVersion, UserUpdated, "", func(u User) (User, error) { return p.apply(u) })
}

// Deactivate marks a user who has left. From then on they can neither
// change nor read anything; their customers keep them as owner until a
// manager hands them over (CustomerService.HandOver). Deactivating an
// inactive user changes nothing and records nothing.
func (c *UserService) Deactivate(ctx context.Context, actor ID, r DeactivateUserRequest) (User, error) {
	return c.changeUser(ctx, actor, r.User, 0, UserDeactivated, r.Reason, func(u User) (User, error) {
		if u.ID == actor {
			return User{}, invalid("user", "not_self", "a user cannot deactivate themselves")
		}
		u.Active = false
		return u, nil
	})
}

// Reactivate lets a deactivated user work again; their records follow
// them to the team they now have.
func (c *UserService) Reactivate(ctx context.Context, actor ID, r ReactivateUserRequest) (User, error) {
	return c.changeUser(ctx, actor, r.User, 0, UserReactivated, r.Reason, func(u User) (User, error) {
		u.Active = true
		return u, nil
	})
}

func (c *engine) changeUser(ctx context.Context, actor, id ID, ifVersion int64, typ EventType, reason string, change func(User) (User, error)) (User, error) {
	var out User
	err := c.write(ctx, actor, func(w *writeTx) error {
		before, err := w.tx.Users().Get(ctx, id)
		if err != nil {
			return err
		}
		if err := checkVersion(KindUser, id, ifVersion, before.Version); err != nil {
			return err
		}
		if err := w.authorize(ActionManageUsers, before.target()); err != nil {
			return err
		}
		after, err := change(before)
		if err != nil {
			return err
		}
		cs := diffUser(before, after)
		if len(cs) == 0 {
			out = before
			return nil
		}
		if err := w.keepAnAdmin(before, after); err != nil {
			return err
		}
		switch {
		case before.Active && !after.Active:
			after.DeactivatedAt = w.now
		case !before.Active && after.Active:
			after.DeactivatedAt = time.Time{}
		}
		after.UpdatedAt, after.Version = w.now, before.Version+1
		if err := w.tx.Users().Update(ctx, after); err != nil {
			return err
		}
		out = after
		if err := w.record(typ, KindUser, id, after.Version, ChangeSet{Changes: cs, Reason: reason}); err != nil {
			return err
		}
		return w.followTeam(before, after)
	})
	return out, err
}

// keepAnAdmin refuses a change that takes the last active admin away:
// nobody could manage users after it. It holds the directory of users
// meanwhile, so that two admins demoting each other at once cannot both
// pass.
func (w *writeTx) keepAnAdmin(before, after User) error {
	isAdmin := func(u User) bool { return u.Active && u.Role == RoleAdmin }
	if !isAdmin(before) || isAdmin(after) {
		return nil
	}
	if err := w.tx.Users().LockAll(w.ctx); err != nil {
		return err
	}
	active := true
	admins, err := w.tx.Users().List(w.ctx, UserFilter{Role: RoleAdmin, Active: &active}, PageRequest{Limit: 2})
	if err != nil {
		return err
	}
	if len(admins) < 2 {
		return invalid("user", "last_admin", "the last active admin stays one: make another admin first")
	}
	return nil
}

// Get returns a user. Any active user may read the directory of users.
func (c *UserService) Get(ctx context.Context, actor, id ID) (User, error) {
	var out User
	err := c.read(ctx, actor, func(tx ReadTx, _ User) error {
		var err error
		out, err = tx.Users().Get(ctx, id)
		return err
	})
	return out, err
}

// List lists the users matching f, in ID order, reading a page at a time.
func (c *UserService) List(ctx context.Context, actor ID, f UserFilter) iter.Seq2[User, error] {
	return iterate(c.userPages(ctx, actor, f))
}

// Page returns one page of users: the first for a zero PageQuery, the
// following ones for the Next of the page before.
func (c *UserService) Page(ctx context.Context, actor ID, f UserFilter, q PageQuery) (Page[User], error) {
	return page(c.userPages(ctx, actor, f), q)
}

func (c *engine) userPages(ctx context.Context, actor ID, f UserFilter) pageReader[User] {
	list := func(tx ReadTx, _ User, p PageRequest) ([]User, error) { return tx.Users().List(ctx, f, p) }
	return readPages(c, ctx, actor, list, func(u User) ID { return u.ID }, func(User, User) bool { return true })
}

func (u User) target() Target {
	return Target{Kind: KindUser, ID: u.ID, Owner: u.ID, Team: u.Team}
}
