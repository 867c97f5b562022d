package crm_test

import (
	"encoding/json"
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGatherPersonRecords plants two customers with a record of every
// kind each and gathers one of them: every record comes back, with the
// events of all of them in log order, and nothing of the other customer.
func TestGatherPersonRecords(t *testing.T) {
	co := newCompany(t)
	anna := co.PlantPerson(t, co.Ann, "annamark")
	bob := co.PlantPerson(t, co.Sue, "bobmark")

	var got crm.PersonRecords
	require.NoError(t, co.Store.View(ctx, func(tx crm.ReadTx) error {
		var err error
		got, err = crm.GatherPersonRecords(ctx, tx, anna.Customer.ID)
		return err
	}))
	assert.Equal(t, anna.Customer.ID, got.Customer.ID)
	ids := func(n int, id func(int) crm.ID) []crm.ID {
		var out []crm.ID
		for i := range n {
			out = append(out, id(i))
		}
		return out
	}
	assert.Equal(t, []crm.ID{anna.Interaction}, ids(len(got.Interactions), func(i int) crm.ID { return got.Interactions[i].ID }))
	assert.Equal(t, []crm.ID{anna.Case}, ids(len(got.Cases), func(i int) crm.ID { return got.Cases[i].ID }))
	assert.Equal(t, []crm.ID{anna.Activity}, ids(len(got.Activities), func(i int) crm.ID { return got.Activities[i].ID }))
	assert.Equal(t, []crm.ID{anna.Deal}, ids(len(got.Deals), func(i int) crm.ID { return got.Deals[i].ID }))
	assert.Equal(t, []crm.ID{anna.Contract}, ids(len(got.Contracts), func(i int) crm.ID { return got.Contracts[i].ID }))
	assert.Contains(t, ids(len(got.Invoices), func(i int) crm.ID { return got.Invoices[i].ID }), anna.Invoice)
	assert.Contains(t, ids(len(got.Credits), func(i int) crm.ID { return got.Credits[i].ID }), anna.Payment)
	assert.Contains(t, ids(len(got.Credits), func(i int) crm.ID { return got.Credits[i].ID }), anna.CreditNote)
	assert.Contains(t, ids(len(got.Evidence), func(i int) crm.ID { return got.Evidence[i].ID }), anna.Evidence)
	assert.Contains(t, ids(len(got.Dunning), func(i int) crm.ID { return got.Dunning[i].Invoice }), anna.Invoice)
	assert.Len(t, got.Entries, len(got.Invoices)+len(got.Credits), "an entry per invoice and payment")
	assert.Equal(t, anna.Customer.ID, got.Ladder.Customer)
	assert.NotEmpty(t, got.Moves)

	types := map[crm.EventType]bool{}
	for i, e := range got.Events {
		types[e.Type] = true
		if i > 0 {
			assert.Less(t, got.Events[i-1].Seq, e.Seq, "in log order")
		}
	}
	for _, typ := range []crm.EventType{crm.CustomerCreated, crm.InteractionRecorded, crm.CaseOpenedEvent, crm.CaseMoved,
		crm.DealOpened, crm.DealWonEvent, crm.ActivityLogged, crm.ContractDrafted, crm.LedgerPosted, crm.EvidenceRecorded,
		crm.LadderMoved, crm.DunningEscalated} {
		assert.True(t, types[typ], "the history has %s", typ)
	}

	var inWrite crm.PersonRecords
	require.NoError(t, co.Store.Update(ctx, func(tx crm.Tx) error {
		var err error
		inWrite, err = crm.GatherPersonRecords(ctx, crm.ReadOnly(tx), anna.Customer.ID)
		return err
	}))
	assert.Equal(t, got, inWrite, "a write gathers what a read does")

	b, err := json.Marshal(got)
	require.NoError(t, err)
	assert.Contains(t, string(b), anna.Mark)
	assert.NotContains(t, string(b), bob.Mark, "nothing of another customer")
	assert.NotContains(t, string(b), bob.Customer.ID.String())
}
