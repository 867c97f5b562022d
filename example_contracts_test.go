package crm_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/crmkit/crm"
)

// signedYear drafts, approves and signs a year of monthly installments
// for Contoso, 6,000 dollars from April 2026: Max approves what Ann drafts.
func (d *receivablesDesk) signedYear() crm.Contract {
	ctx := context.Background()
	ct := mustReceivables(d.c.Contracts.Draft(ctx, d.ann.ID, crm.NewContract{Customer: d.cust.ID, Title: "Support", Amount: dollars("6000.00"),
		Start: crm.Date{Year: 2026, Month: time.April, Day: 1}, End: crm.Date{Year: 2027, Month: time.March, Day: 31},
		Template: crm.PlanMonthly, Plan: crm.PlanOptions{Months: 12}}))
	ct = mustReceivables(d.c.Contracts.Submit(ctx, d.ann.ID, crm.SubmitContractRequest{Contract: ct.ID}))
	ct = mustReceivables(d.c.Contracts.Approve(ctx, d.max.ID, crm.ApproveContractRequest{Contract: ct.ID}))
	return mustReceivables(d.c.Contracts.Sign(ctx, d.ann.ID, crm.SignContractRequest{Contract: ct.ID}))
}

// A signed contract is changed by an amendment: a new contract, approved
// like any other, that carries the installments invoiced so far with
// their invoices and plans only the rest again. Signing it supersedes the
// contract, which is invoiced no more.
func ExampleContractService_Amend() {
	ctx := context.Background()
	d := newReceivablesDesk()
	orig := d.signedYear()
	for n := 1; n <= 3; n++ {
		mustReceivables(d.c.Contracts.InvoiceInstallment(ctx, d.fay.ID, crm.InvoiceInstallmentRequest{Contract: orig.ID, Installment: n}))
	}

	more := dollars("7500.00")
	am := mustReceivables(d.c.Contracts.Amend(ctx, d.ann.ID, crm.AmendContractRequest{Contract: orig.ID, Reason: "weekend cover",
		Changes: crm.ContractChanges{Amount: &more, Start: &crm.Date{Year: 2026, Month: time.July, Day: 1}}}))
	am = mustReceivables(d.c.Contracts.Submit(ctx, d.ann.ID, crm.SubmitContractRequest{Contract: am.ID}))
	am = mustReceivables(d.c.Contracts.Approve(ctx, d.max.ID, crm.ApproveContractRequest{Contract: am.ID}))
	am = mustReceivables(d.c.Contracts.Sign(ctx, d.ann.ID, crm.SignContractRequest{Contract: am.ID}))
	for _, in := range am.Plan.Installments[2:5] {
		fmt.Printf("%2d %s %s invoiced: %t\n", in.Number, in.Due, in.Amount, !in.Invoice.IsZero())
	}
	orig = mustReceivables(d.c.Contracts.Get(ctx, d.admin.ID, orig.ID))
	fmt.Println("the original is", orig.Status, "by revision", am.Revision)
	_, err := d.c.Contracts.InvoiceInstallment(ctx, d.fay.ID, crm.InvoiceInstallmentRequest{Contract: orig.ID, Installment: 4})
	fmt.Println("invoicing it:", errors.Is(err, crm.ErrInvalidTransition))
	// Output:
	//  3 2026-06-01 500.00 USD invoiced: true
	//  4 2026-07-01 666.67 USD invoiced: false
	//  5 2026-08-01 666.67 USD invoiced: false
	// the original is superseded by revision 1
	// invoicing it: true
}

// An active contract expires the day after its end, by the business
// calendar, never earlier: ExpireDue is the daily sweep. Ending it
// earlier is a termination, with a reason.
func ExampleContractService_ExpireDue() {
	ctx := context.Background()
	d := newReceivablesDesk()
	ct := d.signedYear()
	_, err := d.c.Contracts.Expire(ctx, d.ann.ID, crm.ExpireContractRequest{Contract: ct.ID})
	fmt.Println("expire early:", errors.Is(err, crm.ErrInvalidTransition))

	d.clock.Set(time.Date(2027, time.April, 1, 9, 0, 0, 0, time.UTC))
	r := mustReceivables(d.c.Contracts.ExpireDue(ctx, d.admin.ID, crm.ExpireDueRequest{}))
	fmt.Println("expired:", len(r.Expired), r.Expired[0].Status)
	r = mustReceivables(d.c.Contracts.ExpireDue(ctx, d.admin.ID, crm.ExpireDueRequest{}))
	fmt.Println("again:", len(r.Expired))
	// Output:
	// expire early: true
	// expired: 1 expired
	// again: 0
}

// The installments of a signed contract are invoiced by a daily sweep:
// InvoiceDue invoices each installment whose due date has come, oldest
// first, as InvoiceInstallment would, and nothing twice. Run again the
// same day it finds nothing; a month later, the installment that fell due
// since.
func ExampleContractService_InvoiceDue() {
	ctx := context.Background()
	d := newReceivablesDesk()
	ct := d.signedYear()

	d.clock.Set(time.Date(2026, time.May, 15, 9, 0, 0, 0, time.UTC)) // April's and May's are due
	r := mustReceivables(d.c.Contracts.InvoiceDue(ctx, d.fay.ID, crm.InvoiceDueRequest{}))
	for _, inv := range r.Invoiced {
		fmt.Println(inv.Number, "installment", inv.Installment, "due", inv.Due, inv.Total)
	}
	r = mustReceivables(d.c.Contracts.InvoiceDue(ctx, d.fay.ID, crm.InvoiceDueRequest{}))
	fmt.Println("again the same day:", len(r.Invoiced))

	d.clock.Set(time.Date(2026, time.June, 1, 9, 0, 0, 0, time.UTC))
	r = mustReceivables(d.c.Contracts.InvoiceDue(ctx, d.fay.ID, crm.InvoiceDueRequest{}))
	fmt.Println(r.Invoiced[0].Number, "installment", r.Invoiced[0].Installment, "more due:", r.More)
	ct = mustReceivables(d.c.Contracts.Get(ctx, d.admin.ID, ct.ID))
	fmt.Println("next due:", ct.NextDue())
	// Output:
	// INV-2026-00001 installment 1 due 2026-05-15 500.00 USD
	// INV-2026-00002 installment 2 due 2026-05-15 500.00 USD
	// again the same day: 0
	// INV-2026-00003 installment 3 more due: false
	// next due: 2026-07-01
}
