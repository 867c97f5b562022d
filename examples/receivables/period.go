package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/crmkit/crm"
	"github.com/shopspring/decimal"
)

// closeApril closes the books through April. An invoice for April's
// overtime, found late and dated in April, is refused; issued in May, it
// takes the next number of the series, the refused one having taken
// none.
func (s *story) closeApril() error {
	fmt.Println("\nPeriod close:")
	s.on(time.May, 15)
	lock, err := s.c.Ledger.ClosePeriod(s.ctx, s.fay.ID, crm.ClosePeriodRequest{Through: crm.Date{Year: 2026, Month: time.April, Day: 30},
		Reason: "April reconciled, sales tax filed"})
	if err != nil {
		return err
	}
	fmt.Printf("  Fay closes the books through %s (%s)\n", lock.LockedThrough, lock.Reason)
	overtime := crm.NewInvoice{IdempotencyKey: "inv:RC-3", Customer: s.rotterdam.ID, Currency: crm.USD, Issued: lock.LockedThrough,
		Lines: []crm.InvoiceLine{{Description: "overtime installing, April", Quantity: decimal.NewFromInt(3), UnitPrice: usd("95.00")}}}
	_, err = s.c.Ledger.IssueInvoice(s.ctx, s.fay.ID, overtime)
	var closed *crm.PeriodClosedError
	if !errors.As(err, &closed) {
		return fmt.Errorf("an invoice dated in a closed period was not refused: %v", err)
	}
	fmt.Printf("  an invoice for April's overtime dated %s is refused (*crm.PeriodClosedError):\n    %v\n", closed.Effective, err)
	overtime.Issued, overtime.IdempotencyKey = crm.Date{}, "inv:RC-3b"
	inv, err := s.c.Ledger.IssueInvoice(s.ctx, s.fay.ID, overtime)
	if err != nil {
		return err
	}
	fmt.Printf("  issued today instead: %s, %s due %s (the refused one took no number)\n", s.issued(inv).Number, inv.Total, inv.Due)
	return nil
}
