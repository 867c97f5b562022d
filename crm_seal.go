package crm

import (
	"context"
	"sync/atomic"
)

// sealBatch is how many events one Seal chains at most.
const sealBatch = 256

// chain gives events their places after head: each its Seq, the hash of
// the one before and its own hash.
func chain(head LogHead, events []Event) {
	for i := range events {
		e := &events[i]
		e.Seq = head.Seq + 1
		e.PrevHash = head.Hash
		e.Hash = e.ComputeHash()
		head = LogHead{Seq: e.Seq, Hash: e.Hash}
	}
}

// sealGate lets one goroutine of a CRM seal after writes at a time:
// writes that commit while it seals leave their events to it, and it
// seals again for them, up to sealRounds times, so that under many
// writers one seal serves many writes instead of each write starting a
// seal that mostly finds the head taken.
type sealGate struct {
	running atomic.Bool // a goroutine is in sealAfterWrite's loop
	again   atomic.Bool // a write committed since the running seal began
}

// sealRounds bounds how many seals one write runs for others, so that
// its own return is not held up indefinitely under load.
const sealRounds = 3

// sealAfterWrite chains what a committed write appended, and whatever
// else is waiting, unless another seal is under way: that one (it seals
// again for this write, see sealGate), or the next write's, or the next
// read of the log, chains it. The write has committed, so a failure here
// is left for the next seal to repair.
func (c *engine) sealAfterWrite(ctx context.Context, appended int) {
	if c.sealer == nil || appended == 0 {
		return
	}
	ctx = context.WithoutCancel(ctx)
	c.seals.again.Store(true)
	for range sealRounds {
		if !c.seals.again.Load() || !c.seals.running.CompareAndSwap(false, true) {
			return // nothing new, or the running seal seals it
		}
		c.seals.again.Store(false)
		_, _, _ = c.sealer.Seal(ctx, false, sealBatch, chain)
		c.seals.running.Store(false)
	}
}

// sealAll seals every committed event on a store that seals the log, so
// that a read of the log that follows finds each in its place; elsewhere
// it does nothing.
func (c *engine) sealAll(ctx context.Context) error {
	if c.sealer == nil {
		return nil
	}
	_, err := c.logHead(ctx)
	return err
}

// logHead returns the head of the log to read up to. On a store that
// seals the log, it first seals every committed event, waiting for a seal
// under way, and returns the durable head that sealing left; otherwise it
// reads the head.
func (c *engine) logHead(ctx context.Context) (LogHead, error) {
	if c.sealer == nil {
		var head LogHead
		err := c.store.View(ctx, func(tx ReadTx) error {
			var err error
			head, err = tx.Events().Head(ctx)
			return err
		})
		return head, err
	}
	for {
		head, sealed, err := c.sealer.Seal(ctx, true, sealBatch, chain)
		if err != nil || sealed < sealBatch {
			return head, err
		}
	}
}
