package memory

import (
	"context"
	"fmt"

	"github.com/crmkit/crm"
)

// seriesKey names a numbering series in a year.
type seriesKey struct {
	series string
	year   int
}

// accountingState is what a transaction changed of the lock date and the
// numbering series, applied at commit.
type accountingState struct {
	lock    *crm.PeriodLock
	series  map[seriesKey]int64
	numbers map[numberKey]crm.ID // document numbers this transaction used
}

type accounting struct{ t *txState }

func (a accounting) PeriodLock(context.Context) (crm.PeriodLock, error) {
	if a.t.acct.lock != nil {
		return *a.t.acct.lock, nil
	}
	return a.t.s.lock, nil
}

func (a accounting) SavePeriodLock(ctx context.Context, l crm.PeriodLock) error {
	stored, _ := a.PeriodLock(ctx)
	if l.Version != stored.Version+1 {
		return &crm.ConflictError{Kind: crm.KindPeriodLock, Expected: l.Version - 1, Actual: stored.Version}
	}
	a.t.acct.lock = &l
	return nil
}

func (a accounting) NextNumber(_ context.Context, series string, year int) (int64, error) {
	k := seriesKey{series, year}
	last, ok := a.t.acct.series[k]
	if !ok {
		last = a.t.s.series[k]
	}
	if a.t.acct.series == nil {
		a.t.acct.series = map[seriesKey]int64{}
	}
	a.t.acct.series[k] = last + 1
	return last + 1, nil
}

// numberKey is a document's number among those of its kind.
type numberKey struct {
	kind   crm.Kind
	number string
}

// claimNumber records the number of a document of a kind (an invoice, a
// credit note), refusing one another document of the kind has: numbers
// are unique, as the SQL stores' indexes make them.
func (a accounting) claimNumber(kind crm.Kind, number string, id crm.ID) error {
	if number == "" {
		return nil
	}
	k := numberKey{kind, number}
	holder, ok := a.t.acct.numbers[k]
	if !ok {
		holder, ok = a.t.s.documentNumbers[k]
	}
	if ok && holder != id {
		return &crm.ConflictError{Kind: kind, ID: id.String(), Detail: fmt.Sprintf("%s number %q is taken by %s %s", kind, number, kind, holder)}
	}
	if a.t.acct.numbers == nil {
		a.t.acct.numbers = map[numberKey]crm.ID{}
	}
	a.t.acct.numbers[k] = id
	return nil
}

// commitAccounting applies a transaction's accounting changes.
func (s *Store) commitAccounting(t accountingState) {
	if t.lock != nil {
		s.lock = *t.lock
	}
	for k, v := range t.series {
		s.series[k] = v
	}
	for k, id := range t.numbers {
		s.documentNumbers[k] = id
	}
}
