package crm

import (
	"cmp"
	"slices"

	"github.com/shopspring/decimal"
)

// InvoiceDueRequest asks the sweep (ContractService.InvoiceDue) to
// invoice at most Limit installments (default 100, at most MaxPageSize).
//
// A contract carries no tax rate of its own (its terms are text), so the
// request gives the rate of every invoice's one line, as
// InvoiceInstallmentRequest does: TaxRate, a share from 0 to 1, zero for
// none. A business with contracts taxed at different rates invoices those
// by hand, with InvoiceInstallment, before the sweep comes to them.
type InvoiceDueRequest struct {
	Limit   int             `json:"limit"`
	TaxRate decimal.Decimal `json:"tax_rate,omitzero"`
}

// InstallmentReport is what a sweep of the installments due did: the
// invoices it issued, oldest due first; the installments it was refused,
// each with why; how many it found invoiced meanwhile, by another sweep
// or by hand (Skipped); and whether more installments were due than its
// limit let it invoice (More: run it again).
type InstallmentReport struct {
	Invoiced []Invoice            `json:"invoiced,omitempty"`
	Refused  []RefusedInstallment `json:"refused,omitempty"`
	Skipped  int                  `json:"skipped"`
	More     bool                 `json:"more,omitempty"`
}

// RefusedInstallment is an installment due that the sweep could not
// invoice: the policy does not let the actor bill the customer, the
// contract ended or was superseded meanwhile, its amount is beyond what
// the ledger keeps... Err is the typed error InvoiceInstallment returned (use
// errors.Is and errors.As on it); Reason is its text, which travels. The
// installment stays due: the next sweep tries it again.
type RefusedInstallment struct {
	Contract    ID     `json:"contract,omitzero"`
	Customer    ID     `json:"customer,omitzero"`
	Installment int    `json:"installment"`
	Due         Date   `json:"due"`
	Reason      string `json:"reason,omitempty" privacy:"none"`
	Err         error  `json:"-"`
}

// NextDue is the due date of the contract's first installment, in the
// order they fall due, that is not invoiced: the day its sweep
// (ContractService.InvoiceDue) has work on it from. It is the zero Date
// when every installment is invoiced. store/sqlstore keeps it in a
// column of the contract, written with every version of it, under an
// index, so that ContractFilter.NextDueBy finds the contracts with an
// installment due without reading the others.
func (c Contract) NextDue() Date {
	var next Date
	for _, in := range c.Plan.Installments {
		if in.Invoice.IsZero() && (next.IsZero() || in.Due.Before(next)) {
			next = in.Due
		}
	}
	return next
}

// dueInstallment is an installment of an active contract that the sweep
// invoices.
type dueInstallment struct {
	contract, customer ID
	Installment
}

// dueBy returns the contract's installments not invoiced whose due date
// is on or before today.
func (c Contract) dueBy(today Date) []dueInstallment {
	var out []dueInstallment
	for _, in := range c.Plan.Installments {
		if in.Invoice.IsZero() && !in.Due.After(today) {
			out = append(out, dueInstallment{contract: c.ID, customer: c.Customer, Installment: in})
		}
	}
	return out
}

// oldestDueFirst orders installments by due date, then by contract and
// number, so that a sweep invoices (and numbers) them in a stable order.
func oldestDueFirst(a, b dueInstallment) int {
	return cmp.Or(a.Due.Compare(b.Due), slices.Compare(a.contract[:], b.contract[:]), cmp.Compare(a.Number, b.Number))
}
