package sqlstore

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/crmkit/crm"
)

// eventColumns are the columns of the events table, in the order of
// eventValues and eventDest.
const eventColumns = "seq, id, recorded_at, actor, event_type, kind, subject, version, data, data_hash, prev_hash, hash, redacted"

func (s *Store) eventValues(e crm.Event) []any {
	return []any{e.Seq, idArg(e.ID), s.timeArg(e.Time), idArg(e.Actor), string(e.Type), string(e.Kind), idArg(e.Subject),
		e.Version, rawArg(e.Data), e.DataHash[:], e.PrevHash[:], e.Hash[:], e.Redacted}
}

func eventDest(e *crm.Event) []any {
	return []any{&e.Seq, &e.ID, timeCol{&e.Time}, &e.Actor, &e.Type, &e.Kind, &e.Subject, &e.Version,
		rawCol{&e.Data}, hashCol{&e.DataHash}, hashCol{&e.PrevHash}, hashCol{&e.Hash}, &e.Redacted}
}

// eventLog implements crm.EventLog in one transaction. The event_head
// row holds the last event's seq and hash; in a write transaction Head
// locks it (SELECT ... FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE
// already serializes writers), so appends are gap-free and in commit
// order.
type eventLog struct{ t *txn }

// Head implements crm.EventReader.
func (l eventLog) Head(ctx context.Context) (crm.LogHead, error) {
	q := "SELECT seq, hash FROM " + l.t.s.names.eventHead + " WHERE id = 1"
	if l.t.write && l.t.s.dialect == PostgreSQL {
		q += " FOR UPDATE"
	}
	var h crm.LogHead
	if err := l.t.queryRow(ctx, q).Scan(&h.Seq, hashCol{&h.Hash}); err != nil {
		return crm.LogHead{}, l.t.s.dbErr("reading the event log head", err)
	}
	return h, nil
}

// After implements crm.EventReader.
func (l eventLog) After(ctx context.Context, seq int64, limit int) ([]crm.Event, error) {
	limit = crm.PageRequest{Limit: limit}.Normalized().Limit
	return l.events(ctx, "WHERE seq > ? ORDER BY seq LIMIT ?", seq, limit)
}

// Subject implements crm.EventReader.
func (l eventLog) Subject(ctx context.Context, kind crm.Kind, id crm.ID) ([]crm.Event, error) {
	return l.events(ctx, "WHERE kind = ? AND subject = ? ORDER BY seq", string(kind), idArg(id))
}

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
	insert := "INSERT INTO " + l.t.s.names.events + " (" + eventColumns + ") VALUES (" + placeholders(13) + ")"
	for _, e := range events {
		_, err := l.t.exec(ctx, insert, l.t.s.eventValues(e)...)
		if l.t.s.dialect.isUniqueViolation(err) {
			return &crm.ConflictError{Kind: crm.KindEvent, ID: e.ID.String(), Detail: "an event with this seq or ID exists"}
		}
		if err != nil {
			return l.t.s.dbErr("appending an event", err)
		}
	}
	last := events[len(events)-1]
	_, err = l.t.exec(ctx, "UPDATE "+l.t.s.names.eventHead+" SET seq = ?, hash = ? WHERE id = 1", last.Seq, last.Hash[:])
	return l.t.s.dbErr("moving the event log head", err)
}

// Redact implements crm.EventLog: it replaces the data of the event at
// seq and marks it redacted, and changes nothing else.
func (l eventLog) Redact(ctx context.Context, seq int64, data json.RawMessage) error {
	res, err := l.t.exec(ctx, "UPDATE "+l.t.s.names.events+" SET data = ?, redacted = ? WHERE seq = ?", rawArg(data), true, seq)
	if err != nil {
		return l.t.s.dbErr("redacting an event", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return l.t.s.dbErr("redacting an event", err)
	}
	if n == 0 {
		return &crm.NotFoundError{Kind: crm.KindEvent, ID: strconv.FormatInt(seq, 10)}
	}
	return nil
}
