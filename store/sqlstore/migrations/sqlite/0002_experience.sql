-- crmkit 0002: the customer experience: loyalty ladder states,
-- touchpoint maps and their resolved touchpoints, interactions, cases,
-- ladder evidence and moves, journey templates.
--
-- Durations are INTEGER microseconds. Interactions and cases repeat what
-- the analytics add up in columns of their own: the time as unix
-- microseconds (at_us), the day, ISO week and month keys of crm.PeriodKey,
-- and 0/1 flags, so that every statistic is a SUM over one table.

-- A customer's place on the loyalty ladder, versioned apart from the
-- customer record; a customer without a row is indifferent.
CREATE TABLE {{table "ladder_states"}} (
    customer_id   TEXT    NOT NULL PRIMARY KEY,
    stage         TEXT    NOT NULL,
    score         INTEGER NOT NULL,
    since         TEXT,
    updated_at    TEXT,
    purchases     INTEGER NOT NULL,
    last_referral TEXT,
    last_promoter TEXT,
    evidence      INTEGER NOT NULL,
    version       INTEGER NOT NULL
);

CREATE INDEX {{name "ladder_states_stage_idx"}} ON {{table "ladder_states"}} (stage, customer_id);

-- touchpoints is the map as designed, JSON text; the touchpoints table
-- holds every touchpoint resolved, replaced whenever the map is saved.
CREATE TABLE {{table "touchpoint_maps"}} (
    id          TEXT    NOT NULL PRIMARY KEY,
    name        TEXT    NOT NULL,
    touchpoints TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL,
    version     INTEGER NOT NULL
);

CREATE TABLE {{table "touchpoints"}} (
    map_id            TEXT    NOT NULL REFERENCES {{name "touchpoint_maps"}} (id),
    key               TEXT    NOT NULL,
    name              TEXT    NOT NULL,
    parent            TEXT    NOT NULL,
    path              TEXT    NOT NULL,
    channel           TEXT    NOT NULL,
    medium            TEXT    NOT NULL,
    phase             TEXT    NOT NULL,
    department        TEXT    NOT NULL,
    answer_within_us  INTEGER NOT NULL,
    resolve_within_us INTEGER NOT NULL,
    min_csat          INTEGER NOT NULL,
    weight            INTEGER NOT NULL,
    PRIMARY KEY (map_id, key)
) WITHOUT ROWID;

-- Survey answers are NULL when not given. transfers is JSON text.
CREATE TABLE {{table "interactions"}} (
    id              TEXT    NOT NULL PRIMARY KEY,
    customer_id     TEXT    NOT NULL,
    map_id          TEXT    NOT NULL,
    touchpoint      TEXT    NOT NULL,
    at              TEXT    NOT NULL,
    direction       TEXT    NOT NULL,
    handled_by      TEXT    NOT NULL,
    department      TEXT    NOT NULL,
    channel         TEXT    NOT NULL,
    medium          TEXT    NOT NULL,
    phase           TEXT    NOT NULL,
    wait_us         INTEGER NOT NULL,
    handle_us       INTEGER NOT NULL,
    transfers       TEXT    NOT NULL,
    transfers_count INTEGER NOT NULL,
    resolved        INTEGER NOT NULL CHECK (resolved IN (0, 1)),
    sentiment       INTEGER NOT NULL,
    nps             INTEGER,
    csat            INTEGER,
    ces             INTEGER,
    case_id         TEXT    NOT NULL,
    note            TEXT    NOT NULL,
    answer_breached INTEGER NOT NULL CHECK (answer_breached IN (0, 1)),
    csat_breached   INTEGER NOT NULL CHECK (csat_breached IN (0, 1)),
    idempotency_key TEXT    NOT NULL,
    request_hash    BLOB    NOT NULL,
    recorded_at     TEXT    NOT NULL,
    recorded_by     TEXT    NOT NULL,
    at_us           INTEGER NOT NULL,
    day_key         TEXT    NOT NULL,
    week_key        TEXT    NOT NULL,
    month_key       TEXT    NOT NULL,
    inbound         INTEGER NOT NULL CHECK (inbound IN (0, 1)),
    fcr             INTEGER NOT NULL CHECK (fcr IN (0, 1)),
    satisfaction    INTEGER NOT NULL,
    promoter        INTEGER NOT NULL CHECK (promoter IN (0, 1)),
    detractor       INTEGER NOT NULL CHECK (detractor IN (0, 1)),
    csat_satisfied  INTEGER NOT NULL CHECK (csat_satisfied IN (0, 1))
);

CREATE UNIQUE INDEX {{name "interactions_idempotency_idx"}} ON {{table "interactions"}} (idempotency_key)
    WHERE idempotency_key <> '';
CREATE INDEX {{name "interactions_customer_idx"}} ON {{table "interactions"}} (customer_id, at_us, id);
CREATE INDEX {{name "interactions_at_idx"}} ON {{table "interactions"}} (at_us);

-- Cases repeat the opening time as at_us and period keys, and the last
-- resolution as resolved_us, for the case statistics.
CREATE TABLE {{table "cases"}} (
    id                TEXT    NOT NULL PRIMARY KEY,
    customer_id       TEXT    NOT NULL,
    kind              TEXT    NOT NULL,
    subject           TEXT    NOT NULL,
    status            TEXT    NOT NULL,
    map_id            TEXT    NOT NULL,
    touchpoint        TEXT    NOT NULL,
    channel           TEXT    NOT NULL,
    phase             TEXT    NOT NULL,
    department        TEXT    NOT NULL,
    assignee          TEXT    NOT NULL,
    opened_at         TEXT    NOT NULL,
    resolved_at       TEXT,
    closed_at         TEXT,
    promised_by       TEXT,
    resolve_within_us INTEGER NOT NULL,
    handoffs          INTEGER NOT NULL,
    reopens           INTEGER NOT NULL,
    contacts          INTEGER NOT NULL,
    resolution        TEXT    NOT NULL,
    resolve_breached  INTEGER NOT NULL CHECK (resolve_breached IN (0, 1)),
    promise_broken    INTEGER NOT NULL CHECK (promise_broken IN (0, 1)),
    created_at        TEXT    NOT NULL,
    updated_at        TEXT    NOT NULL,
    version           INTEGER NOT NULL,
    at_us             INTEGER NOT NULL,
    resolved_us       INTEGER,
    day_key           TEXT    NOT NULL,
    week_key          TEXT    NOT NULL,
    month_key         TEXT    NOT NULL
);

CREATE INDEX {{name "cases_customer_idx"}} ON {{table "cases"}} (customer_id, id);
CREATE INDEX {{name "cases_at_idx"}} ON {{table "cases"}} (at_us);
CREATE INDEX {{name "cases_promise_idx"}} ON {{table "cases"}} (promised_by)
    WHERE promised_by IS NOT NULL AND resolved_at IS NULL;

-- Evidence and moves are append-only. A move keeps the evidence that
-- caused it as JSON text.
CREATE TABLE {{table "evidence"}} (
    id              TEXT    NOT NULL PRIMARY KEY,
    customer_id     TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    at              TEXT    NOT NULL,
    source          TEXT    NOT NULL,
    source_id       TEXT    NOT NULL,
    map_id          TEXT    NOT NULL,
    touchpoint      TEXT    NOT NULL,
    weight          INTEGER NOT NULL,
    sentiment       INTEGER NOT NULL,
    nps             INTEGER,
    csat            INTEGER,
    ces             INTEGER,
    transfers       INTEGER NOT NULL,
    breached        INTEGER NOT NULL CHECK (breached IN (0, 1)),
    resolved        INTEGER NOT NULL CHECK (resolved IN (0, 1)),
    resolution_us   INTEGER NOT NULL,
    within_standard INTEGER NOT NULL CHECK (within_standard IN (0, 1)),
    handoffs        INTEGER NOT NULL,
    reopens         INTEGER NOT NULL,
    note            TEXT    NOT NULL
);

CREATE INDEX {{name "evidence_customer_idx"}} ON {{table "evidence"}} (customer_id, id);

CREATE TABLE {{table "ladder_moves"}} (
    id           TEXT    NOT NULL PRIMARY KEY,
    customer_id  TEXT    NOT NULL,
    at           TEXT    NOT NULL,
    from_stage   TEXT    NOT NULL,
    to_stage     TEXT    NOT NULL,
    event        TEXT    NOT NULL,
    score_before INTEGER NOT NULL,
    score_after  INTEGER NOT NULL,
    evidence     TEXT    NOT NULL,
    reason       TEXT    NOT NULL,
    at_us        INTEGER NOT NULL
);

CREATE INDEX {{name "ladder_moves_customer_idx"}} ON {{table "ladder_moves"}} (customer_id, at_us, id);
CREATE INDEX {{name "ladder_moves_at_idx"}} ON {{table "ladder_moves"}} (at_us);

-- steps is JSON text: the touchpoint keys in order.
CREATE TABLE {{table "journey_templates"}} (
    id               TEXT    NOT NULL PRIMARY KEY,
    name             TEXT    NOT NULL,
    map_id           TEXT    NOT NULL,
    steps            TEXT    NOT NULL,
    repeat_window_us INTEGER NOT NULL,
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL,
    version          INTEGER NOT NULL
);

CREATE INDEX {{name "journey_templates_map_idx"}} ON {{table "journey_templates"}} (map_id, id);
