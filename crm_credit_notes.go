package crm

import "errors"

// creditBasis reads what a credit note on an invoice of the customer is
// made of and bounded by: the invoice (not cancelled), what is open on it,
// what the customer's credits paid on it, and what earlier credit notes on
// it, not reversed, took back.
func (w *writeTx) creditBasis(customer, invoice ID) (creditBasis, error) {
	inv, err := w.tx.Invoices().Get(w.ctx, invoice)
	switch {
	case errors.Is(err, ErrNotFound) || (err == nil && inv.Customer != customer):
		return creditBasis{}, invalid("invoice", "customer_invoice", "not an invoice of the customer")
	case err != nil:
		return creditBasis{}, err
	}
	if reversed, err := w.reversed(inv.Entry); err != nil || reversed {
		if err == nil {
			err = invalid("invoice", "not_cancelled", "the invoice was cancelled (its entry reversed): there is nothing to credit")
		}
		return creditBasis{}, err
	}
	cur := inv.Currency
	none := credited{Zero(cur), Zero(cur), Zero(cur)}
	b := creditBasis{invoice: inv, open: Zero(cur), paid: Zero(cur), prior: none, refund: none, rounding: w.crm.documents.taxRounding}
	open, err := w.tx.Ledger().OpenItems(w.ctx, customer, Date{})
	if err != nil {
		return creditBasis{}, err
	}
	if it, ok := findItem(open, AccountReceivable, inv.ID); ok && it.Open.Currency() == cur {
		b.open = it.Open
	}
	if b.paid, err = w.paidOn(inv); err != nil {
		return creditBasis{}, err
	}
	for page := (PageRequest{Limit: MaxPageSize}); ; {
		cs, err := w.tx.Credits().List(w.ctx, customer, page)
		if err != nil {
			return creditBasis{}, err
		}
		for _, c := range cs {
			if c.Kind != CreditCreditNote || c.Invoice != inv.ID || c.Amount.Currency() != cur {
				continue
			}
			if err := w.countCredit(&b, c); err != nil {
				return creditBasis{}, err
			}
		}
		if len(cs) < page.Limit {
			return b, nil
		}
		page.After = cs[len(cs)-1].ID
	}
}

// countCredit adds an earlier credit note on the invoice to what was
// credited, unless its entry was reversed; one kept as credit to refund
// counts also against what may still be refunded.
func (w *writeTx) countCredit(b *creditBasis, c Credit) error {
	if reversed, err := w.reversed(c.Entry); err != nil || reversed {
		return err
	}
	e, err := w.tx.Ledger().Entry(w.ctx, c.Entry)
	if err != nil {
		return err
	}
	add := func(to *credited) {
		to.net, _ = to.net.Add(c.Net)
		to.tax, _ = to.tax.Add(c.Tax)
		to.total, _ = to.total.Add(c.Amount)
	}
	add(&b.prior)
	for _, p := range e.Postings {
		if p.Account == AccountCredit {
			add(&b.refund)
			break
		}
	}
	return nil
}

// paidOn returns what the customer's credits paid on an invoice: what
// allocations (net of their reversals and unallocations) took off it, less the exchange
// loss they booked and plus the exchange gain, that is at their rates.
// Credit notes and write-offs are not payments.
func (w *writeTx) paidOn(inv Invoice) (Money, error) {
	paid := Zero(inv.Currency)
	for page := (PageRequest{Limit: MaxPageSize}); ; {
		es, err := w.tx.Ledger().Entries(w.ctx, EntryFilter{Customer: inv.Customer, Item: inv.ID}, page)
		if err != nil {
			return Money{}, err
		}
		for _, e := range es {
			if !isAllocation(e.Kind) && (e.Kind != EntryReversal || !isAllocation(e.ReversedKind)) {
				continue
			}
			for _, p := range e.Postings {
				switch {
				case p.Amount.Currency() != inv.Currency:
				case p.Account == AccountReceivable && p.Item == inv.ID,
					p.Account == AccountFXGain, p.Account == AccountFXLoss, p.Account == AccountFXResult:
					paid, _ = paid.Sub(p.Amount)
				}
			}
		}
		if len(es) < page.Limit {
			return paid, nil
		}
		page.After = es[len(es)-1].ID
	}
}

// isAllocation reports whether an entry of kind k applies a credit to
// invoices or gives an invoice's share back.
func isAllocation(k EntryKind) bool { return k == EntryAllocation || k == EntryUnallocation }

// reversed reports whether an entry was reversed.
func (w *writeTx) reversed(entry ID) (bool, error) {
	_, err := w.tx.Ledger().ReversalOf(w.ctx, entry)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, ErrNotFound):
		return false, nil
	}
	return false, err
}
