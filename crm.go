package crm

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"sync"
	"time"

	"github.com/crmkit/crm/internal/backoff"
)

// CRM is the entry point through which every write goes. Its operations
// are grouped by what they work on, one service a field, as in
// c.Customers.Create or c.Ledger.IssueInvoice.
//
// Each write names the acting user; the CRM loads that user from the
// store, refuses unknown and deactivated users, asks the Policy, applies
// the domain rules, and saves the new state with its events in one
// transaction. Subscribers hear of the events after the commit.
//
// Every command has the same shape: a context, the acting user, and one
// input struct (NewX to create a record, XRequest or XPatch to act on
// one) that carries the command's idempotency key where it has one; it
// returns the result and an error. Reports take a query struct and
// return a struct or a list of rows.
//
// A CRM is safe for concurrent use. It keeps no state of its own besides
// its configuration and subscribers: many CRMs, in many processes, may
// share one store.
type CRM struct {
	Users       *UserService       // the people who use the CRM, their roles and teams
	Customers   *CustomerService   // customer records, owners, lifecycle, history, erasure
	Experience  *ExperienceService // touchpoint maps, interactions, journeys, experience analytics
	Cases       *CaseService       // complaints and requests with their promises
	Ladder      *LadderService     // the loyalty ladder: evidence, moves, distribution
	Deals       *DealService       // pipelines, deals, funnel and forecast
	Activities  *ActivityService   // calls, visits, follow-ups and work reports
	Campaigns   *CampaignService   // campaigns, their costs, leads and return
	Contracts   *ContractService   // contracts, their approval and payment plans
	Ledger      *LedgerService     // postings: invoices, payments, allocation, corrections
	Receivables *ReceivableService // who owes what: open items, aging, statements, collections
	Events      *EventService      // the audit log: reading, following, verifying
}

// engine is what every service shares: the store, the rules, the clock,
// the policy and the subscribers.
type engine struct {
	store     Store
	rules     LadderRules
	approvals ApprovalRules
	clock     Clock
	ids       *idGenerator
	policy    Policy
	retries   int
	backoff   backoff.Policy
	sealer    LogSealer // nil unless the store seals the log after commit
	seals     sealGate  // one seal after writes at a time (crm_seal.go)
	calendar  Calendar
	numbering Numbering
	pain      PainWeights     // see WithPainWeights
	pool      PoolRule        // see WithPublicPool
	retention []RetentionRule // see WithRetention

	correctionLimits map[Currency]Money // see WithCorrectionLimits
	documents        documentRules      // see WithTaxRounding, WithFXTolerance

	facts          FactEvidence                         // see WithFactEvidence
	dunning        DunningRules                         // see WithDunningRules
	dunningMachine *Machine[DunningState, DunningEvent] // the machine of the dunning rules

	visits VisitRule // see WithVisitRule

	consent map[string]Sentiment // see WithConsentEvidence

	subMu   sync.RWMutex
	subs    map[int]Subscriber
	nextSub int
}

// Subscriber is told of committed events, in the order they were
// appended within one write. Writes that commit concurrently may call
// subscribers concurrently and in either order; a consumer that needs
// every event exactly in order, with its place in the log, reads the log
// with Events.Feed: on a store that seals the log after commit
// (PostgreSQL), subscribers get the events before they are sealed, with
// Seq 0 and no hashes. A panic in a subscriber is recovered: the write it
// follows has committed.
type Subscriber func(ctx context.Context, events []Event)

// Option configures a CRM.
type Option func(*options)

type options struct {
	calendar         *Calendar
	numbering        *Numbering
	correctionLimits map[Currency]Money
	documents        documentRules
	approvals        *ApprovalRules
	dunning          *DunningRules
	rules            *LadderRules
	facts            *FactEvidence
	ces              *CESScale
	pain             *PainWeights
	clock            Clock
	random           io.Reader
	policy           Policy
	retries          int
	backoff          time.Duration
	visits           *VisitRule
	pool             PoolRule // see WithPublicPool
	consent          map[string]Sentiment
	retention        []RetentionRule
}

// WithClock sets the clock every timestamp comes from (default: the
// system clock).
func WithClock(c Clock) Option { return func(o *options) { o.clock = c } }

// WithRandom sets the source of the random bits in IDs and in events'
// salts (default: crypto/rand). With a ManualClock and a seeded reader,
// IDs and the log repeat from run to run, which is what tests want; in
// production leave it unset: a predictable salt lets an erased value be
// recovered from its event's digest (see Event.DataSalt).
func WithRandom(r io.Reader) Option { return func(o *options) { o.random = r } }

// WithLadderRules replaces DefaultLadderRules.
func WithLadderRules(r LadderRules) Option { return func(o *options) { o.rules = &r } }

// WithApprovalRules replaces DefaultApprovalRules.
func WithApprovalRules(r ApprovalRules) Option { return func(o *options) { o.approvals = &r } }

// WithPolicy replaces DefaultPolicy.
func WithPolicy(p Policy) Option { return func(o *options) { o.policy = p } }

// WithRetries sets how many times a write is retried after a version
// conflict with another writer (default 8), and the base of the jittered
// exponential backoff between tries (default 1ms, capped at 100ms).
// Transient storage failures (SQLITE_BUSY, serialization failures,
// deadlocks) are the store's to retry; the CRM does not retry them again.
func WithRetries(n int, backoff time.Duration) Option {
	return func(o *options) { o.retries, o.backoff = n, backoff }
}

// New returns a CRM on store. Without options it runs on the system clock
// and the defaults: DefaultPolicy, DefaultLadderRules, DefaultFactEvidence,
// DefaultApprovalRules, DefaultDunningRules, DefaultPainWeights,
// DefaultVisitRule, a UTC calendar whose fiscal year starts in January,
// and numbering INV-2026-00001; each With option replaces one of them. A
// new store has no users: UserService.Bootstrap creates the first admin.
func New(store Store, opts ...Option) (*CRM, error) {
	if store == nil {
		return nil, invalid("store", "required", "")
	}
	o := options{retries: 8, backoff: time.Millisecond, documents: defaultDocumentRules()}
	for _, opt := range opts {
		opt(&o)
	}
	if o.clock == nil {
		o.clock = SystemClock()
	}
	if o.policy == nil {
		o.policy = DefaultPolicy()
	}
	if o.retries < 0 || o.backoff < 0 {
		return nil, invalid("retries", "non_negative", "")
	}
	if err := o.documents.check(); err != nil {
		return nil, err
	}
	rules := DefaultLadderRules()
	if o.rules != nil {
		rules = *o.rules
	}
	if err := rules.Check(); err != nil {
		return nil, err
	}
	rules = withDayFactor(rules)
	if o.ces != nil {
		if err := o.ces.Check(); err != nil {
			return nil, err
		}
		rules = rules.WithCESScale(*o.ces)
	}
	pain := DefaultPainWeights()
	if o.pain != nil {
		if err := o.pain.Check(); err != nil {
			return nil, err
		}
		pain = *o.pain
	}
	var cal Calendar
	if o.calendar != nil {
		cal = *o.calendar
	}
	if err := cal.check(); err != nil {
		return nil, err
	}
	rules = rules.WithCalendar(cal)
	var numbering Numbering
	if o.numbering != nil {
		numbering = *o.numbering
	}
	numbering, err := numbering.normalized()
	if err != nil {
		return nil, err
	}
	approvals := DefaultApprovalRules()
	if o.approvals != nil {
		approvals = *o.approvals
	}
	dunning := DefaultDunningRules()
	if o.dunning != nil {
		dunning = o.dunning.clone()
	}
	dunningMachine, err := dunning.Machine()
	if err != nil {
		return nil, err
	}
	e := &engine{
		rules: rules, approvals: approvals, store: store, clock: o.clock, ids: newIDGenerator(o.clock, o.random), policy: o.policy,
		retries: o.retries, backoff: backoff.Policy{Base: o.backoff, Max: 100 * time.Millisecond}, subs: map[int]Subscriber{},
	}
	e.correctionLimits, e.calendar, e.numbering, e.documents = o.correctionLimits, cal, numbering, o.documents
	e.dunning, e.dunningMachine = dunning, dunningMachine
	e.facts = DefaultFactEvidence()
	if o.facts != nil {
		e.facts = *o.facts
	}
	e.pain = pain
	if e.visits = DefaultVisitRule(); o.visits != nil {
		if err := o.visits.Check(); err != nil {
			return nil, err
		}
		e.visits = *o.visits
	}
	if err := o.pool.Check(); err != nil {
		return nil, err
	}
	e.pool = o.pool
	if err := checkConsentEvidence(o.consent); err != nil {
		return nil, err
	}
	e.consent = o.consent
	if err := checkRetention(o.retention); err != nil {
		return nil, err
	}
	e.retention = o.retention
	if s, ok := store.(LogSealer); ok && s.SealsLog() {
		e.sealer = s
	}
	return &CRM{
		Users: &UserService{e}, Customers: &CustomerService{e}, Experience: &ExperienceService{e}, Cases: &CaseService{e},
		Ladder: &LadderService{e}, Deals: &DealService{e}, Activities: &ActivityService{e}, Campaigns: &CampaignService{e},
		Contracts: &ContractService{e}, Ledger: &LedgerService{e}, Receivables: &ReceivableService{e}, Events: &EventService{e},
	}, nil
}

// subscribe registers s and returns a function that removes it.
func (c *engine) subscribe(s Subscriber) (unsubscribe func()) {
	c.subMu.Lock()
	defer c.subMu.Unlock()
	id := c.nextSub
	c.nextSub++
	c.subs[id] = s
	return func() {
		c.subMu.Lock()
		defer c.subMu.Unlock()
		delete(c.subs, id)
	}
}

func (c *engine) notify(ctx context.Context, events []Event) {
	if len(events) == 0 {
		return
	}
	c.subMu.RLock()
	subs := make([]Subscriber, 0, len(c.subs))
	for _, s := range c.subs {
		subs = append(subs, s)
	}
	c.subMu.RUnlock()
	if len(subs) == 0 {
		return
	}
	ctx = context.WithoutCancel(ctx)
	for _, s := range subs {
		func() {
			defer func() { _ = recover() }()
			s(ctx, append([]Event(nil), events...))
		}()
	}
}

// now returns the clock's time in UTC to the microsecond, the precision
// every store keeps.
func (c *engine) now() time.Time { return c.clock.Now().UTC().Truncate(time.Microsecond) }

// today is the business day it is by the CRM's clock and calendar.
func (c *engine) today() Date { return c.calendar.DateOf(c.now()) }

// writeTx is one attempt of a write: the transaction, the acting user, the
// time of the write and the events it records.
type writeTx struct {
	ctx    context.Context
	crm    *engine
	tx     Tx
	actor  User
	now    time.Time
	events []Event
	moves  []LadderMove // ladder moves made by the write, for the caller
	// invoice headers read ahead, which do not change once issued (readInvoices)
	invoices map[ID]InvoiceHeader
	// payments the write received, whose kind does not change (allocated)
	credits map[ID]Credit
	// documents the write created and has not posted to yet: nothing is
	// open on them, so a posting's check need not read it (checkItems)
	fresh map[ID]bool
	// payment facts the write's allocations queued, weighed in the
	// ladder's order when its command is done (weighPaid)
	paid []Evidence
	// what was open on a customer's items today, as the write read it
	// before its posting (allocate), for the posting's check; the posting
	// forgets it (knownOpen)
	known knownOpen
	// the customer the write read first (touchCustomer), whose ID,
	// creation time and restriction do not change within a write
	// (customer)
	cust Customer
	// the store's own transaction, for its optional interfaces
	// (CheckReader)
	store Tx
	// what the write's checks read in one go (startChecked), and what
	// they were asked for; nil on a store that reads them one by one
	checks  CheckRequest
	checked *Checks
}

// stale marks an error that a retry cannot fix, such as a version the
// caller named that is no longer current.
type stale struct{ error }

func (s stale) Unwrap() error { return s.error }

// retryable reports whether another attempt may succeed: a version
// conflict with another writer, which a fresh read resolves.
func retryable(err error) bool {
	var s stale
	if errors.As(err, &s) {
		return false
	}
	return errors.Is(err, ErrConflict)
}

// write runs fn as actorID in a transaction, retrying conflicts, then
// tells the subscribers. The actor must be an active user: the zero ID is
// refused like any unknown one.
func (c *engine) write(ctx context.Context, actorID ID, fn func(w *writeTx) error) error {
	return c.writeChecked(ctx, actorID, CheckRequest{}, fn)
}

// writeChecked is write for a write that concerns one customer, and
// checks what r names first: a store that can reads them with the actor
// in one go (startChecked).
func (c *engine) writeChecked(ctx context.Context, actorID ID, r CheckRequest, fn func(w *writeTx) error) error {
	return c.transact(ctx, func(w *writeTx) error {
		if err := w.startChecked(actorID, r); err != nil {
			return err
		}
		return fn(w)
	})
}

// transact runs fn in a write transaction with no actor loaded, retrying
// conflicts, then tells the subscribers: write for every user's command,
// and Bootstrap, which has no actor yet.
func (c *engine) transact(ctx context.Context, fn func(w *writeTx) error) error {
	for attempt := 0; ; attempt++ {
		var committed []Event
		err := c.store.Update(ctx, func(tx Tx) error {
			w := &writeTx{ctx: ctx, crm: c, tx: newTxView(tx), store: tx, now: c.now()}
			if err := fn(w); err != nil {
				return err
			}
			if err := w.weighPaid(); err != nil {
				return err
			}
			if err := w.appendEvents(); err != nil {
				return err
			}
			committed = w.events
			return nil
		})
		if err == nil {
			c.sealAfterWrite(ctx, len(committed))
			c.notify(ctx, committed)
			return nil
		}
		if !retryable(err) || attempt >= c.retries || ctx.Err() != nil {
			var s stale
			if errors.As(err, &s) {
				return s.error
			}
			return err
		}
		if err := c.backoff.Wait(ctx, attempt); err != nil {
			return err
		}
	}
}

// zeroActor is the reason a call by the zero ID is refused: most often an
// earlier call failed and its result was used anyway.
const zeroActor = "unknown user: the zero ID, which no user has (did the call that returned it fail?)"

// activeActor loads the acting user and refuses unknown and deactivated
// ones: a rep who has left can neither change nor read anything.
func (c *engine) activeActor(ctx context.Context, users UserReader, id ID) (User, error) {
	if id.IsZero() {
		return User{}, &ForbiddenError{Actor: id, Reason: zeroActor}
	}
	u, err := users.Get(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return User{}, &ForbiddenError{Actor: id, Reason: "unknown user"}
	}
	if err != nil {
		return User{}, err
	}
	if !u.Active {
		return User{}, &ForbiddenError{Actor: id, Reason: "user is deactivated"}
	}
	return u, nil
}

// authorize asks the policy.
func (w *writeTx) authorize(action Action, t Target) error {
	return w.crm.policy.Authorize(w.actor, action, t)
}

func (w *writeTx) newID() (ID, error) { return w.crm.ids.next() }

// record queues an event; data is encoded as JSON. The reason a change
// gives is the caller's text and is validated here, once for every
// command: trimmed, without control characters, of a sane length.
func (w *writeTx) record(typ EventType, kind Kind, subject ID, version int64, data any) error {
	if cs, ok := data.(ChangeSet); ok {
		var err error
		if cs.Reason, err = cleanText("reason", cs.Reason, maxLongTextLen, false); err != nil {
			return err
		}
		data = cs
	}
	raw, err := json.Marshal(data)
	if err != nil {
		// What a command gave cannot be written down, a time out of range
		// say: bad input, refused like any other.
		return invalid(string(typ), "encodable", err.Error())
	}
	id, err := w.newID()
	if err != nil {
		return err
	}
	salt, err := w.crm.ids.salt()
	if err != nil {
		return err
	}
	w.events = append(w.events, Event{
		ID: id, Time: w.now, Actor: w.actor.ID, Type: typ, Kind: kind, Subject: subject,
		Version: version, Data: raw, DataSalt: salt, DataHash: dataDigest(salt, raw),
	})
	return nil
}

// appendEvents appends the queued events in the same transaction as the
// state they describe: chained to the log's head, or, on a store that
// seals the log, unchained, for the seal after commit to chain.
func (w *writeTx) appendEvents() error {
	if len(w.events) == 0 {
		return nil
	}
	if w.crm.sealer == nil {
		head, err := w.tx.Events().Head(w.ctx)
		if err != nil {
			return err
		}
		chain(head, w.events)
	}
	return w.tx.Events().Append(w.ctx, w.events)
}

// read runs fn in a read transaction as an active actor.
func (c *engine) read(ctx context.Context, actorID ID, fn func(tx ReadTx, actor User) error) error {
	return c.store.View(ctx, func(tx ReadTx) error {
		actor, err := c.activeActor(ctx, tx.Users(), actorID)
		if err != nil {
			return err
		}
		return fn(tx, actor)
	})
}

// checkVersion refuses a caller's stale view of a record.
func checkVersion(kind Kind, id ID, want, have int64) error {
	if want != 0 && want != have {
		return stale{&ConflictError{Kind: kind, ID: id.String(), Expected: want, Actual: have}}
	}
	return nil
}
