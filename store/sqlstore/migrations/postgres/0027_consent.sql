-- crmkit 0027: consent. Each decision of a person to give or withdraw
-- consent for a purpose, append-only: the customer's own (contact_id the
-- zero UUID) or a contact person's. at_us, rank (1 for a withdrawal, which
-- wins a tie of at) and recorded_us order a subject's decisions as
-- crm.CompareConsent does; the index finds the one that decides at a time
-- by a single descent, however long the history.
CREATE TABLE {{table "consents"}} (
    id          uuid        NOT NULL PRIMARY KEY,
    customer_id uuid        NOT NULL,
    contact_id  uuid        NOT NULL,
    purpose     text        NOT NULL,
    choice      text        NOT NULL CHECK (choice IN ('given', 'withdrawn')),
    at          timestamptz NOT NULL,
    valid_until timestamptz,
    source      text        NOT NULL,
    proof       text        NOT NULL,
    recorded_at timestamptz NOT NULL,
    recorded_by uuid        NOT NULL,
    at_us       bigint      NOT NULL,
    rank        smallint    NOT NULL,
    recorded_us bigint      NOT NULL
);
CREATE INDEX {{name "consents_latest_idx"}} ON {{table "consents"}}
    (customer_id, contact_id, purpose, at_us, rank, recorded_us, id);
