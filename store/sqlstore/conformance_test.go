package sqlstore_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/sqlstore"
	"github.com/crmkit/crm/store/storetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestConformance runs the store conformance suite on each backend, with
// an empty database (a SQLite file, or a PostgreSQL schema) per subtest.
func TestConformance(t *testing.T) { forEachBackend(t, runConformance) }

// runConformance runs the store conformance suite on b.
func runConformance(t *testing.T, b backend) {
	if b.dialect == postgresBackend.dialect {
		postgresURL(t) // skip, or fail in CI, before the suite starts
	}
	storetest.Run(t, func(t *testing.T) crm.Store {
		s, _ := b.newStore(t)
		return s
	})
}

// BenchmarkCRM measures the CRM's writes on each backend:
//
//	CRMKIT_POSTGRES_URL=postgres://... go test -run '^$' -bench . ./store/sqlstore
func BenchmarkCRM(b *testing.B) {
	for _, be := range []backend{sqliteBackend, postgresBackend} {
		b.Run(be.name, func(b *testing.B) {
			storetest.Bench(b, func(b *testing.B) crm.Store {
				s, _ := be.newStore(b)
				return s
			})
		})
	}
}

// BenchmarkConcurrentPostings measures concurrent postings through the
// CRM on PostgreSQL, by how many writers run at once, with the log sealed
// after commit (the default) and with every write holding the log's head
// until it commits (WithLogSealing(false), as before sealing):
//
//	CRMKIT_POSTGRES_URL=postgres://... go test -run '^$' -bench ConcurrentPostings -benchtime 2000x -count 3 ./store/sqlstore
func BenchmarkConcurrentPostings(b *testing.B) {
	for _, writers := range []int{1, 16, 64} {
		for _, sealed := range []bool{false, true} {
			log := map[bool]string{false: "head-locked", true: "sealed"}[sealed]
			b.Run(fmt.Sprintf("writers=%d/log=%s", writers, log), func(b *testing.B) {
				storetest.BenchPostings(b, func(b *testing.B) crm.Store {
					s, _ := postgresBackend.newStore(b, sqlstore.WithLogSealing(sealed))
					return s
				}, writers)
			})
		}
	}
}

// TestHeadLockedLog runs concurrent writes with the log chained in each
// write, under the head's lock, as WithLogSealing(false) asks, and checks
// the chain; SQLite cannot be asked to seal.
func TestHeadLockedLog(t *testing.T) {
	_, err := sqlstore.New(nil, sqlstore.SQLite, sqlstore.WithLogSealing(true))
	assert.ErrorIs(t, err, crm.ErrInvalid)
	postgresURL(t)
	s, _ := postgresBackend.newStore(t, sqlstore.WithLogSealing(false))
	require.False(t, s.SealsLog())
	tm := storetest.NewTeam(t, s)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 5 {
				_, err := tm.Customers.Create(context.Background(), tm.Ann.ID, crm.NewCustomer{Kind: crm.Partner, Name: fmt.Sprint("C", w, "-", i)})
				assert.NoError(t, err)
			}
		}()
	}
	wg.Wait()
	head, err := tm.Events.Verify(context.Background())
	require.NoError(t, err)
	assert.Equal(t, int64(5+40), head.Seq, "the team's five events and one a customer")
}
