package sqlstore_test

import (
	"context"
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBookReadInAWrite checks what reading a book in a write transaction
// (which raises its version at once, in the statement that locks it)
// leaves behind: the next version when the transaction saves it, the
// version it had when the transaction only read it, and a conflict when
// it saves any other version.
func TestBookReadInAWrite(t *testing.T) {
	ctx := context.Background()
	forEachBackend(t, func(t *testing.T, b backend) {
		s, _ := b.newStore(t)
		customer := newID(t)
		require.NoError(t, s.Update(ctx, func(tx crm.Tx) error {
			return tx.Ledger().SaveBook(ctx, crm.Book{Customer: customer, Version: 1})
		}))
		stored := func() int64 {
			var book crm.Book
			require.NoError(t, s.View(ctx, func(tx crm.ReadTx) error {
				var err error
				book, err = tx.Ledger().Book(ctx, customer)
				return err
			}))
			return book.Version
		}
		for _, tc := range []struct {
			name string
			read int64 // the version the transaction reads
			save int64 // the version it saves; 0: none
			want int64 // the version stored after
			err  error
		}{
			{"read only", 1, 0, 1, nil},
			{"saved next", 1, 2, 2, nil},
			{"read only again", 2, 0, 2, nil},
			{"saved a version ahead", 2, 4, 2, crm.ErrConflict},
			{"saved the version read", 2, 2, 2, crm.ErrConflict},
		} {
			t.Run(tc.name, func(t *testing.T) {
				err := s.Update(ctx, func(tx crm.Tx) error {
					book, err := tx.Ledger().Book(ctx, customer)
					if err != nil {
						return err
					}
					again, err := tx.Ledger().Book(ctx, customer)
					if err != nil {
						return err
					}
					assert.Equal(t, book, again, "a transaction reads the same book twice")
					assert.Equal(t, tc.read, book.Version)
					if tc.save == 0 {
						return nil
					}
					return tx.Ledger().SaveBook(ctx, crm.Book{Customer: customer, Version: tc.save})
				})
				if tc.err != nil {
					assert.ErrorIs(t, err, tc.err)
				} else {
					require.NoError(t, err)
				}
				assert.Equal(t, tc.want, stored())
			})
		}
	})
}
