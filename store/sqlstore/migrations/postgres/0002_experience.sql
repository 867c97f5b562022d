-- crmkit 0002: the customer experience: loyalty ladder states,
-- touchpoint maps and their resolved touchpoints, interactions, cases,
-- ladder evidence and moves, journey templates.
--
-- Durations are bigint microseconds. Interactions and cases repeat what
-- the analytics add up in columns of their own: the time as unix
-- microseconds (at_us), the day, ISO week and month keys of crm.PeriodKey,
-- and 0/1 integer flags, so that every statistic is a SUM over one table.

-- A customer's place on the loyalty ladder, versioned apart from the
-- customer record; a customer without a row is indifferent.
CREATE TABLE {{table "ladder_states"}} (
    customer_id   uuid        NOT NULL PRIMARY KEY,
    stage         text        NOT NULL,
    score         bigint      NOT NULL,
    since         timestamptz,
    updated_at    timestamptz,
    purchases     integer     NOT NULL,
    last_referral timestamptz,
    last_promoter timestamptz,
    evidence      integer     NOT NULL,
    version       bigint      NOT NULL
);

CREATE INDEX {{name "ladder_states_stage_idx"}} ON {{table "ladder_states"}} (stage, customer_id);

-- touchpoints is the map as designed, JSON text; the touchpoints table
-- holds every touchpoint resolved, replaced whenever the map is saved.
CREATE TABLE {{table "touchpoint_maps"}} (
    id          uuid        NOT NULL PRIMARY KEY,
    name        text        NOT NULL,
    touchpoints text        NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    version     bigint      NOT NULL
);

CREATE TABLE {{table "touchpoints"}} (
    map_id            uuid    NOT NULL REFERENCES {{table "touchpoint_maps"}} (id),
    key               text    NOT NULL,
    name              text    NOT NULL,
    parent            text    NOT NULL,
    path              text    NOT NULL,
    channel           text    NOT NULL,
    medium            text    NOT NULL,
    phase             text    NOT NULL,
    department        text    NOT NULL,
    answer_within_us  bigint  NOT NULL,
    resolve_within_us bigint  NOT NULL,
    min_csat          integer NOT NULL,
    weight            integer NOT NULL,
    PRIMARY KEY (map_id, key)
);

-- Survey answers are NULL when not given. transfers is JSON text.
CREATE TABLE {{table "interactions"}} (
    id              uuid        NOT NULL PRIMARY KEY,
    customer_id     uuid        NOT NULL,
    map_id          uuid        NOT NULL,
    touchpoint      text        NOT NULL,
    at              timestamptz NOT NULL,
    direction       text        NOT NULL,
    handled_by      uuid        NOT NULL,
    department      text        NOT NULL,
    channel         text        NOT NULL,
    medium          text        NOT NULL,
    phase           text        NOT NULL,
    wait_us         bigint      NOT NULL,
    handle_us       bigint      NOT NULL,
    transfers       text        NOT NULL,
    transfers_count integer     NOT NULL,
    resolved        boolean     NOT NULL,
    sentiment       integer     NOT NULL,
    nps             integer,
    csat            integer,
    ces             integer,
    case_id         uuid        NOT NULL,
    note            text        NOT NULL,
    answer_breached boolean     NOT NULL,
    csat_breached   boolean     NOT NULL,
    idempotency_key text        NOT NULL,
    request_hash    bytea       NOT NULL,
    recorded_at     timestamptz NOT NULL,
    recorded_by     uuid        NOT NULL,
    at_us           bigint      NOT NULL,
    day_key         text        NOT NULL,
    week_key        text        NOT NULL,
    month_key       text        NOT NULL,
    inbound         integer     NOT NULL CHECK (inbound IN (0, 1)),
    fcr             integer     NOT NULL CHECK (fcr IN (0, 1)),
    satisfaction    integer     NOT NULL,
    promoter        integer     NOT NULL CHECK (promoter IN (0, 1)),
    detractor       integer     NOT NULL CHECK (detractor IN (0, 1)),
    csat_satisfied  integer     NOT NULL CHECK (csat_satisfied IN (0, 1))
);

CREATE UNIQUE INDEX {{name "interactions_idempotency_idx"}} ON {{table "interactions"}} (idempotency_key)
    WHERE idempotency_key <> '';
CREATE INDEX {{name "interactions_customer_idx"}} ON {{table "interactions"}} (customer_id, at_us, id);
CREATE INDEX {{name "interactions_at_idx"}} ON {{table "interactions"}} (at_us);

-- Cases repeat the opening time as at_us and period keys, and the last
-- resolution as resolved_us, for the case statistics.
CREATE TABLE {{table "cases"}} (
    id                uuid        NOT NULL PRIMARY KEY,
    customer_id       uuid        NOT NULL,
    kind              text        NOT NULL,
    subject           text        NOT NULL,
    status            text        NOT NULL,
    map_id            uuid        NOT NULL,
    touchpoint        text        NOT NULL,
    channel           text        NOT NULL,
    phase             text        NOT NULL,
    department        text        NOT NULL,
    assignee          uuid        NOT NULL,
    opened_at         timestamptz NOT NULL,
    resolved_at       timestamptz,
    closed_at         timestamptz,
    promised_by       timestamptz,
    resolve_within_us bigint      NOT NULL,
    handoffs          integer     NOT NULL,
    reopens           integer     NOT NULL,
    contacts          integer     NOT NULL,
    resolution        text        NOT NULL,
    resolve_breached  boolean     NOT NULL,
    promise_broken    boolean     NOT NULL,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    version           bigint      NOT NULL,
    at_us             bigint      NOT NULL,
    resolved_us       bigint,
    day_key           text        NOT NULL,
    week_key          text        NOT NULL,
    month_key         text        NOT NULL
);

CREATE INDEX {{name "cases_customer_idx"}} ON {{table "cases"}} (customer_id, id);
CREATE INDEX {{name "cases_at_idx"}} ON {{table "cases"}} (at_us);
CREATE INDEX {{name "cases_promise_idx"}} ON {{table "cases"}} (promised_by)
    WHERE promised_by IS NOT NULL AND resolved_at IS NULL;

-- Evidence and moves are append-only. A move keeps the evidence that
-- caused it as JSON text.
CREATE TABLE {{table "evidence"}} (
    id              uuid        NOT NULL PRIMARY KEY,
    customer_id     uuid        NOT NULL,
    kind            text        NOT NULL,
    at              timestamptz NOT NULL,
    source          text        NOT NULL,
    source_id       uuid        NOT NULL,
    map_id          uuid        NOT NULL,
    touchpoint      text        NOT NULL,
    weight          integer     NOT NULL,
    sentiment       integer     NOT NULL,
    nps             integer,
    csat            integer,
    ces             integer,
    transfers       integer     NOT NULL,
    breached        boolean     NOT NULL,
    resolved        boolean     NOT NULL,
    resolution_us   bigint      NOT NULL,
    within_standard boolean     NOT NULL,
    handoffs        integer     NOT NULL,
    reopens         integer     NOT NULL,
    note            text        NOT NULL
);

CREATE INDEX {{name "evidence_customer_idx"}} ON {{table "evidence"}} (customer_id, id);

CREATE TABLE {{table "ladder_moves"}} (
    id           uuid        NOT NULL PRIMARY KEY,
    customer_id  uuid        NOT NULL,
    at           timestamptz NOT NULL,
    from_stage   text        NOT NULL,
    to_stage     text        NOT NULL,
    event        text        NOT NULL,
    score_before bigint      NOT NULL,
    score_after  bigint      NOT NULL,
    evidence     text        NOT NULL,
    reason       text        NOT NULL,
    at_us        bigint      NOT NULL
);

CREATE INDEX {{name "ladder_moves_customer_idx"}} ON {{table "ladder_moves"}} (customer_id, at_us, id);
CREATE INDEX {{name "ladder_moves_at_idx"}} ON {{table "ladder_moves"}} (at_us);

-- steps is JSON text: the touchpoint keys in order.
CREATE TABLE {{table "journey_templates"}} (
    id               uuid        NOT NULL PRIMARY KEY,
    name             text        NOT NULL,
    map_id           uuid        NOT NULL,
    steps            text        NOT NULL,
    repeat_window_us bigint      NOT NULL,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    version          bigint      NOT NULL
);

CREATE INDEX {{name "journey_templates_map_idx"}} ON {{table "journey_templates"}} (map_id, id);
