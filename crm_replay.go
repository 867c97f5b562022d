package crm

import "context"

// postedWith returns the entries matching f that the command which posted
// first posted along with it, in the order they were posted: first is
// the entry a command's idempotency key is kept on, and a retry with the
// key finds the rest of what that command returned here. An entry belongs
// to the command when it was recorded in the same write (the same
// RecordedAt and RecordedBy) from the same request (the same RequestHash:
// every entry a command posts carries the digest of its request, see
// post); later commands, even in the same microsecond, post other
// requests. first itself is left out.
func (c *engine) postedWith(ctx context.Context, first Entry, f EntryFilter) ([]Entry, error) {
	var out []Entry
	err := c.store.View(ctx, func(tx ReadTx) error {
		var err error
		out, err = postedIn(ctx, tx.Ledger(), first, f)
		return err
	})
	return out, err
}

// postedIn is postedWith in a transaction.
func postedIn(ctx context.Context, l LedgerReader, first Entry, f EntryFilter) ([]Entry, error) {
	var out []Entry
	es, err := allEntries(ctx, l, f)
	for _, e := range es {
		if e.ID != first.ID && e.RequestHash == first.RequestHash && e.RecordedBy == first.RecordedBy &&
			e.RecordedAt.Equal(first.RecordedAt) {
			out = append(out, e)
		}
	}
	return out, err
}
