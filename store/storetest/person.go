package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

// Person is a customer that PlantPerson made, with the IDs of one record
// of every kind linked to them. Every text the planter wrote about them
// holds Mark, so that a test can look for it in what the CRM hands out
// (an export) or leaves behind (after an erasure).
type Person struct {
	Mark        string
	Customer    crm.Customer
	Interaction crm.ID
	Case        crm.ID
	Activity    crm.ID
	Deal        crm.ID
	Contract    crm.ID
	Invoice     crm.ID // overdue and dunned: it has a dunning record
	Payment     crm.ID // a payment, part of the invoice
	CreditNote  crm.ID // a credit note on part of the invoice
	Evidence    crm.ID // evidence recorded by hand
}

// PlantPerson creates, through the CRM, an end customer of owner named
// after mark with a contact and an attribute, and for them: an
// interaction with a note, a case with a subject and a resolution note,
// a won deal, an activity with a subject and an outcome, a contract
// draft with terms, an invoice with a described line, a payment with a
// reference, a credit note with a reason, evidence with a note, a
// consent with its proof, and the ladder moves and events that follow.
// Each text holds mark. It issues the invoice due today, moves
// the Team's clock 8 days on and runs dunning, which reminds of it (and
// of any other invoice overdue by then), and then holds its dunning with
// a reason.
func (tm *Team) PlantPerson(t testing.TB, owner crm.User, mark string) Person {
	t.Helper()
	ctx := context.Background()
	p := Person{Mark: mark}
	var err error
	p.Customer, err = tm.Customers.Create(ctx, owner.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: mark + " Person",
		Contacts:   []crm.Contact{{Name: mark + " Contact", Title: mark + " title", Email: "mail@" + mark + ".example", Phone: "+1 555 0100"}},
		Attributes: map[string]string{"birth_date": mark + " 1970-01-01"}})
	require.NoError(t, err)
	cust := p.Customer.ID

	m, err := tm.Experience.CreateTouchpointMap(ctx, tm.Admin.ID, crm.NewTouchpointMap{Name: "Service " + mark, Touchpoints: []crm.Touchpoint{
		{Key: "hotline", Name: "Hotline", Channel: crm.ChannelContactCenter, Medium: crm.MediumPhone, Phase: crm.PhaseSupport, Department: "service"},
	}})
	require.NoError(t, err)
	rec, err := tm.Experience.RecordInteraction(ctx, owner.ID, crm.NewInteraction{Customer: cust, Map: m.ID, Touchpoint: "hotline",
		At: tm.Clock.Now(), Direction: crm.Inbound, Handle: time.Minute, Resolved: true, Sentiment: crm.Positive, Note: mark + " interaction note"})
	require.NoError(t, err)
	p.Interaction = rec.Interaction.ID

	cs, err := tm.Cases.Open(ctx, owner.ID, crm.NewCase{Customer: cust, Kind: crm.Complaint, Subject: mark + " case subject", Map: m.ID,
		Touchpoint: "hotline", Assignee: owner.ID})
	require.NoError(t, err)
	p.Case = cs.Case.ID
	_, err = tm.Cases.Resolve(ctx, owner.ID, crm.ResolveCaseRequest{Case: p.Case, Note: mark + " case resolution"})
	require.NoError(t, err)

	pl, err := tm.Deals.CreatePipeline(ctx, tm.Admin.ID, crm.NewPipeline{Name: "Sales " + mark, Currency: crm.USD})
	require.NoError(t, err)
	d, err := tm.Deals.Open(ctx, owner.ID, crm.NewDeal{Pipeline: pl.ID, Customer: cust, Title: mark + " deal title",
		Amount: crm.MoneyFromMinor(250_000, crm.USD)})
	require.NoError(t, err)
	p.Deal = d.ID
	_, err = tm.Deals.Win(ctx, owner.ID, crm.WinDealRequest{Deal: d.ID})
	require.NoError(t, err)

	a, err := tm.Activities.Log(ctx, owner.ID, crm.NewActivity{Type: crm.ActivityCall, Customer: cust, Deal: d.ID,
		Subject: mark + " activity subject", Outcome: mark + " activity outcome", Done: true})
	require.NoError(t, err)
	p.Activity = a.ID

	ct, err := tm.Contracts.Draft(ctx, owner.ID, crm.NewContract{Customer: cust, Title: mark + " contract title", Terms: mark + " contract terms",
		Amount: crm.MoneyFromMinor(100_000, crm.USD), Start: crm.DateOf(tm.Clock.Now()), End: crm.DateOf(tm.Clock.Now()).AddDays(364)})
	require.NoError(t, err)
	p.Contract = ct.ID

	inv, err := tm.Ledger.IssueInvoice(ctx, tm.Admin.ID, crm.NewInvoice{Customer: cust, Currency: crm.USD, Number: "INV-" + mark,
		Due:   crm.DateOf(tm.Clock.Now()),
		Lines: []crm.InvoiceLine{{Description: mark + " invoice line", Quantity: decimal.NewFromInt(1), UnitPrice: crm.MoneyFromMinor(10_000, crm.USD)}}})
	require.NoError(t, err)
	p.Invoice = inv.ID
	pay, err := tm.Ledger.ReceivePayment(ctx, tm.Admin.ID, crm.NewPayment{Customer: cust, Amount: crm.MoneyFromMinor(1_000, crm.USD),
		Reference: mark + " payment reference"})
	require.NoError(t, err)
	p.Payment = pay.Payment.ID
	note, err := tm.Ledger.IssueCreditNote(ctx, tm.Admin.ID, crm.NewCreditNote{Customer: cust, Invoice: inv.ID,
		Net: crm.MoneyFromMinor(500, crm.USD), Reason: mark + " credit note reason"})
	require.NoError(t, err)
	p.CreditNote = note.ID

	_, err = tm.Ladder.RecordEvidence(ctx, tm.Admin.ID, crm.NewEvidence{Customer: cust, Kind: crm.EvidencePurchase, At: tm.Clock.Now(), Note: mark + " evidence note"})
	require.NoError(t, err)
	evidence := func() []crm.Evidence {
		var out []crm.Evidence
		require.NoError(t, tm.Store.View(ctx, func(tx crm.ReadTx) error {
			out, err = tx.Ladder().Evidence(ctx, cust)
			return err
		}))
		return out
	}()
	require.NotEmpty(t, evidence)
	p.Evidence = evidence[len(evidence)-1].ID

	_, err = tm.Customers.GiveConsent(ctx, owner.ID, crm.GiveConsentRequest{Customer: cust, Purpose: "email_marketing",
		At: tm.Clock.Now(), Source: "web_form", Proof: mark + " consent proof"})
	require.NoError(t, err)

	tm.Clock.Advance(8 * 24 * time.Hour)
	_, err = tm.Receivables.Dun(ctx, tm.Admin.ID, crm.DunningRun{})
	require.NoError(t, err)
	_, err = tm.Receivables.PauseDunning(ctx, tm.Admin.ID, crm.DunningHoldRequest{Invoice: p.Invoice, Reason: mark + " dunning hold"})
	require.NoError(t, err)
	return p
}
