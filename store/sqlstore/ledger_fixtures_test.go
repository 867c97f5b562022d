package sqlstore_test

import (
	"context"
	"math"
	"testing"

	"github.com/crmkit/crm"
	"github.com/shopspring/decimal"
)

// sampleEntry is an allocation of a euro payment to a dollar invoice
// through fx_clearing, with every field set and hostile text.
func sampleEntry(t *testing.T, customer crm.ID) crm.Entry {
	return crm.Entry{ID: newID(t), Kind: crm.EntryAllocation, Customer: customer, Document: newID(t),
		Effective: day(2026, 3, 2), RecordedAt: at(5), RecordedBy: newID(t), Description: "Allocation " + hostile,
		Postings: []crm.Posting{
			{Account: crm.AccountCredit, Customer: customer, Amount: crm.MoneyFromMinor(10_000, eur), Item: newID(t)},
			{Account: crm.AccountFXClearing, Amount: crm.MoneyFromMinor(-10_000, eur)},
			{Account: crm.AccountFXClearing, Amount: crm.MoneyFromMinor(10_850, usd)},
			{Account: crm.AccountReceivable, Customer: customer, Amount: crm.MoneyFromMinor(-10_850, usd), Item: newID(t),
				Due: day(2026, 3, 31)},
		},
		IdempotencyKey: "key " + hostileShort, RequestHash: crm.Hash{1, 2, 3, 255}}
}

// entryVariants are entries that between them set and leave empty every
// field: a reversal, postings nil and empty, the zero effective date, the
// largest amounts, zero and currency-less amounts, a posting of the first
// and the last date.
func entryVariants(t *testing.T, customer crm.ID) map[string]crm.Entry {
	orig := sampleEntry(t, customer)
	reversal := orig.Reversal(newID(t), day(2026, 3, 3), at(6), newID(t), "reversal: "+hostile)
	noPostings := crm.Entry{ID: newID(t), Kind: "odd", Customer: customer, RecordedAt: at(7)}
	empty := noPostings
	empty.ID, empty.Postings = newID(t), []crm.Posting{}
	largest := crm.Entry{ID: newID(t), Kind: crm.EntryInvoice, Customer: customer, Effective: day(9999, 12, 31),
		RecordedAt: at(8), Postings: []crm.Posting{
			{Account: crm.AccountReceivable, Customer: customer, Amount: crm.MoneyFromMinor(math.MaxInt64, kwd),
				Item: newID(t), Due: day(1, 1, 1)},
			{Account: crm.AccountRevenue, Amount: crm.MoneyFromMinor(math.MinInt64, jpy)},
			{Account: crm.AccountTax, Amount: crm.Zero(eur)},
			{Account: "suspense"},
		}}
	return map[string]crm.Entry{"allocation": orig, "reversal": reversal, "nil postings": noPostings,
		"empty postings": empty, "largest amounts, first and last dates": largest}
}

// sampleInvoice has every field set: lines whose quantities and rates keep
// their exponents (1.50, 15e1, a rate of 0.190), a zero rate of each kind,
// hostile text.
func sampleInvoice(t *testing.T, customer crm.ID) crm.Invoice {
	return crm.Invoice{ID: newID(t), Customer: customer, Number: "INV-" + hostileShort, Currency: eur,
		Lines: []crm.InvoiceLine{
			{Description: "Consulting " + hostile, Quantity: decimal.RequireFromString("1.50"),
				UnitPrice: crm.MoneyFromMinor(120_000, eur), TaxRate: decimal.RequireFromString("0.190")},
			{Description: "Bulk", Quantity: decimal.New(15, 1), UnitPrice: crm.MoneyFromMinor(1, eur), TaxRate: decimal.Zero},
			{Description: "Free", Quantity: decimal.NewFromInt(1), UnitPrice: crm.Zero(eur)},
		},
		Net: crm.MoneyFromMinor(180_150, eur), Tax: crm.MoneyFromMinor(34_200, eur), Total: crm.MoneyFromMinor(214_350, eur),
		Issued: day(2026, 3, 1), Due: day(2026, 3, 31), Contract: newID(t), Installment: 2, Entry: newID(t),
		CreatedAt: at(9), Version: 1}
}

// sampleCredits are a payment, whose net and tax are the zero Money, and
// a credit note with both.
func sampleCredits(t *testing.T, customer crm.ID) map[string]crm.Credit {
	return map[string]crm.Credit{
		"payment": {ID: newID(t), Customer: customer, Kind: crm.CreditPayment, Amount: crm.MoneyFromMinor(5_000, jpy),
			Received: day(2026, 3, 2), Reference: "Wire " + hostile, Entry: newID(t), CreatedAt: at(10), Version: 1},
		"credit note": {ID: newID(t), Customer: customer, Kind: crm.CreditCreditNote, Amount: crm.MoneyFromMinor(1_190, kwd),
			Net: crm.MoneyFromMinor(1_000, kwd), Tax: crm.MoneyFromMinor(190, kwd), Received: day(2026, 2, 28),
			Reference: hostileShort, Entry: newID(t), CreatedAt: at(11), Version: 1},
		"bare": {ID: newID(t), Customer: customer, Version: 1},
	}
}

// sampleContract is an active contract with every field set: a monthly
// plan whose first installment is invoiced, two approval steps, a
// rejection and then approvals.
func sampleContract(t *testing.T, customer crm.ID) crm.Contract {
	amount := crm.MoneyFromMinor(1_000_001, eur)
	plan, err := crm.NewPaymentPlan(crm.PlanMonthly, amount, day(2026, 3, 31), crm.PlanOptions{Months: 3})
	if err != nil {
		t.Fatal(err)
	}
	plan.Installments[0].Invoice = newID(t)
	owner, manager := newID(t), newID(t)
	return crm.Contract{ID: newID(t), Customer: customer, Owner: owner, Team: hostileShort, Title: "Support " + hostile,
		Terms: "Terms " + hostile, Amount: amount, Start: day(2026, 3, 31), End: day(2026, 6, 30), Plan: plan,
		Status: crm.ContractActive, Submitter: owner, Steps: []crm.ApprovalStep{crm.StepManager, crm.StepFinance},
		Approvals: []crm.Approval{
			{Step: crm.StepManager, Actor: manager, At: at(30), Approved: false, Comment: "Too cheap " + hostile},
			{Step: crm.StepManager, Actor: manager, At: at(31), Approved: true},
			{Step: crm.StepFinance, Actor: newID(t), At: at(32), Approved: true, Comment: "OK"},
		},
		SignedAt: at(33), CreatedAt: at(29), UpdatedAt: at(33), Version: 1}
}

var contractRules = versionRules[crm.Contract]{
	kind:        crm.KindContract,
	id:          func(c crm.Contract) crm.ID { return c.ID },
	withVersion: func(c crm.Contract, v int64) crm.Contract { c.Version = v; return c },
	writer:      func(tx crm.Tx) writer[crm.Contract] { return tx.Contracts() },
	reader:      func(tx crm.ReadTx) reader[crm.Contract] { return tx.Contracts() },
}

// bookRules checks SaveBook, which inserts version 1 and updates the
// others, with the rules of the other versioned records.
var bookRules = versionRules[crm.Book]{
	kind:        crm.KindBook,
	id:          func(b crm.Book) crm.ID { return b.Customer },
	withVersion: func(b crm.Book, v int64) crm.Book { b.Version = v; return b },
	writer:      func(tx crm.Tx) writer[crm.Book] { return bookWriter{tx.Ledger()} },
	reader:      func(tx crm.ReadTx) reader[crm.Book] { return bookReader{tx.Ledger()} },
	save:        true,
}

type bookWriter struct{ l crm.LedgerRepository }

func (w bookWriter) Insert(ctx context.Context, b crm.Book) error { return w.l.SaveBook(ctx, b) }
func (w bookWriter) Update(ctx context.Context, b crm.Book) error { return w.l.SaveBook(ctx, b) }

type bookReader struct{ l crm.LedgerReader }

func (r bookReader) Get(ctx context.Context, customer crm.ID) (crm.Book, error) {
	return r.l.Book(ctx, customer)
}
