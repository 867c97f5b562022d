package storetest

import (
	"context"
	"crypto/sha256"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hostile is text that breaks naive SQL, LIKE patterns, JSON and byte
// counting: quotes, a statement terminator, a comment, a backslash, the
// LIKE wildcards, letters outside ASCII, an emoji and a combining accent.
// It has no control characters and no outer spaces, which the domain
// refuses or trims.
const hostile = `Robert'); DROP TABLE cases; -- "Bobby" \ 100% a_b Ünïcødé 名字 😀 e` + "\u0301"

// hostileShort is hostile text that fits the 64 characters of a
// department.
const hostileShort = `O'Neil"; -- \ 5% a_b Ü 名 😀 e` + "\u0301"

// read runs fn in a View and returns what it returns, failing the test on
// an error.
func read[T any](t *testing.T, s crm.Store, fn func(tx crm.ReadTx) (T, error)) T {
	t.Helper()
	v, err := tryRead(s, fn)
	require.NoError(t, err)
	return v
}

// tryRead runs fn in a View and returns what it returns.
func tryRead[T any](s crm.Store, fn func(tx crm.ReadTx) (T, error)) (T, error) {
	var v T
	err := s.View(context.Background(), func(tx crm.ReadTx) error {
		var err error
		v, err = fn(tx)
		return err
	})
	return v, err
}

// write runs fn in an Update.
func write(s crm.Store, fn func(tx crm.Tx) error) error {
	return s.Update(context.Background(), fn)
}

// insertAll inserts vs one by one in one transaction.
func insertAll[T any](t *testing.T, s crm.Store, insert func(tx crm.Tx, v T) error, vs ...T) {
	t.Helper()
	update(t, s, func(tx crm.Tx) error {
		for _, v := range vs {
			if err := insert(tx, v); err != nil {
				return err
			}
		}
		return nil
	})
}

// idsOf returns the IDs of vs, in order.
func idsOf[T any](vs []T, id func(T) crm.ID) []crm.ID {
	out := make([]crm.ID, len(vs))
	for i, v := range vs {
		out[i] = id(v)
	}
	return out
}

// allPages reads a listing page by page, each page in its own View and
// starting after the last record of the page before, and returns every
// record in the order listed; a page shorter than limit is the last.
func allPages[T any](t *testing.T, s crm.Store, limit int, id func(T) crm.ID, list func(tx crm.ReadTx, p crm.PageRequest) ([]T, error)) []T {
	t.Helper()
	var out []T
	page := crm.PageRequest{Limit: limit}
	for range 10_000 {
		got := read(t, s, func(tx crm.ReadTx) ([]T, error) { return list(tx, page) })
		require.LessOrEqual(t, len(got), limit, "a page holds at most Limit records")
		out = append(out, got...)
		if len(got) < limit {
			return out
		}
		page.After = id(got[len(got)-1])
	}
	require.FailNow(t, "the listing never ends")
	return nil
}

// requireNotFound requires err to be a *crm.NotFoundError of kind.
func requireNotFound(t *testing.T, err error, kind crm.Kind) {
	t.Helper()
	var nf *crm.NotFoundError
	require.ErrorAs(t, err, &nf)
	assert.ErrorIs(t, err, crm.ErrNotFound)
	assert.Equal(t, kind, nf.Kind)
}

// requireConflict requires err to be a *crm.ConflictError of kind and
// returns it.
func requireConflict(t *testing.T, err error, kind crm.Kind) *crm.ConflictError {
	t.Helper()
	var ce *crm.ConflictError
	require.ErrorAs(t, err, &ce)
	assert.ErrorIs(t, err, crm.ErrConflict)
	assert.Equal(t, kind, ce.Kind)
	return ce
}

// assertSame asserts that got equals want, comparing times to the
// microsecond (the stores keep microseconds) and requiring every time that
// comes back to be in UTC and a zero time to stay zero. Money compares by
// value: its currency and amount, whatever the scale of the decimal
// (10.5 EUR and 10.50 EUR are the same), and a zero with no currency
// stays one.
func assertSame[T any](t *testing.T, want, got T, msgAndArgs ...any) bool {
	t.Helper()
	var nonUTC []string
	w, g := microTimes(want, nil), microTimes(got, &nonUTC)
	assert.Empty(t, nonUTC, "times come back in UTC")
	return assert.Equal(t, w, g, msgAndArgs...)
}

var (
	timeType  = reflect.TypeFor[time.Time]()
	moneyType = reflect.TypeFor[crm.Money]()
)

// microTimes returns a deep copy of v whose times are truncated to the
// microsecond in UTC and whose money is in minor units, noting in nonUTC
// the paths of non-zero times that were in another location.
func microTimes[T any](v T, nonUTC *[]string) T {
	cp := reflect.New(reflect.TypeFor[T]()).Elem()
	cp.Set(reflect.ValueOf(&v).Elem())
	normalizeTimes(cp, "", nonUTC)
	return cp.Interface().(T)
}

func normalizeTimes(v reflect.Value, path string, nonUTC *[]string) {
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == moneyType {
			v.Set(reflect.ValueOf(canonicalMoney(v.Interface().(crm.Money))))
			return
		}
		if v.Type() == timeType {
			tm := v.Interface().(time.Time)
			if tm.IsZero() {
				v.Set(reflect.ValueOf(time.Time{}))
				return
			}
			if nonUTC != nil && tm.Location().String() != "UTC" {
				*nonUTC = append(*nonUTC, fmt.Sprintf("%s in %s", path, tm.Location()))
			}
			v.Set(reflect.ValueOf(time.UnixMicro(tm.UnixMicro()).UTC()))
			return
		}
		for i := range v.NumField() {
			if f := v.Type().Field(i); f.IsExported() {
				normalizeTimes(v.Field(i), path+"."+f.Name, nonUTC)
			}
		}
	case reflect.Slice:
		if v.IsNil() {
			return
		}
		cp := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		reflect.Copy(cp, v)
		v.Set(cp)
		for i := range cp.Len() {
			normalizeTimes(cp.Index(i), fmt.Sprintf("%s[%d]", path, i), nonUTC)
		}
	case reflect.Pointer:
		if v.IsNil() {
			return
		}
		cp := reflect.New(v.Type().Elem())
		cp.Elem().Set(v.Elem())
		v.Set(cp)
		normalizeTimes(cp.Elem(), path, nonUTC)
	}
}

// canonicalMoney returns m as MoneyFromMinor makes it, so that equal
// amounts are equal values; an amount that is not exact stays as it is.
func canonicalMoney(m crm.Money) crm.Money {
	if m.Currency().IsZero() {
		return m
	}
	minor, err := m.Minor()
	if err != nil {
		return m
	}
	return crm.MoneyFromMinor(minor, m.Currency())
}

// at is a time of the suite with microseconds, so that a store that keeps
// only milliseconds is caught.
func at(minutes int) time.Time { return ts(minutes).Add(123457 * time.Microsecond) }

// survey makes survey answers; a negative value is no answer.
func survey(nps, csat, ces int) crm.Survey {
	answer := func(v int) *int {
		if v < 0 {
			return nil
		}
		return ptr(v)
	}
	return crm.Survey{NPS: answer(nps), CSAT: answer(csat), CES: answer(ces)}
}

// sampleMap is a touchpoint map four levels deep whose touchpoints leave
// fields to their parents, lists a child before its parent, and has keys
// that differ only in case ("web", "Web") or by a LIKE wildcard ("a_c",
// "abc").
func sampleMap(id crm.ID) crm.TouchpointMap {
	return crm.TouchpointMap{ID: id, Name: "Retail " + hostile, CreatedAt: at(1), UpdatedAt: at(2), Version: 1,
		Touchpoints: []crm.Touchpoint{
			{Key: "web.checkout.3ds", Name: "3-D Secure", Parent: "web.checkout", Weight: 150},
			{Key: "web", Name: "Web site", Channel: crm.ChannelWeb, Medium: crm.MediumWeb, Phase: crm.PhaseConsideration,
				Department: "E-commerce", Standards: crm.ServiceStandards{AnswerWithin: 2*time.Second + 250*time.Microsecond, ResolveWithin: 48 * time.Hour, MinCSAT: 4}},
			{Key: "web.checkout", Name: "Checkout", Parent: "web", Phase: crm.PhaseOrdering, Standards: crm.ServiceStandards{AnswerWithin: time.Second}},
			{Key: "Web", Name: "Web (legacy) " + hostile, Channel: "legacy_web"},
			{Key: "a_c", Name: "Wildcard", Parent: "Web", Department: "IT"},
			{Key: "abc", Name: "Not the wildcard", Parent: "a_c", Phase: "custom.phase-1"},
			{Key: "call", Name: "Call centre " + hostile, Channel: crm.ChannelContactCenter, Medium: crm.MediumPhone, Phase: crm.PhaseSupport,
				Department: "Care " + hostileShort, Standards: crm.ServiceStandards{AnswerWithin: 90 * time.Second, ResolveWithin: 72 * time.Hour, MinCSAT: 3}, Weight: 200},
			{Key: "call.billing", Name: "Billing line", Parent: "call", Phase: crm.PhaseBilling, Department: "Billing"},
			{Key: "call.billing.dispute", Name: "Disputes", Parent: "call.billing", Medium: crm.MediumLetter, Standards: crm.ServiceStandards{MinCSAT: 5}},
			{Key: "call.billing.dispute.legal", Name: "Legal review", Parent: "call.billing.dispute", Department: "Legal", Weight: 40},
		}}
}

// scene is a store with what experience records refer to: two customers
// and a touchpoint map, so that an adapter with foreign keys passes too;
// salesRefs adds what sales records refer to, ledgerRefs what
// receivables records refer to.
type scene struct {
	s        crm.Store
	g        *ids
	ann, bob crm.ID
	m        crm.TouchpointMap
	sales    *salesRefs  // stored on first use by salesRefs
	ledger   *ledgerRefs // stored on first use by ledgerRefs
}

func newScene(t *testing.T, newStore NewStoreFunc) *scene {
	t.Helper()
	sc := &scene{s: newStore(t), g: &ids{}}
	owner := sc.g.next()
	a, b := sampleCustomer(sc.g.next(), owner), sampleCustomer(sc.g.next(), owner)
	sc.ann, sc.bob = a.ID, b.ID
	sc.m = sampleMap(sc.g.next())
	insertCustomers(t, sc.s, a, b)
	insertAll(t, sc.s, insertMap, sc.m)
	return sc
}

// customer stores a new customer and returns its ID.
func (sc *scene) customer(t *testing.T) crm.ID {
	t.Helper()
	c := sampleCustomer(sc.g.next(), sc.g.next())
	insertCustomers(t, sc.s, c)
	return c.ID
}

// interaction returns an interaction of customer at t with every field
// set.
func (sc *scene) interaction(customer crm.ID, t time.Time) crm.Interaction {
	id := sc.g.next()
	return crm.Interaction{
		ID: id, Customer: customer, Map: sc.m.ID, Touchpoint: "call.billing.dispute", At: t, Direction: crm.Inbound,
		HandledBy: sc.g.next(), Department: "Legal " + hostileShort, Channel: crm.ChannelContactCenter, Medium: crm.MediumLetter,
		Phase: crm.PhaseBilling, Wait: 95*time.Second + 7*time.Microsecond, Handle: 7*time.Minute + 3*time.Microsecond,
		Transfers: []crm.Transfer{{From: "Billing", To: "Legal " + hostileShort}, {From: "Legal " + hostileShort, To: "Billing"}},
		Resolved:  true, Sentiment: crm.VeryNegative, Survey: survey(0, 2, 7), Case: sc.g.next(), Note: "note " + hostile,
		AnswerBreached: true, CSATBreached: true, IdempotencyKey: "idem " + hostile + " " + id.String(),
		RequestHash: crm.Hash(sha256.Sum256([]byte(id.String()))), RecordedAt: t.Add(90*time.Minute + 11*time.Microsecond), RecordedBy: sc.g.next(),
		Day: crm.DateOf(t).AddDays(1), // a business day east of UTC
	}
}

// plainInteraction returns an interaction of customer at t with the
// optional fields empty.
func (sc *scene) plainInteraction(customer crm.ID, t time.Time) crm.Interaction {
	return crm.Interaction{ID: sc.g.next(), Customer: customer, Map: sc.m.ID, Touchpoint: "web", At: t,
		Direction: crm.Outbound, Channel: crm.ChannelWeb, Medium: crm.MediumWeb, Phase: crm.PhaseConsideration, RecordedAt: t}
}

// caseOf returns a case of customer with every field set.
func (sc *scene) caseOf(customer crm.ID) crm.Case {
	return crm.Case{
		ID: sc.g.next(), Customer: customer, Kind: crm.Complaint, Subject: "Double charge " + hostile, Status: crm.CaseReopened,
		Map: sc.m.ID, Touchpoint: "call.billing", Channel: crm.ChannelContactCenter, Phase: crm.PhaseBilling,
		Department: "Billing " + hostileShort, Assignee: sc.g.next(), OpenedAt: at(10), OpenedDay: crm.DateOf(at(10)).AddDays(1), ResolvedAt: at(3000), ClosedAt: at(4000),
		PromisedBy: at(2000), ResolveWithin: 72*time.Hour + time.Microsecond, Handoffs: 4, Reopens: 2, Contacts: 7,
		Resolution: "Refunded " + hostile, ResolveBreached: true, PromiseBroken: true, OverdueSteps: 3, NextOverdue: at(2500),
		CreatedAt: at(10), UpdatedAt: at(4000), Version: 1,
	}
}

// evidence returns experience evidence of customer at t with every field
// set.
func (sc *scene) evidence(customer crm.ID, t time.Time) crm.Evidence {
	return crm.Evidence{
		ID: sc.g.next(), Customer: customer, Kind: crm.EvidenceResolution, At: t, Source: crm.KindCase, SourceID: sc.g.next(),
		Map: sc.m.ID, Touchpoint: "call.billing.dispute.legal", Weight: 40, Sentiment: crm.Positive, Survey: survey(10, 5, 1),
		Transfers: 3, Breached: true, Resolved: true, Resolution: 50*time.Hour + 9*time.Microsecond, WithinStandard: true,
		Handoffs: 2, Reopens: 1, Note: "order " + hostile, Direction: crm.Outbound, PromiseBroken: true, Repeats: 5, Arrival: 6,
	}
}

// evidenceRef returns a reference to evidence of customer at t with
// every field set, as a move keeps it.
func (sc *scene) evidenceRef(customer crm.ID, t time.Time) crm.EvidenceRef {
	ev := sc.evidence(customer, t)
	return ev.Ref()
}

// move returns a move of customer at t with every field set, the
// reference to its evidence included.
func (sc *scene) move(customer crm.ID, t time.Time) crm.LadderMove {
	return crm.LadderMove{ID: sc.g.next(), Customer: customer, At: t, From: crm.Satisfied, To: crm.Annoyed, Event: crm.Fall,
		ScoreBefore: 21_500, ScoreAfter: -8_501, Evidence: sc.evidenceRef(customer, t), Reason: "broken promise " + hostile}
}

// state returns a ladder state of customer with every field set.
func (sc *scene) state(customer crm.ID) crm.LadderState {
	return crm.LadderState{Customer: customer, Stage: crm.Loyal, Score: 41_234, Since: at(100), UpdatedAt: at(200),
		Purchases: 3, LastReferral: at(150), LastPromoter: at(180), Evidence: 17, Version: 1,
		LastDetractor: at(190), Failures: 2, LastFailure: at(170), BeforeFailure: -12_345, LastAt: at(200), LastArrival: 16}
}

// template returns a journey template on the scene's map.
func (sc *scene) template() crm.JourneyTemplate {
	return crm.JourneyTemplate{ID: sc.g.next(), Name: "Buy online " + hostile, Map: sc.m.ID,
		Steps: []string{"web", "web.checkout", "web.checkout.3ds", "call.billing"}, RepeatWindow: 36*time.Hour + time.Microsecond,
		CreatedAt: at(5), UpdatedAt: at(6), Version: 1}
}

// The repository calls the tests share.

func insertMap(tx crm.Tx, m crm.TouchpointMap) error         { return mapVersions.insert(tx, m) }
func insertCase(tx crm.Tx, c crm.Case) error                 { return caseVersions.insert(tx, c) }
func insertTemplate(tx crm.Tx, jt crm.JourneyTemplate) error { return templateVersions.insert(tx, jt) }
func insertInteraction(tx crm.Tx, in crm.Interaction) error {
	return tx.Interactions().Insert(context.Background(), in)
}
func saveState(tx crm.Tx, st crm.LadderState) error {
	return tx.Ladder().SaveState(context.Background(), st)
}
func appendEvidence(tx crm.Tx, ev crm.Evidence) error {
	return tx.Ladder().AppendEvidence(context.Background(), ev)
}
func appendMove(tx crm.Tx, m crm.LadderMove) error {
	return tx.Ladder().AppendMoves(context.Background(), []crm.LadderMove{m})
}

func interactionID(in crm.Interaction) crm.ID { return in.ID }
func caseID(c crm.Case) crm.ID                { return c.ID }
func moveID(m crm.LadderMove) crm.ID          { return m.ID }
func evidenceID(ev crm.Evidence) crm.ID       { return ev.ID }

// assertCopies checks that a store shares no memory with its callers: it
// inserts v (when insert is not nil), spoils the caller's v with mutate,
// reads the record back with get, spoils that too, and requires a last
// read to equal v as it was inserted.
func assertCopies[T any](t *testing.T, s crm.Store, v T, insert func(crm.Tx, T) error, get func(crm.ReadTx) (T, error), mutate func(*T)) {
	t.Helper()
	v = microTimes(v, nil) // a deep copy, so that the caller's value is left alone
	want := microTimes(v, nil)
	if insert != nil {
		insertAll(t, s, insert, v)
		mutate(&v)
		require.NotEqual(t, want, microTimes(v, nil), "mutate changes the value")
	}
	got := read(t, s, get)
	mutate(&got)
	require.NotEqual(t, want, microTimes(got, nil), "mutate changes the value")
	assertSame(t, want, read(t, s, get), "the store shares memory with its callers")
}

// assertSameList asserts that got lists the records of want in the same
// order (comparing IDs first, for a short message) and that every record
// is the same, as assertSame compares them. Empty and nil lists are the
// same.
func assertSameList[T any](t *testing.T, want, got []T, id func(T) crm.ID, msgAndArgs ...any) bool {
	t.Helper()
	if !assert.Equal(t, idStrings(want, id), idStrings(got, id), msgAndArgs...) {
		return false
	}
	if len(want) == 0 {
		return true
	}
	return assertSame(t, want, got, msgAndArgs...)
}

func idStrings[T any](vs []T, id func(T) crm.ID) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = id(v).String()
	}
	return out
}
