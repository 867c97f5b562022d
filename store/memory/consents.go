package memory

import (
	"context"
	"time"

	"github.com/crmkit/crm"
)

// consentRepo keeps consent records, append-only, each customer's found
// by the byCustomer index.
type consentRepo struct{ t *txState }

func (r consentRepo) repo() repo[crm.Consent] {
	return repo[crm.Consent]{kind: crm.KindConsent, rows: r.t.consents,
		id: func(c crm.Consent) crm.ID { return c.ID }, version: func(crm.Consent) int64 { return 1 }}
}

func (r consentRepo) Insert(_ context.Context, c crm.Consent) error { return r.repo().insert(c) }

func (r consentRepo) List(_ context.Context, f crm.ConsentFilter, p crm.PageRequest) ([]crm.Consent, error) {
	return r.repo().list(p, f.Match), nil
}

// Latest implements crm.ConsentReader with crm.LatestConsent over the
// customer's records.
func (r consentRepo) Latest(_ context.Context, customer, contact crm.ID, purpose string, at time.Time) (crm.Consent, error) {
	f := crm.ConsentFilter{Customer: customer, Purpose: purpose}
	mine := func(c crm.Consent) bool { return f.Match(c) && c.Contact == contact }
	rows := rowsOf(r.t.consents, r.t.s.byCustomer[customer].consents, mine)
	subject := rows[:0]
	for _, c := range rows {
		if mine(c) {
			subject = append(subject, c)
		}
	}
	if c, found := crm.LatestConsent(subject, at); found {
		return c, nil
	}
	return crm.Consent{}, &crm.NotFoundError{Kind: crm.KindConsent, ID: customer.String() + "/" + contact.String() + "/" + purpose}
}
