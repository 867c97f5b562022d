package storetest

import (
	"errors"
	"fmt"
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// closePeriod has finance close the books through a day of the last weeks
// (now and then back to an earlier day: a reopening), or refuses a close
// through today, without a reason, through the day already closed, with a
// stale version, or by a rep. The model then refuses every command dated on
// or before the lock (locked).
func (p *prop) closePeriod() propCmd {
	today := p.today()
	r := crm.ClosePeriodRequest{Through: today.AddDays(-(1 + p.pick(35))), Reason: fmt.Sprintf("Books closed at step %d", p.step)}
	if !p.m.lock.IsZero() && r.Through == p.m.lock {
		r.Through = r.Through.AddDays(-1)
	}
	if p.chance(0.5) {
		r.IfVersion = p.m.lockVersion
	}
	actor := func(b *books) crm.ID { return b.fin.ID }
	c := propCmd{}
	switch p.bad(5) {
	case 0:
		r.Through, c.want = today, crm.ErrInvalid
	case 1:
		r.Reason, c.want = "", crm.ErrInvalid
	case 2:
		if p.m.lock.IsZero() {
			r.Through, c.want = today, crm.ErrInvalid
		} else {
			r.Through, c.want = p.m.lock, crm.ErrInvalid
		}
	case 3:
		r.IfVersion, c.want = p.m.lockVersion+1, crm.ErrConflict
	case 4:
		actor, c.want = func(b *books) crm.ID { return b.Ann.ID }, crm.ErrForbidden
	}
	c.name = fmt.Sprintf("close: %+v, closed through %s", r, p.m.lock)
	c.run = func(b *books) (any, error) { return b.Ledger.ClosePeriod(bg, actor(b), r) }
	c.apply = func(v any) {
		lock := v.(crm.PeriodLock)
		assert.Equal(p.t, r.Through, lock.LockedThrough, p.msg("the books are closed through the day asked"))
		assert.Equal(p.t, p.m.lockVersion+1, lock.Version, p.msg("each move is a version"))
		p.m.lock, p.m.lockVersion = lock.LockedThrough, lock.Version
	}
	return c
}

// locked returns a command as the period lock has it: one that posts on a
// day the books are closed through is refused with a *crm.PeriodClosedError
// naming the lock, and changes nothing. A command that is refused anyway
// may be refused for either reason: the CRM checks the lock when it posts,
// after the input and before what is open. Retries return the first
// result, closed period or not, and reversals count on today.
func (p *prop) locked(c propCmd) propCmd {
	lock := p.m.lock
	if c.retry || c.day.IsZero() || lock.IsZero() || c.day.After(lock) {
		return c
	}
	c.name += fmt.Sprintf(" (closed through %s)", lock)
	if c.want != nil {
		c.alt = crm.ErrPeriodClosed
		return c
	}
	day := c.day
	c.want = crm.ErrPeriodClosed
	c.check = func(t *testing.T, err error) {
		var closed *crm.PeriodClosedError
		require.True(t, errors.As(err, &closed), p.msg("a *PeriodClosedError, not %v", err))
		assert.Equal(t, crm.PeriodClosedError{Effective: day, LockedThrough: lock}, *closed, p.msg("the error names the day and the lock"))
		assert.ErrorIs(t, err, crm.ErrInvalid, p.msg("a closed period is bad input"))
	}
	return c
}
