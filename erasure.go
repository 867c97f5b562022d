package crm

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"
)

// ErasedValue replaces personal data that was erased, in the record and in
// its history.
const ErasedValue = "[erased]"

// ErasureRequest asks to erase personal data of a customer, as privacy
// law lets a person demand. With no Contacts, every piece of personal data
// of the customer goes: its contacts, its custom attributes, and its name
// when the customer is a person (an end customer). With Contacts, only
// those contacts go. Reason is required and kept in the log.
type ErasureRequest struct {
	Customer ID     `json:"customer,omitzero"`
	Contacts []ID   `json:"contacts,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

// ErasureReport says what an erasure removed: the fields of the record
// (as named in events: "name", "contacts.<id>", "attributes.<key>") and the
// events whose data it redacted, by their IDs.
type ErasureReport struct {
	Customer       ID             `json:"customer,omitzero"`
	User           ID             `json:"user,omitzero"` // for UserService.EraseUser
	Fields         []string       `json:"fields,omitempty"`
	Records        []ErasedRecord `json:"records,omitempty"` // the other records it reached, with the fields erased in each
	RedactedEvents []ID           `json:"redacted_events,omitempty"`
	ErasedAt       time.Time      `json:"erased_at,omitzero"`
}

// erasureData is the payload of a CustomerErased event: what was erased,
// never the erased values.
//
// Redactions vouches for each event it redacted with the digest of the
// data it left there: a redaction is valid only as the erasure that made
// it recorded it, so the chain, which covers this event, covers what was
// redacted and into what.
type erasureData struct {
	Fields     []string       `json:"fields"`
	Records    []ErasedRecord `json:"records,omitempty"`
	Redactions []redaction    `json:"redactions,omitempty"`
	Reason     string         `json:"reason"`
}

// redaction is one event an erasure rewrote, and the digest of the data
// it wrote there.
type redaction struct {
	Event    ID   `json:"event"`
	DataHash Hash `json:"data_hash"`
}

// Erase erases a customer's personal data, by default an admin's right
// only. The customer record stays, with the erased values gone; its
// events keep their place and hashes, with the erased values replaced by
// ErasedValue and marked redacted, so the log still verifies and still
// shows that something was there and when it changed.
//
// With no Contacts the erasure reaches every record that names the
// person, as the privacy tags declare it (see PersonalField): the
// customer (its contacts, its attributes, and its name when it is a
// person, Party), and the personal fields of its activities, deals,
// cases, contracts, interactions, invoices, payments and credit notes,
// ledger entries and ladder evidence; then the history of all of them,
// where any value under a personal field, or any text holding one of the
// erased values, is replaced. Each event it rewrites loses its salt, so
// that its kept digest confirms no guess of what was there. The report
// names every record and field erased; the values are never recorded.
func (c *CustomerService) Erase(ctx context.Context, actor ID, req ErasureRequest) (ErasureReport, error) {
	reason, err := cleanText("reason", req.Reason, maxLongTextLen, true)
	if err != nil {
		return ErasureReport{}, err
	}
	var report ErasureReport
	err = c.write(ctx, actor, func(w *writeTx) error {
		before, err := w.touchCustomer(req.Customer)
		if err != nil {
			return err
		}
		if err := w.authorize(ActionErase, before.target()); err != nil {
			return err
		}
		var linked personRecords
		if len(req.Contacts) == 0 {
			if linked, err = gatherPersonRecords(w.ctx, ReadOnly(w.tx), before.ID); err != nil {
				return err
			}
		}
		after, fields, values, err := erase(before, req.Contacts)
		if err != nil {
			return err
		}
		e := &personErasure{w: w, reason: reason, values: values}
		if len(req.Contacts) == 0 {
			if err := e.linked(linked); err != nil {
				return err
			}
		}
		report = ErasureReport{Customer: before.ID, Fields: fields, Records: e.records, ErasedAt: w.now}
		if len(fields) == 0 && len(e.records) == 0 {
			return nil
		}
		redactions, err := w.redactHistory(before, fields, e, linked.Events)
		if err != nil {
			return err
		}
		report.RedactedEvents = redactedIDs(redactions)
		after.ErasedAt, after.UpdatedAt, after.Version = w.now, w.now, before.Version+1
		if err := w.tx.Customers().Update(ctx, after); err != nil {
			return err
		}
		return w.record(CustomerErased, KindCustomer, after.ID, after.Version,
			erasureData{Fields: fields, Records: e.records, Redactions: redactions, Reason: reason})
	})
	return report, err
}

// erase removes personal data from a customer and names the fields it
// removed.
func erase(c Customer, contacts []ID) (Customer, []string, []string, error) {
	c = c.Clone()
	var fields, values []string
	if len(contacts) > 0 {
		for i, id := range contacts {
			j := slices.IndexFunc(c.Contacts, func(ct Contact) bool { return ct.ID == id })
			if j < 0 {
				return Customer{}, nil, nil, invalid(fmt.Sprintf("contacts[%d]", i), "exists", fmt.Sprintf("no contact %s", id))
			}
			values = append(values, contactValues(c.Contacts[j])...)
			c.Contacts = slices.Delete(c.Contacts, j, j+1)
			fields = append(fields, contactField(id))
		}
		return c, fields, values, nil
	}
	if c.isPerson() && c.Name != ErasedValue {
		values = append(values, c.Name)
		c.Name = ErasedValue
		fields = append(fields, "name")
	}
	for _, ct := range c.Contacts {
		fields = append(fields, contactField(ct.ID))
		values = append(values, contactValues(ct)...)
	}
	for _, k := range slices.Sorted(maps.Keys(c.Attributes)) {
		fields = append(fields, attributeField(k))
		values = append(values, c.Attributes[k])
	}
	c.Contacts, c.Attributes = nil, nil
	return c, fields, values, nil
}

// redactHistory rewrites the history of the customer and, for a full
// erasure (linked holds the events of everything linked to it), of the
// records linked to it: in the customer's events the erased fields (by
// name, as redactEvent does); in every event, any text holding an erased
// value, and for a full erasure every value under a personal field
// (redactPayload). Events of a customer that is an organization keep its
// name.
func (w *writeTx) redactHistory(cu Customer, fields []string, e *personErasure, linked []Event) ([]redaction, error) {
	events := linked
	if events == nil {
		var err error
		if events, err = w.tx.Events().Subject(w.ctx, KindCustomer, cu.ID); err != nil {
			return nil, err
		}
	}
	var keys map[string]bool // an erasure of some contacts looks for their values only
	if linked != nil {
		keys = personalKeys(erasableRecords...)
		if !cu.isPerson() {
			delete(keys, "name")
		}
	}
	return w.redactEach(events, func(ev Event) (json.RawMessage, bool, error) {
		data, changed := ev.Data, false
		if ev.Kind == KindCustomer && ev.Subject == cu.ID {
			var err error
			if data, changed, err = redactEvent(data, fields); err != nil {
				return nil, false, err
			}
		}
		more, ch, err := redactPayload(data, keys, e.values)
		return more, changed || ch, err
	})
}

// redactEach rewrites each event that rewrite changes (Events().Redact,
// which also destroys its salt) and returns the redactions, each with the
// digest of what it left, for the erasure's event to vouch for.
func (w *writeTx) redactEach(events []Event, rewrite func(Event) (json.RawMessage, bool, error)) ([]redaction, error) {
	var redacted []redaction
	for _, ev := range events {
		data, changed, err := rewrite(ev)
		if err != nil {
			return nil, err
		}
		if !changed {
			continue
		}
		if err := w.tx.Events().Redact(w.ctx, ev.ID, data); err != nil {
			return nil, err
		}
		redacted = append(redacted, redaction{Event: ev.ID, DataHash: dataDigest(nil, data)})
	}
	return redacted, nil
}

// redactEvent replaces the values of the erased fields in a ChangeSet
// payload. Payloads of other shapes are left alone.
func redactEvent(data json.RawMessage, fields []string) (json.RawMessage, bool, error) {
	var cs ChangeSet
	if json.Unmarshal(data, &cs) != nil || len(cs.Changes) == 0 {
		return data, false, nil
	}
	changed := false
	for i := range cs.Changes {
		ch := &cs.Changes[i]
		if !slices.Contains(fields, ch.Field) {
			continue
		}
		for _, v := range []*any{&ch.From, &ch.To} {
			if *v != nil && *v != ErasedValue {
				*v, changed = ErasedValue, true
			}
		}
	}
	if !changed {
		return data, false, nil
	}
	out, err := json.Marshal(cs)
	return out, true, err
}

// contactValues are the personal values of a contact.
func contactValues(ct Contact) []string {
	var values []string
	for _, v := range []string{ct.Name, ct.Title, ct.Email, ct.Phone} {
		if v != "" && v != ErasedValue {
			values = append(values, v)
		}
	}
	return values
}

// redactedIDs are the IDs of the events redactions rewrote, for a report.
func redactedIDs(redactions []redaction) []ID {
	var ids []ID
	for _, r := range redactions {
		ids = append(ids, r.Event)
	}
	return ids
}
