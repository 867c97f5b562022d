-- crmkit 0004: receivables. Customers' books, the ledger's entries and
-- their postings, invoices, credits (payments and credit notes) and
-- contracts.
--
-- Money is two columns: INTEGER minor units and the TEXT currency code,
-- '' for the zero amount that has no currency. Dates are TEXT
-- 'YYYY-MM-DD', NULL for no date; the *_day columns repeat a date as days
-- since 1970-01-01 for arithmetic and comparison, and the zero date (no
-- date) as the day the domain compares it as, -0001-11-30 (day -719560),
-- so that as-of bounds and aging treat it exactly as the reference
-- implementations do. Lists inside a record (an invoice's lines, a plan's
-- installments, a contract's steps and approvals) are JSON text, their
-- decimals as exact strings and their amounts in minor units.

-- A customer's book: the row every change to their ledger updates, so
-- that two changes to one customer are serialized, the first included
-- (two transactions inserting version 1 collide on the key).
CREATE TABLE {{table "books"}} (
    customer_id TEXT    NOT NULL PRIMARY KEY,
    version     INTEGER NOT NULL
);

-- Entries are never updated or deleted. postings is how many postings
-- the entry has, NULL for none at all (a nil list). The unique partial
-- indexes make a reused idempotency key and a second reversal of an
-- entry collide, whichever transaction commits first.
CREATE TABLE {{table "entries"}} (
    id              TEXT    NOT NULL PRIMARY KEY,
    kind            TEXT    NOT NULL,
    customer_id     TEXT    NOT NULL,
    document_id     TEXT    NOT NULL,
    effective       TEXT,
    effective_day   INTEGER NOT NULL,
    recorded_at     TEXT    NOT NULL,
    recorded_by     TEXT    NOT NULL,
    description     TEXT    NOT NULL,
    postings        INTEGER,
    reverses        TEXT    NOT NULL,
    reversed_kind   TEXT    NOT NULL,
    idempotency_key TEXT    NOT NULL,
    request_hash    BLOB    NOT NULL
);

CREATE UNIQUE INDEX {{name "entries_idempotency_idx"}} ON {{table "entries"}} (idempotency_key)
    WHERE idempotency_key <> '';
CREATE UNIQUE INDEX {{name "entries_reverses_idx"}} ON {{table "entries"}} (reverses)
    WHERE reverses <> '00000000-0000-0000-0000-000000000000';
CREATE INDEX {{name "entries_customer_idx"}} ON {{table "entries"}} (customer_id, id);
CREATE INDEX {{name "entries_document_idx"}} ON {{table "entries"}} (document_id, id);

-- A posting is one line of an entry, written with it. customer_id and
-- item_id are the zero UUID where the posting has none; due_day and
-- effective_day (the entry's) are what the sums filter and bucket on.
-- postings_items_idx covers every sum: per customer and item (open items),
-- per customer, currency and due day (aging), per account, customer and
-- currency (balances).
--
-- mixed_due is 1 on the receivable postings of an item whose postings do
-- not all have the same due day (the CRM never makes one: an invoice's
-- postings carry its due date), which postings_mixed_due keeps up to
-- date: the aging buckets every other posting by its own due day, and
-- only these item by item (postings_mixed_idx).
CREATE TABLE {{table "postings"}} (
    entry_id      TEXT    NOT NULL REFERENCES {{name "entries"}} (id),
    seq           INTEGER NOT NULL,
    account       TEXT    NOT NULL,
    customer_id   TEXT    NOT NULL,
    currency      TEXT    NOT NULL,
    amount_minor  INTEGER NOT NULL,
    item_id       TEXT    NOT NULL,
    due           TEXT,
    due_day       INTEGER NOT NULL,
    effective_day INTEGER NOT NULL,
    mixed_due     INTEGER NOT NULL DEFAULT 0 CHECK (mixed_due IN (0, 1)),
    PRIMARY KEY (entry_id, seq)
) WITHOUT ROWID;

CREATE INDEX {{name "postings_items_idx"}} ON {{table "postings"}}
    (account, customer_id, currency, item_id, due_day, effective_day, amount_minor, mixed_due);
CREATE INDEX {{name "postings_mixed_idx"}} ON {{table "postings"}}
    (account, customer_id, currency, item_id, due_day, effective_day, amount_minor) WHERE mixed_due = 1;

CREATE TRIGGER {{name "postings_mixed_due"}} AFTER INSERT ON {{table "postings"}}
    WHEN NEW.account = 'receivable' AND EXISTS (SELECT 1 FROM {{table "postings"}} p WHERE p.account = 'receivable'
        AND p.customer_id = NEW.customer_id AND p.currency = NEW.currency AND p.item_id = NEW.item_id
        AND p.due_day <> NEW.due_day)
BEGIN
    UPDATE {{table "postings"}} SET mixed_due = 1 WHERE account = 'receivable' AND customer_id = NEW.customer_id
        AND currency = NEW.currency AND item_id = NEW.item_id AND mixed_due = 0;
END;

-- lines is JSON text: each line's description, its quantity and tax rate
-- as exact text, and its unit price in minor units.
CREATE TABLE {{table "invoices"}} (
    id             TEXT    NOT NULL PRIMARY KEY,
    customer_id    TEXT    NOT NULL,
    number         TEXT    NOT NULL,
    currency       TEXT    NOT NULL,
    lines          TEXT    NOT NULL,
    net_minor      INTEGER NOT NULL,
    net_currency   TEXT    NOT NULL,
    tax_minor      INTEGER NOT NULL,
    tax_currency   TEXT    NOT NULL,
    total_minor    INTEGER NOT NULL,
    total_currency TEXT    NOT NULL,
    issued         TEXT,
    due            TEXT,
    contract_id    TEXT    NOT NULL,
    installment    INTEGER NOT NULL,
    entry_id       TEXT    NOT NULL,
    created_at     TEXT    NOT NULL,
    version        INTEGER NOT NULL
);

CREATE INDEX {{name "invoices_customer_idx"}} ON {{table "invoices"}} (customer_id, id);
CREATE INDEX {{name "invoices_contract_idx"}} ON {{table "invoices"}} (contract_id, id);

CREATE TABLE {{table "credits"}} (
    id              TEXT    NOT NULL PRIMARY KEY,
    customer_id     TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    amount_minor    INTEGER NOT NULL,
    amount_currency TEXT    NOT NULL,
    net_minor       INTEGER NOT NULL,
    net_currency    TEXT    NOT NULL,
    tax_minor       INTEGER NOT NULL,
    tax_currency    TEXT    NOT NULL,
    received        TEXT,
    reference       TEXT    NOT NULL,
    entry_id        TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    version         INTEGER NOT NULL
);

CREATE INDEX {{name "credits_customer_idx"}} ON {{table "credits"}} (customer_id, id);

-- installments, steps and approvals are JSON text; an installment's
-- amount is in minor units.
CREATE TABLE {{table "contracts"}} (
    id              TEXT    NOT NULL PRIMARY KEY,
    customer_id     TEXT    NOT NULL,
    owner_id        TEXT    NOT NULL,
    team            TEXT    NOT NULL,
    title           TEXT    NOT NULL,
    terms           TEXT    NOT NULL,
    amount_minor    INTEGER NOT NULL,
    amount_currency TEXT    NOT NULL,
    start_date      TEXT,
    end_date        TEXT,
    plan_template   TEXT    NOT NULL,
    installments    TEXT    NOT NULL,
    status          TEXT    NOT NULL,
    submitter_id    TEXT    NOT NULL,
    steps           TEXT    NOT NULL,
    approvals       TEXT    NOT NULL,
    signed_at       TEXT,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    version         INTEGER NOT NULL
);

CREATE INDEX {{name "contracts_customer_idx"}} ON {{table "contracts"}} (customer_id, id);
CREATE INDEX {{name "contracts_owner_idx"}} ON {{table "contracts"}} (owner_id, id);
CREATE INDEX {{name "contracts_team_idx"}} ON {{table "contracts"}} (team, id);
CREATE INDEX {{name "contracts_status_idx"}} ON {{table "contracts"}} (status, id);
