package crm

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
)

// matchEvents checks every entry against the ledger.posted event that
// recorded it, and every such event against its entry: the chain vouches
// for the events, and so, through them, for the ledger's rows. Editing
// both legs of an entry keeps it balanced but no longer what its event
// says; deleting an entry leaves its event without it.
func matchEvents(ctx context.Context, tx ReadTx, entries []Entry) error {
	posted := map[ID]Event{}
	for seq := int64(0); ; {
		events, err := tx.Events().After(ctx, seq, MaxPageSize)
		if err != nil {
			return err
		}
		for _, e := range events {
			if e.Type == LedgerPosted {
				posted[e.Subject] = e
			}
			seq = e.Seq
		}
		if len(events) < MaxPageSize {
			break
		}
	}
	for _, en := range entries {
		ev, ok := posted[en.ID]
		if !ok {
			// On a store that seals the log, a posting committed since the
			// log was sealed has its event still waiting for its place.
			if ev, ok = unsealedPosting(ctx, tx, en.ID); !ok {
				return &LedgerError{Entry: en.ID, Problem: "no ledger.posted event recorded this entry"}
			}
		}
		delete(posted, en.ID)
		var said entryEvent
		if err := json.Unmarshal(ev.Data, &said); err != nil {
			return &LedgerError{Entry: en.ID, Problem: fmt.Sprintf("its event #%d cannot be read", ev.Seq)}
		}
		if !said.matches(entryData(en)) {
			return &LedgerError{Entry: en.ID, Problem: fmt.Sprintf("the entry is not what its event #%d recorded", ev.Seq)}
		}
	}
	for id, ev := range posted {
		return &LedgerError{Entry: id, Problem: fmt.Sprintf("event #%d recorded an entry the ledger does not hold", ev.Seq)}
	}
	return nil
}

// unsealedPosting returns the ledger.posted event of an entry that has no
// place in the log yet.
func unsealedPosting(ctx context.Context, tx ReadTx, entry ID) (Event, bool) {
	events, err := tx.Events().Subject(ctx, KindEntry, entry)
	if err != nil {
		return Event{}, false
	}
	for _, e := range events {
		if e.Seq == 0 && e.Type == LedgerPosted {
			return e, true
		}
	}
	return Event{}, false
}

// matches compares what an event recorded with what an entry is, amount
// by amount rather than byte by byte, so that events written by earlier
// versions still compare.
func (a entryEvent) matches(b entryEvent) bool {
	return a.Kind == b.Kind && a.Customer == b.Customer && a.Document == b.Document && a.Effective == b.Effective &&
		a.Reverses == b.Reverses && slices.EqualFunc(a.Postings, b.Postings, func(p, q Posting) bool {
		return p.Account == q.Account && p.Customer == q.Customer && p.Item == q.Item && p.Due == q.Due && p.Amount.Equal(q.Amount)
	})
}
