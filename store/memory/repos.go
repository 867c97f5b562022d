package memory

import (
	"context"
	"encoding/json"

	"github.com/crmkit/crm"
)

// repo implements the version rules shared by every versioned record.
type repo[T any] struct {
	kind    crm.Kind
	rows    *overlay[T]
	id      func(T) crm.ID
	version func(T) int64
}

func (r repo[T]) get(id crm.ID) (T, error) {
	v, ok := r.rows.get(id)
	if !ok {
		return v, &crm.NotFoundError{Kind: r.kind, ID: id.String()}
	}
	return v, nil
}

func (r repo[T]) insert(v T) error {
	id := r.id(v)
	if _, ok := r.rows.peek(id); ok {
		return &crm.ConflictError{Kind: r.kind, ID: id.String(), Detail: "already exists"}
	}
	if r.version(v) != 1 {
		return &crm.ConflictError{Kind: r.kind, ID: id.String(), Expected: r.version(v) - 1, Detail: "a new record has version 1"}
	}
	r.rows.put(id, v, true)
	return nil
}

func (r repo[T]) update(v T) error {
	id := r.id(v)
	old, ok := r.rows.peek(id)
	if !ok {
		return &crm.NotFoundError{Kind: r.kind, ID: id.String()}
	}
	if r.version(old) != r.version(v)-1 {
		return &crm.ConflictError{Kind: r.kind, ID: id.String(), Expected: r.version(v) - 1, Actual: r.version(old)}
	}
	r.rows.put(id, v, false)
	return nil
}

func (r repo[T]) list(page crm.PageRequest, match func(T) bool) []T {
	page = page.Normalized()
	return r.rows.list(page.After, page.Limit, match)
}

type customerRepo struct{ t *txState }

func (r customerRepo) repo() repo[crm.Customer] {
	return repo[crm.Customer]{kind: crm.KindCustomer, rows: r.t.customers,
		id: func(c crm.Customer) crm.ID { return c.ID }, version: func(c crm.Customer) int64 { return c.Version }}
}

func (r customerRepo) Get(_ context.Context, id crm.ID) (crm.Customer, error) {
	return r.repo().get(id)
}
func (r customerRepo) Insert(_ context.Context, c crm.Customer) error { return r.repo().insert(c) }
func (r customerRepo) Update(_ context.Context, c crm.Customer) error { return r.repo().update(c) }
func (r customerRepo) List(_ context.Context, f crm.CustomerFilter, p crm.PageRequest) ([]crm.Customer, error) {
	return r.repo().list(p, func(c crm.Customer) bool {
		return f.Match(c) && (f.Stage == "" || r.t.stage(c.ID) == f.Stage)
	}), nil
}

type userRepo struct{ t *txState }

func (r userRepo) repo() repo[crm.User] {
	return repo[crm.User]{kind: crm.KindUser, rows: r.t.users,
		id: func(u crm.User) crm.ID { return u.ID }, version: func(u crm.User) int64 { return u.Version }}
}

func (r userRepo) Get(_ context.Context, id crm.ID) (crm.User, error) { return r.repo().get(id) }
func (r userRepo) Insert(_ context.Context, u crm.User) error         { return r.repo().insert(u) }
func (r userRepo) Update(_ context.Context, u crm.User) error         { return r.repo().update(u) }

// LockAll implements crm.UserRepository: the memory store runs one write
// transaction at a time, which holds every user already.
func (r userRepo) LockAll(context.Context) error { return nil }
func (r userRepo) List(_ context.Context, f crm.UserFilter, p crm.PageRequest) ([]crm.User, error) {
	return r.repo().list(p, f.Match), nil
}

type eventLog struct{ t *txState }

func (l eventLog) event(seq int64) (crm.Event, bool) {
	s := l.t.s
	switch {
	case seq < 1:
		return crm.Event{}, false
	case seq <= int64(s.events.len()):
		e := cloneEvent(*s.events.at(int(seq - 1)))
		if data, ok := l.t.redacted[seq]; ok {
			e.Data, e.DataSalt, e.Redacted = data, nil, true
		}
		return e, true
	case seq <= int64(s.events.len()+len(l.t.appended)):
		return cloneEvent(l.t.appended[seq-1-int64(s.events.len())]), true
	}
	return crm.Event{}, false
}

// Head implements crm.EventReader, from the last event without a copy
// of it.
func (l eventLog) Head(context.Context) (crm.LogHead, error) {
	var e *crm.Event
	switch {
	case len(l.t.appended) > 0:
		e = &l.t.appended[len(l.t.appended)-1]
	case l.t.s.events.len() > 0:
		e = l.t.s.events.at(l.t.s.events.len() - 1)
	default:
		return crm.LogHead{}, nil
	}
	return crm.LogHead{Seq: e.Seq, Hash: e.Hash}, nil
}

func (l eventLog) After(_ context.Context, seq int64, limit int) ([]crm.Event, error) {
	limit = crm.PageRequest{Limit: limit}.Normalized().Limit
	n := int64(l.t.s.events.len()+len(l.t.appended)) - max(seq, 0) // how many there are after seq
	out := make([]crm.Event, 0, max(0, min(int64(limit), n)))
	for s := max(seq, 0) + 1; len(out) < limit; s++ {
		e, ok := l.event(s)
		if !ok {
			break
		}
		out = append(out, e)
	}
	return out, nil
}

func (l eventLog) Subject(_ context.Context, kind crm.Kind, id crm.ID) ([]crm.Event, error) {
	var out []crm.Event
	for _, i := range l.t.s.bySubject[subjectKey{kind, id}] {
		e, _ := l.event(int64(i) + 1)
		out = append(out, e)
	}
	for _, e := range l.t.appended {
		if e.Kind == kind && e.Subject == id {
			out = append(out, cloneEvent(e))
		}
	}
	return out, nil
}

func (l eventLog) Append(ctx context.Context, events []crm.Event) error {
	head, _ := l.Head(ctx)
	for i, e := range events {
		if e.Seq != head.Seq+int64(i)+1 {
			return &crm.ConflictError{Kind: crm.KindEvent, ID: "log", Expected: head.Seq + int64(i) + 1, Actual: e.Seq, Detail: "sequence does not continue the head"}
		}
	}
	for _, e := range events {
		l.t.appended = append(l.t.appended, ownEvent(e))
	}
	return nil
}

func (l eventLog) Redact(_ context.Context, id crm.ID, data json.RawMessage) error {
	if i, ok := l.t.s.eventIndex()[id]; ok {
		if l.t.redacted == nil {
			l.t.redacted = map[int64]json.RawMessage{}
		}
		l.t.redacted[int64(i)+1] = append(json.RawMessage(nil), data...)
		return nil
	}
	for i := range l.t.appended {
		if e := &l.t.appended[i]; e.ID == id {
			e.Data, e.DataSalt, e.Redacted = append(json.RawMessage(nil), data...), nil, true
			return nil
		}
	}
	return &crm.NotFoundError{Kind: crm.KindEvent, ID: id.String()}
}
