package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/sqlite"
)

// ExampleWithCacheSize opens the embedded store with a page cache of
// 64 MiB a connection, for a database whose working set is larger than
// SQLite's default of about 2 MB.
func ExampleWithCacheSize() {
	dir, err := os.MkdirTemp("", "crm")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	store, err := sqlite.Open(context.Background(), filepath.Join(dir, "crm.db"), sqlite.WithCacheSize(64*1024))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer store.Close()
	_, err = crm.New(store)
	fmt.Println(err)
	// Output: <nil>
}
