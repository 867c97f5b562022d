-- crmkit 0027: consent. Each decision of a person to give or withdraw
-- consent for a purpose, append-only: the customer's own (contact_id the
-- zero UUID) or a contact person's. at_us, rank (1 for a withdrawal, which
-- wins a tie of at) and recorded_us order a subject's decisions as
-- crm.CompareConsent does; the index finds the one that decides at a time
-- by a single descent, however long the history.
CREATE TABLE {{table "consents"}} (
    id          TEXT    NOT NULL PRIMARY KEY,
    customer_id TEXT    NOT NULL,
    contact_id  TEXT    NOT NULL,
    purpose     TEXT    NOT NULL,
    choice      TEXT    NOT NULL CHECK (choice IN ('given', 'withdrawn')),
    at          TEXT    NOT NULL,
    valid_until TEXT,
    source      TEXT    NOT NULL,
    proof       TEXT    NOT NULL,
    recorded_at TEXT    NOT NULL,
    recorded_by TEXT    NOT NULL,
    at_us       INTEGER NOT NULL,
    rank        INTEGER NOT NULL,
    recorded_us INTEGER NOT NULL
);
CREATE INDEX {{name "consents_latest_idx"}} ON {{table "consents"}}
    (customer_id, contact_id, purpose, at_us, rank, recorded_us, id);
