-- crmkit 0011: dunning. An invoice's dunning record: its state in the
-- dunning machine, the level it reached (0 for none) and the name it had
-- then, the day it entered the state, the invoice's due date, the highest
-- level whose fees and interest were charged and the day interest was
-- charged to (NULL for none), and, for an invoice of dunning fees and
-- interest, the invoice it charges (the zero UUID otherwise). A run reads
-- the records still dunning (neither settled nor exempt) through
-- dunning_active_idx, the report a customer's through
-- dunning_customer_idx.
CREATE TABLE {{table "dunning"}} (
    invoice_id       TEXT    NOT NULL PRIMARY KEY,
    customer_id      TEXT    NOT NULL,
    state            TEXT    NOT NULL,
    level            INTEGER NOT NULL,
    level_name       TEXT    NOT NULL,
    since            TEXT,
    due              TEXT,
    charged          INTEGER NOT NULL,
    interest_through TEXT,
    charges_for      TEXT    NOT NULL,
    note             TEXT    NOT NULL,
    updated_at       TEXT,
    updated_by       TEXT    NOT NULL,
    version          INTEGER NOT NULL
);

CREATE INDEX {{name "dunning_customer_idx"}} ON {{table "dunning"}} (customer_id, invoice_id);
CREATE INDEX {{name "dunning_active_idx"}} ON {{table "dunning"}} (invoice_id)
    WHERE state NOT IN ('settled', 'exempt');
