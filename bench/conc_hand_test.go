package bench

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"
)

// handLedger is a hand-written double-entry ledger in the manner of
// pgledger: accounts keep their balance and version current; a transfer
// is one READ COMMITTED transaction that locks its two accounts in the
// order of their IDs (FOR UPDATE), checks the one it takes from may go
// below zero only if allowed, moves both balances with a version check,
// and writes a transfer row and one entry per account, with the balance
// and version after. Every customer has accounts of its own, so no row is
// shared by all writers.
type handLedger struct{ db *sql.DB }

const handSchema = `
CREATE TABLE accounts (
  id bigint PRIMARY KEY,
  name text NOT NULL,
  currency text NOT NULL,
  allow_negative boolean NOT NULL,
  balance numeric NOT NULL DEFAULT 0,
  version bigint NOT NULL DEFAULT 0
);
CREATE TABLE transfers (
  id bigserial PRIMARY KEY,
  kind text NOT NULL,
  from_account bigint NOT NULL REFERENCES accounts,
  to_account bigint NOT NULL REFERENCES accounts,
  amount numeric NOT NULL CHECK (amount > 0),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE entries (
  id bigserial PRIMARY KEY,
  transfer_id bigint NOT NULL REFERENCES transfers,
  account_id bigint NOT NULL REFERENCES accounts,
  amount numeric NOT NULL,
  balance_after numeric NOT NULL,
  account_version bigint NOT NULL
);
CREATE INDEX entries_account ON entries (account_id, account_version);
CREATE INDEX entries_transfer ON entries (transfer_id);
`

// transferSQL is a whole transfer but its BEGIN and COMMIT, in one
// statement: $1 from, $2 to, $3 amount, $4 kind. It returns the transfer's
// ID, or no row when the from account may not go below zero.
const transferSQL = `
WITH locked AS (
  SELECT id, balance, version, allow_negative FROM accounts WHERE id IN ($1, $2) ORDER BY id FOR UPDATE
), allowed AS (
  SELECT count(*) = 2 AS ok FROM locked WHERE id <> $1 OR allow_negative OR balance >= $3::numeric
), moved AS (
  UPDATE accounts a SET balance = a.balance + CASE WHEN a.id = $1 THEN -$3::numeric ELSE $3::numeric END, version = a.version + 1
    FROM locked l WHERE a.id = l.id AND a.version = l.version AND (SELECT ok FROM allowed)
  RETURNING a.id, a.balance, a.version
), t AS (
  INSERT INTO transfers (kind, from_account, to_account, amount)
  SELECT $4, $1, $2, $3::numeric WHERE (SELECT count(*) FROM moved) = 2
  RETURNING id
), e AS (
  INSERT INTO entries (transfer_id, account_id, amount, balance_after, account_version)
  SELECT t.id, m.id, CASE WHEN m.id = $1 THEN -$3::numeric ELSE $3::numeric END, m.balance, m.version FROM t, moved m
)
SELECT id FROM t`

func newHandLedger(b *testing.B, db *sql.DB) *handLedger {
	if _, err := db.Exec(handSchema); err != nil {
		b.Fatal(err)
	}
	return &handLedger{db: db}
}

// handAccounts are one customer's accounts.
type handAccounts struct{ receivable, revenue, cash, credit int64 }

// customer opens customer w's four accounts.
func (h *handLedger) customer(b *testing.B, w int) handAccounts {
	base := int64(w)*4 + 1
	a := handAccounts{receivable: base, revenue: base + 1, cash: base + 2, credit: base + 3}
	_, err := h.db.Exec(`INSERT INTO accounts (id, name, currency, allow_negative) VALUES
  ($1, $5 || ':receivable', 'EUR', false), ($2, $5 || ':revenue', 'EUR', true),
  ($3, $5 || ':cash', 'EUR', true), ($4, $5 || ':credit', 'EUR', true)`,
		a.receivable, a.revenue, a.cash, a.credit, fmt.Sprint("customer ", w))
	if err != nil {
		b.Fatal(err)
	}
	return a
}

// transfer moves amount from one account to another in a transaction of
// its own.
func (h *handLedger) transfer(ctx context.Context, kind string, from, to int64, amount string) error {
	tx, err := h.db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelReadCommitted})
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	var id int64
	err = tx.QueryRowContext(ctx, transferSQL, from, to, amount, kind).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s of %s from account %d: not allowed", kind, amount, from)
	}
	if err != nil {
		return err
	}
	return tx.Commit()
}

// postOnce bills a customer, receives its payment as credit and settles
// the invoice from the credit: three transfers.
func (h *handLedger) postOnce(ctx context.Context, a handAccounts, amount string) error {
	if err := h.transfer(ctx, "invoice", a.revenue, a.receivable, amount); err != nil {
		return err
	}
	if err := h.transfer(ctx, "payment", a.credit, a.cash, amount); err != nil {
		return err
	}
	return h.transfer(ctx, "allocation", a.receivable, a.credit, amount)
}

// check fails b unless the ledger holds entries entries, every transfer
// balances, every customer has paid what it was billed, and each
// account's balance is the sum of its entries.
func (h *handLedger) check(b *testing.B, entries int) {
	var n, unbalanced, owing, drift int
	err := h.db.QueryRow(`SELECT
  (SELECT count(*) FROM entries),
  (SELECT count(*) FROM (SELECT transfer_id FROM entries GROUP BY transfer_id HAVING sum(amount) <> 0) t),
  (SELECT count(*) FROM accounts WHERE name LIKE '%:receivable' AND balance <> 0),
  (SELECT count(*) FROM accounts a WHERE balance <> (SELECT coalesce(sum(amount), 0) FROM entries e WHERE e.account_id = a.id))`).
		Scan(&n, &unbalanced, &owing, &drift)
	if err != nil {
		b.Fatal(err)
	}
	if n != entries || unbalanced != 0 || owing != 0 || drift != 0 {
		b.Fatalf("%d entries, want %d; %d transfers unbalanced, %d customers owing, %d balances off their entries", n, entries, unbalanced, owing, drift)
	}
}
