package crm

import (
	"context"
	"errors"
	"fmt"
)

// LedgerError names an entry that breaks an invariant of the ledger. It
// matches ErrLedgerBroken with errors.Is.
type LedgerError struct {
	Entry   ID     `json:"entry,omitzero"`
	Problem string `json:"problem,omitempty"`
}

// Error implements error.
func (e *LedgerError) Error() string {
	if e.Entry.IsZero() {
		return "crm: ledger does not verify: " + e.Problem
	}
	return fmt.Sprintf("crm: ledger does not verify at entry %s: %s", e.Entry, e.Problem)
}

// Unwrap returns ErrLedgerBroken.
func (e *LedgerError) Unwrap() error { return ErrLedgerBroken }

// document is what a customer posting's item must match: its customer
// and currency.
type document struct {
	customer ID
	currency Currency
}

// documents reads every invoice and credit, a page at a time.
func documents(ctx context.Context, tx ReadTx) (invoices, credits map[ID]document, err error) {
	invoices, credits = map[ID]document{}, map[ID]document{}
	page := PageRequest{Limit: MaxPageSize}
	for {
		is, err := tx.Invoices().List(ctx, InvoiceFilter{}, page)
		if err != nil {
			return nil, nil, err
		}
		for _, i := range is {
			invoices[i.ID] = document{i.Customer, i.Currency}
		}
		if len(is) < page.Limit {
			break
		}
		page.After = is[len(is)-1].ID
	}
	page = PageRequest{Limit: MaxPageSize}
	for {
		cs, err := tx.Credits().List(ctx, ID{}, page)
		if err != nil {
			return nil, nil, err
		}
		for _, c := range cs {
			credits[c.ID] = document{c.Customer, c.Amount.Currency()}
		}
		if len(cs) < page.Limit {
			return invoices, credits, nil
		}
		page.After = cs[len(cs)-1].ID
	}
}

// findDocument looks up the document a customer posting's item names:
// an invoice when invoice is true, else a payment or credit note; false
// when there is none.
type findDocument func(invoice bool, item ID) (document, bool, error)

// inMaps finds documents in the maps documents read.
func inMaps(invoices, credits map[ID]document) findDocument {
	return func(invoice bool, item ID) (document, bool, error) {
		docs := credits
		if invoice {
			docs = invoices
		}
		d, ok := docs[item]
		return d, ok, nil
	}
}

// inStore finds documents one at a time in the store.
func inStore(ctx context.Context, tx ReadTx) findDocument {
	return func(invoice bool, item ID) (document, bool, error) {
		if invoice {
			i, err := tx.Invoices().Get(ctx, item)
			return document{i.Customer, i.Currency}, err == nil, ignoreNotFound(err)
		}
		c, err := tx.Credits().Get(ctx, item)
		return document{c.Customer, c.Amount.Currency()}, err == nil, ignoreNotFound(err)
	}
}

// ignoreNotFound is err unless it says a record is missing.
func ignoreNotFound(err error) error {
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// checkDocument checks that a customer posting's item is a document of
// that customer and currency: an invoice for the receivable, a payment or
// credit note for the credit.
func checkDocument(find findDocument, p Posting) error {
	if !p.Account.PerCustomer() {
		return nil
	}
	invoice, what := p.Account == AccountReceivable, "credit"
	if invoice {
		what = "invoice"
	}
	d, ok, err := find(invoice, p.Item)
	switch {
	case err != nil:
		return err
	case !ok:
		return &LedgerError{Problem: fmt.Sprintf("%s item %s is not a known %s", p.Account, p.Item, what)}
	case d.customer != p.Customer || d.currency != p.Amount.Currency():
		return &LedgerError{Problem: fmt.Sprintf("%s item %s is a %s of another customer or currency", p.Account, p.Item, what)}
	}
	return nil
}
