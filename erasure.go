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
	Customer       ID        `json:"customer,omitzero"`
	Fields         []string  `json:"fields,omitempty"`
	RedactedEvents []ID      `json:"redacted_events,omitempty"`
	ErasedAt       time.Time `json:"erased_at,omitzero"`
}

// erasureData is the payload of a CustomerErased event: what was erased,
// never the erased values.
//
// Redactions vouches for each event it redacted with the digest of the
// data it left there: a redaction is valid only as the erasure that made
// it recorded it, so the chain, which covers this event, covers what was
// redacted and into what.
type erasureData struct {
	Fields     []string    `json:"fields"`
	Redactions []redaction `json:"redactions,omitempty"`
	Reason     string      `json:"reason"`
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
		after, fields, err := erase(before, req.Contacts)
		if err != nil {
			return err
		}
		report = ErasureReport{Customer: before.ID, Fields: fields, ErasedAt: w.now}
		if len(fields) == 0 {
			return nil
		}
		redactions, err := w.redactHistory(before.ID, fields)
		if err != nil {
			return err
		}
		for _, r := range redactions {
			report.RedactedEvents = append(report.RedactedEvents, r.Event)
		}
		after.ErasedAt, after.UpdatedAt, after.Version = w.now, w.now, before.Version+1
		if err := w.tx.Customers().Update(ctx, after); err != nil {
			return err
		}
		return w.record(CustomerErased, KindCustomer, after.ID, after.Version,
			erasureData{Fields: fields, Redactions: redactions, Reason: reason})
	})
	return report, err
}

// erase removes personal data from a customer and names the fields it
// removed.
func erase(c Customer, contacts []ID) (Customer, []string, error) {
	c = c.Clone()
	var fields []string
	if len(contacts) > 0 {
		for i, id := range contacts {
			j := slices.IndexFunc(c.Contacts, func(ct Contact) bool { return ct.ID == id })
			if j < 0 {
				return Customer{}, nil, invalid(fmt.Sprintf("contacts[%d]", i), "exists", fmt.Sprintf("no contact %s", id))
			}
			c.Contacts = slices.Delete(c.Contacts, j, j+1)
			fields = append(fields, contactField(id))
		}
		return c, fields, nil
	}
	if c.Party == PartyPerson && c.Name != ErasedValue {
		c.Name = ErasedValue
		fields = append(fields, "name")
	}
	for _, ct := range c.Contacts {
		fields = append(fields, contactField(ct.ID))
	}
	for _, k := range slices.Sorted(maps.Keys(c.Attributes)) {
		fields = append(fields, attributeField(k))
	}
	c.Contacts, c.Attributes = nil, nil
	return c, fields, nil
}

// redactHistory rewrites the record's past events, replacing the values of
// the erased fields.
func (w *writeTx) redactHistory(id ID, fields []string) ([]redaction, error) {
	events, err := w.tx.Events().Subject(w.ctx, KindCustomer, id)
	if err != nil {
		return nil, err
	}
	var redacted []redaction
	for _, e := range events {
		data, changed, err := redactEvent(e.Data, fields)
		if err != nil {
			return nil, err
		}
		if !changed {
			continue
		}
		if err := w.tx.Events().Redact(w.ctx, e.ID, data); err != nil {
			return nil, err
		}
		redacted = append(redacted, redaction{Event: e.ID, DataHash: dataDigest(nil, data)})
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
