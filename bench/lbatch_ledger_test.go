package bench

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// BenchmarkLBatchInvoices issues 1,000 invoices (100 customers, one to
// three lines each, each with its idempotency key) side by side on SQLite
// and (with CRMKIT_POSTGRES_URL) PostgreSQL: by LedgerService.IssueInvoices
// in one call, by 1,000 IssueInvoice calls, and by hand, the same invoice,
// entry and posting rows inserted in one transaction with a multi-row
// INSERT a table (the hand-written minimum: no numbering series, no book,
// no open items or balances, no events). Each reports invoices/s,
// statements and round trips an invoice. CRMKIT_BENCH_ITEMS sets another
// batch size (at most 1,000).
//
//	cd bench && go test -run '^$' -bench LBatchInvoices -benchtime 3x -p 1
func BenchmarkLBatchInvoices(b *testing.B) {
	ctx := context.Background()
	size := min(batchSize(), 1000)
	for _, s := range sqlwDialects(b) {
		f := newLBatch(b, s)
		b.Run(fmt.Sprintf("%s/IssueInvoices/%d", s.name, size), func(b *testing.B) {
			f.measure(b, size, func() error {
				_, err := s.crm.Ledger.IssueInvoices(ctx, s.actor, f.invoices(size))
				return err
			})
		})
		b.Run(fmt.Sprintf("%s/IssueInvoice/%d", s.name, size), func(b *testing.B) {
			f.measure(b, size, func() error {
				for _, n := range f.invoices(size) {
					if _, err := s.crm.Ledger.IssueInvoice(ctx, s.actor, n); err != nil {
						return err
					}
				}
				return nil
			})
		})
		b.Run(fmt.Sprintf("%s/HandWritten/%d", s.name, size), func(b *testing.B) {
			h := newHand(b, s)
			f.measure(b, size, func() error { return f.handInvoices(ctx, h, f.invoices(size), false) })
		})
		b.Run(fmt.Sprintf("%s/HandWrittenAll/%d", s.name, size), func(b *testing.B) {
			h := newHand(b, s)
			f.measure(b, size, func() error { return f.handInvoices(ctx, h, f.invoices(size), true) })
		})
	}
}

// BenchmarkLBatchPayments receives 1,000 payments kept as credit (no
// allocation), as BenchmarkLBatchInvoices issues invoices: by
// LedgerService.ReceivePayments, by 1,000 ReceivePayment calls, and by
// hand (the credit, entry and posting rows).
//
//	cd bench && go test -run '^$' -bench LBatchPayments -benchtime 3x -p 1
func BenchmarkLBatchPayments(b *testing.B) {
	ctx := context.Background()
	size := min(batchSize(), 1000)
	for _, s := range sqlwDialects(b) {
		f := newLBatch(b, s)
		b.Run(fmt.Sprintf("%s/ReceivePayments/%d", s.name, size), func(b *testing.B) {
			f.measure(b, size, func() error {
				_, err := s.crm.Ledger.ReceivePayments(ctx, s.actor, f.payments(size))
				return err
			})
		})
		b.Run(fmt.Sprintf("%s/ReceivePayment/%d", s.name, size), func(b *testing.B) {
			f.measure(b, size, func() error {
				for _, n := range f.payments(size) {
					if _, err := s.crm.Ledger.ReceivePayment(ctx, s.actor, n); err != nil {
						return err
					}
				}
				return nil
			})
		})
		b.Run(fmt.Sprintf("%s/HandWritten/%d", s.name, size), func(b *testing.B) {
			h := newHand(b, s)
			f.measure(b, size, func() error { return f.handPayments(ctx, h, f.payments(size)) })
		})
	}
}

// lbatch is a database with 100 customers and a counter of the batches
// made, for unique idempotency keys and numbers.
type lbatch struct {
	s         *sqlwDB
	customers []crm.ID
	run       int
}

func newLBatch(b *testing.B, s *sqlwDB) *lbatch {
	b.Helper()
	f := &lbatch{s: s}
	for i := range 100 {
		cu, err := s.crm.Customers.Create(context.Background(), s.actor, crm.NewCustomer{Kind: crm.EndCustomer, Name: fmt.Sprint("Customer ", i)})
		if err != nil {
			b.Fatal(err)
		}
		f.customers = append(f.customers, cu.ID)
	}
	return f
}

// measure runs write b.N times, each writing size documents, and reports
// documents/s and statements and round trips a document.
func (f *lbatch) measure(b *testing.B, size int, write func() error) {
	c := f.s.count
	st0, tr0, cpu0 := c.stmts.Load(), c.trips(), cpuTime()
	b.ResetTimer()
	for range b.N {
		if err := write(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	docs := float64(size * b.N)
	b.ReportMetric(docs/b.Elapsed().Seconds(), "docs/s")
	b.ReportMetric(float64(c.stmts.Load()-st0)/docs, "stmts/doc")
	b.ReportMetric(float64(c.trips()-tr0)/docs, "trips/doc")
	b.ReportMetric(float64(cpuTime()-cpu0)/docs, "cpu-ns/doc")
}

// invoices returns the next batch: invoice i to customer i%100, with
// 1 + i%3 lines, each with its own idempotency key.
func (f *lbatch) invoices(n int) []crm.NewInvoice {
	f.run++
	usd := f.s.usd
	out := make([]crm.NewInvoice, n)
	for i := range out {
		lines := make([]crm.InvoiceLine, 1+i%3)
		for k := range lines {
			lines[k] = crm.InvoiceLine{Description: fmt.Sprint("Service ", k), Quantity: decimal.NewFromInt(int64(1 + k)),
				UnitPrice: crm.MoneyFromMinor(int64(1000*(1+i%50)), usd)}
		}
		out[i] = crm.NewInvoice{Customer: f.customers[i%len(f.customers)], Currency: usd, Lines: lines,
			IdempotencyKey: fmt.Sprintf("inv-%d-%d", f.run, i)}
	}
	return out
}

// payments returns the next batch: payment i from customer i%100, kept as
// credit, each with its own idempotency key.
func (f *lbatch) payments(n int) []crm.NewPayment {
	f.run++
	out := make([]crm.NewPayment, n)
	for i := range out {
		out[i] = crm.NewPayment{Customer: f.customers[i%len(f.customers)], Amount: crm.MoneyFromMinor(int64(500*(1+i%40)), f.s.usd),
			Reference: fmt.Sprint("transfer ", i), IdempotencyKey: fmt.Sprintf("pay-%d-%d", f.run, i)}
	}
	return out
}

// insertRows inserts rows of cols into table in one statement (the
// batches here stay below every driver's parameter limit).
func (h *hand) insertRows(ctx context.Context, x execer, table string, cols []string, rows [][]any) error {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	args := make([]any, 0, len(rows)*len(cols))
	for _, r := range rows {
		args = append(args, r...)
	}
	_, err := x.ExecContext(ctx, h.q("INSERT INTO "+h.t(table)+" ("+strings.Join(cols, ", ")+") VALUES "+
		strings.TrimSuffix(strings.Repeat(row+", ", len(rows)), ", ")), args...)
	return err
}

var (
	lbEntryCols   = []string{"id", "kind", "customer_id", "document_id", "effective", "recorded_at", "recorded_by", "description", "postings", "reverses", "reversed_kind", "idempotency_key", "request_hash", "effective_day"}
	lbPostingCols = []string{"entry_id", "seq", "account", "customer_id", "amount_minor", "currency", "item_id", "due", "due_day", "effective_day"}
)

// handInvoices writes the invoice, entry and posting rows of batch in one
// transaction, a statement a table. With all, it also writes what crmkit
// writes besides (HandWrittenAll): the open item of each invoice, the
// customers' balances and books, and an event an invoice chained to the
// log's head, each table in one statement (the head read and moved once).
func (f *lbatch) handInvoices(ctx context.Context, h *hand, batch []crm.NewInvoice, all bool) error {
	now := h.now()
	day, due := now.Format("2006-01-02"), now.AddDate(0, 0, 30).Format("2006-01-02")
	dayNum, dueNum := now.Unix()/86400, now.AddDate(0, 0, 30).Unix()/86400
	var invoices, entries, postings, items [][]any
	balances, events := map[string]int64{}, []handEvent{}
	for i, n := range batch {
		inv, entry := uuid.Must(uuid.NewV7()).String(), uuid.Must(uuid.NewV7()).String()
		customer := n.Customer.String()
		number := fmt.Sprintf("HB-%d-%06d", f.run, i)
		var lines strings.Builder
		var total int64
		for k, l := range n.Lines {
			minor, _ := l.UnitPrice.Minor()
			total += minor * l.Quantity.IntPart()
			if k > 0 {
				lines.WriteString(",")
			}
			fmt.Fprintf(&lines, `{"description":%q,"quantity":%q,"unit_price":%d,"tax_rate":"0"}`, l.Description, l.Quantity.String(), minor)
		}
		invoices = append(invoices, []any{inv, customer, number, "USD", "[" + lines.String() + "]", total, "USD", 0, "USD",
			total, "USD", day, due, uuid.Nil.String(), 0, entry, h.time(now), 1, 0, ""})
		entries = append(entries, []any{entry, "invoice", customer, inv, day, h.time(now), h.s.actor.String(), "invoice " + number, 2,
			uuid.Nil.String(), "", n.IdempotencyKey, make([]byte, 32), dayNum})
		postings = append(postings,
			[]any{entry, 0, "receivable", customer, total, "USD", inv, due, dueNum, dayNum},
			[]any{entry, 1, "revenue", uuid.Nil.String(), -total, "USD", uuid.Nil.String(), nil, time.Time{}.Unix() / 86400, dayNum})
		if all {
			items = append(items, []any{customer, inv, "receivable", "USD", 0, total, due, entry, 0, dayNum})
			balances[customer] += total
			data, _ := json.Marshal(map[string]any{"kind": "invoice", "customer": customer, "document": inv, "effective": day,
				"postings": []map[string]any{{"account": "receivable", "customer": customer, "amount": map[string]string{"amount": fmt.Sprint(total), "currency": "USD"}, "item": inv, "due": due},
					{"account": "revenue", "amount": map[string]string{"amount": fmt.Sprint(-total), "currency": "USD"}}}})
			events = append(events, handEvent{subject: entry, data: data})
		}
	}
	return h.inTx(ctx, func(x execer) error {
		if all {
			if err := h.insertAll(ctx, x, now, items, balances, events); err != nil {
				return err
			}
		}
		if err := h.insertRows(ctx, x, "invoices", []string{"id", "customer_id", "number", "currency", "lines", "net_minor", "net_currency",
			"tax_minor", "tax_currency", "total_minor", "total_currency", "issued", "due", "contract_id", "installment", "entry_id", "created_at",
			"version", "discount_minor", "discount_currency"}, invoices); err != nil {
			return err
		}
		if err := h.insertRows(ctx, x, "entries", lbEntryCols, entries); err != nil {
			return err
		}
		return h.insertRows(ctx, x, "postings", lbPostingCols, postings)
	})
}

// handEvent is an event HandWrittenAll appends.
type handEvent struct {
	subject string
	data    []byte
}

// insertAll writes the open items, the balances and books (added to,
// many rows to a statement), and the events chained to the log's head,
// which it reads and moves once.
func (h *hand) insertAll(ctx context.Context, x execer, now time.Time, items [][]any, balances map[string]int64, events []handEvent) error {
	if err := h.insertRows(ctx, x, "open_items", []string{"customer_id", "item_id", "account", "currency", "open_high", "open_low", "due",
		"due_entry_id", "due_seq", "due_effective_day"}, items); err != nil {
		return err
	}
	var bal, books [][]any
	for c, total := range balances {
		bal = append(bal, []any{c, "receivable", "USD", 0, total})
		books = append(books, []any{c, 1})
	}
	if err := h.upsertRows(ctx, x, "customer_balances", []string{"customer_id", "account", "currency", "total_high", "total_low"}, bal,
		" ON CONFLICT (customer_id, account, currency) DO UPDATE SET total_low = o.total_low + excluded.total_low"); err != nil {
		return err
	}
	if err := h.upsertRows(ctx, x, "books", []string{"customer_id", "version"}, books,
		" ON CONFLICT (customer_id) DO UPDATE SET version = o.version + 1"); err != nil {
		return err
	}
	var seq int64
	var prev []byte
	lock := ""
	if h.pg {
		lock = " FOR UPDATE"
	}
	if err := x.QueryRowContext(ctx, "SELECT seq, hash FROM "+h.t("event_head")+" WHERE id = 1"+lock).Scan(&seq, &prev); err != nil {
		return err
	}
	var rows [][]any
	for _, ev := range events {
		salt := make([]byte, 16)
		copy(salt, uuid.New().String())
		dataHash := sha256.Sum256(append(append([]byte{}, salt...), ev.data...))
		hash := sha256.Sum256(append(append(append([]byte{}, prev...), dataHash[:]...), ev.subject...))
		seq++
		rows = append(rows, []any{seq, uuid.Must(uuid.NewV7()).String(), h.time(now), h.s.actor.String(), "ledger.posted", "entry", ev.subject, 1,
			string(ev.data), dataHash[:], prev, hash[:], false, salt})
		prev = hash[:]
	}
	if err := h.insertRows(ctx, x, "events", []string{"seq", "id", "recorded_at", "actor", "event_type", "kind", "subject", "version", "data",
		"data_hash", "prev_hash", "hash", "redacted", "data_salt"}, rows); err != nil {
		return err
	}
	_, err := x.ExecContext(ctx, h.q("UPDATE "+h.t("event_head")+" SET seq = ?, hash = ? WHERE id = 1"), seq, prev)
	return err
}

// upsertRows is insertRows with an ON CONFLICT clause (the table is
// aliased o).
func (h *hand) upsertRows(ctx context.Context, x execer, table string, cols []string, rows [][]any, conflict string) error {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	args := make([]any, 0, len(rows)*len(cols))
	for _, r := range rows {
		args = append(args, r...)
	}
	_, err := x.ExecContext(ctx, h.q("INSERT INTO "+h.t(table)+" AS o ("+strings.Join(cols, ", ")+") VALUES "+
		strings.TrimSuffix(strings.Repeat(row+", ", len(rows)), ", ")+conflict), args...)
	return err
}

// handPayments writes the credit, entry and posting rows of batch in one
// transaction, a statement a table.
func (f *lbatch) handPayments(ctx context.Context, h *hand, batch []crm.NewPayment) error {
	now := h.now()
	day, dayNum := now.Format("2006-01-02"), now.Unix()/86400
	zeroDay := time.Time{}.Unix() / 86400
	var credits, entries, postings [][]any
	for _, n := range batch {
		credit, entry := uuid.Must(uuid.NewV7()).String(), uuid.Must(uuid.NewV7()).String()
		customer := n.Customer.String()
		minor, _ := n.Amount.Minor()
		credits = append(credits, []any{credit, customer, "payment", minor, "USD", minor, "USD", 0, "USD", day, n.Reference, entry,
			h.time(now), 1, uuid.Nil.String(), ""})
		entries = append(entries, []any{entry, "payment", customer, credit, day, h.time(now), h.s.actor.String(), "payment " + n.Reference, 2,
			uuid.Nil.String(), "", n.IdempotencyKey, make([]byte, 32), dayNum})
		postings = append(postings,
			[]any{entry, 0, "cash", uuid.Nil.String(), minor, "USD", uuid.Nil.String(), nil, zeroDay, dayNum},
			[]any{entry, 1, "customer_credit", customer, -minor, "USD", credit, nil, zeroDay, dayNum})
	}
	return h.inTx(ctx, func(x execer) error {
		if err := h.insertRows(ctx, x, "credits", []string{"id", "customer_id", "kind", "amount_minor", "amount_currency", "net_minor",
			"net_currency", "tax_minor", "tax_currency", "received", "reference", "entry_id", "created_at", "version", "invoice_id", "number"}, credits); err != nil {
			return err
		}
		if err := h.insertRows(ctx, x, "entries", lbEntryCols, entries); err != nil {
			return err
		}
		return h.insertRows(ctx, x, "postings", lbPostingCols, postings)
	})
}

// BenchmarkLBatchLog prints the statements of an IssueInvoices and a
// ReceivePayments of three each, on each database (run with -benchtime
// 1x).
func BenchmarkLBatchLog(b *testing.B) {
	ctx := context.Background()
	for _, s := range sqlwDialects(b) {
		f := newLBatch(b, s)
		for range b.N {
			fmt.Println(s.name, "IssueInvoices of 3:")
			s.count.log.Store(true)
			if _, err := s.crm.Ledger.IssueInvoices(ctx, s.actor, f.invoices(3)); err != nil {
				b.Fatal(err)
			}
			fmt.Println(s.name, "ReceivePayments of 3:")
			if _, err := s.crm.Ledger.ReceivePayments(ctx, s.actor, f.payments(3)); err != nil {
				b.Fatal(err)
			}
			s.count.log.Store(false)
		}
	}
}
