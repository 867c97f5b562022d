package crm

import (
	"context"
	"iter"
)

// After returns up to limit events after the cursor seq (0 for the start
// of the log), in log order. A system that follows the log stores the Seq
// of the last event it has processed and passes it back: it gets every
// event at least once, in commit order, with no gaps.
//
// Reading the log is a system operation with no actor: the embedding
// application decides who may see the audit trail.
func (c *EventService) After(ctx context.Context, seq int64, limit int) ([]Event, error) {
	return c.eventsAfter(ctx, seq, limit)
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

// All iterates the log after seq, a page per read transaction.
func (c *EventService) All(ctx context.Context, seq int64) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		for {
			events, err := c.eventsAfter(ctx, seq, iterPageSize)
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
	var head LogHead
	err := c.store.View(ctx, func(tx ReadTx) error {
		var err error
		head, err = tx.Events().Head(ctx)
		return err
	})
	if err != nil {
		return LogHead{}, err
	}
	v := &chainVerifier{}
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
	return head, nil
}

// Subscribe registers s, which hears of every write's events after it
// commits, and returns a function that removes it.
func (c *EventService) Subscribe(s Subscriber) (unsubscribe func()) { return c.subscribe(s) }
