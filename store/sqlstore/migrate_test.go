package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/sqlstore"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMigrateIsIdempotent(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		db := b.open(t)
		s, err := sqlstore.New(db.DB, b.dialect, db.opts...)
		require.NoError(t, err)
		require.NoError(t, s.Migrate(ctx))
		require.NoError(t, s.Migrate(ctx), "a second run changes nothing")

		files, err := sqlstore.Migrations(b.dialect, db.opts...)
		require.NoError(t, err)
		entries, err := fs.ReadDir(files, ".")
		require.NoError(t, err)

		got := migrationNames(ctx, t, db)
		require.Len(t, got, len(entries), "one row per migration, however often Migrate runs")
		assert.Equal(t, "foundation", got[0])
	})
}

func TestMigrateConcurrently(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		db := b.open(t)
		const servers = 4
		var wg sync.WaitGroup
		errs := make([]error, servers)
		for i := range servers {
			wg.Go(func() {
				s, err := sqlstore.New(db.DB, b.dialect, db.opts...)
				if err == nil {
					err = s.Migrate(context.Background())
				}
				errs[i] = err
			})
		}
		wg.Wait()
		for _, err := range errs {
			assert.NoError(t, err, "app servers starting at once all migrate")
		}
	})
}

func TestMigrationsFS(t *testing.T) {
	t.Run("SQLite", func(t *testing.T) {
		files, err := sqlstore.Migrations(sqlstore.SQLite, sqlstore.WithTablePrefix("app_"))
		require.NoError(t, err)
		require.NoError(t, fstest.TestFS(files, "0001_foundation.sql", "0002_experience.sql", "0003_sales.sql",
			"0004_receivables.sql", "0005_visit_owners.sql", "0006_trust.sql"))
		text := readFile(t, files, "0001_foundation.sql")
		assert.Contains(t, text, `CREATE TABLE "app_customers"`)
		assert.Contains(t, text, `CREATE INDEX "app_customers_owner_idx" ON "app_customers" (owner_id, id)`)
		assert.NotContains(t, text, "{{")
		assert.NotContains(t, text, "crm_", "the default prefix is replaced")
		text = readFile(t, files, "0002_experience.sql")
		assert.Contains(t, text, `CREATE UNIQUE INDEX "app_interactions_idempotency_idx" ON "app_interactions" (idempotency_key)`)
		assert.Contains(t, text, `REFERENCES "app_touchpoint_maps" (id)`)
		assert.NotContains(t, text, "{{")
		text = readFile(t, files, "0003_sales.sql")
		assert.Contains(t, text, `CREATE TABLE "app_deals"`)
		assert.Contains(t, text, `REFERENCES "app_deals" (id)`)
		assert.NotContains(t, text, "{{")
	})
	t.Run("PostgreSQL", func(t *testing.T) {
		files, err := sqlstore.Migrations(sqlstore.PostgreSQL, sqlstore.WithSchema("sales"), sqlstore.WithTablePrefix("app_"))
		require.NoError(t, err)
		require.NoError(t, fstest.TestFS(files, "0001_foundation.sql", "0002_experience.sql", "0003_sales.sql",
			"0004_receivables.sql", "0005_visit_owners.sql", "0006_trust.sql"))
		text := readFile(t, files, "0001_foundation.sql")
		assert.Contains(t, text, `CREATE SCHEMA IF NOT EXISTS "sales";`)
		assert.Contains(t, text, `CREATE TABLE "sales"."app_events"`)
		assert.Contains(t, text, `CREATE INDEX "app_events_subject_idx" ON "sales"."app_events" (kind, subject, seq)`)
		assert.Regexp(t, `\n\s+data\s+text,\n`, text, "event data is text, keeping its exact bytes")
		assert.NotContains(t, text, "{{")
		text = readFile(t, files, "0003_sales.sql")
		assert.Contains(t, text, `CREATE TABLE "sales"."app_deal_visits"`)
		assert.Contains(t, text, `REFERENCES "sales"."app_deals" (id)`)
		assert.Regexp(t, `\n\s+close_date\s+date,\n`, text, "dates are dates")
	})
	t.Run("PostgreSQLWithoutSchema", func(t *testing.T) {
		files, err := sqlstore.Migrations(sqlstore.PostgreSQL)
		require.NoError(t, err)
		text := readFile(t, files, "0001_foundation.sql")
		assert.NotContains(t, text, "CREATE SCHEMA")
		assert.Contains(t, text, `CREATE TABLE "crm_users"`)
	})
	t.Run("NoFloatingPoint", func(t *testing.T) {
		for _, d := range []sqlstore.Dialect{sqlstore.SQLite, sqlstore.PostgreSQL} {
			files, err := sqlstore.Migrations(d)
			require.NoError(t, err)
			entries, err := fs.ReadDir(files, ".")
			require.NoError(t, err)
			for _, e := range entries {
				assert.NotRegexp(t, `(?i)\b(real|float\w*|double|numeric|decimal)\b`, readFile(t, files, e.Name()), "%v %s", d, e.Name())
			}
		}
	})
}

// TestMigrationsAppliedByHand applies the files of Migrations as a
// migration tool would, and uses the store without Migrate.
func TestMigrationsAppliedByHand(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		db := b.open(t)
		files, err := sqlstore.Migrations(b.dialect, db.opts...)
		require.NoError(t, err)
		entries, err := fs.ReadDir(files, ".")
		require.NoError(t, err)
		for _, e := range entries {
			_, err := db.ExecContext(ctx, readFile(t, files, e.Name()))
			require.NoError(t, err, e.Name())
		}
		s, err := sqlstore.New(db.DB, b.dialect, db.opts...)
		require.NoError(t, err)
		c := sampleCustomer(newID(t), newID(t))
		require.NoError(t, insertCustomer(ctx, s, c))
		got, err := getCustomer(ctx, s, c.ID)
		require.NoError(t, err)
		assert.Equal(t, c.Name, got.Name)
	})
}

func readFile(t *testing.T, files fs.FS, name string) string {
	t.Helper()
	b, err := fs.ReadFile(files, name)
	require.NoError(t, err)
	return string(b)
}

// TestMigrationsOverFoundation brings a database that has only 0001, with
// a customer in it, up to date: the later migrations run once, the old
// customer reads back as a lead on the ladder's first rung, and the new
// tables work.
func TestMigrationsOverFoundation(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		db := b.open(t)
		migrateByHand(ctx, t, b, db, "foundation")
		old := sampleCustomer(newID(t), newID(t))
		insertFoundationCustomer(ctx, t, db, b.dialect, old)

		s, err := sqlstore.New(db.DB, b.dialect, db.opts...)
		require.NoError(t, err)
		require.NoError(t, s.Migrate(ctx))
		require.NoError(t, s.Migrate(ctx), "a second run changes nothing")
		assert.Equal(t, allMigrations, migrationNames(ctx, t, db))

		got, err := getCustomer(ctx, s, old.ID)
		require.NoError(t, err)
		old.Lifecycle = crm.LifecycleLead
		old.Party = crm.PartyOrganization // 0026: a distributor was taken for an organization
		assert.Equal(t, old, got)
		assert.Len(t, listCustomers(ctx, t, s, crm.CustomerFilter{Stage: crm.Indifferent}), 1,
			"a customer from before the ladder stands on its first rung")
		in := sampleInteraction(newID(t), old.ID, newID(t), at(5))
		require.NoError(t, insertInteraction(ctx, s, in))
		assert.Equal(t, in, getInteraction(ctx, t, s, in.ID))
	})
}

// insertFoundationCustomer writes c with the columns of 0001 only, as a
// store of that time did.
func insertFoundationCustomer(ctx context.Context, t *testing.T, db testDB, d sqlstore.Dialect, c crm.Customer) {
	t.Helper()
	var created, updated any = c.CreatedAt, c.UpdatedAt
	marks := "$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14"
	if d == sqlstore.SQLite {
		const layout = "2006-01-02T15:04:05.000000Z"
		created, updated = c.CreatedAt.Format(layout), c.UpdatedAt.Format(layout)
		marks = "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?"
	}
	_, err := db.ExecContext(ctx, "INSERT INTO "+db.table("crm_", "customers")+
		" (id, kind, name, contacts, segment, tags, attributes, owner_id, team, key_account, status, created_at, updated_at, version)"+
		" VALUES ("+marks+")", c.ID.String(), string(c.Kind), c.Name, "null", c.Segment, "null", "null", c.Owner.String(),
		c.Team, c.KeyAccount, string(c.Status), created, updated, c.Version)
	require.NoError(t, err)
}

// migrationNames reads the names of the migrations applied, in order, from
// the version table.
func migrationNames(ctx context.Context, t *testing.T, db testDB) []string {
	t.Helper()
	rows, err := db.QueryContext(ctx, "SELECT name FROM "+db.table("crm_", "schema_migrations")+" ORDER BY version")
	require.NoError(t, err)
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		require.NoError(t, rows.Scan(&n))
		names = append(names, n)
	}
	require.NoError(t, rows.Err())
	return names
}

// TestMigrationsOverExperience brings a database at 0002, the version
// before the sales, with a customer in it, up to date: the customer is a
// lead that no campaign brought, and the sales repositories and
// statistics work over the old customer.
func TestMigrationsOverExperience(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		db := b.open(t)
		migrateByHand(ctx, t, b, db, "foundation", "experience")
		old := sampleCustomer(newID(t), newID(t))
		old.KeyAccount = true
		insertFoundationCustomer(ctx, t, db, b.dialect, old)

		s, err := sqlstore.New(db.DB, b.dialect, db.opts...)
		require.NoError(t, err)
		require.NoError(t, s.Migrate(ctx))
		assert.Equal(t, allMigrations, migrationNames(ctx, t, db))
		got, err := getCustomer(ctx, s, old.ID)
		require.NoError(t, err)
		old.Lifecycle = crm.LifecycleLead
		old.Party = crm.PartyOrganization // 0026: a distributor was taken for an organization
		assert.Equal(t, old, got)

		p := samplePipeline(newID(t))
		deal := sampleDeal(newID(t), p.ID, old.ID)
		deal.Campaign = crm.ID{}
		activity := sampleActivity(newID(t), old.ID, deal.ID)
		write(ctx, t, s, func(tx crm.Tx) error {
			return errors.Join(tx.Pipelines().Insert(ctx, p), tx.Deals().Insert(ctx, deal), tx.Activities().Insert(ctx, activity),
				tx.Campaigns().Insert(ctx, sampleCampaign(newID(t))))
		})
		work := read(ctx, t, s, func(tx crm.ReadTx) (crm.WorkCounts, error) {
			return tx.Sales().Work(ctx, crm.WorkQuery{Today: day(2026, 3, 2)})
		})
		assert.Equal(t, int64(1), work.KeyAccountsTouched)
		counts := read(ctx, t, s, func(tx crm.ReadTx) (crm.CampaignCounts, error) {
			return tx.Sales().Campaign(ctx, crm.Campaign{Currency: eur})
		})
		assert.Equal(t, crm.CampaignCounts{Leads: 1, Opportunities: 1}, counts, "the customer and the deal came from no campaign")
	})
}

// allMigrations are the names of every migration, in order.
var allMigrations = []string{"foundation", "experience", "sales", "receivables", "visit_owners", "trust", "item_entries", "open_items", "period_close", "contract_versions", "dunning", "documents", "business_days", "survey_kinds", "ladder_judgments", "credit_numbers", "ladder_fading", "evidence_sources", "handover", "campaigns", "lost_reasons", "salesreports", "activity_work", "privacy", "consent", "restriction", "erasable_records", "oldest_open", "move_evidence_ref", "interaction_repeats", "evidence_arrival", "contract_next_due"}

// migrateByHand applies the first migrations, named in order, as a
// store of their time did: their files, and their rows in the version
// table Migrate keeps.
func migrateByHand(ctx context.Context, t *testing.T, b backend, db testDB, names ...string) {
	t.Helper()
	files, err := sqlstore.Migrations(b.dialect, db.opts...)
	require.NoError(t, err)
	entries, err := fs.ReadDir(files, ".")
	require.NoError(t, err)
	versions := db.table("crm_", "schema_migrations")
	for i, name := range names {
		require.Equal(t, fmt.Sprintf("%04d_%s.sql", i+1, name), entries[i].Name())
		_, err = db.ExecContext(ctx, readFile(t, files, entries[i].Name()))
		require.NoError(t, err, name)
		if i == 0 { // which made the schema the version table is in
			_, err = db.ExecContext(ctx, "CREATE TABLE "+versions+" (version bigint NOT NULL PRIMARY KEY, name text NOT NULL, applied_at text NOT NULL)")
			require.NoError(t, err)
		}
		_, err = db.ExecContext(ctx, fmt.Sprintf("INSERT INTO %s (version, name, applied_at) VALUES (%d, '%s', 'then')", versions, i+1, name))
		require.NoError(t, err)
	}
}
