-- crmkit 0003: sales. The customer's lifecycle stage and the campaign
-- that brought them; pipelines, deals and their stage visits, activities,
-- campaigns. Customers recorded before lifecycles are leads, as a new
-- customer is by default; the zero UUID is no campaign.
--
-- Money is two columns: INTEGER minor units and the TEXT currency code,
-- '' for the zero amount that has no currency. Dates are TEXT
-- 'YYYY-MM-DD', NULL for no date. Lists inside a record (a pipeline's
-- stages, a deal's history, a campaign's costs) are JSON text. Deals and
-- activities repeat what the sales analytics add up in columns of their
-- own (the *_us times as unix microseconds, forecast_day and
-- forecast_month, cycle_us, invalid_visit), so that every statistic is a
-- SUM over one table, or over a deal's visits.

ALTER TABLE {{table "customers"}} ADD COLUMN lifecycle TEXT NOT NULL DEFAULT 'lead';
ALTER TABLE {{table "customers"}} ADD COLUMN campaign_id TEXT NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000';

CREATE INDEX {{name "customers_campaign_idx"}} ON {{table "customers"}} (campaign_id);

CREATE TABLE {{table "pipelines"}} (
    id         TEXT    NOT NULL PRIMARY KEY,
    name       TEXT    NOT NULL,
    currency   TEXT    NOT NULL,
    stages     TEXT    NOT NULL,
    allow_skip INTEGER NOT NULL CHECK (allow_skip IN (0, 1)),
    allow_back INTEGER NOT NULL CHECK (allow_back IN (0, 1)),
    team       TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL,
    version    INTEGER NOT NULL
);

-- forecast_day is the day a deal counts on in the forecast, in days since
-- 1970-01-01 (NULL for a lost deal or an open one without a close date),
-- forecast_month its month as the forecast rows name it; cycle_us is the
-- time from creation to close of a closed deal.
CREATE TABLE {{table "deals"}} (
    id                 TEXT    NOT NULL PRIMARY KEY,
    pipeline_id        TEXT    NOT NULL,
    customer_id        TEXT    NOT NULL,
    owner_id           TEXT    NOT NULL,
    team               TEXT    NOT NULL,
    title              TEXT    NOT NULL,
    amount_minor       INTEGER NOT NULL,
    amount_currency    TEXT    NOT NULL,
    close_date         TEXT,
    stage              TEXT    NOT NULL,
    status             TEXT    NOT NULL,
    probability        INTEGER NOT NULL,
    manual_probability INTEGER,
    campaign_id        TEXT    NOT NULL,
    lost_reason        TEXT    NOT NULL,
    lost_notes         TEXT    NOT NULL,
    history            TEXT    NOT NULL,
    furthest           INTEGER NOT NULL,
    activities         INTEGER NOT NULL,
    last_activity_at   TEXT,
    created_at         TEXT    NOT NULL,
    updated_at         TEXT    NOT NULL,
    closed_at          TEXT,
    version            INTEGER NOT NULL,
    created_us         INTEGER NOT NULL,
    closed_us          INTEGER NOT NULL,
    cycle_us           INTEGER NOT NULL,
    forecast_day       INTEGER,
    forecast_month     TEXT    NOT NULL
);

CREATE INDEX {{name "deals_pipeline_idx"}} ON {{table "deals"}} (pipeline_id, status, stage);
CREATE INDEX {{name "deals_customer_idx"}} ON {{table "deals"}} (customer_id, id);
CREATE INDEX {{name "deals_owner_idx"}} ON {{table "deals"}} (owner_id, id);
CREATE INDEX {{name "deals_team_idx"}} ON {{table "deals"}} (team, id);
CREATE INDEX {{name "deals_campaign_idx"}} ON {{table "deals"}} (campaign_id, id);
CREATE INDEX {{name "deals_closed_idx"}} ON {{table "deals"}} (closed_us);

-- A deal's history, one row a visit, replaced whenever the deal is saved:
-- left_us and micros (the time spent) are NULL for the stage it is in.
CREATE TABLE {{table "deal_visits"}} (
    deal_id    TEXT    NOT NULL REFERENCES {{name "deals"}} (id),
    seq        INTEGER NOT NULL,
    stage      TEXT    NOT NULL,
    entered_us INTEGER NOT NULL,
    left_us    INTEGER,
    micros     INTEGER,
    PRIMARY KEY (deal_id, seq)
) WITHOUT ROWID;

CREATE INDEX {{name "deal_visits_left_idx"}} ON {{table "deal_visits"}} (left_us) WHERE left_us IS NOT NULL;

-- invalid_visit is 1 for a visit without an outcome or a next step.
CREATE TABLE {{table "activities"}} (
    id            TEXT    NOT NULL PRIMARY KEY,
    type          TEXT    NOT NULL,
    customer_id   TEXT    NOT NULL,
    deal_id       TEXT    NOT NULL,
    owner_id      TEXT    NOT NULL,
    team          TEXT    NOT NULL,
    at            TEXT    NOT NULL,
    subject       TEXT    NOT NULL,
    outcome       TEXT    NOT NULL,
    next_step     TEXT    NOT NULL,
    follow_up     TEXT,
    done          INTEGER NOT NULL CHECK (done IN (0, 1)),
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL,
    version       INTEGER NOT NULL,
    at_us         INTEGER NOT NULL,
    invalid_visit INTEGER NOT NULL CHECK (invalid_visit IN (0, 1))
);

CREATE INDEX {{name "activities_customer_idx"}} ON {{table "activities"}} (customer_id, id);
CREATE INDEX {{name "activities_deal_idx"}} ON {{table "activities"}} (deal_id, id);
CREATE INDEX {{name "activities_owner_idx"}} ON {{table "activities"}} (owner_id, at_us);
CREATE INDEX {{name "activities_team_idx"}} ON {{table "activities"}} (team, at_us);
CREATE INDEX {{name "activities_at_idx"}} ON {{table "activities"}} (at_us);
CREATE INDEX {{name "activities_follow_up_idx"}} ON {{table "activities"}} (follow_up)
    WHERE follow_up IS NOT NULL AND done = FALSE;

-- costs is JSON text: the cost lines, each amount in minor units.
CREATE TABLE {{table "campaigns"}} (
    id              TEXT    NOT NULL PRIMARY KEY,
    name            TEXT    NOT NULL,
    channel         TEXT    NOT NULL,
    currency        TEXT    NOT NULL,
    budget_minor    INTEGER NOT NULL,
    budget_currency TEXT    NOT NULL,
    costs           TEXT    NOT NULL,
    start_date      TEXT,
    end_date        TEXT,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    version         INTEGER NOT NULL
);
