-- crmkit 0001: users, customers and their tags, the event log and its head.
{{- with schema}}

CREATE SCHEMA IF NOT EXISTS {{.}};
{{- end}}

CREATE TABLE {{table "users"}} (
    id             uuid        NOT NULL PRIMARY KEY,
    name           text        NOT NULL,
    email          text        NOT NULL,
    role           text        NOT NULL,
    team           text        NOT NULL,
    active         boolean     NOT NULL,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    deactivated_at timestamptz,
    version        bigint      NOT NULL
);

CREATE INDEX {{name "users_team_idx"}} ON {{table "users"}} (team, id);

-- contacts, tags and attributes are JSON text, kept as written; the
-- customer_tags table repeats the tags, one row each, for the tag filter.
CREATE TABLE {{table "customers"}} (
    id          uuid        NOT NULL PRIMARY KEY,
    kind        text        NOT NULL,
    name        text        NOT NULL,
    contacts    text        NOT NULL,
    segment     text        NOT NULL,
    tags        text        NOT NULL,
    attributes  text        NOT NULL,
    owner_id    uuid        NOT NULL,
    team        text        NOT NULL,
    key_account boolean     NOT NULL,
    status      text        NOT NULL,
    archived_at timestamptz,
    erased_at   timestamptz,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    version     bigint      NOT NULL
);

CREATE INDEX {{name "customers_owner_idx"}} ON {{table "customers"}} (owner_id, id);
CREATE INDEX {{name "customers_team_idx"}} ON {{table "customers"}} (team, id);

CREATE TABLE {{table "customer_tags"}} (
    customer_id uuid NOT NULL REFERENCES {{table "customers"}} (id),
    tag         text NOT NULL,
    PRIMARY KEY (customer_id, tag)
);

CREATE INDEX {{name "customer_tags_tag_idx"}} ON {{table "customer_tags"}} (tag, customer_id);

-- data is text, not jsonb: it holds exactly the bytes the event was
-- appended with, whose SHA-256 the chain covers.
CREATE TABLE {{table "events"}} (
    seq         bigint      NOT NULL PRIMARY KEY,
    id          uuid        NOT NULL UNIQUE,
    recorded_at timestamptz NOT NULL,
    actor       uuid        NOT NULL,
    event_type  text        NOT NULL,
    kind        text        NOT NULL,
    subject     uuid        NOT NULL,
    version     bigint      NOT NULL,
    data        text,
    data_hash   bytea       NOT NULL,
    prev_hash   bytea       NOT NULL,
    hash        bytea       NOT NULL,
    redacted    boolean     NOT NULL DEFAULT false
);

CREATE INDEX {{name "events_subject_idx"}} ON {{table "events"}} (kind, subject, seq);

-- The one row of event_head is the last event's seq and hash; writers
-- lock it with SELECT ... FOR UPDATE, which serializes appends.
CREATE TABLE {{table "event_head"}} (
    id   integer NOT NULL PRIMARY KEY CHECK (id = 1),
    seq  bigint  NOT NULL,
    hash bytea   NOT NULL
);

INSERT INTO {{table "event_head"}} (id, seq, hash) VALUES (1, 0, decode(repeat('00', 32), 'hex'));
