package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func listCustomers(t *testing.T, s crm.Store, f crm.CustomerFilter, p crm.PageRequest) []crm.Customer {
	t.Helper()
	var out []crm.Customer
	view(t, s, func(tx crm.ReadTx) error {
		var err error
		out, err = tx.Customers().List(context.Background(), f, p)
		return err
	})
	return out
}

func customerIDs(cs []crm.Customer) []crm.ID {
	out := make([]crm.ID, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

// numberedCustomer is customer number i of a listing: alice's in team
// north when i is even, bob's in team south when it is odd.
func numberedCustomer(g *ids, i int, alice, bob crm.ID) crm.Customer {
	c := sampleCustomer(g.next(), alice)
	c.Name = fmt.Sprintf("Customer %02d", i)
	if i%2 == 1 {
		c.Owner, c.Team = bob, "south"
	}
	return c
}

func runListing(t *testing.T, newStore NewStoreFunc) {
	s, g := newStore(t), &ids{}
	alice, bob := g.next(), g.next()
	var all []crm.Customer
	for i := range 25 {
		c := numberedCustomer(g, i, alice, bob)
		if i%3 == 0 {
			c.Kind, c.Segment = crm.Partner, "enterprise"
		}
		if i%4 == 0 {
			c.Tags = []string{"renewal", "vip"}
		} else if i%5 == 0 {
			c.Tags = []string{"vip"}
		}
		c.KeyAccount = i%6 == 0
		if i%7 == 0 {
			c.Status = crm.StatusArchived
		}
		all = append(all, c)
	}
	// Insert in reverse so that ID order is not insertion order.
	for i := len(all) - 1; i >= 0; i-- {
		insertCustomers(t, s, all[i])
	}

	t.Run("KeysetPages", func(t *testing.T) {
		var got []crm.ID
		page := crm.PageRequest{Limit: 10}
		sizes := []int{}
		for {
			cs := listCustomers(t, s, crm.CustomerFilter{}, page)
			sizes = append(sizes, len(cs))
			got = append(got, customerIDs(cs)...)
			if len(cs) < page.Limit {
				break
			}
			page.After = cs[len(cs)-1].ID
		}
		assert.Equal(t, []int{10, 10, 5}, sizes)
		assert.Equal(t, customerIDs(all), got, "every customer once, in ID order")
	})

	t.Run("PageSizeDefaultsAndCaps", func(t *testing.T) {
		assert.Len(t, listCustomers(t, s, crm.CustomerFilter{}, crm.PageRequest{Limit: 0}), 25)
		assert.Len(t, listCustomers(t, s, crm.CustomerFilter{}, crm.PageRequest{Limit: -5}), 25)
		assert.Len(t, listCustomers(t, s, crm.CustomerFilter{}, crm.PageRequest{Limit: 1 << 30}), 25)
	})

	t.Run("AfterTheLast", func(t *testing.T) {
		assert.Empty(t, listCustomers(t, s, crm.CustomerFilter{}, crm.PageRequest{After: all[24].ID}))
	})

	yes, no := true, false
	for _, tc := range []struct {
		name string
		f    crm.CustomerFilter
	}{
		{"owner", crm.CustomerFilter{Owner: bob}},
		{"team", crm.CustomerFilter{Team: "south"}},
		{"kind", crm.CustomerFilter{Kind: crm.Partner}},
		{"segment", crm.CustomerFilter{Segment: "enterprise"}},
		{"tag", crm.CustomerFilter{Tag: "vip"}},
		{"tag not present", crm.CustomerFilter{Tag: "nobody"}},
		{"key account", crm.CustomerFilter{KeyAccount: &yes}},
		{"not key account", crm.CustomerFilter{KeyAccount: &no}},
		{"archived", crm.CustomerFilter{Status: crm.StatusArchived}},
		{"active", crm.CustomerFilter{Status: crm.StatusActive}},
		{"combined", crm.CustomerFilter{Owner: alice, Tag: "renewal", Status: crm.StatusActive}},
		{"quote in value", crm.CustomerFilter{Segment: "x' OR '1'='1"}},
	} {
		t.Run("Filter/"+tc.name, func(t *testing.T) {
			var want []crm.ID
			for _, c := range all {
				if tc.f.Match(c) {
					want = append(want, c.ID)
				}
			}
			var got []crm.ID
			page := crm.PageRequest{Limit: 4}
			for {
				cs := listCustomers(t, s, tc.f, page)
				for _, c := range cs {
					require.True(t, tc.f.Match(c), "listed %s does not match", c.Name)
				}
				got = append(got, customerIDs(cs)...)
				if len(cs) < page.Limit {
					break
				}
				page.After = cs[len(cs)-1].ID
			}
			assert.Equal(t, want, got)
		})
	}
}
