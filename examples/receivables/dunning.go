package main

import (
	"fmt"
	"time"

	"github.com/crmkit/crm"
)

// dunning runs the dunning machine as the weeks pass, with the default
// levels (a reminder at 7 days overdue, a first notice with a 5.00 fee at
// 21, a final notice at 45), reports who is at which level, and settles
// the dunning of an invoice once it is paid.
func (s *story) dunning() error {
	fmt.Println("\nDunning runs:")
	for _, day := range []crm.Date{date(time.April, 9), date(time.April, 23), date(time.May, 7)} {
		if err := s.dun(day); err != nil {
			return err
		}
	}
	rows, err := s.c.Receivables.DunningLevels(s.ctx, s.fay.ID, crm.ReceivableQuery{})
	if err != nil {
		return err
	}
	fmt.Printf("  dunning levels on %s:\n", crm.DateOf(s.clock.Now()))
	for _, r := range rows {
		fmt.Printf("    %-15s %-20s level %d %-13s since %s, %2d days overdue, %s open\n",
			s.names[r.Invoice], s.names[r.Customer], r.Level, r.LevelName, r.Since, r.DaysOverdue, r.Open)
	}

	s.on(time.May, 8)
	paid, err := s.c.Ledger.ReceivePayment(s.ctx, s.fay.ID, crm.NewPayment{Allocation: crm.AllocateOldestFirst, IdempotencyKey: "bank:NW-3",
		Customer: s.northwind.ID, Amount: usd("16805.00"), Reference: "installment 2 and fee"})
	if err != nil {
		return err
	}
	fmt.Printf("  %s: Northwind pays %s, installment 2 and the fee (%d allocations)\n", paid.Payment.Received, paid.Payment.Amount, len(paid.Allocations))
	return s.dun(date(time.May, 14))
}

// dun runs dunning on a day and prints its moves and what they charged.
func (s *story) dun(day crm.Date) error {
	s.on(day.Month, day.Day)
	res, err := s.c.Receivables.Dun(s.ctx, s.fay.ID, crm.DunningRun{})
	if err != nil {
		return err
	}
	for _, m := range res.Moves {
		what := fmt.Sprintf("%d days overdue, %s open", m.DaysOverdue, m.Open)
		if m.To == crm.DunningSettled {
			what = "paid, no more notices"
		}
		fmt.Printf("  %s: %s (%s) to %s, %s\n", res.AsOf, s.names[m.Invoice], s.names[m.Customer], m.To, what)
	}
	for _, ch := range res.Charges {
		s.issued(ch)
		for _, l := range ch.Lines {
			fmt.Printf("    charged %s on %s due %s: %s\n", l.UnitPrice, ch.Number, ch.Due, l.Description)
		}
	}
	return nil
}
