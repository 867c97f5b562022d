package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/crmkit/crm"
	"github.com/shopspring/decimal"
)

// foreignPayments follows Rotterdam Cargo, invoiced in dollars, paying in
// euros. The first payment is worth a little less at the day's rate than
// the invoice: it settles it, the difference booked as realized exchange
// loss. The second, converted at an old rate, falls short by more than
// the tolerance: settling is refused, and it is applied for what it is
// worth, the rest left open.
func (s *story) foreignPayments() error {
	fmt.Println("\nPayments in another currency:")
	s.on(time.March, 26)
	rotterdam, err := s.customer("Rotterdam Cargo")
	if err != nil {
		return err
	}
	s.rotterdam = rotterdam
	invoice := func(key, what string, quantity int64, price string) (crm.Invoice, error) {
		inv, err := s.c.Ledger.IssueInvoice(s.ctx, s.fay.ID, crm.NewInvoice{IdempotencyKey: key, Customer: rotterdam.ID, Currency: crm.USD,
			Lines: []crm.InvoiceLine{{Description: what, Quantity: decimal.NewFromInt(quantity), UnitPrice: usd(price)}}})
		if err == nil {
			fmt.Printf("  %s to Rotterdam: %d %s, %s due %s\n", s.issued(inv).Number, quantity, what, inv.Total, inv.Due)
		}
		return inv, err
	}
	units, err := invoice("inv:RC-1", "telematics units", 36, "150.00")
	if err != nil {
		return err
	}
	setup, err := invoice("inv:RC-2", "hours of installation", 12, "90.00")
	if err != nil {
		return err
	}

	s.on(time.April, 8)
	rate := decimal.RequireFromString("1.0850") // USD per EUR on the day
	fmt.Printf("  on %s, 1 EUR = %s USD; a difference is settled up to 1%% of what is open, at most 50.00 USD:\n",
		crm.DateOf(s.clock.Now()), rate.StringFixed(4))
	receive := func(key, amount string) (crm.Credit, error) {
		pay, err := s.c.Ledger.ReceivePayment(s.ctx, s.fay.ID, crm.NewPayment{IdempotencyKey: "bank:" + key, Customer: rotterdam.ID,
			Amount: money(amount, "EUR"), Reference: "wire " + key})
		return pay.Payment, err
	}
	allocate := func(pay crm.Credit, inv crm.Invoice, settle bool) (crm.Entry, error) {
		return s.c.Ledger.Allocate(s.ctx, s.fay.ID, crm.AllocationRequest{IdempotencyKey: fmt.Sprintf("alloc:%s:%t", pay.Reference, settle),
			Customer: rotterdam.ID, Credit: pay.ID, Invoice: inv.ID, Amount: pay.Amount, Rate: rate, Settle: settle})
	}
	pay, err := receive("RC-311", "4975.00")
	if err != nil {
		return err
	}
	e, err := allocate(pay, units, true)
	if err != nil {
		return err
	}
	fmt.Printf("  Rotterdam pays %s for %s (%s): %s\n", pay.Amount, units.Number, units.Total, exchangeResult(e, units.Currency))
	if err := s.printState(units); err != nil {
		return err
	}

	if pay, err = receive("RC-312", "900.00"); err != nil {
		return err
	}
	_, err = allocate(pay, setup, true)
	var beyond *crm.FXToleranceError
	if !errors.As(err, &beyond) {
		return fmt.Errorf("a payment 10%% short settled its invoice: %v", err)
	}
	fmt.Printf("  Rotterdam pays %s for %s (%s), converted at last year's rate: worth %s, settling it is refused\n",
		pay.Amount, setup.Number, setup.Total, beyond.Settled)
	fmt.Printf("    *crm.FXToleranceError: a loss of %s is beyond the tolerance of %s\n", beyond.Difference, beyond.Tolerance)
	// Applied without Settle, the payment takes off the invoice what it
	// is worth and leaves the rest owed.
	if _, err := allocate(pay, setup, false); err != nil {
		return err
	}
	fmt.Println("  applied without settling, for what it is worth; the rest stays owed:")
	return s.printState(setup)
}

// exchangeResult says what a settling allocation's payment was worth in
// the invoice's currency (the leg it cleared in that currency) and the
// realized exchange gain or loss it booked.
func exchangeResult(e crm.Entry, invoice crm.Currency) string {
	worth, result := "", "settled exactly"
	for _, p := range e.Postings {
		switch {
		case p.Account == crm.AccountFXClearing && p.Amount.Currency() == invoice:
			worth = p.Amount.String()
		case p.Account == crm.AccountFXLoss:
			result = "settled with a realized exchange loss of " + p.Amount.String()
		case p.Account == crm.AccountFXGain:
			result = "settled with a realized exchange gain of " + p.Amount.Neg().String()
		}
	}
	return fmt.Sprintf("worth %s, %s", worth, result)
}
