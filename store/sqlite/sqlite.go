// Package sqlite opens crmkit's embedded default store: a SQLite file,
// through the pure-Go modernc.org/sqlite driver (no cgo), with the
// migrations applied.
//
//	store, err := sqlite.Open(ctx, "crm.db")
//	if err != nil { ... }
//	defer store.Close()
//	c, err := crm.New(store)
//
// It is the one package of the module, tests aside, that imports a
// database driver. Package sqlstore takes the caller's *sql.DB and stays
// driver-free, so that an application that never uses SQLite does not
// link it; importing this package is how an application says it wants
// the embedded database.
package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/sqlstore"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// pragmas are set on every connection: WAL lets readers run alongside
// the writer; busy_timeout makes a writer wait for the lock instead of
// failing at once; foreign keys are off in SQLite unless asked for.
var pragmas = []string{
	"busy_timeout(5000)",
	"journal_mode(WAL)",
	"foreign_keys(1)",
	"synchronous(NORMAL)",
}

// Open opens (creating it if needed) the SQLite database file at path,
// brings its schema up to date, and returns a store that owns the
// database: Close it when done. opts are those of sqlstore.New
// (WithTablePrefix, WithMaxRetries); WithSchema is refused, as SQLite has
// no schemas. An empty path is a *crm.ValidationError.
func Open(ctx context.Context, path string, opts ...sqlstore.Option) (*sqlstore.Store, error) {
	if ctx == nil {
		return nil, &crm.ValidationError{Field: "ctx", Rule: "required"}
	}
	if strings.TrimSpace(path) == "" {
		return nil, &crm.ValidationError{Field: "path", Rule: "required", Detail: "the SQLite database file"}
	}
	dsn, err := dataSourceName(path)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite: opening %s: %w", path, err)
	}
	store, err := sqlstore.New(db, sqlstore.SQLite, append(opts, sqlstore.WithOwnedDB())...)
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("sqlite: opening %s: %w", path, err)
	}
	if err := store.Migrate(ctx); err != nil {
		_ = db.Close()
		return nil, err
	}
	return store, nil
}

// dataSourceName returns the driver's URI for the file at path, with the
// pragmas. The path is made absolute and its URI-special characters are
// escaped, so that a '?' or '#' in a file name cannot be read as a query
// or a fragment.
func dataSourceName(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("sqlite: resolving %s: %w", path, err)
	}
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows drive letter: file:/C:/...
	}
	p = strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23").Replace(p)
	var b strings.Builder
	b.WriteString("file:")
	b.WriteString(p)
	for i, pragma := range pragmas {
		if i == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		b.WriteString("_pragma=")
		b.WriteString(pragma)
	}
	return b.String(), nil
}
