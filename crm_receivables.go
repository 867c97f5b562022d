package crm

import (
	"cmp"
	"context"
	"errors"
	"fmt"

	"github.com/crmkit/crm/internal/rows"
	"github.com/shopspring/decimal"
)

// receivables runs fn for a question across customers' receivables: for
// one customer, the actor may read them (a customer they may not read is
// reported missing); for every customer, the actor may analyze, and fn
// keeps only the rows of the customers the actor may read, which it asks
// see about.
func (c *engine) receivables(ctx context.Context, actor, customer ID, fn func(tx ReadTx, see visibility) error) error {
	return c.read(ctx, actor, func(tx ReadTx, a User) error {
		if customer.IsZero() {
			if err := c.policy.Authorize(a, ActionAnalyze, Target{Kind: KindEntry}); err != nil {
				return err
			}
			return fn(tx, c.visibility(ctx, tx, a))
		}
		cu, err := tx.Customers().Get(ctx, customer)
		if err != nil {
			return err
		}
		if !c.sees(a, cu.target()) {
			return hidden(KindCustomer, customer)
		}
		return fn(tx, everyone)
	})
}

// ledgerWide runs fn for a figure of the whole ledger that cannot be cut
// by customer (balances, DSO, expected collections, verification): only
// an actor who may analyze and read every customer may ask for it.
func (c *engine) ledgerWide(ctx context.Context, actor ID, fn func(tx ReadTx) error) error {
	return c.read(ctx, actor, func(tx ReadTx, a User) error {
		if err := c.policy.Authorize(a, ActionAnalyze, Target{Kind: KindEntry}); err != nil {
			return err
		}
		if !c.readsAll(a) {
			return &ForbiddenError{Actor: a.ID, Action: ActionRead, Kind: KindCustomer,
				Reason: "figures of the whole ledger are for those who may read every customer"}
		}
		return fn(tx)
	})
}

// ReceivableQuery asks about one customer's receivables, or every
// customer's when Customer is zero, as of a day, today when AsOf is zero.
type ReceivableQuery struct {
	Customer ID   `json:"customer,omitzero"`
	AsOf     Date `json:"as_of,omitzero"`
}

// asOf is the query's day: AsOf, or today by the CRM's clock and
// calendar.
func (c *engine) asOf(d Date) Date {
	if d.IsZero() {
		return c.today()
	}
	return d
}

// OpenItems returns what is open on a customer's invoices and credits (of
// every customer when q.Customer is zero) as of a day (zero for today).
func (c *ReceivableService) OpenItems(ctx context.Context, actor ID, q ReceivableQuery) ([]OpenItem, error) {
	customer, asOf := q.Customer, c.asOf(q.AsOf)
	var out []OpenItem
	err := c.receivables(ctx, actor, customer, func(tx ReadTx, see visibility) error {
		items, err := tx.Ledger().OpenItems(ctx, customer, asOf)
		if err != nil {
			return err
		}
		out, err = keepSeen(see, items, func(it OpenItem) ID { return it.Customer })
		return err
	})
	return out, err
}

// InvoiceState is an invoice with what was open on it on a day and its
// status then, both derived from the ledger, never stored.
type InvoiceState struct {
	Invoice
	Open   Money         `json:"open"`
	Status InvoiceStatus `json:"status,omitempty"`
}

// Invoices returns a customer's invoices (every customer's when
// q.Customer is zero) issued by a day (zero for today), in the order they
// were recorded, each with what was open on it that day and its status:
// open, partly paid, overdue, paid, or cancelled when its entry was
// reversed. It reads them and the ledger in one transaction.
func (c *ReceivableService) Invoices(ctx context.Context, actor ID, q ReceivableQuery) ([]InvoiceState, error) {
	customer, asOf := q.Customer, c.asOf(q.AsOf)
	var out []InvoiceState
	err := c.receivables(ctx, actor, customer, func(tx ReadTx, see visibility) error {
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
				if ok, err := see(inv.Customer); err != nil || !ok {
					if err != nil {
						return err
					}
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
// currency (of one customer when q.Customer is set), as of a day (zero
// for today).
func (c *ReceivableService) Debts(ctx context.Context, actor ID, q ReceivableQuery) ([]Debt, error) {
	items, err := c.OpenItems(ctx, actor, q)
	return debtsOf(items), err
}

// AgingReport is how long what customers owe has been overdue as of a
// day: a row per customer and currency, and the labels of the buckets the
// rows' amounts are in.
type AgingReport struct {
	AsOf    Date       `json:"as_of,omitzero"`
	Buckets []string   `json:"buckets,omitempty"`
	Rows    []AgingRow `json:"rows,omitempty"`
}

// Aging returns how long what customers owe has been overdue as of
// q.AsOf, past or present, in q's buckets, which always add up to each
// row's total. A zero q.AsOf is today.
func (c *ReceivableService) Aging(ctx context.Context, actor ID, q AgingQuery) (AgingReport, error) {
	q.AsOf = c.asOf(q.AsOf)
	q, err := q.Normalized()
	if err != nil {
		return AgingReport{}, err
	}
	out := AgingReport{AsOf: q.AsOf, Buckets: q.Labels()}
	err = c.receivables(ctx, actor, q.Customer, func(tx ReadTx, see visibility) error {
		amounts, err := tx.Ledger().Aging(ctx, q)
		if err != nil {
			return err
		}
		out.Rows, err = keepSeen(see, q.Rows(amounts), func(r AgingRow) ID { return r.Customer })
		return err
	})
	return out, err
}

// StatementQuery asks for Customer's statement in Currency over [From,
// To]; a zero From starts at the beginning, a zero To is today.
type StatementQuery struct {
	Customer ID       `json:"customer,omitzero"`
	Currency Currency `json:"currency,omitzero"`
	From     Date     `json:"from,omitzero"`
	To       Date     `json:"to,omitzero"`
}

// Statement is a customer's statement in one currency over a period:
// the entries that changed what they owe, with the running balance.
type Statement struct {
	Customer ID              `json:"customer,omitzero"`
	Currency Currency        `json:"currency,omitzero"`
	From     Date            `json:"from,omitzero"`
	To       Date            `json:"to,omitzero"`
	Lines    []StatementLine `json:"lines,omitempty"`
}

// Statement returns a customer's statement in a currency over a period
// with the running balance.
func (c *ReceivableService) Statement(ctx context.Context, actor ID, q StatementQuery) (Statement, error) {
	out := Statement{Customer: q.Customer, Currency: q.Currency, From: q.From, To: c.asOf(q.To)}
	err := c.receivables(ctx, actor, q.Customer, func(tx ReadTx, _ visibility) error {
		entries, err := allEntries(ctx, tx.Ledger(), EntryFilter{Customer: q.Customer, To: out.To})
		out.Lines = statementLines(entries, q.Customer, q.Currency, q.From, out.To)
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

// Balances returns every account's balance as of a day (zero for
// today); q.Customer must be zero, as balances are the whole ledger's.
func (c *ReceivableService) Balances(ctx context.Context, actor ID, q ReceivableQuery) ([]Balance, error) {
	if !q.Customer.IsZero() {
		return nil, invalid("customer", "zero", "balances are the whole ledger's; ask OpenItems or Debts about one customer")
	}
	asOf := c.asOf(q.AsOf)
	var out []Balance
	err := c.ledgerWide(ctx, actor, func(tx ReadTx) error {
		var err error
		out, err = tx.Ledger().Balances(ctx, asOf)
		return err
	})
	return out, err
}

// DSOQuery asks for days sales outstanding in Currency over [From, To].
type DSOQuery struct {
	Currency Currency `json:"currency,omitzero"`
	From     Date     `json:"from,omitzero"`
	To       Date     `json:"to,omitzero"`
}

// DSO is days sales outstanding over a period: what customers owe at its
// end (Owed) over what they were invoiced in it (Invoiced), times its
// days, to two decimals. Defined is false, and Days zero, when nothing was
// invoiced.
type DSO struct {
	Currency Currency        `json:"currency,omitzero"`
	From     Date            `json:"from,omitzero"`
	To       Date            `json:"to,omitzero"`
	Owed     Money           `json:"owed"`
	Invoiced Money           `json:"invoiced"`
	Days     decimal.Decimal `json:"days,omitzero"`
	Defined  bool            `json:"defined,omitempty"`
}

// DSO returns days sales outstanding in a currency over a period.
func (c *ReceivableService) DSO(ctx context.Context, actor ID, q DSOQuery) (DSO, error) {
	currency, from, to := q.Currency, q.From, q.To
	if !from.IsValid() || !to.IsValid() || to.Before(from) {
		return DSO{}, invalid("to", "after_from", "a period with both ends")
	}
	if currency.IsZero() {
		return DSO{}, invalid("currency", "required", "")
	}
	out := DSO{Currency: currency, From: from, To: to}
	err := c.ledgerWide(ctx, actor, func(tx ReadTx) error {
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
		out.Owed, out.Invoiced = owed, invoiced
		out.Days, out.Defined = daysOutstanding(owed, invoiced, to.DaysSince(from)+1)
		return nil
	})
	return out, err
}

// CollectionLine is what a month is expected to bring in a currency: the
// open invoices due that month (overdue ones in the first month) and the
// installments of active contracts not yet invoiced.
type CollectionLine struct {
	Month    string   `json:"month,omitempty"`
	Currency Currency `json:"currency,omitzero"`
	Invoiced Money    `json:"invoiced"`
	Planned  Money    `json:"planned"`
}

// expectedCollections is what months from a date are expected to bring,
// from open invoices and payment plans; months after the last are left
// out.
func expectedCollections(contracts []Contract, items []OpenItem, from Date, months int) []CollectionLine {
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
		l := rows.Get(acc, k, func() *CollectionLine {
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
	return rows.Sorted(acc, func(a, b CollectionLine) int {
		return cmp.Or(cmp.Compare(a.Month, b.Month), cmp.Compare(a.Currency, b.Currency))
	})
}

// CollectionsQuery asks what Months months from From (today when zero)
// are expected to bring.
type CollectionsQuery struct {
	From   Date `json:"from,omitzero"`
	Months int  `json:"months"`
}

// ExpectedCollections returns what the next months are expected to bring
// from open invoices and the payment plans of active contracts.
func (c *ReceivableService) ExpectedCollections(ctx context.Context, actor ID, q CollectionsQuery) ([]CollectionLine, error) {
	from, months := c.asOf(q.From), q.Months
	if !from.IsValid() || months < 1 || months > 120 {
		return nil, invalid("months", "range", "a start date and 1-120 months")
	}
	var out []CollectionLine
	err := c.ledgerWide(ctx, actor, func(tx ReadTx) error {
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
		out = expectedCollections(contracts, items, from, months)
		return nil
	})
	return out, err
}

// CLV is a customer's lifetime value from the ledger, and its ratio to
// what acquiring them cost.
type CLV struct {
	Customer ID              `json:"customer,omitzero"`
	Revenue  []Money         `json:"revenue,omitempty"` // net revenue booked for the customer, per currency
	Campaign ID              `json:"campaign,omitzero"` // the campaign that brought them, if any
	CAC      Money           `json:"cac"`               // its acquisition cost per customer
	Ratio    decimal.Decimal `json:"ratio,omitzero"`    // revenue in the CAC's currency over the CAC, to two decimals
	HasRatio bool            `json:"has_ratio,omitempty"`
}

// LifetimeValue returns a customer's CLV and its ratio to the acquisition
// cost of the campaign that brought them.
func (c *ReceivableService) LifetimeValue(ctx context.Context, actor, customer ID) (CLV, error) {
	out := CLV{Customer: customer}
	err := c.receivables(ctx, actor, customer, func(tx ReadTx, _ visibility) error {
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
