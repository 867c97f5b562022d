package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func runConsent(t *testing.T, newStore NewStoreFunc) {
	t.Run("Records", func(t *testing.T) { runConsentRecords(t, newStore) })
	t.Run("Latest", func(t *testing.T) { runConsentLatest(t, newStore) })
	t.Run("Timeline", func(t *testing.T) { runConsentTimeline(t, newStore) })
	t.Run("Contacts", func(t *testing.T) { runConsentContacts(t, newStore) })
	t.Run("BadInput", func(t *testing.T) { runConsentBadInput(t, newStore) })
	t.Run("Authorization", func(t *testing.T) { runConsentAuthorization(t, newStore) })
	t.Run("Ladder", func(t *testing.T) { runConsentLadder(t, newStore) })
	t.Run("ConcurrentGivers", func(t *testing.T) { runConsentRaces(t, newStore) })
}

// runConsentRecords stores consent records that between them set and
// empty every field, reads them back through every filter in pages, and
// refuses a second record with an ID already stored.
func runConsentRecords(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	s := newStore(t)
	g := &ids{n: 1 << 45}
	cu1, cu2, contact, ann := g.next(), g.next(), g.next(), g.next()
	at := func(h int) time.Time { return epoch.Add(time.Duration(h) * time.Hour) }
	records := []crm.Consent{
		{ID: g.next(), Customer: cu1, Purpose: "email_marketing", Choice: crm.ConsentGiven, At: at(1), Source: "web_form",
			Proof: "form 42: " + hostile, RecordedAt: at(2), RecordedBy: ann},
		{ID: g.next(), Customer: cu1, Contact: contact, Purpose: "email_marketing", Choice: crm.ConsentGiven, At: at(1).Add(time.Microsecond),
			ValidUntil: at(24 * 365), Source: hostileShort, Proof: "recording 7", RecordedAt: at(1).Add(time.Second), RecordedBy: ann},
		{ID: g.next(), Customer: cu1, Purpose: "phone.sales-2", Choice: crm.ConsentWithdrawn, At: at(3), Source: "phone",
			RecordedAt: at(3), RecordedBy: ann},
		{ID: g.next(), Customer: cu2, Purpose: "email_marketing", Choice: crm.ConsentWithdrawn, At: at(-100), Source: "letter",
			Proof: "scan", RecordedAt: at(4), RecordedBy: ann},
	}
	update(t, s, func(tx crm.Tx) error {
		for _, c := range records {
			require.NoError(t, tx.Consents().Insert(ctx, c))
		}
		dup := records[0]
		dup.Purpose = "other"
		assert.ErrorIs(t, tx.Consents().Insert(ctx, dup), crm.ErrConflict, "an ID is stored once")
		return nil
	})
	view(t, s, func(tx crm.ReadTx) error {
		for _, f := range []crm.ConsentFilter{{}, {Customer: cu1}, {Customer: cu2}, {Contact: contact}, {Purpose: "email_marketing"},
			{Customer: cu1, Purpose: "phone.sales-2"}, {Customer: cu2, Contact: contact}, {Customer: g.next()}} {
			var want []crm.Consent
			for _, c := range records {
				if f.Match(c) {
					want = append(want, c)
				}
			}
			list, err := tx.Consents().List(ctx, f, crm.PageRequest{Limit: 2})
			require.NoError(t, err)
			if len(list) == 2 {
				more, err := tx.Consents().List(ctx, f, crm.PageRequest{After: list[1].ID, Limit: 10})
				require.NoError(t, err)
				list = append(list, more...)
			}
			assert.Equal(t, want, list, "%+v", f)
		}
		return nil
	})
}

// runConsentLatest checks Latest against crm.LatestConsent: the rules of
// a tie (a withdrawal wins an instant, then the later recorded, then the
// greater ID), the bounds (a record at the very time counts, one a
// microsecond later not), and, on a history generated from a fixed seed
// with many ties, every subject at every time that matters.
func runConsentLatest(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	s := newStore(t)
	g := &ids{n: 1 << 46}
	cu, contact, ann := g.next(), g.next(), g.next()
	at := func(m int) time.Time { return epoch.Add(time.Duration(m) * time.Minute) }
	mk := func(contact crm.ID, purpose string, choice crm.ConsentChoice, m, recorded int) crm.Consent {
		c := crm.Consent{ID: g.next(), Customer: cu, Contact: contact, Purpose: purpose, Choice: choice, At: at(m),
			Source: "web_form", RecordedAt: at(recorded), RecordedBy: ann}
		if choice == crm.ConsentGiven {
			c.Proof = "form"
		}
		return c
	}
	given := mk(crm.ID{}, "news", crm.ConsentGiven, 10, 20)
	tieWithdrawn := mk(crm.ID{}, "news", crm.ConsentWithdrawn, 10, 15) // recorded earlier, still wins the instant
	laterRecorded := mk(crm.ID{}, "news", crm.ConsentGiven, 30, 40)
	earlierRecorded := mk(crm.ID{}, "news", crm.ConsentGiven, 30, 35)
	sameAllButID := mk(crm.ID{}, "news", crm.ConsentGiven, 30, 40) // a greater ID than laterRecorded
	other := mk(contact, "news", crm.ConsentGiven, 5, 5)
	update(t, s, func(tx crm.Tx) error {
		for _, c := range []crm.Consent{sameAllButID, given, tieWithdrawn, laterRecorded, earlierRecorded, other} {
			require.NoError(t, tx.Consents().Insert(ctx, c))
		}
		return nil
	})
	latest := func(tx crm.ReadTx, contact crm.ID, purpose string, when time.Time) (crm.Consent, error) {
		return tx.Consents().Latest(ctx, cu, contact, purpose, when)
	}
	view(t, s, func(tx crm.ReadTx) error {
		_, err := latest(tx, crm.ID{}, "news", at(10).Add(-time.Microsecond))
		assert.ErrorIs(t, err, crm.ErrNotFound, "nothing decided before the first decision")
		got, err := latest(tx, crm.ID{}, "news", at(10))
		require.NoError(t, err)
		assert.Equal(t, tieWithdrawn, got, "a withdrawal wins a tie of At, whenever it was recorded")
		got, err = latest(tx, crm.ID{}, "news", at(29))
		require.NoError(t, err)
		assert.Equal(t, tieWithdrawn.ID, got.ID)
		got, err = latest(tx, crm.ID{}, "news", at(30))
		require.NoError(t, err)
		assert.Equal(t, sameAllButID, got, "then the later recorded, then the greater ID")
		got, err = latest(tx, contact, "news", at(100))
		require.NoError(t, err)
		assert.Equal(t, other, got, "a contact's decisions are theirs")
		_, err = latest(tx, contact, "news", at(4))
		assert.ErrorIs(t, err, crm.ErrNotFound)
		_, err = latest(tx, crm.ID{}, "other", at(100))
		assert.ErrorIs(t, err, crm.ErrNotFound, "nor does one purpose decide another")
		return nil
	})

	// A generated history: few distinct times, so ties abound.
	rng := rand.New(rand.NewPCG(27, 14))
	contacts := []crm.ID{{}, contact, g.next()}
	purposes := []string{"news", "calls", "x"}
	var all []crm.Consent
	update(t, s, func(tx crm.Tx) error {
		for range 300 {
			choice := crm.ConsentGiven
			if rng.IntN(2) == 0 {
				choice = crm.ConsentWithdrawn
			}
			c := mk(contacts[rng.IntN(len(contacts))], purposes[rng.IntN(len(purposes))], choice, 100+rng.IntN(12), 100+rng.IntN(5))
			require.NoError(t, tx.Consents().Insert(ctx, c))
			all = append(all, c)
		}
		return nil
	})
	all = append(all, sameAllButID, given, tieWithdrawn, laterRecorded, earlierRecorded, other)
	view(t, s, func(tx crm.ReadTx) error {
		for _, ct := range contacts {
			for _, p := range purposes {
				var subject []crm.Consent
				for _, c := range all {
					if c.Contact == ct && c.Purpose == p {
						subject = append(subject, c)
					}
				}
				for m := 98; m <= 113; m++ {
					for _, when := range []time.Time{at(m).Add(-time.Microsecond), at(m)} {
						want, found := crm.LatestConsent(subject, when)
						got, err := latest(tx, ct, p, when)
						if !found {
							assert.ErrorIs(t, err, crm.ErrNotFound, "%s %s at %s", ct, p, when)
							continue
						}
						require.NoError(t, err)
						assert.Equal(t, want, got, "%s %s at %s", ct, p, when)
					}
				}
			}
		}
		return nil
	})
}

// consentWorld is a Team with a customer of Ann's, Bob's Bakery, whose
// contact person is Carla, and the clock thirty days on.
type consentWorld struct {
	*Team
	customer crm.Customer
	carla    crm.ID
}

func newConsentWorld(t *testing.T, newStore NewStoreFunc, opts ...crm.Option) *consentWorld {
	t.Helper()
	tm := NewTeam(t, newStore(t), opts...)
	cu, err := tm.Customers.Create(context.Background(), tm.Ann.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: "Bob's Bakery",
		Contacts: []crm.Contact{{Name: "Carla Cook", Email: "carla@example.com"}}})
	require.NoError(t, err)
	tm.Clock.Advance(30 * 24 * time.Hour)
	return &consentWorld{Team: tm, customer: cu, carla: cu.Contacts[0].ID}
}

// day is a time d days after the world's start, at noon.
func (w *consentWorld) day(d int) time.Time {
	return epoch.Add(time.Duration(d)*24*time.Hour + 3*time.Hour)
}

// may asks MayContact as the admin.
func (w *consentWorld) may(t *testing.T, contact crm.ID, purpose string, at time.Time) crm.ContactDecision {
	t.Helper()
	d, err := w.Customers.MayContact(context.Background(), w.Admin.ID, crm.MayContactQuery{Customer: w.customer.ID, Contact: contact,
		Purpose: purpose, At: at})
	require.NoError(t, err)
	return d
}

// runConsentTimeline gives, withdraws and gives again through the CRM,
// with one decision entered late, and asks MayContact between each: the
// status and the record that decides; then a consent that lapses; the
// history in the order recorded; and the events, which keep neither the
// source nor the proof.
func runConsentTimeline(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	w := newConsentWorld(t, newStore)
	cu := w.customer.ID
	give := func(d int, proof string) crm.Consent {
		c, err := w.Customers.GiveConsent(ctx, w.Ann.ID, crm.GiveConsentRequest{Customer: cu, Purpose: "email_marketing", At: w.day(d),
			Source: "web_form", Proof: proof})
		require.NoError(t, err)
		return c
	}
	first := give(2, "newsletter form, submission 1001: "+hostile)
	assert.Equal(t, crm.ConsentGiven, first.Choice)
	assert.Equal(t, w.Ann.ID, first.RecordedBy)
	assert.Equal(t, w.Clock.Now().UTC().Truncate(time.Microsecond), first.RecordedAt)
	assert.Equal(t, "newsletter form, submission 1001: "+hostile, first.Proof)
	withdrawn, err := w.Customers.WithdrawConsent(ctx, w.Sue.ID, crm.WithdrawConsentRequest{Customer: cu, Purpose: "email_marketing",
		At: w.day(10), Source: "phone"})
	require.NoError(t, err, "anyone records a withdrawal, without proof")
	again := give(20, "newsletter form, submission 2002")
	late := give(5, "paper form signed at the counter") // entered after the rest, decided in between

	cases := []struct {
		name   string
		at     time.Time
		status crm.ConsentStatus
		record crm.ID
	}{
		{"before any decision", w.day(1), crm.ConsentStatusNone, crm.ID{}},
		{"at the first consent", w.day(2), crm.ConsentStatusGiven, first.ID},
		{"after the paper form", w.day(6), crm.ConsentStatusGiven, late.ID},
		{"at the withdrawal", w.day(10), crm.ConsentStatusWithdrawn, withdrawn.ID},
		{"a microsecond before giving again", w.day(20).Add(-time.Microsecond), crm.ConsentStatusWithdrawn, withdrawn.ID},
		{"given again", w.day(20), crm.ConsentStatusGiven, again.ID},
		{"now", time.Time{}, crm.ConsentStatusGiven, again.ID},
	}
	for _, c := range cases {
		d := w.may(t, crm.ID{}, "email_marketing", c.at)
		assert.Equal(t, c.status, d.Status, c.name)
		assert.Equal(t, c.status == crm.ConsentStatusGiven, d.Allowed, c.name)
		assert.Equal(t, c.record, d.Record.ID, c.name)
	}
	none := w.may(t, crm.ID{}, "sms", time.Time{})
	assert.Equal(t, crm.ContactDecision{Customer: cu, Purpose: "sms", At: w.Clock.Now().UTC(), Status: crm.ConsentStatusNone}, none,
		"no consent on record is told apart from a withdrawal")

	// A consent that lapses.
	lapsing, err := w.Customers.GiveConsent(ctx, w.Ann.ID, crm.GiveConsentRequest{Customer: cu, Purpose: "phone_survey", At: w.day(3),
		ValidUntil: w.day(13), Source: "phone", Proof: "call recording 77"})
	require.NoError(t, err)
	assert.Equal(t, crm.ConsentStatusGiven, w.may(t, crm.ID{}, "phone_survey", w.day(13).Add(-time.Microsecond)).Status)
	lapsed := w.may(t, crm.ID{}, "phone_survey", w.day(13))
	assert.Equal(t, crm.ConsentStatusExpired, lapsed.Status)
	assert.False(t, lapsed.Allowed)
	assert.Equal(t, lapsing, lapsed.Record)

	history, err := w.Customers.ConsentHistory(ctx, w.Ann.ID, crm.ConsentFilter{Customer: cu})
	require.NoError(t, err)
	assert.Equal(t, []crm.Consent{first, withdrawn, again, late, lapsing}, history, "in the order recorded")
	history, err = w.Customers.ConsentHistory(ctx, w.Ann.ID, crm.ConsentFilter{Customer: cu, Purpose: "phone_survey"})
	require.NoError(t, err)
	assert.Equal(t, []crm.Consent{lapsing}, history)

	events, err := w.Customers.History(ctx, w.Admin.ID, cu)
	require.NoError(t, err)
	var types []crm.EventType
	for _, e := range events {
		if e.Type == crm.ConsentGivenEvent || e.Type == crm.ConsentWithdrawnEvent {
			types = append(types, e.Type)
			assert.NotContains(t, string(e.Data), "submission", "the log keeps no proof")
			assert.NotContains(t, string(e.Data), "phone\"", "nor the source")
			assert.NotContains(t, string(e.Data), "web_form", "nor the source")
			var data struct {
				Consent crm.ID `json:"consent"`
			}
			require.NoError(t, json.Unmarshal(e.Data, &data))
			assert.False(t, data.Consent.IsZero(), "the event names its record")
		}
	}
	assert.Equal(t, []crm.EventType{crm.ConsentGivenEvent, crm.ConsentWithdrawnEvent, crm.ConsentGivenEvent, crm.ConsentGivenEvent,
		crm.ConsentGivenEvent}, types)
	_, err = w.Events.Verify(ctx)
	assert.NoError(t, err, "the log still verifies")
}

// runConsentContacts: a contact person's consent and the customer's own
// decide each for themself.
func runConsentContacts(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	w := newConsentWorld(t, newStore)
	cu := w.customer.ID
	carla, err := w.Customers.GiveConsent(ctx, w.Ann.ID, crm.GiveConsentRequest{Customer: cu, Contact: w.carla, Purpose: "email_marketing",
		At: w.day(2), Source: "trade fair", Proof: "badge scan 55, consent box ticked"})
	require.NoError(t, err)
	assert.Equal(t, w.carla, carla.Contact)
	company, err := w.Customers.WithdrawConsent(ctx, w.Ann.ID, crm.WithdrawConsentRequest{Customer: cu, Purpose: "email_marketing",
		At: w.day(3), Source: "email", Proof: "mail from info@"})
	require.NoError(t, err)

	d := w.may(t, w.carla, "email_marketing", time.Time{})
	assert.True(t, d.Allowed, "the company's withdrawal is not Carla's")
	assert.Equal(t, carla, d.Record)
	d = w.may(t, crm.ID{}, "email_marketing", time.Time{})
	assert.Equal(t, crm.ConsentStatusWithdrawn, d.Status)
	assert.Equal(t, company, d.Record)

	_, err = w.Customers.WithdrawConsent(ctx, w.Ben.ID, crm.WithdrawConsentRequest{Customer: cu, Contact: w.carla, Purpose: "email_marketing",
		At: w.day(4), Source: "phone"})
	require.NoError(t, err)
	assert.Equal(t, crm.ConsentStatusWithdrawn, w.may(t, w.carla, "email_marketing", time.Time{}).Status)
	assert.Equal(t, crm.ConsentStatusNone, w.may(t, crm.ID{}, "calls", time.Time{}).Status)

	list, err := w.Customers.ConsentHistory(ctx, w.Admin.ID, crm.ConsentFilter{Customer: cu, Contact: w.carla})
	require.NoError(t, err)
	assert.Len(t, list, 2)

	// A former customer's decisions are still recorded and answered: an
	// archived customer who withdraws must be heard.
	_, err = w.Customers.Archive(ctx, w.Ann.ID, crm.ArchiveCustomerRequest{Customer: cu, Reason: "closed the shop"})
	require.NoError(t, err)
	_, err = w.Customers.GiveConsent(ctx, w.Ann.ID, crm.GiveConsentRequest{Customer: cu, Purpose: "calls", Source: "phone", Proof: "call 9"})
	require.NoError(t, err)
	_, err = w.Customers.WithdrawConsent(ctx, w.Sue.ID, crm.WithdrawConsentRequest{Customer: cu, Purpose: "calls", Source: "letter"})
	require.NoError(t, err)
	assert.Equal(t, crm.ConsentStatusWithdrawn, w.may(t, crm.ID{}, "calls", time.Time{}).Status)
}

// runConsentBadInput: each bad command is refused with a typed error and
// leaves the log and the history as they were.
func runConsentBadInput(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	w := newConsentWorld(t, newStore)
	cu := w.customer.ID
	ok := crm.GiveConsentRequest{Customer: cu, Purpose: "email_marketing", At: w.day(2), Source: "web_form", Proof: "form 1"}
	tooLong := make([]byte, 65)
	for i := range tooLong {
		tooLong[i] = 'a'
	}
	cases := []struct {
		name   string
		change func(*crm.GiveConsentRequest)
		is     error
	}{
		{"unknown customer", func(r *crm.GiveConsentRequest) { r.Customer = crm.ID{1} }, crm.ErrNotFound},
		{"no customer", func(r *crm.GiveConsentRequest) { r.Customer = crm.ID{} }, crm.ErrNotFound},
		{"unknown contact", func(r *crm.GiveConsentRequest) { r.Contact = w.Ann.ID }, crm.ErrInvalid},
		{"empty purpose", func(r *crm.GiveConsentRequest) { r.Purpose = "" }, crm.ErrInvalid},
		{"purpose in capitals", func(r *crm.GiveConsentRequest) { r.Purpose = "Email_Marketing" }, crm.ErrInvalid},
		{"purpose with a space", func(r *crm.GiveConsentRequest) { r.Purpose = "email marketing" }, crm.ErrInvalid},
		{"purpose starting with a digit", func(r *crm.GiveConsentRequest) { r.Purpose = "1st" }, crm.ErrInvalid},
		{"purpose too long", func(r *crm.GiveConsentRequest) { r.Purpose = string(tooLong) }, crm.ErrInvalid},
		{"in the future", func(r *crm.GiveConsentRequest) { r.At = w.Clock.Now().Add(time.Second) }, crm.ErrInvalid},
		{"no proof", func(r *crm.GiveConsentRequest) { r.Proof = "  " }, crm.ErrInvalid},
		{"no source", func(r *crm.GiveConsentRequest) { r.Source = "" }, crm.ErrInvalid},
		{"control characters in the proof", func(r *crm.GiveConsentRequest) { r.Proof = "form\x00" }, crm.ErrInvalid},
		{"lapsing before it was given", func(r *crm.GiveConsentRequest) { r.ValidUntil = r.At }, crm.ErrInvalid},
	}
	head := func() crm.LogHead {
		var h crm.LogHead
		view(t, w.Store, func(tx crm.ReadTx) error {
			var err error
			h, err = tx.Events().Head(ctx)
			return err
		})
		return h
	}
	before := head()
	for _, c := range cases {
		r := ok
		c.change(&r)
		_, err := w.Customers.GiveConsent(ctx, w.Ann.ID, r)
		assert.ErrorIs(t, err, c.is, c.name)
		wr := crm.WithdrawConsentRequest{Customer: r.Customer, Contact: r.Contact, Purpose: r.Purpose, At: r.At, Source: r.Source, Proof: r.Proof}
		if c.name == "no proof" || c.name == "lapsing before it was given" {
			continue // a withdrawal needs no proof, and has no ValidUntil
		}
		_, err = w.Customers.WithdrawConsent(ctx, w.Ann.ID, wr)
		assert.ErrorIs(t, err, c.is, "withdraw: "+c.name)
	}
	_, err := w.Customers.MayContact(ctx, w.Admin.ID, crm.MayContactQuery{Customer: cu, Purpose: "Bad Key"})
	assert.ErrorIs(t, err, crm.ErrInvalid)
	assert.Equal(t, before, head(), "nothing was written")
	list, err := w.Customers.ConsentHistory(ctx, w.Admin.ID, crm.ConsentFilter{Customer: cu})
	require.NoError(t, err)
	assert.Empty(t, list)
	assert.Equal(t, crm.ConsentStatusNone, w.may(t, crm.ID{}, "email_marketing", time.Time{}).Status)
}

// runConsentAuthorization: giving consent is for the owner, their manager
// and admins; a withdrawal anyone records; reading needs read access.
func runConsentAuthorization(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	w := newConsentWorld(t, newStore)
	cu := w.customer.ID // Ann's, of team north
	give := func(actor crm.User) error {
		_, err := w.Customers.GiveConsent(ctx, actor.ID, crm.GiveConsentRequest{Customer: cu, Purpose: "news", Source: "web_form", Proof: "form"})
		return err
	}
	assert.NoError(t, give(w.Ann), "the owner")
	assert.NoError(t, give(w.Manager), "the owner's manager")
	assert.NoError(t, give(w.Admin), "an admin")
	assert.ErrorIs(t, give(w.Ben), crm.ErrNotFound, "a teammate who may not read the customer is told it is not there")
	assert.ErrorIs(t, give(w.Sue), crm.ErrNotFound)
	sue, err := w.Customers.Create(ctx, w.Sue.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: "Southern Ltd"})
	require.NoError(t, err)
	_, err = w.Customers.GiveConsent(ctx, w.Manager.ID, crm.GiveConsentRequest{Customer: sue.ID, Purpose: "news", Source: "web_form", Proof: "form"})
	assert.ErrorIs(t, err, crm.ErrNotFound, "a manager gives for their team only")

	for _, u := range []crm.User{w.Ann, w.Ben, w.Sue, w.Manager, w.Admin} {
		_, err := w.Customers.WithdrawConsent(ctx, u.ID, crm.WithdrawConsentRequest{Customer: cu, Purpose: "news", Source: "phone"})
		assert.NoError(t, err, "%s records a withdrawal", u.Name)
	}
	_, err = w.Customers.MayContact(ctx, w.Sue.ID, crm.MayContactQuery{Customer: cu, Purpose: "news"})
	assert.ErrorIs(t, err, crm.ErrNotFound)
	_, err = w.Customers.ConsentHistory(ctx, w.Ben.ID, crm.ConsentFilter{Customer: cu})
	assert.ErrorIs(t, err, crm.ErrNotFound)
	d, err := w.Customers.MayContact(ctx, w.Ann.ID, crm.MayContactQuery{Customer: cu, Purpose: "news"})
	require.NoError(t, err)
	assert.Equal(t, crm.ConsentStatusWithdrawn, d.Status)
	list, err := w.Customers.ConsentHistory(ctx, w.Manager.ID, crm.ConsentFilter{Customer: cu})
	require.NoError(t, err)
	assert.Len(t, list, 8)
}

// runConsentLadder: a new consent for a purpose the CRM counts is one
// piece of evidence on the customer's ladder, once per record; a consent
// refreshed while in force, a purpose not counted, a CRM not told to
// count any, and every withdrawal weigh nothing.
func runConsentLadder(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	evidence := func(w *consentWorld) []crm.Evidence {
		var out []crm.Evidence
		view(t, w.Store, func(tx crm.ReadTx) error {
			var err error
			out, err = tx.Ladder().Evidence(ctx, w.customer.ID)
			return err
		})
		return out
	}
	run := func(w *consentWorld) []crm.Consent {
		var out []crm.Consent
		do := func(c crm.Consent, err error) {
			require.NoError(t, err)
			out = append(out, c)
		}
		give := func(d int, purpose string, contact crm.ID) {
			do(w.Customers.GiveConsent(ctx, w.Ann.ID, crm.GiveConsentRequest{Customer: w.customer.ID, Contact: contact, Purpose: purpose,
				At: w.day(d), Source: "web_form", Proof: "form"}))
		}
		give(2, "loyalty_news", crm.ID{})    // new: weighed
		give(3, "loyalty_news", crm.ID{})    // refreshed while in force: not
		give(3, "email_marketing", crm.ID{}) // a purpose not counted
		do(w.Customers.WithdrawConsent(ctx, w.Ben.ID, crm.WithdrawConsentRequest{Customer: w.customer.ID, Purpose: "loyalty_news",
			At: w.day(4), Source: "phone"})) // never weighed
		give(6, "loyalty_news", crm.ID{}) // given again: weighed
		give(7, "loyalty_news", w.carla)  // Carla's own, new: weighed, on the customer's ladder
		return out
	}

	off := newConsentWorld(t, newStore)
	run(off)
	assert.Empty(t, evidence(off), "off by default")

	on := newConsentWorld(t, newStore, crm.WithConsentEvidence("loyalty_news", crm.Positive))
	recs := run(on)
	got := evidence(on)
	require.Len(t, got, 3)
	for i, want := range []crm.Consent{recs[0], recs[4], recs[5]} {
		ev := got[i]
		assert.Equal(t, crm.EvidenceExperience, ev.Kind)
		assert.Equal(t, crm.Positive, ev.Sentiment)
		assert.Equal(t, crm.KindConsent, ev.Source)
		assert.Equal(t, want.ID, ev.SourceID)
		assert.Equal(t, want.At, ev.At)
	}
	for _, ev := range got {
		assert.NotEqual(t, crm.EvidenceComplaint, ev.Kind, "a withdrawal is no complaint")
	}
	st, err := on.Ladder.State(ctx, on.Admin.ID, on.customer.ID)
	require.NoError(t, err)
	assert.Positive(t, st.Score, "consent to hear from us raised the score")

	_, err = crm.New(newStore(t), crm.WithConsentEvidence("loyalty_news", crm.Negative))
	assert.ErrorIs(t, err, crm.ErrInvalid, "a consent is no bad experience")
	_, err = crm.New(newStore(t), crm.WithConsentEvidence("Loyalty News", crm.Positive))
	assert.ErrorIs(t, err, crm.ErrInvalid)
}

// runConsentRaces: the same consent, counted on the ladder, given by
// several writers at once (a form submitted twice, a rep and the web shop
// at once) is recorded by each, and weighed once: the writers after the
// first see it in force.
func runConsentRaces(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	w := newConsentWorld(t, newStore, crm.WithConsentEvidence("loyalty_news", crm.VeryPositive))
	const writers = 6
	at := w.day(5)
	var wg sync.WaitGroup
	errs := make([]error, writers)
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			actor := []crm.User{w.Ann, w.Manager, w.Admin}[i%3]
			_, errs[i] = w.Customers.GiveConsent(ctx, actor.ID, crm.GiveConsentRequest{Customer: w.customer.ID, Purpose: "loyalty_news",
				At: at, Source: "web_form", Proof: fmt.Sprintf("submission %d", i)})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "writer %d", i)
	}
	list, err := w.Customers.ConsentHistory(ctx, w.Admin.ID, crm.ConsentFilter{Customer: w.customer.ID})
	require.NoError(t, err)
	assert.Len(t, list, writers)
	view(t, w.Store, func(tx crm.ReadTx) error {
		evs, err := tx.Ladder().Evidence(ctx, w.customer.ID)
		require.NoError(t, err)
		assert.Len(t, evs, 1, "one new consent, weighed once")
		return nil
	})
}
