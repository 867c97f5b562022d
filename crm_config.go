package crm

import (
	"context"
	"time"
)

// versioned is a configuration record as the generic update sees it: it
// can be read and replaced in a transaction, and it carries its version
// and the time it changed.
type versioned[T any] struct {
	kind    Kind
	target  Target
	get     func(Tx, context.Context, ID) (T, error)
	update  func(Tx, context.Context, T) error
	stamp   func(*T) (*time.Time, *int64)
	changed EventType
}

// updateConfig updates a versioned configuration record (a touchpoint map,
// a journey template, a pipeline): the actor may configure, the record is
// at the caller's version when one is named, change makes the next one,
// and a change that changes nothing records nothing.
func updateConfig[T any](c *engine, ctx context.Context, actor, id ID, ifVersion int64, v versioned[T],
	change func(w *writeTx, before T) (T, []Change, error)) (T, error) {
	var out T
	err := c.write(ctx, actor, func(w *writeTx) error {
		if err := w.authorize(ActionConfigure, v.target); err != nil {
			return err
		}
		before, err := v.get(w.tx, ctx, id)
		if err != nil {
			return err
		}
		_, version := v.stamp(&before)
		if err := checkVersion(v.kind, id, ifVersion, *version); err != nil {
			return err
		}
		after, cs, err := change(w, before)
		if err != nil || len(cs) == 0 {
			out = before
			return err
		}
		at, next := v.stamp(&after)
		*at, *next = w.now, *version+1
		if err := v.update(w.tx, ctx, after); err != nil {
			return err
		}
		out = after
		return w.record(v.changed, v.kind, id, *next, ChangeSet{Changes: cs})
	})
	return out, err
}
