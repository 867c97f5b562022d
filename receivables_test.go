package crm_test

import (
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// books is a company with a finance user and a customer of Ann's.
type books struct {
	*company
	fin  crm.User
	cust crm.Customer
	cp   crm.LedgerCheckpoint // where the last verification stopped
}

func newBook(t *testing.T) *books {
	t.Helper()
	co := newCompany(t)
	fin, err := co.Users.Create(ctx, co.Admin.ID, crm.NewUser{Name: "Fay Finance", Role: crm.RoleFinance})
	require.NoError(t, err)
	return &books{company: co, fin: fin, cust: co.customer(t, co.Ann, "Contoso")}
}

func (b *books) invoice(t *testing.T, amount string, due string) crm.Invoice {
	t.Helper()
	m := money(t, amount, "USD")
	inv, err := b.Ledger.IssueInvoice(ctx, b.fin.ID, crm.NewInvoice{Customer: b.cust.ID, Currency: m.Currency(), Due: date(t, due), Issued: date(t, "2026-03-01"),
		Lines: []crm.InvoiceLine{{Description: "services", Quantity: decimal.NewFromInt(1), UnitPrice: m}}})
	require.NoError(t, err)
	b.verify(t)
	return inv
}

func (b *books) pay(t *testing.T, amount string, allocation crm.AllocationStrategy) crm.PaymentReceipt {
	t.Helper()
	r, err := b.Ledger.ReceivePayment(ctx, b.fin.ID, crm.NewPayment{Allocation: allocation, Customer: b.cust.ID, Amount: money(t, amount, "USD"), Received: date(t, "2026-03-02")})
	require.NoError(t, err)
	b.verify(t)
	return r
}

// verify verifies the whole ledger, and what was posted since the last
// verification from its checkpoint, which must then be the whole
// ledger's.
func (b *books) verify(t *testing.T) {
	t.Helper()
	require.NoError(t, b.Ledger.Verify(ctx, b.fin.ID))
	since, err := b.Ledger.VerifySince(ctx, b.fin.ID, b.cp)
	require.NoError(t, err, "from the last checkpoint")
	all, err := b.Ledger.VerifySince(ctx, b.fin.ID, crm.LedgerCheckpoint{})
	require.NoError(t, err, "from the beginning")
	sameCheckpoint(t, all, since)
	b.cp = since
}

// sameCheckpoint compares ledger checkpoints amount by amount.
func sameCheckpoint(t *testing.T, want, got crm.LedgerCheckpoint) {
	t.Helper()
	w, err := json.Marshal(want)
	require.NoError(t, err)
	g, err := json.Marshal(got)
	require.NoError(t, err)
	assert.JSONEq(t, string(w), string(g), "the checkpoint from the last one is the whole ledger's")
}

func (b *books) open(t *testing.T, item crm.ID) crm.Money {
	t.Helper()
	items, err := b.Receivables.OpenItems(ctx, b.fin.ID, crm.ReceivableQuery{Customer: b.cust.ID})
	require.NoError(t, err)
	for _, it := range items {
		if it.Item == item {
			return it.Open
		}
	}
	return crm.Zero(usd(t))
}

func TestPaymentsAndAllocation(t *testing.T) {
	b := newBook(t)
	march := b.invoice(t, "100.00", "2026-03-31")
	april := b.invoice(t, "250.00", "2026-04-30")

	r := b.pay(t, "300.00", crm.AllocateOldestFirst)
	require.Len(t, r.Allocations, 1, "one allocation entry for the invoices settled on one day")
	assert.Equal(t, []crm.ID{march.ID, april.ID}, r.Allocations[0].Invoices(), "oldest due first: March in full, then April in part")
	assert.Equal(t, "0.00 USD", b.open(t, march.ID).String())
	assert.Equal(t, "50.00 USD", b.open(t, april.ID).String())
	assert.Equal(t, "0.00 USD", b.open(t, r.Payment.ID).String(), "nothing left unapplied")

	over := b.pay(t, "80.00", crm.AllocateOldestFirst)
	assert.Equal(t, "0.00 USD", b.open(t, april.ID).String())
	assert.Equal(t, "-30.00 USD", b.open(t, over.Payment.ID).String(), "the overpayment stays the customer's credit")
	may := b.invoice(t, "20.00", "2026-05-31")
	_, err := b.Ledger.Allocate(ctx, b.fin.ID, crm.AllocationRequest{Customer: b.cust.ID, Credit: over.Payment.ID, Invoice: may.ID})
	require.NoError(t, err, "unapplied credit is usable on later invoices")
	assert.Equal(t, "-10.00 USD", b.open(t, over.Payment.ID).String())
	b.verify(t)

	debts, err := b.Receivables.Debts(ctx, b.fin.ID, crm.ReceivableQuery{})
	require.NoError(t, err)
	require.Len(t, debts, 1)
	assert.Equal(t, "0.00 USD", debts[0].Owed.String())
	assert.Equal(t, "10.00 USD", debts[0].Credit.String())
}

func TestLedgerRefusesAndChangesNothing(t *testing.T) {
	b := newBook(t)
	inv := b.invoice(t, "100.00", "2026-03-31")
	pay := b.pay(t, "150.00", crm.KeepAsCredit)
	other := b.customer(t, b.Ann, "Other")
	otherInv, err := b.Ledger.IssueInvoice(ctx, b.fin.ID, crm.NewInvoice{Customer: other.ID, Currency: usd(t),
		Lines: []crm.InvoiceLine{{Description: "x", Quantity: decimal.NewFromInt(1), UnitPrice: money(t, "10.00", "USD")}}})
	require.NoError(t, err)

	for _, tc := range []struct {
		name string
		do   func() error
		is   error
	}{
		{"allocating more than the invoice owes", func() error {
			_, err := b.Ledger.Allocate(ctx, b.fin.ID, crm.AllocationRequest{Customer: b.cust.ID, Credit: pay.Payment.ID, Invoice: inv.ID, Amount: money(t, "120.00", "USD")})
			return err
		}, crm.ErrOverAllocation},
		{"allocating more than the payment has", func() error {
			_, err := b.Ledger.Allocate(ctx, b.fin.ID, crm.AllocationRequest{Customer: b.cust.ID, Credit: pay.Payment.ID, Invoice: inv.ID, Amount: money(t, "150.01", "USD")})
			return err
		}, crm.ErrOverAllocation},
		{"allocating across customers", func() error {
			_, err := b.Ledger.Allocate(ctx, b.fin.ID, crm.AllocationRequest{Customer: b.cust.ID, Credit: pay.Payment.ID, Invoice: otherInv.ID})
			return err
		}, crm.ErrInvalid},
		{"allocating across currencies without a rate", func() error {
			_, err := b.Ledger.Allocate(ctx, b.fin.ID, crm.AllocationRequest{Customer: b.cust.ID, Credit: pay.Payment.ID, Invoice: inv.ID, Amount: money(t, "1.00", "EUR")})
			return err
		}, crm.ErrCurrencyMismatch},
		{"a negative payment", func() error {
			_, err := b.Ledger.ReceivePayment(ctx, b.fin.ID, crm.NewPayment{Customer: b.cust.ID, Amount: money(t, "-5.00", "USD")})
			return err
		}, crm.ErrInvalid},
		{"refunding more than is unapplied", func() error {
			_, err := b.Ledger.Refund(ctx, b.fin.ID, crm.RefundRequest{Customer: b.cust.ID, Credit: pay.Payment.ID, Amount: money(t, "150.01", "USD")})
			return err
		}, crm.ErrOverAllocation},
		{"writing off more than is open", func() error {
			_, err := b.Ledger.WriteOff(ctx, b.fin.ID, crm.WriteOffRequest{Customer: b.cust.ID, Invoice: inv.ID, Amount: new(money(t, "100.01", "USD")), Reason: "bad debt"})
			return err
		}, crm.ErrOverAllocation},
		{"a rep billing", func() error {
			_, err := b.Ledger.ReceivePayment(ctx, b.Ann.ID, crm.NewPayment{Customer: b.cust.ID, Amount: money(t, "5.00", "USD")})
			return err
		}, crm.ErrForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			head := b.head(t)
			err := tc.do()
			require.ErrorIs(t, err, tc.is)
			assert.Equal(t, head, b.head(t), "nothing written")
			b.verify(t)
		})
	}
	var oe *crm.OverAllocationError
	_, err = b.Ledger.Allocate(ctx, b.fin.ID, crm.AllocationRequest{Customer: b.cust.ID, Credit: pay.Payment.ID, Invoice: inv.ID, Amount: money(t, "120.00", "USD")})
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, inv.ID, oe.Item)
	assert.Equal(t, "100.00 USD", oe.Open.String())
}

func TestReversals(t *testing.T) {
	b := newBook(t)
	inv := b.invoice(t, "100.00", "2026-03-31")
	pay := b.pay(t, "100.00", crm.AllocateOldestFirst)
	alloc := pay.Allocations[0]

	undone, err := b.Ledger.Reverse(ctx, b.fin.ID, crm.ReverseRequest{Entry: alloc.ID, Reason: "applied to the wrong invoice"})
	require.NoError(t, err, "undoing an allocation is reversing it")
	undo := undone.Reversal
	assert.Empty(t, undone.Settlements, "an allocation is reversed alone")
	assert.Equal(t, "100.00 USD", b.open(t, inv.ID).String())
	_, err = b.Ledger.Reverse(ctx, b.fin.ID, crm.ReverseRequest{Entry: alloc.ID, Reason: "again"})
	assert.ErrorIs(t, err, crm.ErrReversed, "an entry is reversed at most once")
	var reversed *crm.ReversedError
	require.ErrorAs(t, err, &reversed)
	assert.Equal(t, crm.ReversedError{Entry: alloc.ID, Reversal: undo.ID}, *reversed)
	_, err = b.Ledger.Reverse(ctx, b.fin.ID, crm.ReverseRequest{Entry: undo.ID, Reason: "undo the undo"})
	assert.ErrorIs(t, err, crm.ErrInvalid, "a reversal is not reversed")
	bounced, err := b.Ledger.Reverse(ctx, b.fin.ID, crm.ReverseRequest{Entry: pay.Entry.ID, Reason: "bounced"})
	require.NoError(t, err)
	assert.Empty(t, bounced.Settlements, "the allocation reversed already is not reversed again")
	b.verify(t)
}

func TestIdempotentPayments(t *testing.T) {
	b := newBook(t)
	b.invoice(t, "100.00", "2026-03-31")
	n := crm.NewPayment{Customer: b.cust.ID, Amount: money(t, "60.00", "USD"), Received: date(t, "2026-03-02"), Reference: "wire 4711",
		Allocation: crm.AllocateOldestFirst, IdempotencyKey: "bank:4711"}
	first, err := b.Ledger.ReceivePayment(ctx, b.fin.ID, n)
	require.NoError(t, err)
	head := b.head(t)
	again, err := b.Ledger.ReceivePayment(ctx, b.fin.ID, n)
	require.NoError(t, err)
	assert.True(t, again.Duplicate)
	assert.Equal(t, first.Payment.ID, again.Payment.ID, "a retry returns the first result")
	assert.Equal(t, head, b.head(t), "and posts nothing")

	n.Amount = money(t, "61.00", "USD")
	_, err = b.Ledger.ReceivePayment(ctx, b.fin.ID, n)
	var ie *crm.IdempotencyError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, head, b.head(t))

	var wg sync.WaitGroup
	n.Amount, n.Reference, n.Allocation, n.IdempotencyKey = money(t, "5.00", "USD"), "cash", crm.KeepAsCredit, "till:1"
	ids := make(chan crm.ID, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := b.Ledger.ReceivePayment(ctx, b.fin.ID, n)
			if assert.NoError(t, err) {
				ids <- r.Payment.ID
			}
		}()
	}
	wg.Wait()
	close(ids)
	seen := map[crm.ID]bool{}
	for id := range ids {
		seen[id] = true
	}
	assert.Len(t, seen, 1, "the same key at once gives one payment")
	b.verify(t)
}

func TestCrossCurrencyAllocation(t *testing.T) {
	b := newBook(t)
	inv := b.invoice(t, "110.00", "2026-03-31")
	eurPay, err := b.Ledger.ReceivePayment(ctx, b.fin.ID, crm.NewPayment{Allocation: crm.AllocateOldestFirst, Customer: b.cust.ID, Amount: money(t, "100.00", "EUR")})
	require.NoError(t, err)
	assert.Empty(t, eurPay.Allocations, "oldest-first never crosses currencies")
	e, err := b.Ledger.Allocate(ctx, b.fin.ID, crm.AllocationRequest{Customer: b.cust.ID, Credit: eurPay.Payment.ID, Invoice: inv.ID,
		Amount: money(t, "100.00", "EUR"), Rate: decimal.RequireFromString("1.0950"), Settle: true})
	require.NoError(t, err)
	assert.Equal(t, "0.00 USD", b.open(t, inv.ID).String(), "109.50 USD at the rate, the 0.50 USD left settled as exchange loss")
	var fx []string
	for _, p := range e.Postings {
		if p.Account == crm.AccountFXLoss {
			fx = append(fx, p.Amount.String())
		}
	}
	assert.Equal(t, []string{"0.50 USD"}, fx)
	b.verify(t)
}

func TestContractApproval(t *testing.T) {
	b := newBook(t)
	big, err := b.Contracts.Draft(ctx, b.Ann.ID, crm.NewContract{Customer: b.cust.ID, Title: "3-year support", Amount: money(t, "36000.00", "USD"),
		Start: date(t, "2026-04-01"), Template: crm.PlanMonthly, Plan: crm.PlanOptions{Months: 12}})
	require.NoError(t, err)
	_, err = b.Contracts.Sign(ctx, b.Ann.ID, crm.SignContractRequest{Contract: big.ID})
	assert.ErrorIs(t, err, crm.ErrInvalidTransition, "a contract is not signed before approval")

	big, err = b.Contracts.Submit(ctx, b.Ann.ID, crm.SubmitContractRequest{Contract: big.ID})
	require.NoError(t, err)
	assert.Equal(t, []crm.ApprovalStep{crm.StepManager, crm.StepFinance}, big.Steps, "above 10,000 USD: a manager, then finance")
	_, err = b.Contracts.Approve(ctx, b.fin.ID, crm.ApproveContractRequest{Contract: big.ID})
	assert.ErrorIs(t, err, crm.ErrForbidden, "finance does not approve the manager's step")
	_, err = b.Contracts.Reject(ctx, b.Manager.ID, crm.RejectContractRequest{Contract: big.ID})
	assert.ErrorIs(t, err, crm.ErrInvalid, "a rejection says why")
	big, err = b.Contracts.Reject(ctx, b.Manager.ID, crm.RejectContractRequest{Contract: big.ID, Comment: "discount too deep"})
	require.NoError(t, err)
	assert.Equal(t, crm.ContractDraft, big.Status)

	big, err = b.Contracts.Submit(ctx, b.Ann.ID, crm.SubmitContractRequest{Contract: big.ID})
	require.NoError(t, err)
	big, err = b.Contracts.Approve(ctx, b.Manager.ID, crm.ApproveContractRequest{Contract: big.ID, Comment: "ok at list price"})
	require.NoError(t, err)
	assert.Equal(t, crm.ContractSubmitted, big.Status, "finance still to approve")
	big, err = b.Contracts.Approve(ctx, b.fin.ID, crm.ApproveContractRequest{Contract: big.ID})
	require.NoError(t, err)
	assert.Equal(t, crm.ContractApproved, big.Status)
	require.Len(t, big.Approvals, 3)
	assert.Equal(t, b.fin.ID, big.Approvals[2].Actor)

	big, err = b.Contracts.Sign(ctx, b.Ann.ID, crm.SignContractRequest{Contract: big.ID})
	require.NoError(t, err)
	inv, err := b.Contracts.InvoiceInstallment(ctx, b.fin.ID, crm.InvoiceInstallmentRequest{Contract: big.ID, Installment: 1, TaxRate: decimal.RequireFromString("0.10")})
	require.NoError(t, err)
	assert.Equal(t, "3000.00 USD", inv.Net.String())
	assert.Equal(t, "3300.00 USD", inv.Total.String())
	_, err = b.Contracts.InvoiceInstallment(ctx, b.fin.ID, crm.InvoiceInstallmentRequest{Contract: big.ID, Installment: 1})
	assert.ErrorIs(t, err, crm.ErrConflict, "an installment is invoiced once")

	small, err := b.Contracts.Draft(ctx, b.Manager.ID, crm.NewContract{Customer: b.cust.ID, Title: "Training", Amount: money(t, "900.00", "USD"), Start: date(t, "2026-04-01")})
	require.NoError(t, err)
	small, err = b.Contracts.Submit(ctx, b.Manager.ID, crm.SubmitContractRequest{Contract: small.ID})
	require.NoError(t, err)
	_, err = b.Contracts.Approve(ctx, b.Manager.ID, crm.ApproveContractRequest{Contract: small.ID})
	assert.ErrorIs(t, err, crm.ErrForbidden, "nobody approves their own contract")
	small, err = b.Contracts.Approve(ctx, b.Admin.ID, crm.ApproveContractRequest{Contract: small.ID})
	require.NoError(t, err)
	assert.Equal(t, crm.ContractApproved, small.Status, "below the threshold one step is enough")
	b.verify(t)
}

func TestAgingAsOfTwoDates(t *testing.T) {
	b := newBook(t)
	b.invoice(t, "100.00", "2026-03-15")
	b.invoice(t, "200.00", "2026-05-15")
	pay := b.pay(t, "50.00", crm.AllocateOldestFirst)
	require.NotEmpty(t, pay.Allocations)

	for _, tc := range []struct {
		asOf    string
		buckets []string
	}{
		{"2026-03-10", []string{"250.00", "0.00", "0.00", "0.00", "0.00", "0.00"}},
		{"2026-06-01", []string{"0.00", "200.00", "0.00", "50.00", "0.00", "0.00"}},
	} {
		aging, err := b.Receivables.Aging(ctx, b.fin.ID, crm.AgingQuery{AsOf: date(t, tc.asOf)})
		rows, labels := aging.Rows, aging.Buckets
		require.NoError(t, err)
		require.Len(t, rows, 1)
		assert.Len(t, labels, 6)
		var got []string
		for _, m := range rows[0].Buckets {
			got = append(got, m.Amount().StringFixed(2))
		}
		assert.Equal(t, tc.buckets, got, tc.asOf)
		assert.Equal(t, "250.00 USD", rows[0].Total.String())
	}
	aging, err := b.Receivables.Aging(ctx, b.fin.ID, crm.AgingQuery{AsOf: date(t, "2026-02-28")})
	before := aging.Rows
	require.NoError(t, err)
	assert.Empty(t, before, "nothing was effective before the invoices")

	statement, err := b.Receivables.Statement(ctx, b.fin.ID, crm.StatementQuery{Customer: b.cust.ID, Currency: usd(t)})
	require.NoError(t, err)
	lines := statement.Lines
	require.NotEmpty(t, lines)
	assert.Equal(t, "250.00 USD", lines[len(lines)-1].Balance.String())
	dso, err := b.Receivables.DSO(ctx, b.fin.ID, crm.DSOQuery{Currency: usd(t), From: date(t, "2026-03-01"), To: date(t, "2026-03-30")})
	require.NoError(t, err)
	assert.True(t, dso.Defined)
	assert.Equal(t, "25.00", dso.Days.StringFixed(2), "250 owed of 300 invoiced, over 30 days")
	_, err = b.Receivables.Aging(ctx, b.Ann.ID, crm.AgingQuery{AsOf: date(t, "2026-03-10")})
	assert.ErrorIs(t, err, crm.ErrForbidden, "everyone's receivables are for finance and managers")
}

func TestCLVAgainstCAC(t *testing.T) {
	b := newBook(t)
	cp, err := b.Campaigns.Create(ctx, b.Admin.ID, crm.NewCampaign{Name: "Webinar", Currency: usd(t), Costs: []crm.CostLine{{Description: "ads", Amount: money(t, "500.00", "USD")}}})
	require.NoError(t, err)
	cu, err := b.Customers.Create(ctx, b.Ann.ID, crm.NewCustomer{Kind: crm.Distributor, Name: "From the webinar", Campaign: cp.ID})
	require.NoError(t, err)
	p, err := b.Deals.CreatePipeline(ctx, b.Admin.ID, crm.NewPipeline{Name: "P", Currency: usd(t)})
	require.NoError(t, err)
	d, err := b.Deals.Open(ctx, b.Ann.ID, crm.NewDeal{Pipeline: p.ID, Customer: cu.ID, Title: "first", Campaign: cp.ID, Amount: money(t, "1000.00", "USD"), CloseDate: date(t, "2026-04-01")})
	require.NoError(t, err)
	_, err = b.Deals.Win(ctx, b.Ann.ID, crm.WinDealRequest{Deal: d.ID})
	require.NoError(t, err)
	_, err = b.Ledger.IssueInvoice(ctx, b.fin.ID, crm.NewInvoice{Customer: cu.ID, Currency: usd(t),
		Lines: []crm.InvoiceLine{{Description: "licence", Quantity: decimal.NewFromInt(2), UnitPrice: money(t, "1250.00", "USD")}}})
	require.NoError(t, err)
	clv, err := b.Receivables.LifetimeValue(ctx, b.fin.ID, cu.ID)
	require.NoError(t, err)
	require.Len(t, clv.Revenue, 1)
	assert.Equal(t, "2500.00 USD", clv.Revenue[0].String())
	assert.Equal(t, "500.00 USD", clv.CAC.String())
	assert.True(t, clv.HasRatio)
	assert.Equal(t, "5", clv.Ratio.String())

	b.Clock.Advance(24 * time.Hour)
	lines, err := b.Receivables.ExpectedCollections(ctx, b.fin.ID, crm.CollectionsQuery{From: crm.DateOf(b.Clock.Now()), Months: 3})
	require.NoError(t, err)
	require.NotEmpty(t, lines)
	assert.Equal(t, "2500.00 USD", lines[0].Invoiced.String())
}
