package pgxstore_test

import (
	"database/sql"
	"fmt"

	"github.com/crmkit/crm/store/pgxstore"
	"github.com/crmkit/crm/store/sqlstore"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// A program on pgx opts in to pipelined writes by opening its store with
// pgxstore.New rather than sqlstore.New; everything else stays the same.
func Example() {
	db, err := sql.Open("pgx", "postgres://crm@db.example.com/crm") // or stdlib.OpenDBFromPool(pool)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer func() { _ = db.Close() }()
	store, err := pgxstore.New(db, sqlstore.WithSchema("crm"))
	if err != nil {
		fmt.Println(err)
		return
	}
	// Then, as with any store: store.Migrate(ctx), crm.New(store), ...
	fmt.Println(store.Dialect())
	// Output: postgres
}
