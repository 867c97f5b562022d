package crm

import (
	"context"
	"slices"

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

// InvoiceState is an invoice with how its total stood on a day (what
// was open, and what closed the rest: paid, credited, written off or
// cancelled) and its status then, all derived from the ledger, never
// stored.
type InvoiceState struct {
	Invoice
	InvoiceSettlement
	Status InvoiceStatus `json:"status,omitempty"`
}

// Invoices returns a customer's invoices (every customer's when
// q.Customer is zero) issued by a day (zero for today), in the order they
// were recorded, each with how its total stood that day and its status
// (see InvoiceStatus): open, partly paid, overdue, paid, credited, written
// off, or cancelled when its entry was reversed. It reads them and the
// ledger in one transaction.
//
// Cost: the breakdown comes from one pass over the customer's entries
// effective by the day (every customer's when q.Customer is zero), not
// from a read per invoice, so it grows with the entries (an invoice has a
// few) rather than with invoices times reads; a credit's kind is read only
// when its own entry is not in the pass.
func (c *ReceivableService) Invoices(ctx context.Context, actor ID, q ReceivableQuery) ([]InvoiceState, error) {
	customer, asOf := q.Customer, c.asOf(q.AsOf)
	var out []InvoiceState
	err := c.receivables(ctx, actor, customer, func(tx ReadTx, see visibility) error {
		entries, err := allEntries(ctx, tx.Ledger(), EntryFilter{Customer: customer, To: asOf})
		if err != nil {
			return err
		}
		settled, err := settlements(entries, func(id ID) (CreditKind, error) {
			cr, err := tx.Credits().Get(ctx, id)
			return cr.Kind, err
		})
		if err != nil {
			return err
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
				s := InvoiceSettlement{Open: inv.Total}
				if got := settled[inv.ID]; got != nil {
					s = *got
				}
				cur := inv.Total.Currency()
				s.Paid, s.Credited, s.WrittenOff, s.Cancelled = cmpOrMoney(s.Paid, cur), cmpOrMoney(s.Credited, cur),
					cmpOrMoney(s.WrittenOff, cur), cmpOrMoney(s.Cancelled, cur)
				out = append(out, InvoiceState{Invoice: inv, InvoiceSettlement: s, Status: inv.StatusOn(s, asOf)})
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
// row's total, with each customer's unapplied credit beside them and what
// they owe net (see AgingRow). A zero q.AsOf is today.
//
// Cost: the buckets and the unapplied credit are added up by the store
// (Aging and UnappliedCredit), as of the same day: no open item is read.
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
		credits, err := tx.Ledger().UnappliedCredit(ctx, q.Customer, q.AsOf)
		if err != nil {
			return err
		}
		out.Rows, err = keepSeen(see, q.withCredit(q.Rows(amounts), credits), func(r AgingRow) ID { return r.Customer })
		return err
	})
	return out, err
}

// StatementQuery asks for Customer's statement in Currency over [From,
// To]; a zero From starts at the beginning, a zero To is today (by the
// CRM's calendar): entries effective later are not on it.
type StatementQuery struct {
	Customer ID       `json:"customer,omitzero"`
	Currency Currency `json:"currency,omitzero"`
	From     Date     `json:"from,omitzero"`
	To       Date     `json:"to,omitzero"`
}

// Statement is a customer's statement in one currency over a period: the
// balance brought forward (Opening: what they owed net of their unapplied
// credit at the end of the day before From; zero when From is zero), the
// entries that changed it, each with the running balance, and the balance
// at the end of To (Closing: Opening plus the lines' debits minus their
// credits). Positive: the customer owes; negative: the company owes the
// customer.
type Statement struct {
	Customer ID              `json:"customer,omitzero"`
	Currency Currency        `json:"currency,omitzero"`
	From     Date            `json:"from,omitzero"`
	To       Date            `json:"to,omitzero"`
	Opening  Money           `json:"opening"`
	Lines    []StatementLine `json:"lines,omitempty"`
	Closing  Money           `json:"closing"`
}

// Statement returns a customer's statement in a currency over a period,
// with the balance brought forward, the running balance and the closing
// balance. It reads the customer's entries effective by To once.
func (c *ReceivableService) Statement(ctx context.Context, actor ID, q StatementQuery) (Statement, error) {
	out := Statement{Customer: q.Customer, Currency: q.Currency, From: q.From, To: c.asOf(q.To)}
	switch {
	case q.Customer.IsZero():
		return Statement{}, invalid("customer", "required", "")
	case q.Currency.IsZero():
		return Statement{}, invalid("currency", "required", "")
	case !out.To.IsValid() || (!q.From.IsZero() && (!q.From.IsValid() || out.To.Before(q.From))):
		return Statement{}, invalid("to", "after_from", "a period that ends on or after it starts")
	}
	err := c.receivables(ctx, actor, q.Customer, func(tx ReadTx, _ visibility) error {
		entries, err := allEntries(ctx, tx.Ledger(), EntryFilter{Customer: q.Customer, To: out.To})
		out.Opening, out.Lines, out.Closing = statementOf(entries, q.Customer, q.Currency, q.From, out.To)
		return err
	})
	return out, err
}

// allEntries reads every entry matching f, a page at a time.
func allEntries(ctx context.Context, l LedgerReader, f EntryFilter) ([]Entry, error) {
	return readAll(func(p PageRequest) ([]Entry, error) { return l.Entries(ctx, f, p) }, func(e Entry) ID { return e.ID })
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

// DSOQuery asks for days sales outstanding in Currency over [From, To]:
// a zero To is today, a zero From the beginning (the first day anything
// was invoiced in Currency, by then).
type DSOQuery struct {
	Currency Currency `json:"currency,omitzero"`
	From     Date     `json:"from,omitzero"`
	To       Date     `json:"to,omitzero"`
}

// DSO is days sales outstanding over a period: what customers owe at its
// end (Owed) over what they were invoiced in it (Invoiced), times its
// days, to two decimals. Owed is net of each customer's unapplied credit
// and never below zero for any customer (one customer's prepayment does
// not pay another's invoices): a customer who paid ahead owes nothing,
// whatever their open invoices; Credit is the unapplied credit netted off
// (what is open on invoices is Owed plus Credit). Defined is false, and
// Days zero, when nothing was invoiced.
type DSO struct {
	Currency Currency        `json:"currency,omitzero"`
	From     Date            `json:"from,omitzero"`
	To       Date            `json:"to,omitzero"`
	Owed     Money           `json:"owed"`
	Credit   Money           `json:"credit"`
	Invoiced Money           `json:"invoiced"`
	Days     decimal.Decimal `json:"days,omitzero"`
	Defined  bool            `json:"defined,omitempty"`
}

// DSO returns days sales outstanding in a currency over a period. A zero
// From reads the currency's invoice entries once, to find the first day.
func (c *ReceivableService) DSO(ctx context.Context, actor ID, q DSOQuery) (DSO, error) {
	currency, from, to := q.Currency, q.From, c.asOf(q.To)
	if currency.IsZero() {
		return DSO{}, invalid("currency", "required", "")
	}
	if !to.IsValid() || (!from.IsZero() && (!from.IsValid() || to.Before(from))) {
		return DSO{}, invalid("to", "after_from", "a period that ends on or after it starts")
	}
	out := DSO{Currency: currency, From: from, To: to, Owed: Zero(currency), Credit: Zero(currency), Invoiced: Zero(currency)}
	err := c.ledgerWide(ctx, actor, func(tx ReadTx) error {
		if out.From.IsZero() {
			first, ok, err := firstInvoiced(ctx, tx.Ledger(), currency, to)
			if err != nil || !ok {
				return err // nothing invoiced: not defined
			}
			out.From = first
		}
		revenue, err := tx.Ledger().Revenue(ctx, ID{}, out.From, to)
		if err != nil {
			return err
		}
		items, err := tx.Ledger().OpenItems(ctx, ID{}, to)
		if err != nil {
			return err
		}
		for _, r := range revenue {
			if r.Currency == currency {
				out.Invoiced, _ = out.Invoiced.Add(MoneyFromMinor(r.InvoicedMinor, currency))
			}
		}
		for _, d := range debtsOf(items) {
			if d.Net.Currency() != currency {
				continue
			}
			netted := d.Credit
			if d.Net.IsPositive() {
				out.Owed, _ = out.Owed.Add(d.Net)
			} else {
				netted = d.Owed
			}
			out.Credit, _ = out.Credit.Add(netted)
		}
		out.Days, out.Defined = daysOutstanding(out.Owed, out.Invoiced, to.DaysSince(out.From)+1)
		return nil
	})
	return out, err
}

// firstInvoiced returns the first day anything was invoiced in a currency
// by a day, reading the invoice entries once; false when nothing was.
func firstInvoiced(ctx context.Context, l LedgerReader, currency Currency, by Date) (Date, bool, error) {
	entries, err := allEntries(ctx, l, EntryFilter{Kind: EntryInvoice, To: by})
	var first Date
	for _, e := range entries {
		if slices.ContainsFunc(e.Postings, func(p Posting) bool { return p.Account == AccountReceivable && p.Amount.Currency() == currency }) &&
			(first.IsZero() || e.Effective.Before(first)) {
			first = e.Effective
		}
	}
	return first, !first.IsZero(), err
}

// ExpectedCollections returns what the next months are expected to bring
// from what is open on invoices as of q.From (today when zero), net of
// the customers' unapplied credit and weighted by the collection
// probability of each invoice's aging bucket (see CollectionsQuery and
// CollectionLine), and from the payment plans of active contracts.
func (c *ReceivableService) ExpectedCollections(ctx context.Context, actor ID, q CollectionsQuery) ([]CollectionLine, error) {
	q.From = c.asOf(q.From)
	q, err := q.Normalized()
	if err != nil {
		return nil, err
	}
	var out []CollectionLine
	err = c.ledgerWide(ctx, actor, func(tx ReadTx) error {
		items, err := tx.Ledger().OpenItems(ctx, ID{}, q.From)
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
		out = q.expected(contracts, items)
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
	CAC      *Money          `json:"cac,omitempty"`     // its acquisition cost per customer; nil when it acquired nobody
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
			if rep.CAC != nil && m.Currency() == rep.CAC.Currency() && rep.CAC.IsPositive() {
				out.Ratio, out.HasRatio = m.Amount().DivRound(rep.CAC.Amount(), 2), true
			}
		}
		return nil
	})
	return out, err
}
