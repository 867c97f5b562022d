package crm

import "context"

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

// sealAfterWrite chains what a committed write appended, and whatever
// else is waiting, unless another seal is under way: that one, or the
// next write's, or the next read of the log, chains it. The write has
// committed, so a failure here is left for the next seal to repair.
func (c *engine) sealAfterWrite(ctx context.Context, appended int) {
	if c.sealer == nil || appended == 0 {
		return
	}
	_, _, _ = c.sealer.Seal(context.WithoutCancel(ctx), false, sealBatch, chain)
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
