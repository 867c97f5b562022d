package crm

import (
	"slices"
	"time"
)

// ErasedRecord says what an erasure removed from one record other than
// the customer: the record, and the wire names of the fields it erased.
type ErasedRecord struct {
	Kind   Kind     `json:"kind,omitempty"`
	ID     ID       `json:"id,omitzero"`
	Fields []string `json:"fields,omitempty"`
}

// PersonalDataErased is recorded on each versioned record an erasure of
// a person changed (an activity, a deal, a case, a contract, a user), so
// that the record's versions and its history still match; its data names
// the fields, never their values.
const PersonalDataErased EventType = "personal_data.erased"

// recordErasureData is the payload of PersonalDataErased.
type recordErasureData struct {
	Fields []string `json:"fields"`
	Reason string   `json:"reason"`
}

// personErasure collects what an erasure of a person removes, record by
// record: the records it changed and the values it removed, which it then
// looks for in their history.
type personErasure struct {
	w       *writeTx
	reason  string
	records []ErasedRecord
	values  []string
}

// eraseVersioned erases the personal fields of records kept with versions:
// it bumps the version, saves the record and records PersonalDataErased.
func eraseVersioned[T any](e *personErasure, kind Kind, recs []T, ref func(*T) (ID, *int64, *time.Time), save func(T) error) error {
	for i := range recs {
		rec := recs[i]
		fields, values := erasePersonalFields(&rec)
		if len(fields) == 0 {
			continue
		}
		id, version, updated := ref(&rec)
		*version++
		*updated = e.w.now
		if err := save(rec); err != nil {
			return err
		}
		if err := e.w.record(PersonalDataErased, kind, id, *version, recordErasureData{Fields: fields, Reason: e.reason}); err != nil {
			return err
		}
		e.records = append(e.records, ErasedRecord{Kind: kind, ID: id, Fields: fields})
		e.values = append(e.values, values...)
	}
	return nil
}

// eraseKept erases the personal fields of a record kept without versions
// (an interaction, a document, a ledger entry, ladder evidence), through
// its repository's ErasePersonal, which changes nothing else.
func eraseKept[T any](e *personErasure, kind Kind, recs []T, id func(T) ID, save func(T) error) error {
	for i := range recs {
		rec := recs[i]
		fields, values := erasePersonalFields(&rec)
		if len(fields) == 0 {
			continue
		}
		if err := save(rec); err != nil {
			return err
		}
		e.records = append(e.records, ErasedRecord{Kind: kind, ID: id(rec), Fields: fields})
		e.values = append(e.values, values...)
	}
	return nil
}

// linked erases the personal fields of every record linked to the
// customer.
func (e *personErasure) linked(r personRecords) error {
	w := e.w
	ctx := w.ctx
	steps := []func() error{
		func() error {
			return eraseVersioned(e, KindActivity, r.Activities, func(a *Activity) (ID, *int64, *time.Time) { return a.ID, &a.Version, &a.UpdatedAt },
				func(a Activity) error { return w.tx.Activities().Update(ctx, a) })
		},
		func() error {
			return eraseVersioned(e, KindDeal, r.Deals, func(d *Deal) (ID, *int64, *time.Time) { return d.ID, &d.Version, &d.UpdatedAt },
				func(d Deal) error { return w.tx.Deals().Update(ctx, d) })
		},
		func() error {
			return eraseVersioned(e, KindCase, r.Cases, func(c *Case) (ID, *int64, *time.Time) { return c.ID, &c.Version, &c.UpdatedAt },
				func(c Case) error { return w.tx.Cases().Update(ctx, c) })
		},
		func() error {
			return eraseVersioned(e, KindContract, r.Contracts, func(c *Contract) (ID, *int64, *time.Time) { return c.ID, &c.Version, &c.UpdatedAt },
				func(c Contract) error { return w.tx.Contracts().Update(ctx, c) })
		},
		func() error {
			return eraseVersioned(e, KindDunning, r.Dunning, func(d *DunningRecord) (ID, *int64, *time.Time) { return d.Invoice, &d.Version, &d.UpdatedAt },
				func(d DunningRecord) error { return w.tx.Dunning().Upsert(ctx, d) })
		},
		func() error {
			return eraseKept(e, KindInteraction, r.Interactions, func(in Interaction) ID { return in.ID },
				func(in Interaction) error { return w.tx.Interactions().ErasePersonal(ctx, in) })
		},
		func() error {
			return eraseKept(e, KindInvoice, r.Invoices, func(i Invoice) ID { return i.ID },
				func(i Invoice) error { return w.tx.Invoices().ErasePersonal(ctx, i) })
		},
		func() error {
			return eraseKept(e, KindCredit, r.Credits, func(c Credit) ID { return c.ID },
				func(c Credit) error { return w.tx.Credits().ErasePersonal(ctx, c) })
		},
		func() error {
			return eraseKept(e, KindEntry, r.Entries, func(en Entry) ID { return en.ID },
				func(en Entry) error { return w.tx.Ledger().ErasePersonal(ctx, en) })
		},
		func() error {
			return eraseKept(e, KindEvidence, r.Evidence, func(ev Evidence) ID { return ev.ID },
				func(ev Evidence) error { return w.tx.Ladder().ErasePersonalEvidence(ctx, ev) })
		},
		func() error {
			return eraseKept(e, KindLadderMove, slices.Concat(r.Moves, r.Replaced), func(m LadderMove) ID { return m.ID },
				func(m LadderMove) error { return w.tx.Ladder().ErasePersonalMove(ctx, m) })
		},
		func() error {
			return eraseKept(e, KindConsent, r.Consents, func(c Consent) ID { return c.ID },
				func(c Consent) error { return w.tx.Consents().ErasePersonal(ctx, c) })
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}
