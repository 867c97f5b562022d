package storetest

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/require"
)

// BenchScale measures each CRM write on a store that already holds n
// records of the history the write might touch, for each n of sizes (or
// of CRMKIT_BENCH_ITEMS, a comma-separated list, when set): a write that
// costs what it touches takes the same time at every size. The history
// is loaded through the port in large transactions, each record with the
// event the CRM would have recorded for it, so that the log grows too:
//
//   - Customers: n customers, a tenth of them Ann's; CreateCustomer adds
//     one, UpdateCustomer changes one of Ann's (another each time).
//   - Interactions: n interactions over the year before now, of n/100
//     customers and of one customer with a tenth of them (the "history"
//     customer); RecordInteraction records a contact of that customer
//     (History) or of one who has none (Fresh), a second apart.
//   - Ledger: about n entries over the year before now (invoices, half of
//     them paid by a payment and its allocation), of n/100 customers and
//     of one customer with a tenth of them; IssueInvoice bills that
//     customer, ReceivePayment receives a payment from them applied
//     oldest first, which settles part of one invoice (an invoice issued
//     outside the timer keeps as many open).
//   - Sales: n deals of n/100 customers and n activities on them, a tenth
//     of the activities on one open deal; MoveDeal moves that deal between
//     two open stages, LogActivity logs an activity on it.
//
// Each op adds to the store, so compare sizes at a fixed iteration count:
//
//	go test -run '^$' -bench 'Scale' -benchtime 200x ./store/memory
//	CRMKIT_BENCH_ITEMS=1000,100000 go test -run '^$' -bench 'Scale/Ledger' -benchtime 100x ./store/sqlite
func BenchScale(b *testing.B, newStore func(b *testing.B) crm.Store, sizes ...int) {
	BenchScaleWith(b, ScaleStores{Load: func(tb testing.TB) crm.Store { return newStore(tb.(*testing.B)) }}, sizes...)
}

// ScaleStores opens the stores of BenchScaleWith. Load returns an empty
// store for the history, which may be set up to write it fast (a large
// page cache, no sync at commit, another database altogether). Measure,
// when set, ends the load: it is given that store once the history is in
// it and returns the store the writes are measured on, holding the same
// records (the same database reopened as an application would open it,
// or a copy of it); without Measure the writes run on the loaded store.
type ScaleStores struct {
	Load    func(tb testing.TB) crm.Store
	Measure func(tb testing.TB, loaded crm.Store) crm.Store
}

// BenchScaleWith is BenchScale with the history loaded into one store
// and the writes measured on another (see ScaleStores).
func BenchScaleWith(b *testing.B, stores ScaleStores, sizes ...int) {
	if env := os.Getenv("CRMKIT_BENCH_ITEMS"); env != "" {
		sizes = nil
		for _, f := range strings.Split(env, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 100 {
				b.Fatalf("CRMKIT_BENCH_ITEMS=%q: want sizes of 100 or more, separated by commas", env)
			}
			sizes = append(sizes, n)
		}
	}
	for _, fam := range scaleFamilies {
		b.Run(fam.name, func(b *testing.B) {
			for _, n := range sizes {
				b.Run(fmt.Sprint(n), func(b *testing.B) {
					fam.run(b, stores, n, func(name string, tm *Team, prep, op func(i int) error) {
						b.Run(name, func(b *testing.B) { scaleTimed(b, tm, prep, op) })
					})
				})
			}
		})
	}
}

// CheckScale loads each history of BenchScaleWith at size n, runs each
// write three times on the store Measure returns, and verifies its event
// log and its ledger: a loader that writes what the CRM would not (a
// broken chain, postings without their open items) fails it.
func CheckScale(t *testing.T, stores ScaleStores, n int) {
	ctx := context.Background()
	for _, fam := range scaleFamilies {
		t.Run(fam.name, func(t *testing.T) {
			tm := fam.run(t, stores, n, func(name string, tm *Team, prep, op func(i int) error) {
				for i := range 3 {
					tm.Clock.Advance(time.Second)
					if prep != nil {
						require.NoError(t, prep(i), name)
					}
					require.NoError(t, op(i), name)
				}
			})
			_, err := tm.Events.Verify(ctx)
			require.NoError(t, err)
			require.NoError(t, tm.Ledger.Verify(ctx, tm.Admin.ID))
		})
	}
}

// scaleRun runs the write op of a family after its history is loaded,
// with prep (when given) before each op, outside the timer.
type scaleRun func(name string, tm *Team, prep, op func(i int) error)

// scaleFamilies are the histories of BenchScale and their writes; each
// returns the team the writes ran on.
var scaleFamilies = []struct {
	name string
	run  func(tb testing.TB, stores ScaleStores, n int, run scaleRun) *Team
}{
	{"Customers", scaleCustomers},
	{"Interactions", scaleInteractions},
	{"Ledger", scaleLedger},
	{"Sales", scaleSales},
}

// measure ends the load that began at start: it moves tm to the store
// the writes are measured on, when it is another, and logs how long the
// load took.
func (o ScaleStores) measure(b testing.TB, tm *Team, start time.Time) *Team {
	b.Helper()
	if o.Measure != nil {
		s := o.Measure(b, tm.Store)
		// Another random source than NewTeam's, whose IDs are taken.
		c, err := crm.New(s, crm.WithClock(tm.Clock), crm.WithRandom(rand.NewChaCha8([32]byte{2})), crm.WithRetries(64, time.Millisecond))
		if err != nil {
			b.Fatal(err)
		}
		moved := *tm
		moved.CRM, moved.Store = c, s
		tm = &moved
	}
	b.Logf("history loaded in %s", time.Since(start).Round(time.Second))
	return tm
}

// scaleBatch is how many records the load writes to a transaction.
const scaleBatch = 5_000

// scaleLoad writes history through the port, each record with an event
// chained to the log's head.
type scaleLoad struct {
	tm  *Team
	g   *ids
	rng *rand.Rand
}

func newScaleLoad(tm *Team) *scaleLoad {
	return &scaleLoad{tm: tm, g: &ids{n: 1 << 43}, rng: rand.New(rand.NewPCG(15, 15))}
}

// scaleRecord is what one record of the load wrote: its event's type,
// kind and subject, and the event's data where the CRM checks it against
// the record (a ledger entry's), else a stand-in.
type scaleRecord struct {
	typ     crm.EventType
	kind    crm.Kind
	subject crm.ID
	data    []byte
}

// scaleEntryData is the data of the ledger.posted event the CRM records
// for e, which VerifyLedger compares with the entry.
func scaleEntryData(e crm.Entry) ([]byte, error) {
	var document string
	if !e.Document.IsZero() {
		document = e.Document.String()
	}
	return json.Marshal(struct {
		Kind      crm.EntryKind `json:"kind"`
		Customer  crm.ID        `json:"customer"`
		Document  string        `json:"document,omitempty"`
		Effective crm.Date      `json:"effective"`
		Postings  []crm.Posting `json:"postings"`
	}{e.Kind, e.Customer, document, e.Effective, e.Postings})
}

// load calls write n times, scaleBatch to a transaction, and appends an
// event for each record it reports.
func (l *scaleLoad) load(b testing.TB, n int, write func(ctx context.Context, tx crm.Tx, i int) ([]scaleRecord, error)) {
	b.Helper()
	ctx := context.Background()
	for done := 0; done < n; done += scaleBatch {
		err := l.tm.Store.Update(ctx, func(tx crm.Tx) error {
			head, err := tx.Events().Head(ctx)
			if err != nil {
				return err
			}
			var events []crm.Event
			for i := done; i < min(done+scaleBatch, n); i++ {
				recs, err := write(ctx, tx, i)
				if err != nil {
					return err
				}
				for _, r := range recs {
					data := r.data
					if data == nil {
						data = []byte(`{"loaded":` + strconv.Itoa(i) + `}`)
					}
					ev := crm.Event{Seq: head.Seq + 1, ID: l.g.next(), Time: epoch, Actor: l.tm.Admin.ID, Type: r.typ, Kind: r.kind,
						Subject: r.subject, Version: 1, Data: data, DataHash: crm.Hash(sha256.Sum256(data)), PrevHash: head.Hash}
					ev.Hash = ev.ComputeHash()
					head = crm.LogHead{Seq: ev.Seq, Hash: ev.Hash}
					events = append(events, ev)
				}
			}
			return tx.Events().Append(ctx, events)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// customers loads n customers owned by owner and returns their IDs.
func (l *scaleLoad) customers(b testing.TB, n int, owner crm.User) []crm.ID {
	out := make([]crm.ID, n)
	l.load(b, n, func(ctx context.Context, tx crm.Tx, i int) ([]scaleRecord, error) {
		c := sampleCustomer(l.g.next(), owner.ID)
		c.Team, c.Party, c.Lifecycle = owner.Team, crm.PartyOrganization, crm.LifecycleCustomer
		out[i] = c.ID
		return []scaleRecord{{crm.CustomerCreated, crm.KindCustomer, c.ID, nil}}, tx.Customers().Insert(ctx, c)
	})
	return out
}

// past returns an instant of the year before now, to the microsecond.
func (l *scaleLoad) past() time.Time {
	return epoch.Add(-time.Duration(1 + l.rng.Int64N(int64(365*24*time.Hour)))).Truncate(time.Microsecond)
}

// scaleTimed runs op b.N times with the clock a second further each
// time, and prep before each outside the timer.
func scaleTimed(b *testing.B, tm *Team, prep, op func(i int) error) {
	b.Helper()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		tm.Clock.Advance(time.Second)
		if prep != nil {
			b.StopTimer()
			err := prep(i)
			b.StartTimer()
			if err != nil {
				b.Fatal(err)
			}
		}
		if err := op(i); err != nil {
			b.Fatal(err)
		}
	}
}

func scaleCustomers(b testing.TB, stores ScaleStores, n int, run scaleRun) *Team {
	ctx := context.Background()
	start := time.Now()
	tm := NewTeam(b, stores.Load(b))
	l := newScaleLoad(tm)
	anns := l.customers(b, n/10, tm.Ann)
	l.customers(b, n-n/10, tm.Ben)
	tm = stores.measure(b, tm, start)
	run("CreateCustomer", tm, nil, func(i int) error {
		_, err := tm.Customers.Create(ctx, tm.Ann.ID, crm.NewCustomer{Kind: crm.Partner, Name: fmt.Sprint("Scale ", i)})
		return err
	})
	run("UpdateCustomer", tm, nil, func(i int) error {
		seg := fmt.Sprint("segment ", i)
		_, err := tm.Customers.Update(ctx, tm.Ann.ID, crm.CustomerPatch{Customer: anns[(i*7919)%len(anns)], Segment: &seg})
		return err
	})
	return tm
}

func scaleInteractions(b testing.TB, stores ScaleStores, n int, run scaleRun) *Team {
	ctx := context.Background()
	start := time.Now()
	tm := NewTeam(b, stores.Load(b))
	m, err := tm.Experience.CreateTouchpointMap(ctx, tm.Admin.ID, benchMap())
	if err != nil {
		b.Fatal(err)
	}
	tps, err := m.Resolve()
	if err != nil {
		b.Fatal(err)
	}
	l := newScaleLoad(tm)
	customers := l.customers(b, max(1, n/100), tm.Ann)
	history := customers[0]
	l.load(b, n, func(ctx context.Context, tx crm.Tx, i int) ([]scaleRecord, error) {
		customer := customers[l.rng.IntN(len(customers))]
		if i%10 == 0 {
			customer = history
		}
		tp := tps[l.rng.IntN(len(tps))]
		at := l.past()
		in := crm.Interaction{ID: l.g.next(), Customer: customer, Map: m.ID, Touchpoint: tp.Key, At: at, Direction: crm.Inbound,
			Department: tp.Department, Channel: tp.Channel, Medium: tp.Medium, Phase: tp.Phase, Wait: time.Duration(l.rng.IntN(120)) * time.Second,
			Resolved: l.rng.IntN(3) > 0, Sentiment: crm.Sentiment(l.rng.IntN(5) - 2), RecordedAt: at, RecordedBy: tm.Ann.ID, Day: crm.DateOf(at)}
		return []scaleRecord{{crm.InteractionRecorded, crm.KindInteraction, in.ID, nil}}, tx.Interactions().Insert(ctx, in)
	})
	fresh, err := tm.Customers.Create(ctx, tm.Ann.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: "Fresh"})
	if err != nil {
		b.Fatal(err)
	}
	tm = stores.measure(b, tm, start)
	for _, bc := range []struct {
		name     string
		customer crm.ID
	}{{"RecordInteraction/History", history}, {"RecordInteraction/Fresh", fresh.ID}} {
		run(bc.name, tm, nil, func(i int) error {
			_, err := tm.Experience.RecordInteraction(ctx, tm.Ann.ID, crm.NewInteraction{Customer: bc.customer, Map: m.ID,
				Touchpoint: fmt.Sprintf("tp%02d", i%20), At: tm.Clock.Now(), Direction: crm.Inbound, Sentiment: crm.Sentiment(i%5 - 2)})
			return err
		})
	}
	return tm
}

func scaleLedger(b testing.TB, stores ScaleStores, n int, run scaleRun) *Team {
	ctx := context.Background()
	start := time.Now()
	bk := newBooks(b, stores.Load(b))
	tm := bk.Team
	usd, _ := crm.ParseCurrency("USD")
	l := newScaleLoad(tm)
	customers := l.customers(b, max(1, n/100), tm.Ann)
	history := customers[0]
	// A step is an invoice, and every other step its payment and the
	// payment's allocation: about two entries a step.
	steps := max(1, n/2)
	l.load(b, steps, func(ctx context.Context, tx crm.Tx, i int) ([]scaleRecord, error) {
		customer := customers[l.rng.IntN(len(customers))]
		if i%10 == 0 {
			customer = history
		}
		day := crm.DateOf(l.past())
		amount := int64(1000 * (1 + l.rng.IntN(10)))
		inv := crm.Invoice{ID: l.g.next(), Customer: customer, Number: fmt.Sprint("S-", i), Currency: usd, Issued: day, Due: day.AddDays(30),
			Entry: l.g.next(), CreatedAt: epoch, Version: 1, Net: crm.MoneyFromMinor(amount, usd), Tax: crm.Zero(usd),
			Total: crm.MoneyFromMinor(amount, usd)}
		if err := tx.Invoices().Insert(ctx, inv); err != nil {
			return nil, err
		}
		entries := []crm.Entry{{ID: inv.Entry, Kind: crm.EntryInvoice, Customer: customer, Document: inv.ID, Effective: day,
			Postings: []crm.Posting{receivable(inv, amount), company(crm.AccountRevenue, -amount, usd)}}}
		if i%2 == 1 {
			pay := crm.Credit{ID: l.g.next(), Customer: customer, Kind: crm.CreditPayment, Amount: crm.MoneyFromMinor(amount, usd),
				Received: day, Entry: l.g.next(), CreatedAt: epoch, Version: 1}
			if err := tx.Credits().Insert(ctx, pay); err != nil {
				return nil, err
			}
			entries = append(entries,
				crm.Entry{ID: pay.Entry, Kind: crm.EntryPayment, Customer: customer, Document: pay.ID, Effective: day,
					Postings: []crm.Posting{company(crm.AccountCash, amount, usd), credit(pay, -amount)}},
				crm.Entry{ID: l.g.next(), Kind: crm.EntryAllocation, Customer: customer, Document: pay.ID, Effective: day,
					Postings: []crm.Posting{credit(pay, amount), receivable(inv, -amount)}})
		}
		var recs []scaleRecord
		for _, e := range entries {
			e.RecordedAt, e.RecordedBy = epoch, bk.fin.ID
			if err := tx.Ledger().Append(ctx, e); err != nil {
				return nil, err
			}
			data, err := scaleEntryData(e)
			if err != nil {
				return nil, err
			}
			recs = append(recs, scaleRecord{crm.LedgerPosted, crm.KindEntry, e.ID, data})
		}
		return recs, nil
	})
	bk.Team = stores.measure(b, bk.Team, start)
	tm = bk.Team
	price := crm.MoneyFromMinor(5_000, usd)
	number := 0 // invoice numbers are unique across the runs of a benchmark
	next := func() string { number++; return fmt.Sprint("B-", number) }
	run("IssueInvoice", tm, nil, func(i int) error {
		_, err := bk.Ledger.IssueInvoice(ctx, bk.fin.ID, newInvoice(history, price, next()))
		return err
	})
	run("ReceivePayment", tm, func(int) error {
		_, err := bk.Ledger.IssueInvoice(ctx, bk.fin.ID, newInvoice(history, price, next()))
		return err
	}, func(i int) error {
		r, err := bk.Ledger.ReceivePayment(ctx, bk.fin.ID, crm.NewPayment{Customer: history, Amount: crm.MoneyFromMinor(1_000, usd),
			Allocation: crm.AllocateOldestFirst})
		if err == nil && len(r.Allocations) != 1 {
			err = fmt.Errorf("the payment made %d allocations, not 1", len(r.Allocations))
		}
		return err
	})
	return tm
}

func scaleSales(b testing.TB, stores ScaleStores, n int, run scaleRun) *Team {
	ctx := context.Background()
	start := time.Now()
	tm := NewTeam(b, stores.Load(b))
	usd, _ := crm.ParseCurrency("USD")
	p, err := tm.Deals.CreatePipeline(ctx, tm.Admin.ID, crm.NewPipeline{Name: "Scale", Currency: usd, AllowSkip: true, AllowBack: true})
	if err != nil {
		b.Fatal(err)
	}
	f, err := p.Flow()
	if err != nil {
		b.Fatal(err)
	}
	open := f.Pipeline().OpenStages()
	l := newScaleLoad(tm)
	customers := l.customers(b, max(1, n/100), tm.Ann)
	deals := make([]crm.Deal, n)
	l.load(b, n, func(ctx context.Context, tx crm.Tx, i int) ([]scaleRecord, error) {
		created := l.past()
		d, err := f.Open(l.g.next(), crm.NewDeal{Customer: customers[l.rng.IntN(len(customers))], Title: "Scale deal",
			Amount: crm.MoneyFromMinor(100_000+l.rng.Int64N(10_000_000), usd), CloseDate: crm.DateOf(created).AddDays(60)}, tm.Ann, created)
		if err != nil {
			return nil, err
		}
		if err := f.Move(&d, open[l.rng.IntN(len(open))].Key, created.Add(time.Hour)); err != nil {
			return nil, err
		}
		if i%3 == 0 {
			err = f.Win(&d, d.Amount, created.Add(2*time.Hour))
		}
		if err != nil {
			return nil, err
		}
		deals[i] = d
		return []scaleRecord{{crm.DealOpened, crm.KindDeal, d.ID, nil}}, tx.Deals().Insert(ctx, d)
	})
	d, err := tm.Deals.Open(ctx, tm.Ann.ID, crm.NewDeal{Pipeline: p.ID, Customer: customers[0], Title: "Moving",
		Amount: crm.MoneyFromMinor(500_000, usd), CloseDate: crm.DateOf(epoch).AddDays(60)})
	if err != nil {
		b.Fatal(err)
	}
	l.load(b, n, func(ctx context.Context, tx crm.Tx, i int) ([]scaleRecord, error) {
		at := l.past()
		a := crm.Activity{ID: l.g.next(), Type: crm.ActivityCall, Customer: customers[l.rng.IntN(len(customers))], Owner: tm.Ann.ID,
			Team: tm.Ann.Team, At: at, Subject: "Loaded", Status: crm.ActivityDone, Done: true, CreatedAt: at, UpdatedAt: at, Version: 1}
		if i%10 == 0 {
			a.Customer, a.Deal = customers[0], d.ID
		} else if i%2 == 0 {
			on := deals[l.rng.IntN(len(deals))]
			a.Customer, a.Deal = on.Customer, on.ID
		}
		return []scaleRecord{{crm.ActivityLogged, crm.KindActivity, a.ID, nil}}, tx.Activities().Insert(ctx, a)
	})
	tm = stores.measure(b, tm, start)
	run("MoveDeal", tm, nil, func(i int) error {
		_, err := tm.Deals.Move(ctx, tm.Ann.ID, crm.MoveDealRequest{Deal: d.ID, Stage: open[1+i%2].Key})
		return err
	})
	run("LogActivity", tm, nil, func(i int) error {
		_, err := tm.Activities.Log(ctx, tm.Ann.ID, crm.NewActivity{Type: crm.ActivityCall, Customer: customers[0], Deal: d.ID,
			Subject: fmt.Sprint("Call ", i), Done: true})
		return err
	})
	return tm
}
