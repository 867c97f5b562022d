package crm

import "context"

// NewTxView is newTxView, for the tests of package crm_test.
func NewTxView(tx Tx) Tx { return newTxView(tx) }

// PersonRecords is gatherPersonRecords, for the tests of package crm_test.
type PersonRecords = personRecords

// GatherPersonRecords is gatherPersonRecords, for the tests of package
// crm_test.
func GatherPersonRecords(ctx context.Context, tx ReadTx, customer ID) (PersonRecords, error) {
	return gatherPersonRecords(ctx, tx, customer)
}
