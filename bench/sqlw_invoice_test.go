package bench

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/crmkit/crm/store/sqlstore"
	"github.com/google/uuid"
)

// BenchmarkSQLWIssueInvoice issues an invoice of one line for one
// customer, by crmkit and by hand, on SQLite and (with
// CRMKIT_POSTGRES_URL) PostgreSQL, in tables crmkit's migrations made on
// the same database. The hand-written write is one transaction with the
// statements a careful engineer needs for the same rows: one read of the
// checks (the actor is active, the customer exists, the period lock), the
// invoice number, the invoice, the book bumped by one UPDATE that takes
// its lock, the entry and its postings (one statement on PostgreSQL), the
// open item and the balance, and the event chained to the log head it
// locks and moves. crmkit-unsealed is crmkit with WithLogSealing(false):
// it chains in the write, as the hand-written does, instead of sealing the
// log in a transaction after it (PostgreSQL only).
func BenchmarkSQLWIssueInvoice(b *testing.B) {
	ctx := context.Background()
	for _, s := range sqlwDialects(b) {
		b.Run(s.name+"/crmkit", func(b *testing.B) {
			st0, tr0, cpu0 := s.count.stmts.Load(), s.count.trips(), cpuTime()
			for range b.N {
				if _, err := s.crm.Ledger.IssueInvoice(ctx, s.actor, s.invoice()); err != nil {
					b.Fatal(err)
				}
			}
			perOp(b, s.count, st0, tr0, cpu0)
		})
		if s.store.Dialect() == sqlstore.PostgreSQL {
			u := s.unsealed(b)
			b.Run(s.name+"/crmkit-unsealed", func(b *testing.B) {
				st0, tr0, cpu0 := u.count.stmts.Load(), u.count.trips(), cpuTime()
				for range b.N {
					if _, err := u.crm.Ledger.IssueInvoice(ctx, u.actor, u.invoice()); err != nil {
						b.Fatal(err)
					}
				}
				perOp(b, u.count, st0, tr0, cpu0)
			})
		}
		b.Run(s.name+"/handwritten", func(b *testing.B) {
			h := newHand(b, s)
			st0, tr0, cpu0 := s.count.stmts.Load(), s.count.trips(), cpuTime()
			for range b.N {
				if err := h.issueInvoice(ctx); err != nil {
					b.Fatal(err)
				}
			}
			perOp(b, s.count, st0, tr0, cpu0)
		})
	}
}

// hand writes an invoice with hand-written SQL.
type hand struct {
	s  *sqlwDB
	db *sql.DB
	pg bool
	t  func(string) string // quoted table name
	q  func(string) string // the query for the dialect
}

func newHand(b *testing.B, s *sqlwDB) *hand {
	pg := s.store.Dialect() == sqlstore.PostgreSQL
	h := &hand{s: s, db: s.db, pg: pg}
	h.t = func(n string) string {
		if pg {
			return `"sqlw"."crm_` + n + `"`
		}
		return `"crm_` + n + `"`
	}
	h.q = func(q string) string {
		if !pg {
			return q
		}
		var out strings.Builder
		n := 0
		for _, r := range q {
			if r == '?' {
				n++
				fmt.Fprintf(&out, "$%d", n)
				continue
			}
			out.WriteRune(r)
		}
		return out.String()
	}
	// the customer's book exists once crmkit has posted for them; make
	// sure it does.
	if _, err := h.db.ExecContext(context.Background(), h.q("INSERT INTO "+h.t("books")+" (customer_id, version) VALUES (?, 1) ON CONFLICT DO NOTHING"),
		s.customer.String()); err != nil {
		b.Fatal(err)
	}
	return h
}

// execer is a *sql.Conn holding an SQLite transaction, or a *sql.Tx.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// inTx runs fn in a write transaction: BEGIN IMMEDIATE on an SQLite
// connection, READ COMMITTED on PostgreSQL.
func (h *hand) inTx(ctx context.Context, fn func(x execer) error) error {
	if h.pg {
		tx, err := h.db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelReadCommitted})
		if err != nil {
			return err
		}
		if err := fn(tx); err != nil {
			_ = tx.Rollback()
			return err
		}
		return tx.Commit()
	}
	conn, err := h.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return err
	}
	if err := fn(conn); err != nil {
		_, _ = conn.ExecContext(ctx, "ROLLBACK")
		return err
	}
	_, err = conn.ExecContext(ctx, "COMMIT")
	return err
}

func (h *hand) time(t time.Time) any {
	if h.pg {
		return t
	}
	return t.UTC().Format("2006-01-02T15:04:05.000000Z")
}

func (h *hand) now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// check reads what a write checks in one statement: the actor is active,
// the customer exists (and its owner, for the policy), the period lock.
func (h *hand) check(ctx context.Context, x execer) error {
	var active bool
	var owner string
	var locked sql.NullString
	lock := ""
	if h.pg {
		lock = " FOR SHARE OF u"
	}
	err := x.QueryRowContext(ctx, h.q("SELECT u.active, c.owner_id, (SELECT locked_through FROM "+h.t("period_lock")+" WHERE id = 1) FROM "+
		h.t("users")+" u, "+h.t("customers")+" c WHERE u.id = ? AND c.id = ?"+lock), h.s.actor.String(), h.s.customer.String()).Scan(&active, &owner, &locked)
	if err == nil && !active {
		err = fmt.Errorf("inactive")
	}
	return err
}

// event appends one event chained to the log head, which it locks and
// moves.
func (h *hand) event(ctx context.Context, x execer, now time.Time, typ, kind, subject string, data []byte) error {
	var seq int64
	var prev []byte
	lock := ""
	if h.pg {
		lock = " FOR UPDATE"
	}
	if err := x.QueryRowContext(ctx, "SELECT seq, hash FROM "+h.t("event_head")+" WHERE id = 1"+lock).Scan(&seq, &prev); err != nil {
		return err
	}
	salt := make([]byte, 16)
	copy(salt, uuid.New().String())
	dataHash := sha256.Sum256(append(append([]byte{}, salt...), data...))
	hash := sha256.Sum256(append(append(append([]byte{}, prev...), dataHash[:]...), subject...))
	if _, err := x.ExecContext(ctx, h.q("INSERT INTO "+h.t("events")+" (seq, id, recorded_at, actor, event_type, kind, subject, version, data, data_hash, prev_hash, hash, redacted, data_salt) "+
		"VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)"), seq+1, uuid.Must(uuid.NewV7()).String(), h.time(now), h.s.actor.String(), typ, kind, subject,
		string(data), dataHash[:], prev, hash[:], false, salt); err != nil {
		return err
	}
	_, err := x.ExecContext(ctx, h.q("UPDATE "+h.t("event_head")+" SET seq = ?, hash = ? WHERE id = 1"), seq+1, hash[:])
	return err
}

// issueInvoice writes the rows of IssueInvoice.
func (h *hand) issueInvoice(ctx context.Context) error {
	now := h.now()
	day := now.Format("2006-01-02")
	dayNum := now.Unix() / 86400
	zeroDay := time.Time{}.Unix() / 86400
	customer := h.s.customer.String()
	return h.inTx(ctx, func(x execer) error {
		if err := h.check(ctx, x); err != nil {
			return err
		}
		var seq int64
		if err := x.QueryRowContext(ctx, h.q("INSERT INTO "+h.t("number_series")+" (series, year, last) VALUES (?, ?, 1) ON CONFLICT (series, year) DO UPDATE SET last = "+
			h.t("number_series")+".last + 1 RETURNING last"), "INVH", 2026).Scan(&seq); err != nil {
			return err
		}
		number := fmt.Sprintf("INVH-2026-%06d", seq)
		inv, entry := uuid.Must(uuid.NewV7()).String(), uuid.Must(uuid.NewV7()).String()
		lines := `[{"description":"Services","quantity":"1","unit_price":10000,"tax_rate":"0"}]`
		if _, err := x.ExecContext(ctx, h.q("INSERT INTO "+h.t("invoices")+" (id, customer_id, number, currency, lines, net_minor, net_currency, tax_minor, tax_currency, "+
			"total_minor, total_currency, issued, due, contract_id, installment, entry_id, created_at, version, discount_minor, discount_currency) "+
			"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"), inv, customer, number, "USD", lines, 10000, "USD", 0, "USD",
			10000, "USD", day, day, uuid.Nil.String(), 0, entry, h.time(now), 1, 0, ""); err != nil {
			return err
		}
		var version int64
		if err := x.QueryRowContext(ctx, h.q("UPDATE "+h.t("books")+" SET version = version + 1 WHERE customer_id = ? RETURNING version"), customer).Scan(&version); err != nil {
			return err
		}
		entryCols := "id, kind, customer_id, document_id, effective, recorded_at, recorded_by, description, postings, reverses, reversed_kind, idempotency_key, request_hash, effective_day"
		entryArgs := []any{entry, "invoice", customer, inv, day, h.time(now), h.s.actor.String(), "invoice " + number, 2, uuid.Nil.String(), "", "", make([]byte, 32), dayNum}
		postCols := "entry_id, seq, account, customer_id, amount_minor, currency, item_id, due, due_day, effective_day"
		postArgs := []any{entry, 0, "receivable", customer, 10000, "USD", inv, day, dayNum, dayNum,
			entry, 1, "revenue", uuid.Nil.String(), -10000, "USD", uuid.Nil.String(), nil, zeroDay, dayNum}
		if h.pg {
			typed := "(CAST(? AS uuid), CAST(? AS integer), CAST(? AS text), CAST(? AS uuid), CAST(? AS bigint), CAST(? AS text), CAST(? AS uuid), CAST(? AS date), CAST(? AS bigint), CAST(? AS bigint))"
			if _, err := x.ExecContext(ctx, h.q("WITH entry AS (INSERT INTO "+h.t("entries")+" ("+entryCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)) "+
				"INSERT INTO "+h.t("postings")+" ("+postCols+") VALUES "+typed+", "+typed), append(entryArgs, postArgs...)...); err != nil {
				return err
			}
		} else {
			if _, err := x.ExecContext(ctx, "INSERT INTO "+h.t("entries")+" ("+entryCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", entryArgs...); err != nil {
				return err
			}
			if _, err := x.ExecContext(ctx, "INSERT INTO "+h.t("postings")+" ("+postCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", postArgs...); err != nil {
				return err
			}
		}
		openItem := "INSERT INTO " + h.t("open_items") + " AS o (customer_id, item_id, account, currency, open_high, open_low, due, due_entry_id, due_seq, due_effective_day) " +
			"VALUES (?, ?, ?, ?, 0, ?, ?, ?, 0, ?) ON CONFLICT (customer_id, item_id, account, currency) DO UPDATE SET open_low = o.open_low + excluded.open_low"
		balance := "INSERT INTO " + h.t("customer_balances") + " AS o (customer_id, account, currency, total_high, total_low) VALUES (?, ?, ?, 0, ?) " +
			"ON CONFLICT (customer_id, account, currency) DO UPDATE SET total_low = o.total_low + excluded.total_low"
		openArgs := []any{customer, inv, "receivable", "USD", 10000, day, entry, dayNum}
		balArgs := []any{customer, "receivable", "USD", 10000}
		if h.pg {
			if _, err := x.ExecContext(ctx, h.q("WITH items AS ("+openItem+") "+balance), append(openArgs, balArgs...)...); err != nil {
				return err
			}
		} else {
			if _, err := x.ExecContext(ctx, openItem, openArgs...); err != nil {
				return err
			}
			if _, err := x.ExecContext(ctx, balance, balArgs...); err != nil {
				return err
			}
		}
		data, _ := json.Marshal(map[string]any{"kind": "invoice", "customer": customer, "document": inv, "effective": day,
			"postings": []map[string]any{{"account": "receivable", "customer": customer, "amount": map[string]string{"amount": "100.00", "currency": "USD"}, "item": inv},
				{"account": "revenue", "amount": map[string]string{"amount": "-100.00", "currency": "USD"}}}})
		return h.event(ctx, x, now, "ledger.posted", "entry", entry, data)
	})
}
