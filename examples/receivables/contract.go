package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/crmkit/crm"
)

// signContract drafts Northwind's contract, shows that it cannot be
// signed before approval, and takes it through approval to signature.
func (s *story) signContract() error {
	fmt.Println("The contract:")
	ct, err := s.c.Contracts.Draft(s.ctx, s.ann.ID, crm.NewContract{Customer: s.northwind.ID, Title: "Fleet telematics, year 1",
		Amount: usd("24000.00"), Start: crm.Date{Year: 2026, Month: 2, Day: 1}, Template: crm.PlanSplit})
	if err != nil {
		return err
	}
	if _, err := s.c.Contracts.Sign(s.ctx, s.ann.ID, crm.SignContractRequest{Contract: ct.ID}); err != nil {
		fmt.Println("  signing before approval is refused:", err)
	}
	s.contract, err = s.approveAndSign(ct)
	return err
}

// approveAndSign takes a draft through Ann's submission, Max's and Fay's
// approvals and the customer's signature, printing each step, then its
// payment plan.
func (s *story) approveAndSign(ct crm.Contract) (crm.Contract, error) {
	steps := []struct {
		who  crm.User
		what string
		do   func() (crm.Contract, error)
	}{
		{s.ann, "submits", func() (crm.Contract, error) {
			return s.c.Contracts.Submit(s.ctx, s.ann.ID, crm.SubmitContractRequest{Contract: ct.ID})
		}},
		{s.max, "approves (manager step)", func() (crm.Contract, error) {
			return s.c.Contracts.Approve(s.ctx, s.max.ID, crm.ApproveContractRequest{Contract: ct.ID, Comment: "terms as agreed"})
		}},
		{s.fay, "approves (finance step)", func() (crm.Contract, error) {
			return s.c.Contracts.Approve(s.ctx, s.fay.ID, crm.ApproveContractRequest{Contract: ct.ID, Comment: "credit check ok"})
		}},
		{s.ann, "records the customer's signature", func() (crm.Contract, error) {
			return s.c.Contracts.Sign(s.ctx, s.ann.ID, crm.SignContractRequest{Contract: ct.ID})
		}},
	}
	var err error
	for _, step := range steps {
		s.clock.Advance(4 * time.Hour)
		if ct, err = step.do(); err != nil {
			return crm.Contract{}, err
		}
		fmt.Printf("  %-11s %-32s -> %s\n", step.who.Name, step.what, ct.Status)
	}
	fmt.Printf("  payment plan %s:\n", ct.Plan.Template)
	for _, in := range ct.Plan.Installments {
		invoiced := ""
		if !in.Invoice.IsZero() {
			invoiced = "  invoiced as " + s.names[in.Invoice]
		}
		fmt.Printf("    #%d due %s  %s%s\n", in.Number, in.Due, in.Amount, invoiced)
	}
	return ct, nil
}

// amendContract amends the signed contract: twenty more vehicles from
// June. The amendment carries the two invoiced installments, plans the
// rest monthly, is approved and signed like a contract, and supersedes
// the original, which can no longer be invoiced.
func (s *story) amendContract() error {
	fmt.Println("\nThe contract amended after signing (20 more vehicles from June):")
	s.on(time.May, 18)
	amount, start, monthly := usd("31200.00"), crm.Date{Year: 2026, Month: time.June, Day: 1}, crm.PlanMonthly
	am, err := s.c.Contracts.Amend(s.ctx, s.ann.ID, crm.AmendContractRequest{Contract: s.contract.ID, Reason: "20 more vehicles from June",
		Changes: crm.ContractChanges{Amount: &amount, Start: &start, Template: &monthly, Plan: &crm.PlanOptions{Months: 6}}})
	if err != nil {
		return err
	}
	fmt.Printf("  Ann drafts revision %d: %s -> %s\n", am.Revision, s.contract.Amount, am.Amount)
	if am, err = s.approveAndSign(am); err != nil {
		return err
	}
	orig, err := s.c.Contracts.Get(s.ctx, s.fay.ID, s.contract.ID)
	if err != nil {
		return err
	}
	_, err = s.c.Contracts.InvoiceInstallment(s.ctx, s.fay.ID, crm.InvoiceInstallmentRequest{Contract: orig.ID, Installment: 3})
	if !errors.Is(err, crm.ErrInvalidTransition) {
		return fmt.Errorf("a superseded contract was invoiced: %v", err)
	}
	fmt.Printf("  the original is now %s, by revision %d; invoicing it is refused: %v\n", orig.Status, am.Revision, err)

	s.on(time.June, 1)
	third, err := s.c.Contracts.InvoiceInstallment(s.ctx, s.fay.ID, crm.InvoiceInstallmentRequest{Contract: am.ID, Installment: 3, IdempotencyKey: "inv:NW-3"})
	if err != nil {
		return err
	}
	fmt.Printf("  %s to Northwind, installment 3 of the amendment: %s due %s\n", s.issued(third).Number, third.Total, third.Due)
	s.contract = am
	return nil
}
