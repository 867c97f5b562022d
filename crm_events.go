package crm

import (
	"context"
	"iter"
)

// The log is read two ways. People read it as themselves, with the
// policy's say (ActionAudit): List and Page. Systems that follow it (an
// outbox, a search index, a warehouse) read it with no actor, through
// FeedPage and Feed, whose names say so: the embedding application decides
// which of its parts may call them.

// FeedPage returns up to limit events after the cursor seq (0 for the
// start of the log), in log order, to a system. A system that follows the
// log stores the Seq of the last event it has processed and passes it
// back: it gets every event at least once, in commit order, with no gaps.
func (c *EventService) FeedPage(ctx context.Context, seq int64, limit int) ([]Event, error) {
	return c.upToHead(c.eventsAfter)(ctx, seq, limit)
}

// Feed iterates the log after seq, to a system, a page per read
// transaction.
func (c *EventService) Feed(ctx context.Context, seq int64) iter.Seq2[Event, error] {
	return c.events(ctx, seq, c.upToHead(c.eventsAfter))
}

// Page returns up to limit events after the cursor seq, in log order, to
// an actor the policy lets audit.
func (c *EventService) Page(ctx context.Context, actor ID, seq int64, limit int) ([]Event, error) {
	return c.upToHead(c.auditedAfter(actor))(ctx, seq, limit)
}

// List iterates the log after seq, to an actor the policy lets audit.
func (c *EventService) List(ctx context.Context, actor ID, seq int64) iter.Seq2[Event, error] {
	return c.events(ctx, seq, c.upToHead(c.auditedAfter(actor)))
}

// logPageReader reads up to limit events after seq.
type logPageReader func(ctx context.Context, seq int64, limit int) ([]Event, error)

// upToHead returns read cut at the head of the log as logHead finds it
// on read's first call: on a store that seals the log, the events sealed,
// and durable, by then. Elsewhere it is read itself.
func (c *engine) upToHead(read logPageReader) logPageReader {
	if c.sealer == nil {
		return read
	}
	var head *LogHead
	return func(ctx context.Context, seq int64, limit int) ([]Event, error) {
		if head == nil {
			h, err := c.logHead(ctx)
			if err != nil {
				return nil, err
			}
			head = &h
		}
		events, err := read(ctx, seq, limit)
		for i, e := range events {
			if e.Seq > head.Seq {
				return events[:i], err
			}
		}
		return events, err
	}
}

// auditedAfter reads a page of the log as actor, who must be allowed to
// audit.
func (c *engine) auditedAfter(actor ID) logPageReader {
	return func(ctx context.Context, seq int64, limit int) ([]Event, error) {
		var out []Event
		err := c.read(ctx, actor, func(tx ReadTx, a User) error {
			if err := c.policy.Authorize(a, ActionAudit, Target{Kind: KindEvent}); err != nil {
				return err
			}
			var err error
			out, err = tx.Events().After(ctx, seq, PageRequest{Limit: limit}.Normalized().Limit)
			return err
		})
		return out, err
	}
}

func (c *engine) eventsAfter(ctx context.Context, seq int64, limit int) ([]Event, error) {
	limit = PageRequest{Limit: limit}.Normalized().Limit
	var out []Event
	err := c.store.View(ctx, func(tx ReadTx) error {
		var err error
		out, err = tx.Events().After(ctx, seq, limit)
		return err
	})
	return out, err
}

// events iterates the log after seq with read, a page at a time.
func (c *engine) events(ctx context.Context, seq int64, read logPageReader) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		for {
			events, err := read(ctx, seq, iterPageSize)
			if err != nil {
				yield(Event{}, err)
				return
			}
			for _, e := range events {
				if !yield(e, nil) {
					return
				}
				seq = e.Seq
			}
			if len(events) < iterPageSize {
				return
			}
		}
	}
}

// History returns the audit trail of one customer, oldest first, to an
// actor who may read the customer.
func (c *CustomerService) History(ctx context.Context, actor, customer ID) ([]Event, error) {
	if err := c.sealAll(ctx); err != nil {
		return nil, err
	}
	var out []Event
	err := c.readCustomer(ctx, actor, customer, func(tx ReadTx, _ Customer) error {
		var err error
		out, err = tx.Events().Subject(ctx, KindCustomer, customer)
		return err
	})
	return out, err
}

// Verify checks the hash chain from the first event to the head stored
// when it starts, a page at a time. It returns the verified head, or a
// *ChainError naming the first event that does not verify.
func (c *EventService) Verify(ctx context.Context) (LogHead, error) {
	return c.verifyFrom(ctx, LogHead{})
}

// verifyFrom checks the chain from a trusted position to the head stored
// when it starts.
func (c *engine) verifyFrom(ctx context.Context, from LogHead) (LogHead, error) {
	head, err := c.logHead(ctx)
	if err != nil {
		return LogHead{}, err
	}
	if head.Seq < from.Seq {
		return LogHead{}, &ChainError{Seq: from.Seq, Problem: "the stored head is behind the position verified from"}
	}
	v := &chainVerifier{head: from}
	for v.head.Seq < head.Seq {
		events, err := c.eventsAfter(ctx, v.head.Seq, MaxPageSize)
		if err != nil {
			return v.head, err
		}
		if len(events) == 0 {
			return v.head, &ChainError{Seq: v.head.Seq + 1, Problem: "event missing before the stored head"}
		}
		for _, e := range events {
			if e.Seq > head.Seq {
				break
			}
			if err := v.next(e); err != nil {
				return v.head, err
			}
		}
	}
	if v.head != head {
		return v.head, &ChainError{Seq: head.Seq, Problem: "stored head does not match the last event"}
	}
	return head, v.done()
}

// Subscribe registers s, which hears of every write's events after it
// commits, and returns a function that removes it.
func (c *EventService) Subscribe(s Subscriber) (unsubscribe func()) { return c.subscribe(s) }
