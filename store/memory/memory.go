// Package memory is an in-memory crm.Store: for tests, examples and
// programs whose data fits in memory and need not survive them.
//
// Writers are serialized; each runs against its own overlay of the
// committed data, so a transaction that fails or panics leaves nothing
// behind. Readers see the last committed state and run alongside writers.
package memory

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"sync"

	"github.com/crmkit/crm"
)

// Store is an in-memory crm.Store. The zero value is not usable; call New.
type Store struct {
	writeMu sync.Mutex   // one writer at a time
	mu      sync.RWMutex // readers against the commit of a writer

	customers *table[crm.Customer]
	users     *table[crm.User]
	events    []crm.Event
	bySubject map[subjectKey][]int // indexes into events
}

type subjectKey struct {
	kind crm.Kind
	id   crm.ID
}

// New returns an empty store.
func New() *Store {
	return &Store{
		customers: newTable(crm.Customer.Clone),
		users:     newTable(func(u crm.User) crm.User { return u }),
		bySubject: map[subjectKey][]int{},
	}
}

// Update implements crm.Store.
func (s *Store) Update(ctx context.Context, fn func(tx crm.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	t := s.begin()
	if err := fn(writeTx{t}); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.commit(t)
	return nil
}

// View implements crm.Store.
func (s *Store) View(ctx context.Context, fn func(tx crm.ReadTx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return fn(readTx{s.begin()})
}

// txState is one transaction: overlays of the tables and the events it
// appends or redacts.
type txState struct {
	s         *Store
	customers *overlay[crm.Customer]
	users     *overlay[crm.User]
	appended  []crm.Event
	redacted  map[int64]json.RawMessage
}

func (s *Store) begin() *txState {
	return &txState{s: s, customers: s.customers.begin(), users: s.users.begin(), redacted: map[int64]json.RawMessage{}}
}

func (s *Store) commit(t *txState) {
	s.customers.commit(t.customers)
	s.users.commit(t.users)
	for seq, data := range t.redacted {
		e := s.events[seq-1]
		e.Data, e.Redacted = data, true
		s.events[seq-1] = e
	}
	for _, e := range t.appended {
		k := subjectKey{e.Kind, e.Subject}
		s.bySubject[k] = append(s.bySubject[k], len(s.events))
		s.events = append(s.events, e)
	}
}

type readTx struct{ t *txState }

func (r readTx) Customers() crm.CustomerReader { return customerRepo{r.t} }
func (r readTx) Users() crm.UserReader         { return userRepo{r.t} }
func (r readTx) Events() crm.EventReader       { return eventLog{r.t} }

type writeTx struct{ t *txState }

func (w writeTx) Customers() crm.CustomerRepository { return customerRepo{w.t} }
func (w writeTx) Users() crm.UserRepository         { return userRepo{w.t} }
func (w writeTx) Events() crm.EventLog              { return eventLog{w.t} }

func cloneEvent(e crm.Event) crm.Event {
	e.Data = slices.Clone(e.Data)
	return e
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
