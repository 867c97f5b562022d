package storetest

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runExport checks CustomerService.Export on every store: a customer
// with a record of every kind gets each of them back, with its text, in
// one JSON document, and nothing of another customer; the export is
// recorded as an event that holds no personal data; only an admin
// exports; bad input is refused and records nothing; the same data gives
// the same document; and listings longer than a page are read whole.
func runExport(t *testing.T, newStore NewStoreFunc) {
	t.Run("EverythingAboutThem", func(t *testing.T) { exportEverything(t, newStore) })
	t.Run("Recorded", func(t *testing.T) { exportRecorded(t, newStore) })
	t.Run("Authorization", func(t *testing.T) { exportAuthorization(t, newStore) })
	t.Run("BadInput", func(t *testing.T) { exportBadInput(t, newStore) })
	t.Run("NothingButTheRecord", func(t *testing.T) { exportBare(t, newStore) })
	t.Run("EveryPage", func(t *testing.T) { exportEveryPage(t, newStore) })
}

// exportTexts are the texts PlantPerson wrote about a person marked mark,
// one in each kind of record: what an export hands out and an erasure
// removes from everywhere. (The planted invoice's number and the names of
// the map and the pipeline hold the mark too, but they are the
// company's, not the person's, and stay.)
func exportTexts(mark string) []string {
	return []string{
		mark + " Person", mark + " Contact", mark + " title", "mail@" + mark + ".example", mark + " 1970-01-01",
		mark + " interaction note", mark + " case subject", mark + " case resolution", mark + " deal title",
		mark + " activity subject", mark + " activity outcome", mark + " contract title", mark + " contract terms",
		mark + " invoice line", mark + " payment reference", mark + " credit note reason", mark + " evidence note",
		mark + " consent proof", mark + " dunning hold",
	}
}

// exportJSON exports the customer as the Team's admin and returns the
// export and its JSON.
func exportJSON(t *testing.T, tm *Team, customer crm.ID) (crm.PersonalDataExport, string) {
	t.Helper()
	x, err := tm.Customers.Export(context.Background(), tm.Admin.ID, customer)
	require.NoError(t, err)
	b, err := json.Marshal(x)
	require.NoError(t, err)
	return x, string(b)
}

func exportEverything(t *testing.T, newStore NewStoreFunc) {
	tm := NewTeam(t, newStore(t))
	anna := tm.PlantPerson(t, tm.Ann, "annamark")
	bob := tm.PlantPerson(t, tm.Sue, "bobmark")

	x, doc := exportJSON(t, tm, anna.Customer.ID)
	for _, text := range exportTexts(anna.Mark) {
		assert.Contains(t, doc, text)
	}
	for _, id := range []crm.ID{anna.Customer.ID, anna.Interaction, anna.Case, anna.Activity, anna.Deal, anna.Contract,
		anna.Invoice, anna.Payment, anna.CreditNote, anna.Evidence} {
		assert.Contains(t, doc, id.String())
	}
	assert.NotContains(t, doc, bob.Mark, "nothing of another customer")
	assert.NotContains(t, doc, bob.Customer.ID.String())

	var keys map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(doc), &keys))
	for _, k := range []string{"format", "generated_at", "generated_by", "customer", "ladder", "ladder_moves", "evidence",
		"interactions", "cases", "activities", "deals", "contracts", "invoices", "credits", "ledger_entries", "dunning", "history"} {
		assert.Contains(t, keys, k)
	}
	assert.Equal(t, crm.ExportFormat, x.Format)
	assert.Equal(t, tm.Clock.Now(), x.GeneratedAt)
	assert.Equal(t, tm.Admin.ID, x.GeneratedBy)
	assert.Equal(t, anna.Customer.ID, x.Ladder.Customer)
	assert.Len(t, x.Entries, len(x.Invoices)+len(x.Credits), "the entries that posted each invoice and payment")
	types := map[crm.EventType]bool{}
	for i, e := range x.History {
		types[e.Type] = true
		if i > 0 {
			assert.Less(t, x.History[i-1].Seq, e.Seq, "the history is in log order")
		}
	}
	for _, typ := range []crm.EventType{crm.CustomerCreated, crm.InteractionRecorded, crm.CaseOpenedEvent, crm.CaseMoved,
		crm.DealOpened, crm.DealWonEvent, crm.ActivityLogged, crm.ContractDrafted, crm.LedgerPosted, crm.EvidenceRecorded,
		crm.LadderMoved, crm.DunningEscalated} {
		assert.True(t, types[typ], "the history has %s", typ)
	}

	var back crm.PersonalDataExport
	require.NoError(t, json.Unmarshal([]byte(doc), &back))
	again, err := json.Marshal(back)
	require.NoError(t, err)
	assert.JSONEq(t, doc, string(again), "the document decodes to the export it was made from")

	// The same data gives the same document: a second export differs only
	// by the first export's event, now in the history.
	y, err := tm.Customers.Export(context.Background(), tm.Admin.ID, anna.Customer.ID)
	require.NoError(t, err)
	require.Len(t, y.History, len(x.History)+1)
	assert.Equal(t, crm.CustomerExported, y.History[len(y.History)-1].Type)
	y.History = y.History[:len(x.History)]
	want, err := json.Marshal(x)
	require.NoError(t, err)
	got, err := json.Marshal(y)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got))
}

func exportRecorded(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	tm := NewTeam(t, newStore(t))
	anna := tm.PlantPerson(t, tm.Ann, "annamark")
	before, err := tm.Customers.Get(ctx, tm.Admin.ID, anna.Customer.ID)
	require.NoError(t, err)
	x, _ := exportJSON(t, tm, anna.Customer.ID)

	history, err := tm.Customers.History(ctx, tm.Admin.ID, anna.Customer.ID)
	require.NoError(t, err)
	last := history[len(history)-1]
	assert.Equal(t, crm.CustomerExported, last.Type)
	assert.Equal(t, tm.Admin.ID, last.Actor, "who exported")
	assert.Equal(t, x.GeneratedAt, last.Time, "when")
	assert.Equal(t, crm.KindCustomer, last.Kind)
	assert.Equal(t, before.Version, last.Version, "the customer did not change")
	for _, text := range append(exportTexts(anna.Mark), anna.Mark) {
		assert.NotContains(t, string(last.Data), text, "no personal data in the event")
	}
	var data struct {
		Format  string           `json:"format"`
		Records map[crm.Kind]int `json:"records"`
	}
	require.NoError(t, json.Unmarshal(last.Data, &data))
	assert.Equal(t, crm.ExportFormat, data.Format)
	assert.Equal(t, map[crm.Kind]int{
		crm.KindCustomer: 1, crm.KindInteraction: len(x.Interactions), crm.KindCase: 1, crm.KindActivity: 1, crm.KindDeal: 1,
		crm.KindContract: 1, crm.KindInvoice: len(x.Invoices), crm.KindCredit: len(x.Credits), crm.KindEntry: len(x.Entries),
		crm.KindDunning: len(x.Dunning), crm.KindLadderState: 1, crm.KindLadderMove: len(x.LadderMoves),
		crm.KindEvidence: len(x.Evidence), crm.KindEvent: len(x.History), crm.KindConsent: 1,
	}, data.Records, "how many records of each kind were handed out")
	after, err := tm.Customers.Get(ctx, tm.Admin.ID, anna.Customer.ID)
	require.NoError(t, err)
	assert.Equal(t, before, after)
	_, err = tm.Events.Verify(ctx)
	require.NoError(t, err, "the log still verifies")
}

func exportAuthorization(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	tm := NewTeam(t, newStore(t))
	anna := tm.PlantPerson(t, tm.Ann, "annamark")
	head := func() crm.LogHead {
		h, err := tm.Events.Verify(ctx)
		require.NoError(t, err)
		return h
	}
	before := head()
	for _, tc := range []struct {
		name  string
		actor crm.User
		want  error
	}{
		{"the owner, a rep", tm.Ann, crm.ErrForbidden},
		{"the owner's manager", tm.Manager, crm.ErrForbidden},
		{"a rep of another team, who does not see the customer", tm.Sue, crm.ErrNotFound},
	} {
		_, err := tm.Customers.Export(ctx, tc.actor.ID, anna.Customer.ID)
		assert.ErrorIs(t, err, tc.want, tc.name)
	}
	_, err := tm.Customers.Export(ctx, crm.ID{}, anna.Customer.ID)
	assert.ErrorIs(t, err, crm.ErrForbidden, "nobody")
	assert.Equal(t, before, head(), "a refused export records nothing")
	_, err = tm.Customers.Export(ctx, tm.Admin.ID, anna.Customer.ID)
	assert.NoError(t, err, "an admin exports")
}

func exportBadInput(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	tm := NewTeam(t, newStore(t))
	cu, err := tm.Customers.Create(ctx, tm.Ann.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: "Jane Roe"})
	require.NoError(t, err)
	before, err := tm.Events.Verify(ctx)
	require.NoError(t, err)

	_, err = tm.Customers.Export(ctx, tm.Admin.ID, crm.ID{})
	var ve *crm.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "customer", ve.Field)
	assert.ErrorIs(t, err, crm.ErrInvalid)

	unknown := cu.ID
	unknown[15] ^= 0xff
	_, err = tm.Customers.Export(ctx, tm.Admin.ID, unknown)
	var nf *crm.NotFoundError
	require.ErrorAs(t, err, &nf)
	assert.Equal(t, crm.KindCustomer, nf.Kind)

	after, err := tm.Events.Verify(ctx)
	require.NoError(t, err)
	assert.Equal(t, before, after, "bad input records nothing")
}

func exportBare(t *testing.T, newStore NewStoreFunc) {
	tm := NewTeam(t, newStore(t))
	cu, err := tm.Customers.Create(context.Background(), tm.Ann.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: "Jane Roe"})
	require.NoError(t, err)
	x, doc := exportJSON(t, tm, cu.ID)
	assert.Equal(t, cu, x.Customer)
	require.Len(t, x.History, 1)
	assert.Equal(t, crm.CustomerCreated, x.History[0].Type)
	var keys map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(doc), &keys))
	for _, k := range []string{"ladder", "ladder_moves", "evidence", "interactions", "cases", "activities", "deals", "contracts",
		"invoices", "credits", "ledger_entries", "dunning"} {
		assert.NotContains(t, keys, k, "a customer with no %s has none in the document", k)
	}

	_, err = tm.Customers.Archive(context.Background(), tm.Ann.ID, crm.ArchiveCustomerRequest{Customer: cu.ID, Reason: "moved away"})
	require.NoError(t, err)
	x, _ = exportJSON(t, tm, cu.ID)
	assert.Equal(t, crm.StatusArchived, x.Customer.Status, "an archived customer is exported too")
}

// exportEveryPage gives a customer more activities than a page of the
// store holds: the export has every one.
func exportEveryPage(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	tm := NewTeam(t, newStore(t))
	anna := tm.PlantPerson(t, tm.Ann, "annamark")
	bob := tm.PlantPerson(t, tm.Sue, "bobmark")
	want := map[crm.ID]bool{anna.Activity: true}
	require.NoError(t, tm.Store.Update(ctx, func(tx crm.Tx) error {
		for _, p := range []Person{anna, bob} {
			a, err := tx.Activities().Get(ctx, p.Activity)
			if err != nil {
				return err
			}
			base := a.ID
			for i := range crm.MaxPageSize {
				a.ID = base // a copy whose ID differs from the original in byte 13
				a.ID[13], a.ID[14], a.ID[15] = base[13]^0x5a, byte(i>>8), byte(i)
				if err := tx.Activities().Insert(ctx, a); err != nil {
					return err
				}
				if p.Customer.ID == anna.Customer.ID {
					want[a.ID] = true
				}
			}
		}
		return nil
	}))
	x, _ := exportJSON(t, tm, anna.Customer.ID)
	got := map[crm.ID]bool{}
	for _, a := range x.Activities {
		got[a.ID] = true
	}
	assert.Len(t, x.Activities, crm.MaxPageSize+1)
	assert.Equal(t, want, got)
}
