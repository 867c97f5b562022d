package bench

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/sqlite"
	"github.com/crmkit/crm/store/sqlstore"
	"github.com/crmkit/crm/store/storekit"
	"github.com/crmkit/crm/store/storetest"
)

// BenchmarkBatchIngest writes batches of interactions into a SQLite file,
// side by side: through ExperienceService.RecordInteractions (the
// interactions, their ladder evidence, states, moves and events), and by
// hand, the same interaction rows inserted into the same table (created by
// crmkit's migrations) with multi-row INSERTs in one transaction per
// batch. Each reports interactions/s. The batch is 10,000 recordings of
// 1,000 customers at 20 touchpoints, a second apart;
// CRMKIT_BENCH_ITEMS sets another size.
//
//	cd bench && go test -run '^$' -bench BatchIngest -benchtime 3x
func BenchmarkBatchIngest(b *testing.B) {
	size := batchSize()
	b.Run(fmt.Sprintf("RecordInteractions/%d", size), func(b *testing.B) {
		f := newIngest(b)
		b.ResetTimer()
		for range b.N {
			batch := f.batch(size)
			if _, err := f.tm.Experience.RecordInteractions(context.Background(), f.tm.Ann.ID, batch); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(size*b.N)/b.Elapsed().Seconds(), "interactions/s")
		b.StopTimer()
		f.reportRows(b, size*b.N)
	})
	b.Run(fmt.Sprintf("HandWritten/%d", size), func(b *testing.B) {
		f := newIngest(b)
		db, err := sql.Open("sqlite", "file:"+f.path+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_pragma=synchronous(FULL)")
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = db.Close() })
		var n uint64
		b.ResetTimer()
		for range b.N {
			rows := f.rows(f.batch(size), &n)
			if err := insertInteractions(db, rows); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(size*b.N)/b.Elapsed().Seconds(), "interactions/s")
	})
}

func batchSize() int {
	if n, err := strconv.Atoi(os.Getenv("CRMKIT_BENCH_ITEMS")); err == nil && n > 0 {
		return min(n, 10_000)
	}
	return 10_000
}

// ingest is a CRM on a SQLite file with a touchpoint map and 1,000
// customers.
type ingest struct {
	tm        *storetest.Team
	path      string
	m         crm.TouchpointMap
	tps       map[string]crm.ResolvedTouchpoint
	customers []crm.ID
}

func newIngest(b *testing.B) *ingest {
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "crm.db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	tm := storetest.NewTeam(b, s)
	nm := crm.NewTouchpointMap{Name: "Bench"}
	channels := []crm.Channel{crm.ChannelWeb, crm.ChannelContactCenter, crm.ChannelBranch, crm.ChannelMobileApp}
	for i := range 20 {
		nm.Touchpoints = append(nm.Touchpoints, crm.Touchpoint{Key: fmt.Sprintf("tp%02d", i), Name: fmt.Sprint("Touchpoint ", i),
			Channel: channels[i%len(channels)], Phase: crm.Phases()[i%len(crm.Phases())], Department: fmt.Sprint("dept ", i%5),
			Standards: crm.ServiceStandards{AnswerWithin: time.Minute, MinCSAT: 3}})
	}
	m, err := tm.Experience.CreateTouchpointMap(ctx, tm.Admin.ID, nm)
	if err != nil {
		b.Fatal(err)
	}
	resolved, err := m.Resolve()
	if err != nil {
		b.Fatal(err)
	}
	f := &ingest{tm: tm, path: path, m: m, tps: map[string]crm.ResolvedTouchpoint{}}
	for _, tp := range resolved {
		f.tps[tp.Key] = tp
	}
	for i := range 1000 {
		cu, err := tm.Customers.Create(ctx, tm.Ann.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: fmt.Sprint("Customer ", i)})
		if err != nil {
			b.Fatal(err)
		}
		f.customers = append(f.customers, cu.ID)
	}
	return f
}

// batch returns n recordings a second apart, the customers in turn, and
// advances the clock past them.
func (f *ingest) batch(n int) []crm.NewInteraction {
	start := f.tm.Clock.Now()
	f.tm.Clock.Advance(time.Duration(n+1) * time.Second)
	out := make([]crm.NewInteraction, n)
	for i := range out {
		nps := i % 11
		out[i] = crm.NewInteraction{Customer: f.customers[i%len(f.customers)], Map: f.m.ID, Touchpoint: fmt.Sprintf("tp%02d", i%20),
			At: start.Add(time.Duration(i+1) * time.Second), Direction: crm.Inbound, Sentiment: crm.Sentiment(i%5 - 2),
			Wait: time.Duration(i%120) * time.Second, Handle: time.Duration(i%900) * time.Second, Resolved: i%3 > 0,
			Survey: crm.Survey{NPS: &nps}}
	}
	return out
}

// rows returns the interactions RecordInteractions would store for
// batch, with IDs from n.
func (f *ingest) rows(batch []crm.NewInteraction, n *uint64) []crm.Interaction {
	out := make([]crm.Interaction, len(batch))
	now := f.tm.Clock.Now()
	for i, in := range batch {
		*n++
		var id crm.ID
		id[0], id[6] = 0xff, 0x70
		for k := range 8 {
			id[15-k] = byte(*n >> (8 * k))
		}
		tp := f.tps[in.Touchpoint]
		out[i] = crm.Interaction{ID: id, Customer: in.Customer, Map: in.Map, Touchpoint: in.Touchpoint, At: in.At,
			Direction: in.Direction, HandledBy: f.tm.Ann.ID, Department: tp.Department, Channel: tp.Channel, Medium: tp.Medium,
			Phase: tp.Phase, Wait: in.Wait, Handle: in.Handle, Resolved: in.Resolved, Sentiment: in.Sentiment, Survey: in.Survey,
			AnswerBreached: in.Wait > time.Minute, RecordedAt: now, RecordedBy: f.tm.Ann.ID, Day: crm.DateOf(in.At)}
	}
	return out
}

// interactionColumns are the interactions table's columns, derived ones
// included.
var interactionColumns = []string{"id", "customer_id", "map_id", "touchpoint", "at", "direction", "handled_by", "department",
	"channel", "medium", "phase", "wait_us", "handle_us", "transfers", "resolved", "sentiment", "nps", "csat", "ces",
	"case_id", "note", "answer_breached", "csat_breached", "idempotency_key", "request_hash", "recorded_at",
	"recorded_by", "business_day", "survey_kind", "transfers_count", "inbound", "fcr", "satisfaction", "promoter", "detractor",
	"csat_satisfied", "at_us", "day_key", "week_key", "month_key"}

// insertInteractions inserts rows in one transaction, as many to a
// statement as 4,000 parameters allow.
func insertInteractions(db *sql.DB, rows []crm.Interaction) error {
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	per := 4000 / len(interactionColumns)
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(interactionColumns)), ", ") + ")"
	head := "INSERT INTO " + sqlstore.DefaultTablePrefix + "interactions (" + strings.Join(interactionColumns, ", ") + ") VALUES "
	var stmt *sql.Stmt
	for start := 0; start < len(rows); start += per {
		chunk := rows[start:min(start+per, len(rows))]
		args := make([]any, 0, len(chunk)*len(interactionColumns))
		for _, in := range chunk {
			args = append(args, interactionValues(in)...)
		}
		if len(chunk) != per || stmt == nil {
			if stmt != nil {
				_ = stmt.Close()
			}
			if stmt, err = tx.PrepareContext(ctx, head+strings.TrimSuffix(strings.Repeat(row+", ", len(chunk)), ", ")); err != nil {
				return err
			}
		}
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			return err
		}
	}
	if stmt != nil {
		_ = stmt.Close()
	}
	return tx.Commit()
}

func interactionValues(in crm.Interaction) []any {
	const layout = "2006-01-02T15:04:05.000000Z"
	transfers, _ := json.Marshal(in.Transfers)
	opt := func(p *int) any {
		if p == nil {
			return nil
		}
		return int64(*p)
	}
	flag := func(b bool) int {
		if b {
			return 1
		}
		return 0
	}
	between := func(p *int, lo, hi int) bool { return p != nil && *p >= lo && *p <= hi }
	sv, day := in.Survey, in.BusinessDay()
	return []any{in.ID.String(), in.Customer.String(), in.Map.String(), in.Touchpoint, in.At.UTC().Format(layout),
		string(in.Direction), in.HandledBy.String(), in.Department, string(in.Channel), string(in.Medium),
		string(in.Phase), in.Wait.Microseconds(), in.Handle.Microseconds(), string(transfers), in.Resolved, int(in.Sentiment),
		opt(sv.NPS), opt(sv.CSAT), opt(sv.CES), in.Case.String(), in.Note, in.AnswerBreached, in.CSATBreached,
		in.IdempotencyKey, in.RequestHash[:], in.RecordedAt.UTC().Format(layout), in.RecordedBy.String(), in.Day,
		string(in.SurveyKind), len(in.Transfers), flag(in.Direction == crm.Inbound), flag(in.FirstContactResolution()),
		in.Satisfaction(), flag(between(sv.NPS, 9, 10)), flag(between(sv.NPS, 0, 6)), flag(between(sv.CSAT, 4, 5)),
		in.At.UnixMicro(), storekit.PeriodKey(crm.PeriodDay, day), storekit.PeriodKey(crm.PeriodWeek, day),
		storekit.PeriodKey(crm.PeriodMonth, day)}
}

// reportRows reports the rows the CRM wrote besides the interactions, per
// interaction recorded: what the hand-written ingest does not write.
func (f *ingest) reportRows(b *testing.B, recorded int) {
	db, err := sql.Open("sqlite", "file:"+f.path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	for _, table := range []string{"evidence", "ladder_moves", "events"} {
		var n int
		if err := db.QueryRow("SELECT count(*) FROM " + sqlstore.DefaultTablePrefix + table).Scan(&n); err != nil {
			b.Fatal(err)
		}
		if table == "events" {
			n -= 1000 + 10 // the customers created and the team's set-up
		}
		b.ReportMetric(float64(n)/float64(recorded), table+"/interaction")
	}
}
