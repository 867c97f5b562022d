package main

import (
	"fmt"
	"time"

	"github.com/crmkit/crm"
	"github.com/shopspring/decimal"
)

// creditNotes issues two credit notes, each made of the invoice it
// credits: Northwind is credited a net amount for an outage, applied to
// its open installment; Globex returns two licences of a paid invoice,
// credited at the invoice's price and tax rate and kept as credit to
// refund. Then Northwind pays what is left.
func (s *story) creditNotes() error {
	fmt.Println("\nCredit notes:")
	s.on(time.March, 26)
	outage, err := s.c.Ledger.IssueCreditNote(s.ctx, s.fay.ID, crm.NewCreditNote{IdempotencyKey: "cn:NW-1", Customer: s.northwind.ID,
		Invoice: s.first.ID, Net: usd("400.00"), Reason: "telematics outage, 10-23 February"})
	if err != nil {
		return err
	}
	s.printCredit(outage, "applied to it")
	if err := s.printState(s.first); err != nil {
		return err
	}

	returned, err := s.c.Ledger.IssueCreditNote(s.ctx, s.fay.ID, crm.NewCreditNote{IdempotencyKey: "cn:GX-1", Customer: s.globex.ID,
		Invoice: s.gx.ID, Lines: []crm.CreditLine{{Line: 1, Quantity: decimal.NewFromInt(2)}}, Refund: true, Reason: "2 licences returned"})
	if err != nil {
		return err
	}
	s.printCredit(returned, "kept as Globex's credit to refund")
	if err := s.printState(s.gx); err != nil {
		return err
	}
	fmt.Println("    (paid in full, so nothing is taken off it: the credit note is money Globex gets back)")

	s.on(time.March, 31)
	rest, err := s.c.Ledger.ReceivePayment(s.ctx, s.fay.ID, crm.NewPayment{Allocation: crm.AllocateOldestFirst, IdempotencyKey: "bank:NW-2",
		Customer: s.northwind.ID, Amount: usd("2800.00"), Reference: "rest of installment 1"})
	if err != nil {
		return err
	}
	fmt.Printf("  Northwind pays the %s left on %s:\n", rest.Payment.Amount, s.first.Number)
	return s.printState(s.first)
}

// printCredit says what a credit note took back, and from which invoice.
func (s *story) printCredit(cn crm.Credit, where string) {
	fmt.Printf("  credit note on %s (%s): net %s + tax %s = %s, %s\n", s.names[cn.Invoice], cn.Reference, fixed(cn.Net), fixed(cn.Tax), cn.Amount, where)
}

// printState prints an invoice's status today and how its total stands.
func (s *story) printState(inv crm.Invoice) error {
	states, err := s.c.Receivables.Invoices(s.ctx, s.fay.ID, crm.ReceivableQuery{Customer: inv.Customer})
	if err != nil {
		return err
	}
	for _, st := range states {
		if st.ID == inv.ID {
			fmt.Printf("    %s %s: total %s = open %s + paid %s + credited %s + written off %s %s\n", st.Number, st.Status,
				fixed(st.Total), fixed(st.Open), fixed(st.Paid), fixed(st.Credited), fixed(st.WrittenOff), st.Currency)
		}
	}
	return nil
}
