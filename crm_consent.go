package crm

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// GiveConsent records that the customer, or its contact person
// r.Contact, gave consent for r.Purpose, with the event consent.given in
// the same transaction. It needs the consent grant on the customer
// (DefaultPolicy: the owner, their manager, an admin). Bad input (an
// unknown customer or contact, a purpose that is no key, a time in the
// future, no source or no proof) is refused and changes nothing. When the
// CRM is told to (WithConsentEvidence), a new consent for the purpose is
// evidence on the customer's ladder.
func (c *CustomerService) GiveConsent(ctx context.Context, actor ID, r GiveConsentRequest) (Consent, error) {
	in := Consent{Customer: r.Customer, Contact: r.Contact, Purpose: r.Purpose, Choice: ConsentGiven, At: r.At,
		ValidUntil: r.ValidUntil, Source: r.Source, Proof: r.Proof}
	return c.recordConsent(ctx, actor, in)
}

// WithdrawConsent records that the customer, or its contact person
// r.Contact, withdrew consent for r.Purpose (or refused it before ever
// giving it), with the event consent.withdrawn in the same transaction.
// It needs only the record grant, which DefaultPolicy gives everyone for
// every customer: whoever hears a withdrawal records it (GDPR Article
// 7(3)). No proof is needed, and a withdrawal never weighs on the ladder.
func (c *CustomerService) WithdrawConsent(ctx context.Context, actor ID, r WithdrawConsentRequest) (Consent, error) {
	in := Consent{Customer: r.Customer, Contact: r.Contact, Purpose: r.Purpose, Choice: ConsentWithdrawn, At: r.At,
		Source: r.Source, Proof: r.Proof}
	return c.recordConsent(ctx, actor, in)
}

// recordConsent checks and appends a consent record, with its event and,
// for a new consent of a purpose that counts, its ladder evidence.
func (c *engine) recordConsent(ctx context.Context, actor ID, in Consent) (Consent, error) {
	var out Consent
	err := c.write(ctx, actor, func(w *writeTx) error {
		cu, err := w.consentCustomer(in)
		if err != nil {
			return err
		}
		if err := w.consentContact(cu, in.Contact); err != nil {
			return err
		}
		rec, err := in.check(w.now)
		if err != nil {
			return err
		}
		if rec.ID, err = w.newID(); err != nil {
			return err
		}
		rec.RecordedAt, rec.RecordedBy = w.now, w.actor.ID
		before, found, err := latestConsent(ctx, w.tx.Consents(), rec.Customer, rec.Contact, rec.Purpose, rec.At)
		if err != nil {
			return err
		}
		if err := w.tx.Consents().Insert(ctx, rec); err != nil {
			return err
		}
		typ := ConsentGivenEvent
		if rec.Choice == ConsentWithdrawn {
			typ = ConsentWithdrawnEvent
		}
		if err := w.record(typ, KindCustomer, cu.ID, cu.Version, consentData(rec)); err != nil {
			return err
		}
		out = rec
		if _, inForce := DecideConsent(before, found, rec.At); !inForce {
			return w.consentGiven(rec)
		}
		return nil
	})
	return out, err
}

// consentCustomer loads the customer a consent record is about and checks
// the grant its choice needs: consent to give it, record to withdraw it.
// It holds the customer (CustomerRepository.Hold), so that two decisions
// about one customer are recorded one after the other and the second
// sees the first: whether a consent is new, and so weighs on the ladder,
// is decided on everything on file, not on what two writers each saw
// before the other committed.
func (w *writeTx) consentCustomer(in Consent) (Customer, error) {
	cu, err := w.tx.Customers().Hold(w.ctx, in.Customer)
	if err != nil {
		return Customer{}, err
	}
	if in.Choice == ConsentWithdrawn {
		return cu, w.authorize(ActionRecord, cu.target())
	}
	if err := w.see(cu.target()); err != nil {
		return Customer{}, err
	}
	return cu, w.authorize(ActionConsent, cu.target())
}

// consentContact checks that contact, when set, is a contact person of
// the customer.
func (w *writeTx) consentContact(cu Customer, contact ID) error {
	if contact.IsZero() {
		return nil
	}
	for _, ct := range cu.Contacts {
		if ct.ID == contact {
			return nil
		}
	}
	return invalid("contact", "of_customer", fmt.Sprintf("%s is not a contact of customer %s", contact, cu.ID))
}

// consentGiven weighs a new consent on the ladder when its purpose counts
// (WithConsentEvidence). A withdrawal never comes here.
func (w *writeTx) consentGiven(rec Consent) error {
	sentiment, ok := w.crm.consent[rec.Purpose]
	if !ok || rec.Choice != ConsentGiven {
		return nil
	}
	return w.weighFact(Evidence{Customer: rec.Customer, Kind: EvidenceExperience, At: rec.At, Source: KindConsent, SourceID: rec.ID,
		Sentiment: sentiment, Note: "consent given: " + rec.Purpose})
}

// consentEvent is the data of the consent events: what the record says,
// without its source and proof. Those are personal data, kept in the
// consent record, which erasure can reach; the log is append-only and
// chained, and keeps neither them nor a digest of them, which could be
// guessed back.
type consentEvent struct {
	Consent    ID            `json:"consent"`
	Contact    ID            `json:"contact,omitzero"`
	Purpose    string        `json:"purpose" privacy:"none"`
	Choice     ConsentChoice `json:"choice"`
	At         time.Time     `json:"at"`
	ValidUntil time.Time     `json:"valid_until,omitzero"`
}

func consentData(c Consent) consentEvent {
	return consentEvent{Consent: c.ID, Contact: c.Contact, Purpose: c.Purpose, Choice: c.Choice, At: c.At, ValidUntil: c.ValidUntil}
}

// latestConsent is ConsentReader.Latest with "none" as found false.
func latestConsent(ctx context.Context, r ConsentReader, customer, contact ID, purpose string, at time.Time) (Consent, bool, error) {
	c, err := r.Latest(ctx, customer, contact, purpose, at)
	if errors.Is(err, ErrNotFound) {
		return Consent{}, false, nil
	}
	return c, err == nil, err
}

// MayContact answers whether the customer, or its contact person
// q.Contact, may be contacted for q.Purpose at q.At (zero: now), with the
// record that decides: the latest decision up to then (CompareConsent).
// Only a consent in force allows it; the status tells a consent never
// given from one withdrawn or lapsed. Each person answers for themself:
// a contact person's decision is asked with their ID, the customer's own
// with none. It needs read access to the customer.
//
// The answer is what was true at q.At, as the person decided it: a
// withdrawal made on the 10th and entered on the 12th answers "withdrawn"
// for the 11th, and the deciding record's RecordedAt says when the
// company learned of it. A contact since removed from the customer is
// answered from their records all the same; an ID that never had any is
// answered "none".
func (c *CustomerService) MayContact(ctx context.Context, actor ID, q MayContactQuery) (ContactDecision, error) {
	if err := checkPurpose(q.Purpose); err != nil {
		return ContactDecision{}, err
	}
	at := cmpOr(q.At, c.now()).UTC()
	out := ContactDecision{Customer: q.Customer, Contact: q.Contact, Purpose: q.Purpose, At: at}
	err := c.readCustomer(ctx, actor, q.Customer, func(tx ReadTx, cu Customer) error {
		latest, found, err := latestConsent(ctx, tx.Consents(), q.Customer, q.Contact, q.Purpose, at)
		if err != nil {
			return err
		}
		out.Status, out.Allowed = DecideConsent(latest, found, at)
		out.Record = latest
		out.Restricted = cu.Restricted() && !cu.RestrictedAt.After(at)
		out.Erased = !cu.ErasedAt.IsZero() && !cu.ErasedAt.After(at)
		out.Allowed = out.Allowed && !out.Restricted && !out.Erased
		return nil
	})
	return out, err
}

// ConsentHistory returns the consent records of a customer passing f,
// its contact persons' included unless f names one, in the order they
// were recorded. It needs read access to the customer, f.Customer.
func (c *CustomerService) ConsentHistory(ctx context.Context, actor ID, f ConsentFilter) ([]Consent, error) {
	var out []Consent
	err := c.readCustomer(ctx, actor, f.Customer, func(tx ReadTx, _ Customer) error {
		list := func(p PageRequest) ([]Consent, error) { return tx.Consents().List(ctx, f, p) }
		return eachPage(list, func(c Consent) ID { return c.ID }, func(c Consent) error {
			out = append(out, c)
			return nil
		})
	})
	return out, err
}
