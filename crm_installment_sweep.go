package crm

import (
	"context"
	"errors"
	"iter"
	"slices"

	"github.com/shopspring/decimal"
)

// InvoiceDue is the sweep to run daily for a subscription business: it
// invoices every installment not yet invoiced whose Due has come, by the
// business calendar's today, of every active contract the actor sees,
// each exactly as InvoiceInstallment would (the same invoice, numbered
// from the same series, the same event and evidence), at the request's
// TaxRate. It invoices oldest due first, so that the invoice numbers
// follow the due dates: all of them when what is due fits in the limit;
// otherwise it takes, for each run, as many contracts as the limit has
// room for in the store's order (by ID), and invoices their installments
// oldest due first. The actor needs what InvoiceInstallment needs:
// the bill grant on each contract's customer (finance or an admin by
// default). It invoices at most the request's limit and reports whether
// more are due; run again, it finds only what fell due since, and what
// it was refused before. A contract's NextDue, which the stores keep and
// index, finds the contracts with something due: the sweep reads those,
// not every contract.
//
// Each installment is invoiced in a transaction of its own, not the whole
// sweep in one (as ExpireDue is): an installment refused (the policy does
// not let the actor bill its customer, the contract ended meanwhile) is
// reported in Refused with its typed error and holds up no other, where
// one transaction would have to undo the others' invoices and their
// numbers, or give up all of them; no sweep holds the invoice series
// and every customer's book for its whole length, which would keep
// people billing by hand waiting; and what was invoiced stays invoiced
// when a sweep stops halfway. Refusals do not count against the limit, so
// that a customer refused every day never holds up the rest.
//
// Two sweeps may run at once (two app servers, say): an installment is
// invoiced once, by whichever commits first; the other finds it invoiced
// and counts it in Skipped. A store failure, or ctx ending, stops the
// sweep: it returns what it did so far with the error.
//
// An invoice reversed (LedgerService.Reverse) frees its installment,
// which the next sweep invoices again.
func (c *ContractService) InvoiceDue(ctx context.Context, actor ID, r InvoiceDueRequest) (InstallmentReport, error) {
	switch {
	case r.Limit < 0:
		return InstallmentReport{}, invalid("limit", "non_negative", "")
	case r.TaxRate.Sign() < 0 || r.TaxRate.GreaterThan(decimal.NewFromInt(1)):
		return InstallmentReport{}, invalid("tax_rate", "range", "0-1")
	}
	limit := PageRequest{Limit: r.Limit}.Normalized().Limit
	today := c.today()
	next, stop := iter.Pull2(c.List(ctx, actor, ContractFilter{Status: ContractActive, NextDueBy: today}))
	defer stop()
	var out InstallmentReport
	for done := false; !done && len(out.Invoiced) < limit; {
		// The contracts for what is left of the limit (each has one
		// installment due at least), their installments oldest due first.
		var batch []dueInstallment
		for read := 0; read < limit-len(out.Invoiced); read++ {
			ct, err, ok := next()
			if err != nil {
				return out, err
			}
			if done = !ok; done {
				break
			}
			batch = append(batch, ct.dueBy(today)...)
		}
		slices.SortFunc(batch, oldestDueFirst)
		for i, d := range batch {
			if len(out.Invoiced) == limit {
				out.More = true
				return out, nil
			}
			if err := c.invoiceDue(ctx, actor, d, r.TaxRate, &out); err != nil {
				return out, err
			}
			if i == len(batch)-1 && len(out.Invoiced) == limit && !done {
				_, err, ok := next() // is anything left after this sweep?
				out.More = ok
				return out, err
			}
		}
	}
	return out, nil
}

// invoiceDue invoices one installment for the sweep and reports the
// outcome in out; it returns only the errors that stop the sweep.
func (c *ContractService) invoiceDue(ctx context.Context, actor ID, d dueInstallment, rate decimal.Decimal, out *InstallmentReport) error {
	inv, invoiced, err := c.invoiceInstallment(ctx, actor, d.customer,
		InvoiceInstallmentRequest{Contract: d.contract, Installment: d.Number, TaxRate: rate})
	switch {
	case err == nil:
		out.Invoiced = append(out.Invoiced, inv)
	case invoiced:
		out.Skipped++
	case ctx.Err() != nil || !refusal(err):
		return err
	default:
		out.Refused = append(out.Refused, RefusedInstallment{Contract: d.contract, Customer: d.customer, Installment: d.Number,
			Due: d.Due, Reason: err.Error(), Err: err})
	}
	return nil
}

// refusal reports whether err refuses one command for its own reasons
// (its input, its records' state, the policy, a restriction, a closed
// period...), which another command may not share, rather than a failure
// of the store.
func refusal(err error) bool {
	for _, kind := range []error{ErrInvalid, ErrInvalidTransition, ErrForbidden, ErrNotFound, ErrConflict, ErrRestricted,
		ErrCurrencyMismatch, ErrUnknownCurrency, ErrPrecision, ErrOverflow, ErrOverAllocation} {
		if errors.Is(err, kind) {
			return true
		}
	}
	return false
}
