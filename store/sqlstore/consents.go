package sqlstore

import (
	"context"
	"time"

	"github.com/crmkit/crm"
)

// consentTable stores consent records, append-only, with their times
// also as microseconds and the choice's rank, which order a subject's
// decisions as crm.CompareConsent does (consents_latest_idx).
var consentTable = &recordTable[crm.Consent]{
	kind:  crm.KindConsent,
	table: func(n names) string { return n.consents },
	columns: []string{"id", "customer_id", "contact_id", "purpose", "choice", "at", "valid_until", "source", "proof",
		"recorded_at", "recorded_by"},
	derived: []string{"at_us", "rank", "recorded_us"},
	id:      func(c crm.Consent) crm.ID { return c.ID },
	values: func(s *Store, c crm.Consent) ([]any, error) {
		rank := 0
		if c.Choice == crm.ConsentWithdrawn {
			rank = 1
		}
		return []any{idArg(c.ID), idArg(c.Customer), idArg(c.Contact), c.Purpose, string(c.Choice), s.timeArg(c.At),
			s.optionalTimeArg(c.ValidUntil), c.Source, c.Proof, s.timeArg(c.RecordedAt), idArg(c.RecordedBy),
			unixMicros(c.At), rank, unixMicros(c.RecordedAt)}, nil
	},
	dest: func(c *crm.Consent) []any {
		return []any{&c.ID, &c.Customer, &c.Contact, &c.Purpose, &c.Choice, timeCol{&c.At}, timeCol{&c.ValidUntil},
			&c.Source, &c.Proof, timeCol{&c.RecordedAt}, &c.RecordedBy}
	},
}

// consentRepo implements crm.ConsentRepository in one transaction.
type consentRepo struct{ records[crm.Consent] }

// Insert implements crm.ConsentRepository.
func (r consentRepo) Insert(ctx context.Context, c crm.Consent) error { return r.insert(ctx, c) }

// List implements crm.ConsentReader with the rules of
// crm.ConsentFilter.Match.
func (r consentRepo) List(ctx context.Context, f crm.ConsentFilter, page crm.PageRequest) ([]crm.Consent, error) {
	var w where
	w.addIf(!f.Customer.IsZero(), "customer_id = ?", idArg(f.Customer))
	w.addIf(!f.Contact.IsZero(), "contact_id = ?", idArg(f.Contact))
	w.addIf(f.Purpose != "", "purpose = ?", f.Purpose)
	return r.list(ctx, w, page)
}

// latestConsent selects the decision in force at a time: the subject's
// range of consents_latest_idx, read backwards from at, first row only.
const latestConsent = " WHERE customer_id = ? AND contact_id = ? AND purpose = ? AND at_us <= ?" +
	" ORDER BY at_us DESC, rank DESC, recorded_us DESC, id DESC LIMIT 1"

// Latest implements crm.ConsentReader: the last row of the subject's
// range of consents_latest_idx up to at.
func (r consentRepo) Latest(ctx context.Context, customer, contact crm.ID, purpose string, at time.Time) (crm.Consent, error) {
	rows, err := r.query(ctx, latestConsent, idArg(customer), idArg(contact), purpose, unixMicros(at.Truncate(time.Microsecond)))
	if err != nil {
		return crm.Consent{}, err
	}
	if len(rows) == 0 {
		return crm.Consent{}, &crm.NotFoundError{Kind: crm.KindConsent, ID: customer.String() + "/" + contact.String() + "/" + purpose}
	}
	return rows[0], nil
}
