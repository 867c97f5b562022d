package crm_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/memory"
	"github.com/shopspring/decimal"
)

// receivablesDesk is the company of the receivables examples: a CRM on a
// memory store with a manual clock and seeded IDs, so that every run
// prints the same; the north team's manager Max, rep Ann and Fay from
// finance; and Contoso, Ann's customer.
type receivablesDesk struct {
	c                    *crm.CRM
	clock                *crm.ManualClock
	admin, max, ann, fay crm.User
	cust                 crm.Customer
}

func newReceivablesDesk(opts ...crm.Option) *receivablesDesk {
	ctx := context.Background()
	d := &receivablesDesk{clock: crm.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))}
	opts = append([]crm.Option{crm.WithClock(d.clock), crm.WithRandom(rand.NewChaCha8([32]byte{42}))}, opts...)
	d.c = mustReceivables(crm.New(memory.New(), opts...))
	d.admin = mustReceivables(d.c.Users.Bootstrap(ctx, crm.NewUser{Name: "Ada"}))
	d.max = d.user("Max", crm.RoleManager)
	d.ann = d.user("Ann", crm.RoleRep)
	d.fay = d.user("Fay", crm.RoleFinance)
	d.cust = mustReceivables(d.c.Customers.Create(ctx, d.ann.ID, crm.NewCustomer{Kind: crm.Distributor, Name: "Contoso"}))
	return d
}

// user adds a user to the north team.
func (d *receivablesDesk) user(name string, role crm.Role) crm.User {
	return mustReceivables(d.c.Users.Create(context.Background(), d.admin.ID, crm.NewUser{Name: name, Role: role, Team: "north"}))
}

// today moves the clock to 9 a.m. on a day of 2026 and returns the date.
func (d *receivablesDesk) today(month time.Month, day int) crm.Date {
	d.clock.Set(time.Date(2026, month, day, 9, 0, 0, 0, time.UTC))
	return crm.Date{Year: 2026, Month: month, Day: day}
}

// invoice issues a one-line invoice to Contoso today, due on due.
func (d *receivablesDesk) invoice(number, amount string, due crm.Date) crm.Invoice {
	total := dollars(amount)
	return mustReceivables(d.c.Ledger.IssueInvoice(context.Background(), d.fay.ID, crm.NewInvoice{
		Customer: d.cust.ID, Number: number, Currency: total.Currency(), Due: due,
		Lines: []crm.InvoiceLine{{Description: "consulting", Quantity: decimal.NewFromInt(1), UnitPrice: total}},
	}))
}

// open is what is open on an invoice or a credit today. OpenItems leaves
// settled items out, so an item it does not list has nothing open.
func (d *receivablesDesk) open(item crm.ID) crm.Money {
	items := mustReceivables(d.c.Receivables.OpenItems(context.Background(), d.fay.ID, crm.ReceivableQuery{Customer: d.cust.ID}))
	for _, it := range items {
		if it.Item == item {
			return it.Open
		}
	}
	return crm.Zero(dollars("0").Currency())
}

// dollars parses an amount in US dollars.
func dollars(amount string) crm.Money { return mustReceivables(crm.ParseMoney(amount, "USD")) }

func mustReceivables[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// A payment plan splits a contract's amount into installments that add up
// exactly to it: the cent a split leaves over goes to the installment
// with the largest remainder, never lost or invented.
func ExampleNewPaymentPlan() {
	amount := dollars("1000.01")
	start := crm.Date{Year: 2026, Month: 4, Day: 1}

	// 30% at the start, the balance 60 days later.
	plan, _ := crm.NewPaymentPlan(crm.PlanSplit, amount, start, crm.PlanOptions{})
	printPlan(plan)
	// Output:
	// #1 due 2026-04-01: 300.00 USD
	// #2 due 2026-05-31: 700.01 USD
	// total: 1000.01 USD
}

// Monthly installments fall on the start's day of each month, clamped to
// the month's last day; the amounts add up to the contract's.
func ExampleNewPaymentPlan_monthly() {
	amount := dollars("1000.00")
	start := crm.Date{Year: 2026, Month: 1, Day: 31}

	plan, _ := crm.NewPaymentPlan(crm.PlanMonthly, amount, start, crm.PlanOptions{Months: 3})
	printPlan(plan)
	// Output:
	// #1 due 2026-01-31: 333.34 USD
	// #2 due 2026-02-28: 333.33 USD
	// #3 due 2026-03-31: 333.33 USD
	// total: 1000.00 USD
}

// A contract is approved online before it is signed. Above the threshold
// (10,000 USD by default) it needs a manager of the owner's team and then
// finance; only approved terms may be signed, and signing makes the
// contract active.
func ExampleContractService_Approve() {
	ctx := context.Background()
	d := newReceivablesDesk()
	c, max, ann, fay := d.c, d.max, d.ann, d.fay
	names := map[crm.ID]string{max.ID: max.Name, fay.ID: fay.Name}

	ct, _ := c.Contracts.Draft(ctx, ann.ID, crm.NewContract{Customer: d.cust.ID, Title: "Fleet telematics",
		Amount: dollars("24000.00"), Start: crm.Date{Year: 2026, Month: 4, Day: 1}, Template: crm.PlanSplit})
	fmt.Println("Ann drafts:", ct.Status)

	// Signing before approval is an invalid transition.
	_, err := c.Contracts.Sign(ctx, ann.ID, crm.SignContractRequest{Contract: ct.ID})
	var refused *crm.TransitionError
	fmt.Println("Ann signs:", errors.As(err, &refused), refused.From, refused.Event, errors.Is(err, crm.ErrInvalidTransition))

	ct, _ = c.Contracts.Submit(ctx, ann.ID, crm.SubmitContractRequest{Contract: ct.ID})
	fmt.Println("Ann submits:", ct.Status, ct.Steps)
	ct, _ = c.Contracts.Approve(ctx, max.ID, crm.ApproveContractRequest{Contract: ct.ID, Comment: "terms as agreed"})
	next, _ := ct.NextStep()
	fmt.Println("Max approves:", ct.Status, "waiting for", next)
	ct, _ = c.Contracts.Approve(ctx, fay.ID, crm.ApproveContractRequest{Contract: ct.ID, Comment: "credit check ok"})
	fmt.Println("Fay approves:", ct.Status)
	ct, _ = c.Contracts.Sign(ctx, ann.ID, crm.SignContractRequest{Contract: ct.ID})
	fmt.Println("Ann signs:", ct.Status)

	// Every decision is kept with who made it and why.
	for _, a := range ct.Approvals {
		fmt.Printf("%s step: %s, %q\n", a.Step, names[a.Actor], a.Comment)
	}
	// Output:
	// Ann drafts: draft
	// Ann signs: true draft sign true
	// Ann submits: submitted [manager finance]
	// Max approves: submitted waiting for finance
	// Fay approves: approved
	// Ann signs: active
	// manager step: Max, "terms as agreed"
	// finance step: Fay, "credit check ok"
}

// ApprovalRules decide the steps by amount, per currency; WithApprovalRules
// replaces the defaults. Unless the rules allow it, whoever submits a
// contract may not approve it, even when their role could.
func ExampleApprovalRules() {
	ctx := context.Background()
	usd := dollars("0").Currency()
	rules := crm.ApprovalRules{Thresholds: map[crm.Currency]crm.Money{usd: dollars("5000.00")}}
	yen, _ := crm.ParseMoney("400000", "JPY")
	fmt.Println(rules.Steps(dollars("5000.00")), rules.Steps(dollars("5000.01")), rules.Steps(yen))

	d := newReceivablesDesk(crm.WithApprovalRules(rules))
	c, max := d.c, d.max
	mia := d.user("Mia", crm.RoleManager)
	ct, _ := c.Contracts.Draft(ctx, max.ID, crm.NewContract{Customer: d.cust.ID, Title: "Route planning", Amount: dollars("4000.00"),
		Start: crm.Date{Year: 2026, Month: 4, Day: 1}})
	ct, _ = c.Contracts.Submit(ctx, max.ID, crm.SubmitContractRequest{Contract: ct.ID})

	_, err := c.Contracts.Approve(ctx, max.ID, crm.ApproveContractRequest{Contract: ct.ID, Comment: "looks good to me"})
	var forbidden *crm.ForbiddenError
	fmt.Println("Max approves his own:", errors.As(err, &forbidden), forbidden.Reason, errors.Is(err, crm.ErrForbidden))
	ct, _ = c.Contracts.Approve(ctx, mia.ID, crm.ApproveContractRequest{Contract: ct.ID})
	fmt.Println("Mia approves:", ct.Status)
	// Output:
	// [manager] [manager finance] [manager finance]
	// Max approves his own: true the submitter may not approve their own contract true
	// Mia approves: approved
}

// A payment applied oldest due first settles the oldest invoice before the
// next. Paid, partly paid and overdue are never stored: they are derived
// from what is open on an invoice on a given day.
func ExampleLedgerService_ReceivePayment() {
	ctx := context.Background()
	d := newReceivablesDesk()
	c, fay := d.c, d.fay

	today := d.today(time.March, 2)
	d.invoice("INV-1", "100.00", crm.Date{Year: 2026, Month: 3, Day: 31})
	d.invoice("INV-2", "250.00", crm.Date{Year: 2026, Month: 4, Day: 30})
	receipt, _ := c.Ledger.ReceivePayment(ctx, fay.ID, crm.NewPayment{Allocation: crm.AllocateOldestFirst, Customer: d.cust.ID, Amount: dollars("300.00"), Reference: "wire 1"})
	fmt.Println("payment", receipt.Payment.Amount, "settles", len(receipt.Allocations[0].Invoices()), "invoices in", len(receipt.Allocations), "allocation entry")
	show := func(today crm.Date) {
		states, _ := c.Receivables.Invoices(ctx, fay.ID, crm.ReceivableQuery{Customer: d.cust.ID})
		for _, s := range states {
			fmt.Println(today, s.Number, s.Status, s.Open)
		}
	}
	show(today)

	d.today(time.April, 1)
	d.invoice("INV-3", "75.00", crm.Date{Year: 2026, Month: 4, Day: 15})
	show(d.today(time.May, 4))
	// Output:
	// payment 300.00 USD settles 2 invoices in 1 allocation entry
	// 2026-03-02 INV-1 paid 0.00 USD
	// 2026-03-02 INV-2 partly_paid 50.00 USD
	// 2026-05-04 INV-1 paid 0.00 USD
	// 2026-05-04 INV-2 partly_paid_overdue 50.00 USD
	// 2026-05-04 INV-3 overdue 75.00 USD
}

// What a payment does not settle stays the customer's unapplied credit (a
// negative open amount on the payment) until it is applied to a later
// invoice. A zero Amount applies as much as both the credit and the
// invoice allow.
func ExampleLedgerService_Allocate() {
	ctx := context.Background()
	d := newReceivablesDesk()
	c, fay, cust := d.c, d.fay, d.cust

	first := d.invoice("INV-1", "100.00", crm.Date{Year: 2026, Month: 3, Day: 31})
	over, _ := c.Ledger.ReceivePayment(ctx, fay.ID, crm.NewPayment{Allocation: crm.AllocateOldestFirst, Customer: cust.ID, Amount: dollars("130.00"), Reference: "wire 2"})
	fmt.Println("INV-1 open:", d.open(first.ID), "unapplied:", d.open(over.Payment.ID))

	d.today(time.April, 1)
	later := d.invoice("INV-2", "20.00", crm.Date{Year: 2026, Month: 4, Day: 30})
	_, err := c.Ledger.Allocate(ctx, fay.ID, crm.AllocationRequest{Customer: cust.ID, Credit: over.Payment.ID, Invoice: later.ID})
	fmt.Println("applied to INV-2:", err, "INV-2 open:", d.open(later.ID), "unapplied:", d.open(over.Payment.ID))

	debts, _ := c.Receivables.Debts(ctx, fay.ID, crm.ReceivableQuery{})
	fmt.Println("Contoso owes", debts[0].Owed, "and has", debts[0].Credit, "credit")
	// Output:
	// INV-1 open: 0.00 USD unapplied: -30.00 USD
	// applied to INV-2: <nil> INV-2 open: 0.00 USD unapplied: -10.00 USD
	// Contoso owes 0.00 USD and has 10.00 USD credit
}

// An idempotency key makes a ledger command safe to retry: the same
// request again returns what the first one posted, and nothing is posted
// twice. The same key with another request is an *IdempotencyError.
func ExampleIdempotencyError() {
	ctx := context.Background()
	d := newReceivablesDesk()
	c, fay := d.c, d.fay
	wire := crm.NewPayment{Customer: d.cust.ID, Amount: dollars("2000.00"), Reference: "wire GX-77", IdempotencyKey: "bank:GX-77"}

	first, _ := c.Ledger.ReceivePayment(ctx, fay.ID, wire)
	again, _ := c.Ledger.ReceivePayment(ctx, fay.ID, wire)
	fmt.Println("again: duplicate", again.Duplicate, "same payment", again.Payment.ID == first.Payment.ID)

	wire.Amount = dollars("2500.00")
	_, err := c.Ledger.ReceivePayment(ctx, fay.ID, wire)
	var reused *crm.IdempotencyError
	fmt.Println("another amount:", errors.As(err, &reused), reused.Key, reused.Existing == first.Entry.ID, errors.Is(err, crm.ErrConflict))

	debts, _ := c.Receivables.Debts(ctx, fay.ID, crm.ReceivableQuery{})
	fmt.Println("credit:", debts[0].Credit)
	// Output:
	// again: duplicate true same payment true
	// another amount: true bank:GX-77 true true
	// credit: 2000.00 USD
}

// Aging buckets what customers owe by days overdue, as of any date, past
// or present, from the entries effective by then. The buckets always add
// up to the row's total, which is what is open on the customer's
// invoices; VerifyLedger checks that every entry balances and that open
// items reconcile with the account balances.
func ExampleReceivableService_Aging() {
	ctx := context.Background()
	d := newReceivablesDesk()
	c, fay := d.c, d.fay

	d.today(time.January, 5)
	due := func(month time.Month, day int) crm.Date { return crm.Date{Year: 2026, Month: month, Day: day} }
	d.invoice("INV-1", "1000.00", due(time.January, 15))
	d.invoice("INV-2", "500.00", due(time.February, 28))
	d.invoice("INV-3", "250.00", due(time.April, 15))
	d.today(time.February, 10)
	_, _ = c.Ledger.ReceivePayment(ctx, fay.ID, crm.NewPayment{Allocation: crm.AllocateOldestFirst, Customer: d.cust.ID, Amount: dollars("400.00")})
	d.today(time.April, 20)
	d.invoice("INV-4", "125.00", due(time.May, 20))

	for _, asOf := range []crm.Date{due(time.February, 15), due(time.April, 30)} {
		aging, _ := c.Receivables.Aging(ctx, fay.ID, crm.AgingQuery{AsOf: asOf})
		row := aging.Rows[0]
		fmt.Println("as of", asOf)
		for i, amount := range row.Buckets {
			if !amount.IsZero() {
				fmt.Printf("  %-8s %s\n", aging.Buckets[i], amount)
			}
		}
		sum, _ := crm.Sum(row.Currency, row.Buckets...)
		debts, _ := c.Receivables.Debts(ctx, fay.ID, crm.ReceivableQuery{AsOf: asOf})
		fmt.Println("  buckets:", sum, "total:", row.Total, "owed:", debts[0].Owed)
	}
	fmt.Println("ledger verifies:", c.Ledger.Verify(ctx, fay.ID))
	// Output:
	// as of 2026-02-15
	//   current  750.00 USD
	//   31-60    600.00 USD
	//   buckets: 1350.00 USD total: 1350.00 USD owed: 1350.00 USD
	// as of 2026-04-30
	//   current  125.00 USD
	//   1-30     250.00 USD
	//   61-90    500.00 USD
	//   91-120   600.00 USD
	//   buckets: 1475.00 USD total: 1475.00 USD owed: 1475.00 USD
	// ledger verifies: <nil>
}

// Entries are never edited: a mistake is corrected by a reversal, the
// entry's mirror, effective today. An entry is reversed at most once, and
// a reversal is not itself reversed.
func ExampleLedgerService_Reverse() {
	ctx := context.Background()
	d := newReceivablesDesk()
	c, fay := d.c, d.fay

	wrong := d.invoice("INV-7", "900.00", crm.Date{Year: 2026, Month: 3, Day: 31}) // meant 90.00
	fixed, _ := c.Ledger.Reverse(ctx, fay.ID, crm.ReverseRequest{Entry: wrong.Entry, Reason: "typo in the amount"})
	reversal := fixed.Reversal
	fmt.Println(reversal.Kind, "of", reversal.ReversedKind, reversal.Reverses == wrong.Entry, "INV-7 open:", d.open(wrong.ID))

	_, err := c.Ledger.Reverse(ctx, fay.ID, crm.ReverseRequest{Entry: wrong.Entry, Reason: "typo in the amount, again"})
	fmt.Println("second reversal:", errors.Is(err, crm.ErrReversed), errors.Is(err, crm.ErrConflict))

	_, err = c.Ledger.Reverse(ctx, fay.ID, crm.ReverseRequest{Entry: reversal.ID, Reason: "undo the fix"})
	var invalid *crm.ValidationError
	fmt.Println("reversing the reversal:", errors.As(err, &invalid), invalid.Rule)

	right := d.invoice("INV-8", "90.00", crm.Date{Year: 2026, Month: 3, Day: 31})
	fmt.Println("INV-8 open:", d.open(right.ID), "ledger verifies:", c.Ledger.Verify(ctx, fay.ID))
	// Output:
	// reversal of invoice true INV-7 open: 0.00 USD
	// second reversal: true true
	// reversing the reversal: true not_reversal
	// INV-8 open: 90.00 USD ledger verifies: <nil>
}

// An allocation is undone by reversing it, and one invoice's share of it
// by unallocating it: a payment applied oldest first settles its invoices
// in one allocation entry. Reversing a payment reverses what it allocated
// (and takes back what was given back of it) in the same command: a
// bounced cheque reopens the invoices it paid in one call.
func ExampleLedgerService_Reverse_allocation() {
	ctx := context.Background()
	d := newReceivablesDesk()
	c, fay := d.c, d.fay

	inv := d.invoice("INV-1", "100.00", crm.Date{Year: 2026, Month: 3, Day: 31})
	other := d.invoice("INV-2", "50.00", crm.Date{Year: 2026, Month: 4, Day: 30})
	paid, _ := c.Ledger.ReceivePayment(ctx, fay.ID, crm.NewPayment{Allocation: crm.AllocateOldestFirst, Customer: d.cust.ID, Amount: dollars("150.00"), Reference: "cheque 12"})

	undo, err := c.Ledger.Unallocate(ctx, fay.ID, crm.UnallocateRequest{Allocation: paid.Allocations[0].ID, Invoice: other.ID, Reason: "not for INV-2"})
	fmt.Println("INV-2's share:", err, undo.Kind, "INV-1 open:", d.open(inv.ID), "INV-2 open:", d.open(other.ID), "credit left:", d.open(paid.Payment.ID).Abs())
	lines, _ := c.Ledger.Allocations(ctx, fay.ID, paid.Payment.ID)
	for _, l := range lines {
		fmt.Println("allocated to", l.Invoice == other.ID, l.Amount, "given back:", l.Reversed)
	}

	bounced, err := c.Ledger.Reverse(ctx, fay.ID, crm.ReverseRequest{Entry: paid.Entry.ID, Reason: "cheque bounced"})
	fmt.Println("payment:", err, bounced.Reversal.ReversedKind, "with", len(bounced.Settlements), "settlements reversed first")
	fmt.Println("INV-1 open:", d.open(inv.ID), "INV-2 open:", d.open(other.ID), "credit left:", d.open(paid.Payment.ID).Abs(), "ledger verifies:", c.Ledger.Verify(ctx, fay.ID))
	// Output:
	// INV-2's share: <nil> unallocation INV-1 open: 0.00 USD INV-2 open: 50.00 USD credit left: 50.00 USD
	// allocated to false 100.00 USD given back: false
	// allocated to true 50.00 USD given back: true
	// payment: <nil> payment with 2 settlements reversed first
	// INV-1 open: 100.00 USD INV-2 open: 50.00 USD credit left: 0.00 USD ledger verifies: <nil>
}

// printPlan prints a payment plan's installments and their total.
func printPlan(plan crm.PaymentPlan) {
	var parts []crm.Money
	for _, in := range plan.Installments {
		fmt.Printf("#%d due %s: %s\n", in.Number, in.Due, in.Amount)
		parts = append(parts, in.Amount)
	}
	total, _ := crm.Sum(plan.Installments[0].Amount.Currency(), parts...)
	fmt.Println("total:", total)
}

// A nightly check of the ledger costs what was posted since the night
// before: VerifySince goes on from the checkpoint the last verification
// returned and returns the next one, to keep where the store's writers
// cannot reach it. Verify, now and then, checks the whole ledger.
func ExampleLedgerService_VerifySince() {
	ctx := context.Background()
	d := newReceivablesDesk()
	c, fay := d.c, d.fay

	d.today(time.January, 5)
	d.invoice("INV-1", "1000.00", crm.Date{Year: 2026, Month: time.February, Day: 15})
	night1, err := c.Ledger.VerifySince(ctx, fay.ID, crm.LedgerCheckpoint{}) // the first night: the whole ledger
	fmt.Println("night 1:", night1.Entries, "entries verified,", err)

	d.today(time.January, 6)
	_, _ = c.Ledger.ReceivePayment(ctx, fay.ID, crm.NewPayment{Allocation: crm.AllocateOldestFirst, Customer: d.cust.ID, Amount: dollars("400.00")})
	night2, err := c.Ledger.VerifySince(ctx, fay.ID, night1) // reads the payment and its allocation only
	fmt.Println("night 2:", night2.Entries, "entries verified,", err)
	for _, b := range night2.Balances {
		fmt.Println(" ", b.Account, b.Amount)
	}
	// Output:
	// night 1: 1 entries verified, <nil>
	// night 2: 3 entries verified, <nil>
	//   cash 400.00 USD
	//   receivable 600.00 USD
	//   revenue -1000.00 USD
}
