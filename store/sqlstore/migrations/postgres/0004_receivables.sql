-- crmkit 0004: receivables. Customers' books, the ledger's entries and
-- their postings, invoices, credits (payments and credit notes) and
-- contracts.
--
-- Money is two columns: bigint minor units and the text currency code,
-- '' for the zero amount that has no currency. Dates are date, NULL for
-- no date; the *_day columns repeat a date as days since 1970-01-01 for
-- arithmetic and comparison, and the zero date (no date) as the day the
-- domain compares it as, -0001-11-30 (day -719560), so that as-of bounds
-- and aging treat it exactly as the reference implementations do. Lists
-- inside a record (an invoice's lines, a plan's installments, a
-- contract's steps and approvals) are JSON text, their decimals as exact
-- strings and their amounts in minor units.

-- A customer's book: the row every change to their ledger updates, so
-- that two changes to one customer are serialized, the first included
-- (two transactions inserting version 1 collide on the key).
CREATE TABLE {{table "books"}} (
    customer_id uuid   NOT NULL PRIMARY KEY,
    version     bigint NOT NULL
);

-- Entries are never updated or deleted. postings is how many postings
-- the entry has, NULL for none at all (a nil list). The unique partial
-- indexes make a reused idempotency key and a second reversal of an
-- entry collide, whichever transaction commits first.
CREATE TABLE {{table "entries"}} (
    id              uuid        NOT NULL PRIMARY KEY,
    kind            text        NOT NULL,
    customer_id     uuid        NOT NULL,
    document_id     uuid        NOT NULL,
    effective       date,
    effective_day   bigint      NOT NULL,
    recorded_at     timestamptz NOT NULL,
    recorded_by     uuid        NOT NULL,
    description     text        NOT NULL,
    postings        integer,
    reverses        uuid        NOT NULL,
    reversed_kind   text        NOT NULL,
    idempotency_key text        NOT NULL,
    request_hash    bytea       NOT NULL
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
-- postings_items_idx serves every sum: per customer and item (open items),
-- per customer, currency and due day (aging), per account, customer and
-- currency (balances).
--
-- mixed_due is 1 on the receivable postings of an item whose postings do
-- not all have the same due day (the CRM never makes one: an invoice's
-- postings carry its due date), which postings_mixed_due keeps up to
-- date: the aging buckets every other posting by its own due day, and
-- only these item by item (postings_mixed_idx).
CREATE TABLE {{table "postings"}} (
    entry_id      uuid    NOT NULL REFERENCES {{table "entries"}} (id),
    seq           integer NOT NULL,
    account       text    NOT NULL,
    customer_id   uuid    NOT NULL,
    currency      text    NOT NULL,
    amount_minor  bigint  NOT NULL,
    item_id       uuid    NOT NULL,
    due           date,
    due_day       bigint  NOT NULL,
    effective_day bigint  NOT NULL,
    mixed_due     integer NOT NULL DEFAULT 0 CHECK (mixed_due IN (0, 1)),
    PRIMARY KEY (entry_id, seq)
);

CREATE INDEX {{name "postings_items_idx"}} ON {{table "postings"}} (account, customer_id, currency, item_id)
    INCLUDE (due_day, effective_day, amount_minor, mixed_due);
CREATE INDEX {{name "postings_mixed_idx"}} ON {{table "postings"}} (account, customer_id, currency, item_id)
    INCLUDE (due_day, effective_day, amount_minor) WHERE mixed_due = 1;

-- The trigger locks the item first (an advisory lock of the two-key
-- space, held to the end of the transaction), so that of two
-- transactions posting to one item at once the second sees the first's
-- due day.
CREATE FUNCTION {{table "postings_mark_mixed_due"}}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(1668443499, hashtext(NEW.customer_id::text || NEW.currency || NEW.item_id::text));
    IF EXISTS (SELECT 1 FROM {{table "postings"}} p WHERE p.account = 'receivable' AND p.customer_id = NEW.customer_id
               AND p.currency = NEW.currency AND p.item_id = NEW.item_id AND p.due_day <> NEW.due_day) THEN
        UPDATE {{table "postings"}} SET mixed_due = 1 WHERE account = 'receivable' AND customer_id = NEW.customer_id
            AND currency = NEW.currency AND item_id = NEW.item_id AND mixed_due = 0;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER {{name "postings_mixed_due"}} AFTER INSERT ON {{table "postings"}}
    FOR EACH ROW WHEN (NEW.account = 'receivable') EXECUTE FUNCTION {{table "postings_mark_mixed_due"}}();

-- lines is JSON text: each line's description, its quantity and tax rate
-- as exact text, and its unit price in minor units.
CREATE TABLE {{table "invoices"}} (
    id             uuid        NOT NULL PRIMARY KEY,
    customer_id    uuid        NOT NULL,
    number         text        NOT NULL,
    currency       text        NOT NULL,
    lines          text        NOT NULL,
    net_minor      bigint      NOT NULL,
    net_currency   text        NOT NULL,
    tax_minor      bigint      NOT NULL,
    tax_currency   text        NOT NULL,
    total_minor    bigint      NOT NULL,
    total_currency text        NOT NULL,
    issued         date,
    due            date,
    contract_id    uuid        NOT NULL,
    installment    integer     NOT NULL,
    entry_id       uuid        NOT NULL,
    created_at     timestamptz NOT NULL,
    version        bigint      NOT NULL
);

CREATE INDEX {{name "invoices_customer_idx"}} ON {{table "invoices"}} (customer_id, id);
CREATE INDEX {{name "invoices_contract_idx"}} ON {{table "invoices"}} (contract_id, id);

CREATE TABLE {{table "credits"}} (
    id              uuid        NOT NULL PRIMARY KEY,
    customer_id     uuid        NOT NULL,
    kind            text        NOT NULL,
    amount_minor    bigint      NOT NULL,
    amount_currency text        NOT NULL,
    net_minor       bigint      NOT NULL,
    net_currency    text        NOT NULL,
    tax_minor       bigint      NOT NULL,
    tax_currency    text        NOT NULL,
    received        date,
    reference       text        NOT NULL,
    entry_id        uuid        NOT NULL,
    created_at      timestamptz NOT NULL,
    version         bigint      NOT NULL
);

CREATE INDEX {{name "credits_customer_idx"}} ON {{table "credits"}} (customer_id, id);

-- installments, steps and approvals are JSON text; an installment's
-- amount is in minor units.
CREATE TABLE {{table "contracts"}} (
    id              uuid        NOT NULL PRIMARY KEY,
    customer_id     uuid        NOT NULL,
    owner_id        uuid        NOT NULL,
    team            text        NOT NULL,
    title           text        NOT NULL,
    terms           text        NOT NULL,
    amount_minor    bigint      NOT NULL,
    amount_currency text        NOT NULL,
    start_date      date,
    end_date        date,
    plan_template   text        NOT NULL,
    installments    text        NOT NULL,
    status          text        NOT NULL,
    submitter_id    uuid        NOT NULL,
    steps           text        NOT NULL,
    approvals       text        NOT NULL,
    signed_at       timestamptz,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    version         bigint      NOT NULL
);

CREATE INDEX {{name "contracts_customer_idx"}} ON {{table "contracts"}} (customer_id, id);
CREATE INDEX {{name "contracts_owner_idx"}} ON {{table "contracts"}} (owner_id, id);
CREATE INDEX {{name "contracts_team_idx"}} ON {{table "contracts"}} (team, id);
CREATE INDEX {{name "contracts_status_idx"}} ON {{table "contracts"}} (status, id);
