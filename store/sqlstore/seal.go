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

// Seal implements crm.LogSealer, in two statements, each a transaction of
// its own (no BEGIN, no COMMIT to send). The first reads the head and up
// to limit of the oldest committed inbox rows, in one snapshot, so the
// rows are exactly the unsealed ones after that head. chain numbers and
// hashes them after the head. The second moves them, if the head is
// still where the first read it: it locks the head with that seq (FOR
// UPDATE, or FOR UPDATE SKIP LOCKED without wait), deletes the rows from
// the inbox, inserts them into the log with their places and moves the
// head; when the head has moved or another seal holds it, it changes
// nothing, and with wait Seal reads again. The events' data, redaction
// and salt are those the delete returns, so a redaction that committed
// between the two statements is sealed with them (the chain covers the
// data's digest, which a redaction keeps); one under way when the delete
// reaches its row makes the delete wait for it.
//
// Without wait, the second statement commits asynchronously
// (synchronous_commit off): losing it in a crash loses nothing, for the
// events are back in the inbox and the next seal chains them again. With
// wait it commits as usual and flushes the write-ahead log up to itself,
// with every seal before it; when nothing waits, the head is read with a
// row lock in a transaction of its own, whose commit flushes the same way:
// the head Seal returns with wait is durable, and so is every place the
// CRM reads up to it. Without wait, when it seals nothing it returns the
// zero head (whether another seal holds the head or nothing waits), not to
// spend a round trip on a head nobody asked for. On a store that does not
// seal the log, Seal returns the head.
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
		for {
			var moved bool
			var err error
			head, sealed, moved, err = s.sealOnce(ctx, wait, limit, chain)
			if err != nil || moved || !wait {
				return err
			}
			if err := checkContext(ctx); err != nil {
				return err
			}
		}
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

// sealOnce reads what waits and seals it if the head has not moved
// meanwhile; moved is false when it has moved or another seal held it
// (then nothing changed). With nothing waiting, moved is true.
func (s *Store) sealOnce(ctx context.Context, wait bool, limit int, chain func(crm.LogHead, []crm.Event)) (crm.LogHead, int, bool, error) {
	n := s.names
	rows, err := s.db.QueryContext(ctx, s.dialect.rebind("SELECT h.seq, h.hash, w.* FROM "+n.eventHead+" h JOIN "+
		"(SELECT pending, "+inboxColumns+" FROM "+n.eventInbox+" ORDER BY pending LIMIT ?) w ON true WHERE h.id = 1 ORDER BY w.pending"), limit)
	if err != nil {
		return crm.LogHead{}, 0, false, s.dbErr("reading the events to seal", err)
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
	}, s.dbErr, "reading the events to seal")
	if err != nil {
		return crm.LogHead{}, 0, false, err
	}
	if len(waiting) == 0 {
		if !wait {
			return crm.LogHead{}, 0, true, nil
		}
		var head crm.LogHead
		err := s.db.QueryRowContext(ctx, "SELECT seq, hash FROM "+n.eventHead+" WHERE id = 1 FOR UPDATE").Scan(&head.Seq, hashCol{&head.Hash})
		return head, 0, true, s.dbErr("reading the event log head", err)
	}
	head := waiting[0].head
	events := make([]crm.Event, len(waiting))
	for i, u := range waiting {
		events[i] = u.event
	}
	chain(head, events)
	last := events[len(events)-1]
	lock, flush := " FOR UPDATE", ""
	if !wait {
		lock += " SKIP LOCKED"
		flush = ", set_config('synchronous_commit', 'off', true)"
	}
	places := make([]string, len(events))
	args := []any{head.Seq}
	for i, e := range events {
		places[i] = "(?::bigint, ?::bigint, ?::bytea, ?::bytea)"
		args = append(args, waiting[i].pending, e.Seq, e.PrevHash[:], e.Hash[:])
	}
	args = append(args, last.Seq, last.Hash[:], len(events))
	// The last line fails the statement (division by zero), and so undoes
	// it whole, should the delete not find every row the first statement
	// read while the head is still where it was: it cannot, for only a
	// seal deletes inbox rows and a seal always moves the head, but a log
	// with a gap would be worse than a failed seal.
	q := "WITH h AS MATERIALIZED (SELECT seq" + flush + " FROM " + n.eventHead + " WHERE id = 1 AND seq = ?" + lock + "), " +
		"taken AS (DELETE FROM " + n.eventInbox + " i USING (VALUES " + strings.Join(places, ", ") + ") AS v (pending, seq, prev_hash, hash) " +
		"WHERE i.pending = v.pending AND EXISTS (SELECT 1 FROM h) RETURNING v.seq, i.id, i.recorded_at, i.actor, i.event_type, i.kind, i.subject, " +
		"i.version, i.data, i.data_hash, v.prev_hash, v.hash, i.redacted, i.data_salt), " +
		"sealed AS (INSERT INTO " + n.events + " (" + eventColumns + ") SELECT * FROM taken), " +
		"moved AS (UPDATE " + n.eventHead + " SET seq = ?, hash = ? WHERE id = 1 AND EXISTS (SELECT 1 FROM h) RETURNING 1) " +
		"SELECT count(*) FROM moved WHERE 1 / CASE WHEN NOT EXISTS (SELECT 1 FROM h) OR (SELECT count(*) FROM taken) = ? THEN 1 ELSE 0 END = 1"
	var moved int
	if err := s.db.QueryRowContext(ctx, s.dialect.rebind(q), args...).Scan(&moved); err != nil {
		return crm.LogHead{}, 0, false, s.dbErr("sealing events into the log", err)
	}
	if moved == 0 {
		return crm.LogHead{}, 0, false, nil
	}
	return crm.LogHead{Seq: last.Seq, Hash: last.Hash}, len(events), true, nil
}
