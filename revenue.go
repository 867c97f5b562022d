package crm

import (
	"github.com/shopspring/decimal"
)

// RevenueAmount is what a customer was invoiced in a currency over a
// period (the receivable debits of invoices) and the net revenue booked
// for them (revenue credited by invoices less revenue given back by credit
// notes).
type RevenueAmount struct {
	Customer        ID       `json:"customer,omitzero"`
	Currency        Currency `json:"currency,omitzero"`
	InvoicedMinor   int64    `json:"invoiced_minor"`
	NetRevenueMinor int64    `json:"net_revenue_minor"`
}

// daysOutstanding is what customers owe at the end of a period, divided
// by what they were invoiced over it, times its days, to two decimals.
// False when nothing was invoiced.
func daysOutstanding(owed, invoiced Money, days int) (decimal.Decimal, bool) {
	if !invoiced.IsPositive() || owed.Currency() != invoiced.Currency() {
		return decimal.Zero, false
	}
	return owed.Amount().Mul(decimal.NewFromInt(int64(days))).DivRound(invoiced.Amount(), 2), true
}
