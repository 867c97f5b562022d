package crm

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/shopspring/decimal"
)

// receivables runs fn for a question across customers' receivables: for
// one customer, the actor may read them; for every customer, the actor
// may analyze.
func (c *CRM) receivables(ctx context.Context, actor, customer ID, fn func(tx ReadTx) error) error {
	return c.read(ctx, actor, func(tx ReadTx, a User) error {
		if customer.IsZero() {
			if err := c.policy.Authorize(a, ActionAnalyze, Target{Kind: KindEntry}); err != nil {
				return err
			}
		} else {
			cu, err := tx.Customers().Get(ctx, customer)
			if err != nil {
				return err
			}
			if err := c.policy.Authorize(a, ActionRead, cu.target()); err != nil {
				return err
			}
		}
		return fn(tx)
	})
}

// OpenItems returns what is open on a customer's invoices and credits (of
// every customer when zero) as of a date (zero for today).
func (c *CRM) OpenItems(ctx context.Context, actor, customer ID, asOf Date) ([]OpenItem, error) {
	if asOf.IsZero() {
		asOf = DateOf(c.now())
	}
	var out []OpenItem
	err := c.receivables(ctx, actor, customer, func(tx ReadTx) error {
		var err error
		out, err = tx.Ledger().OpenItems(ctx, customer, asOf)
		return err
	})
	return out, err
}

// InvoiceState is an invoice with what was open on it on a day and its
// status then, both derived from the ledger, never stored.
type InvoiceState struct {
	Invoice
	Open   Money
	Status InvoiceStatus
}

// Invoices returns a customer's invoices (every customer's when zero)
// issued by a date (zero for today), in the order they were recorded,
// each with what was open on it that day and its status: open, partly
// paid, overdue, paid, or cancelled when its entry was reversed. It reads
// them and the ledger in one transaction.
func (c *CRM) Invoices(ctx context.Context, actor, customer ID, asOf Date) ([]InvoiceState, error) {
	if asOf.IsZero() {
		asOf = DateOf(c.now())
	}
	var out []InvoiceState
	err := c.receivables(ctx, actor, customer, func(tx ReadTx) error {
		items, err := tx.Ledger().OpenItems(ctx, customer, asOf)
		if err != nil {
			return err
		}
		open := map[ID]Money{}
		for _, it := range items {
			if it.Account == AccountReceivable {
				open[it.Item] = it.Open
			}
		}
		page := PageRequest{Limit: MaxPageSize}
		for {
			invoices, err := tx.Invoices().List(ctx, InvoiceFilter{Customer: customer}, page)
			if err != nil {
				return err
			}
			for _, inv := range invoices {
				if inv.Issued.After(asOf) {
					continue
				}
				left := cmpOrMoney(open[inv.ID], inv.Total.Currency())
				st := InvoiceState{Invoice: inv, Open: left, Status: inv.StatusOn(left, asOf)}
				if st.Status == InvoicePaid {
					// Settled: paid, or cancelled by reversing its entry.
					switch rev, err := tx.Ledger().ReversalOf(ctx, inv.Entry); {
					case err == nil && !rev.Effective.After(asOf):
						st.Status = InvoiceCancelled
					case err != nil && !errors.Is(err, ErrNotFound):
						return err
					}
				}
				out = append(out, st)
			}
			if len(invoices) < page.Limit {
				return nil
			}
			page.After = invoices[len(invoices)-1].ID
		}
	})
	return out, err
}

// Debts says who has paid and who owes how much, per customer and
// currency, as of a date (zero for today).
func (c *CRM) Debts(ctx context.Context, actor ID, asOf Date) ([]Debt, error) {
	items, err := c.OpenItems(ctx, actor, ID{}, asOf)
	return Debts(items), err
}

// Aging returns how long what customers owe has been overdue as of
// q.AsOf, past or present, in q's buckets, which always add up to each
// row's total; and the buckets' labels.
func (c *CRM) Aging(ctx context.Context, actor ID, q AgingQuery) ([]AgingRow, []string, error) {
	q, err := q.Normalized()
	if err != nil {
		return nil, nil, err
	}
	var rows []AgingRow
	err = c.receivables(ctx, actor, q.Customer, func(tx ReadTx) error {
		amounts, err := tx.Ledger().Aging(ctx, q)
		rows = q.AgingReport(amounts)
		return err
	})
	return rows, q.Labels(), err
}

// Statement returns a customer's statement in a currency over [from, to]
// with the running balance.
func (c *CRM) Statement(ctx context.Context, actor, customer ID, currency Currency, from, to Date) ([]StatementLine, error) {
	var out []StatementLine
	err := c.receivables(ctx, actor, customer, func(tx ReadTx) error {
		entries, err := allEntries(ctx, tx.Ledger(), EntryFilter{Customer: customer, To: to})
		out = Statement(entries, customer, currency, from, to)
		return err
	})
	return out, err
}

// allEntries reads every entry matching f, a page at a time.
func allEntries(ctx context.Context, l LedgerReader, f EntryFilter) ([]Entry, error) {
	var out []Entry
	page := PageRequest{Limit: MaxPageSize}
	for {
		es, err := l.Entries(ctx, f, page)
		if err != nil {
			return nil, err
		}
		out = append(out, es...)
		if len(es) < page.Limit {
			return out, nil
		}
		page.After = es[len(es)-1].ID
	}
}

// Balances returns every account's balance as of a date.
func (c *CRM) Balances(ctx context.Context, actor ID, asOf Date) ([]Balance, error) {
	var out []Balance
	err := c.receivables(ctx, actor, ID{}, func(tx ReadTx) error {
		var err error
		out, err = tx.Ledger().Balances(ctx, asOf)
		return err
	})
	return out, err
}

// DSO returns days sales outstanding in a currency over [from, to]: what
// customers owe at the end over what they were invoiced in the period,
// times its days. False when nothing was invoiced.
func (c *CRM) DSO(ctx context.Context, actor ID, currency Currency, from, to Date) (float64, bool, error) {
	if !from.IsValid() || !to.IsValid() || to.Before(from) {
		return 0, false, invalid("to", "after_from", "a period with both ends")
	}
	var dso float64
	var ok bool
	err := c.receivables(ctx, actor, ID{}, func(tx ReadTx) error {
		revenue, err := tx.Ledger().Revenue(ctx, ID{}, from, to)
		if err != nil {
			return err
		}
		items, err := tx.Ledger().OpenItems(ctx, ID{}, to)
		if err != nil {
			return err
		}
		invoiced, owed := Zero(currency), Zero(currency)
		for _, r := range revenue {
			if r.Currency == currency {
				invoiced, _ = invoiced.Add(MoneyFromMinor(r.InvoicedMinor, currency))
			}
		}
		for _, it := range items {
			if it.Account == AccountReceivable && it.Open.Currency() == currency {
				owed, _ = owed.Add(it.Open)
			}
		}
		dso, ok = DSO(owed, invoiced, to.DaysSince(from)+1)
		return nil
	})
	return dso, ok, err
}

// CollectionLine is what a month is expected to bring in a currency: the
// open invoices due that month (overdue ones in the first month) and the
// installments of active contracts not yet invoiced.
type CollectionLine struct {
	Month    string
	Currency Currency
	Invoiced Money
	Planned  Money
}

// ExpectedCollections is the reference of what months from a date are
// expected to bring, from open invoices and payment plans; months after
// the last are left out.
func ExpectedCollections(contracts []Contract, items []OpenItem, from Date, months int) []CollectionLine {
	type key struct {
		month    string
		currency Currency
	}
	last := from.AddMonths(months)
	monthOf := func(d Date) (string, bool) {
		if d.Before(from) {
			d = from
		}
		if !d.Before(Date{Year: last.Year, Month: last.Month, Day: 1}) {
			return "", false
		}
		return fmt.Sprintf("%04d-%02d", d.Year, int(d.Month)), true
	}
	acc := map[key]*CollectionLine{}
	add := func(d Date, m Money, planned bool) {
		month, ok := monthOf(d)
		if !ok {
			return
		}
		k := key{month, m.Currency()}
		l := row(acc, k, func() *CollectionLine {
			return &CollectionLine{Month: month, Currency: m.Currency(), Invoiced: Zero(m.Currency()), Planned: Zero(m.Currency())}
		})
		if planned {
			l.Planned, _ = l.Planned.Add(m)
		} else {
			l.Invoiced, _ = l.Invoiced.Add(m)
		}
	}
	for _, it := range items {
		if it.Account == AccountReceivable && it.Open.IsPositive() {
			add(it.Due, it.Open, false)
		}
	}
	for _, ct := range contracts {
		if ct.Status != ContractActive {
			continue
		}
		for _, in := range ct.Plan.Installments {
			if in.Invoice.IsZero() {
				add(in.Due, in.Amount, true)
			}
		}
	}
	return sortedRows(acc, func(a, b CollectionLine) int {
		return cmp.Or(cmp.Compare(a.Month, b.Month), cmp.Compare(a.Currency.Code(), b.Currency.Code()))
	})
}

// ExpectedCollections returns what the next months are expected to bring
// from open invoices and the payment plans of active contracts.
func (c *CRM) ExpectedCollections(ctx context.Context, actor ID, from Date, months int) ([]CollectionLine, error) {
	if !from.IsValid() || months < 1 || months > 120 {
		return nil, invalid("months", "range", "a start date and 1-120 months")
	}
	var out []CollectionLine
	err := c.receivables(ctx, actor, ID{}, func(tx ReadTx) error {
		items, err := tx.Ledger().OpenItems(ctx, ID{}, Date{})
		if err != nil {
			return err
		}
		var contracts []Contract
		page := PageRequest{Limit: MaxPageSize}
		for {
			cs, err := tx.Contracts().List(ctx, ContractFilter{Status: ContractActive}, page)
			if err != nil {
				return err
			}
			contracts = append(contracts, cs...)
			if len(cs) < page.Limit {
				break
			}
			page.After = cs[len(cs)-1].ID
		}
		out = ExpectedCollections(contracts, items, from, months)
		return nil
	})
	return out, err
}

// CLV is a customer's lifetime value from the ledger, and its ratio to
// what acquiring them cost.
type CLV struct {
	Customer ID
	Revenue  []Money         // net revenue booked for the customer, per currency
	Campaign ID              // the campaign that brought them, if any
	CAC      Money           // its acquisition cost per customer
	Ratio    decimal.Decimal // revenue in the CAC's currency over the CAC, to two decimals
	HasRatio bool
}

// CustomerLifetimeValue returns a customer's CLV and its ratio to the
// acquisition cost of the campaign that brought them.
func (c *CRM) CustomerLifetimeValue(ctx context.Context, actor, customer ID) (CLV, error) {
	out := CLV{Customer: customer}
	err := c.receivables(ctx, actor, customer, func(tx ReadTx) error {
		cu, err := tx.Customers().Get(ctx, customer)
		if err != nil {
			return err
		}
		revenue, err := tx.Ledger().Revenue(ctx, customer, Date{}, Date{})
		if err != nil {
			return err
		}
		for _, r := range revenue {
			out.Revenue = append(out.Revenue, MoneyFromMinor(r.NetRevenueMinor, r.Currency))
		}
		if cu.Campaign.IsZero() {
			return nil
		}
		cp, err := tx.Campaigns().Get(ctx, cu.Campaign)
		if err != nil {
			return err
		}
		counts, err := tx.Sales().Campaign(ctx, cp)
		if err != nil {
			return err
		}
		rep := cp.Report(counts)
		out.Campaign, out.CAC = cp.ID, rep.CAC
		for _, m := range out.Revenue {
			if m.Currency() == rep.CAC.Currency() && rep.CAC.IsPositive() {
				out.Ratio, out.HasRatio = m.Amount().DivRound(rep.CAC.Amount(), 2), true
			}
		}
		return nil
	})
	return out, err
}

// LedgerError names an entry that breaks an invariant of the ledger. It
// matches ErrLedgerBroken with errors.Is.
type LedgerError struct {
	Entry   ID
	Problem string
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

// VerifyLedger checks every invariant of the receivables ledger: each
// entry balances per currency; a reversal mirrors the entry it reverses,
// which is not itself a reversal and is reversed once; idempotency keys
// are unique; every receivable item is an invoice of that customer and
// currency and every credit item a payment or credit note; no invoice is
// overpaid and no credit overdrawn; the store's open items and balances
// equal those recomputed from the entries; the open items of each
// customer add up to their account balances; and every currency's
// balances add up to zero.
func (c *CRM) VerifyLedger(ctx context.Context, actor ID) error {
	return c.receivables(ctx, actor, ID{}, func(tx ReadTx) error {
		entries, err := allEntries(ctx, tx.Ledger(), EntryFilter{})
		if err != nil {
			return err
		}
		if err := verifyEntries(ctx, tx, entries); err != nil {
			return err
		}
		return reconcile(ctx, tx.Ledger(), entries)
	})
}

func verifyEntries(ctx context.Context, tx ReadTx, entries []Entry) error {
	byID := make(map[ID]Entry, len(entries))
	keys := map[string]ID{}
	reversed := map[ID]ID{}
	for _, e := range entries {
		byID[e.ID] = e
	}
	invoices, credits, err := documents(ctx, tx)
	if err != nil {
		return err
	}
	for _, e := range entries {
		broken := func(format string, args ...any) error {
			return &LedgerError{Entry: e.ID, Problem: fmt.Sprintf(format, args...)}
		}
		if err := e.Check(); err != nil {
			return broken("%v", err)
		}
		if e.IdempotencyKey != "" {
			if prev, dup := keys[e.IdempotencyKey]; dup {
				return broken("idempotency key %q is also on entry %s", e.IdempotencyKey, prev)
			}
			keys[e.IdempotencyKey] = e.ID
		}
		if !e.Reverses.IsZero() {
			orig, ok := byID[e.Reverses]
			switch {
			case !ok:
				return broken("reverses entry %s, which does not exist", e.Reverses)
			case orig.Kind == EntryReversal:
				return broken("reverses a reversal")
			case reversed[e.Reverses] != ID{}:
				return broken("reverses entry %s, reversed already by %s", e.Reverses, reversed[e.Reverses])
			case !mirrors(e, orig):
				return broken("does not mirror the entry it reverses")
			}
			reversed[e.Reverses] = e.ID
		}
		for _, p := range e.Postings {
			if err := checkDocument(invoices, credits, p); err != nil {
				return broken("%v", err)
			}
		}
	}
	return nil
}

// mirrors reports whether r's postings are exactly o's negated.
func mirrors(r, o Entry) bool {
	if len(r.Postings) != len(o.Postings) {
		return false
	}
	for i, p := range o.Postings {
		q := r.Postings[i]
		if q.Account != p.Account || q.Customer != p.Customer || q.Item != p.Item || !q.Amount.Equal(p.Amount.Neg()) {
			return false
		}
	}
	return true
}

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

// checkDocument checks that a customer posting's item is a document of
// that customer and currency: an invoice for the receivable, a payment or
// credit note for the credit.
func checkDocument(invoices, credits map[ID]document, p Posting) error {
	docs, what := credits, "credit"
	switch {
	case !p.Account.perCustomer():
		return nil
	case p.Account == AccountReceivable:
		docs, what = invoices, "invoice"
	}
	d, ok := docs[p.Item]
	switch {
	case !ok:
		return fmt.Errorf("%s item %s is not a known %s", p.Account, p.Item, what)
	case d.customer != p.Customer || d.currency != p.Amount.Currency():
		return fmt.Errorf("%s item %s is a %s of another customer or currency", p.Account, p.Item, what)
	}
	return nil
}

// reconcile compares the store's sums with the entries' and the open items
// with the balances.
func reconcile(ctx context.Context, l LedgerReader, entries []Entry) error {
	items := OpenItems(entries, ID{}, Date{})
	stored, err := l.OpenItems(ctx, ID{}, Date{})
	if err != nil {
		return err
	}
	if !slices.EqualFunc(items, stored, openItemEqual) {
		return &LedgerError{Problem: "the store's open items differ from those of the entries"}
	}
	balances := Balances(entries, Date{})
	storedBalances, err := l.Balances(ctx, Date{})
	if err != nil {
		return err
	}
	if !slices.EqualFunc(balances, storedBalances, func(a, b Balance) bool {
		return a.Account == b.Account && a.Customer == b.Customer && a.Amount.Equal(b.Amount)
	}) {
		return &LedgerError{Problem: "the store's balances differ from those of the entries"}
	}
	type key struct {
		account  AccountType
		customer ID
		currency Currency
	}
	sums := map[key]int64{}
	for _, it := range items {
		if (it.Account == AccountReceivable && it.Open.IsNegative()) || (it.Account == AccountCredit && it.Open.IsPositive()) {
			return &LedgerError{Problem: fmt.Sprintf("item %s of customer %s is overdrawn: %s", it.Item, it.Customer, it.Open)}
		}
		sums[key{it.Account, it.Customer, it.Open.Currency()}] += minorOf(it.Open)
	}
	zero := map[Currency]int64{}
	for _, b := range balances {
		zero[b.Amount.Currency()] += minorOf(b.Amount)
		if b.Account.perCustomer() && sums[key{b.Account, b.Customer, b.Amount.Currency()}] != minorOf(b.Amount) {
			return &LedgerError{Problem: fmt.Sprintf("the open items of customer %s do not add up to their %s balance %s", b.Customer, b.Account, b.Amount)}
		}
	}
	for cur, v := range zero {
		if v != 0 {
			return &LedgerError{Problem: fmt.Sprintf("the balances in %s add up to %s, not zero", cur, MoneyFromMinor(v, cur))}
		}
	}
	return nil
}

func openItemEqual(a, b OpenItem) bool {
	return a.Customer == b.Customer && a.Account == b.Account && a.Item == b.Item && a.Due == b.Due && a.Open.Equal(b.Open)
}
