package memory

import (
	"context"
	"errors"

	"github.com/crmkit/crm"
)

// ReadChecks implements crm.CheckReader: the actor, the customer's head
// (without copying their contacts, tags and attributes) and, as asked,
// the period lock and the touchpoint. Write transactions run one at a
// time, so nothing read can change before the write ends.
func (w writeTx) ReadChecks(ctx context.Context, r crm.CheckRequest) (crm.Checks, bool, error) {
	var out crm.Checks
	var err error
	found := func(err error) (bool, error) {
		if errors.Is(err, crm.ErrNotFound) {
			return false, nil
		}
		return err == nil, err
	}
	if out.Actor, err = w.Users().Get(ctx, r.Actor); err != nil {
		ok, err := found(err)
		return crm.Checks{}, ok, err
	}
	cu, ok := w.t.customers.peek(r.Customer)
	if !ok {
		return crm.Checks{}, false, nil
	}
	out.Customer = crm.Customer{ID: cu.ID, Owner: cu.Owner, Team: cu.Team, CreatedAt: cu.CreatedAt, RestrictedAt: cu.RestrictedAt}
	if r.PeriodLock {
		if out.PeriodLock, err = w.Accounting().PeriodLock(ctx); err != nil {
			return crm.Checks{}, false, err
		}
	}
	if !r.Map.IsZero() {
		if out.Touchpoint, err = w.TouchpointMaps().Touchpoint(ctx, r.Map, r.Touchpoint); err != nil {
			ok, err := found(err)
			return crm.Checks{}, ok, err
		}
	}
	return out, true, nil
}
