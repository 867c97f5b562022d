package crm

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// diffByReflection is diffCustomer as it was before the typed diff: every
// field through changes.add, which compares with reflect.DeepEqual. The
// typed diff must record exactly what it records.
func diffByReflection(before, after Customer) []Change {
	var cs changes
	cs.add("kind", string(before.Kind), string(after.Kind))
	cs.add("party", string(before.Party), string(after.Party))
	cs.add("name", before.Name, after.Name)
	cs.add("segment", before.Segment, after.Segment)
	cs.add("tags", before.Tags, after.Tags)
	cs.add("owner", idText(before.Owner), idText(after.Owner))
	cs.add("team", before.Team, after.Team)
	cs.add("key_account", before.KeyAccount, after.KeyAccount)
	cs.add("status", string(before.Status), string(after.Status))
	cs.add("lifecycle", string(before.Lifecycle), string(after.Lifecycle))
	cs.add("campaign", idText(before.Campaign), idText(after.Campaign))
	cs.add("restricted", !before.RestrictedAt.IsZero(), !after.RestrictedAt.IsZero())
	for _, k := range sortedKeys(before.Attributes, after.Attributes) {
		cs.add(attributeField(k), before.Attributes[k], after.Attributes[k])
	}
	find := func(cs []Contact, id ID) *Contact {
		if i := slices.IndexFunc(cs, func(c Contact) bool { return c.ID == id }); i >= 0 {
			c := cs[i]
			return &c
		}
		return nil
	}
	var ids []ID
	for _, c := range slices.Concat(before.Contacts, after.Contacts) {
		if !slices.Contains(ids, c.ID) {
			ids = append(ids, c.ID)
		}
	}
	for _, id := range ids {
		cs.add(contactField(id), find(before.Contacts, id), find(after.Contacts, id))
	}
	return cs
}

func TestDiffCustomer(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	base := Customer{ID: ID{1}, Kind: Partner, Party: PartyOrganization, Name: "Northwind", Segment: "smb",
		Tags: []string{"a", "b"}, Attributes: map[string]string{"size": "10", "tier": "gold"}, Owner: ID{2}, Team: "north",
		Status: StatusActive, Lifecycle: LifecycleLead, CreatedAt: at, UpdatedAt: at, Version: 1,
		Contacts: []Contact{{ID: ID{3}, Name: "Ann"}, {ID: ID{4}, Name: "Ben", Email: "ben@example.com"}}}
	change := func(f func(c *Customer)) Customer {
		c := base.Clone()
		f(&c)
		return c
	}
	tests := []struct {
		name          string
		before, after Customer
		want          string // the ChangeSet's JSON
	}{
		{"nothing", base, base.Clone(), `{}`},
		{"creation", Customer{}, Customer{ID: ID{1}, Kind: EndCustomer, Party: PartyPerson, Name: "Jane Roe", Owner: ID{2},
			Team: "north", Status: StatusActive, Lifecycle: LifecycleLead, Version: 1},
			`{"changes":[{"field":"kind","to":"end_customer"},{"field":"party","to":"person"},{"field":"name","to":"Jane Roe"},` +
				`{"field":"owner","to":"02000000-0000-0000-0000-000000000000"},{"field":"team","to":"north"},` +
				`{"field":"status","to":"active"},{"field":"lifecycle","to":"lead"}]}`},
		{"segment set", change(func(c *Customer) { c.Segment = "" }), base,
			`{"changes":[{"field":"segment","to":"smb"}]}`},
		{"segment cleared", base, change(func(c *Customer) { c.Segment = "" }),
			`{"changes":[{"field":"segment","from":"smb"}]}`},
		{"tags", base, change(func(c *Customer) { c.Tags = []string{"a", "c"} }),
			`{"changes":[{"field":"tags","from":["a","b"],"to":["a","c"]}]}`},
		{"tags removed", base, change(func(c *Customer) { c.Tags = nil }),
			`{"changes":[{"field":"tags","from":["a","b"]}]}`},
		{"nil and empty tags differ", change(func(c *Customer) { c.Tags = nil }), change(func(c *Customer) { c.Tags = []string{} }),
			`{"changes":[{"field":"tags"}]}`},
		{"owner and campaign", base, change(func(c *Customer) { c.Owner, c.Campaign = ID{5}, ID{6} }),
			`{"changes":[{"field":"owner","from":"02000000-0000-0000-0000-000000000000","to":"05000000-0000-0000-0000-000000000000"},` +
				`{"field":"campaign","to":"06000000-0000-0000-0000-000000000000"}]}`},
		{"flags", base, change(func(c *Customer) { c.KeyAccount, c.RestrictedAt = true, at }),
			`{"changes":[{"field":"key_account","from":false,"to":true},{"field":"restricted","from":false,"to":true}]}`},
		{"attributes", base, change(func(c *Customer) { c.Attributes = map[string]string{"size": "12", "new": "x"} }),
			`{"changes":[{"field":"attributes.new","to":"x"},{"field":"attributes.size","from":"10","to":"12"},` +
				`{"field":"attributes.tier","from":"gold"}]}`},
		{"contacts", base, change(func(c *Customer) {
			c.Contacts = []Contact{{ID: ID{4}, Name: "Ben", Email: "ben@example.org"}, {ID: ID{7}, Name: "Cy"}}
		}),
			`{"changes":[{"field":"contacts.03000000-0000-0000-0000-000000000000","from":{"id":"03000000-0000-0000-0000-000000000000","name":"Ann"}},` +
				`{"field":"contacts.04000000-0000-0000-0000-000000000000","from":{"id":"04000000-0000-0000-0000-000000000000","name":"Ben","email":"ben@example.com"},` +
				`"to":{"id":"04000000-0000-0000-0000-000000000000","name":"Ben","email":"ben@example.org"}},` +
				`{"field":"contacts.07000000-0000-0000-0000-000000000000","to":{"id":"07000000-0000-0000-0000-000000000000","name":"Cy"}}]}`},
		{"a contact listed twice", change(func(c *Customer) { c.Contacts = append(c.Contacts, Contact{ID: ID{3}, Name: "Other"}) }),
			change(func(c *Customer) { c.Contacts = []Contact{{ID: ID{3}, Name: "Ann"}, {ID: ID{3}, Name: "Ann 2"}} }),
			`{"changes":[{"field":"contacts.04000000-0000-0000-0000-000000000000","from":{"id":"04000000-0000-0000-0000-000000000000","name":"Ben","email":"ben@example.com"}}]}`},
		{"everything", Customer{}, base, ""},
		{"everything gone", base, Customer{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := diffCustomer(tt.before, tt.after)
			want := diffByReflection(tt.before, tt.after)
			assert.Equal(t, want, got, "the typed diff records what the reflecting one did")
			raw, err := json.Marshal(ChangeSet{Changes: got})
			require.NoError(t, err)
			wantRaw, err := json.Marshal(ChangeSet{Changes: want})
			require.NoError(t, err)
			assert.Equal(t, string(wantRaw), string(raw))
			if tt.want != "" {
				assert.JSONEq(t, tt.want, string(raw))
			}
		})
	}
}
