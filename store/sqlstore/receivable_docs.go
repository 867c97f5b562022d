package sqlstore

import (
	"time"

	"github.com/crmkit/crm"
)

// The documents of the receivables' JSON columns, with keys of their own:
// decimals as exact text (see decimalText), amounts in minor units beside
// their currency ("" for the zero Money), dates as "2006-01-02" or "",
// times in UTC to the microsecond.

// lineDoc is an invoice line in the invoice's lines column.
type lineDoc struct {
	Description string `json:"description"`
	Quantity    string `json:"quantity"`
	PriceMinor  int64  `json:"unit_price_minor"`
	Currency    string `json:"unit_price_currency"`
	TaxRate     string `json:"tax_rate"`
	Discount    string `json:"discount,omitempty"` // absent for none, as on lines stored before discounts
}

func toLineDoc(field string, l crm.InvoiceLine) (lineDoc, error) {
	minor, currency, err := moneyArgs(field+".unit_price", l.UnitPrice)
	if err != nil {
		return lineDoc{}, err
	}
	return lineDoc{Description: l.Description, Quantity: decimalText(l.Quantity), PriceMinor: minor, Currency: currency,
		TaxRate: decimalText(l.TaxRate), Discount: decimalText(l.Discount)}, nil
}

// line is the inverse of toLineDoc.
func (d lineDoc) line() (crm.InvoiceLine, error) {
	l := crm.InvoiceLine{Description: d.Description}
	var err error
	if l.Quantity, err = parseDecimal("an invoice line's quantity", d.Quantity); err != nil {
		return crm.InvoiceLine{}, err
	}
	if l.TaxRate, err = parseDecimal("an invoice line's tax rate", d.TaxRate); err != nil {
		return crm.InvoiceLine{}, err
	}
	if l.Discount, err = parseDecimal("an invoice line's discount", d.Discount); err != nil {
		return crm.InvoiceLine{}, err
	}
	if l.UnitPrice, err = moneyFrom(d.PriceMinor, d.Currency); err != nil {
		return crm.InvoiceLine{}, err
	}
	return l, nil
}

// installmentDoc is an installment in a contract's installments column.
type installmentDoc struct {
	Number      int      `json:"number"`
	Due         crm.Date `json:"due"`
	AmountMinor int64    `json:"amount_minor"`
	Currency    string   `json:"currency"`
	Invoice     crm.ID   `json:"invoice"`
}

func toInstallmentDoc(field string, in crm.Installment) (installmentDoc, error) {
	minor, currency, err := moneyArgs(field+".amount", in.Amount)
	if err != nil {
		return installmentDoc{}, err
	}
	if err := checkDate(field+".due", in.Due); err != nil {
		return installmentDoc{}, err
	}
	return installmentDoc{Number: in.Number, Due: in.Due, AmountMinor: minor, Currency: currency, Invoice: in.Invoice}, nil
}

// installment is the inverse of toInstallmentDoc.
func (d installmentDoc) installment() (crm.Installment, error) {
	amount, err := moneyFrom(d.AmountMinor, d.Currency)
	return crm.Installment{Number: d.Number, Due: d.Due, Amount: amount, Invoice: d.Invoice}, err
}

// approvalDoc is a decision in a contract's approvals column.
type approvalDoc struct {
	Step     crm.ApprovalStep `json:"step"`
	Actor    crm.ID           `json:"actor"`
	At       time.Time        `json:"at"`
	Approved bool             `json:"approved"`
	Comment  string           `json:"comment"`
}

func toApprovalDoc(a crm.Approval) approvalDoc {
	return approvalDoc{Step: a.Step, Actor: a.Actor, At: a.At.UTC().Truncate(time.Microsecond), Approved: a.Approved,
		Comment: a.Comment}
}

// approval is the inverse of toApprovalDoc.
func (d approvalDoc) approval() crm.Approval {
	return crm.Approval{Step: d.Step, Actor: d.Actor, At: d.At.UTC(), Approved: d.Approved, Comment: d.Comment}
}
