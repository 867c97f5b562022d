package crm_test

import (
	"strings"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/memory"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestZeroActorIsUnknown: the zero ID is nobody, refused before the
// policy is asked, on writes and reads alike, and nothing is written.
func TestZeroActorIsUnknown(t *testing.T) {
	co := newCompany(t)
	acme := co.customer(t, co.Ann, "Acme")
	before := co.head(t)
	var nobody crm.ID
	_, err := co.Customers.Create(ctx, nobody, crm.NewCustomer{Kind: crm.Partner, Name: "Ghost"})
	var fe *crm.ForbiddenError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "unknown user: the zero ID, which no user has (did the call that returned it fail?)", fe.Reason)
	_, err = co.Customers.Get(ctx, nobody, acme.ID)
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "unknown user: the zero ID, which no user has (did the call that returned it fail?)", fe.Reason)
	assert.Equal(t, before, co.head(t), "nothing was written")
}

// TestTheLastAdminStays: nobody could manage users if the last active
// admin were demoted or deactivated, so neither is allowed; with a second
// admin, either is.
func TestTheLastAdminStays(t *testing.T) {
	co := newCompany(t)
	before := co.head(t)
	_, err := co.Users.Update(ctx, co.Admin.ID, crm.UserPatch{User: co.Admin.ID, Role: ptr(crm.RoleManager)})
	var ve *crm.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "last_admin", ve.Rule)
	assert.Equal(t, before, co.head(t), "nothing was written")

	second, err := co.Users.Create(ctx, co.Admin.ID, crm.NewUser{Name: "Second Admin", Role: crm.RoleAdmin})
	require.NoError(t, err)
	_, err = co.Users.Update(ctx, second.ID, crm.UserPatch{User: co.Admin.ID, Role: ptr(crm.RoleManager)})
	require.NoError(t, err, "with another admin, one may step down")
	_, err = co.Users.Deactivate(ctx, co.Admin.ID, crm.DeactivateUserRequest{User: second.ID, Reason: "left"})
	require.ErrorIs(t, err, crm.ErrForbidden, "the demoted admin manages users no more")
	_, err = co.Users.Update(ctx, second.ID, crm.UserPatch{User: second.ID, Role: ptr(crm.RoleRep)})
	require.ErrorAs(t, err, &ve, "the remaining admin cannot demote themselves either")
	assert.Equal(t, "last_admin", ve.Rule)
}

// TestContractApproversAreDistinct: each approval step needs another
// approver, and neither who drafted a contract nor who submitted it may
// approve it.
func TestContractApproversAreDistinct(t *testing.T) {
	co := newCompany(t)
	fay, err := co.Users.Create(ctx, co.Admin.ID, crm.NewUser{Name: "Fay Finance", Role: crm.RoleFinance})
	require.NoError(t, err)
	acme := co.customer(t, co.Ann, "Acme")
	big := func(t *testing.T, drafter crm.User) crm.Contract {
		t.Helper()
		k, err := co.Contracts.Draft(ctx, drafter.ID, crm.NewContract{Customer: acme.ID, Owner: co.Ann.ID, Title: "Fleet",
			Amount: crm.MoneyFromMinor(2_000_000, crm.USD), Start: date(t, "2026-04-01"), Template: crm.PlanNet30})
		require.NoError(t, err)
		k, err = co.Contracts.Submit(ctx, co.Ann.ID, crm.SubmitContractRequest{Contract: k.ID})
		require.NoError(t, err)
		require.Len(t, k.Steps, 2, "above the threshold: a manager, then finance")
		return k
	}

	k := big(t, co.Ann)
	_, err = co.Contracts.Approve(ctx, co.Admin.ID, crm.ApproveContractRequest{Contract: k.ID})
	require.NoError(t, err)
	_, err = co.Contracts.Approve(ctx, co.Admin.ID, crm.ApproveContractRequest{Contract: k.ID})
	var fe *crm.ForbiddenError
	require.ErrorAs(t, err, &fe, "one admin does not approve both steps")
	assert.Contains(t, fe.Reason, "another approver")
	k, err = co.Contracts.Approve(ctx, fay.ID, crm.ApproveContractRequest{Contract: k.ID})
	require.NoError(t, err)
	assert.Equal(t, crm.ContractApproved, k.Status)

	k = big(t, co.Manager)
	assert.Equal(t, co.Manager.ID, k.DraftedBy)
	_, err = co.Contracts.Approve(ctx, co.Manager.ID, crm.ApproveContractRequest{Contract: k.ID})
	require.ErrorAs(t, err, &fe, "who drafted it does not approve it")
	assert.Contains(t, fe.Reason, "drafted")
}

// TestWorkOnACustomerNeedsTheCustomer: a deal, a contract or an activity
// is its customer's data, so a rep who may not read a customer cannot
// open a deal on them, draft their contract or log work with them, and
// learns nothing from trying: the customer is not there for them.
func TestWorkOnACustomerNeedsTheCustomer(t *testing.T) {
	s := newSalesTeam(t)
	south := s.customer(t, s.Sue, "Southwind")
	before := s.head(t)

	_, err := s.Deals.Open(ctx, s.Ann.ID, crm.NewDeal{Pipeline: s.p.ID, Customer: south.ID, Title: "Poached"})
	assert.ErrorIs(t, err, crm.ErrNotFound, "a deal on a customer Ann may not read")
	_, err = s.Contracts.Draft(ctx, s.Ann.ID, crm.NewContract{Customer: south.ID, Title: "Poached",
		Amount: money(t, "100.00", "USD"), Start: date(t, "2026-04-01"), Template: crm.PlanNet30})
	assert.ErrorIs(t, err, crm.ErrNotFound, "a contract on a customer Ann may not read")
	_, err = s.Activities.Log(ctx, s.Ann.ID, crm.NewActivity{Type: crm.ActivityCall, Customer: south.ID, Subject: "hello"})
	assert.ErrorIs(t, err, crm.ErrNotFound, "work with a customer Ann may not read")
	missing := crm.ID{0xfe}
	_, err = s.Deals.Open(ctx, s.Ann.ID, crm.NewDeal{Pipeline: s.p.ID, Customer: missing, Title: "Ghost"})
	assert.ErrorIs(t, err, crm.ErrNotFound, "the same answer as for a customer that does not exist")
	assert.Equal(t, before, s.head(t), "nothing was written")

	d := s.deal(t, s.Sue, south, "5000.00")
	_, err = s.Deals.Win(ctx, s.Ann.ID, crm.WinDealRequest{Deal: d.ID})
	assert.ErrorIs(t, err, crm.ErrNotFound, "nor can Ann win Sue's deal")
	got, err := s.Customers.Get(ctx, s.Sue.ID, south.ID)
	require.NoError(t, err)
	assert.Equal(t, crm.LifecycleOpportunity, got.Lifecycle, "and the customer's lifecycle did not move")
}

// TestActivitiesOnSomeonesBehalf: an activity is its owner's; another user
// logs it for them only under the delegate grant, says so, and never for
// someone who has left.
func TestActivitiesOnSomeonesBehalf(t *testing.T) {
	co := newCompany(t)
	acme := co.customer(t, co.Ann, "Acme")
	_, err := co.Activities.Log(ctx, co.Ben.ID, crm.NewActivity{Type: crm.ActivityCall, Customer: acme.ID, Owner: co.Ann.ID})
	assert.ErrorIs(t, err, crm.ErrNotFound, "Ben may not read Ann's customer")
	_, err = co.Activities.Log(ctx, co.Ann.ID, crm.NewActivity{Type: crm.ActivityCall, Customer: acme.ID, Owner: co.Ben.ID})
	assert.ErrorIs(t, err, crm.ErrForbidden, "a rep does not log work as another rep's")

	a, err := co.Activities.Log(ctx, co.Manager.ID, crm.NewActivity{Type: crm.ActivityVisit, Customer: acme.ID, Owner: co.Ann.ID,
		Subject: "site visit", Outcome: "signed", NextStep: "invoice"})
	require.NoError(t, err, "a manager logs a visit of their rep")
	assert.Equal(t, co.Ann.ID, a.Owner)
	assert.Equal(t, co.Manager.ID, a.LoggedBy, "and the activity says who logged it")

	_, err = co.Users.Deactivate(ctx, co.Admin.ID, crm.DeactivateUserRequest{User: co.Ben.ID, Reason: "left"})
	require.NoError(t, err)
	_, err = co.Activities.Log(ctx, co.Manager.ID, crm.NewActivity{Type: crm.ActivityCall, Customer: acme.ID, Owner: co.Ben.ID})
	var ve *crm.ValidationError
	require.ErrorAs(t, err, &ve, "nobody's work is logged as a departed rep's")
	assert.Equal(t, "owner", ve.Field)
}

// TestArchivedCustomersAreFrozen: no new work is opened on an archived
// customer, and automation leaves their record alone.
func TestArchivedCustomersAreFrozen(t *testing.T) {
	s := newSalesTeam(t)
	acme := s.customer(t, s.Ann, "Acme")
	d := s.deal(t, s.Ann, acme, "5000.00")
	_, err := s.Customers.Archive(ctx, s.Ann.ID, crm.ArchiveCustomerRequest{Customer: acme.ID, Reason: "gone"})
	require.NoError(t, err)
	_, err = s.Deals.Open(ctx, s.Ann.ID, crm.NewDeal{Pipeline: s.p.ID, Customer: acme.ID, Title: "Again"})
	assert.ErrorIs(t, err, crm.ErrInvalid, "no new deal on an archived customer")

	frozen, err := s.Customers.Get(ctx, s.Ann.ID, acme.ID)
	require.NoError(t, err)
	_, err = s.Deals.Win(ctx, s.Ann.ID, crm.WinDealRequest{Deal: d.ID})
	require.NoError(t, err, "a deal opened before the archive may still close")
	got, err := s.Customers.Get(ctx, s.Ann.ID, acme.ID)
	require.NoError(t, err)
	assert.Equal(t, frozen, got, "winning it does not touch the archived record")
}

// TestReportsOverManyCustomersKeepToTheReader: a manager asking about
// every customer's receivables gets their team's; figures of the whole
// ledger are for those who may read every customer.
func TestReportsOverManyCustomersKeepToTheReader(t *testing.T) {
	b := newBook(t)
	south := b.customer(t, b.Sue, "Southwind")
	b.invoice(t, "100.00", "2026-03-31")
	_, err := b.Ledger.IssueInvoice(ctx, b.fin.ID, crm.NewInvoice{Customer: south.ID, Currency: crm.USD,
		Lines: []crm.InvoiceLine{{Description: "services", Quantity: decimal.NewFromInt(1), UnitPrice: money(t, "50.00", "USD")}}})
	require.NoError(t, err)

	customers := func(actor crm.User) []crm.ID {
		t.Helper()
		items, err := b.Receivables.OpenItems(ctx, actor.ID, crm.ReceivableQuery{})
		require.NoError(t, err)
		var out []crm.ID
		for _, it := range items {
			out = append(out, it.Customer)
		}
		return out
	}
	assert.ElementsMatch(t, []crm.ID{b.cust.ID, south.ID}, customers(b.fin), "finance reads every customer")
	assert.Equal(t, []crm.ID{b.cust.ID}, customers(b.Manager), "the north manager, north's")
	aging, err := b.Receivables.Aging(ctx, b.Manager.ID, crm.AgingQuery{})
	require.NoError(t, err)
	require.Len(t, aging.Rows, 1)
	assert.Equal(t, b.cust.ID, aging.Rows[0].Customer)
	invoices, err := b.Receivables.Invoices(ctx, b.Manager.ID, crm.ReceivableQuery{})
	require.NoError(t, err)
	require.Len(t, invoices, 1)
	assert.Equal(t, b.cust.ID, invoices[0].Customer)
	debts, err := b.Receivables.Debts(ctx, b.Manager.ID, crm.ReceivableQuery{})
	require.NoError(t, err)
	require.Len(t, debts, 1)

	_, err = b.Receivables.Balances(ctx, b.Manager.ID, crm.ReceivableQuery{})
	assert.ErrorIs(t, err, crm.ErrForbidden, "the whole ledger's balances are not the team's")
	_, err = b.Receivables.DSO(ctx, b.Manager.ID, crm.DSOQuery{Currency: crm.USD, From: date(t, "2026-03-01"), To: date(t, "2026-03-31")})
	assert.ErrorIs(t, err, crm.ErrForbidden)
	assert.ErrorIs(t, b.Ledger.Verify(ctx, b.Manager.ID), crm.ErrForbidden)
	require.NoError(t, b.Ledger.Verify(ctx, b.fin.ID))
}

// TestOutsidersLearnNothing: an unknown actor is refused before anything
// is looked up, whether the record exists or not.
func TestOutsidersLearnNothing(t *testing.T) {
	b := newBook(t)
	inv := b.invoice(t, "100.00", "2026-03-31")
	stranger := crm.ID{0x5a}
	for _, entry := range []crm.ID{inv.Entry, {0x77}} {
		_, err := b.Ledger.Reverse(ctx, stranger, crm.ReverseRequest{Entry: entry, Reason: "x"})
		var fe *crm.ForbiddenError
		require.ErrorAs(t, err, &fe, "entry %s", entry)
		assert.Equal(t, "unknown user", fe.Reason)
	}
	_, err := b.Contracts.InvoiceInstallment(ctx, stranger, crm.InvoiceInstallmentRequest{Contract: crm.ID{0x78}, Installment: 1})
	assert.ErrorIs(t, err, crm.ErrForbidden)
	assert.NotErrorIs(t, err, crm.ErrNotFound)
}

// TestReadingTheLog: people read the audit log as themselves, with the
// policy's say; systems read the feed, which takes no actor.
func TestReadingTheLog(t *testing.T) {
	co := newCompany(t)
	co.customer(t, co.Ann, "Acme")
	_, err := co.Events.Page(ctx, co.Ann.ID, 0, 10)
	assert.ErrorIs(t, err, crm.ErrForbidden, "a rep does not audit")
	for _, err := range co.Events.List(ctx, co.Manager.ID, 0) {
		assert.ErrorIs(t, err, crm.ErrForbidden, "nor does a manager by default")
	}
	page, err := co.Events.Page(ctx, co.Admin.ID, 0, 100)
	require.NoError(t, err)
	feed, err := co.Events.FeedPage(ctx, 0, 100)
	require.NoError(t, err)
	assert.Equal(t, feed, page, "an admin reads what the feed gives a system")
	assert.NotEmpty(t, page)
}

// TestInputIsStoredAsValidated: text is checked once and kept as checked,
// and what cannot be held is refused with a typed error.
func TestInputIsStoredAsValidated(t *testing.T) {
	b := newBook(t)
	r, err := b.Ledger.ReceivePayment(ctx, b.fin.ID, crm.NewPayment{Customer: b.cust.ID, Amount: money(t, "10.00", "USD"),
		Reference: "  wire 42 \n"})
	require.NoError(t, err)
	assert.Equal(t, "wire 42", r.Payment.Reference, "stored as validated, not as given")
	_, err = b.Ledger.ReceivePayment(ctx, b.fin.ID, crm.NewPayment{Customer: b.cust.ID, Amount: money(t, "10.00", "USD"),
		Reference: strings.Repeat(" ", 1<<20) + "x"})
	assert.ErrorIs(t, err, crm.ErrInvalid, "a megabyte of spaces is not a reference")
	_, err = b.Ledger.ReceivePayment(ctx, b.fin.ID, crm.NewPayment{Customer: b.cust.ID, Amount: money(t, "10.00", "USD"),
		Reference: "wire\x0742"})
	assert.ErrorIs(t, err, crm.ErrInvalid, "nor one with a control character")

	cu, err := b.Customers.Update(ctx, b.Ann.ID, crm.CustomerPatch{Customer: b.cust.ID, SetAttributes: map[string]string{"vat": "  DE123 "}})
	require.NoError(t, err)
	assert.Equal(t, "DE123", cu.Attributes["vat"])
	_, err = b.Customers.Archive(ctx, b.Ann.ID, crm.ArchiveCustomerRequest{Customer: b.cust.ID, Reason: "gone\x00"})
	assert.ErrorIs(t, err, crm.ErrInvalid, "a reason is text like any other")

	_, err = crm.ParseDate("0000-10-01")
	assert.ErrorIs(t, err, crm.ErrInvalid, "there is no year 0")
	_, err = b.Activities.Log(ctx, b.Ann.ID, crm.NewActivity{Type: crm.ActivityCall, Customer: b.cust.ID, Subject: "call",
		At: time.Date(-5, 1, 1, 0, 0, 0, 0, time.UTC)})
	var ve *crm.ValidationError
	require.ErrorAs(t, err, &ve, "a time out of range is bad input, not an encoding failure")
	assert.Equal(t, "at", ve.Field)
}

// TestRedactionsAreVouchedFor: whoever can write the store cannot pass an
// edit off as an erasure. A redaction verifies only as the erasure that
// made it recorded it; marking any other event redacted, or rewriting a
// redacted event again, breaks the chain.
func TestRedactionsAreVouchedFor(t *testing.T) {
	s := memory.New()
	co := newCompanyOn(t, s)
	jane, err := co.Customers.Create(ctx, co.Ann.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: "Jane Roe"})
	require.NoError(t, err)
	_, err = co.Customers.Update(ctx, co.Ann.ID, crm.CustomerPatch{Customer: jane.ID, Name: ptr("Jane Doe")})
	require.NoError(t, err)
	acme := co.customer(t, co.Ann, "Acme")
	rep, err := co.Customers.Erase(ctx, co.Admin.ID, crm.ErasureRequest{Customer: jane.ID, Reason: "GDPR art. 17"})
	require.NoError(t, err)
	require.NotEmpty(t, rep.RedactedEvents)
	_, err = co.Events.Verify(ctx)
	require.NoError(t, err, "an erasure's own redactions verify")

	tamper := func(t *testing.T, event crm.ID, data string) {
		t.Helper()
		require.NoError(t, s.Update(ctx, func(tx crm.Tx) error { return tx.Events().Redact(ctx, event, []byte(data)) }))
	}
	history, err := co.Customers.History(ctx, co.Admin.ID, acme.ID)
	require.NoError(t, err)
	tamper(t, history[0].ID, `{"changes":[{"field":"name","to":"Evil Corp"}]}`)
	_, err = co.Events.Verify(ctx)
	var ce *crm.ChainError
	require.ErrorAs(t, err, &ce, "an event marked redacted that no erasure redacted")
	assert.Equal(t, history[0].Seq, ce.Seq)
}

// TestRedactedDataCannotBeRewritten: rewriting what an erasure left in an
// event breaks the chain too.
func TestRedactedDataCannotBeRewritten(t *testing.T) {
	s := memory.New()
	co := newCompanyOn(t, s)
	jane, err := co.Customers.Create(ctx, co.Ann.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: "Jane Roe"})
	require.NoError(t, err)
	rep, err := co.Customers.Erase(ctx, co.Admin.ID, crm.ErasureRequest{Customer: jane.ID, Reason: "GDPR art. 17"})
	require.NoError(t, err)
	require.NoError(t, s.Update(ctx, func(tx crm.Tx) error {
		return tx.Events().Redact(ctx, rep.RedactedEvents[0], []byte(`{"changes":[{"field":"owner","to":"someone else"}]}`))
	}))
	_, err = co.Events.Verify(ctx)
	var ce *crm.ChainError
	require.ErrorAs(t, err, &ce)
	history, err := co.Customers.History(ctx, co.Admin.ID, jane.ID)
	require.NoError(t, err)
	assert.Equal(t, rep.RedactedEvents[0], history[0].ID)
	assert.Equal(t, history[0].Seq, ce.Seq, "the creation event")
	assert.Contains(t, ce.Problem, "not what the erasure wrote")
}
