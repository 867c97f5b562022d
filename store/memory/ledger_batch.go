package memory

import (
	"context"
	"slices"

	"github.com/crmkit/crm"
)

// The ledger's batch calls: each is the single call of every item, in
// one call. In memory a call costs no round trip, so they loop; a failure
// leaves the transaction to roll back.

// EntriesByKeys implements crm.LedgerReader.
func (l ledger) EntriesByKeys(ctx context.Context, keys []string) ([]crm.Entry, error) {
	var out []crm.Entry
	for _, key := range keys {
		if e, err := l.EntryByKey(ctx, key); err == nil && !slices.ContainsFunc(out, func(o crm.Entry) bool { return o.ID == e.ID }) {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b crm.Entry) int { return a.ID.Compare(b.ID) })
	return out, nil
}

// AppendAll implements crm.LedgerRepository.
func (l ledger) AppendAll(ctx context.Context, entries []crm.Entry) error {
	for _, e := range entries {
		if err := l.Append(ctx, e); err != nil {
			return err
		}
	}
	return nil
}

// InsertAll implements crm.InvoiceRepository.
func (r invoiceRepo) InsertAll(ctx context.Context, invoices []crm.Invoice) error {
	for _, i := range invoices {
		if err := r.Insert(ctx, i); err != nil {
			return err
		}
	}
	return nil
}

// InsertAll implements crm.CreditRepository.
func (r creditRepo) InsertAll(ctx context.Context, credits []crm.Credit) error {
	for _, c := range credits {
		if err := r.Insert(ctx, c); err != nil {
			return err
		}
	}
	return nil
}

// NextNumbers implements crm.AccountingRepository.
func (a accounting) NextNumbers(ctx context.Context, series string, year int, n int) (int64, error) {
	if n < 1 {
		return 0, &crm.ValidationError{Field: "n", Rule: "positive"}
	}
	first, err := a.NextNumber(ctx, series, year)
	if err == nil {
		a.t.acct.series[seriesKey{series, year}] += int64(n - 1)
	}
	return first, err
}
