// Package sqlstore is a crm.Store on database/sql, for SQLite and
// PostgreSQL.
//
// It imports no driver: the caller opens the *sql.DB with the driver of
// their choice (for example modernc.org/sqlite or
// github.com/jackc/pgx/v5/stdlib), names its Dialect, and keeps control of
// the pool. Package store/sqlite opens an embedded SQLite file in one call.
//
//	db, err := sql.Open("pgx", os.Getenv("DATABASE_URL"))
//	...
//	store, err := sqlstore.New(db, sqlstore.PostgreSQL, sqlstore.WithSchema("crm"))
//	...
//	err = store.Migrate(ctx)
//
// The schema comes from embedded, versioned migrations. Migrate applies
// them and records them in its own version table; Migrations hands them
// out as SQL files for those who run their own migration tool. Every table
// and index name carries a prefix (DefaultTablePrefix unless
// WithTablePrefix says otherwise), and on PostgreSQL the tables can live in
// a schema of their own (WithSchema).
//
// Update takes SQLite's write lock up front (BEGIN IMMEDIATE, in a
// *sql.Tx that runs the statements the store keeps prepared on the pool,
// each parsed once a connection) and runs PostgreSQL transactions at READ
// COMMITTED, with optimistic versions on records and row locks on what a
// write touches (the acting user FOR SHARE, a customer's book FOR UPDATE);
// it re-runs the transaction, with jittered exponential backoff, when the
// database reports a transient failure (SQLITE_BUSY, SQLITE_LOCKED,
// serialization failure, deadlock). View reads a consistent snapshot: a
// deferred SQLite transaction, or a read-only REPEATABLE READ PostgreSQL
// transaction.
//
// # The log without a hot row
//
// On PostgreSQL a write does not touch the log's head. It inserts its
// events into event_inbox, numbered by a sequence, with no chain hashes;
// after it commits, the CRM calls Seal, whose transaction locks the one
// event_head row (SKIP LOCKED: when another seal holds it, the writer goes
// on, and that seal or the next one takes its events), locks the oldest
// committed inbox rows, chains them after the head, moves them into
// events and moves the head. One seal chains the events of every write
// that committed before it, so under many writers a seal serves many.
// The order of the log is the order of sealing, oldest append first: a
// write that waited for another's lock appended after it committed, so it
// comes after it. Seals after writes commit asynchronously: a seal lost in
// a crash leaves its events in the inbox, and the next seal redoes it.
// Before the CRM reads the log (the feed, a history, verification, a
// checkpoint) it seals waiting for the head, and that commit, synchronous,
// flushes every seal before it; the CRM then reads only up to the head it
// got, so a place it hands out never changes. WithLogSealing(false) keeps
// the head locked by each write from its append to its commit instead.
// SQLite serializes writers itself and chains in the write.
//
// # Drivers
//
// Any database/sql driver will do; the store recognises a driver's errors
// by the codes they carry, through the methods their types have, so that
// it imports none. Four are tested, each made to report every condition
// against a real database: modernc.org/sqlite and
// github.com/ncruces/go-sqlite3 (its driver package; the SQLite result
// code, from Code() int or from ExtendedCode()) and, on PostgreSQL,
// github.com/jackc/pgx/v5/stdlib and github.com/lib/pq (the SQLSTATE, from
// SQLState() string, which lib/pq has since v1.10.6). Recognised are a
// duplicate key (SQLITE_CONSTRAINT_PRIMARYKEY, SQLITE_CONSTRAINT_UNIQUE,
// 23505), which the store reports as a conflict, and what Update retries:
// SQLITE_BUSY and SQLITE_LOCKED with their extended codes, a serialization
// failure (40001) and a deadlock (40P01). A SQLite error with no code at
// all is taken as busy when its message says the database, or a table, is
// locked.
//
// Both SQLite drivers read the same data source name, pragmas included:
//
//	file:/data/crm.db?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)
//
// with busy_timeout first, as ncruces asks (without any _pragma it sets a
// busy timeout of a minute itself). Its "_txlock" and "_timefmt" do not
// matter here: the store begins SQLite transactions with its own BEGIN
// statements and passes times as text. In v0.37.0, the version tested,
// its embed package is deprecated: importing the driver package is enough.
//
// # Pipelining
//
// Through database/sql every statement is a round trip. WithPipeline hands
// the store a function that sends several statements at once on a
// connection (store/pgxstore has one for pgx, and opens a store with it):
// a PostgreSQL write transaction then sends its BEGIN with its first read
// and the statements whose result it need not wait for with the next
// statement or its COMMIT. A queued statement that fails runs the
// transaction again statement by statement (see pipeline.go).
//
// # Column conventions
//
// IDs are uuid on PostgreSQL and canonical lower-case text on SQLite, which
// sort alike. Times are timestamptz on PostgreSQL and fixed-width UTC text
// (2006-01-02T15:04:05.000000Z) on SQLite, to the microsecond; durations
// are BIGINT microseconds. What is finer than a microsecond is not kept.
// Hashes are bytea or BLOB; event data is text holding exactly the bytes
// appended. Lists and documents inside a record (contacts, a map's
// touchpoints, transfers, journey steps, a move's evidence, a pipeline's
// stages, a deal's history, a campaign's costs, an invoice's lines, a
// contract's installments, steps and approvals) are JSON text under
// explicit keys, never Go field names, with null and empty kept apart;
// decimals in them (a line's quantity and tax rate) are text that keeps
// their exponent, so that 1.50 reads back as 1.50. Money (a deal's amount,
// a campaign's budget, an invoice's totals, a posting's amount) is a
// BIGINT of minor units beside a TEXT currency code, never a
// floating-point column: see MoneyColumns; the zero Money, which has no
// currency, is 0 and "". Dates are date on PostgreSQL and 'YYYY-MM-DD'
// text on SQLite, NULL for none; a date that does not exist is refused
// with a *crm.ValidationError.
//
// # Analytics
//
// Interactions and cases keep, beside the record, what the statistics add
// up: the time as unix microseconds, the day, ISO week and month keys of
// storekit.PeriodKey, and 0/1 flags such as first-contact resolution. Every
// crm.AnalyticsReader answer is one GROUP BY query over them (or one join
// of moves to interactions, for moments of truth), with the exact results
// and order of the reference implementations in package crm; text groups
// sort bytewise, as Go sorts strings, whatever the database's collation.
// A map's touchpoints are kept resolved, one row each, so that looking one
// up is a single read.
//
// Deals keep their creation and close times as unix microseconds, the
// time from one to the other, and the day and month they count on in the
// forecast; their stage visits are rows of their own, with the deal's
// pipeline, owner, team and amount, replaced whenever the deal is saved
// (the funnel as of a past date adds up the visits that spanned an
// instant); quotas are rows keyed by their pipeline, holder and period;
// activities keep their time and whether they are an invalid visit. Every
// crm.SalesAnalytics answer is one GROUP BY over deals, stage visits or
// activities, with the exact results and order of the reference
// implementations. Sums never wrap around past 64 bits: PostgreSQL adds
// up bigints as numeric, read back exactly; SQLite adds up plainly and,
// only when its SUM reports an overflow, runs the query again adding up
// the high and the low 32 bits apart. A total that does not fit in the
// int64 a row hands it over in is a *crm.OverflowError, as in the
// reference implementations; open items and balances, which are
// crm.Money, come back exact whatever their size.
//
// # Receivables
//
// The ledger's entries are rows of their own and their postings rows of
// another, written in the same statement (PostgreSQL) or transaction
// (SQLite) and never changed. What a transaction appends is checked at
// once and written, as far as it can wait, in a few statements of many
// rows: on SQLite the entries without an idempotency key or a reversal,
// on both what they add to open_items and customer_balances, added up per
// row, and a book saved again; before any statement on those tables and
// before the commit (see pending.go). Unique indexes refuse an entry ID, a
// non-empty idempotency key or a reversal of an entry the second time,
// whichever of two racing transactions commits second: the loser gets a
// *crm.ConflictError, with its transaction still usable. A customer's
// book is a row whose key makes the second of two transactions posting
// the customer's first entry conflict, though neither had a row to lock;
// later, its row lock serializes them, and a PostgreSQL write transaction
// takes it before it reads the customer's book, open items or reversals,
// so that what it read stays true until it commits.
//
// Each posting keeps its entry's effective day and its own due day as day
// numbers (days since 1970-01-01, the zero date included as the day Go
// compares it as), so that OpenItems, Balances, Aging and Revenue are
// GROUP BY queries over postings with the exact results and order of
// storekit.OpenItems, storekit.Balances, storekit.AggregateAging and storekit.AggregateRevenue.
// Aging buckets each posting by its due day in one pass: an invoice's
// postings all carry its due date. The postings of an item that do not
// agree on it, which the CRM never writes, are marked by a trigger
// (mixed_due) and bucketed item by item, due when the item's latest dated
// posting says, as storekit.OpenItems takes it. On PostgreSQL the trigger
// locks the item first, so that of two transactions posting to one item
// at once the second sees the first's due date.
package sqlstore

import (
	"database/sql"

	"github.com/crmkit/crm"
)

// Store is a crm.Store on a *sql.DB. It is safe for concurrent use.
type Store struct {
	db      *sql.DB
	dialect Dialect
	cfg     config
	names   names
	stmts   *stmtCache // SQLite: statements prepared on the pool (see statement)
	checks  [4]string  // the statements of ReadChecks (see checksSQL)
}

var _ crm.Store = (*Store)(nil)

// New returns a store on db, which must be a database of dialect d. It
// does not touch the database: call Migrate, or apply the files of
// Migrations, before the first transaction. Invalid options are a
// *crm.ValidationError.
func New(db *sql.DB, d Dialect, opts ...Option) (*Store, error) {
	if db == nil {
		return nil, &crm.ValidationError{Field: "db", Rule: "required"}
	}
	c, err := newConfig(d, opts)
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, dialect: d, cfg: c, names: newNames(c), stmts: &stmtCache{}}
	for i := range s.checks {
		s.checks[i] = s.checksSQL(i&1 != 0, i&2 != 0)
	}
	return s, nil
}

// Dialect returns the store's dialect.
func (s *Store) Dialect() Dialect { return s.dialect }

// Close closes the statements the store prepared on the pool, and the
// *sql.DB when the store owns it (WithOwnedDB, as store/sqlite's Open
// does). A transaction after Close prepares its statements itself.
func (s *Store) Close() error {
	s.stmts.close()
	if s.cfg.ownsDB {
		return s.db.Close()
	}
	return nil
}
