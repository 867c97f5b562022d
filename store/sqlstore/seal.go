package sqlstore

import (
	"context"
	"strings"

	"github.com/crmkit/crm"
)

// SealsLog implements crm.LogSealer: whether writes append their events
// to the inbox, unchained, for Seal to chain (PostgreSQL's default; see
// WithLogSealing).
func (s *Store) SealsLog() bool { return s.cfg.sealing != nil && *s.cfg.sealing }

// maxSeal bounds how many events one Seal moves.
const maxSeal = 1000

// Seal implements crm.LogSealer. In one READ COMMITTED transaction it
// locks the head (FOR UPDATE, or FOR UPDATE SKIP LOCKED without wait),
// locks up to limit of the oldest committed inbox rows, has chain number
// and hash them after the head, inserts them into the log, deletes them
// from the inbox and moves the head.
//
// Without wait, the transaction commits asynchronously (synchronous_commit
// off): losing it in a crash loses nothing, for the events are back in the
// inbox and the next seal chains them again. With wait it commits as
// usual; because it holds a row lock it has a transaction ID, so its
// commit flushes the write-ahead log up to itself, with every seal before
// it: the head it returns is durable, and so is every place the CRM reads
// up to it. Without wait, when it seals nothing it returns the zero head
// (whether another seal holds the head or nothing waits), not to spend a
// round trip on a head nobody asked for. On a store that does not seal the
// log, Seal returns the head.
func (s *Store) Seal(ctx context.Context, wait bool, limit int, chain func(head crm.LogHead, events []crm.Event)) (crm.LogHead, int, error) {
	if chain == nil {
		return crm.LogHead{}, 0, &crm.ValidationError{Field: "chain", Rule: "required"}
	}
	if !s.SealsLog() {
		var head crm.LogHead
		err := s.View(ctx, func(tx crm.ReadTx) error {
			var err error
			head, err = tx.Events().Head(ctx)
			return err
		})
		return head, 0, err
	}
	limit = max(1, min(limit, maxSeal))
	var (
		head   crm.LogHead
		sealed int
	)
	run := func() error {
		head, sealed = crm.LogHead{}, 0
		return s.attempt(ctx, true, func(t *txn) error {
			var err error
			head, sealed, err = t.seal(ctx, wait, limit, chain)
			return err
		})
	}
	var err error
	if wait {
		err = s.retry(ctx, run)
	} else {
		err = run()
	}
	if err != nil {
		return crm.LogHead{}, 0, err
	}
	return head, sealed, nil
}

// seal is Seal's transaction, in two statements and the commit. The
// first locks the head (waiting, or skipping it when another seal holds
// it) and, once it holds it, locks and reads the oldest committed inbox
// rows, each with the head; it also turns off the flush at commit when
// not waiting. The second inserts the chained events into the log,
// deletes them from the inbox and moves the head.
//
// Events are read in the first statement's snapshot, which may predate
// the head's lock: a row another seal moved meanwhile is skipped (a row
// deleted by a committed transaction is not locked at READ COMMITTED),
// and a row committed after the snapshot waits for the next seal, as it
// would if it had committed after the read.
func (t *txn) seal(ctx context.Context, wait bool, limit int, chain func(crm.LogHead, []crm.Event)) (crm.LogHead, int, error) {
	n := t.s.names
	lock, flush := " FOR UPDATE", ""
	if !wait {
		lock += " SKIP LOCKED"
		flush = ", set_config('synchronous_commit', 'off', true)"
	}
	rows, err := t.query(ctx, "WITH head AS MATERIALIZED (SELECT seq, hash"+flush+" FROM "+n.eventHead+" WHERE id = 1"+lock+"), "+
		"waiting AS MATERIALIZED (SELECT pending, "+inboxColumns+" FROM "+n.eventInbox+
		" WHERE EXISTS (SELECT 1 FROM head) ORDER BY pending LIMIT ? FOR UPDATE) "+
		"SELECT head.seq, head.hash, waiting.* FROM head JOIN waiting ON true ORDER BY waiting.pending", limit)
	if err != nil {
		return crm.LogHead{}, 0, t.s.dbErr("reading the events to seal", err)
	}
	type unsealed struct {
		head    crm.LogHead
		pending int64
		event   crm.Event
	}
	waiting, err := collect(rows, func(u *unsealed) []any {
		e := &u.event
		return []any{&u.head.Seq, hashCol{&u.head.Hash}, &u.pending, &e.ID, timeCol{&e.Time}, &e.Actor, &e.Type, &e.Kind, &e.Subject,
			&e.Version, rawCol{&e.Data}, hashCol{&e.DataHash}, &e.Redacted, &e.DataSalt}
	}, t.s.dbErr, "reading the events to seal")
	if err != nil {
		return crm.LogHead{}, 0, err
	}
	if len(waiting) == 0 {
		if !wait {
			return crm.LogHead{}, 0, nil // another seal holds the head, or nothing waits
		}
		var head crm.LogHead // locked by the statement above
		err := t.queryRow(ctx, "SELECT seq, hash FROM "+n.eventHead+" WHERE id = 1").Scan(&head.Seq, hashCol{&head.Hash})
		return head, 0, t.s.dbErr("reading the event log head", err)
	}
	head := waiting[0].head
	events := make([]crm.Event, len(waiting))
	pending := make([]any, len(waiting))
	for i, u := range waiting {
		events[i], pending[i] = u.event, u.pending
	}
	chain(head, events)
	last := events[len(events)-1]
	head = crm.LogHead{Seq: last.Seq, Hash: last.Hash}
	// Every chunk but the last is a statement of its own; the last goes
	// with the inbox's delete and the head's move.
	var (
		q    string
		args []any
	)
	for start := 0; start < len(events); start += insertChunk {
		if q != "" {
			if _, err := t.exec(ctx, q, args...); err != nil {
				return crm.LogHead{}, 0, t.s.dbErr("sealing events into the log", err)
			}
		}
		chunk := events[start:min(start+insertChunk, len(events))]
		q = "INSERT INTO " + n.events + " (" + eventColumns + ") VALUES " +
			strings.TrimSuffix(strings.Repeat("("+placeholders(14)+"), ", len(chunk)), ", ")
		args = make([]any, 0, len(chunk)*14+len(pending)+2)
		for _, e := range chunk {
			args = append(args, t.s.eventValues(e)...)
		}
	}
	q = "WITH sealed AS (" + q + "), taken AS (DELETE FROM " + n.eventInbox + " WHERE pending IN (" + placeholders(len(pending)) + ")) " +
		"UPDATE " + n.eventHead + " SET seq = ?, hash = ? WHERE id = 1"
	args = append(append(args, pending...), head.Seq, head.Hash[:])
	if _, err := t.exec(ctx, q, args...); err != nil {
		return crm.LogHead{}, 0, t.s.dbErr("sealing events into the log", err)
	}
	return head, len(events), nil
}
