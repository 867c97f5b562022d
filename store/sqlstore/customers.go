package sqlstore

import (
	"context"

	"github.com/crmkit/crm"
)

// customerTable stores customers. Contacts, tags and attributes are JSON
// text; the tags are repeated in customer_tags, one row each, for the tag
// filter.
var customerTable = &recordTable[crm.Customer]{
	kind:  crm.KindCustomer,
	table: func(n names) string { return n.customers },
	columns: []string{"id", "kind", "name", "contacts", "segment", "tags", "attributes", "owner_id", "team",
		"key_account", "status", "archived_at", "erased_at", "created_at", "updated_at", "version", "lifecycle",
		"campaign_id", "party", "restricted_at"},
	id:      func(c crm.Customer) crm.ID { return c.ID },
	version: func(c crm.Customer) int64 { return c.Version },
	values: func(s *Store, c crm.Customer) ([]any, error) {
		contacts, err := jsonArg(convert(c.Contacts, toContactRow))
		if err != nil {
			return nil, err
		}
		tags, err := jsonArg(c.Tags)
		if err != nil {
			return nil, err
		}
		attrs, err := jsonArg(c.Attributes)
		if err != nil {
			return nil, err
		}
		return []any{idArg(c.ID), string(c.Kind), c.Name, contacts, c.Segment, tags, attrs, idArg(c.Owner), c.Team,
			c.KeyAccount, string(c.Status), s.optionalTimeArg(c.ArchivedAt), s.optionalTimeArg(c.ErasedAt),
			s.timeArg(c.CreatedAt), s.timeArg(c.UpdatedAt), c.Version, string(c.Lifecycle), idArg(c.Campaign), string(c.Party),
			s.optionalTimeArg(c.RestrictedAt)}, nil
	},
	dest: func(c *crm.Customer) []any {
		return []any{&c.ID, &c.Kind, &c.Name, docsCol[contactRow, crm.Contact]{&c.Contacts, contactRow.contact}, &c.Segment,
			jsonCol{&c.Tags}, jsonCol{&c.Attributes}, &c.Owner, &c.Team, &c.KeyAccount, &c.Status, timeCol{&c.ArchivedAt}, timeCol{&c.ErasedAt},
			timeCol{&c.CreatedAt}, timeCol{&c.UpdatedAt}, &c.Version, &c.Lifecycle, &c.Campaign, &c.Party, timeCol{&c.RestrictedAt}}
	},
	saved: saveTags,
}

// contactRow is how a contact is kept in the contacts JSON column: with
// keys of its own, so that the stored format does not follow the Go field
// names of crm.Contact.
type contactRow struct {
	ID    crm.ID `json:"id"`
	Name  string `json:"name"`
	Title string `json:"title"`
	Email string `json:"email"`
	Phone string `json:"phone"`
}

func toContactRow(c crm.Contact) contactRow { return contactRow(c) }

func (r contactRow) contact() crm.Contact { return crm.Contact(r) }

// saveTags makes customer_tags hold exactly c's tags.
func saveTags(ctx context.Context, t *txn, c crm.Customer, inserted bool) error {
	table := t.s.names.customerTags
	if !inserted {
		if _, err := t.exec(ctx, "DELETE FROM "+table+" WHERE customer_id = ?", idArg(c.ID)); err != nil {
			return t.s.dbErr("updating customer tags", err)
		}
	}
	seen := make(map[string]bool, len(c.Tags))
	for _, tag := range c.Tags {
		if seen[tag] {
			continue
		}
		seen[tag] = true
		if _, err := t.exec(ctx, "INSERT INTO "+table+" (customer_id, tag) VALUES (?, ?)", idArg(c.ID), tag); err != nil {
			return t.s.dbErr("saving customer tags", err)
		}
	}
	return nil
}

// customerRepo implements crm.CustomerRepository in one transaction.
type customerRepo struct{ repo[crm.Customer] }

// List implements crm.CustomerReader with the rules of
// crm.CustomerFilter.Match, and Stage checked against the customer's
// ladder state.
func (r customerRepo) List(ctx context.Context, f crm.CustomerFilter, page crm.PageRequest) ([]crm.Customer, error) {
	var w where
	w.addIf(f.Kind != "", "kind = ?", string(f.Kind))
	w.addIf(!f.Owner.IsZero(), "owner_id = ?", idArg(f.Owner))
	w.addIf(f.Team != "", "team = ?", f.Team)
	w.addIf(f.Segment != "", "segment = ?", f.Segment)
	w.addIf(f.Tag != "", "id IN (SELECT customer_id FROM "+r.t.s.names.customerTags+" WHERE tag = ?)", f.Tag)
	if f.KeyAccount != nil {
		w.add("key_account = ?", *f.KeyAccount)
	}
	w.addIf(f.Status != "", "status = ?", string(f.Status))
	addRestricted(&w, "", f.Restricted)
	addStage(&w, r.t.s.names.ladderStates, f.Stage)
	return r.list(ctx, w, page)
}

// addRestricted selects the customers f takes by their restriction of
// processing; prefix qualifies the column ("c." or "").
func addRestricted(w *where, prefix string, f crm.RestrictedFilter) {
	switch f {
	case crm.RestrictedIncluded:
	case crm.RestrictedOnly:
		w.add(prefix + "restricted_at IS NOT NULL")
	default:
		w.add(prefix + "restricted_at IS NULL")
	}
}

// unrestricted is the condition that the customer in column col is not
// restricted: the few restricted customers come from their index of 0028.
func (n names) unrestricted(col string) string {
	return col + " NOT IN (SELECT id FROM " + n.customers + " WHERE restricted_at IS NOT NULL)"
}

// addStage selects the customers on the rung stage: those whose ladder
// state says so, and for the initial rung also those without a state.
func addStage(w *where, states string, stage crm.LoyaltyStage) {
	switch initial := crm.LoyaltyLadder().Initial(); stage {
	case "":
	case initial:
		w.add("id NOT IN (SELECT customer_id FROM "+states+" WHERE stage <> ?)", string(initial))
	default:
		w.add("id IN (SELECT customer_id FROM "+states+" WHERE stage = ?)", string(stage))
	}
}
