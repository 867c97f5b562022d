-- crmkit 0001: users, customers and their tags, the event log and its head.
-- IDs are canonical lower-case UUID text, which sorts like the UUID bytes;
-- times are UTC text of fixed width, 2006-01-02T15:04:05.000000Z, which
-- sorts like the times; booleans are 0 or 1.

CREATE TABLE {{table "users"}} (
    id             TEXT    NOT NULL PRIMARY KEY,
    name           TEXT    NOT NULL,
    email          TEXT    NOT NULL,
    role           TEXT    NOT NULL,
    team           TEXT    NOT NULL,
    active         INTEGER NOT NULL CHECK (active IN (0, 1)),
    created_at     TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL,
    deactivated_at TEXT,
    version        INTEGER NOT NULL
);

CREATE INDEX {{name "users_team_idx"}} ON {{table "users"}} (team, id);

-- contacts, tags and attributes are JSON text; customer_tags repeats the
-- tags, one row each, for the tag filter.
CREATE TABLE {{table "customers"}} (
    id          TEXT    NOT NULL PRIMARY KEY,
    kind        TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    contacts    TEXT    NOT NULL,
    segment     TEXT    NOT NULL,
    tags        TEXT    NOT NULL,
    attributes  TEXT    NOT NULL,
    owner_id    TEXT    NOT NULL,
    team        TEXT    NOT NULL,
    key_account INTEGER NOT NULL CHECK (key_account IN (0, 1)),
    status      TEXT    NOT NULL,
    archived_at TEXT,
    erased_at   TEXT,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL,
    version     INTEGER NOT NULL
);

CREATE INDEX {{name "customers_owner_idx"}} ON {{table "customers"}} (owner_id, id);
CREATE INDEX {{name "customers_team_idx"}} ON {{table "customers"}} (team, id);

CREATE TABLE {{table "customer_tags"}} (
    customer_id TEXT NOT NULL REFERENCES {{name "customers"}} (id),
    tag         TEXT NOT NULL,
    PRIMARY KEY (customer_id, tag)
) WITHOUT ROWID;

CREATE INDEX {{name "customer_tags_tag_idx"}} ON {{table "customer_tags"}} (tag, customer_id);

-- data holds exactly the bytes the event was appended with: the chain
-- covers their SHA-256.
CREATE TABLE {{table "events"}} (
    seq         INTEGER NOT NULL PRIMARY KEY,
    id          TEXT    NOT NULL UNIQUE,
    recorded_at TEXT    NOT NULL,
    actor       TEXT    NOT NULL,
    event_type  TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    subject     TEXT    NOT NULL,
    version     INTEGER NOT NULL,
    data        TEXT,
    data_hash   BLOB    NOT NULL,
    prev_hash   BLOB    NOT NULL,
    hash        BLOB    NOT NULL,
    redacted    INTEGER NOT NULL DEFAULT 0 CHECK (redacted IN (0, 1))
);

CREATE INDEX {{name "events_subject_idx"}} ON {{table "events"}} (kind, subject, seq);

-- The one row of event_head is the last event's seq and hash; writers
-- read and move it in their transaction.
CREATE TABLE {{table "event_head"}} (
    id   INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash BLOB    NOT NULL
);

INSERT INTO {{table "event_head"}} (id, seq, hash)
VALUES (1, 0, X'0000000000000000000000000000000000000000000000000000000000000000');
