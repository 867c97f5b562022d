package crm

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAppendEntryJSON holds the writer Verify compares entries with to
// json.Marshal of the event data the CRM records: byte for byte where it
// says it writes an entry, and false where it cannot.
func TestAppendEntryJSON(t *testing.T) {
	id := func(b byte) ID { return ID{0x01, 0x9c, b, 0xff, 0, 0x10, 0x70, 0xab, 0x80, 0, 0, 0, 0, 0, 0, b} }
	jpy, kwd := JPY, KWD
	frac := Money{amount: decimal.New(1005, -3), currency: USD}
	day := Date{Year: 2026, Month: 3, Day: 2}
	cases := []struct {
		name  string
		entry Entry
		plain bool
	}{
		{"Invoice", Entry{Kind: EntryInvoice, Customer: id(1), Document: id(2), Effective: day, Postings: []Posting{
			{Account: AccountReceivable, Customer: id(1), Item: id(2), Due: day.AddDays(30), Amount: MoneyFromMinor(1050, USD)},
			{Account: AccountRevenue, Amount: MoneyFromMinor(-1050, USD)}}}, true},
		{"SmallAndNegative", Entry{Kind: EntryAllocation, Customer: id(1), Effective: day, Postings: []Posting{
			{Account: AccountCredit, Customer: id(1), Item: id(3), Amount: MoneyFromMinor(5, USD)},
			{Account: AccountReceivable, Customer: id(1), Item: id(2), Amount: MoneyFromMinor(-5, USD)},
			{Account: AccountFXClearing, Amount: MoneyFromMinor(-7, kwd)},
			{Account: AccountFXClearing, Amount: MoneyFromMinor(7, jpy)},
			{Account: AccountCash, Amount: MoneyFromMinor(math.MinInt64, USD)},
			{Account: AccountCash, Amount: MoneyFromMinor(math.MaxInt64, USD)},
			{Account: AccountCash, Amount: Money{amount: decimal.New(15, 1), currency: USD}},
			{Account: AccountCash, Amount: frac}}}, true},
		{"Reversal", Entry{Kind: EntryReversal, Customer: id(1), Effective: Date{Year: 7, Month: 1, Day: 9}, Reverses: id(4),
			Postings: []Posting{{Account: AccountCash, Amount: Zero(USD)}, {Account: AccountRevenue}}}, true},
		{"Empty", Entry{}, true},
		{"NoPostings", Entry{Kind: EntryPayment, Postings: []Posting{}}, true},
		{"Escaped", Entry{Kind: "<&>", Effective: day}, false},
		{"FarDate", Entry{Kind: EntryPayment, Effective: Date{Year: 12026, Month: 1, Day: 1}}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want, err := json.Marshal(entryData(c.entry))
			require.NoError(t, err)
			got, plain := appendEntryJSON(nil, &c.entry)
			assert.Equal(t, c.plain, plain)
			if plain {
				assert.Equal(t, string(want), string(got))
			}
		})
	}
	e := cases[0].entry
	buf := make([]byte, 0, 1024)
	assert.Zero(t, testing.AllocsPerRun(10, func() { _, _ = appendEntryJSON(buf[:0], &e) }))
	assert.Zero(t, testing.AllocsPerRun(10, func() { _ = e.Check() }), "a balanced entry checks without allocating")
}
