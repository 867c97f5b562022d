package crm_test

import (
	"strings"
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEraseOneContact(t *testing.T) {
	co := newCompany(t)
	c, err := co.Customers.Create(ctx, co.Ann.ID, crm.NewCustomer{
		Kind: crm.Distributor, Name: "Contoso",
		Contacts: []crm.Contact{{Name: "Kim Akers", Email: "kim@contoso.example"}, {Name: "Lee Gu", Phone: "+1 555 0100"}},
	})
	require.NoError(t, err)
	kim, lee := c.Contacts[0].ID, c.Contacts[1].ID

	_, err = co.Customers.Erase(ctx, co.Admin.ID, crm.ErasureRequest{Customer: c.ID, Contacts: []crm.ID{kim}})
	assert.ErrorIs(t, err, crm.ErrInvalid, "a reason is required")
	_, err = co.Customers.Erase(ctx, co.Admin.ID, crm.ErasureRequest{Customer: c.ID, Contacts: []crm.ID{{9}}, Reason: "request"})
	assert.ErrorIs(t, err, crm.ErrInvalid, "an unknown contact is an error")

	rep, err := co.Customers.Erase(ctx, co.Admin.ID, crm.ErasureRequest{Customer: c.ID, Contacts: []crm.ID{kim}, Reason: "Kim's request"})
	require.NoError(t, err)
	assert.Equal(t, []string{"contacts." + kim.String()}, rep.Fields)
	require.Len(t, rep.RedactedEvents, 1)

	got, err := co.Customers.Get(ctx, co.Admin.ID, c.ID)
	require.NoError(t, err)
	assert.Equal(t, "Contoso", got.Name, "a company's name is not personal data")
	require.Len(t, got.Contacts, 1)
	assert.Equal(t, lee, got.Contacts[0].ID)

	events, err := co.Events.FeedPage(ctx, 0, 100)
	require.NoError(t, err)
	log := ""
	for _, e := range events {
		log += string(e.Data)
	}
	assert.NotContains(t, log, "Kim Akers")
	assert.NotContains(t, log, "kim@contoso.example")
	assert.Contains(t, log, "Lee Gu", "other contacts stay")
	last := events[len(events)-1]
	assert.Equal(t, crm.CustomerErased, last.Type)
	assert.True(t, strings.Contains(string(last.Data), `"reason":"Kim's request"`))
	assert.True(t, events[5].Redacted)
	assert.Equal(t, events[5].ID, rep.RedactedEvents[0], "the creation event")
	co.head(t)
}
