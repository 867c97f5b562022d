package sqlstore_test

import (
	"context"
	"slices"
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMigrateContractNextDue brings contracts from before 0043, which kept
// no next due date, up to date: each takes the due date of its first
// installment not invoiced from its installments, none when every one is
// invoiced or the plan has none, so that ContractFilter.NextDueBy finds
// them as it finds the contracts stored since.
func TestMigrateContractNextDue(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s, db := b.newStore(t)
		customer := newID(t)
		first := sampleContract(t, customer) // its first installment invoiced
		none := sampleContract(t, customer)
		none.Plan.Installments[0].Invoice = crm.ID{}
		all := sampleContract(t, customer)
		for i := range all.Plan.Installments {
			all.Plan.Installments[i].Invoice = newID(t)
		}
		empty := sampleContract(t, customer)
		empty.Plan.Installments = nil
		cts := []crm.Contract{first, none, all, empty}
		write(ctx, t, s, func(tx crm.Tx) error {
			for _, ct := range cts {
				if err := tx.Contracts().Insert(ctx, ct); err != nil {
					return err
				}
			}
			return nil
		})
		require.NotEqual(t, first.NextDue(), none.NextDue())

		// Back to 0042: no column, no index.
		s = remigrate(ctx, t, b, db, 43,
			"DROP INDEX "+db.table("crm_", "contracts_status_next_due_idx"),
			"ALTER TABLE "+db.table("crm_", "contracts")+" DROP COLUMN next_due")

		due := func(by crm.Date) []crm.ID {
			t.Helper()
			got := read(ctx, t, s, func(tx crm.ReadTx) ([]crm.Contract, error) {
				return tx.Contracts().List(ctx, crm.ContractFilter{NextDueBy: by}, crm.PageRequest{})
			})
			var ids []crm.ID
			for _, ct := range got {
				ids = append(ids, ct.ID)
			}
			slices.SortFunc(ids, func(a, b crm.ID) int { return slices.Compare(a[:], b[:]) })
			return ids
		}
		sorted := func(ids ...crm.ID) []crm.ID {
			slices.SortFunc(ids, func(a, b crm.ID) int { return slices.Compare(a[:], b[:]) })
			return ids
		}
		assert.Empty(t, due(none.NextDue().AddDays(-1)))
		assert.Equal(t, []crm.ID{none.ID}, due(none.NextDue()), "due from its first installment")
		assert.Equal(t, []crm.ID{none.ID}, due(first.NextDue().AddDays(-1)))
		assert.Equal(t, sorted(none.ID, first.ID), due(first.NextDue()), "due from its first installment not invoiced")
		assert.Equal(t, sorted(none.ID, first.ID), due(crm.Date{Year: 9999, Month: 12, Day: 31}),
			"every installment invoiced, or none planned: never due")
		for _, ct := range cts {
			assert.Equal(t, ct, read(ctx, t, s, func(tx crm.ReadTx) (crm.Contract, error) { return tx.Contracts().Get(ctx, ct.ID) }))
		}
	})
}
