package crm

// NewTxView is newTxView, for the tests of package crm_test.
func NewTxView(tx Tx) Tx { return newTxView(tx) }
