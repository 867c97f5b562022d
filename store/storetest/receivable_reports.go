package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runReceivableReports checks that the receivables reports tell the
// truth on the store: an invoice closed by a credit note or a write-off
// is not shown paid; unapplied credit appears in the aging beside the
// buckets, lowers DSO and settles invoices in expected collections
// instead of cash; a statement opens with the balance brought forward and
// leaves out what is dated after its end.
func runReceivableReports(t *testing.T, newStore NewStoreFunc) {
	t.Run("InvoiceStatusesTellTheTruth", func(t *testing.T) { runInvoiceStatuses(t, newStore) })
	t.Run("UnappliedCreditInAgingDSOAndCollections", func(t *testing.T) { runUnappliedCreditReports(t, newStore) })
	t.Run("StatementOpensAndCloses", func(t *testing.T) { runStatementBalances(t, newStore) })
}

// reports is a books whose today is 2026-06-15, with helpers that post
// in euros on given days.
type reports struct {
	*books
	t *testing.T
}

func newReports(t *testing.T, newStore NewStoreFunc) *reports {
	b := newBooks(t, newStore(t))
	b.Clock.Set(time.Date(2026, 6, 15, 9, 0, 0, 0, time.UTC))
	return &reports{books: b, t: t}
}

func (r *reports) day(s string) crm.Date {
	d, err := crm.ParseDate(s)
	require.NoError(r.t, err)
	return d
}

func (r *reports) eur(minor int64) crm.Money { return crm.MoneyFromMinor(minor, eur) }

// invoice issues an invoice of cents to customer on issued, due 30 days
// later.
func (r *reports) invoice(customer crm.ID, cents int64, issued string) crm.Invoice {
	n := newInvoice(customer, r.eur(cents), "")
	n.Issued = r.day(issued)
	inv, err := r.Ledger.IssueInvoice(bg, r.fin.ID, n)
	require.NoError(r.t, err)
	return inv
}

// payment receives cents from customer on received, kept as credit.
func (r *reports) payment(customer crm.ID, cents int64, received string) crm.Credit {
	rc, err := r.Ledger.ReceivePayment(bg, r.fin.ID, crm.NewPayment{Customer: customer, Amount: r.eur(cents), Received: r.day(received)})
	require.NoError(r.t, err)
	return rc.Payment
}

// creditNote credits cents of an invoice today, applied to it.
func (r *reports) creditNote(customer crm.ID, inv crm.Invoice, cents int64) crm.Credit {
	cr, err := r.Ledger.IssueCreditNote(bg, r.fin.ID, crm.NewCreditNote{Customer: customer, Invoice: inv.ID, Net: r.eur(cents), Reason: "Returned goods"})
	require.NoError(r.t, err)
	return cr
}

// apply allocates cents of a credit to an invoice today.
func (r *reports) apply(customer crm.ID, credit crm.Credit, inv crm.Invoice, cents int64) crm.Entry {
	e, err := r.Ledger.Allocate(bg, r.fin.ID, crm.AllocationRequest{Customer: customer, Credit: credit.ID, Invoice: inv.ID, Amount: r.eur(cents)})
	require.NoError(r.t, err)
	return e
}

// writeOff writes off what is open on an invoice (all of it when cents
// is zero) on a day.
func (r *reports) writeOff(customer crm.ID, inv crm.Invoice, cents int64, effective string) crm.Entry {
	req := crm.WriteOffRequest{Customer: customer, Invoice: inv.ID, Reason: "Uncollectible", Effective: r.day(effective)}
	if cents > 0 {
		req.Amount = new(r.eur(cents))
	}
	e, err := r.Ledger.WriteOff(bg, r.fin.ID, req)
	require.NoError(r.t, err)
	return e
}

func (r *reports) reverse(entry crm.ID) {
	_, err := r.Ledger.Reverse(bg, r.fin.ID, crm.ReverseRequest{Entry: entry, Reason: "Posted by mistake"})
	require.NoError(r.t, err)
}

// runInvoiceStatuses posts every way an invoice closes, alone and
// together, and reads the statuses and the breakdown as of two days.
func runInvoiceStatuses(t *testing.T, newStore NewStoreFunc) {
	r := newReports(t, newStore)
	c := r.customer(t, "Every way")
	paid := r.invoice(c, 100_00, "2026-05-01")
	r.apply(c, r.payment(c, 100_00, "2026-05-20"), paid, 100_00)
	credited := r.invoice(c, 100_00, "2026-05-01")
	r.creditNote(c, credited, 100_00)
	writtenOff := r.invoice(c, 100_00, "2026-04-01")
	r.writeOff(c, writtenOff, 0, "2026-06-10")
	mixed := r.invoice(c, 100_00, "2026-04-01") // part paid, the rest written off
	_, err := r.Ledger.Allocate(bg, r.fin.ID, crm.AllocationRequest{Customer: c, Credit: r.payment(c, 60_00, "2026-05-02").ID, Invoice: mixed.ID,
		Amount: r.eur(60_00), Effective: r.day("2026-05-02")})
	require.NoError(t, err)
	r.writeOff(c, mixed, 0, "2026-06-10")
	partCredited := r.invoice(c, 100_00, "2026-06-01") // due 2026-07-01
	r.creditNote(c, partCredited, 30_00)
	creditedAndPaid := r.invoice(c, 100_00, "2026-06-01")
	r.creditNote(c, creditedAndPaid, 30_00)
	r.apply(c, r.payment(c, 20_00, "2026-06-02"), creditedAndPaid, 20_00)
	cancelled := r.invoice(c, 100_00, "2026-06-01")
	r.reverse(cancelled.Entry)
	reopened := r.invoice(c, 100_00, "2026-04-01") // written off, then the write-off reversed
	r.reverse(r.writeOff(c, reopened, 0, "2026-06-10").ID)

	// status open paid credited written_off cancelled
	want := map[crm.ID]string{
		paid.ID:            "paid 0 100 0 0 0",
		credited.ID:        "credited 0 0 100 0 0",
		writtenOff.ID:      "written_off 0 0 0 100 0",
		mixed.ID:           "written_off 0 60 0 40 0",
		partCredited.ID:    "open 70 0 30 0 0",
		creditedAndPaid.ID: "partly_paid 50 20 30 0 0",
		cancelled.ID:       "cancelled 0 0 0 0 100",
		reopened.ID:        "overdue 100 0 0 0 0",
	}
	assert.Equal(t, want, r.statuses(c, crm.Date{}), "today")
	before := r.statuses(c, r.day("2026-06-05")) // before the write-offs and the allocations made today
	assert.Equal(t, "overdue 100 0 0 0 0", before[writtenOff.ID])
	assert.Equal(t, "partly_paid_overdue 40 60 0 0 0", before[mixed.ID])
	assert.Equal(t, "overdue 100 0 0 0 0", before[credited.ID], "the credit note was applied on the 15th")
	r.verify(t, c)
}

// statuses returns each invoice's status and breakdown in whole euros,
// as of a day, and requires the breakdown to add up to the total.
func (r *reports) statuses(customer crm.ID, asOf crm.Date) map[crm.ID]string {
	states, err := r.Receivables.Invoices(bg, r.fin.ID, crm.ReceivableQuery{Customer: customer, AsOf: asOf})
	require.NoError(r.t, err)
	out := map[crm.ID]string{}
	for _, s := range states {
		parts := []crm.Money{s.Open, s.Paid, s.Credited, s.WrittenOff, s.Cancelled}
		sum, err := crm.Sum(eur, parts...)
		require.NoError(r.t, err)
		assert.True(r.t, sum.Equal(s.Total), "invoice %s: open, paid, credited, written off and cancelled add up to %s, not %s", s.ID, s.Total, sum)
		line := string(s.Status)
		for _, m := range parts {
			line += " " + m.Amount().String()
		}
		out[s.ID] = line
	}
	return out
}

// runUnappliedCreditReports has a customer who paid ahead of an overdue
// invoice, one who owes an invoice not yet due, one with credit only and
// one with an invoice over 120 days overdue.
func runUnappliedCreditReports(t *testing.T, newStore NewStoreFunc) {
	r := newReports(t, newStore)
	ahead, current, creditOnly, old := r.customer(t, "Paid ahead"), r.customer(t, "Current"), r.customer(t, "Credit only"), r.customer(t, "Old debt")
	r.invoice(ahead, 1000_00, "2026-02-01") // due 2026-03-03: 104 days overdue
	r.payment(ahead, 1000_00, "2026-03-05")
	r.invoice(current, 500_00, "2026-06-01") // due 2026-07-01
	r.payment(creditOnly, 200_00, "2026-06-01")
	r.invoice(old, 100_00, "2026-01-01") // due 2026-01-31: 135 days overdue

	aging, err := r.Receivables.Aging(bg, r.fin.ID, crm.AgingQuery{})
	require.NoError(t, err)
	assert.Equal(t, r.day("2026-06-15"), aging.AsOf, "a zero AsOf is today")
	got := map[crm.ID]string{}
	for _, row := range aging.Rows {
		line := ""
		for _, m := range row.Buckets {
			line += m.Amount().String() + " "
		}
		got[row.Customer] = line + "| " + row.Total.Amount().String() + " - " + row.Credit.Amount().String() + " = " + row.Net.Amount().String()
	}
	assert.Equal(t, map[crm.ID]string{
		ahead:      "0 0 0 0 1000 0 | 1000 - 1000 = 0",
		current:    "500 0 0 0 0 0 | 500 - 0 = 500",
		creditOnly: "0 0 0 0 0 0 | 0 - 200 = -200",
		old:        "0 0 0 0 0 100 | 100 - 0 = 100",
	}, got, "buckets, total, unapplied credit, net")
	debts, err := r.Receivables.Debts(bg, r.fin.ID, crm.ReceivableQuery{})
	require.NoError(t, err)
	require.Len(t, debts, len(aging.Rows))
	for i, d := range debts {
		row := aging.Rows[i]
		assert.Equal(t, []string{d.Owed.String(), d.Credit.String(), d.Net.String()}, []string{row.Total.String(), row.Credit.String(), row.Net.String()},
			"the aging of %s ends where its debts do", d.Customer)
	}

	agingEndsAtDebts(t, r.books, crm.ID{}, r.day("2026-03-04")) // before the payment ahead
	agingEndsAtDebts(t, r.books, crm.ID{}, r.day("2026-03-05"))
	agingEndsAtDebts(t, r.books, creditOnly, r.day("2026-05-31")) // nothing yet
	agingEndsAtDebts(t, r.books, creditOnly, r.day("2026-06-01"))
	agingSkipsUnseen(t, r.books)

	dso, err := r.Receivables.DSO(bg, r.fin.ID, crm.DSOQuery{Currency: eur, From: r.day("2026-01-01")})
	require.NoError(t, err)
	assert.Equal(t, []string{"1600.00 EUR", "600.00 EUR", "1000.00 EUR", "62.25"}, // 600 owed net over 1,600 invoiced, times 166 days
		[]string{dso.Invoiced.String(), dso.Owed.String(), dso.Credit.String(), dso.Days.String()})
	assert.Equal(t, r.day("2026-06-15"), dso.To, "a zero To is today")
	assert.True(t, dso.Defined)

	lines, err := r.Receivables.ExpectedCollections(bg, r.fin.ID, crm.CollectionsQuery{Months: 2})
	require.NoError(t, err)
	assert.Equal(t, []string{
		"2026-06 cash 10 credit 1000 doubtful 90", // over 120 days: 10% expected; the prepayment settles the rest
		"2026-07 cash 500 credit 0 doubtful 0",
	}, collectionLines(lines))
	sure := make([]decimal.Decimal, 6)
	for i := range sure {
		sure[i] = decimal.NewFromInt(1)
	}
	lines, err = r.Receivables.ExpectedCollections(bg, r.fin.ID, crm.CollectionsQuery{Months: 2, Probabilities: sure})
	require.NoError(t, err)
	assert.Equal(t, []string{"2026-06 cash 100 credit 1000 doubtful 0", "2026-07 cash 500 credit 0 doubtful 0"}, collectionLines(lines))
	for _, bad := range []crm.CollectionsQuery{
		{Months: 2, Probabilities: sure[:3]},
		{Months: 2, Probabilities: append(sure[:5:5], decimal.NewFromInt(2))},
		{Months: 2, Bounds: []int{30, 90}},
	} {
		_, err := r.Receivables.ExpectedCollections(bg, r.fin.ID, bad)
		assert.ErrorIs(t, err, crm.ErrInvalid, "%+v", bad)
	}
}

// agingEndsAtDebts requires the aging of a customer (every customer when
// zero) as of a past day to end where their debts do then: its credit
// column is the unapplied credit of that day.
func agingEndsAtDebts(t *testing.T, b *books, customer crm.ID, day crm.Date) {
	t.Helper()
	aging, err := b.Receivables.Aging(bg, b.fin.ID, crm.AgingQuery{Customer: customer, AsOf: day})
	require.NoError(t, err)
	debts, err := b.Receivables.Debts(bg, b.fin.ID, crm.ReceivableQuery{Customer: customer, AsOf: day})
	require.NoError(t, err)
	var want, got []string
	for _, d := range debts {
		want = append(want, fmt.Sprintf("%s owed %s, credit %s, net %s", d.Customer, d.Owed, d.Credit, d.Net))
	}
	for _, r := range aging.Rows {
		got = append(got, fmt.Sprintf("%s owed %s, credit %s, net %s", r.Customer, r.Total, r.Credit, r.Net))
	}
	assert.Equal(t, want, got, "as of %s, customer %s", day, customer)
}

// agingSkipsUnseen gives a customer of Sue's unapplied credit and
// requires the manager's aging to leave out, their credit too, the
// customers the manager may not read, and to keep the others.
func agingSkipsUnseen(t *testing.T, b *books) {
	t.Helper()
	sues, err := b.Customers.Create(bg, b.Sue.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: "Sue's prepaid"})
	require.NoError(t, err)
	_, err = b.Ledger.ReceivePayment(bg, b.fin.ID, crm.NewPayment{Customer: sues.ID, Amount: crm.MoneyFromMinor(50_00, eur), Received: crm.DateOf(b.Clock.Now())})
	require.NoError(t, err)
	all, err := b.Receivables.Aging(bg, b.fin.ID, crm.AgingQuery{})
	require.NoError(t, err)
	mine, err := b.Receivables.Aging(bg, b.Manager.ID, crm.AgingQuery{})
	require.NoError(t, err)
	var want []crm.AgingRow
	hidden := 0
	for _, r := range all.Rows {
		if _, err := b.Customers.Get(bg, b.Manager.ID, r.Customer); err != nil {
			hidden++
			continue
		}
		want = append(want, r)
	}
	assert.Greater(t, hidden, 0, "a customer the manager may not read")
	assert.Equal(t, want, mine.Rows, "the rows of the customers the manager reads")
}

func collectionLines(lines []crm.CollectionLine) []string {
	var out []string
	for _, l := range lines {
		out = append(out, l.Month+" cash "+l.Invoiced.Amount().String()+" credit "+l.Credit.Amount().String()+" doubtful "+l.Doubtful.Amount().String())
	}
	return out
}

// runStatementBalances has a customer owe 1,000.00 from March, pay 300.00
// in April and be invoiced again in 2027.
func runStatementBalances(t *testing.T, newStore NewStoreFunc) {
	r := newReports(t, newStore)
	c := r.customer(t, "Long owing")
	r.invoice(c, 1000_00, "2026-03-05")
	_, err := r.Ledger.ReceivePayment(bg, r.fin.ID, crm.NewPayment{Customer: c, Amount: r.eur(300_00), Received: r.day("2026-04-10"),
		Allocation: crm.AllocateOldestFirst})
	require.NoError(t, err)
	r.invoice(c, 50_00, "2027-01-10")
	for _, tc := range []struct {
		name, from, to string
		want           string
	}{
		{"April", "2026-04-01", "2026-04-30", "2026-04-01..2026-04-30: 1000.00 EUR, payment -300.00 = 700.00 EUR, 700.00 EUR"},
		{"May", "2026-05-01", "2026-05-31", "2026-05-01..2026-05-31: 700.00 EUR, 700.00 EUR"},
		{"from the beginning to today", "", "", "..2026-06-15: 0.00 EUR, invoice +1000.00 = 1000.00 EUR, payment -300.00 = 700.00 EUR, 700.00 EUR"},
		{"into 2027", "2026-06-01", "2027-12-31", "2026-06-01..2027-12-31: 700.00 EUR, invoice +50.00 = 750.00 EUR, 750.00 EUR"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := crm.StatementQuery{Customer: c, Currency: eur}
			if tc.from != "" {
				q.From, q.To = r.day(tc.from), r.day(tc.to)
			}
			s, err := r.Receivables.Statement(context.Background(), r.fin.ID, q)
			require.NoError(t, err)
			got := ""
			if !s.From.IsZero() {
				got = s.From.String()
			}
			got += ".." + s.To.String() + ": " + s.Opening.String()
			for _, l := range s.Lines {
				if l.Debit.IsPositive() {
					got += ", " + string(l.Kind) + " +" + l.Debit.Amount().StringFixed(2)
				} else {
					got += ", " + string(l.Kind) + " -" + l.Credit.Amount().StringFixed(2)
				}
				got += " = " + l.Balance.String()
			}
			assert.Equal(t, tc.want, got+", "+s.Closing.String())
		})
	}
	_, err = r.Receivables.Statement(bg, r.fin.ID, crm.StatementQuery{Customer: c, Currency: eur, From: r.day("2026-05-01"), To: r.day("2026-04-01")})
	assert.ErrorIs(t, err, crm.ErrInvalid, "a period that ends before it starts")
}
