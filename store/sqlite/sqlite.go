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
// failing at once; foreign keys are off in SQLite unless asked for;
// secure_delete overwrites with zeros the content SQLite frees, so that
// text an erasure replaced does not linger in the file's free pages. The
// synchronous pragma comes from the Durability.
var pragmas = []string{
	"busy_timeout(5000)",
	"journal_mode(WAL)",
	"foreign_keys(1)",
	"secure_delete(1)",
}

// Durability is how far a committed write survives: SQLite's synchronous
// setting in WAL mode.
type Durability string

// The durabilities.
const (
	// PowerLossDurable, the default, syncs the write-ahead log to disk at
	// every commit (synchronous=FULL): a write the store acknowledged is
	// there after a power loss or an operating system crash. It costs one
	// fsync per commit.
	PowerLossDurable Durability = "FULL"
	// CrashDurable syncs only at checkpoints (synchronous=NORMAL): a write
	// survives the process being killed, but the last commits before a
	// power loss may be gone though they were acknowledged. Commits are
	// faster; choose it only when losing the last moments of work is
	// acceptable, say for data that can be replayed from elsewhere.
	CrashDurable Durability = "NORMAL"
)

// Option configures Open.
type Option func(*config)

type config struct {
	durability Durability
	cacheKiB   int  // see WithCacheSize
	cacheSet   bool // WithCacheSize was given; else SQLite's default page cache
	store      []sqlstore.Option
}

// WithCacheSize sets the page cache of each pooled connection, in KiB
// (SQLite's cache_size pragma, given as -kib; SQLite's own default is
// 2000 KiB). A store larger than the cache reads pages back from the
// operating system's file cache, which costs a system call a page: a
// cache that holds the working set (the indexes a write touches, the
// customers and open items it reads) spares those. It costs up to that
// much memory per connection. A size below 1 is a *crm.ValidationError.
func WithCacheSize(kib int) Option { return func(c *config) { c.cacheKiB, c.cacheSet = kib, true } }

// pragmas returns the pragmas the options add to the defaults.
func (c config) pragmas() []string {
	if !c.cacheSet {
		return nil
	}
	return []string{fmt.Sprintf("cache_size(%d)", -c.cacheKiB)}
}

// WithDurability sets the durability (default PowerLossDurable).
func WithDurability(d Durability) Option { return func(c *config) { c.durability = d } }

// WithStoreOptions passes options to sqlstore.New (WithTablePrefix,
// WithMaxRetries); WithSchema is refused, as SQLite has no schemas.
func WithStoreOptions(opts ...sqlstore.Option) Option {
	return func(c *config) { c.store = append(c.store, opts...) }
}

// Open opens (creating it if needed) the SQLite database file at path,
// brings its schema up to date, and returns a store that owns the
// database: Close it when done. An empty path, or one with a NUL byte
// (which SQLite would cut the file name at), is a *crm.ValidationError.
func Open(ctx context.Context, path string, opts ...Option) (*sqlstore.Store, error) {
	if ctx == nil {
		return nil, &crm.ValidationError{Field: "ctx", Rule: "required"}
	}
	if strings.TrimSpace(path) == "" {
		return nil, &crm.ValidationError{Field: "path", Rule: "required", Detail: "the SQLite database file"}
	}
	if strings.ContainsRune(path, 0) {
		return nil, &crm.ValidationError{Field: "path", Rule: "no_nul", Detail: "a file name has no NUL byte"}
	}
	cfg := config{durability: PowerLossDurable}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.cacheSet && cfg.cacheKiB < 1 {
		return nil, &crm.ValidationError{Field: "cache_size", Rule: "positive", Detail: "the page cache in KiB, at least 1"}
	}
	if cfg.durability != PowerLossDurable && cfg.durability != CrashDurable {
		return nil, &crm.ValidationError{Field: "durability", Rule: "one_of", Detail: string(cfg.durability) + " is not a durability"}
	}
	dsn, err := dataSourceName(path, cfg.durability, cfg.pragmas()...)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite: opening %s: %w", path, err)
	}
	store, err := sqlstore.New(db, sqlstore.SQLite, append(cfg.store, sqlstore.WithOwnedDB())...)
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
// pragmas, the durability and the extra pragmas. The path is made absolute and its
// URI-special characters are escaped, so that a '?' or '#' in a file name
// cannot be read as a query or a fragment.
func dataSourceName(path string, d Durability, extra ...string) (string, error) {
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
	for i, pragma := range append(append(pragmas[:len(pragmas):len(pragmas)], "synchronous("+string(d)+")"), extra...) {
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
