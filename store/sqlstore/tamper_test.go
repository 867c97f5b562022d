package sqlstore_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/sqlstore"
	"github.com/crmkit/crm/store/storetest"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tamperBed is a store with some history, a signed checkpoint of it, and
// the SQL connection of someone who has the database.
type tamperBed struct {
	*storetest.Team
	store   crm.Store
	db      testDB
	dialect sqlstore.Dialect
	finance crm.User
	invoice crm.Invoice
	cp      crm.Checkpoint
	pub     ed25519.PublicKey
}

func newTamperBed(t *testing.T, b backend) *tamperBed {
	t.Helper()
	ctx := context.Background()
	s, db := b.newStore(t)
	tm := storetest.NewTeam(t, s)
	fin, err := tm.Users.Create(ctx, tm.Admin.ID, crm.NewUser{Name: "Fay Finance", Role: crm.RoleFinance})
	require.NoError(t, err)
	c, err := tm.Customers.Create(ctx, tm.Ann.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: "Jane Roe"})
	require.NoError(t, err)
	inv, err := tm.Ledger.IssueInvoice(ctx, fin.ID, crm.NewInvoice{Customer: c.ID, Currency: crm.EUR, Number: "INV-1",
		Lines: []crm.InvoiceLine{{Description: "Services", Quantity: decimalOne, UnitPrice: crm.MoneyFromMinor(10_000, crm.EUR)}}})
	require.NoError(t, err)
	for i := range 3 {
		_, err := tm.Customers.Update(ctx, tm.Ann.ID, crm.CustomerPatch{Customer: c.ID, AddTags: []string{"t" + strconv.Itoa(i)}})
		require.NoError(t, err)
	}
	pub, key, err := ed25519.GenerateKey(nil)
	require.NoError(t, err)
	cp, err := tm.Events.Checkpoint(ctx, key)
	require.NoError(t, err)
	_, err = tm.Events.Verify(ctx)
	require.NoError(t, err, "the untouched log verifies")
	require.NoError(t, tm.Ledger.Verify(ctx, tm.Admin.ID), "the untouched ledger verifies")
	return &tamperBed{Team: tm, store: s, db: db, dialect: b.dialect, finance: fin, invoice: inv, cp: cp, pub: pub}
}

// sql runs statements as the database's owner would, '?' placeholders
// numbered for PostgreSQL.
func (tb *tamperBed) sql(stmt string, args ...any) error {
	if tb.dialect == sqlstore.PostgreSQL {
		for i := 1; strings.Contains(stmt, "?"); i++ {
			stmt = strings.Replace(stmt, "?", "$"+strconv.Itoa(i), 1)
		}
	}
	_, err := tb.db.ExecContext(context.Background(), stmt, args...)
	return err
}

func (tb *tamperBed) table(name string) string { return tb.db.table("crm_", name) }

// dropGuards drops the triggers that keep the log and the ledger
// append-only, as the database's owner can.
func dropGuards(t *testing.T, dialect sqlstore.Dialect, db testDB) {
	t.Helper()
	var stmts []string
	if dialect == sqlstore.PostgreSQL {
		for _, f := range []string{"refuse_rewrite", "events_redaction_only", "postings_mixed_due_only", "entries_description_only"} {
			stmts = append(stmts, "DROP FUNCTION "+db.table("crm_", f)+"() CASCADE")
		}
	} else {
		for _, tr := range []string{"events_no_delete", "events_redaction_only", "entries_no_update", "entries_no_delete",
			"postings_no_delete", "postings_mixed_due_only"} {
			stmts = append(stmts, "DROP TRIGGER "+db.table("crm_", tr))
		}
	}
	for _, s := range stmts {
		_, err := db.ExecContext(context.Background(), s)
		require.NoError(t, err, s)
	}
}

// TestGuardsRefuseRewrites tries, through SQL, every rewrite of the log
// and the ledger the triggers refuse.
func TestGuardsRefuseRewrites(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		tb := newTamperBed(t, b)
		refused := []string{
			"UPDATE " + tb.table("events") + " SET data = '{}' WHERE seq = 3",
			"UPDATE " + tb.table("events") + " SET hash = prev_hash WHERE seq = 3",
			"UPDATE " + tb.table("events") + " SET redacted = true, data = '{}' , actor = subject WHERE seq = 3",
			"DELETE FROM " + tb.table("events") + " WHERE seq = 3",
			"UPDATE " + tb.table("entries") + " SET kind = kind",
			"UPDATE " + tb.table("entries") + " SET description = 'erased', customer_id = customer_id",
			"UPDATE " + tb.table("entries") + " SET description = 'erased', effective_day = effective_day + 1",
			"UPDATE " + tb.table("entries") + " SET request_hash = " + map[sqlstore.Dialect]string{
				sqlstore.SQLite: "randomblob(32)", sqlstore.PostgreSQL: "decode(repeat('ab', 32), 'hex')"}[b.dialect],
			"DELETE FROM " + tb.table("entries"),
			"UPDATE " + tb.table("postings") + " SET amount_minor = amount_minor * 2",
			"DELETE FROM " + tb.table("postings"),
		}
		if b.dialect == sqlstore.PostgreSQL {
			refused = append(refused, "TRUNCATE "+tb.table("events"), "TRUNCATE "+tb.table("entries"), "TRUNCATE "+tb.table("postings")+" CASCADE")
		}
		for _, stmt := range refused {
			assert.Error(t, tb.sql(stmt), "refused: %s", stmt)
		}
		_, err := tb.Events.Verify(context.Background())
		assert.NoError(t, err, "nothing changed")
		assert.NoError(t, tb.Ledger.Verify(context.Background(), tb.Admin.ID))
	})
}

// TestGuardsLetAnErasureThrough erases an entry's description through
// SQL, the one change to the ledger the triggers allow (migration 0031):
// the log and the ledger still verify, since no event vouches for a
// description.
func TestGuardsLetAnErasureThrough(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		tb := newTamperBed(t, b)
		require.NoError(t, tb.sql("UPDATE "+tb.table("entries")+" SET description = ? WHERE id = ?", "[erased]", tb.invoice.Entry.String()))
		var e crm.Entry
		require.NoError(t, tb.store.View(context.Background(), func(tx crm.ReadTx) (err error) {
			e, err = tx.Ledger().Entry(context.Background(), tb.invoice.Entry)
			return err
		}))
		assert.Equal(t, "[erased]", e.Description)
		assert.Len(t, e.Postings, 2, "the postings stay")
		_, err := tb.Events.Verify(context.Background())
		assert.NoError(t, err, "the log is untouched")
		assert.NoError(t, tb.Ledger.Verify(context.Background(), tb.Admin.ID), "the ledger verifies")
		if b.dialect == sqlstore.PostgreSQL {
			// On PostgreSQL the guard compares the rows too: a column added
			// to entries later, which the migration could not name, is
			// kept as well.
			require.NoError(t, tb.sql("ALTER TABLE "+tb.table("entries")+" ADD COLUMN later integer NOT NULL DEFAULT 0"))
			assert.Error(t, tb.sql("UPDATE "+tb.table("entries")+" SET later = 1"), "a later column is append-only too")
			assert.NoError(t, tb.sql("UPDATE "+tb.table("entries")+" SET description = description"))
		}
	})
}

// TestTamperingIsCaught drops the guards, as the database's owner can,
// and edits, deletes, reorders, truncates, re-chains and wipes the log
// and rewrites the ledger through SQL: the chain, the checkpoint or the
// ledger's check against its events catches each.
func TestTamperingIsCaught(t *testing.T) {
	ctx := context.Background()
	type caught int
	const (
		byChain caught = iota
		byCheckpoint
		byLedger
	)
	cases := []struct {
		name   string
		tamper func(t *testing.T, tb *tamperBed)
		by     caught
	}{
		{"EditData", func(t *testing.T, tb *tamperBed) {
			require.NoError(t, tb.sql("UPDATE "+tb.table("events")+" SET data = '{\"changes\":[]}' WHERE seq = 7"))
		}, byChain},
		{"MarkRedactedAndRewrite", func(t *testing.T, tb *tamperBed) {
			require.NoError(t, tb.sql("UPDATE "+tb.table("events")+" SET redacted = ?, data = '{\"changes\":[]}' WHERE seq = 7", true))
		}, byChain},
		{"ChangeSalt", func(t *testing.T, tb *tamperBed) {
			require.NoError(t, tb.sql("UPDATE "+tb.table("events")+" SET data_salt = ? WHERE seq = 7", bytes.Repeat([]byte{7}, 32)))
		}, byChain},
		{"DropSalt", func(t *testing.T, tb *tamperBed) {
			require.NoError(t, tb.sql("UPDATE "+tb.table("events")+" SET data_salt = NULL WHERE seq = 7"))
		}, byChain},
		{"Delete", func(t *testing.T, tb *tamperBed) {
			require.NoError(t, tb.sql("DELETE FROM "+tb.table("events")+" WHERE seq = 7"))
		}, byChain},
		{"Reorder", func(t *testing.T, tb *tamperBed) {
			ev := tb.table("events")
			require.NoError(t, tb.sql("UPDATE "+ev+" SET seq = -1 WHERE seq = 7"))
			require.NoError(t, tb.sql("UPDATE "+ev+" SET seq = 7 WHERE seq = 8"))
			require.NoError(t, tb.sql("UPDATE "+ev+" SET seq = 8 WHERE seq = -1"))
		}, byChain},
		{"TruncateTailAndMoveHeadBack", func(t *testing.T, tb *tamperBed) {
			keep := tb.eventsOf(t)[:tb.cp.Seq-2]
			require.NoError(t, tb.sql("DELETE FROM "+tb.table("events")+" WHERE seq > ?", len(keep)))
			tb.setHead(t, keep[len(keep)-1])
		}, byCheckpoint},
		{"RechainAfterEdit", func(t *testing.T, tb *tamperBed) {
			events := tb.eventsOf(t)
			events[6].Data = []byte(`{"changes":[{"field":"name","to":"Someone Else"}]}`)
			events[6].DataHash, events[6].DataSalt = crm.Hash(sha256Of(events[6].Data)), nil
			head := crm.LogHead{Seq: events[5].Seq, Hash: events[5].Hash}
			for i := 6; i < len(events); i++ {
				e := &events[i]
				e.PrevHash = head.Hash
				e.Hash = e.ComputeHash()
				head = crm.LogHead{Seq: e.Seq, Hash: e.Hash}
				require.NoError(t, tb.sql("UPDATE "+tb.table("events")+" SET data = ?, data_salt = ?, data_hash = ?, prev_hash = ?, hash = ? WHERE seq = ?",
					string(e.Data), nullBytes(e.DataSalt), e.DataHash[:], e.PrevHash[:], e.Hash[:], e.Seq))
			}
			tb.setHead(t, events[len(events)-1])
		}, byCheckpoint},
		{"Wipe", func(t *testing.T, tb *tamperBed) {
			require.NoError(t, tb.sql("DELETE FROM "+tb.table("events")))
			tb.setHead(t, crm.Event{})
		}, byCheckpoint},
		{"BothLegsOfAnInvoice", func(t *testing.T, tb *tamperBed) {
			require.NoError(t, tb.sql("UPDATE "+tb.table("postings")+" SET amount_minor = amount_minor * 2 WHERE entry_id = ?", tb.invoice.Entry.String()))
		}, byLedger},
		{"DeleteAnEntry", func(t *testing.T, tb *tamperBed) {
			require.NoError(t, tb.sql("DELETE FROM "+tb.table("postings")+" WHERE entry_id = ?", tb.invoice.Entry.String()))
			require.NoError(t, tb.sql("DELETE FROM "+tb.table("invoices")+" WHERE entry_id = ?", tb.invoice.Entry.String()))
			require.NoError(t, tb.sql("DELETE FROM "+tb.table("entries")+" WHERE id = ?", tb.invoice.Entry.String()))
		}, byLedger},
	}
	forEachBackend(t, func(t *testing.T, b backend) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				tb := newTamperBed(t, b)
				dropGuards(t, b.dialect, tb.db)
				c.tamper(t, tb)
				_, chainErr := tb.Events.Verify(ctx)
				_, cpErr := tb.Events.VerifySince(ctx, tb.cp, tb.pub)
				ledgerErr := tb.Ledger.Verify(ctx, tb.Admin.ID)
				switch c.by {
				case byChain:
					assert.ErrorIs(t, chainErr, crm.ErrChainBroken, "the chain catches it")
					assert.NoError(t, cpErr, "an edit before the checkpoint is the full verification's to find: VerifySince reads only what came after")
				case byCheckpoint:
					assert.NoError(t, chainErr, "a consistent rewrite passes the chain on its own")
					assert.ErrorIs(t, cpErr, crm.ErrChainBroken, "the checkpoint catches it")
				case byLedger:
					assert.NoError(t, chainErr, "the log is untouched")
					assert.ErrorIs(t, ledgerErr, crm.ErrLedgerBroken, "the ledger's check against its events catches it")
				}
			})
		}
	})
}

// eventsOf reads the whole log through SQL-free port reads.
func (tb *tamperBed) eventsOf(t *testing.T) []crm.Event {
	t.Helper()
	var out []crm.Event
	for e, err := range tb.Events.Feed(context.Background(), 0) {
		require.NoError(t, err)
		out = append(out, e)
	}
	return out
}

// setHead moves the stored head to e.
func (tb *tamperBed) setHead(t *testing.T, e crm.Event) {
	t.Helper()
	require.NoError(t, tb.sql("UPDATE "+tb.table("event_head")+" SET seq = ?, hash = ? WHERE id = 1", e.Seq, e.Hash[:]))
}

var decimalOne = decimal.NewFromInt(1)

func sha256Of(b []byte) [32]byte { return sha256.Sum256(b) }

// nullBytes is b as a query argument, NULL when empty.
func nullBytes(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// TestTamperingSinceALedgerCheckpoint drops the guards and rewrites,
// through SQL, an entry posted after a ledger checkpoint: VerifySince
// from it catches each edit, as Verify does; an entry rewritten with its
// event, which the full checks leave to Events.Verify, it catches by the
// event's data hash. An edit of an entry before the checkpoint is
// Verify's to find.
func TestTamperingSinceALedgerCheckpoint(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name   string
		tamper func(t *testing.T, tb *tamperBed, entry crm.ID)
		since  bool // VerifySince catches it
		chain  bool // of the full checks, Events.Verify catches it rather than Ledger.Verify
	}{
		{"BothLegsOfAnInvoice", func(t *testing.T, tb *tamperBed, entry crm.ID) {
			require.NoError(t, tb.sql("UPDATE "+tb.table("postings")+" SET amount_minor = amount_minor * 2 WHERE entry_id = ?", entry.String()))
		}, true, false},
		{"OneLegOfAnInvoice", func(t *testing.T, tb *tamperBed, entry crm.ID) {
			require.NoError(t, tb.sql("UPDATE "+tb.table("postings")+" SET amount_minor = amount_minor * 2 WHERE entry_id = ? AND account = ?",
				entry.String(), string(crm.AccountReceivable)))
		}, true, false},
		{"DeleteAnEntry", func(t *testing.T, tb *tamperBed, entry crm.ID) {
			require.NoError(t, tb.sql("DELETE FROM "+tb.table("postings")+" WHERE entry_id = ?", entry.String()))
			require.NoError(t, tb.sql("DELETE FROM "+tb.table("invoices")+" WHERE entry_id = ?", entry.String()))
			require.NoError(t, tb.sql("DELETE FROM "+tb.table("entries")+" WHERE id = ?", entry.String()))
		}, true, false},
		{"BothLegsOfAnInvoiceAndItsEvent", func(t *testing.T, tb *tamperBed, entry crm.ID) {
			require.NoError(t, tb.sql("UPDATE "+tb.table("postings")+" SET amount_minor = amount_minor * 2 WHERE entry_id = ?", entry.String()))
			for _, e := range tb.eventsOf(t) {
				if e.Subject == entry {
					data := strings.ReplaceAll(string(e.Data), `"50.00"`, `"100.00"`)
					require.NoError(t, tb.sql("UPDATE "+tb.table("events")+" SET data = ? WHERE seq = ?", strings.ReplaceAll(data, `"-50.00"`, `"-100.00"`), e.Seq))
				}
			}
		}, true, true},
		{"AnEntryBeforeTheCheckpoint", func(t *testing.T, tb *tamperBed, _ crm.ID) {
			require.NoError(t, tb.sql("UPDATE "+tb.table("postings")+" SET amount_minor = amount_minor * 2 WHERE entry_id = ?", tb.invoice.Entry.String()))
		}, false, false},
	}
	forEachBackend(t, func(t *testing.T, b backend) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				tb := newTamperBed(t, b)
				cp, err := tb.Ledger.VerifySince(ctx, tb.Admin.ID, crm.LedgerCheckpoint{})
				require.NoError(t, err)
				inv, err := tb.Ledger.IssueInvoice(ctx, tb.finance.ID, crm.NewInvoice{Customer: tb.invoice.Customer, Currency: crm.EUR, Number: "INV-2",
					Lines: []crm.InvoiceLine{{Description: "More services", Quantity: decimalOne, UnitPrice: crm.MoneyFromMinor(5_000, crm.EUR)}}})
				require.NoError(t, err)
				_, err = tb.Ledger.VerifySince(ctx, tb.Admin.ID, cp)
				require.NoError(t, err, "the untouched ledger verifies from the checkpoint")
				dropGuards(t, b.dialect, tb.db)
				c.tamper(t, tb, inv.Entry)
				_, err = tb.Ledger.VerifySince(ctx, tb.Admin.ID, cp)
				if c.since {
					assert.True(t, errors.Is(err, crm.ErrLedgerBroken) || errors.Is(err, crm.ErrChainBroken), "VerifySince catches it: %v", err)
				} else {
					assert.NoError(t, err, "an edit before the checkpoint is the full verification's to find")
				}
				if c.chain {
					_, err = tb.Events.Verify(ctx)
					assert.ErrorIs(t, err, crm.ErrChainBroken, "Events.Verify catches it")
					return
				}
				assert.ErrorIs(t, tb.Ledger.Verify(ctx, tb.Admin.ID), crm.ErrLedgerBroken, "Verify catches it")
			})
		}
	})
}
