package crm_test

import (
	"strings"
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCreateCustomerRejects(t *testing.T) {
	co := newCompany(t)
	valid := crm.NewCustomer{Kind: crm.EndCustomer, Name: "Jane"}
	for _, tc := range []struct {
		name        string
		change      func(*crm.NewCustomer)
		field, rule string
	}{
		{"empty name", func(c *crm.NewCustomer) { c.Name = "  " }, "name", "required"},
		{"long name", func(c *crm.NewCustomer) { c.Name = strings.Repeat("x", 201) }, "name", "max_length"},
		{"control char", func(c *crm.NewCustomer) { c.Name = "Ja\x00ne" }, "name", "no_control_chars"},
		{"bad utf8", func(c *crm.NewCustomer) { c.Name = "Ja\xffne" }, "name", "utf8"},
		{"unknown kind", func(c *crm.NewCustomer) { c.Kind = "prospect" }, "kind", "one_of"},
		{"empty tag", func(c *crm.NewCustomer) { c.Tags = []string{"ok", " "} }, "tags[1]", "required"},
		{"too many tags", func(c *crm.NewCustomer) {
			for i := range 51 {
				c.Tags = append(c.Tags, strings.Repeat("t", i+1))
			}
		}, "tags", "max_count"},
		{"attribute key with SQL", func(c *crm.NewCustomer) { c.Attributes = map[string]string{"a'; DROP TABLE customers; --": "x"} }, "attributes", "key"},
		{"contact without name", func(c *crm.NewCustomer) { c.Contacts = []crm.Contact{{Email: "a@b.c"}} }, "contacts[0].name", "required"},
		{"contact email", func(c *crm.NewCustomer) { c.Contacts = []crm.Contact{{Name: "A", Email: "A <a@b.c>"}} }, "contacts[0].email", "email"},
		{"contact phone", func(c *crm.NewCustomer) { c.Contacts = []crm.Contact{{Name: "A", Phone: "555; DROP"}} }, "contacts[0].phone", "phone"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := co.head(t)
			in := valid
			tc.change(&in)
			_, err := co.Customers.Create(ctx, co.Ann.ID, in)
			var ve *crm.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.ErrorIs(t, err, crm.ErrInvalid)
			assert.Equal(t, tc.field, ve.Field)
			assert.Equal(t, tc.rule, ve.Rule)
			assert.Equal(t, before, co.head(t), "nothing was written")
		})
	}
	n := 0
	for _, err := range co.Customers.List(ctx, co.Admin.ID, crm.CustomerFilter{}) {
		require.NoError(t, err)
		n++
	}
	assert.Zero(t, n)
}

func TestCreateCustomerOwner(t *testing.T) {
	co := newCompany(t)
	c, err := co.Customers.Create(ctx, co.Ann.ID, crm.NewCustomer{Kind: crm.Partner, Name: "  Globex  ", Tags: []string{"b", "a", "b"}})
	require.NoError(t, err)
	assert.Equal(t, co.Ann.ID, c.Owner, "the actor owns what they create")
	assert.Equal(t, "north", c.Team)
	assert.Equal(t, "Globex", c.Name, "names are trimmed")
	assert.Equal(t, []string{"a", "b"}, c.Tags, "tags are sorted and unique")
	assert.Equal(t, int64(1), c.Version)
	assert.Equal(t, crm.StatusActive, c.Status)

	_, err = co.Customers.Create(ctx, co.Ann.ID, crm.NewCustomer{Kind: crm.Partner, Name: "For Ben", Owner: co.Ben.ID})
	assert.ErrorIs(t, err, crm.ErrForbidden, "a rep creates only for themselves")
	forBen, err := co.Customers.Create(ctx, co.Manager.ID, crm.NewCustomer{Kind: crm.Partner, Name: "For Ben", Owner: co.Ben.ID})
	require.NoError(t, err, "a manager creates for the team")
	assert.Equal(t, co.Ben.ID, forBen.Owner)
	_, err = co.Customers.Create(ctx, co.Manager.ID, crm.NewCustomer{Kind: crm.Partner, Name: "For Sue", Owner: co.Sue.ID})
	assert.ErrorIs(t, err, crm.ErrForbidden, "but not for another team")
	_, err = co.Customers.Create(ctx, co.Manager.ID, crm.NewCustomer{Kind: crm.Partner, Name: "Ghost", Owner: crm.ID{9}})
	assert.ErrorIs(t, err, crm.ErrNotFound)
	_, err = co.Customers.Create(ctx, crm.ID{9}, crm.NewCustomer{Kind: crm.Partner, Name: "Ghost"})
	var fe *crm.ForbiddenError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "unknown user", fe.Reason)
}

func TestUpdateCustomer(t *testing.T) {
	co := newCompany(t)
	c, err := co.Customers.Create(ctx, co.Ann.ID, crm.NewCustomer{
		Kind: crm.Distributor, Name: "Northwind", Tags: []string{"old"},
		Attributes: map[string]string{"region": "EU"},
		Contacts:   []crm.Contact{{Name: "Nancy", Email: "nancy@northwind.example"}},
	})
	require.NoError(t, err)
	nancy := c.Contacts[0].ID

	c, err = co.Customers.Update(ctx, co.Ann.ID, crm.CustomerPatch{Customer: c.ID,
		Name: ptr("Northwind Traders"), KeyAccount: ptr(true),
		AddTags: []string{"vip"}, RemoveTags: []string{"old"},
		SetAttributes: map[string]string{"tier": "gold"}, RemoveAttributes: []string{"region"},
		UpdateContacts: []crm.Contact{{ID: nancy, Name: "Nancy Davolio", Email: "nancy@northwind.example"}},
		AddContacts:    []crm.Contact{{Name: "Andrew", Title: "VP Sales"}},
	})
	require.NoError(t, err)
	assert.Equal(t, "Northwind Traders", c.Name)
	assert.True(t, c.KeyAccount)
	assert.Equal(t, []string{"vip"}, c.Tags)
	assert.Equal(t, map[string]string{"tier": "gold"}, c.Attributes)
	require.Len(t, c.Contacts, 2)
	assert.Equal(t, "Nancy Davolio", c.Contacts[0].Name)
	assert.False(t, c.Contacts[1].ID.IsZero(), "new contacts get IDs")
	assert.Equal(t, int64(2), c.Version)

	hist, err := co.Customers.History(ctx, co.Ann.ID, c.ID)
	require.NoError(t, err)
	require.Len(t, hist, 2)
	cs, err := crm.DecodeChangeSet(hist[1].Data)
	require.NoError(t, err)
	var fields []string
	for _, ch := range cs.Changes {
		fields = append(fields, ch.Field)
	}
	assert.Equal(t, []string{"name", "tags", "key_account", "attributes.region", "attributes.tier",
		"contacts." + nancy.String(), "contacts." + c.Contacts[1].ID.String()}, fields)

	before := co.head(t)
	same, err := co.Customers.Update(ctx, co.Ann.ID, crm.CustomerPatch{Customer: c.ID, Name: ptr("Northwind Traders")})
	require.NoError(t, err)
	assert.Equal(t, int64(2), same.Version, "a patch that changes nothing keeps the version")
	assert.Equal(t, before, co.head(t), "and records nothing")

	_, err = co.Customers.Update(ctx, co.Ann.ID, crm.CustomerPatch{Customer: c.ID, RemoveContacts: []crm.ID{{7}}})
	assert.ErrorIs(t, err, crm.ErrInvalid)
	_, err = co.Customers.Update(ctx, co.Ann.ID, crm.CustomerPatch{Customer: crm.ID{7}, Name: ptr("x")})
	assert.ErrorIs(t, err, crm.ErrNotFound)
}

func TestArchiveRestore(t *testing.T) {
	co := newCompany(t)
	c := co.customer(t, co.Ann, "Initech")
	c, err := co.Customers.Archive(ctx, co.Ann.ID, crm.ArchiveCustomerRequest{Customer: c.ID, Reason: "went bust"})
	require.NoError(t, err)
	assert.Equal(t, crm.StatusArchived, c.Status)
	assert.Equal(t, start, c.ArchivedAt)

	_, err = co.Customers.Update(ctx, co.Ann.ID, crm.CustomerPatch{Customer: c.ID, Name: ptr("x")})
	var te *crm.TransitionError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, "archived", te.From)
	assert.Equal(t, "update", te.Event)
	_, err = co.Customers.Archive(ctx, co.Ann.ID, crm.ArchiveCustomerRequest{Customer: c.ID, Reason: "again"})
	assert.ErrorIs(t, err, crm.ErrInvalidTransition)

	_, err = co.Customers.Restore(ctx, co.Ann.ID, crm.RestoreCustomerRequest{Customer: c.ID, Reason: "came back"})
	assert.ErrorIs(t, err, crm.ErrForbidden, "reps do not restore")
	c, err = co.Customers.Restore(ctx, co.Manager.ID, crm.RestoreCustomerRequest{Customer: c.ID, Reason: "came back"})
	require.NoError(t, err)
	assert.Equal(t, crm.StatusActive, c.Status)
	assert.True(t, c.ArchivedAt.IsZero())
	assert.Equal(t, int64(3), c.Version)
}

func TestReassign(t *testing.T) {
	co := newCompany(t)
	c := co.customer(t, co.Ann, "Umbrella")
	_, err := co.Customers.Reassign(ctx, co.Ann.ID, crm.ReassignCustomerRequest{Customer: c.ID, To: co.Ben.ID})
	assert.ErrorIs(t, err, crm.ErrForbidden, "reps do not reassign")
	_, err = co.Customers.Reassign(ctx, co.Manager.ID, crm.ReassignCustomerRequest{Customer: c.ID, To: co.Sue.ID})
	assert.ErrorIs(t, err, crm.ErrForbidden, "a manager does not give customers to another team")
	c, err = co.Customers.Reassign(ctx, co.Admin.ID, crm.ReassignCustomerRequest{Customer: c.ID, To: co.Sue.ID, Reason: "territory change"})
	require.NoError(t, err)
	assert.Equal(t, co.Sue.ID, c.Owner)
	assert.Equal(t, "south", c.Team)
	_, err = co.Customers.Get(ctx, co.Ann.ID, c.ID)
	assert.ErrorIs(t, err, crm.ErrNotFound, "the former owner no longer sees it: to her it is as if it were not there")

	n, err := co.Customers.HandOver(ctx, co.Admin.ID, crm.HandOverRequest{From: co.Ann.ID, To: co.Ben.ID, Reason: "nothing to move"})
	require.NoError(t, err)
	assert.Zero(t, n.Moved.Customers)
}

func TestReassignAllIsAllOrNothing(t *testing.T) {
	co := newCompany(t)
	one := co.customer(t, co.Ann, "One") // team north
	// A customer of Ann's stamped with team south, as records were before
	// the team followed its owner.
	legacy := co.customer(t, co.Ann, "Legacy")
	require.NoError(t, co.Store.Update(ctx, func(tx crm.Tx) error {
		l := legacy.Clone()
		l.Team, l.Version = "south", legacy.Version+1
		return tx.Customers().Update(ctx, l)
	}))

	before := co.head(t)
	_, err := co.Customers.HandOver(ctx, co.Manager.ID, crm.HandOverRequest{From: co.Ann.ID, To: co.Ben.ID, Reason: "Ann left"})
	assert.ErrorIs(t, err, crm.ErrForbidden, "the manager of north may not move a south customer")
	assert.Equal(t, before, co.head(t), "nothing was written")
	got, err := co.Customers.Get(ctx, co.Admin.ID, one.ID)
	require.NoError(t, err)
	assert.Equal(t, co.Ann.ID, got.Owner, "not even the customer the manager could move")

	n, err := co.Customers.HandOver(ctx, co.Admin.ID, crm.HandOverRequest{From: co.Ann.ID, To: co.Ben.ID, Reason: "Ann left"})
	require.NoError(t, err)
	assert.Equal(t, 2, n.Moved.Customers)
}

func TestTeamFollowsTheOwner(t *testing.T) {
	co := newCompany(t)
	one := co.customer(t, co.Ann, "One")
	_, err := co.Users.Update(ctx, co.Admin.ID, crm.UserPatch{User: co.Ann.ID, Team: ptr("south")})
	require.NoError(t, err)
	got, err := co.Customers.Get(ctx, co.Admin.ID, one.ID)
	require.NoError(t, err)
	assert.Equal(t, "south", got.Team, "Ann's customer moved with her")
	_, err = co.Customers.HandOver(ctx, co.Manager.ID, crm.HandOverRequest{From: co.Ann.ID, To: co.Ben.ID, Reason: "Ann left"})
	assert.ErrorIs(t, err, crm.ErrForbidden, "the manager of north no longer reassigns what she owns")
}

func TestCustomerListingScope(t *testing.T) {
	co := newCompany(t)
	for i := range 5 {
		co.customer(t, co.Ann, "A"+string(rune('0'+i)))
		co.customer(t, co.Ben, "B"+string(rune('0'+i)))
		co.customer(t, co.Sue, "S"+string(rune('0'+i)))
	}
	count := func(actor crm.User, f crm.CustomerFilter) int {
		n := 0
		for _, err := range co.Customers.List(ctx, actor.ID, f) {
			require.NoError(t, err)
			n++
		}
		return n
	}
	assert.Equal(t, 5, count(co.Ann, crm.CustomerFilter{}), "a rep sees their own")
	assert.Equal(t, 0, count(co.Ann, crm.CustomerFilter{Owner: co.Ben.ID}))
	assert.Equal(t, 10, count(co.Manager, crm.CustomerFilter{}), "a manager sees the team")
	assert.Equal(t, 0, count(co.Manager, crm.CustomerFilter{Team: "south"}))
	assert.Equal(t, 15, count(co.Admin, crm.CustomerFilter{}))

	names := co.pagedNames(t, co.Manager, 4)
	assert.Equal(t, []string{"A0", "B0", "A1", "B1", "A2", "B2", "A3", "B3", "A4", "B4"}, names)
	_, err := co.Customers.Page(ctx, co.Manager.ID, crm.CustomerFilter{}, crm.PageQuery{Cursor: "' OR 1=1 --", Limit: 4})
	assert.ErrorIs(t, err, crm.ErrInvalid)
}

// onlyOwnPolicy has no ReadScoper: the CRM must filter listings itself.
type onlyOwnPolicy struct{}

func (onlyOwnPolicy) Authorize(a crm.User, _ crm.Action, t crm.Target) error {
	if t.Owner == a.ID || t.Kind == crm.KindUser {
		return nil
	}
	return &crm.ForbiddenError{Actor: a.ID, Reason: "not yours"}
}

func TestListingWithPlainPolicy(t *testing.T) {
	co := newCompany(t, crm.WithPolicy(onlyOwnPolicy{}))
	for i := range 7 {
		co.customer(t, co.Ann, "A"+string(rune('0'+i)))
		co.customer(t, co.Ben, "B"+string(rune('0'+i)))
	}
	names := co.pagedNames(t, co.Ben, 3)
	assert.Equal(t, []string{"B0", "B1", "B2", "B3", "B4", "B5", "B6"}, names)
}

func TestUsers(t *testing.T) {
	co := newCompany(t)
	_, err := co.Users.Bootstrap(ctx, crm.NewUser{Name: "Second Admin"})
	assert.ErrorIs(t, err, crm.ErrConflict, "bootstrap works once")
	_, err = co.Users.Create(ctx, co.Manager.ID, crm.NewUser{Name: "New", Role: crm.RoleRep})
	assert.ErrorIs(t, err, crm.ErrForbidden)
	_, err = co.Users.Create(ctx, co.Admin.ID, crm.NewUser{Name: "New", Role: "owner"})
	assert.ErrorIs(t, err, crm.ErrInvalid)
	_, err = co.Users.Deactivate(ctx, co.Admin.ID, crm.DeactivateUserRequest{User: co.Admin.ID})
	assert.ErrorIs(t, err, crm.ErrInvalid, "an admin cannot lock themselves out")

	ann, err := co.Users.Deactivate(ctx, co.Admin.ID, crm.DeactivateUserRequest{User: co.Ann.ID, Reason: "left"})
	require.NoError(t, err)
	assert.False(t, ann.Active)
	assert.Equal(t, start, ann.DeactivatedAt)
	again, err := co.Users.Deactivate(ctx, co.Admin.ID, crm.DeactivateUserRequest{User: co.Ann.ID, Reason: "left"})
	require.NoError(t, err)
	assert.Equal(t, ann.Version, again.Version, "deactivating twice changes nothing")
	ann, err = co.Users.Reactivate(ctx, co.Admin.ID, crm.ReactivateUserRequest{User: co.Ann.ID, Reason: "came back"})
	require.NoError(t, err)
	assert.True(t, ann.Active)
	assert.True(t, ann.DeactivatedAt.IsZero())

	inactive := false
	n := 0
	for u, err := range co.Users.List(ctx, co.Ben.ID, crm.UserFilter{Active: &inactive}) {
		require.NoError(t, err)
		t.Log(u.Name)
		n++
	}
	assert.Zero(t, n)
	p, err := co.Users.Page(ctx, co.Ben.ID, crm.UserFilter{Role: crm.RoleRep}, crm.PageQuery{Limit: 2})
	require.NoError(t, err)
	assert.Len(t, p.Items, 2)
	assert.NotEmpty(t, p.Next)
}

// pagedNames lists the names of the customers actor may read, following
// CustomerPage cursors pageSize at a time.
func (co *company) pagedNames(t *testing.T, actor crm.User, pageSize int) []string {
	t.Helper()
	var names []string
	cursor := ""
	for {
		p, err := co.Customers.Page(ctx, actor.ID, crm.CustomerFilter{}, crm.PageQuery{Cursor: cursor, Limit: pageSize})
		require.NoError(t, err)
		for _, c := range p.Items {
			names = append(names, c.Name)
		}
		if p.Next == "" {
			return names
		}
		cursor = p.Next
	}
}
