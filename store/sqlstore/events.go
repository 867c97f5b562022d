package sqlstore

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/crmkit/crm"
)

// eventColumns are the columns of the events table, in the order of
// eventValues and eventDest.
const eventColumns = "seq, id, recorded_at, actor, event_type, kind, subject, version, data, data_hash, prev_hash, hash, redacted, data_salt"

func (s *Store) eventValues(e crm.Event) []any {
	return []any{e.Seq, idArg(e.ID), s.timeArg(e.Time), idArg(e.Actor), string(e.Type), string(e.Kind), idArg(e.Subject),
		e.Version, rawArg(e.Data), e.DataHash[:], e.PrevHash[:], e.Hash[:], e.Redacted, saltArg(e.DataSalt)}
}

func eventDest(e *crm.Event) []any {
	return []any{&e.Seq, &e.ID, timeCol{&e.Time}, &e.Actor, &e.Type, &e.Kind, &e.Subject, &e.Version,
		rawCol{&e.Data}, hashCol{&e.DataHash}, hashCol{&e.PrevHash}, hashCol{&e.Hash}, &e.Redacted, &e.DataSalt}
}

// inboxColumns are the columns of the event_inbox table (see seal.go)
// that an event fills, in the order of inboxValues.
const inboxColumns = "id, recorded_at, actor, event_type, kind, subject, version, data, data_hash, redacted, data_salt"

func (s *Store) inboxValues(e crm.Event) []any {
	return []any{idArg(e.ID), s.timeArg(e.Time), idArg(e.Actor), string(e.Type), string(e.Kind), idArg(e.Subject),
		e.Version, rawArg(e.Data), e.DataHash[:], e.Redacted, saltArg(e.DataSalt)}
}

// eventLog implements crm.EventLog in one transaction. The event_head
// row holds the last event's seq and hash. When the store seals the log,
// writes append to event_inbox without reading it, and only Seal locks it;
// otherwise Head locks it in a write transaction (SELECT ... FOR UPDATE on
// PostgreSQL; SQLite's BEGIN IMMEDIATE already serializes writers), so
// appends are gap-free and in commit order.
type eventLog struct{ t *txn }

// Head implements crm.EventReader. A write transaction on a store that
// does not seal the log holds the head once it has read it (SQLite's
// write lock, or the row lock on PostgreSQL), so it reads it once and then
// knows it: Append, which checks the events against it, reads it no more.
func (l eventLog) Head(ctx context.Context) (crm.LogHead, error) {
	holds := l.t.write && !l.t.s.SealsLog()
	if holds {
		if h, ok := l.t.knownHead(); ok {
			return h, nil
		}
	}
	q := "SELECT seq, hash FROM " + l.t.s.names.eventHead + " WHERE id = 1"
	if l.t.write && l.t.s.dialect == PostgreSQL && !l.t.s.SealsLog() {
		q += " FOR UPDATE"
	}
	var h crm.LogHead
	if err := l.t.queryRow(ctx, q).Scan(&h.Seq, hashCol{&h.Hash}); err != nil {
		return crm.LogHead{}, l.t.s.dbErr("reading the event log head", err)
	}
	if holds {
		l.t.setHead(h)
	}
	return h, nil
}

// knownHead returns the log head the write transaction holds, if it has
// read it.
func (t *txn) knownHead() (crm.LogHead, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.head == nil {
		return crm.LogHead{}, false
	}
	return *t.head, true
}

// setHead records the log head the write transaction holds.
func (t *txn) setHead(h crm.LogHead) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.head = &h
}

// After implements crm.EventReader.
func (l eventLog) After(ctx context.Context, seq int64, limit int) ([]crm.Event, error) {
	limit = crm.PageRequest{Limit: limit}.Normalized().Limit
	return l.events(ctx, "WHERE seq > ? ORDER BY seq LIMIT ?", seq, limit)
}

// Subject implements crm.EventReader. When the store seals the log, the
// subject's events in the inbox follow the sealed ones, with seq 0: one
// statement reads both, so an event sealed meanwhile is read once.
func (l eventLog) Subject(ctx context.Context, kind crm.Kind, id crm.ID) ([]crm.Event, error) {
	if !l.t.s.SealsLog() {
		return l.events(ctx, "WHERE kind = ? AND subject = ? ORDER BY seq", string(kind), idArg(id))
	}
	n := l.t.s.names
	q := "SELECT " + eventColumns + " FROM (SELECT " + eventColumns + ", 0 AS part, seq AS pos FROM " + n.events +
		" WHERE kind = ? AND subject = ? UNION ALL SELECT 0, " + inboxUnsealed + ", 1, pending FROM " + n.eventInbox +
		" WHERE kind = ? AND subject = ?) e ORDER BY part, pos"
	rows, err := l.t.query(ctx, q, string(kind), idArg(id), string(kind), idArg(id))
	if err != nil {
		return nil, l.t.s.dbErr("reading events", err)
	}
	return collect(rows, eventDest, l.t.s.dbErr, "reading events")
}

// inboxUnsealed selects an inbox row as the columns of an event after seq,
// with the zero hash for the chain's two.
const inboxUnsealed = "id, recorded_at, actor, event_type, kind, subject, version, data, data_hash, " +
	"decode(repeat('00', 32), 'hex'), decode(repeat('00', 32), 'hex'), redacted, data_salt"

func (l eventLog) events(ctx context.Context, rest string, args ...any) ([]crm.Event, error) {
	rows, err := l.t.query(ctx, "SELECT "+eventColumns+" FROM "+l.t.s.names.events+" "+rest, args...)
	if err != nil {
		return nil, l.t.s.dbErr("reading events", err)
	}
	return collect(rows, eventDest, l.t.s.dbErr, "reading events")
}

// Append implements crm.EventLog.
func (l eventLog) Append(ctx context.Context, events []crm.Event) error {
	if len(events) == 0 {
		return nil
	}
	if l.t.s.SealsLog() && events[0].Seq == 0 {
		return l.appendUnsealed(ctx, events)
	}
	head, err := l.Head(ctx)
	if err != nil {
		return err
	}
	for i, e := range events {
		if want := head.Seq + int64(i) + 1; e.Seq != want {
			return &crm.ConflictError{Kind: crm.KindEvent, ID: "log", Expected: want, Actual: e.Seq,
				Detail: "sequence does not continue the head"}
		}
	}
	// Many to a statement: a write that posts a thousand entries records a
	// thousand events.
	for start := 0; start < len(events); start += insertChunk {
		chunk := events[start:min(start+insertChunk, len(events))]
		args := make([]any, 0, len(chunk)*13)
		for _, e := range chunk {
			args = append(args, l.t.s.eventValues(e)...)
		}
		_, err := l.t.exec(ctx, "INSERT INTO "+l.t.s.names.events+" ("+eventColumns+") VALUES "+
			strings.TrimSuffix(strings.Repeat("("+placeholders(14)+"), ", len(chunk)), ", "), args...)
		if l.t.s.dialect.isUniqueViolation(err) {
			return l.conflicting(ctx, chunk)
		}
		if err != nil {
			return l.t.s.dbErr("appending an event", err)
		}
	}
	last := events[len(events)-1]
	if _, err = l.t.exec(ctx, "UPDATE "+l.t.s.names.eventHead+" SET seq = ?, hash = ? WHERE id = 1", last.Seq, last.Hash[:]); err != nil {
		return l.t.s.dbErr("moving the event log head", err)
	}
	l.t.setHead(crm.LogHead{Seq: last.Seq, Hash: last.Hash})
	return nil
}

// conflicting names the first of events whose seq or ID an event in the
// log has, after an insert of them was refused for it; on PostgreSQL,
// where the refusal ends the transaction, the first event of several.
func (l eventLog) conflicting(ctx context.Context, events []crm.Event) error {
	if len(events) == 1 || l.t.s.dialect == PostgreSQL {
		return &crm.ConflictError{Kind: crm.KindEvent, ID: events[0].ID.String(), Detail: "an event with this seq or ID exists"}
	}
	for _, e := range events {
		var n int
		err := l.t.queryRow(ctx, "SELECT count(*) FROM "+l.t.s.names.events+" WHERE seq = ? OR id = ?", e.Seq, idArg(e.ID)).Scan(&n)
		if err != nil {
			return l.t.s.dbErr("looking up a conflicting event", err)
		}
		if n > 0 {
			return &crm.ConflictError{Kind: crm.KindEvent, ID: e.ID.String(), Detail: "an event with this seq or ID exists"}
		}
	}
	return &crm.ConflictError{Kind: crm.KindEvent, ID: events[0].ID.String(), Detail: "an event with this seq or ID exists"}
}

// appendUnsealed inserts events into the inbox, in one statement, in
// their order: the inbox's sequence numbers them as they come.
func (l eventLog) appendUnsealed(ctx context.Context, events []crm.Event) error {
	for start := 0; start < len(events); start += insertChunk {
		chunk := events[start:min(start+insertChunk, len(events))]
		var q strings.Builder
		q.WriteString("INSERT INTO " + l.t.s.names.eventInbox + " (" + inboxColumns + ") VALUES ")
		args := make([]any, 0, len(chunk)*10)
		for i, e := range chunk {
			if e.Seq != 0 {
				return &crm.ConflictError{Kind: crm.KindEvent, ID: e.ID.String(), Detail: "a sealed and an unsealed event in one append"}
			}
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(" + placeholders(11) + ")")
			args = append(args, l.t.s.inboxValues(e)...)
		}
		_, err := l.t.execLater(ctx, -1, "", q.String(), args...)
		if l.t.s.dialect.isUniqueViolation(err) {
			return &crm.ConflictError{Kind: crm.KindEvent, ID: chunk[0].ID.String(), Detail: "an event with this ID exists"}
		}
		if err != nil {
			return l.t.s.dbErr("appending events", err)
		}
	}
	return nil
}

// insertChunk is how many events one INSERT writes at most.
const insertChunk = 256

// Redact implements crm.EventLog: it replaces the data of the event with
// the given ID, marks it redacted and destroys its salt, and changes
// nothing else. When the
// store seals the log it looks in the inbox first: a seal under way holds
// the inbox rows it moves, so the event is then found in the log, and a
// seal that comes after moves the redacted data.
func (l eventLog) Redact(ctx context.Context, id crm.ID, data json.RawMessage) error {
	tables := []string{l.t.s.names.events}
	if l.t.s.SealsLog() {
		tables = []string{l.t.s.names.eventInbox, l.t.s.names.events}
	}
	for _, table := range tables {
		res, err := l.t.exec(ctx, "UPDATE "+table+" SET data = ?, redacted = ?, data_salt = NULL WHERE id = ?", rawArg(data), true, idArg(id))
		if err != nil {
			return l.t.s.dbErr("redacting an event", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return l.t.s.dbErr("redacting an event", err)
		}
		if n > 0 {
			return nil
		}
	}
	return &crm.NotFoundError{Kind: crm.KindEvent, ID: id.String()}
}

// saltArg is an event's salt as a query argument: NULL when it has none.
func saltArg(salt []byte) any {
	if len(salt) == 0 {
		return nil
	}
	return salt
}
