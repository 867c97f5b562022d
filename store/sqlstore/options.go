package sqlstore

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/crmkit/crm"
)

// DefaultTablePrefix is put before every table and index name when no
// WithTablePrefix is given, so that the library's tables stand apart from
// the application's in a shared database.
const DefaultTablePrefix = "crm_"

// DefaultMaxRetries is how many times Update re-runs a transaction that
// failed transiently before it gives up.
const DefaultMaxRetries = 10

// identifierPattern is what a table prefix or a schema name must match:
// short, lower-case, and safe to put in SQL text.
var identifierPattern = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,29}$`)

// Option configures a Store, or the migrations rendered by Migrations.
type Option func(*config) error

type config struct {
	prefix     string
	schema     string
	maxRetries int
	ownsDB     bool
	sealing    *bool // nil: the dialect's default
	pipeline   PipelineFunc
}

// WithTablePrefix puts p before every table and index name (default
// DefaultTablePrefix). p must match ^[a-z_][a-z0-9_]{0,29}$; anything else
// is a *crm.ValidationError. Two stores with different prefixes share a
// database without seeing each other's records.
func WithTablePrefix(p string) Option {
	return func(c *config) error {
		if err := checkIdentifier("table_prefix", p); err != nil {
			return err
		}
		c.prefix = p
		return nil
	}
}

// WithSchema puts the tables in the PostgreSQL schema s, which the
// migrations create if it does not exist. s must match
// ^[a-z_][a-z0-9_]{0,29}$; anything else, or the option with SQLite, is a
// *crm.ValidationError. Without it the tables go where the connection's
// search_path says.
func WithSchema(s string) Option {
	return func(c *config) error {
		if err := checkIdentifier("schema", s); err != nil {
			return err
		}
		c.schema = s
		return nil
	}
}

// WithMaxRetries sets how many times Update re-runs a transaction after a
// transient failure (default DefaultMaxRetries; 0 runs it once). A
// negative n is a *crm.ValidationError.
func WithMaxRetries(n int) Option {
	return func(c *config) error {
		if n < 0 {
			return &crm.ValidationError{Field: "max_retries", Rule: "non_negative", Detail: fmt.Sprintf("%d", n)}
		}
		c.maxRetries = n
		return nil
	}
}

// WithLogSealing says whether the store seals the log after commit
// (crm.LogSealer) or chains each write's events in the write, under the
// head's lock. Sealing is PostgreSQL's default: concurrent writers then
// queue only for what they touch, not for one row of the log, and one
// short transaction chains the events of many writes; the price is that
// an event gets its place a moment after its write commits (the CRM seals
// before it reads the log, so a reader never sees the difference). Without
// it every write holds the log's head from its append to its commit, as
// crmkit did before sealing; BenchmarkConcurrentPostings measures both.
// SQLite serializes writers by itself, so it always chains in the write:
// WithLogSealing(true) there is a *crm.ValidationError.
func WithLogSealing(on bool) Option {
	return func(c *config) error {
		c.sealing = &on
		return nil
	}
}

// WithOwnedDB hands the *sql.DB to the Store: Close closes it. Without
// it, the caller keeps the *sql.DB and Close leaves it open.
func WithOwnedDB() Option {
	return func(c *config) error {
		c.ownsDB = true
		return nil
	}
}

// newConfig applies opts for dialect d and checks that they fit it.
func newConfig(d Dialect, opts []Option) (config, error) {
	if !d.valid() {
		return config{}, &crm.ValidationError{Field: "dialect", Rule: "one_of", Detail: fmt.Sprintf("%v is not SQLite or PostgreSQL", d)}
	}
	c := config{prefix: DefaultTablePrefix, maxRetries: DefaultMaxRetries}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&c); err != nil {
			return config{}, err
		}
	}
	if c.schema != "" && d != PostgreSQL {
		return config{}, &crm.ValidationError{Field: "schema", Rule: "dialect", Detail: "only PostgreSQL has schemas; use WithTablePrefix"}
	}
	if c.sealing == nil {
		on := d == PostgreSQL
		c.sealing = &on
	} else if *c.sealing && d != PostgreSQL {
		return config{}, &crm.ValidationError{Field: "log_sealing", Rule: "dialect", Detail: "SQLite serializes writers itself and chains the log in the write"}
	}
	if c.pipeline != nil && d != PostgreSQL {
		return config{}, &crm.ValidationError{Field: "pipeline", Rule: "dialect", Detail: "only PostgreSQL writes are pipelined"}
	}
	return c, nil
}

func checkIdentifier(field, s string) error {
	if field == "schema" && (s == "information_schema" || strings.HasPrefix(s, "pg_")) {
		return &crm.ValidationError{Field: field, Rule: "not_reserved",
			Detail: fmt.Sprintf("%q belongs to PostgreSQL; name a schema of crmkit's own", s)}
	}
	if identifierPattern.MatchString(s) {
		return nil
	}
	shown := s
	if len(shown) > 40 {
		shown = shown[:40] + "..."
	}
	return &crm.ValidationError{Field: field, Rule: "identifier",
		Detail: fmt.Sprintf("%q must be 1-30 of a-z 0-9 _, not starting with a digit", shown)}
}

// names are the SQL names of the store's tables, each quoted and, with a
// schema, qualified. They are built only from validated identifiers.
type names struct {
	cfg              config
	users            string
	customers        string
	customerTags     string
	events           string
	eventHead        string
	eventInbox       string
	migrations       string
	touchpointMaps   string
	touchpoints      string
	interactions     string
	cases            string
	evidence         string
	ladderStates     string
	ladderMoves      string
	journeyTemplates string
	pipelines        string
	deals            string
	dealVisits       string
	activities       string
	campaigns        string
	books            string
	entries          string
	postings         string
	invoices         string
	credits          string
	contracts        string
	periodLock       string
	numberSeries     string
	dunning          string
	quotas           string
	consents         string
	ledger           []string // ledgerTables
}

func newNames(c config) names {
	n := names{
		cfg:              c,
		users:            c.table("users"),
		customers:        c.table("customers"),
		customerTags:     c.table("customer_tags"),
		events:           c.table("events"),
		eventHead:        c.table("event_head"),
		eventInbox:       c.table("event_inbox"),
		migrations:       c.table("schema_migrations"),
		touchpointMaps:   c.table("touchpoint_maps"),
		touchpoints:      c.table("touchpoints"),
		interactions:     c.table("interactions"),
		cases:            c.table("cases"),
		evidence:         c.table("evidence"),
		ladderStates:     c.table("ladder_states"),
		ladderMoves:      c.table("ladder_moves"),
		journeyTemplates: c.table("journey_templates"),
		pipelines:        c.table("pipelines"),
		deals:            c.table("deals"),
		dealVisits:       c.table("deal_visits"),
		activities:       c.table("activities"),
		campaigns:        c.table("campaigns"),
		books:            c.table("books"),
		entries:          c.table("entries"),
		postings:         c.table("postings"),
		invoices:         c.table("invoices"),
		credits:          c.table("credits"),
		contracts:        c.table("contracts"),
		periodLock:       c.table("period_lock"),
		numberSeries:     c.table("number_series"),
		dunning:          c.table("dunning"),
		quotas:           c.table("quotas"),
		consents:         c.table("consents"),
	}
	n.ledger = n.ledgerTables()
	return n
}

// table returns the quoted, qualified name of a table: "schema"."prefix_base".
func (c config) table(base string) string {
	if c.schema != "" {
		return c.quotedSchema() + "." + c.name(base)
	}
	return c.name(base)
}

// name returns the quoted, prefixed name of an index or a table, without
// a schema: in PostgreSQL an index lives in its table's schema.
func (c config) name(base string) string { return `"` + c.prefix + base + `"` }

// quotedSchema returns the quoted schema, or "" when there is none.
func (c config) quotedSchema() string {
	if c.schema == "" {
		return ""
	}
	return `"` + c.schema + `"`
}
