package sqlstore_test

import (
	"context"
	"errors"
	"testing"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/sqlstore"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMigrationsOverSales brings a database at 0003, the version before
// the receivables, with a customer in it, up to date: 0004 runs once, and
// the receivables repositories and sums work for the old customer.
func TestMigrationsOverSales(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		db := b.open(t)
		migrateByHand(ctx, t, b, db, "foundation", "experience", "sales")
		old := sampleCustomer(newID(t), newID(t))
		insertFoundationCustomer(ctx, t, db, b.dialect, old)

		s, err := sqlstore.New(db.DB, b.dialect, db.opts...)
		require.NoError(t, err)
		require.NoError(t, s.Migrate(ctx))
		require.NoError(t, s.Migrate(ctx), "a second run changes nothing")
		assert.Equal(t, allMigrations, migrationNames(ctx, t, db))
		got, err := getCustomer(ctx, s, old.ID)
		require.NoError(t, err)
		assert.Equal(t, old.Name, got.Name)

		inv := sampleInvoice(t, old.ID)
		e := crm.Entry{ID: inv.Entry, Kind: crm.EntryInvoice, Customer: old.ID, Document: inv.ID, Effective: inv.Issued,
			RecordedAt: at(9), Postings: []crm.Posting{
				{Account: crm.AccountReceivable, Customer: old.ID, Amount: inv.Total, Item: inv.ID, Due: inv.Due},
				{Account: crm.AccountRevenue, Amount: inv.Total.Neg()}}}
		contract := sampleContract(t, old.ID)
		write(ctx, t, s, func(tx crm.Tx) error {
			return errors.Join(tx.Ledger().SaveBook(ctx, crm.Book{Customer: old.ID, Version: 1}), tx.Invoices().Insert(ctx, inv),
				tx.Ledger().Append(ctx, e), tx.Contracts().Insert(ctx, contract))
		})
		aging := read(ctx, t, s, func(tx crm.ReadTx) ([]crm.AgingAmount, error) {
			return tx.Ledger().Aging(ctx, crm.AgingQuery{AsOf: inv.Due.AddDays(45)})
		})
		assert.Equal(t, []crm.AgingAmount{{Customer: old.ID, Currency: eur, Bucket: 2, Minor: 214_350}}, aging)
		assert.Equal(t, contract, read(ctx, t, s, func(tx crm.ReadTx) (crm.Contract, error) {
			return tx.Contracts().Get(ctx, contract.ID)
		}))
	})
}
