package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var caseRules = versionRules[crm.Case]{
	kind:        crm.KindCase,
	id:          func(c crm.Case) crm.ID { return c.ID },
	withVersion: func(c crm.Case, v int64) crm.Case { c.Version = v; return c },
	writer:      func(tx crm.Tx) writer[crm.Case] { return tx.Cases() },
	reader:      func(tx crm.ReadTx) reader[crm.Case] { return tx.Cases() },
}

func TestCaseRoundTripAndVersions(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s, _ := b.newStore(t)
		c := sampleCase(newID(t), newID(t), newID(t))
		reopened := c
		reopened.Status, reopened.ResolvedAt, reopened.ClosedAt, reopened.Reopens = crm.CaseReopened, time.Time{}, at(40), 2
		caseRules.check(t, s, c, reopened, func() crm.Case { return sampleCase(newID(t), newID(t), newID(t)) })

		bare := crm.Case{ID: newID(t), Customer: newID(t), Kind: crm.Question, Status: crm.CaseOpened, OpenedAt: at(2),
			CreatedAt: at(2), UpdatedAt: at(2), Version: 1}
		ctx := context.Background()
		write(ctx, t, s, func(tx crm.Tx) error { return tx.Cases().Insert(ctx, bare) })
		assert.Equal(t, bare, read(ctx, t, s, func(tx crm.ReadTx) (crm.Case, error) { return tx.Cases().Get(ctx, bare.ID) }))
	})
}

// TestCaseFilters lists cases with each filter and checks the answer
// against crm.CaseFilter.Match.
func TestCaseFilters(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s, _ := b.newStore(t)
		customers := []crm.ID{newID(t), newID(t)}
		due := at(20).Add(500) // between two whole microseconds
		var all []crm.Case
		for i := range 24 {
			c := sampleCase(newID(t), customers[i%2], crm.ID{})
			c.Kind = []crm.CaseKind{crm.Complaint, crm.Request, crm.Question}[i%3]
			c.Status = []crm.CaseStatus{crm.CaseOpened, crm.CaseInProgress, crm.CaseResolved, crm.CaseClosed}[i%4]
			c.Department = []string{"Billing", "Care", hostile}[i%3]
			c.PromiseBroken = i%5 == 0
			c.ResolvedAt = []time.Time{{}, at(25)}[i%2]
			c.PromisedBy = []time.Time{{}, at(19), due.Truncate(time.Microsecond), due.Add(500), at(21)}[i%5]
			all = append(all, c)
			write(ctx, t, s, func(tx crm.Tx) error { return tx.Cases().Insert(ctx, c) })
		}
		filters := []crm.CaseFilter{{}, {Customer: customers[1]}, {Status: crm.CaseResolved}, {Kind: crm.Request},
			{Department: hostile}, {Department: "' OR '1'='1"}, {PromiseDueBefore: due}, {PromiseDueBefore: at(21)},
			{Customer: customers[0], Kind: crm.Complaint, PromiseDueBefore: at(30)}}
		for _, f := range filters {
			var want []crm.ID
			for _, c := range all {
				if f.Match(c) {
					want = append(want, c.ID)
				}
			}
			got := read(ctx, t, s, func(tx crm.ReadTx) ([]crm.Case, error) {
				return tx.Cases().List(ctx, f, crm.PageRequest{})
			})
			var gotIDs []crm.ID
			for _, c := range got {
				gotIDs = append(gotIDs, c.ID)
			}
			require.Equal(t, want, gotIDs, "%+v", f)
		}
	})
}
