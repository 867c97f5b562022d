package sqlstore

import (
	"context"
	"errors"

	"github.com/crmkit/crm"
)

// invoiceTable stores invoices, which are inserted once and never
// updated: the lines as JSON text, each total (the discount's too) in
// minor units beside its currency.
var invoiceTable = &recordTable[crm.Invoice]{
	kind:  crm.KindInvoice,
	table: func(n names) string { return n.invoices },
	columns: []string{"id", "customer_id", "number", "currency", "lines", "net_minor", "net_currency", "tax_minor",
		"tax_currency", "total_minor", "total_currency", "issued", "due", "contract_id", "installment", "entry_id",
		"created_at", "version", "discount_minor", "discount_currency"},
	id:      func(i crm.Invoice) crm.ID { return i.ID },
	version: func(i crm.Invoice) int64 { return i.Version },
	values: func(s *Store, i crm.Invoice) ([]any, error) {
		lines, err := docsArg("lines", i.Lines, toLineDoc)
		if err != nil {
			return nil, err
		}
		amounts, err := moneyArgList([]string{"net", "tax", "total", "discount"}, i.Net, i.Tax, i.Total, i.Discount)
		if err != nil {
			return nil, err
		}
		dates, err := dateArgs([]string{"issued", "due"}, i.Issued, i.Due)
		if err != nil {
			return nil, err
		}
		head := []any{idArg(i.ID), idArg(i.Customer), i.Number, i.Currency.Code(), lines}
		return append(append(append(head, amounts[:6]...), dates...), idArg(i.Contract), i.Installment, idArg(i.Entry),
			s.timeArg(i.CreatedAt), i.Version, amounts[6], amounts[7]), nil
	},
	dest: func(i *crm.Invoice) []any {
		netMinor, netCurrency := money(&i.Net)
		taxMinor, taxCurrency := money(&i.Tax)
		totalMinor, totalCurrency := money(&i.Total)
		discountMinor, discountCurrency := money(&i.Discount)
		return []any{&i.ID, &i.Customer, &i.Number, &i.Currency,
			checkedDocsCol[lineDoc, crm.InvoiceLine]{&i.Lines, lineDoc.line}, netMinor, netCurrency, taxMinor,
			taxCurrency, totalMinor, totalCurrency, &i.Issued, &i.Due, &i.Contract, &i.Installment, &i.Entry,
			timeCol{&i.CreatedAt}, &i.Version, discountMinor, discountCurrency}
	},
}

// creditTable stores payments and credit notes, inserted once and never
// updated; a credit note with the invoice it credits and its number.
var creditTable = &recordTable[crm.Credit]{
	kind:  crm.KindCredit,
	table: func(n names) string { return n.credits },
	columns: []string{"id", "customer_id", "kind", "amount_minor", "amount_currency", "net_minor", "net_currency",
		"tax_minor", "tax_currency", "received", "reference", "entry_id", "created_at", "version", "invoice_id", "number"},
	id:      func(c crm.Credit) crm.ID { return c.ID },
	version: func(c crm.Credit) int64 { return c.Version },
	values: func(s *Store, c crm.Credit) ([]any, error) {
		amounts, err := moneyArgList([]string{"amount", "net", "tax"}, c.Amount, c.Net, c.Tax)
		if err != nil {
			return nil, err
		}
		received, err := dateArg("received", c.Received)
		if err != nil {
			return nil, err
		}
		head := []any{idArg(c.ID), idArg(c.Customer), string(c.Kind)}
		return append(append(head, amounts...), received, c.Reference, idArg(c.Entry), s.timeArg(c.CreatedAt),
			c.Version, idArg(c.Invoice), c.Number), nil
	},
	dest: func(c *crm.Credit) []any {
		amountMinor, amountCurrency := money(&c.Amount)
		netMinor, netCurrency := money(&c.Net)
		taxMinor, taxCurrency := money(&c.Tax)
		return []any{&c.ID, &c.Customer, &c.Kind, amountMinor, amountCurrency, netMinor, netCurrency, taxMinor,
			taxCurrency, &c.Received, &c.Reference, &c.Entry, timeCol{&c.CreatedAt}, &c.Version, &c.Invoice, &c.Number}
	},
}

// moneyArgList returns the parameters of each amount's two columns, in
// order (see moneyArgs); fields name the amounts.
func moneyArgList(fields []string, amounts ...crm.Money) ([]any, error) {
	out := make([]any, 0, 2*len(amounts))
	for i, m := range amounts {
		minor, currency, err := moneyArgs(fields[i], m)
		if err != nil {
			return nil, err
		}
		out = append(out, minor, currency)
	}
	return out, nil
}

// dateArgs returns the parameter of each date's column, in order (see
// dateArg); fields name the dates.
func dateArgs(fields []string, dates ...crm.Date) ([]any, error) {
	out := make([]any, len(dates))
	for i, d := range dates {
		v, err := dateArg(fields[i], d)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// invoiceRepo implements crm.InvoiceRepository in one transaction:
// invoices are inserted, with version 1, and never updated.
type invoiceRepo struct{ records[crm.Invoice] }

// Get implements crm.InvoiceReader.
func (r invoiceRepo) Get(ctx context.Context, id crm.ID) (crm.Invoice, error) { return r.get(ctx, id) }

// Insert implements crm.InvoiceRepository: an existing ID, a number
// another invoice has (the unique index decides, whichever transaction
// commits first), or a version other than 1, is a *crm.ConflictError.
func (r invoiceRepo) Insert(ctx context.Context, i crm.Invoice) error {
	err := r.insert(ctx, i)
	if errors.Is(err, crm.ErrConflict) {
		if taken := r.numberTaken(ctx, i); taken != nil {
			return taken
		}
	}
	return err
}

// List implements crm.InvoiceReader with the rules of
// crm.InvoiceFilter.Match.
func (r invoiceRepo) List(ctx context.Context, f crm.InvoiceFilter, page crm.PageRequest) ([]crm.Invoice, error) {
	var w where
	w.addIf(!f.Customer.IsZero(), "customer_id = ?", idArg(f.Customer))
	w.addIf(!f.Contract.IsZero(), "contract_id = ?", idArg(f.Contract))
	return r.list(ctx, w, page)
}

// Headers implements crm.InvoiceReader: the invoices by their primary key,
// many to a statement (selectIn).
func (r invoiceRepo) Headers(ctx context.Context, customer crm.ID, ids []crm.ID) ([]crm.InvoiceHeader, error) {
	if customer.IsZero() {
		return nil, nil
	}
	var w where
	w.add("customer_id = ?", idArg(customer))
	return selectIn(ctx, r.t, "SELECT id, customer_id, number, issued, due FROM "+r.name(), func(h *crm.InvoiceHeader) []any {
		return []any{&h.ID, &h.Customer, &h.Number, &h.Issued, &h.Due}
	}, "reading invoice headers", "id", idArgs(ids), w, " ORDER BY id")
}

// creditRepo implements crm.CreditRepository in one transaction: credits
// are inserted, with version 1, and never updated.
type creditRepo struct{ records[crm.Credit] }

// Get implements crm.CreditReader.
func (r creditRepo) Get(ctx context.Context, id crm.ID) (crm.Credit, error) { return r.get(ctx, id) }

// Insert implements crm.CreditRepository: an existing ID, or a version
// other than 1, is a *crm.ConflictError.
func (r creditRepo) Insert(ctx context.Context, c crm.Credit) error { return r.insert(ctx, c) }

// List implements crm.CreditReader: a customer's credits, or everyone's
// for the zero ID, in ID order.
func (r creditRepo) List(ctx context.Context, customer crm.ID, page crm.PageRequest) ([]crm.Credit, error) {
	var w where
	w.addIf(!customer.IsZero(), "customer_id = ?", idArg(customer))
	return r.list(ctx, w, page)
}
