package crm_test

import (
	"context"
	"fmt"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/memory"
)

// A subscription business asks two questions each morning: who is about
// to leave, and who still owes money. Two subscribers sign a monthly plan;
// Cat pays each invoice when it comes, Bob pays nothing and cancels in
// March. The CRM's own records are ladder evidence (FactEvidence): Cat's
// payments on time count in her favour, Bob's termination is churn, which
// takes him off the ladder to lost. Listing customers
// by their rung (CustomerFilter.Stage) answers the first question, Debts
// the second, and together they show who left owing.
func ExampleCustomerService_List_atRisk() {
	ctx := context.Background()
	clock := crm.NewManualClock(time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC))
	c, err := crm.New(memory.New(), crm.WithClock(clock))
	if err != nil {
		fmt.Println(err)
		return
	}
	admin, _ := c.Users.Bootstrap(ctx, crm.NewUser{Name: "Ada", Email: "ada@example.com"})
	rep, _ := c.Users.Create(ctx, admin.ID, crm.NewUser{Name: "Ann", Role: crm.RoleRep, Team: "subs"})
	manager, _ := c.Users.Create(ctx, admin.ID, crm.NewUser{Name: "Max", Role: crm.RoleManager, Team: "subs"})
	finance, _ := c.Users.Create(ctx, admin.ID, crm.NewUser{Name: "Fay", Role: crm.RoleFinance})

	price := crm.MoneyFromMinor(1200_00, crm.EUR) // a year, billed monthly
	subscribe := func(name string) (crm.Customer, crm.Contract, error) {
		cu, err := c.Customers.Create(ctx, rep.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: name})
		if err != nil {
			return cu, crm.Contract{}, err
		}
		k, err := c.Contracts.Draft(ctx, rep.ID, crm.NewContract{Customer: cu.ID, Title: "Annual plan", Amount: price,
			Start: crm.Date{Year: 2026, Month: time.January, Day: 5}, End: crm.Date{Year: 2027, Month: time.January, Day: 4},
			Template: crm.PlanMonthly, Plan: crm.PlanOptions{Months: 12}})
		if err != nil {
			return cu, k, err
		}
		if _, err = c.Contracts.Submit(ctx, rep.ID, crm.SubmitContractRequest{Contract: k.ID}); err != nil {
			return cu, k, err
		}
		if _, err = c.Contracts.Approve(ctx, manager.ID, crm.ApproveContractRequest{Contract: k.ID}); err != nil {
			return cu, k, err
		}
		k, err = c.Contracts.Sign(ctx, rep.ID, crm.SignContractRequest{Contract: k.ID})
		return cu, k, err
	}
	bob, bobs, err := subscribe("Bob")
	if err != nil {
		fmt.Println(err)
		return
	}
	cat, cats, err := subscribe("Cat")
	if err != nil {
		fmt.Println(err)
		return
	}

	// Two months: each installment invoiced on its day; Cat pays at once.
	for month := 1; month <= 2; month++ {
		for _, k := range []crm.Contract{bobs, cats} {
			if _, err := c.Contracts.InvoiceInstallment(ctx, finance.ID, crm.InvoiceInstallmentRequest{Contract: k.ID, Installment: month}); err != nil {
				fmt.Println(err)
				return
			}
		}
		_, err := c.Ledger.ReceivePayment(ctx, finance.ID, crm.NewPayment{Customer: cat.ID, Amount: crm.MoneyFromMinor(100_00, crm.EUR),
			Reference: fmt.Sprintf("SEPA %d", month), Allocation: crm.AllocateOldestFirst, IdempotencyKey: fmt.Sprintf("sepa:cat:%d", month)})
		if err != nil {
			fmt.Println(err)
			return
		}
		clock.Advance(31 * 24 * time.Hour)
	}
	// Bob cancels; what was invoiced stays owed.
	if _, err := c.Contracts.Terminate(ctx, manager.ID, crm.TerminateContractRequest{Contract: bobs.ID, Reason: "cancelled by the customer"}); err != nil {
		fmt.Println(err)
		return
	}

	owes := map[crm.ID]crm.Money{}
	debts, err := c.Receivables.Debts(ctx, finance.ID, crm.ReceivableQuery{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, d := range debts {
		owes[d.Customer] = d.Net
	}
	for _, stage := range append([]crm.LoyaltyStage{crm.Lost}, crm.LoyaltyStages()...) { // Lost is not a rung
		for cu, err := range c.Customers.List(ctx, manager.ID, crm.CustomerFilter{Stage: stage}) {
			if err != nil {
				fmt.Println(err)
				return
			}
			owed, ok := owes[cu.ID]
			if !ok {
				owed = crm.Zero(crm.EUR)
			}
			fmt.Printf("%-11s %-4s owes %s\n", stage, cu.Name, owed)
		}
	}
	fmt.Println(bob.Name, "left; what was invoiced stays owed")
	// Output:
	// lost        Bob  owes 200.00 EUR
	// indifferent Cat  owes 0.00 EUR
	// Bob left; what was invoiced stays owed
}
